package hub

import (
	"fmt"
	"testing"

	"github.com/salachat/sala/backend/internal/store/storetest"
)

// A mention that arrives while a connection joins is held behind joined,
// and one the join's backlog carried already is not sent again, live or
// held.
func TestMentionsDuringAJoinAreSentOnce(t *testing.T) {
	st := storetest.OpenSQLite(t)
	h := newHub(t, st, nil)
	c, rec := connectRecorded(t, h, newUser(t, st, "alice"))
	written := len(rec.envelopes(t))
	r := c.currentRoom()
	c.mu.Lock()
	c.holding = true
	c.mu.Unlock()
	c.deliverMention(4, []byte(`{"type":"mention","id":4}`)) // held, and in the backlog below
	c.deliverMention(7, []byte(`{"type":"mention","id":7}`)) // held, newer than the backlog
	c.finishJoin(r, [][]byte{[]byte(`{"type":"joined"}`), []byte(`{"type":"mention","id":5}`)}, 0, 0, 5)
	c.deliverMention(5, []byte(`{"type":"mention","id":5}`)) // carried by the backlog
	c.deliverMention(8, []byte(`{"type":"mention","id":8}`))
	eventually(t, "envelopes written", func() bool { return len(rec.envelopes(t)) == written+4 })
	var ids []any
	for _, e := range rec.envelopes(t)[written+1:] {
		ids = append(ids, e["id"])
	}
	if fmt.Sprint(ids) != "[5 7 8]" {
		t.Errorf("mentions written %v, want [5 7 8]", ids)
	}
}
