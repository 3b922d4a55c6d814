package hub

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/store/storetest"
)

// roomMessageIDs lists the room message ids a connection got, history and
// live, in the order it got them.
func roomMessageIDs(t *testing.T, rec *recorder) []int64 {
	t.Helper()
	var ids []int64
	for _, e := range rec.envelopes(t) {
		switch e["type"] {
		case chat.TypeJoined:
			for _, m := range e["history"].([]any) {
				ids = append(ids, int64(m.(map[string]any)["id"].(float64)))
			}
		case chat.TypeMessage:
			ids = append(ids, int64(e["id"].(float64)))
		}
	}
	return ids
}

// Connections joining a room while messages are posted to it share the
// cached joined envelope whenever nothing was posted since it was built.
// Each must still get every message from its history on, exactly once and
// in order: its ids are the newest of all the room's, without a gap.
func TestJoinsDuringPostsMissNothing(t *testing.T) {
	st := storetest.OpenSQLite(t)
	h := newHub(t, st, nil)
	owner := newUser(t, st, "owner")
	oc, _ := connectRecorded(t, h, owner)
	h.Receive(context.Background(), oc, []byte(`{"type":"send","id":"c","text":"#cR attic"}`), false)
	eventually(t, "attic", func() bool { return oc.Room() == "attic" })

	for i := range 10 { // a history to go stale
		if _, err := h.PostRoomMessage(context.Background(), owner, "attic", fmt.Sprint("before ", i), "", 0); err != nil {
			t.Fatal(err)
		}
	}
	// The owner's join cached an empty history; the first joiner below
	// caches these ten, which go stale as soon as the posters start.
	h.rooms["attic"].joined.Store(nil)
	const posters, perPoster, joiners = 2, 150, 40
	var wg sync.WaitGroup
	for p := range posters {
		wg.Go(func() {
			for i := range perPoster {
				if _, err := h.PostRoomMessage(context.Background(), owner, "attic", fmt.Sprintf("m%d-%d", p, i), "", 0); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	recs := make([]*recorder, joiners)
	for i := range recs {
		recs[i] = &recorder{}
		if _, err := h.Connect(context.Background(), newUser(t, st, fmt.Sprint("j", i)), time.Time{}, recs[i],
			Resume{Room: "attic"}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Millisecond)
	}
	wg.Wait()

	all, err := st.RoomHistory(context.Background(), h.rooms["attic"].id, 0, 10+posters*perPoster)
	if err != nil {
		t.Fatal(err)
	}
	var want []int64 // every id, oldest first
	for _, m := range slices.Backward(all) {
		want = append(want, m.ID)
	}
	last := want[len(want)-1]
	for i, rec := range recs {
		eventually(t, "the last message", func() bool {
			ids := roomMessageIDs(t, rec)
			return len(ids) > 0 && ids[len(ids)-1] == last
		})
		got := roomMessageIDs(t, rec)
		if len(got) > len(want) || !slices.Equal(got, want[len(want)-len(got):]) {
			t.Fatalf("joiner %d got %v\nwant a suffix of %v", i, got, want)
		}
	}
}

// A client away while long messages were posted resumes: its missed
// messages are more than its outbound queue holds, so joined carries the
// newest that fit, with more set (the client pages the older ones), and so
// does its private backlog. Sent whole, the backlog overflowed the queue
// and the connection was closed as a slow consumer before its first
// write, at every attempt: the client could never come back.
func TestResumeWithAHugeBacklog(t *testing.T) {
	st := storetest.OpenSQLite(t)
	h := newHub(t, st, func(c *Config) { c.QueueBytes = 256 << 10 })
	alice, bob := newUser(t, st, "alice"), newUser(t, st, "bob")
	first, err := h.PostRoomMessage(context.Background(), alice, "general", "hello", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("x", 3000)
	for i := range 200 { // 600 kB of room messages, 600 kB of private ones
		if _, err := h.PostRoomMessage(context.Background(), alice, "general", fmt.Sprint(i, long), "", 0); err != nil {
			t.Fatal(err)
		}
		if _, err := h.PostPrivateMessage(context.Background(), alice, "bob", fmt.Sprint(i, long), "", 0); err != nil {
			t.Fatal(err)
		}
	}
	last, err := h.PostRoomMessage(context.Background(), alice, "general", "the latest", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	if _, err := h.Connect(context.Background(), bob, time.Time{}, rec,
		Resume{LastID: first.Message.ID, Room: "general"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "joined or a close", func() bool { return rec.count() >= 2 || rec.closeCode() != 0 })
	time.Sleep(50 * time.Millisecond)
	if code := rec.closeCode(); code != 0 {
		t.Fatalf("the resuming connection was closed with %d", code)
	}
	var joined map[string]any
	privates := 0
	for _, e := range rec.envelopes(t) {
		switch e["type"] {
		case chat.TypeJoined:
			joined = e
		case chat.TypePrivate:
			privates++
		}
	}
	history := joined["history"].([]any)
	newest := int64(history[len(history)-1].(map[string]any)["id"].(float64))
	if joined["resumed"] != true || joined["more"] != true || len(history) == 0 || newest != last.Message.ID {
		t.Errorf("joined resumed=%v more=%v with %d messages up to %d; want resumed, more, the newest up to %d",
			joined["resumed"], joined["more"], len(history), newest, last.Message.ID)
	}
	if privates == 0 {
		t.Error("no private message in the backlog")
	}
}
