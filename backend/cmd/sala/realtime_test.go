package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/salachat/sala/backend/internal/config"
	"github.com/salachat/sala/backend/internal/store/storetest"
)

// join signs each login up, connects it, and checks welcome and joined.
func (s *testServer) join(logins ...string) []*wsClient {
	s.t.Helper()
	var out []*wsClient
	for _, login := range logins {
		c := s.dial(login, s.signup(login), "")
		w := c.nextType("welcome")
		if w.str("room") != "general" {
			s.t.Fatalf("%s landed in %q", login, w.str("room"))
		}
		c.next("joined general", isType("joined", "room", "general"))
		out = append(out, c)
	}
	return out
}

// messagesOf waits for n message envelopes and returns them in arrival order.
func (c *wsClient) messages(n int) []envelope {
	c.t.Helper()
	var got []envelope
	for range n {
		got = append(got, c.nextType("message"))
	}
	return got
}

func TestRealtimeChat(t *testing.T) {
	storetest.WithAllDatabaseURLs(t, func(t *testing.T, dbURL, dataDir string) {
		s := startServer(t, dbURL, dataDir)
		cs := s.join("alice", "bob", "carol")
		alice, bob := cs[0], cs[1]
		for i := range 20 {
			alice.say(fmt.Sprint("a", i), fmt.Sprint("from alice ", i))
			bob.say(fmt.Sprint("b", i), fmt.Sprint("from bob ", i))
		}
		var orders [][]int64
		for _, c := range cs {
			msgs := c.messages(40)
			var ids []int64
			for _, m := range msgs {
				ids = append(ids, m.num("id"))
				if m.str("room") != "general" || !strings.HasPrefix(m.str("text"), "from "+m.str("from")) {
					t.Errorf("%s got %v", c.login, m)
				}
			}
			if !slices.IsSorted(ids) {
				t.Errorf("%s got ids out of order: %v", c.login, ids)
			}
			orders = append(orders, ids)
		}
		if !slices.Equal(orders[0], orders[1]) || !slices.Equal(orders[0], orders[2]) {
			t.Errorf("clients saw different orders:\n%v\n%v\n%v", orders[0], orders[1], orders[2])
		}
		// Every send is acknowledged with the id it got.
		for i := range 20 {
			ack := alice.next("ack", isType("ack", "id", fmt.Sprint("a", i)))
			if !slices.Contains(orders[0], ack.num("message_id")) {
				t.Errorf("ack %v names a message nobody received", ack)
			}
		}
	})
}

func TestRoomCommands(t *testing.T) {
	s := startServer(t, "", t.TempDir())
	s.signup("dave") // registered, never online
	cs := s.join("alice", "bob", "carol")
	alice, bob, carol := cs[0], cs[1], cs[2]

	alice.say("c1", "#cR books")
	for _, c := range cs {
		c.next("room_created", isType("event", "kind", "room_created"))
	}
	if j := alice.nextType("joined"); j.str("room") != "books" || len(j["history"].([]any)) != 0 {
		t.Fatalf("create: %v", j)
	}
	bob.drop("rooms")
	bob.say("c2", "#lR")
	counts := map[string]float64{}
	for _, r := range bob.nextType("rooms")["rooms"].([]any) {
		room := r.(map[string]any)
		counts[room["name"].(string)] = room["members"].(float64)
	}
	if counts["general"] != 2 || counts["books"] != 1 {
		t.Errorf("#lR counts: %v", counts)
	}
	bob.say("c3", "#IR") // the capital-i spelling lists too
	bob.nextType("rooms")

	bob.say("c4", "#gR nowhere")
	if e := bob.nextType("error"); e.str("code") != "room_not_found" || e.str("id") != "c4" {
		t.Errorf("join missing room: %v", e)
	}
	bob.say("c5", "#gR books")
	bob.next("joined books", isType("joined", "room", "books"))
	alice.next("bob joined", isType("event", "kind", "user_joined"))
	carol.say("c6", "#gR BOOKS") // names match ignoring case
	carol.next("joined books", isType("joined", "room", "books"))

	bob.say("m1", "in books")
	for _, c := range cs {
		if m := c.nextType("message"); m.str("room") != "books" || m.str("from") != "bob" {
			t.Errorf("%s: %v", c.login, m)
		}
	}

	carol.say("c7", "#eR")
	carol.next("joined general", isType("joined", "room", "general"))
	carol.say("c8", "#eR") // already there: nothing happens
	carol.say("c9", "#help")
	carol.nextType("help")
	if slices.ContainsFunc(carol.pending(), func(e envelope) bool { return e.typ() == "joined" }) {
		t.Error("#eR in the default room sent joined")
	}

	bob.say("d1", "#dR books")
	if e := bob.nextType("error"); e.str("code") != "not_room_owner" {
		t.Errorf("non-owner delete: %v", e)
	}
	bob.say("d2", "#dR general")
	if e := bob.nextType("error"); e.str("code") != "cannot_delete_default" {
		t.Errorf("delete default: %v", e)
	}
	alice.say("d3", "#dR books")
	for _, c := range cs {
		c.next("room_deleted", isType("event", "kind", "room_deleted"))
	}
	alice.next("alice back in general", isType("joined", "room", "general"))
	bob.next("bob back in general", isType("joined", "room", "general"))

	alice.say("u1", "#show users")
	users := map[string]map[string]any{}
	for _, u := range alice.nextType("users")["users"].([]any) {
		users[u.(map[string]any)["login"].(string)] = u.(map[string]any)
	}
	if len(users) != 4 || users["dave"]["online"] != false || users["alice"]["online"] != true || users["alice"]["room"] != "general" {
		t.Errorf("#show users: %v", users)
	}

	for text, code := range map[string]string{"#nope": "unknown_command", "#cR": "invalid_command",
		"#cR bad!name": "invalid_room_name", "#cR GENERAL": "room_exists", "#private": "invalid_command",
		"#show": "invalid_command", "#gR a b": "invalid_command"} {
		alice.say("e", text)
		if e := alice.nextType("error"); e.str("code") != code {
			t.Errorf("%q: got %v, want %s", text, e, code)
		}
	}

	alice.say("x", "#exit")
	if st := alice.closeStatus(); st != websocket.StatusNormalClosure {
		t.Errorf("#exit closed with %d, want 1000", st)
	}
	bob.say("still", "still here")
	carol.nextType("message")
}

func TestRoomLifetime(t *testing.T) {
	s := startServer(t, "", t.TempDir(), withConfig(func(c *config.Config) { c.RoomGrace = 400 * time.Millisecond }))
	cs := s.join("alice", "bob")
	alice, bob := cs[0], cs[1]

	// The creator leaves with #exit: the room goes at once.
	alice.say("1", "#cR r1")
	alice.next("joined r1", isType("joined", "room", "r1"))
	bob.say("2", "#gR r1")
	bob.next("joined r1", isType("joined", "room", "r1"))
	bob.drop("event")
	alice.say("3", "#exit")
	bob.next("r1 deleted", isType("event", "room", "r1"))
	bob.next("back to general", isType("joined", "room", "general"))
	// alice went away from r1: she never joined general on the way out.
	bob.say("3b", "marker")
	bob.next("marker", isType("message", "text", "marker"))
	for _, e := range bob.pending() {
		if e.typ() == "event" && e.str("user") == "alice" && e.str("room") == "general" {
			t.Errorf("bob heard %v as alice left with #exit; all: %v", e, bob.pending())
		}
	}

	// The creator's network drops: the room survives the grace, then goes.
	alice = s.dial("alice", alice.token, "")
	alice.say("4", "#cR r2")
	alice.next("joined r2", isType("joined", "room", "r2"))
	bob.say("5", "#gR r2")
	bob.next("joined r2", isType("joined", "room", "r2"))
	alice.raw.Close()
	time.Sleep(100 * time.Millisecond)
	bob.drop("rooms")
	bob.say("6", "#lR")
	if rooms := fmt.Sprint(bob.nextType("rooms")["rooms"]); !strings.Contains(rooms, "r2") {
		t.Errorf("r2 gone before the grace: %s", rooms)
	}
	start := time.Now()
	bob.next("r2 deleted", isType("event", "room", "r2"))
	bob.next("back to general", isType("joined", "room", "general"))
	if waited := time.Since(start); waited < 200*time.Millisecond {
		t.Errorf("r2 deleted after %v, before the grace", waited)
	}

	// The creator comes back within the grace: the room stays.
	alice = s.dial("alice", alice.token, "")
	alice.say("7", "#cR r3")
	alice.next("joined r3", isType("joined", "room", "r3"))
	alice.raw.Close()
	s.dial("alice", alice.token, "")
	time.Sleep(800 * time.Millisecond)
	bob.say("8", "#gR r3")
	bob.next("r3 still live", isType("joined", "room", "r3"))
}

func TestPrivateMessages(t *testing.T) {
	s := startServer(t, "", t.TempDir())
	daveToken := s.signup("dave")
	cs := s.join("alice", "bob", "carol")
	alice, bob, carol := cs[0], cs[1], cs[2]

	alice.say("p1", `#\private bob just between us`)
	p := bob.nextType("private")
	if p.str("from") != "alice" || p.str("to") != "bob" || p.str("text") != "just between us" {
		t.Errorf("bob got %v", p)
	}
	alice.next("ack", isType("ack", "id", "p1"))
	alice.nextType("private") // the sender's own copy, for its other devices
	alice.say("p2", "#private BOB second")
	bob.next("second", isType("private", "text", "second"))
	alice.say("p3", "#private nobody hello?")
	if e := alice.nextType("error"); e.str("code") != "user_not_found" {
		t.Errorf("unknown recipient: %v", e)
	}
	alice.say("m", "marker")
	carol.next("marker", isType("message", "text", "marker"))
	if slices.ContainsFunc(carol.pending(), func(e envelope) bool { return e.typ() == "private" }) {
		t.Error("carol received a private message")
	}

	// Offline delivery: dave gets it on connect, once.
	alice.say("p4", "#private dave read this later")
	alice.next("ack", isType("ack", "id", "p4"))
	dave := s.dial("dave", daveToken, "")
	dave.nextType("welcome")
	dave.nextType("joined")
	later := dave.nextType("private")
	if later.str("text") != "read this later" {
		t.Errorf("dave got %v", later)
	}
	// Until a receipt says it was shown, it comes again on a new connection.
	dave.conn.Close(websocket.StatusNormalClosure, "")
	dave = s.dial("dave", daveToken, "")
	dave.nextType("joined")
	dave.next("again, no receipt yet", isType("private", "text", "read this later"))
	dave.send(map[string]any{"type": "receipt", "last_id": later.num("id")})
	dave.conn.Close(websocket.StatusNormalClosure, "")
	dave = s.dial("dave", daveToken, "")
	dave.nextType("joined")
	alice.say("m2", "marker 2")
	dave.next("marker 2", isType("message", "text", "marker 2"))
	if slices.ContainsFunc(dave.pending(), func(e envelope) bool { return e.typ() == "private" }) {
		t.Error("dave got the private message again after his receipt")
	}
}

func TestHistoryAcrossRestart(t *testing.T) {
	storetest.WithAllDatabaseURLs(t, func(t *testing.T, dbURL, dataDir string) {
		s := startServer(t, dbURL, dataDir)
		alice := s.join("alice")[0]
		for i := range 3 {
			alice.say(fmt.Sprint(i), fmt.Sprint("kept ", i))
			alice.next("ack", isType("ack", "id", fmt.Sprint(i)))
		}
		alice.say("r", "#cR old")
		alice.next("joined old", isType("joined", "room", "old"))
		alice.say("o", "in the old room")
		alice.next("ack", isType("ack", "id", "o"))

		s.restart()
		bob := s.dial("bob", s.signup("bob"), "")
		j := bob.nextType("joined")
		var texts []string
		for _, m := range j["history"].([]any) {
			texts = append(texts, m.(map[string]any)["text"].(string))
		}
		if !slices.Equal(texts, []string{"kept 0", "kept 1", "kept 2"}) {
			t.Errorf("history after restart: %v", texts)
		}
		bob.say("c", "#gR old") // the room outlives the restart, with its history
		if j := bob.next("joined old", isType("joined", "room", "old")); len(j["history"].([]any)) != 1 {
			t.Errorf("the old room's history after the restart: %v", j["history"])
		}
	})
}

func TestResumeAfterCutConnection(t *testing.T) {
	storetest.WithAllDatabaseURLs(t, func(t *testing.T, dbURL, dataDir string) {
		s := startServer(t, dbURL, dataDir)
		cs := s.join("alice", "bob")
		alice, bob := cs[0], cs[1]
		alice.say("p", "#private bob before the cut")
		bob.nextType("private")

		const total = 60
		sent := make(chan struct{})
		go func() {
			defer close(sent)
			for i := range total {
				alice.say(fmt.Sprint("m", i), fmt.Sprint("msg ", i))
				if i == total/2 {
					alice.say("p2", "#private bob during the cut")
				}
				time.Sleep(2 * time.Millisecond)
			}
		}()
		// bob reads a few, then his network drops under him.
		var seen []int64
		for range 10 {
			seen = append(seen, bob.nextType("message").num("id"))
		}
		bob.raw.Close()
		<-sent
		var want []int64
		for range total {
			want = append(want, alice.nextType("message").num("id"))
		}
		// Reconnect where bob stopped; the client drops ids it already has.
		bob2 := s.dial("bob", bob.token, fmt.Sprintf("last_id=%d&room=general", seen[len(seen)-1]))
		j := bob2.nextType("joined")
		if j["resumed"] != true {
			t.Errorf("joined not resumed: %v", j)
		}
		got := slices.Clone(seen)
		for _, m := range j["history"].([]any) {
			got = append(got, int64(m.(map[string]any)["id"].(float64)))
		}
		if !slices.Equal(got, want) {
			t.Errorf("bob has %v\nwant %v", got, want)
		}
		if p := bob2.nextType("private"); p.str("text") != "during the cut" {
			t.Errorf("missed private message: %v", p)
		}
		alice.say("after", "after the reconnect")
		if m := bob2.nextType("message"); m.str("text") != "after the reconnect" {
			t.Errorf("live after resume: %v", m)
		}
		if extra := slices.ContainsFunc(bob2.pending(), func(e envelope) bool { return e.typ() == "private" || e.typ() == "message" }); extra {
			t.Errorf("duplicates after resume: %v", bob2.pending())
		}
	})
}

func TestRetriedSendStoredOnce(t *testing.T) {
	s := startServer(t, "", t.TempDir())
	cs := s.join("alice", "bob")
	alice, bob := cs[0], cs[1]
	alice.say("same", "hello once")
	alice.say("same", "hello once")
	a1 := alice.next("ack", isType("ack", "id", "same"))
	a2 := alice.next("ack", isType("ack", "id", "same"))
	if a1.num("message_id") != a2.num("message_id") {
		t.Errorf("retry stored twice: %v %v", a1, a2)
	}
	bob.nextType("message")
	alice.say("marker", "marker")
	if m := bob.nextType("message"); m.str("text") != "marker" {
		t.Errorf("bob got the retry as a second message: %v", m)
	}
	// A new message under a used id (a client restarted its counter) is not
	// a retry: it is refused with id_reused, where acking it would lose it.
	alice.say("same", "a different text")
	if e := alice.next("error", isType("error", "id", "same")); e.str("code") != "id_reused" {
		t.Errorf("reused id: %v", e)
	}
	alice.say("dm", "#private bob psst")
	alice.next("ack", isType("ack", "id", "dm"))
	alice.say("dm", "in the room, under the private message's id")
	if e := alice.next("error", isType("error", "id", "dm")); e.str("code") != "id_reused" {
		t.Errorf("a private message's id reused in the room: %v", e)
	}
	var page struct{ Messages []any }
	s.request("GET", "/api/v1/rooms/general/messages", alice.token, nil).json(t, &page)
	if len(page.Messages) != 2 {
		t.Errorf("history has %d messages, want 2", len(page.Messages))
	}
}

func TestPingPong(t *testing.T) {
	s := startServer(t, "", t.TempDir())
	alice := s.join("alice")[0]
	t0 := time.Now().UnixMilli()
	alice.send(map[string]any{"type": "ping", "id": "p1", "t0": t0})
	p := alice.nextType("pong")
	if p.num("t0") != t0 || p.str("id") != "p1" || p.num("server_time") < t0-1000 || p.num("server_time") > time.Now().UnixMilli()+1000 {
		t.Errorf("pong: %v", p)
	}
}

func TestMessagesPostedOverREST(t *testing.T) {
	s := startServer(t, "", t.TempDir())
	alice := s.join("alice")[0]
	token := s.signup("bob")
	r := s.request("POST", "/api/v1/rooms/general/messages", token, map[string]any{"text": "via curl"})
	if r.status != 201 {
		t.Fatalf("post: %d %s", r.status, r.body)
	}
	if m := alice.nextType("message"); m.str("text") != "via curl" || m.str("from") != "bob" {
		t.Errorf("alice got %v", m)
	}
	s.request("POST", "/api/v1/dm/alice/messages", token, map[string]any{"text": "private via curl"})
	if p := alice.nextType("private"); p.str("text") != "private via curl" {
		t.Errorf("alice got %v", p)
	}
}

// TestSecondDeviceIsNotAnotherPerson: a user's second connection is neither
// announced nor counted in the room's people.
func TestSecondDeviceIsNotAnotherPerson(t *testing.T) {
	s := startServer(t, "", t.TempDir())
	cs := s.join("alice", "bob")
	alice, bob := cs[0], cs[1]
	alice.next("bob joined", isType("event", "user", "bob"))
	phone := s.dial("bob", bob.token, "") // bob's second device
	phone.nextType("joined")
	if got := alice.roomCounts(); got["general"] != 2 {
		t.Errorf("with bob on two devices, #lR counts %v; want general 2", got)
	}
	phone.say("p1", "#cR attic") // the phone goes elsewhere: bob is in both rooms
	phone.next("joined attic", isType("joined", "room", "attic"))
	if got := alice.roomCounts(); got["general"] != 2 || got["attic"] != 1 {
		t.Errorf("bob in two rooms: #lR counts %v; want general 2, attic 1", got)
	}
	phone.say("p2", "#eR")
	phone.next("back in general", isType("joined", "room", "general"))
	phone.conn.Close(websocket.StatusNormalClosure, "")
	bob.say("m", "marker")
	alice.next("marker", isType("message", "text", "marker"))
	for _, e := range alice.pending() {
		if e.typ() == "event" && e.str("user") == "bob" && e.str("room") == "general" {
			t.Errorf("alice was told %v about bob's second device", e)
		}
	}
	if got := alice.roomCounts(); got["general"] != 2 {
		t.Errorf("after the phone left, #lR counts %v; want general 2", got)
	}
	bob.conn.Close(websocket.StatusNormalClosure, "")
	alice.next("bob left", isType("event", "kind", "user_left"))
	eventually(t, "bob gone from the count", func() error {
		if got := alice.roomCounts(); got["general"] != 1 {
			return fmt.Errorf("#lR counts %v; want general 1", got)
		}
		return nil
	})
}

func TestRoomsChangedPush(t *testing.T) {
	s := startServer(t, "", t.TempDir())
	cs := s.join("alice", "bob")
	alice, bob := cs[0], cs[1]
	bob.drop("rooms_changed")
	alice.say("c", "#cR attic")
	alice.next("joined attic", isType("joined", "room", "attic"))
	push := bob.next("attic in a push", func(e envelope) bool {
		return e.typ() == "rooms_changed" && strings.Contains(fmt.Sprint(e["rooms"]), "attic")
	})
	counts := map[string]float64{}
	for _, r := range push["rooms"].([]any) {
		counts[r.(map[string]any)["name"].(string)] = r.(map[string]any)["members"].(float64)
	}
	if counts["attic"] != 1 || counts["general"] != 1 {
		t.Errorf("push counts %v, want attic 1 and general 1", counts)
	}
	alice.say("d", "#dR attic")
	bob.next("attic removed", func(e envelope) bool {
		return e.typ() == "rooms_changed" && fmt.Sprint(e["removed"]) == "[attic]"
	})
}
