package hub

import (
	"context"
	"strings"
	"sync"

	"github.com/salachat/sala/backend/internal/chat"
)

// local is the Cluster of a single node, its in-process bus: a broadcast
// goes straight to the hub's Deliver on the publish loop's goroutine (the
// same delivery, gap reading included, as from NATS), and the registry is
// a map that only keeps names unique.
type local struct {
	h chat.ClusterHandler

	mu    sync.Mutex
	names map[string]uint64 // live rooms by lower-case name → revision
	rev   uint64
}

var _ chat.Cluster = (*local)(nil)

func (l *local) Start(_ context.Context, h chat.ClusterHandler) error {
	l.h, l.names = h, map[string]uint64{}
	return nil
}

func (l *local) Publish(_ context.Context, b chat.Broadcast) error {
	l.h.Deliver(b)
	return nil
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
