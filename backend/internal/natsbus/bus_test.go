package natsbus

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/natsbus/natstest"
)

// natsURL returns the machine's NATS server (SALA_TEST_NATS_URL, else
// nats://127.0.0.1:4222) or skips; under CI=true it fails instead.
func natsURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("SALA_TEST_NATS_URL")
	if u == "" {
		u = "nats://127.0.0.1:4222"
	}
	nc, err := nats.Connect(u, nats.Timeout(2*time.Second))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no NATS server at %s: %v", u, err)
		}
		t.Skipf("no NATS server at %s (%v): start nats-server -js or set SALA_TEST_NATS_URL", u, err)
	}
	nc.Close()
	return u
}

// handler records what a bus reports.
type handler struct {
	mu        sync.Mutex
	delivered []chat.Broadcast
	notices   []chat.Notice
	created   []chat.LiveRoom
	deleted   []string
	resyncs   int
	presence  chat.NodePresence
}

func (h *handler) Deliver(b chat.Broadcast) {
	h.mu.Lock()
	h.delivered = append(h.delivered, b)
	h.mu.Unlock()
}
func (h *handler) Notify(n chat.Notice) { h.mu.Lock(); h.notices = append(h.notices, n); h.mu.Unlock() }
func (h *handler) RoomCreated(r chat.LiveRoom) {
	h.mu.Lock()
	h.created = append(h.created, r)
	h.mu.Unlock()
}
func (h *handler) RoomDeleted(name string, _ uint64) {
	h.mu.Lock()
	h.deleted = append(h.deleted, name)
	h.mu.Unlock()
}
func (h *handler) PeersChanged() {}
func (h *handler) Resync()       { h.mu.Lock(); h.resyncs++; h.mu.Unlock() }
func (h *handler) Lost(error)    {}
func (h *handler) LocalPresence() chat.NodePresence {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.presence
}

func (h *handler) check(t *testing.T, what string, ok func(h *handler) bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		h.mu.Lock()
		done := ok(h)
		h.mu.Unlock()
		if done {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// startBuses opens n buses of one test cluster.
func startBuses(t *testing.T, n int) ([]*Bus, []*handler) {
	t.Helper()
	url := natsURL(t)
	prefix := natstest.Prefix(t, url)
	var buses []*Bus
	var handlers []*handler
	for i := range n {
		bus, err := Open(context.Background(), Config{URL: url, Prefix: prefix, Node: fmt.Sprint("node", i),
			Heartbeat: 50 * time.Millisecond, PresenceTTL: 250 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		h := &handler{}
		if err := bus.Start(context.Background(), h); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { bus.Close() })
		buses, handlers = append(buses, bus), append(handlers, h)
	}
	return buses, handlers
}

func TestRegistry(t *testing.T) {
	buses, hs := startBuses(t, 2)
	ctx := context.Background()
	books, err := buses[0].CreateRoom(ctx, chat.LiveRoom{ID: 7, Name: "Books", OwnerID: 1, OwnerLogin: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := buses[1].CreateRoom(ctx, chat.LiveRoom{ID: 8, Name: "books"}); chat.ErrorCode(err) != chat.ERoomExists {
		t.Errorf("a second books on another node: %v", err)
	}
	hs[1].check(t, "books reported on node 1", func(h *handler) bool {
		return len(h.created) == 1 && h.created[0].ID == 7 && h.created[0].Revision == books.Revision
	})
	stale := books
	stale.Revision++ // not the registration of books
	if err := buses[1].DeleteRoom(ctx, stale); chat.ErrorCode(err) != chat.ERoomNotFound {
		t.Errorf("delete with a stale revision: %v", err)
	}
	if err := buses[1].DeleteRoom(ctx, books); err != nil {
		t.Fatal(err)
	}
	if err := buses[0].DeleteRoom(ctx, books); chat.ErrorCode(err) != chat.ERoomNotFound {
		t.Errorf("deleted twice: %v", err)
	}
	for _, h := range hs {
		h.check(t, "books deleted everywhere", func(h *handler) bool { return len(h.deleted) == 1 && h.deleted[0] == "books" })
	}
	if _, err := buses[1].CreateRoom(ctx, chat.LiveRoom{ID: 9, Name: "BOOKS"}); err != nil {
		t.Errorf("the name is free again: %v", err)
	}
}

func TestFanOutReachesEveryNodeInOrder(t *testing.T) {
	buses, hs := startBuses(t, 2)
	for i := range 50 {
		id := int64(i + 1)
		err := buses[i%2].Publish(context.Background(), chat.Broadcast{Messages: []chat.Message{{ID: id, Text: "x"}},
			Prev: id - 1})
		if err != nil {
			t.Fatal(err)
		}
	}
	buses[0].Announce(chat.Notice{RoomID: 1, Event: chat.Event{Kind: chat.EventUserJoined}})
	for i, h := range hs {
		h.check(t, "50 broadcasts", func(h *handler) bool { return len(h.delivered) == 50 })
		for j, b := range h.delivered {
			if b.Messages[0].ID != int64(j+1) || b.Node != fmt.Sprint("node", j%2) {
				t.Fatalf("node %d: broadcast %d is %+v", i, j, b)
			}
		}
	}
	hs[1].check(t, "the notice on the other node", func(h *handler) bool { return len(h.notices) == 1 })
	time.Sleep(50 * time.Millisecond)
	if len(hs[0].notices) != 0 {
		t.Error("a node got its own notice back")
	}
}

func TestChunksKeepMessagesAndPrev(t *testing.T) {
	big := make([]byte, 200<<10)
	var msgs []chat.Message
	for i := range 10 {
		msgs = append(msgs, chat.Message{ID: int64(i + 1), Text: string(big)})
	}
	parts := chunks(chat.Broadcast{Messages: msgs, Prev: 0})
	n := 0
	for _, p := range parts {
		if p.Prev != 0 || len(p.Messages) == 0 || len(p.Messages) > 3 {
			t.Errorf("part %+v", len(p.Messages))
		}
		for _, m := range p.Messages {
			n++
			if m.ID != int64(n) {
				t.Errorf("message %d in place %d", m.ID, n)
			}
		}
	}
	if n != 10 || len(parts) < 3 {
		t.Errorf("%d messages in %d parts", n, len(parts))
	}
}

func TestPresenceAndDeparture(t *testing.T) {
	buses, hs := startBuses(t, 3)
	for i, h := range hs {
		h.mu.Lock()
		// User 99 is in room 1 on every node: one person, however many nodes.
		h.presence = chat.NodePresence{Users: map[int64]chat.PresentUser{int64(i + 1): {Login: fmt.Sprint("u", i), Room: "general", Conns: 1}},
			People: map[int64][]int64{1: {int64(i + 1), 99}}}
		h.mu.Unlock()
		buses[i].PresenceChanged()
	}
	waitPeers := func(what string, bus *Bus, users int, people []int64) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if p := bus.Peers(); len(p.Users) == users && slices.Equal(p.People[1], people) {
				return
			}
		}
		t.Fatalf("%s: peers %+v", what, bus.Peers())
	}
	waitPeers("the two others", buses[0], 2, []int64{2, 3, 99})
	// Node 2 leaves cleanly: gone at once. Node 1 dies: gone after the TTL.
	buses[2].Close()
	waitPeers("node 2 left", buses[0], 1, []int64{2, 99})
	start := time.Now()
	buses[1].nc.Close() // no goodbye
	waitPeers("node 1 expired", buses[0], 0, nil)
	if took := time.Since(start); took < 200*time.Millisecond {
		t.Errorf("node 1 expired after %v, before its TTL", took)
	}
	hs[0].check(t, "a resync after a departure", func(h *handler) bool { return h.resyncs > 0 })
}
