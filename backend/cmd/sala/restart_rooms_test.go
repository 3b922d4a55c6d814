package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/salachat/sala/backend/internal/config"
	"github.com/salachat/sala/backend/internal/store/storetest"
)

// isRoomEnd matches the event that a room ended.
func isRoomEnd(room string) func(envelope) bool {
	return func(e envelope) bool {
		return e.typ() == "event" && e.str("kind") == "room_deleted" && e.str("room") == room
	}
}

// TestResumeAfterRestartIntoARoomCreatedAgain: bob was in room r and
// missed an acknowledged message when the server restarted; r ended after
// its grace (its creator did not come back) and carol created r anew.
// bob's resume into r must deliver the old r's missed message, say that
// the old r ended and land him in the default room, never claim to resume
// the new r; and alice's retry of that message's client id is answered
// with the original's ack.
func TestResumeAfterRestartIntoARoomCreatedAgain(t *testing.T) {
	storetest.WithAllDatabaseURLs(t, func(t *testing.T, dbURL, dataDir string) {
		s := startServer(t, dbURL, dataDir, withConfig(func(c *config.Config) { c.RoomGrace = 300 * time.Millisecond }))
		cs := s.join("alice", "bob", "carol")
		alice, bob, carol := cs[0], cs[1], cs[2]
		alice.say("c1", "#cR r")
		alice.next("joined r", isType("joined", "room", "r"))
		bob.say("c2", "#gR r")
		bob.next("joined r", isType("joined", "room", "r"))
		alice.say("m1", "seen")
		lastID := bob.next("seen", isType("message", "text", "seen")).num("id")
		alice.say("m2", "missed")
		missedID := alice.next("ack m2", isType("ack", "id", "m2")).num("message_id")

		s.restart()
		carol = s.dial("carol", carol.token, "")
		carol.next("joined general", isType("joined", "room", "general"))
		for i := 0; ; i++ {
			carol.say(fmt.Sprint("cr", i), "#cR r")
			e := carol.next("joined r or room_exists", func(e envelope) bool {
				return e.typ() == "joined" || e.typ() == "error" && e.str("code") == "room_exists"
			})
			if e.typ() == "joined" {
				break
			}
			carol.next("the old r ends after its grace", isRoomEnd("r"))
		}
		carol.say("n1", "in the new r")
		carol.next("ack n1", isType("ack", "id", "n1"))

		bob = s.dial("bob", bob.token, fmt.Sprintf("last_id=%d&room=r", lastID))
		if w := bob.nextType("welcome"); w.str("room") != "general" {
			t.Errorf("bob's resume lands in %q, want general: his r is gone", w.str("room"))
		}
		if m := bob.nextType("message"); m.num("id") != missedID || m.str("room") != "r" {
			t.Errorf("bob's first message after the restart: %v, want the missed %d of r", m, missedID)
		}
		bob.next("the old r ended", isRoomEnd("r"))
		if j := bob.nextType("joined"); j.str("room") != "general" || j["resumed"] == true {
			t.Errorf("bob joined %v, want general, not resumed", j)
		}

		alice = s.dial("alice", alice.token, "")
		alice.next("joined general", isType("joined", "room", "general"))
		alice.say("g", "#gR r")
		alice.next("joined the new r", isType("joined", "room", "r"))
		alice.say("m2", "missed") // her client retries, not knowing it was stored
		if ack := alice.next("the original's ack", func(e envelope) bool { return e.str("id") == "m2" }); ack.typ() != "ack" || ack.num("message_id") != missedID {
			t.Errorf("retry of m2 answered %v, want the ack of %d", ack, missedID)
		}
	})
}

// TestLiveRoomsSurviveARestart: a restart is not its creator leaving. The
// room is there after it, its creator's return keeps it past the grace,
// and a room whose creator stays away still goes after the grace.
func TestLiveRoomsSurviveARestart(t *testing.T) {
	storetest.WithAllDatabaseURLs(t, func(t *testing.T, dbURL, dataDir string) {
		const grace = 500 * time.Millisecond
		s := startServer(t, dbURL, dataDir, withConfig(func(c *config.Config) { c.RoomGrace = grace }))
		cs := s.join("alice", "bob", "carol")
		alice, bob, carol := cs[0], cs[1], cs[2]
		alice.say("c1", "#cR games")
		alice.next("joined games", isType("joined", "room", "games"))
		bob.say("c2", "#cR chess")
		bob.next("joined chess", isType("joined", "room", "chess"))

		s.restart()
		carol = s.dial("carol", carol.token, "")
		carol.next("joined general", isType("joined", "room", "general"))
		if got := carol.roomCounts(); got["games"] != 0 || got["chess"] != 0 || len(got) != 3 {
			t.Errorf("rooms after the restart: %v, want general, games and chess", got)
		}
		alice = s.dial("alice", alice.token, "last_id=1&room=games")
		alice.next("back in games", isType("joined", "room", "games"))
		restarted := time.Now()
		carol.next("chess ends: bob stayed away", isRoomEnd("chess"))
		if waited := time.Since(restarted); waited < grace/2 {
			t.Errorf("chess ended %v after the restart, before its grace", waited)
		}
		if got := carol.roomCounts(); got["games"] != 1 {
			t.Errorf("rooms after the grace: %v, want games with alice", got)
		}
	})
}
