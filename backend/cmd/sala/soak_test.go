package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// TestSoak runs connections chatting in rooms of ten while some drop their
// network and resume, and others churn rooms; then checks that no member
// lost or got twice any message of its room, and that the server's
// goroutines and heap come back to where they started once everyone left.
// `make test` runs a short one; `make soak` runs SALA_SOAK=5m with 2000
// connections (SALA_SOAK_CONNS).
func TestSoak(t *testing.T) {
	duration, conns := 4*time.Second, 60
	long := os.Getenv("SALA_SOAK") != ""
	if v := os.Getenv("SALA_SOAK"); long {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("SALA_SOAK=%q: %v", v, err)
		}
		duration = d
	}
	if v := os.Getenv("SALA_SOAK_CONNS"); v != "" {
		conns, _ = strconv.Atoi(v)
	}
	// The server runs as its own process, so its goroutines, heap and RSS
	// (read from its /metrics) are its own and not the test clients'.
	p := startProcess(t, "", "SALA_DATA_DIR="+t.TempDir(), "SALA_MSG_RATE=1000:1000", "SALA_MAX_CONNS_PER_ADDR=0")
	s := remoteServer(t, p.addr)
	base := s.snapshot()

	// One account per room of ten: members of a room are devices of users
	// spread over the rooms, so signups (argon2id) stay few.
	rooms := conns / 10
	tokens := make([]string, rooms)
	var wg sync.WaitGroup
	for i := range rooms {
		wg.Add(1)
		go func() { defer wg.Done(); tokens[i] = s.signupQuiet(fmt.Sprintf("soak%04d", i)) }()
	}
	wg.Wait()
	members := make([][]*soakMember, rooms)
	for r := range rooms {
		room := fmt.Sprintf("room%04d", r)
		for m := range 10 {
			sm := &soakMember{s: s, token: tokens[(r+m)%rooms], room: room, login: fmt.Sprintf("soak%04d", (r+m)%rooms)}
			sm.connect(m == 0)
			members[r] = append(members[r], sm)
		}
	}
	t.Logf("%d connections in %d rooms; running %v", conns, rooms, duration)

	stop := make(chan struct{})
	var running sync.WaitGroup
	for _, ms := range members {
		for _, m := range ms {
			running.Add(1)
			go func() { defer running.Done(); m.chat(stop) }()
		}
	}
	running.Add(1)
	go func() { defer running.Done(); churnRooms(s, tokens[0], stop) }()
	mid := time.Now().Add(duration / 2)
	time.Sleep(time.Until(mid))
	half := s.snapshot()
	time.Sleep(duration / 2)
	close(stop)
	running.Wait()
	time.Sleep(3 * time.Second) // let the last messages arrive

	var sent, received int
	for _, ms := range members {
		for _, m := range ms {
			sent += m.sent
			received += m.check(t)
		}
	}
	for _, ms := range members {
		for _, m := range ms {
			m.c.conn.Close(websocket.StatusNormalClosure, "")
		}
	}
	var end snapshot
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		if end = s.snapshot(); end.connections == 0 && end.goroutines <= base.goroutines+10 {
			break
		}
	}
	t.Logf("messages sent %d, room messages checked %d", sent, received)
	if end.connections != 0 || end.goroutines > base.goroutines+10 {
		t.Errorf("leak: %v connections and %v goroutines after everyone left (%v at start)", end.connections, end.goroutines, base.goroutines)
	}
	// The live heap is measured by each GC, and an idle server collects at
	// least every two minutes. The first GC after everyone left still finds
	// the sync.Pool victim caches (net/http's and the WebSocket's buffers)
	// alive; the second frees them. The long soak waits for two and judges
	// the heap; the short one in make test reports what it has.
	gcs := end.gcCycles
	for deadline := time.Now().Add(300 * time.Second); long && end.gcCycles < gcs+2 && time.Now().Before(deadline); time.Sleep(2 * time.Second) {
		end = s.snapshot()
	}
	t.Logf("server: connections %v → %v (mid) → %v; goroutines %v → %v → %v; live heap %.1f → %.1f → %.1f MiB; RSS %.1f → %.1f → %.1f MiB",
		base.connections, half.connections, end.connections, base.goroutines, half.goroutines, end.goroutines,
		base.liveMiB, half.liveMiB, end.liveMiB, base.rssMiB, half.rssMiB, end.rssMiB)
	if long && end.liveMiB > base.liveMiB+32 {
		t.Errorf("live heap grew from %.1f to %.1f MiB after everyone left", base.liveMiB, end.liveMiB)
	}
}

// snapshot is the server's state as its /metrics tells it.
type snapshot struct {
	connections, goroutines, gcCycles float64
	liveMiB, rssMiB                   float64
}

func (s *testServer) snapshot() snapshot {
	return snapshot{
		connections: s.metric("sala_connections"),
		goroutines:  s.metric("go_goroutines"),
		gcCycles:    s.metric("go_gc_cycles_total_gc_cycles_total"),
		liveMiB:     s.metric("go_gc_heap_live_bytes") / (1 << 20),
		rssMiB:      s.metric("process_resident_memory_bytes") / (1 << 20),
	}
}

// signupQuiet signs up without validating (the soak's many signups).
func (s *testServer) signupQuiet(login string) string { return s.signup(login) }

// soakMember is one connection of the soak: it chats in its room and now
// and then loses its network and resumes.
type soakMember struct {
	s     *testServer
	c     *wsClient
	login string
	token string
	room  string
	sent  int
	seen  []int64  // ids of room messages received, in arrival order, across reconnects
	first int64    // the id from which this member must have everything
	trail []string // what happened, for the failure message
	err   error    // the last reconnect failure
}

func (m *soakMember) connect(create bool) {
	m.c = m.s.dial(m.login, m.token, "")
	m.c.nextType("joined")
	cmd := "#gR " + m.room
	if create {
		cmd = "#cR " + m.room
	}
	for {
		m.c.say("j", cmd)
		e := m.c.next("joined or error", func(e envelope) bool { return e.typ() == "joined" || e.typ() == "error" })
		if e.typ() == "joined" {
			return
		}
		time.Sleep(20 * time.Millisecond) // the owner has not created the room yet
	}
}

func (m *soakMember) chat(stop <-chan struct{}) {
	tick := time.NewTicker(time.Duration(1500+rand.IntN(1000)) * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-stop:
			m.collect()
			return
		case <-tick.C:
		}
		m.collect()
		m.c.mu.Lock()
		closed := m.c.closed // the server closed it (e.g. 4000 when this client fell behind)
		m.c.mu.Unlock()
		if closed != nil || (rand.IntN(20) == 0 && len(m.seen) > 0) { // or the network drops
			m.c.raw.Close()
			if !m.resume() {
				return
			}
			continue
		}
		raw := fmt.Sprintf(`{"type":"send","id":"%s-%p-%d","text":"soak %d"}`, m.login, m, i, i)
		if m.c.trySend(websocket.MessageText, []byte(raw)) == nil {
			m.sent++
		}
	}
}

// resume reconnects where the member stopped, as a client does after a
// drop, retrying while the server is busy. It reports false (and the
// member stops) when the server can't be reached for long.
func (m *soakMember) resume() bool {
	var last int64
	if len(m.seen) > 0 {
		last = slices.Max(m.seen)
	}
	m.trail = append(m.trail, fmt.Sprintf("resume after %d", last))
	for attempt := range 5 {
		c, err := m.s.tryDial(m.login, m.token, fmt.Sprintf("last_id=%d&room=%s", last, m.room), nil)
		if err == nil {
			m.c = c
			return true
		}
		m.err = err
		time.Sleep(time.Duration(attempt+1) * time.Second)
	}
	return false
}

// collect moves the room messages received so far into seen.
func (m *soakMember) collect() {
	m.c.mu.Lock()
	defer m.c.mu.Unlock()
	keep := m.c.buf[:0]
	for _, e := range m.c.buf {
		switch {
		case e.typ() == "joined" && e.str("room") == m.room:
			m.trail = append(m.trail, fmt.Sprintf("joined resumed=%v with %d", e["resumed"], len(e["history"].([]any))))
			for _, h := range e["history"].([]any) {
				id := int64(h.(map[string]any)["id"].(float64))
				if m.first == 0 && e["resumed"] != true {
					m.first = id
				}
				m.seen = append(m.seen, id)
			}
		case e.typ() == "message" && e.str("room") == m.room:
			if m.first == 0 {
				m.first = e.num("id")
			}
			m.seen = append(m.seen, e.num("id"))
			m.trail = append(m.trail, fmt.Sprint(e.num("id")))
		case e.typ() == "message" || e.typ() == "joined" || e.typ() == "ack" || e.typ() == "event" ||
			e.typ() == "rooms" || e.typ() == "welcome":
		default:
			keep = append(keep, e)
		}
	}
	m.c.buf = keep
}

// check compares what the member saw with the room's stored history from
// its first message on: every message once, in id order.
func (m *soakMember) check(t *testing.T) int {
	m.collect()
	m.c.mu.Lock()
	gone := m.c.closed != nil
	m.c.mu.Unlock()
	if m.err != nil && gone {
		t.Errorf("%s in %s could not reconnect: %v", m.login, m.room, m.err)
		return 0
	}
	if m.first == 0 {
		return 0
	}
	var want []int64
	before := ""
	for {
		var page struct {
			Messages []struct{ ID int64 }
			HasMore  bool `json:"has_more"`
		}
		m.s.request("GET", "/api/v1/rooms/"+m.room+"/messages?limit=200"+before, m.token, nil).json(t, &page)
		for _, msg := range page.Messages {
			if msg.ID >= m.first {
				want = append(want, msg.ID)
			}
		}
		if !page.HasMore || len(page.Messages) == 0 || page.Messages[len(page.Messages)-1].ID < m.first {
			break
		}
		before = fmt.Sprintf("&before=%d", page.Messages[len(page.Messages)-1].ID)
	}
	slices.Reverse(want)
	if !slices.Equal(m.seen, want) {
		t.Errorf("%s in %s saw %d messages, the room has %d from id %d on\nseen %v\nwant %v\ntrail %v",
			m.login, m.room, len(m.seen), len(want), m.first, m.seen, want, m.trail)
	}
	return len(m.seen)
}

// churnRooms creates and deletes short-lived rooms until stopped.
func churnRooms(s *testServer, token string, stop <-chan struct{}) {
	c := s.dial("soak0000", token, "")
	for i := 0; ; i++ {
		select {
		case <-stop:
			c.conn.Close(websocket.StatusNormalClosure, "")
			return
		default:
		}
		name := fmt.Sprintf("tmp%d", i)
		_ = c.trySend(websocket.MessageText, []byte(fmt.Sprintf(`{"type":"send","id":"c%d","text":"#cR %s"}`, i, name)))
		time.Sleep(50 * time.Millisecond)
		_ = c.trySend(websocket.MessageText, []byte(fmt.Sprintf(`{"type":"send","id":"d%d","text":"#dR %s"}`, i, name)))
		time.Sleep(50 * time.Millisecond)
		c.mu.Lock()
		c.buf = nil
		c.mu.Unlock()
	}
}
