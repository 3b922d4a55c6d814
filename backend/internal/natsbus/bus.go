// Package natsbus is chat.Cluster on NATS with JetStream: what the nodes of
// one Sala deployment share besides PostgreSQL.
//
//   - Fan-out: every committed batch is published to the stream
//     <prefix>_fanout (subject <prefix>.fanout.msgs, memory storage, kept two
//     minutes; a restarted NATS server starts it empty). Each node reads the whole stream from the time it started
//     with an ordered consumer and delivers each batch to its own
//     connections, its own batches included, so that a node's clients see
//     one order whoever committed. A node that loses the broker for a moment
//     resumes where it stopped. Join and leave notices use subject
//     <prefix>.fanout.notices of the same stream, unacknowledged.
//   - Room registry: the key-value bucket <prefix>_rooms (file storage), one
//     key per live room, its lower-case name. Create is atomic, so a name is
//     taken once across the cluster; deletes name the revision they delete.
//     Every node watches the bucket.
//   - Presence: the bucket <prefix>_presence (file storage, TTL), one key
//     per node holding who is connected there and in which room, written on
//     every change and every heartbeat. A node whose key was not refreshed
//     for PresenceTTL is gone: its users are offline.
package natsbus

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/salachat/sala/backend/internal/chat"
)

// Config is how a node joins the cluster. Zero fields take defaults.
type Config struct {
	URL string // the NATS server(s), comma-separated
	// Prefix names the stream, the buckets and the subjects, so that several
	// deployments (or tests) can share one NATS server. Default "sala".
	Prefix string
	// Node names this process in presence; default host name and a random
	// suffix, new at every start.
	Node string
	// Heartbeat is how often presence is refreshed (default 500 ms);
	// PresenceTTL how long a silent node counts as alive (default 2 s).
	Heartbeat, PresenceTTL time.Duration
	Log                    *slog.Logger
}

var prefixPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func (c Config) withDefaults() (Config, error) {
	if c.Prefix == "" {
		c.Prefix = "sala"
	}
	if !prefixPattern.MatchString(c.Prefix) {
		return c, fmt.Errorf("natsbus: prefix %q: want 1–64 letters, digits, '-' or '_'", c.Prefix)
	}
	if c.Node == "" {
		host, _ := os.Hostname()
		c.Node = strings.Trim(regexp.MustCompile(`[^A-Za-z0-9_-]+`).ReplaceAllString(host, "-"), "-") + "-" + randomHex(4)
	}
	if c.Heartbeat <= 0 {
		c.Heartbeat = 500 * time.Millisecond
	}
	if c.PresenceTTL <= 0 {
		c.PresenceTTL = 4 * c.Heartbeat
	}
	if c.PresenceTTL < 2*c.Heartbeat {
		return c, errors.New("natsbus: PresenceTTL must be at least two heartbeats")
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// Bus is a node's membership of the cluster. Open it, then hand it to the
// hub, which Starts it.
type Bus struct {
	cfg  Config
	nc   *nats.Conn
	js   jetstream.JetStream
	h    chat.ClusterHandler
	stop chan struct{}
	wg   sync.WaitGroup

	fanoutMu sync.Mutex
	fanout   jetstream.ConsumeContext
	lastSeq  atomic.Uint64 // the consumer's latest stream sequence
	rooms    jetstream.KeyValue
	presence jetstream.KeyValue
	watchers []jetstream.KeyWatcher

	changed chan struct{} // this node's presence changed; capacity 1
	peersMu sync.Mutex
	peers   map[string]*peer
	view    atomic.Pointer[chat.PeerPresence]

	lostMu    sync.Mutex
	lostTimer *time.Timer
	// deaf is set while the fan-out consumer could not be restarted: the
	// node would miss broadcasts, so it takes no connection.
	deaf       atomic.Bool
	recovering sync.Mutex
	started    atomic.Bool
	closeOnce  sync.Once
}

var _ chat.Cluster = (*Bus)(nil)

// Open connects to NATS and makes sure the stream and buckets exist.
func Open(ctx context.Context, cfg Config) (*Bus, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	b := &Bus{cfg: cfg, stop: make(chan struct{}), changed: make(chan struct{}, 1), peers: map[string]*peer{}}
	b.view.Store(&chat.PeerPresence{})
	b.nc, err = nats.Connect(cfg.URL,
		nats.Name("sala "+cfg.Node),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250*time.Millisecond),
		nats.ReconnectJitter(100*time.Millisecond, time.Second),
		// A dead server must be noticed well within PresenceTTL.
		nats.PingInterval(max(cfg.Heartbeat, time.Second)),
		nats.MaxPingsOutstanding(2),
		nats.DisconnectErrHandler(b.disconnected),
		nats.ReconnectHandler(b.reconnected),
		nats.NoCallbacksAfterClientClose(),
	)
	if err != nil {
		return nil, fmt.Errorf("natsbus: connect to %s: %w", cfg.URL, err)
	}
	if b.js, err = jetstream.New(b.nc); err != nil {
		b.nc.Close()
		return nil, fmt.Errorf("natsbus: jetstream: %w", err)
	}
	if b.rooms, b.presence, err = b.ensure(ctx); err != nil {
		b.nc.Close()
		return nil, err
	}
	return b, nil
}

// Node is this node's name in the cluster.
func (b *Bus) Node() string { return b.cfg.Node }

func (b *Bus) streamName() string    { return b.cfg.Prefix + "_fanout" }
func (b *Bus) msgSubject() string    { return b.cfg.Prefix + ".fanout.msgs" }
func (b *Bus) noticeSubject() string { return b.cfg.Prefix + ".fanout.notices" }

// ensure creates (or updates) the stream and the buckets and returns the
// buckets. NATS keeps them, so this is also what a node does after the
// server restarted without them.
func (b *Bus) ensure(ctx context.Context) (rooms, presence jetstream.KeyValue, err error) {
	_, err = b.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        b.streamName(),
		Description: "Sala: committed messages on their way to every node",
		Subjects:    []string{b.cfg.Prefix + ".fanout.>"},
		Storage:     jetstream.MemoryStorage,
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardOld,
		MaxAge:      2 * time.Minute,
		MaxBytes:    256 << 20,
		Duplicates:  time.Minute, // a publish retried after a lost ack is stored once
	})
	if err != nil {
		return nil, nil, fmt.Errorf("natsbus: stream %s: %w", b.streamName(), err)
	}
	if rooms, err = b.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket: b.cfg.Prefix + "_rooms", Description: "Sala: live rooms by lower-case name",
		History: 1, Storage: jetstream.FileStorage,
	}); err != nil {
		return nil, nil, fmt.Errorf("natsbus: bucket %s_rooms: %w", b.cfg.Prefix, err)
	}
	if presence, err = b.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket: b.cfg.Prefix + "_presence", Description: "Sala: who is connected to each node",
		History: 1, Storage: jetstream.FileStorage, TTL: b.cfg.PresenceTTL,
	}); err != nil {
		return nil, nil, fmt.Errorf("natsbus: bucket %s_presence: %w", b.cfg.Prefix, err)
	}
	return rooms, presence, nil
}

// Start begins calling h: broadcasts first (nothing committed from now on is
// missed), then the other nodes' presence, then the live rooms (reported
// before Start returns, with their owners' presence already known).
func (b *Bus) Start(ctx context.Context, h chat.ClusterHandler) error {
	b.h = h
	if err := b.consume(ctx); err != nil {
		return err
	}
	if err := b.watch(ctx, b.presence, b.presenceEntry); err != nil {
		return err
	}
	if err := b.watch(ctx, b.rooms, b.roomEntry); err != nil {
		return err
	}
	b.started.Store(true)
	b.wg.Add(1)
	go b.presenceLoop()
	return nil
}

// watch follows every key of kv, calling on for each change, and returns
// once the current values have been seen.
func (b *Bus) watch(ctx context.Context, kv jetstream.KeyValue, on func(jetstream.KeyValueEntry)) error {
	w, err := kv.WatchAll(ctx)
	if err != nil {
		return fmt.Errorf("natsbus: watch %s: %w", kv.Bucket(), err)
	}
	b.watchers = append(b.watchers, w)
	initial := make(chan struct{})
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		for e := range w.Updates() {
			if e == nil {
				close(initial)
				continue
			}
			on(e)
		}
	}()
	select {
	case <-initial:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("natsbus: watch %s: %w", kv.Bucket(), ctx.Err())
	}
}

// Ready returns unavailable while the broker is unreachable.
func (b *Bus) Ready() error {
	if b.nc.Status() != nats.CONNECTED || b.deaf.Load() {
		return chat.Errorf(chat.EUnavailable, "this node lost the message broker: try another")
	}
	return nil
}

// disconnected starts the clock: a node still cut off after PresenceTTL has
// been declared gone by the others, so it sends its clients elsewhere.
func (b *Bus) disconnected(_ *nats.Conn, err error) {
	select {
	case <-b.stop:
		return // closing
	default:
	}
	b.cfg.Log.Warn("lost the NATS server", "err", err)
	b.lostMu.Lock()
	defer b.lostMu.Unlock()
	if b.lostTimer != nil || !b.started.Load() {
		return
	}
	b.lostTimer = time.AfterFunc(b.cfg.PresenceTTL, func() {
		if b.nc.Status() == nats.RECONNECTING {
			b.h.Lost(fmt.Errorf("no NATS server for %v: %v", b.cfg.PresenceTTL, err))
		}
	})
}

// reconnected makes sure the stream and buckets survived, announces this
// node again and catches up with whatever it may have missed.
func (b *Bus) reconnected(*nats.Conn) {
	b.cfg.Log.Info("NATS server back", "server", b.nc.ConnectedUrlRedacted())
	b.lostMu.Lock()
	if b.lostTimer != nil {
		b.lostTimer.Stop()
		b.lostTimer = nil
	}
	b.lostMu.Unlock()
	if !b.started.Load() {
		return
	}
	go b.recover()
}

// recover brings this node back after the broker: the stream and buckets
// recreated if the server lost them, the fan-out followed again if it was
// recreated, presence announced, and whatever was missed read from the
// database. While it fails the node refuses connections (Ready), and the
// heartbeat tries again.
func (b *Bus) recover() {
	b.recovering.Lock()
	defer b.recovering.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := func() error {
		if _, _, err := b.ensure(ctx); err != nil {
			return err
		}
		// A server that lost its memory streams starts the fan-out anew: a
		// consumer waiting for our old sequence would wait for ever.
		st, err := b.js.Stream(ctx, b.streamName())
		if err != nil {
			return err
		}
		if !b.deaf.Load() && st.CachedInfo().State.LastSeq >= b.lastSeq.Load() {
			return nil
		}
		b.cfg.Log.Warn("following the fan-out stream anew")
		return b.restartConsumer(ctx)
	}()
	if err != nil {
		if !b.deaf.Swap(true) {
			b.h.Lost(fmt.Errorf("natsbus: recover from a broker restart: %w", err))
		}
		b.cfg.Log.Error("recover from a broker restart", "err", err)
		return
	}
	b.deaf.Store(false)
	b.PresenceChanged()
	b.h.Resync()
}

// Close leaves the cluster: this node's presence goes at once, so the others
// start the grace of its users' rooms without waiting for the TTL.
func (b *Bus) Close() error {
	b.closeOnce.Do(func() {
		close(b.stop)
		if b.started.Load() {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			if err := b.presence.Delete(ctx, b.cfg.Node); err != nil {
				b.cfg.Log.Warn("remove this node's presence", "err", err)
			}
			cancel()
		}
		b.fanoutMu.Lock()
		if b.fanout != nil {
			b.fanout.Stop()
		}
		b.fanoutMu.Unlock()
		for _, w := range b.watchers {
			_ = w.Stop()
		}
		b.lostMu.Lock()
		if b.lostTimer != nil {
			b.lostTimer.Stop()
		}
		b.lostMu.Unlock()
		b.nc.Close()
	})
	b.wg.Wait()
	return nil
}

// unavailable wraps a broker error as the chat error clients see.
func unavailable(op string, err error) error {
	return fmt.Errorf("natsbus: %s: %w: %w", op, chat.Errorf(chat.EUnavailable, "the message broker is unavailable, retry later"), err)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails
	return hex.EncodeToString(b)
}
