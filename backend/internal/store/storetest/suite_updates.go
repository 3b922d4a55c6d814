package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
)

// update is a new update of target by u, in target's conversation.
func update(target chat.Message, by, other chat.User, kind, text string) chat.NewMessage {
	n := chat.NewMessage{SenderID: by.ID, From: by.Login, Text: text, SentAt: time.Now().UnixMilli(),
		Kind: kind, TargetID: &target.ID}
	if target.RoomID != nil {
		n.RoomID, n.Room = target.RoomID, target.Room
	} else {
		n.RecipientID, n.To = &other.ID, other.Login
	}
	return n
}

func reactionUsers(rs []chat.Reaction) map[string][]string {
	out := map[string][]string{}
	for _, r := range rs {
		if r.Count != len(r.Users) {
			panic("reaction count is not its users")
		}
		out[r.Emoji] = r.Users
	}
	return out
}

// testUpdates: edits, deletions and reactions are items of the stream that
// change their message in the same transaction; histories show messages in
// their current state, the stream readers the updates too, in id order.
func testUpdates(t *testing.T, f *fixture) {
	ann, ben := f.user("ann"), f.user("ben")
	hall := f.room("hall", ann)
	first := f.append(roomMsg(hall, ann, "helo", ""))[0].Message
	reply := roomMsg(hall, ben, "hi ann", "")
	reply.ReplyTo, reply.ReplyFrom, reply.ReplyText = &first.ID, ann.Login, first.Text
	r := f.append(reply)[0].Message
	if r.ReplyTo == nil || *r.ReplyTo != first.ID || r.ReplyFrom != "ann" || r.ReplyText != "helo" {
		t.Errorf("stored reply = %+v", r)
	}

	out := f.append(update(first, ann, ann, chat.KindEdited, "hello"),
		update(first, ben, ben, chat.KindReaction, "👍"),
		update(first, ann, ann, chat.KindReaction, "👍"),
		update(first, ann, ann, chat.KindReaction, "🎉"))
	edit, like := out[0].Message, out[3].Message
	if got := reactionUsers(like.Reactions); !slices.Equal(got["👍"], []string{"ben", "ann"}) ||
		!slices.Equal(got["🎉"], []string{"ann"}) || like.Reactions[0].Emoji != "👍" {
		t.Errorf("reactions after the third = %+v", like.Reactions)
	}
	unlike := f.append(update(first, ben, ben, chat.KindReaction, "👍"))[0].Message
	if got := reactionUsers(unlike.Reactions); !slices.Equal(got["👍"], []string{"ann"}) {
		t.Errorf("reactions after ben took his back = %+v", unlike.Reactions)
	}

	hist, err := f.s.RoomHistory(f.ctx, hall.ID, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, "history: messages only", hist, []int64{r.ID, first.ID})
	if h := hist[1]; h.Text != "hello" || h.EditedAt == nil || *h.EditedAt != edit.SentAt || len(h.Reactions) != 2 {
		t.Errorf("edited message in history = %+v", h)
	}
	if hist[0].ReplyText != "hello" {
		t.Errorf("a reply's snippet is its message's current text: %q", hist[0].ReplyText)
	}
	stream, err := f.s.RoomMessagesAfter(f.ctx, hall.ID, r.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, "stream after the reply", stream, []int64{edit.ID, out[1].Message.ID, out[2].Message.ID,
		like.ID, unlike.ID})
	if s := stream[0]; s.Kind != chat.KindEdited || *s.TargetID != first.ID || s.Text != "hello" || s.From != "ann" {
		t.Errorf("edit item = %+v", s)
	}

	del := f.append(update(first, ann, ann, chat.KindDeleted, ""))[0].Message
	got, err := f.s.MessageByID(f.ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Deleted || got.Text != "" || len(got.Reactions) != 0 {
		t.Errorf("tombstone = %+v", got)
	}
	stream, _ = f.s.RoomMessagesAfter(f.ctx, hall.ID, r.ID, 10)
	if stream[0].Text != "" || stream[len(stream)-1].ID != del.ID {
		t.Errorf("after the delete the stream keeps the edit's text %q, ends at %d", stream[0].Text, stream[len(stream)-1].ID)
	}
	for _, kind := range []string{chat.KindEdited, chat.KindReaction, chat.KindDeleted} {
		_, err := f.s.AppendMessages(f.ctx, []chat.NewMessage{roomMsg(hall, ben, "with it", ""),
			update(first, ann, ann, kind, "x")})
		wantCode(t, kind+" of a deleted message", err, chat.EMessageNotFound)
	}
	if latest, _ := f.s.LatestMessageID(f.ctx); latest != del.ID {
		t.Errorf("a failed batch stored something: latest %d, want %d", latest, del.ID)
	}
	_, err = f.s.MessageByID(f.ctx, del.ID)
	wantCode(t, "an update by id", err, chat.EMessageNotFound)
}

// testPrivateUpdates: a private thread's updates are items of the thread,
// read back by both people's stream readers.
func testPrivateUpdates(t *testing.T, f *fixture) {
	ann, ben := f.user("ann"), f.user("ben")
	m := f.append(privateMsg(ann, ben, "psst", ""))[0].Message
	out := f.append(update(m, ben, ann, chat.KindReaction, "👀"), update(m, ann, ben, chat.KindEdited, "psst!"))
	for _, u := range []chat.User{ann, ben} {
		got, err := f.s.PrivateMessagesAfter(f.ctx, u.ID, m.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		wantIDs(t, u.Login+"'s private stream", got, storedIDs(out))
	}
	hist, _ := f.s.PrivateHistory(f.ctx, ben.ID, ann.ID, 0, 10)
	wantIDs(t, "thread history", hist, []int64{m.ID})
	if hist[0].Text != "psst!" || reactionUsers(hist[0].Reactions)["👀"][0] != "ben" {
		t.Errorf("thread message = %+v", hist[0])
	}
}
