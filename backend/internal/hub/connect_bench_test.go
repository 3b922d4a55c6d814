package hub

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/store/storetest"
)

// BenchmarkConnect is a connect (welcome with its unread counts, joined,
// the private and mention backlogs) and disconnect, on SQLite, of someone
// who signed up after a busy default room's 2,000 messages.
func BenchmarkConnect(b *testing.B) {
	st := storetest.OpenSQLite(b)
	h := newHub(b, st, nil)
	var peers []chat.User
	for i := range 5 {
		peers = append(peers, newUser(b, st, fmt.Sprint("peer", i)))
	}
	def := h.def.id
	earlier := time.Now().Add(-time.Minute).UnixMilli() // before ada's account
	batch := make([]chat.NewMessage, 0, 2000)
	for i := range 2000 {
		p := peers[i%len(peers)]
		batch = append(batch, chat.NewMessage{RoomID: &def, Room: h.def.name, SenderID: p.ID, From: p.Login,
			Text: "hi", SentAt: earlier})
	}
	if _, err := st.AppendMessages(context.Background(), batch); err != nil {
		b.Fatal(err)
	}
	ada := newUser(b, st, "ada")
	b.ResetTimer()
	for range b.N {
		c, err := h.Connect(context.Background(), ada, time.Time{}, &recorder{}, Resume{})
		if err != nil {
			b.Fatal(err)
		}
		h.Disconnect(c)
	}
}
