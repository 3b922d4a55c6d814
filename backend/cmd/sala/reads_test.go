package main

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/salachat/sala/backend/internal/store/storetest"
)

// readEnv is a read envelope of a room (or, with "@" before it, of the
// private thread with that login).
func readEnv(id, conv string, messageID int64) map[string]any {
	env := map[string]any{"type": "read", "id": id, "message_id": messageID}
	if conv != "" && conv[0] == '@' {
		env["with"] = conv[1:]
	} else {
		env["room"] = conv
	}
	return env
}

// unreadOf finds the entry of a room (or "@login") in a welcome's or GET
// /unread's list; ok is false when there is none.
func unreadOf(list []any, conv string) (entry envelope, ok bool) {
	for _, e := range list {
		e := envelope(e.(map[string]any))
		if e.str("room") == conv || conv[0] == '@' && e.str("with") == conv[1:] {
			return e, true
		}
	}
	return nil, false
}

// wantUnread checks one conversation's count, mentions and cursor.
func wantUnread(t *testing.T, what string, list []any, conv string, count, mentions, lastRead int64) {
	t.Helper()
	e, ok := unreadOf(list, conv)
	if !ok || e.num("count") != count || e.num("mentions") != mentions || e.num("last_read") != lastRead {
		t.Errorf("%s: unread of %s = %v (listed: %v); want count %d, mentions %d, last_read %d",
			what, conv, e, ok, count, mentions, lastRead)
	}
}

// welcomeUnread connects as c's user again and returns its welcome's
// unread list.
func (s *testServer) welcomeUnread(c *wsClient) []any {
	s.t.Helper()
	again := s.dial(c.login, c.token, "")
	defer again.conn.CloseNow()
	list, _ := again.nextType("welcome")["unread"].([]any)
	return list
}

// sync waits until everything c's connection was sent before now arrived:
// the answer of a ping comes after it.
func (c *wsClient) sync() {
	c.t.Helper()
	c.send(map[string]any{"type": "ping", "id": "sync", "t0": 1})
	c.next("pong", isType("pong", "id", "sync"))
}

// TestReadCursorsAndUnread: counts in welcome and GET /unread leave out
// one's own messages, count mentions, and follow reads made on another
// connection of the same person, which that connection hears of; a cursor
// never moves back; reads of what the person can't see are refused.
func TestReadCursorsAndUnread(t *testing.T) {
	storetest.WithAllDatabaseURLs(t, func(t *testing.T, dbURL, dataDir string) {
		s := startServer(t, dbURL, dataDir)
		cs := s.join("alice", "bob")
		alice, bob := cs[0], cs[1]
		other := s.dial("alice", alice.token, "") // alice's second device
		other.nextType("welcome")
		alice.post("a1", "mine never count", 0)
		m1 := bob.post("b1", "one", 0).num("id")
		m2 := bob.post("b2", "two", 0).num("id")
		m3 := bob.post("b3", "three, @alice!", 0)
		if !slices.Equal(m3["mentions"].([]any), []any{"alice"}) {
			t.Errorf("message mentions = %v", m3["mentions"])
		}
		wantUnread(t, "welcome before reading", s.welcomeUnread(alice), "general", 3, 1, 0)

		ack := alice.act(readEnv("r1", "general", m2))
		if ack.typ() != "ack" || ack.num("message_id") != m2 {
			t.Fatalf("read ack = %v", ack)
		}
		got := other.next("read on the other device", isType("read", "room", "general"))
		if got.num("message_id") != m2 || got.num("count") != 1 || got.num("mentions") != 1 {
			t.Errorf("other device got %v; want cursor %d, 1 unread, 1 mention", got, m2)
		}
		wantUnread(t, "welcome after the read", s.welcomeUnread(alice), "general", 1, 1, m2)

		// Back: the cursor stays, and no one hears of it.
		if ack := alice.act(readEnv("r2", "general", m1)); ack.typ() != "ack" || ack.num("message_id") != m2 {
			t.Errorf("read back: %v; want the ack to keep cursor %d", ack, m2)
		}
		other.sync()
		if slices.ContainsFunc(other.pending(), func(e envelope) bool { return e.typ() == "read" }) {
			t.Errorf("a read that did not move the cursor was told: %v", other.pending())
		}

		// The REST twin tells both connections; GET /unread agrees.
		r := s.request("PUT", "/api/v1/rooms/general/read", alice.token, map[string]any{"message_id": m3.num("id")})
		if r.status != http.StatusOK {
			t.Fatalf("PUT read: %d %s", r.status, r.body)
		}
		for _, c := range []*wsClient{alice, other} {
			if e := c.next("read over REST", isType("read", "room", "general")); e.num("message_id") != m3.num("id") || e.num("count") != 0 {
				t.Errorf("read over REST reached a connection as %v", e)
			}
		}
		var list struct{ Unread []any }
		s.request("GET", "/api/v1/unread", alice.token, nil).json(t, &list)
		wantUnread(t, "GET /unread", list.Unread, "general", 0, 0, m3.num("id"))

		// A private thread.
		p1 := bob.post("p1", `#\private alice psst`, 0).num("id")
		wantUnread(t, "a private thread", s.welcomeUnread(alice), "@bob", 1, 0, 0)
		if ack := alice.act(readEnv("r3", "@bob", p1)); ack.typ() != "ack" {
			t.Errorf("read of the thread: %v", ack)
		}
		other.next("read of the thread", isType("read", "with", "bob"))
		wantUnread(t, "the thread read", s.welcomeUnread(alice), "@bob", 0, 0, p1)

		// What the person can't see.
		wantError(t, "a room that is not live", alice.act(readEnv("e1", "nowhere", m1)), "room_not_found")
		wantError(t, "an unknown login", alice.act(readEnv("e2", "@nobody", p1)), "user_not_found")
		wantError(t, "one's own thread", alice.act(readEnv("e3", "@alice", p1)), "user_not_found")
		wantError(t, "a private message read as the room's", alice.act(readEnv("e4", "general", p1)), "message_not_found")
		wantError(t, "a room message read as the thread's", alice.act(readEnv("e5", "@bob", m1)), "message_not_found")
		wantError(t, "no such message", alice.act(readEnv("e6", "general", 1<<40)), "message_not_found")
		wantError(t, "neither room nor with", alice.act(map[string]any{"type": "read", "id": "e7", "message_id": m1}), "invalid_envelope")
		carol := s.join("carol")[0]
		wantError(t, "someone else's thread", carol.act(readEnv("e8", "@bob", p1)), "message_not_found")
		if r := s.request("PUT", "/api/v1/rooms/nowhere/read", alice.token, map[string]any{"message_id": m1}); r.status != http.StatusNotFound || r.errorCode(t) != "room_not_found" {
			t.Errorf("PUT read of no room: %d %s", r.status, r.body)
		}
		if r := s.request("PUT", "/api/v1/dm/bob/read", alice.token, map[string]any{}); r.status != http.StatusUnprocessableEntity {
			t.Errorf("PUT read without message_id: %d %s", r.status, r.body)
		}
		if r := s.request("PUT", "/api/v1/dm/bob/read", alice.token, map[string]any{"message_id": p1}); r.status != http.StatusOK {
			t.Errorf("PUT read of the thread: %d %s", r.status, r.body)
		}
	})
}

// TestMentionOfAnOfflineUser: a mention reaches a person in another room at
// once, and one who was offline on its next connection, once: not again
// after its receipt, nor on a resume past it.
func TestMentionOfAnOfflineUser(t *testing.T) {
	storetest.WithAllDatabaseURLs(t, func(t *testing.T, dbURL, dataDir string) {
		s := startServer(t, dbURL, dataDir)
		cs := s.join("alice", "bob")
		alice, bob := cs[0], cs[1]
		carolToken := s.signup("carol") // offline
		earlier := alice.post("a0", "before it all", 0).num("id")
		bob.say("c", "#cR den")
		bob.next("joined den", isType("joined", "room", "den"))
		msg := bob.post("m", "hi @Carol, @alice and @nobody; mail bob@example.com", 0)
		id := msg.num("id")
		if !slices.Equal(msg["mentions"].([]any), []any{"carol", "alice"}) {
			t.Errorf("mentions = %v", msg["mentions"])
		}
		live := alice.next("alice's mention", isType("mention", "message_id", id))
		if live.str("room") != "den" || live.str("from") != "bob" || live.num("id") != id {
			t.Errorf("mention = %v", live)
		}
		bob.sync()
		if slices.ContainsFunc(bob.pending(), func(e envelope) bool { return e.typ() == "mention" }) {
			t.Errorf("bob, in the room, got a mention: %v", bob.pending())
		}

		mentionsOf := func(c *wsClient) int {
			c.sync()
			n := 0
			for _, e := range c.pending() {
				if e.typ() == "mention" && e.num("message_id") == id {
					n++
				}
			}
			return n
		}
		carol := s.dial("carol", carolToken, "")
		carol.nextType("welcome")
		if n := mentionsOf(carol); n != 1 {
			t.Fatalf("carol's first connection got %d mentions of %d; want 1: %v", n, id, carol.pending())
		}
		carol.send(map[string]any{"type": "receipt", "last_id": id})
		carol.sync()
		carol.conn.CloseNow()

		again := s.dial("carol", carolToken, "")
		again.nextType("welcome")
		if n := mentionsOf(again); n != 0 {
			t.Errorf("a connection after the receipt got the mention %d times again", n)
		}
		resumed := s.dial("carol", carolToken, fmt.Sprintf("last_id=%d&room=general", id))
		if n := mentionsOf(resumed); n != 0 {
			t.Errorf("a resume past the mention got it %d times", n)
		}
		before := s.dial("carol", carolToken, fmt.Sprintf("last_id=%d&room=general", earlier))
		if n := mentionsOf(before); n != 1 {
			t.Errorf("a resume from before the mention got it %d times; want 1", n)
		}

		var page struct {
			Mentions []map[string]any
			HasMore  bool `json:"has_more"`
		}
		r := s.request("GET", "/api/v1/mentions?limit=10", carolToken, nil)
		r.json(t, &page)
		if r.status != http.StatusOK || len(page.Mentions) != 1 || int64(page.Mentions[0]["message_id"].(float64)) != id || page.HasMore {
			t.Errorf("GET /mentions: %d %s", r.status, r.body)
		}
		// alice's message came after carol signed up; den, never entered, is not listed.
		unread := s.welcomeUnread(again)
		wantUnread(t, "carol's unread", unread, "general", 1, 0, 0)
		if _, ok := unreadOf(unread, "den"); ok {
			t.Errorf("a room carol never entered is in her unread: %v", unread)
		}
		wantUnread(t, "bob's den, which he created", s.welcomeUnread(bob), "den", 0, 0, 0)
	})
}

// TestClusterReadsAndMentions: a read on one node reaches the person's
// connection on another, and a mention made on one node reaches a person
// in another room on the other, through the cluster's bus.
func TestClusterReadsAndMentions(t *testing.T) {
	cl := startCluster(t, 2, nil)
	n1, n2 := cl.nodes[0], cl.nodes[1]
	alice, bob := n1.joinAt("alice"), n1.joinAt("bob")
	far := n2.dial("alice", alice.token, "") // alice's other device, on the other node
	far.nextType("welcome")
	far.next("joined general", isType("joined", "room", "general"))

	id := bob.post("b1", "news", 0).num("id")
	far.next("bob's message on the other node", isType("message", "id", id))
	if ack := alice.act(readEnv("r1", "general", id)); ack.typ() != "ack" {
		t.Fatalf("read: %v", ack)
	}
	if got := far.next("read from the other node", isType("read", "room", "general")); got.num("message_id") != id || got.num("count") != 0 {
		t.Errorf("the other node's connection got %v", got)
	}

	far.say("g", "#cR attic")
	far.next("joined attic", isType("joined", "room", "attic"))
	m := bob.post("b2", "@alice over here", 0).num("id")
	if got := far.next("mention on the other node", isType("mention", "message_id", m)); got.str("room") != "general" {
		t.Errorf("mention = %v", got)
	}
	alice.next("the message itself, in general", isType("message", "id", m))
	alice.sync()
	if slices.ContainsFunc(alice.pending(), func(e envelope) bool { return e.typ() == "mention" }) {
		t.Errorf("alice's connection in general got a mention of a general message: %v", alice.pending())
	}
}

// TestEnteringARoomIsToldToTheOtherDevices: a mention in a room the person
// was never in counts on every device; entering that room on one of them
// starts its cursor at the newest message (the read that device sends next
// moves nothing), and the others hear of that cursor.
func TestEnteringARoomIsToldToTheOtherDevices(t *testing.T) {
	storetest.WithAllDatabaseURLs(t, func(t *testing.T, dbURL, dataDir string) {
		s := startServer(t, dbURL, dataDir)
		cs := s.join("alice", "bob")
		alice, bob := cs[0], cs[1]
		other := s.dial("alice", alice.token, "") // alice's second device
		other.nextType("welcome")
		bob.say("c", "#cR den")
		bob.next("joined den", isType("joined", "room", "den"))
		id := bob.post("m", "@alice look at this", 0).num("id")
		for _, c := range []*wsClient{alice, other} {
			c.next("the mention", isType("mention", "message_id", id))
		}

		alice.say("g", "#gR den")
		alice.next("joined den", isType("joined", "room", "den"))
		got := other.next("den's cursor", isType("read", "room", "den"))
		if got.num("message_id") != id || got.num("count") != 0 || got.num("mentions") != 0 {
			t.Errorf("the other device got %v; want cursor %d, nothing unread", got, id)
		}
		if ack := alice.act(readEnv("r", "den", id)); ack.typ() != "ack" || ack.num("message_id") != id {
			t.Errorf("read after entering: %v", ack)
		}
	})
}
