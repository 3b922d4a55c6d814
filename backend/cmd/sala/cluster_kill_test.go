package main

import (
	"fmt"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/salachat/sala/backend/internal/natsbus"
	"github.com/salachat/sala/backend/internal/store/storetest"
)

// processCluster is three `sala serve` processes sharing a fresh
// PostgreSQL schema and a nats-server of the test's own.
type processCluster struct {
	nodes   []*serverProcess
	servers []*testServer
}

func startProcessCluster(t *testing.T, n int, env ...string) *processCluster {
	t.Helper()
	dbURL := storetest.PostgresURL(t)
	nats := startNATSServer(t, freeAddr(t))
	nats.wait(t)
	env = append([]string{"SALA_DATABASE_URL=" + dbURL, "SALA_NATS_URL=" + nats.url,
		"SALA_JWT_SECRET=cluster-test-secret-" + strings.Repeat("x", 32),
		"SALA_MSG_RATE=100000", "SALA_MAX_CONNS_PER_ADDR=0"}, env...)
	pc := &processCluster{}
	for range n {
		p := startProcess(t, "", append(env, "SALA_DATA_DIR="+t.TempDir())...)
		pc.nodes = append(pc.nodes, p)
		pc.servers = append(pc.servers, remoteServer(t, p.addr))
	}
	return pc
}

// messagesUntil collects the message envelopes c receives until one with
// text last.
func (c *wsClient) messagesUntil(last string) []envelope {
	c.t.Helper()
	var got []envelope
	for {
		e, err := c.waitFor(15*time.Second, func(e envelope) bool { return e.typ() == "message" })
		if err != nil {
			c.t.Fatalf("%s: waiting for %q: %v (after %d messages)", c.login, last, err, len(got))
		}
		got = append(got, e)
		if e.str("text") == last {
			return got
		}
	}
}

// TestClusterNodeKilled kills one of three nodes while a client on it chats:
// that client reconnects to another node and resumes; nothing acknowledged
// is lost or stored twice; the clients of the other nodes receive every
// stored message once, in id order, even those the dead node committed but
// never published; and the rooms of its users who do not come back vanish
// after the grace period.
func TestClusterNodeKilled(t *testing.T) {
	const grace = time.Second
	pc := startProcessCluster(t, 3, "SALA_ROOM_GRACE="+grace.String())
	s1, s2, s3 := pc.servers[0], pc.servers[1], pc.servers[2]
	alice, carol := s1.joinAt("alice"), s1.joinAt("carol")
	bob, dave, erin := s2.joinAt("bob"), s2.joinAt("dave"), s3.joinAt("erin")

	carol.say("c1", "#cR carols") // carol is on the node that dies and won't come back
	carol.next("joined carols", isType("joined", "room", "carols"))
	dave.next("carols created", isType("event", "room", "carols"))
	dave.say("c2", "#gR carols")
	dave.next("joined carols", isType("joined", "room", "carols"))

	started := make(chan struct{})
	result := make(chan map[string]bool)
	go func() { result <- chatUntilStopped(t, alice, started) }()
	<-started
	time.Sleep(50 * time.Millisecond)
	_ = pc.nodes[0].signal(syscall.SIGKILL)
	killed := time.Now()
	acked := <-result

	// alice's client reconnects to node 2 where she stopped reading.
	var lastSeen int64
	var seen []int64
	for _, e := range alice.pending() {
		if e.typ() == "message" {
			seen = append(seen, e.num("id"))
			lastSeen = max(lastSeen, e.num("id"))
		}
	}
	alice2 := s2.dial("alice", alice.token, fmt.Sprintf("last_id=%d&room=general", lastSeen))
	j := alice2.next("resumed", isType("joined", "room", "general"))
	for _, m := range j["history"].([]any) {
		seen = append(seen, int64(m.(map[string]any)["id"].(float64)))
	}
	alice2.say("after", "after the kill")
	// Its turn comes after the dead node's batch in flight, if any, has
	// committed: then what is stored is all there will be.
	alice2.next("ack after", isType("ack", "id", "after"))

	stored := s2.storedClientIDs(bob.token, "general")
	for id := range acked {
		if stored[id] != 1 {
			t.Errorf("acknowledged %s stored %d times", id, stored[id])
		}
	}
	delete(stored, "after")
	for _, c := range []*wsClient{bob, erin} {
		msgs := c.messagesUntil("after the kill")
		var ids []int64
		got := map[string]int{}
		for _, m := range msgs[:len(msgs)-1] {
			ids = append(ids, m.num("id"))
			got[m.str("client_id")]++
		}
		if !isIncreasing(ids) {
			t.Errorf("%s: ids not strictly increasing across the kill: %v", c.login, ids)
		}
		for id := range stored {
			if got[id] != 1 {
				t.Errorf("%s received stored message %s %d times", c.login, id, got[id])
			}
		}
		if len(got) != len(stored) {
			t.Errorf("%s received %d messages, %d are stored", c.login, len(got), len(stored))
		}
	}
	slices.Sort(seen)
	if n := len(slices.Compact(slices.Clone(seen))); n != len(stored) {
		t.Errorf("alice saw %d distinct messages before and after resuming, %d are stored", n, len(stored))
	}

	// carol's node is gone and she is not back: after the presence TTL and
	// the grace, her room goes, and dave on node 2 is moved out.
	dave.next("carols deleted", isType("event", "room", "carols"))
	dave.next("back in general", isType("joined", "room", "general"))
	if waited := time.Since(killed); waited < grace {
		t.Errorf("carols deleted %v after the kill, before the grace", waited)
	}
	eventually(t, "the dead node's connections no longer counted", func() error {
		if got := erin.roomCounts(); got["general"] != 4 || got["carols"] != 0 {
			return fmt.Errorf("erin sees %v; want general: bob, dave, erin, alice", got)
		}
		return nil
	})
	t.Logf("%d acknowledged before SIGKILL, %d stored; carols deleted %v after the kill",
		len(acked), len(stored), time.Since(killed).Round(10*time.Millisecond))
}

// TestClusterSurvivesBrokerRestart stops the NATS server under two nodes.
// Briefly: the clients stay connected, and what was stored meanwhile is
// broadcast once the broker is back. For longer than the presence TTL: the
// nodes send their clients away (1001), refuse new ones until the broker is
// back, and the clients resume there without loss.
func TestClusterSurvivesBrokerRestart(t *testing.T) {
	nats := startNATSServer(t, freeAddr(t))
	nats.wait(t)
	cl := startClusterOn(t, 2, nats.url, natsbus.Config{Heartbeat: 200 * time.Millisecond, PresenceTTL: 2 * time.Second}, nil)
	n1, n2 := cl.nodes[0], cl.nodes[1]
	alice, bob := n1.joinAt("alice"), n2.joinAt("bob")
	alice.say("m0", "before")
	bob.next("before", isType("message", "text", "before"))

	nats.kill()
	alice.say("m1", "during") // stored and acknowledged; its broadcast waits
	alice.next("ack", isType("ack", "id", "m1"))
	nats.start()
	nats.wait(t)
	bob.next("during, once the broker is back", isType("message", "text", "during"))
	alice.say("m2", "after")
	bob.next("after", isType("message", "text", "after"))

	nats.kill()
	for _, c := range []*wsClient{alice, bob} {
		if st := c.closeStatus(); st != websocket.StatusGoingAway {
			t.Errorf("%s closed with %d, want 1001 (reconnect)", c.login, st)
		}
	}
	nats.start()
	nats.wait(t)
	bob2, alice2 := n2.redial("bob", bob.token, "last_id=1&room=general"), n1.redial("alice", alice.token, "")
	alice2.say("m3", "back")
	bob2.next("back", isType("message", "text", "back"))
	stored := n2.storedClientIDs(bob.token, "general")
	if len(stored) != 4 || stored["m0"] != 1 || stored["m1"] != 1 || stored["m2"] != 1 || stored["m3"] != 1 {
		t.Errorf("stored %v", stored)
	}
}

// redial connects until the node takes the connection (it refuses them,
// closing with 1001, while it is cut off from the broker).
func (s *testServer) redial(login, token, query string) *wsClient {
	s.t.Helper()
	var c *wsClient
	eventually(s.t, login+" connects again", func() error {
		var err error
		if c, err = s.tryDial(login, token, query, nil); err != nil {
			return err
		}
		_, err = c.waitFor(2*time.Second, func(e envelope) bool { return e.typ() == "joined" })
		return err
	})
	return c
}

// TestClusterNodeDyingBeforeItPublishesKeepsTheOrder: node B acknowledges a
// room message and dies before publishing it (its link to the broker was
// cut first). A private message committed after it on node A must not
// reach anyone before it: a client's one resume cursor (last_id) would
// pass the room message for good.
func TestClusterNodeDyingBeforeItPublishesKeepsTheOrder(t *testing.T) {
	dbURL := storetest.PostgresURL(t)
	nats := startNATSServer(t, freeAddr(t))
	nats.wait(t)
	link := storetest.NewProxy(t, strings.TrimPrefix(nats.url, "nats://"))
	env := []string{"SALA_DATABASE_URL=" + dbURL, "SALA_JWT_SECRET=cluster-test-secret-" + strings.Repeat("x", 32),
		"SALA_MSG_RATE=100000", "SALA_MAX_CONNS_PER_ADDR=0"}
	a := startProcess(t, "", append(env, "SALA_NATS_URL="+nats.url, "SALA_DATA_DIR="+t.TempDir())...)
	b := startProcess(t, "", append(env, "SALA_NATS_URL=nats://"+link.Addr(), "SALA_DATA_DIR="+t.TempDir())...)
	sa, sb := remoteServer(t, a.addr), remoteServer(t, b.addr)
	carol, dave := sa.joinAt("carol"), sa.joinAt("dave")
	alice := sb.joinAt("alice")
	alice.say("m0", "before")
	carol.next("before", isType("message", "text", "before"))

	link.Cut()
	alice.say("m1", "committed, never published")
	m1 := alice.next("ack m1", isType("ack", "id", "m1")).num("message_id")
	_ = b.signal(syscall.SIGKILL)
	dave.say("p1", "#private carol after m1")
	p1 := dave.next("ack p1", isType("ack", "id", "p1")).num("message_id")

	first := carol.next("m1 or p1", func(e envelope) bool { return e.typ() == "message" || e.typ() == "private" })
	if first.num("id") != m1 {
		t.Errorf("carol got %s %d first, want the room message %d before the private %d", first.typ(), first.num("id"), m1, p1)
	}
}
