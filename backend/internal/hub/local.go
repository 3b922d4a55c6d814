package hub

import (
	"context"
	"strings"
	"sync"

	"github.com/salachat/sala/backend/internal/chat"
)

// local is the Cluster of a single node. Its bus is a queue in process: a
// broadcast is delivered by the hub's Deliver on a goroutine of its own (the
// same delivery, gap reading included, as from NATS), so the write path
// stores the next batch while this one fans out. The registry is a map that
// only keeps names unique.
type local struct {
	h     chat.ClusterHandler
	queue chan chat.Broadcast // the bus, in publish order
	done  chan struct{}       // closed when the queue is drained

	mu    sync.Mutex
	names map[string]uint64 // live rooms by lower-case name → revision
	rev   uint64
}

var _ chat.Cluster = (*local)(nil)

// localQueue is how many batches the in-process bus holds: past that,
// Publish waits for delivery, and so do the writers.
const localQueue = 16

func (l *local) Start(_ context.Context, h chat.ClusterHandler) error {
	l.h, l.names = h, map[string]uint64{}
	l.queue, l.done = make(chan chat.Broadcast, localQueue), make(chan struct{})
	go func() {
		defer close(l.done)
		for b := range l.queue {
			l.h.Deliver(b)
		}
	}()
	return nil
}

// Publish puts a batch on the bus.
func (l *local) Publish(ctx context.Context, b chat.Broadcast) error {
	select {
	case l.queue <- b:
		return nil
	case <-ctx.Done():
		return chat.Errorf(chat.EUnavailable, "delivery is behind: %v", ctx.Err())
	}
}

// drain delivers what is on the bus and stops it; nothing may be published
// after.
func (l *local) drain() {
	if l.queue != nil {
		close(l.queue)
		<-l.done
	}
}

func (l *local) Announce(chat.Notice) {}

func (l *local) CreateRoom(_ context.Context, r chat.LiveRoom) (chat.LiveRoom, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	key := strings.ToLower(r.Name)
	if _, taken := l.names[key]; taken {
		return r, chat.Errorf(chat.ERoomExists, "a room named %q exists", r.Name)
	}
	l.rev++
	r.Revision = l.rev
	l.names[key] = r.Revision
	return r, nil
}

func (l *local) DeleteRoom(_ context.Context, r chat.LiveRoom) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	key := strings.ToLower(r.Name)
	if rev, ok := l.names[key]; !ok || rev != r.Revision {
		return chat.Errorf(chat.ERoomNotFound, "no live room named %q", r.Name)
	}
	delete(l.names, key)
	return nil
}

func (l *local) PresenceChanged()         {}
func (l *local) Peers() chat.PeerPresence { return chat.PeerPresence{} }
func (l *local) Ready() error             { return nil }
func (l *local) Close() error             { return nil }
