package hub

import (
	"context"
	"fmt"
	"slices"
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
		if _, err := h.PostRoomMessage(context.Background(), owner, "attic", fmt.Sprint("before ", i), ""); err != nil {
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
				if _, err := h.PostRoomMessage(context.Background(), owner, "attic", fmt.Sprintf("m%d-%d", p, i), ""); err != nil {
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
