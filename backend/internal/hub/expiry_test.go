package hub

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/store/storetest"
)

// A send that arrives once the connection's token has expired is not
// taken: the connection closes with 4001 and nothing is stored, even when
// it comes before the expiry timer has fired.
func TestSendAfterTokenExpiryIsNotStored(t *testing.T) {
	st := storetest.OpenSQLite(t)
	var offset atomic.Int64 // the hub's clock runs this far ahead of the real one
	h := New(DefaultConfig(), st, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	h.now = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	if err := h.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Shutdown(context.Background()) })
	rec := &recorder{}
	expires := h.now().Add(time.Hour) // the real timer is an hour away
	c, err := h.Connect(context.Background(), newUser(t, st, "alice"), expires, rec, Resume{})
	if err != nil {
		t.Fatal(err)
	}
	offset.Store(int64(2 * time.Hour))
	h.Receive(context.Background(), c, []byte(`{"type":"send","id":"m1","text":"too late"}`), false)
	select {
	case <-c.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the connection stayed open after its token expired")
	}
	if code := rec.closeCode(); code != chat.CloseTokenExpired {
		t.Errorf("closed with %d, want %d", code, chat.CloseTokenExpired)
	}
	// The write path keeps order: once bob's message is broadcast, one
	// submitted before it would be stored too.
	bob, bobSees := connectRecorded(t, h, newUser(t, st, "bob"))
	h.Receive(context.Background(), bob, []byte(`{"type":"send","id":"b1","text":"still here"}`), false)
	eventually(t, "bob's own message", func() bool { return len(roomTexts(t, bobSees)) > 0 })
	if hist, err := st.RoomHistory(context.Background(), h.def.id, 0, 10); err != nil || len(hist) != 1 {
		t.Errorf("stored %+v, %v; want bob's message alone", hist, err)
	}
}
