package main

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/salachat/sala/backend/internal/config"
)

// joinAt signs login up (on node s) and connects it, checking welcome and
// joined.
func (s *testServer) joinAt(login string) *wsClient {
	s.t.Helper()
	c := s.dial(login, s.signup(login), "")
	c.nextType("welcome")
	c.next("joined general", isType("joined", "room", "general"))
	return c
}

// TestClusterChat runs the chat over three nodes, one client on each: what
// one node's clients do, the others' see, exactly as on one node.
func TestClusterChat(t *testing.T) {
	cl := startCluster(t, 3, func(c *config.Config) { c.RoomGrace = 600 * time.Millisecond })
	n1, n2, n3 := cl.nodes[0], cl.nodes[1], cl.nodes[2]
	n2.signup("dave") // registered, never online
	alice, bob, carol := n1.joinAt("alice"), n2.joinAt("bob"), n3.joinAt("carol")

	t.Run("messages", func(t *testing.T) {
		for i := range 20 {
			alice.say(fmt.Sprint("a", i), fmt.Sprint("from alice ", i))
			bob.say(fmt.Sprint("b", i), fmt.Sprint("from bob ", i))
		}
		var orders [][]int64
		for _, c := range []*wsClient{alice, bob, carol} {
			var ids []int64
			for _, m := range c.messages(40) {
				ids = append(ids, m.num("id"))
			}
			if !slices.IsSorted(ids) || len(slices.Compact(slices.Clone(ids))) != 40 {
				t.Errorf("%s got ids %v: want 40 distinct, increasing", c.login, ids)
			}
			orders = append(orders, ids)
		}
		if !slices.Equal(orders[0], orders[1]) || !slices.Equal(orders[0], orders[2]) {
			t.Errorf("nodes delivered different orders:\n%v\n%v\n%v", orders[0], orders[1], orders[2])
		}
		for i := range 20 {
			alice.next("ack", isType("ack", "id", fmt.Sprint("a", i)))
		}
	})

	t.Run("rooms", func(t *testing.T) {
		alice.say("c1", "#cR books")
		for _, c := range []*wsClient{alice, bob, carol} {
			c.next("room_created on every node", isType("event", "kind", "room_created"))
		}
		alice.next("joined books", isType("joined", "room", "books"))
		carol.say("c2", "#cR BOOKS") // unique across nodes, ignoring case
		if e := carol.nextType("error"); e.str("code") != "room_exists" {
			t.Errorf("second books on another node: %v", e)
		}
		bob.say("c3", "#gR books")
		bob.next("joined books", isType("joined", "room", "books"))
		alice.next("bob joined, seen on alice's node", isType("event", "kind", "user_joined"))
		carol.say("c4", "#gR Books")
		carol.next("joined books", isType("joined", "room", "books"))
		// carol on a second device, on another node: still three people.
		carolPhone := n1.dial("carol", carol.token, "room=books")
		carolPhone.next("the phone in books", isType("joined", "room", "books"))
		eventually(t, "#lR counts people across nodes", func() error {
			if got := alice.roomCounts(); got["books"] != 3 || got["general"] != 0 {
				return fmt.Errorf("alice sees %v", got)
			}
			if got := n3.roomsOverREST(carol.token); got["books"] != 3 {
				return fmt.Errorf("GET /rooms on node 3: %v", got)
			}
			if got := n2.roomsOverREST(bob.token); got["books"] != 3 {
				return fmt.Errorf("GET /rooms on node 2: %v", got)
			}
			return nil
		})
		carolPhone.conn.Close(websocket.StatusNormalClosure, "")
		bob.say("m1", "in books")
		for _, c := range []*wsClient{alice, bob, carol} {
			if m := c.nextType("message"); m.str("room") != "books" || m.str("text") != "in books" {
				t.Errorf("%s: %v", c.login, m)
			}
		}
		bob.say("d1", "#dR books")
		if e := bob.nextType("error"); e.str("code") != "not_room_owner" {
			t.Errorf("non-owner delete: %v", e)
		}
		alice.say("d2", "#dR books") // node 1 deletes; nodes 2 and 3 move their members
		for _, c := range []*wsClient{alice, bob, carol} {
			c.next("room_deleted", isType("event", "kind", "room_deleted"))
			c.next("back in general", isType("joined", "room", "general"))
		}
		carol.say("c5", "#cR books") // the name is free again, cluster-wide
		carol.next("joined the new books", isType("joined", "room", "books"))
		carol.say("c6", "#eR")
		carol.next("general", isType("joined", "room", "general"))
	})

	t.Run("one name, two nodes at once", func(t *testing.T) {
		var wg sync.WaitGroup
		for i, c := range []*wsClient{alice, bob} {
			wg.Go(func() { c.say(fmt.Sprint("race", i), "#cR contested") })
		}
		wg.Wait()
		won := 0
		for _, c := range []*wsClient{alice, bob} {
			e := c.next("an answer", func(e envelope) bool {
				return e.typ() == "error" || (e.typ() == "joined" && e.str("room") == "contested")
			})
			if e.typ() == "joined" {
				won++
				c.say("back", "#eR")
				c.next("general", isType("joined", "room", "general"))
			} else if e.str("code") != "room_exists" {
				t.Errorf("%s: %v", c.login, e)
			}
		}
		if won != 1 {
			t.Errorf("%d nodes created the same room", won)
		}
	})

	t.Run("users", func(t *testing.T) {
		eventually(t, "#show users across nodes", func() error {
			carol.drop("users")
			carol.say("u1", "#show users")
			users := map[string]envelope{}
			for _, u := range carol.nextType("users")["users"].([]any) {
				users[u.(map[string]any)["login"].(string)] = u.(map[string]any)
			}
			for _, login := range []string{"alice", "bob", "carol"} {
				if users[login]["online"] != true || users[login]["room"] != "general" {
					return fmt.Errorf("%s: %v", login, users[login])
				}
			}
			if users["dave"]["online"] != false {
				return fmt.Errorf("dave: %v", users["dave"])
			}
			var rest struct {
				Users []struct{ Login, Room string }
			}
			n2.request("GET", "/api/v1/users", bob.token, nil).json(t, &rest)
			for _, u := range rest.Users {
				if u.Login == "alice" && u.Room != "general" {
					return fmt.Errorf("GET /users on node 2: alice in %q", u.Room)
				}
			}
			return nil
		})
	})

	t.Run("private", func(t *testing.T) {
		alice.say("p1", `#\private carol between nodes 1 and 3`)
		if p := carol.nextType("private"); p.str("from") != "alice" || p.str("text") != "between nodes 1 and 3" {
			t.Errorf("carol got %v", p)
		}
		alice.next("ack", isType("ack", "id", "p1"))
		alice.nextType("private") // the sender's own copy
		alice.say("m", "marker")
		bob.next("marker", isType("message", "text", "marker"))
		if slices.ContainsFunc(bob.pending(), func(e envelope) bool { return e.typ() == "private" }) {
			t.Error("bob received a private message")
		}
		// dave is offline: he gets it when he connects, to any node.
		alice.say("p2", "#private dave read this later")
		alice.next("ack", isType("ack", "id", "p2"))
		r := n3.request("POST", "/api/v1/auth/login", "", map[string]any{"login": "dave", "password": "password-dave"})
		var login struct{ Token string }
		r.json(t, &login)
		dave := n3.dial("dave", login.Token, "")
		if p := dave.nextType("private"); p.str("text") != "read this later" {
			t.Errorf("dave got %v", p)
		}
		dave.conn.Close(websocket.StatusNormalClosure, "")
	})

	t.Run("lifetime", func(t *testing.T) {
		// The owner's network drops on node 1: the room outlives the grace,
		// then its member on node 2 is moved out.
		alice.say("l1", "#cR r2")
		alice.next("joined r2", isType("joined", "room", "r2"))
		bob.next("r2 created", isType("event", "room", "r2"))
		bob.say("l2", "#gR r2")
		bob.next("joined r2", isType("joined", "room", "r2"))
		alice.raw.Close()
		start := time.Now()
		bob.next("r2 deleted", isType("event", "room", "r2"))
		bob.next("back in general", isType("joined", "room", "general"))
		if waited := time.Since(start); waited < 400*time.Millisecond {
			t.Errorf("r2 deleted after %v, before the grace", waited)
		}
		// The owner comes back on another node within the grace: it stays.
		alice = n2.dial("alice", alice.token, "")
		alice.say("l3", "#cR r3")
		alice.next("joined r3", isType("joined", "room", "r3"))
		alice.raw.Close()
		alice = n3.dial("alice", alice.token, "")
		alice.nextType("welcome")
		time.Sleep(1200 * time.Millisecond)
		carol.drop("event")
		carol.say("l4", "#gR r3")
		carol.next("r3 still live", isType("joined", "room", "r3"))
		// #exit on node 3 deletes it for its member on node 3 and everyone.
		alice.say("l5", "#exit")
		if st := alice.closeStatus(); st != websocket.StatusNormalClosure {
			t.Errorf("#exit closed with %d", st)
		}
		carol.next("r3 deleted", isType("event", "room", "r3"))
		carol.next("back in general", isType("joined", "room", "general"))
		bob.next("r3 deleted on node 2 too", isType("event", "room", "r3"))
	})
}

// roomsOverREST returns the members of each room as GET /rooms lists them.
func (s *testServer) roomsOverREST(token string) map[string]int {
	var out struct {
		Rooms []struct {
			Name    string
			Members int
		}
	}
	r := s.request("GET", "/api/v1/rooms", token, nil)
	if r.status != http.StatusOK {
		s.t.Fatalf("GET /rooms: %d %s", r.status, r.body)
	}
	r.json(s.t, &out)
	counts := map[string]int{}
	for _, room := range out.Rooms {
		counts[room.Name] = room.Members
	}
	return counts
}

// TestClusterOrderUnderConcurrentCommits has two nodes commit into one room
// as fast as they can, and a private message now and then, while observers
// on a third node check that everything reaches them once and in id order:
// each room's messages, and a client's room and private messages together.
func TestClusterOrderUnderConcurrentCommits(t *testing.T) {
	cl := startCluster(t, 3, nil)
	const senders, each = 6, 200
	var writers []*wsClient
	for i := range senders {
		writers = append(writers, cl.nodes[i%2].joinAt(fmt.Sprint("writer", i)))
	}
	var observers []*wsClient
	for i := range 3 {
		observers = append(observers, cl.nodes[2].joinAt(fmt.Sprint("observer", i)))
	}
	var wg sync.WaitGroup
	for i, w := range writers {
		wg.Go(func() {
			for j := range each {
				text := fmt.Sprintf("w%d m%d", i, j)
				if j%10 == 0 {
					text = fmt.Sprintf("#private observer%d w%d p%d", j/10%3, i, j)
				}
				raw := fmt.Sprintf(`{"type":"send","id":"w%d-%d","text":%q}`, i, j, text)
				if err := w.trySend(websocket.MessageText, []byte(raw)); err != nil {
					t.Errorf("writer %d: %v", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	acked := map[int64]bool{}
	for i, w := range writers {
		for j := range each {
			acked[w.next("ack", isType("ack", "id", fmt.Sprintf("w%d-%d", i, j))).num("message_id")] = true
		}
	}
	for k, o := range observers {
		var room, all []int64
		want := senders * each * 9 / 10
		for j := 0; j < each; j += 10 {
			if j/10%3 == k {
				want += senders // a private message from each writer
			}
		}
		for len(all) < want {
			e := o.next("messages", func(e envelope) bool { return e.typ() == "message" || e.typ() == "private" })
			if e.typ() == "message" {
				room = append(room, e.num("id"))
			}
			all = append(all, e.num("id"))
		}
		if !slices.IsSorted(room) || len(slices.Compact(slices.Clone(room))) != len(room) {
			t.Errorf("%s: room ids not strictly increasing: %v", o.login, room)
		}
		if !isIncreasing(all) {
			t.Errorf("%s: room and private ids interleaved out of order: %v", o.login, all)
		}
		for _, id := range room {
			if !acked[id] {
				t.Errorf("%s got %d, which nobody was acknowledged", o.login, id)
			}
		}
	}
	t.Logf("%d messages from 2 nodes, %d acks, observers saw one order", senders*each, len(acked))
	if len(acked) != senders*each || len(slices.Collect(maps.Keys(acked))) != senders*each {
		t.Errorf("%d distinct acks, want %d", len(acked), senders*each)
	}
}

func isIncreasing(ids []int64) bool {
	for i := 1; i < len(ids); i++ {
		if ids[i] <= ids[i-1] {
			return false
		}
	}
	return true
}
