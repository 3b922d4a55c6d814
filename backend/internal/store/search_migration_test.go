package store_test

import (
	"testing"

	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/store"
	"github.com/salachat/sala/backend/internal/store/storetest"
)

// TestSearchIndexesStoredMessages: the search migration indexes the
// messages stored before it, in their current state (an edited one by its
// new text, a deleted one not at all).
func TestSearchIndexesStoredMessages(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, s chat.Store) {
		ctx := t.Context()
		ann, hall := storetest.AnnInHall(t, s)
		msg := func(text string) chat.NewMessage {
			return chat.NewMessage{RoomID: &hall.ID, Room: "hall", SenderID: ann.ID, From: "ann", Text: text, SentAt: 1}
		}
		out, err := s.AppendMessages(ctx, []chat.NewMessage{msg("kept words"), msg("old words"), msg("gone words")})
		if err != nil {
			t.Fatal(err)
		}
		update := func(kind, text string, target int64) chat.NewMessage {
			u := msg(text)
			u.Kind, u.TargetID = kind, &target
			return u
		}
		if _, err := s.AppendMessages(ctx, []chat.NewMessage{update(chat.KindEdited, "new words", out[1].Message.ID),
			update(chat.KindDeleted, "", out[2].Message.ID)}); err != nil {
			t.Fatal(err)
		}
		if err := store.MigrateDownTo(s, 4); err != nil {
			t.Fatal(err)
		}
		got, err := s.SearchMessages(ctx, ann.ID, []string{"words"}, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != out[1].Message.ID || got[1].ID != out[0].Message.ID {
			t.Fatalf("after the migration, words finds %+v", got)
		}
		if got, _ := s.SearchMessages(ctx, ann.ID, []string{"old"}, 0, 10); len(got) != 0 {
			t.Errorf("an edited message's old text: %+v", got)
		}
	})
}
