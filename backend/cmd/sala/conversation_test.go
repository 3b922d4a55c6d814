package main

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/salachat/sala/backend/internal/store/storetest"
)

// act sends an edit, delete or react envelope and returns its answer: the
// ack, or the error.
func (c *wsClient) act(env map[string]any) envelope {
	c.t.Helper()
	c.send(env)
	id := env["id"]
	return c.next(fmt.Sprint("answer to ", id), func(e envelope) bool {
		return (e.typ() == "ack" || e.typ() == "error") && e["id"] == id
	})
}

// wantError checks that an answer is the error code.
func wantError(t *testing.T, what string, got envelope, code string) {
	t.Helper()
	if got.typ() != "error" || got.str("code") != code {
		t.Errorf("%s: got %v, want error %s", what, got, code)
	}
}

// update waits for the update of kind to message id.
func (c *wsClient) update(kind string, messageID int64) envelope {
	c.t.Helper()
	return c.next(fmt.Sprintf("%s of %d", kind, messageID), func(e envelope) bool {
		return e.typ() == "update" && e.str("kind") == kind && e.num("message_id") == messageID
	})
}

// reactionsOf reads an envelope's reactions as emoji → users.
func reactionsOf(e envelope) map[string][]string {
	out := map[string][]string{}
	list, _ := e["reactions"].([]any)
	for _, r := range list {
		r := r.(map[string]any)
		var users []string
		for _, u := range r["users"].([]any) {
			users = append(users, u.(string))
		}
		if int(r["count"].(float64)) != len(users) {
			panic(fmt.Sprintf("reaction count is not its users: %v", r))
		}
		out[r["emoji"].(string)] = users
	}
	return out
}

// say sends text and returns the message as the sender got it back.
func (c *wsClient) post(id, text string, replyTo int64) envelope {
	c.t.Helper()
	env := map[string]any{"type": "send", "id": id, "text": text}
	if replyTo != 0 {
		env["reply_to"] = replyTo
	}
	c.send(env)
	ack := c.next("ack "+id, func(e envelope) bool { return e["id"] == id && (e.typ() == "ack" || e.typ() == "error") })
	if ack.typ() == "error" {
		return ack
	}
	return c.next("own "+id, func(e envelope) bool {
		return (e.typ() == "message" || e.typ() == "private") && e.num("id") == ack.num("message_id")
	})
}

func TestConversationInARoom(t *testing.T) {
	storetest.WithAllDatabaseURLs(t, func(t *testing.T, dbURL, dataDir string) {
		s := startServer(t, dbURL, dataDir)
		cs := s.join("alice", "bob", "carol")
		alice, bob, carol := cs[0], cs[1], cs[2]
		elsewhere := alice.post("g1", "in general", 0).num("id")
		private := alice.post("p1", `#\private bob just us`, 0)
		if private.typ() != "private" {
			t.Fatalf("private: %v", private)
		}
		carol.say("c", "#cR den") // carol owns the den
		carol.next("joined den", isType("joined", "room", "den"))
		for _, c := range []*wsClient{alice, bob} {
			c.say("j", "#gR den")
			c.next("joined den", isType("joined", "room", "den"))
		}

		helo := alice.post("m1", "helo", 0)
		id := helo.num("id")
		reply := bob.post("r1", "hi alice", id)
		if r, _ := reply["reply_to"].(map[string]any); r == nil || int64(r["id"].(float64)) != id ||
			r["from"] != "alice" || r["text"] != "helo" {
			t.Errorf("reply: %v", reply)
		}
		carol.next("reply", isType("message", "id", reply.num("id")))
		wantError(t, "reply_to a message of another room", bob.post("r2", "hm", elsewhere), "message_not_found")
		wantError(t, "reply_to a private message", bob.post("r3", "hm", private.num("id")), "message_not_found")

		// Edit: the author only, with a valid text.
		wantError(t, "bob edits alice's", bob.act(map[string]any{"type": "edit", "id": "e0", "message_id": id, "text": "x"}), "not_author")
		wantError(t, "an empty edit", alice.act(map[string]any{"type": "edit", "id": "e1", "message_id": id, "text": " "}), "invalid_text")
		wantError(t, "a 4,001-character edit", alice.act(map[string]any{"type": "edit", "id": "e2", "message_id": id,
			"text": strings.Repeat("a", 4001)}), "invalid_text")
		wantError(t, "an edit of no message", alice.act(map[string]any{"type": "edit", "id": "e3", "message_id": 1 << 40, "text": "x"}), "message_not_found")
		ack := alice.act(map[string]any{"type": "edit", "id": "e4", "message_id": id, "text": "hello"})
		if ack.typ() != "ack" || ack.num("message_id") <= reply.num("id") {
			t.Errorf("edit ack: %v", ack)
		}
		for _, c := range cs {
			u := c.update("edited", id)
			if u.num("id") != ack.num("message_id") || u.str("text") != "hello" || u.str("by") != "alice" || u.str("room") != "den" {
				t.Errorf("%s got %v", c.login, u)
			}
		}

		// Reactions toggle; anything but one emoji is refused.
		for _, bad := range []string{"ok", "👍👍", ""} {
			wantError(t, fmt.Sprintf("react %q", bad), bob.act(map[string]any{"type": "react", "id": "x" + bad, "message_id": id, "emoji": bad}), "invalid_emoji")
		}
		bob.act(map[string]any{"type": "react", "id": "k1", "message_id": id, "emoji": "👍"})
		carol.act(map[string]any{"type": "react", "id": "k2", "message_id": id, "emoji": "👍"})
		alice.act(map[string]any{"type": "react", "id": "k3", "message_id": id, "emoji": "🇪🇸"})
		bob.act(map[string]any{"type": "react", "id": "k4", "message_id": id, "emoji": "👍"})
		var last envelope
		for range 4 {
			last = alice.update("reaction", id)
		}
		if got := reactionsOf(last); !slices.Equal(got["👍"], []string{"carol"}) || !slices.Equal(got["🇪🇸"], []string{"alice"}) {
			t.Errorf("reactions after four toggles: %v", last)
		}

		// Delete: the author, or the room's owner; a tombstone stays.
		spam := bob.post("s1", "spam", 0).num("id")
		wantError(t, "alice deletes bob's", alice.act(map[string]any{"type": "delete", "id": "d0", "message_id": spam}), "not_author")
		if a := carol.act(map[string]any{"type": "delete", "id": "d1", "message_id": spam}); a.typ() != "ack" {
			t.Errorf("the owner deletes in her room: %v", a)
		}
		bob.update("deleted", spam)
		alice.act(map[string]any{"type": "delete", "id": "d2", "message_id": id})
		bob.update("deleted", id)
		for typ, env := range map[string]map[string]any{
			"edit":   {"type": "edit", "id": "z1", "message_id": id, "text": "again"},
			"react":  {"type": "react", "id": "z2", "message_id": id, "emoji": "👍"},
			"delete": {"type": "delete", "id": "z3", "message_id": id},
		} {
			wantError(t, typ+" of a deleted message", alice.act(env), "message_not_found")
		}

		// History: each message in its current state.
		r := s.request("GET", "/api/v1/rooms/den/messages", alice.token, nil)
		var page struct{ Messages []envelope }
		r.json(t, &page)
		byID := map[int64]envelope{}
		for _, m := range page.Messages {
			byID[m.num("id")] = m
		}
		if m := byID[id]; m["deleted"] != true || m.str("text") != "" || m["reactions"] != nil || m.num("edited_at") == 0 {
			t.Errorf("tombstone in history: %v", m)
		}
		if m := byID[reply.num("id")]; m["reply_to"].(map[string]any)["text"] != "" {
			t.Errorf("a reply to a deleted message shows its text: %v", m)
		}
		if len(page.Messages) != 3 {
			t.Errorf("history holds updates: %v", page.Messages)
		}
	})
}

func TestConversationInAPrivateThread(t *testing.T) {
	storetest.WithAllDatabaseURLs(t, func(t *testing.T, dbURL, dataDir string) {
		s := startServer(t, dbURL, dataDir)
		cs := s.join("alice", "bob", "carol")
		alice, bob, carol := cs[0], cs[1], cs[2]
		alice2 := s.dial("alice", alice.token, "") // her second device
		alice2.nextType("joined")
		roomMsg := carol.post("g", "in general", 0).num("id")

		m := alice.post("p1", `#\private bob psst`, 0)
		id := m.num("id")
		bob.next("private", isType("private", "id", id))
		reply := bob.post("p2", `#\private alice what?`, id)
		if r, _ := reply["reply_to"].(map[string]any); r == nil || r["text"] != "psst" {
			t.Errorf("reply in a thread: %v", reply)
		}
		wantError(t, "reply_to a room message in a thread", bob.post("p3", `#\private alice hm`, roomMsg), "message_not_found")
		wantError(t, "carol reacts to their thread", carol.act(map[string]any{"type": "react", "id": "k0", "message_id": id, "emoji": "👀"}), "message_not_found")
		wantError(t, "bob edits alice's", bob.act(map[string]any{"type": "edit", "id": "e0", "message_id": id, "text": "x"}), "not_author")
		wantError(t, "bob deletes alice's", bob.act(map[string]any{"type": "delete", "id": "d0", "message_id": id}), "not_author")

		bob.act(map[string]any{"type": "react", "id": "k1", "message_id": id, "emoji": "👀"})
		alice.act(map[string]any{"type": "edit", "id": "e1", "message_id": id, "text": "psst!"})
		alice.act(map[string]any{"type": "delete", "id": "d1", "message_id": reply.num("id")})
		for _, c := range []*wsClient{alice, alice2, bob} {
			if u := c.update("reaction", id); u.str("to") != "alice" || u.str("by") != "bob" || reactionsOf(u)["👀"][0] != "bob" {
				t.Errorf("%s got %v", c.login, u)
			}
			if u := c.update("edited", id); u.str("to") != "bob" || u.str("text") != "psst!" {
				t.Errorf("%s got %v", c.login, u)
			}
		}
		wantError(t, "alice deletes bob's", alice.act(map[string]any{"type": "delete", "id": "d2", "message_id": reply.num("id")}), "not_author")
		bob.act(map[string]any{"type": "delete", "id": "d3", "message_id": reply.num("id")})
		alice2.update("deleted", reply.num("id"))
		carol.say("marker", "marker")
		alice.next("marker", isType("message", "text", "marker"))
		if slices.ContainsFunc(carol.pending(), func(e envelope) bool { return e.typ() == "update" }) {
			t.Errorf("carol got a thread's update: %v", carol.pending())
		}
		r := s.request("GET", "/api/v1/dm/bob/messages", alice.token, nil)
		var page struct{ Messages []envelope }
		r.json(t, &page)
		if len(page.Messages) != 2 || page.Messages[0]["deleted"] != true || page.Messages[1].str("text") != "psst!" ||
			reactionsOf(page.Messages[1])["👀"] == nil {
			t.Errorf("thread history: %v", page.Messages)
		}
	})
}

// TestUpdatesReachAResumingMemberOnce: edits and deletions made while a
// member is away come back on resume, once, after the messages they
// change, in id order.
func TestUpdatesReachAResumingMemberOnce(t *testing.T) {
	storetest.WithAllDatabaseURLs(t, func(t *testing.T, dbURL, dataDir string) {
		s := startServer(t, dbURL, dataDir)
		cs := s.join("alice", "bob")
		alice, bob := cs[0], cs[1]
		p := alice.post("p", `#\private bob secret`, 0).num("id")
		m1 := alice.post("m1", "one", 0).num("id")
		m2 := alice.post("m2", "two", 0).num("id")
		bob.next("m2", isType("message", "id", m2))
		bob.conn.Close(websocket.StatusNormalClosure, "")

		m3 := alice.post("m3", "three", 0).num("id")
		var updates []int64
		for _, env := range []map[string]any{
			{"type": "edit", "id": "u1", "message_id": m1, "text": "one!"},
			{"type": "delete", "id": "u2", "message_id": m2},
			{"type": "react", "id": "u3", "message_id": m3, "emoji": "🎉"},
			{"type": "edit", "id": "u4", "message_id": p, "text": "secret!"},
		} {
			updates = append(updates, alice.act(env).num("message_id"))
		}

		bob = s.dial("bob", bob.token, fmt.Sprintf("last_id=%d&room=general", m2))
		j := bob.nextType("joined")
		hist := j["history"].([]any)
		if len(hist) != 1 || int64(hist[0].(map[string]any)["id"].(float64)) != m3 {
			t.Fatalf("resumed history: %v", hist)
		}
		if got := reactionsOf(envelope(hist[0].(map[string]any))); got["🎉"] == nil {
			t.Errorf("m3 not in its current state: %v", hist[0])
		}
		var got []int64
		for range updates {
			got = append(got, bob.nextType("update").num("id"))
		}
		if !slices.Equal(got, updates) {
			t.Errorf("updates on resume %v, want %v", got, updates)
		}
		alice.say("after", "after")
		bob.next("live", isType("message", "text", "after"))
		if extra := slices.ContainsFunc(bob.pending(), func(e envelope) bool { return e.typ() == "update" }); extra {
			t.Errorf("an update came twice: %v", bob.pending())
		}
	})
}

// TestConversationOverREST: the REST twins of edit, delete and react, and
// reply_to on a posted message.
func TestConversationOverREST(t *testing.T) {
	storetest.WithAllDatabaseURLs(t, func(t *testing.T, dbURL, dataDir string) {
		s := startServer(t, dbURL, dataDir)
		bob := s.join("bob")[0]
		token := s.signup("alice")
		post := func(body map[string]any) response {
			return s.request("POST", "/api/v1/rooms/general/messages", token, body)
		}
		r := post(map[string]any{"text": "helo"})
		var m envelope
		r.json(t, &m)
		id := m.num("id")
		if r := post(map[string]any{"text": "re", "reply_to": id}); r.status != http.StatusCreated {
			t.Errorf("reply over REST: %d %s", r.status, r.body)
		}
		if r := post(map[string]any{"text": "re", "reply_to": id + 100}); r.status != http.StatusNotFound || r.errorCode(t) != "message_not_found" {
			t.Errorf("reply_to no message: %d %s", r.status, r.body)
		}
		path := fmt.Sprintf("/api/v1/messages/%d", id)
		r = s.request("PATCH", path, token, map[string]any{"text": "hello"})
		var u envelope
		r.json(t, &u)
		if r.status != http.StatusOK || u.str("kind") != "edited" || u.num("message_id") != id {
			t.Errorf("PATCH: %d %s", r.status, r.body)
		}
		bob.update("edited", id)
		if r := s.request("PATCH", path, bob.token, map[string]any{"text": "x"}); r.status != http.StatusForbidden || r.errorCode(t) != "not_author" {
			t.Errorf("PATCH by another: %d %s", r.status, r.body)
		}
		if r := s.request("PATCH", path, token, map[string]any{"text": ""}); r.status != http.StatusUnprocessableEntity || r.errorCode(t) != "invalid_text" {
			t.Errorf("empty PATCH: %d %s", r.status, r.body)
		}
		if r := s.request("POST", path+"/reactions", bob.token, map[string]any{"emoji": "ab"}); r.status != http.StatusUnprocessableEntity || r.errorCode(t) != "invalid_emoji" {
			t.Errorf("react with text: %d %s", r.status, r.body)
		}
		r = s.request("POST", path+"/reactions", bob.token, map[string]any{"emoji": "👍🏽"})
		r.json(t, &u)
		if r.status != http.StatusOK || !slices.Equal(reactionsOf(u)["👍🏽"], []string{"bob"}) {
			t.Errorf("react: %d %s", r.status, r.body)
		}
		r = s.request("POST", path+"/reactions", bob.token, map[string]any{"emoji": "👍🏽"})
		if r.json(t, &u); u["reactions"] == nil || len(reactionsOf(u)) != 0 {
			t.Errorf("react again takes it off: %s", r.body)
		}
		if r := s.request("DELETE", path, bob.token, nil); r.status != http.StatusForbidden {
			t.Errorf("DELETE by another: %d %s", r.status, r.body)
		}
		if r := s.request("DELETE", path, token, nil); r.status != http.StatusOK {
			t.Errorf("DELETE: %d %s", r.status, r.body)
		}
		bob.update("deleted", id)
		if r := s.request("DELETE", path, token, nil); r.status != http.StatusNotFound || r.errorCode(t) != "message_not_found" {
			t.Errorf("DELETE again: %d %s", r.status, r.body)
		}
	})
}

// TestClusterConversation: an update made on one node reaches the people
// on another (it takes the write path's turn and the bus as messages do),
// and typing rides the cluster's notices.
func TestClusterConversation(t *testing.T) {
	cl := startCluster(t, 2, nil)
	alice, bob := cl.nodes[0].joinAt("alice"), cl.nodes[1].joinAt("bob")
	id := bob.post("m", "hello from node 2", 0).num("id")
	alice.next("message", isType("message", "id", id))

	ack := alice.act(map[string]any{"type": "react", "id": "k", "message_id": id, "emoji": "👍"})
	if ack.typ() != "ack" {
		t.Fatalf("react on node 1: %v", ack)
	}
	u := bob.update("reaction", id)
	if u.num("id") != ack.num("message_id") || !slices.Equal(reactionsOf(u)["👍"], []string{"alice"}) {
		t.Errorf("bob on node 2 got %v", u)
	}
	r := cl.nodes[1].request("GET", "/api/v1/rooms/general/messages", bob.token, nil)
	var page struct{ Messages []envelope }
	r.json(t, &page)
	if len(page.Messages) != 1 || reactionsOf(page.Messages[0])["👍"] == nil {
		t.Errorf("history on node 2: %s", r.body)
	}

	alice.send(map[string]any{"type": "typing"})
	if e := bob.nextType("typing"); e.str("user") != "alice" || e.str("room") != "general" {
		t.Errorf("typing across nodes: %v", e)
	}
	alice.send(map[string]any{"type": "typing", "to": "bob"}) // within 2 s of the last: dropped
	bob.send(map[string]any{"type": "typing", "to": "alice"})
	if e := alice.nextType("typing"); e.str("from") != "bob" {
		t.Errorf("private typing across nodes: %v", e)
	}
}
