package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/store/storetest"
)

// welcomeOf decodes the first envelope a connection got.
func welcomeOf(t *testing.T, rec *recorder) chat.Welcome {
	t.Helper()
	eventually(t, "welcome", func() bool { return len(rec.envelopes(t)) > 0 })
	var w chat.Welcome
	b, _ := json.Marshal(rec.envelopes(t)[0])
	if err := json.Unmarshal(b, &w); err != nil || w.Type != chat.TypeWelcome {
		t.Fatalf("first envelope %s is not a welcome (%v)", b, err)
	}
	return w
}

// The welcome spliced from shared parts is the envelope chat.Welcome
// describes, and a connection that gets a list from before a change learns
// the change from the next rooms_changed push; connections after that push
// get it in their welcome.
func TestWelcomeRoomListIsSharedUntilTheNextPush(t *testing.T) {
	st := storetest.OpenSQLite(t)
	h := newHub(t, st, func(c *Config) { c.RoomsPush = time.Hour }) // the test pushes
	ada, bob, cy, di := newUser(t, st, "ada"), newUser(t, st, "bob"), newUser(t, st, "cy"), newUser(t, st, "di")

	_, adaRec := connectRecorded(t, h, ada)
	w := welcomeOf(t, adaRec)
	want := chat.Welcome{Type: chat.TypeWelcome, ServerTime: w.ServerTime, User: chat.ProfileOf(ada),
		Room: "general", Rooms: []chat.RoomInfo{{Name: "general", Members: 1, Default: true}}, Commands: chat.Help,
		Unread: []chat.UnreadEntry{{Room: "general"}}}
	if !reflect.DeepEqual(w, want) {
		t.Fatalf("welcome\n got %+v\nwant %+v", w, want)
	}

	bobC, _ := connectRecorded(t, h, bob)
	h.Receive(context.Background(), bobC, []byte(`{"type":"send","id":"c1","text":"#cR attic"}`), false)
	eventually(t, "attic", func() bool { return bobC.Room() == "attic" })
	_, cyRec := connectRecorded(t, h, cy) // before the push: the shared list is ada's
	if got := welcomeOf(t, cyRec).Rooms; len(got) != 1 {
		t.Fatalf("welcome before the push lists %+v; want the shared list of one room", got)
	}

	h.broadcastAll(h.roomsChanged())
	eventually(t, "cy told of attic", func() bool {
		for _, e := range cyRec.envelopes(t) {
			if e["type"] == chat.TypeRoomsChanged {
				b, _ := json.Marshal(e["rooms"])
				var rooms []chat.RoomInfo
				_ = json.Unmarshal(b, &rooms)
				for _, r := range rooms {
					if r.Name == "attic" && r.Members == 1 {
						return true
					}
				}
			}
		}
		return false
	})
	_, diRec := connectRecorded(t, h, di)
	if got := welcomeOf(t, diRec).Rooms; !reflect.DeepEqual(got, h.Rooms()) {
		t.Fatalf("welcome after the push lists %+v; want %+v", got, h.Rooms())
	}
}

// welcome waits for joined and is queued right before it, so that the
// transport's writer takes both at once: a connect costs one write.
func TestWelcomeIsQueuedWithJoined(t *testing.T) {
	st := storetest.OpenSQLite(t)
	h := newHub(t, st, nil)
	_, rec := connectRecorded(t, h, newUser(t, st, "ada"))
	eventually(t, "welcome and joined", func() bool { return len(rec.envelopes(t)) == 2 })
	envs := rec.envelopes(t)
	if envs[0]["type"] != chat.TypeWelcome || envs[1]["type"] != chat.TypeJoined {
		t.Fatalf("got %v then %v; want welcome then joined", envs[0]["type"], envs[1]["type"])
	}
	if n := rec.frameCount(); n != 2 {
		t.Errorf("welcome and joined took %d sends; want 2, one after the other", n)
	}
}

// Rooms pushes cost a write per connection: with more connections than
// PushBudget they come less often than RoomsPush, and the last change still
// reaches everyone.
func TestRoomsPushesKeepToTheBudget(t *testing.T) {
	pushes := func(budget int) (int, *recorder) {
		st := storetest.OpenSQLite(t)
		h := newHub(t, st, func(c *Config) { c.RoomsPush, c.PushBudget = 20*time.Millisecond, budget })
		users := make([]chat.User, 10)
		var watcher *recorder
		for i := range users {
			users[i] = newUser(t, st, fmt.Sprintf("u%d", i))
			if _, rec := connectRecorded(t, h, users[i]); i == 0 {
				watcher = rec
			}
		}
		churner := newUser(t, st, "churner")
		// Only the pushes of the second of churn count: the ones the
		// connects above caused depend on how long they took.
		before := countPushes(t, watcher)
		for end := time.Now().Add(time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			c, _ := connectRecorded(t, h, churner) // general's count changes
			h.Disconnect(c)
		}
		return countPushes(t, watcher) - before, watcher
	}
	// 10 connections (11 with the churner) at 50 writes a second: a push
	// every 200–220 ms, so at most 6 in the second of changes.
	n, watcher := pushes(50)
	if n < 2 || n > 6 {
		t.Errorf("%d pushes in a second at 10 connections and a budget of 50 writes/s; want 2–6", n)
	}
	// The changes since the last push are not lost: the next push carries
	// general's final count, 10.
	eventually(t, "the final count pushed", func() bool {
		envs := watcher.envelopes(t)
		for i := len(envs) - 1; i >= 0; i-- {
			if envs[i]["type"] == chat.TypeRoomsChanged {
				b, _ := json.Marshal(envs[i]["rooms"])
				return bytes.Contains(b, []byte(`"members":10`))
			}
		}
		return false
	})
	// Within the budget, a push every RoomsPush.
	if n, _ := pushes(1_000_000); n < 20 {
		t.Errorf("%d pushes in a second within the budget; want one every 20 ms", n)
	}
}

// countPushes counts the rooms_changed envelopes a connection got so far.
func countPushes(t *testing.T, rec *recorder) int {
	n := 0
	for _, e := range rec.envelopes(t) {
		if e["type"] == chat.TypeRoomsChanged {
			n++
		}
	}
	return n
}
