package hub

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/store/storetest"
	"github.com/salachat/sala/backend/internal/writepath"
)

// fakeCluster is a Cluster whose bus is the test: what the hub publishes
// is recorded, and the test delivers what it wants.
type fakeCluster struct {
	local
	mu        sync.Mutex
	published []chat.Broadcast
}

func (f *fakeCluster) Publish(_ context.Context, b chat.Broadcast) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.published = append(f.published, b)
	return nil
}

// clock is a test's clock, moved by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

// messageIDs lists the ids of the message and private envelopes a client
// received, in order.
func messageIDs(t *testing.T, rec *recorder) []int64 {
	var ids []int64
	for _, e := range rec.envelopes(t) {
		if e["type"] == "message" || e["type"] == "private" {
			ids = append(ids, int64(e["id"].(float64)))
		}
	}
	return ids
}

// commitElsewhere stores messages as another node of the cluster would:
// under the turn, which this hub's write path shares.
func commitElsewhere(t *testing.T, st chat.Store, batch ...chat.NewMessage) []chat.Message {
	t.Helper()
	stored, err := st.AppendMessages(context.Background(), batch)
	if err != nil {
		t.Fatal(err)
	}
	var out []chat.Message
	for _, s := range stored {
		out = append(out, s.Message)
	}
	return out
}

// TestDeliveryCatchesUpFromTheDatabase plays the bus: it loses broadcasts
// (their node died between commit and publish) and the next one's Prev
// tells the node what came before it, so the node reads the missing
// messages, room and private alike, from the database and delivers
// everything once, in id order: a private message missed before a room
// message arrives first, so bob's one resume cursor can't pass it.
func TestDeliveryCatchesUpFromTheDatabase(t *testing.T) {
	st := storetest.OpenSQLite(t)
	h := newHub(t, st, func(c *Config) { c.Cluster = &fakeCluster{} })
	alice, bob := newUser(t, st, "alice"), newUser(t, st, "bob")
	_, rec := connectRecorded(t, h, bob)
	general := h.def.id
	room := func(text string) chat.NewMessage {
		return chat.NewMessage{RoomID: &general, Room: "general", SenderID: alice.ID, From: "alice", Text: text, SentAt: 1}
	}
	m := commitElsewhere(t, st, room("one"),
		chat.NewMessage{SenderID: alice.ID, From: "alice", RecipientID: &bob.ID, To: "bob", Text: "lost", SentAt: 1},
		room("three"))
	h.Deliver(chat.Broadcast{Prev: m[1].ID, Messages: m[2:]}) // "one" and "lost" were never published
	h.Deliver(chat.Broadcast{Prev: m[1].ID, Messages: m[2:]}) // a repeat
	h.Deliver(chat.Broadcast{Prev: 0, Messages: m[:1]})       // a late one
	last := commitElsewhere(t, st, room("last"))
	h.Deliver(chat.Broadcast{Prev: m[2].ID, Messages: last}) // in id order: everything before it is in
	want := []int64{m[0].ID, m[1].ID, m[2].ID, last[0].ID}
	eventually(t, "the last message", func() bool { return slices.Contains(messageIDs(t, rec), last[0].ID) })
	if got := messageIDs(t, rec); !slices.Equal(got, want) {
		t.Errorf("bob got %v, want %v once each, in order", got, want)
	}
}

// TestTailCheckFindsABatchNobodyPublished: the batch's node died between
// commit and publish and nothing is committed after it. An idle node reads
// the latest id after a quiet second and delivers what it missed at the
// next check, not before (it may be on its way through the bus).
func TestTailCheckFindsABatchNobodyPublished(t *testing.T) {
	st := storetest.OpenSQLite(t)
	clk := &clock{t: time.Unix(1_800_000_000, 0)}
	h := newHub(t, st, func(c *Config) { c.Cluster, c.Now = &fakeCluster{}, clk.now })
	alice := newUser(t, st, "alice")
	_, rec := connectRecorded(t, h, newUser(t, st, "bob"))
	general := h.def.id
	m := commitElsewhere(t, st, chat.NewMessage{RoomID: &general, Room: "general", SenderID: alice.ID,
		From: "alice", Text: "committed, never published", SentAt: 1})

	h.checkTail(clk.now()) // not quiet yet: nothing read
	h.cur.mu.Lock()
	seen := h.cur.seen
	h.cur.mu.Unlock()
	if seen != 0 {
		t.Error("the tail was read before a quiet second")
	}
	now := clk.advance(tailQuiet)
	h.checkTail(now) // quiet: the latest id is noted
	h.cur.mu.Lock()
	seen, delivered := h.cur.seen, h.cur.delivered
	h.cur.mu.Unlock()
	if seen != m[0].ID || delivered == m[0].ID {
		t.Errorf("after the first quiet check: seen %d, delivered %d; want %d noted, not delivered", seen, delivered, m[0].ID)
	}
	h.checkTail(clk.advance(tailQuiet))
	eventually(t, "the message", func() bool { return len(messageIDs(t, rec)) == 1 })
}

// TestWritePathPublishesWithPrev: a node publishes each batch with the
// latest id committed before it, and delivers nothing but what comes back
// from the bus.
func TestWritePathPublishesWithPrev(t *testing.T) {
	st := storetest.OpenSQLite(t)
	fc := &fakeCluster{}
	h := newHub(t, st, func(c *Config) { c.Cluster, c.Sequencer = fc, writepath.NewLocal(st) })
	c, rec := connectRecorded(t, h, newUser(t, st, "alice"))
	published := func(n int) func() bool {
		return func() bool { fc.mu.Lock(); defer fc.mu.Unlock(); return len(fc.published) == n }
	}
	h.Receive(context.Background(), c, []byte(`{"type":"send","id":"a","text":"first"}`), false)
	eventually(t, "published", published(1))
	h.Receive(context.Background(), c, []byte(`{"type":"send","id":"b","text":"second"}`), false)
	eventually(t, "published", published(2))
	fc.mu.Lock()
	first, second := fc.published[0], fc.published[1]
	fc.mu.Unlock()
	if first.Prev != 0 || second.Prev != first.Messages[0].ID {
		t.Errorf("Prev %d then %d, want 0 then %d", first.Prev, second.Prev, first.Messages[0].ID)
	}
	if ids := messageIDs(t, rec); len(ids) != 0 {
		t.Errorf("delivered %v before the bus did", ids)
	}
	h.Deliver(first)
	h.Deliver(second)
	eventually(t, "both delivered", func() bool { return len(messageIDs(t, rec)) == 2 })
}

// TestIdleLimitersArePruned: a user's rate limiter is kept while it holds
// back tokens or the user is online, and forgotten after.
func TestIdleLimitersArePruned(t *testing.T) {
	st := storetest.OpenSQLite(t)
	clk := &clock{t: time.Unix(1_800_000_000, 0)}
	h := newHub(t, st, func(c *Config) { c.Now, c.MsgRate, c.MsgBurst = clk.now, 1, 2 })
	alice, bob := newUser(t, st, "alice"), newUser(t, st, "bob")
	connectRecorded(t, h, bob)
	for _, id := range []int64{alice.ID, bob.ID} {
		if err := h.allow(id); err != nil {
			t.Fatal(err)
		}
	}
	limiters := func() int { h.mu.Lock(); defer h.mu.Unlock(); return len(h.limiters) }
	h.pruneLimiters(clk.now())
	if n := limiters(); n != 2 {
		t.Errorf("%d limiters right after a message, want 2", n)
	}
	h.pruneLimiters(clk.advance(2 * time.Second)) // alice's bucket is full again
	if n := limiters(); n != 1 {
		t.Errorf("%d limiters once alice's refilled, want bob's alone (he is online)", n)
	}
}
