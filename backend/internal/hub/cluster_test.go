package hub

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/store/storetest"
)

// fakeCluster is a Cluster of several nodes whose broker is the test: what
// the hub publishes is recorded, and the test delivers what it wants.
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

// fakeSequencer hands out turns that order nothing, with the latest ids
// read from the store as the real one does.
type fakeSequencer struct{ st chat.Store }

func (f fakeSequencer) Acquire(ctx context.Context, rooms, users []int64) (chat.Sequence, error) {
	t := fakeTurn{st: f.st, rooms: map[int64]int64{}, users: map[int64]int64{}}
	for _, r := range rooms {
		if m, err := f.st.RoomHistory(ctx, r, 0, 1); err == nil && len(m) > 0 {
			t.rooms[r] = m[0].ID
		}
	}
	return t, nil
}

type fakeTurn struct {
	st           chat.Store
	rooms, users map[int64]int64
}

func (t fakeTurn) RoomPrev() map[int64]int64 { return t.rooms }
func (t fakeTurn) UserPrev() map[int64]int64 { return t.users }
func (t fakeTurn) PrivPrev() int64           { return 0 }
func (fakeTurn) Release()                    {}

func (t fakeTurn) Append(ctx context.Context, batch []chat.NewMessage) ([]chat.Stored, error) {
	return t.st.AppendMessages(ctx, batch)
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

// TestClusterNodeCatchesUpFromTheDatabase plays the broker: it loses one
// broadcast (its node died between commit and publish) and the next one
// tells the receiving node what came before it, so the node reads the
// missing message from the database and delivers everything once, in order.
func TestClusterNodeCatchesUpFromTheDatabase(t *testing.T) {
	st := storetest.OpenSQLite(t)
	fc := &fakeCluster{}
	h := newHub(t, st, func(c *Config) { c.Cluster, c.Sequencer = fc, fakeSequencer{st} })
	alice, bob := newUser(t, st, "alice"), newUser(t, st, "bob")
	rec := &recorder{}
	if _, err := h.Connect(context.Background(), bob, time.Time{}, rec, Resume{}); err != nil {
		t.Fatal(err)
	}
	general := h.def.id
	store := func(texts ...string) []chat.Message {
		var batch []chat.NewMessage
		for _, text := range texts {
			batch = append(batch, chat.NewMessage{RoomID: &general, Room: "general", SenderID: alice.ID,
				From: "alice", Text: text, SentAt: 1})
		}
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
	m := store("one", "two", "three", "four")
	h.Deliver(chat.Broadcast{Messages: m[:1], RoomPrev: map[int64]int64{general: 0}})
	// "two" is committed but never published; "three" says what came before.
	h.Deliver(chat.Broadcast{Messages: m[2:3], RoomPrev: map[int64]int64{general: m[1].ID}})
	h.Deliver(chat.Broadcast{Messages: m[2:3], RoomPrev: map[int64]int64{general: m[1].ID}}) // a duplicate
	// "four" is never published and nothing follows: a resync (a node left)
	// finds it.
	h.Resync()
	want := []int64{m[0].ID, m[1].ID, m[2].ID, m[3].ID}
	eventually(t, "four messages", func() bool { return len(messageIDs(t, rec)) >= 4 })
	time.Sleep(20 * time.Millisecond)
	if got := messageIDs(t, rec); !slices.Equal(got, want) {
		t.Errorf("bob got %v, want %v once each, in order", got, want)
	}
}

// TestClusterWritePathPublishesWithTurn checks what a node of several
// publishes: committed messages with the latest ids before them, and
// nothing delivered locally but through the broker.
func TestClusterWritePathPublishesWithTurn(t *testing.T) {
	st := storetest.OpenSQLite(t)
	fc := &fakeCluster{}
	h := newHub(t, st, func(c *Config) { c.Cluster, c.Sequencer = fc, fakeSequencer{st} })
	c, rec := connectRecorded(t, h, newUser(t, st, "alice"))
	h.Receive(context.Background(), c, []byte(`{"type":"send","id":"a","text":"first"}`), false)
	eventually(t, "published", func() bool { fc.mu.Lock(); defer fc.mu.Unlock(); return len(fc.published) == 1 })
	h.Receive(context.Background(), c, []byte(`{"type":"send","id":"b","text":"second"}`), false)
	eventually(t, "published", func() bool { fc.mu.Lock(); defer fc.mu.Unlock(); return len(fc.published) == 2 })
	fc.mu.Lock()
	first, second := fc.published[0], fc.published[1]
	fc.mu.Unlock()
	if first.RoomPrev[h.def.id] != 0 || second.RoomPrev[h.def.id] != first.Messages[0].ID {
		t.Errorf("RoomPrev %v then %v, want 0 then %d", first.RoomPrev, second.RoomPrev, first.Messages[0].ID)
	}
	if ids := messageIDs(t, rec); len(ids) != 0 {
		t.Errorf("delivered %v before the broker did", ids)
	}
	h.Deliver(first)
	h.Deliver(second)
	eventually(t, "both delivered", func() bool { return len(messageIDs(t, rec)) == 2 })
}

// TestClusterNodeCatchesUpPrivateMessagesOfANewUser: a node that has
// delivered no private message of bob yet (he just connected, or the node
// just started) must still notice one it never received. Another node
// committed it after bob's connection read his backlog and died before
// publishing it; the next private broadcast says what came before it.
func TestClusterNodeCatchesUpPrivateMessagesOfANewUser(t *testing.T) {
	st := storetest.OpenSQLite(t)
	fc := &fakeCluster{}
	h := newHub(t, st, func(c *Config) { c.Cluster, c.Sequencer = fc, fakeSequencer{st} })
	alice, bob := newUser(t, st, "alice"), newUser(t, st, "bob")
	private := func(text string) chat.Message {
		stored, err := st.AppendMessages(context.Background(), []chat.NewMessage{{SenderID: alice.ID, From: "alice",
			RecipientID: &bob.ID, To: "bob", Text: text, SentAt: 1, Delivered: true}})
		if err != nil {
			t.Fatal(err)
		}
		return stored[0].Message
	}
	earlier := private("read before bob connects") // in his history, not his backlog: delivered
	rec := &recorder{}
	if _, err := h.Connect(context.Background(), bob, time.Time{}, rec, Resume{}); err != nil {
		t.Fatal(err)
	}
	lost := private("committed, never published")
	next := private("published")
	h.Deliver(chat.Broadcast{Messages: []chat.Message{next},
		UserPrev: map[int64]int64{alice.ID: lost.ID, bob.ID: lost.ID}})
	want := []int64{lost.ID, next.ID}
	eventually(t, "a private message", func() bool { return len(messageIDs(t, rec)) >= 1 })
	time.Sleep(20 * time.Millisecond)
	if got := messageIDs(t, rec); !slices.Equal(got, want) {
		t.Errorf("bob got %v, want %v (and not %d, which he had before he connected)", got, want, earlier.ID)
	}
}

// TestClusterNodeCatchesUpPrivateMessagesBeforeRoomOnes: a private message
// another node committed and never published (it died) must reach bob
// before any room message with a higher id: his resume cursor, one last_id
// for both, would pass it otherwise, and a resume would skip it. Room
// broadcasts carry the latest private id committed before their turn.
func TestClusterNodeCatchesUpPrivateMessagesBeforeRoomOnes(t *testing.T) {
	st := storetest.OpenSQLite(t)
	fc := &fakeCluster{}
	h := newHub(t, st, func(c *Config) { c.Cluster, c.Sequencer = fc, fakeSequencer{st} })
	alice, bob := newUser(t, st, "alice"), newUser(t, st, "bob")
	rec := &recorder{}
	if _, err := h.Connect(context.Background(), bob, time.Time{}, rec, Resume{}); err != nil {
		t.Fatal(err)
	}
	general := h.def.id
	stored, err := st.AppendMessages(context.Background(), []chat.NewMessage{
		{SenderID: alice.ID, From: "alice", RecipientID: &bob.ID, To: "bob", Text: "lost", SentAt: 1, Delivered: true},
		{RoomID: &general, Room: "general", SenderID: alice.ID, From: "alice", Text: "room", SentAt: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	lost, room := stored[0].Message, stored[1].Message
	h.Deliver(chat.Broadcast{Messages: []chat.Message{room}, RoomPrev: map[int64]int64{general: 0}, PrivPrev: lost.ID})
	want := []int64{lost.ID, room.ID}
	eventually(t, "a message", func() bool { return len(messageIDs(t, rec)) >= 1 })
	time.Sleep(20 * time.Millisecond)
	if got := messageIDs(t, rec); !slices.Equal(got, want) {
		t.Errorf("bob got %v, want %v: the private message first", got, want)
	}
}

// TestClusterPrivateMessageReachesTheOtherPartyWhenTheSenderReconnects:
// alice's private message to bob is committed, and alice connects here
// (again) before its broadcast arrives. Her connection reads it in her
// backlog and starts tracking her private messages from it; bob, connected
// here all along, must still get it when the broadcast comes.
func TestClusterPrivateMessageReachesTheOtherPartyWhenTheSenderReconnects(t *testing.T) {
	st := storetest.OpenSQLite(t)
	fc := &fakeCluster{}
	h := newHub(t, st, func(c *Config) { c.Cluster, c.Sequencer = fc, fakeSequencer{st} })
	alice, bob := newUser(t, st, "alice"), newUser(t, st, "bob")
	recB := &recorder{}
	if _, err := h.Connect(context.Background(), bob, time.Time{}, recB, Resume{}); err != nil {
		t.Fatal(err)
	}
	stored, err := st.AppendMessages(context.Background(), []chat.NewMessage{{SenderID: alice.ID, From: "alice",
		RecipientID: &bob.ID, To: "bob", Text: "on its way", SentAt: 1, Delivered: true}})
	if err != nil {
		t.Fatal(err)
	}
	p := stored[0].Message
	recA := &recorder{}
	if _, err := h.Connect(context.Background(), alice, time.Time{}, recA, Resume{LastID: p.ID - 1, Room: "general"}); err != nil {
		t.Fatal(err)
	}
	h.Deliver(chat.Broadcast{Messages: []chat.Message{p}, UserPrev: map[int64]int64{alice.ID: 0, bob.ID: 0}, PrivPrev: 0})
	eventually(t, "bob's private message", func() bool { return len(messageIDs(t, recB)) >= 1 })
	time.Sleep(20 * time.Millisecond)
	if got := messageIDs(t, recB); !slices.Equal(got, []int64{p.ID}) {
		t.Errorf("bob got %v, want [%d]", got, p.ID)
	}
	if got := messageIDs(t, recA); !slices.Equal(got, []int64{p.ID}) {
		t.Errorf("alice got %v, want [%d] once (from her backlog)", got, p.ID)
	}
}
