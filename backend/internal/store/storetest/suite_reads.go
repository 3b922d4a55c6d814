package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
)

// mentioning is a room message from u that mentions people.
func mentioning(r chat.Room, from chat.User, text string, people ...chat.User) chat.NewMessage {
	n := roomMsg(r, from, text, "")
	for _, p := range people {
		n.Mentions = append(n.Mentions, p.Login)
		n.MentionIDs = append(n.MentionIDs, p.ID)
	}
	return n
}

// testReadCursors: a cursor only rises; unread counts leave out the
// reader's own messages, deleted ones and updates, and count mentions.
func testReadCursors(t *testing.T, f *fixture) {
	ann, ben := f.user("ann"), f.user("ben")
	hall := f.room("hall", ann)
	conv := chat.Conversation{RoomID: hall.ID}
	out := f.append(roomMsg(hall, ben, "one", ""), roomMsg(hall, ann, "mine", ""),
		mentioning(hall, ben, "@ann look", ann), roomMsg(hall, ben, "gone", ""))
	last := out[3].Message
	f.append(update(out[0].Message, ben, ben, chat.KindEdited, "one!"),
		update(last, ben, ben, chat.KindDeleted, ""))

	n, err := f.s.CountUnread(f.ctx, ann.ID, conv, 0)
	if err != nil || n != (chat.UnreadCount{Count: 2, Mentions: 1}) {
		t.Fatalf("unread before any read = %+v, %v; want 2 (one, the mention), 1 mention", n, err)
	}
	cur, moved, err := f.s.SetReadCursor(f.ctx, ann.ID, conv, out[0].Message.ID)
	if err != nil || !moved || cur != out[0].Message.ID {
		t.Fatalf("first read = %d %v %v", cur, moved, err)
	}
	cur, moved, err = f.s.SetReadCursor(f.ctx, ann.ID, conv, out[2].Message.ID)
	if err != nil || !moved || cur != out[2].Message.ID {
		t.Fatalf("read further = %d %v %v", cur, moved, err)
	}
	cur, moved, err = f.s.SetReadCursor(f.ctx, ann.ID, conv, out[0].Message.ID)
	if err != nil || moved || cur != out[2].Message.ID {
		t.Fatalf("read back = %d %v %v; want the cursor kept at %d", cur, moved, err, out[2].Message.ID)
	}
	if n, err = f.s.CountUnread(f.ctx, ann.ID, conv, cur); err != nil || n != (chat.UnreadCount{}) {
		t.Fatalf("unread after the read = %+v, %v", n, err)
	}

	// A private thread, both directions; the reader's own never count.
	dm := f.append(privateMsg(ben, ann, "psst", ""), privateMsg(ann, ben, "yes?", ""), privateMsg(ben, ann, "later", ""))
	pc := chat.Conversation{PeerID: ben.ID}
	if n, err = f.s.CountUnread(f.ctx, ann.ID, pc, 0); err != nil || n.Count != 2 {
		t.Fatalf("private unread = %+v, %v; want 2", n, err)
	}
	if _, _, err = f.s.SetReadCursor(f.ctx, ann.ID, pc, dm[0].Message.ID); err != nil {
		t.Fatal(err)
	}
	// ReadState: the same counts, for every conversation at once; a
	// room deleted since drops out.
	f.append(mentioning(hall, ben, "@ann again", ann), roomMsg(hall, ann, "mine again", ""))
	gone := f.room("gone", ann)
	if _, _, err = f.s.SetReadCursor(f.ctx, ann.ID, chat.Conversation{RoomID: gone.ID}, 1); err != nil {
		t.Fatal(err)
	}
	if err = f.s.DeleteRoom(f.ctx, gone.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	state, err := f.s.ReadState(f.ctx, ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []chat.ReadCursor{
		{Conversation: conv, Name: "hall", MessageID: out[2].Message.ID, Unread: chat.UnreadCount{Count: 1, Mentions: 1}},
		{Conversation: pc, Name: "ben", MessageID: dm[0].Message.ID, Unread: chat.UnreadCount{Count: 1}},
	}
	if !slices.Equal(state, want) {
		t.Fatalf("state = %+v, want %+v", state, want)
	}
	// ben never read: his thread with ann is listed without a cursor.
	state, err = f.s.ReadState(f.ctx, ben.ID)
	if err != nil || !slices.Equal(state, []chat.ReadCursor{{Conversation: chat.Conversation{PeerID: ann.ID}, Name: "ann",
		Unread: chat.UnreadCount{Count: 1}}}) {
		t.Fatalf("ben's state = %+v, %v", state, err)
	}
}

// testEnsureRoomCursor: a room's first cursor is at its newest message
// sent before a time, and made once.
func testEnsureRoomCursor(t *testing.T, f *fixture) {
	ann, ben := f.user("ann"), f.user("ben")
	hall := f.room("hall", ann)
	early := roomMsg(hall, ben, "before", "")
	late := roomMsg(hall, ben, "after", "")
	late.SentAt = early.SentAt + 10
	out := f.append(early, late)
	cur, err := f.s.EnsureRoomCursor(f.ctx, ann.ID, hall.ID, late.SentAt)
	if err != nil || cur != out[0].Message.ID {
		t.Fatalf("first cursor = %d, %v; want %d, the newest sent before", cur, err, out[0].Message.ID)
	}
	f.append(roomMsg(hall, ben, "later still", ""))
	if cur, err = f.s.EnsureRoomCursor(f.ctx, ann.ID, hall.ID, late.SentAt+1_000_000); err != nil || cur != out[0].Message.ID {
		t.Fatalf("second call = %d, %v; want the cursor kept", cur, err)
	}
	state, err := f.s.ReadState(f.ctx, ann.ID)
	if err != nil || len(state) != 1 || state[0].MessageID != out[0].Message.ID || state[0].Unread.Count != 2 {
		t.Fatalf("state = %+v, %v; want hall at %d with 2 unread", state, err, out[0].Message.ID)
	}
	if cur, err = f.s.EnsureRoomCursor(f.ctx, ben.ID, hall.ID, early.SentAt); err != nil || cur != 0 {
		t.Fatalf("a cursor before every message = %d, %v; want 0", cur, err)
	}
}

// testUnreadCountStops: a count reads no further than MaxUnreadCount.
func testUnreadCountStops(t *testing.T, f *fixture) {
	ann, ben := f.user("ann"), f.user("ben")
	hall := f.room("hall", ann)
	batch := make([]chat.NewMessage, chat.MaxUnreadCount+5)
	for i := range batch {
		batch[i] = roomMsg(hall, ben, "many", "")
	}
	f.append(batch...)
	f.append(mentioning(hall, ben, "@ann at last", ann))
	n, err := f.s.CountUnread(f.ctx, ann.ID, chat.Conversation{RoomID: hall.ID}, 0)
	if err != nil || n != (chat.UnreadCount{Count: chat.MaxUnreadCount, Mentions: 1}) {
		t.Fatalf("count = %+v, %v; want %d and the mention past it", n, err, chat.MaxUnreadCount)
	}
}

// testMentions: mentions are stored with their message, read back on it,
// and listed per person for resume and paging; deleted ones drop out.
func testMentions(t *testing.T, f *fixture) {
	ann, ben, cid := f.user("ann"), f.user("ben"), f.user("cid")
	hall := f.room("hall", ann)
	den := f.room("den", ben)
	out := f.append(mentioning(hall, ben, "@ann @cid hi", ann, cid), roomMsg(hall, ben, "plain", ""),
		mentioning(den, ben, "@ann here", ann), mentioning(hall, cid, "@ann again", ann))
	if got := out[0].Message.Mentions; !slices.Equal(got, chat.Logins{"ann", "cid"}) {
		t.Errorf("stored mentions = %q", got)
	}
	m, err := f.s.MessageByID(f.ctx, out[0].Message.ID)
	if err != nil || !slices.Equal(m.Mentions, chat.Logins{"ann", "cid"}) {
		t.Fatalf("read back mentions = %q, %v", m.Mentions, err)
	}
	if m, _ = f.s.MessageByID(f.ctx, out[1].Message.ID); len(m.Mentions) != 0 {
		t.Errorf("a plain message reads back mentions %q", m.Mentions)
	}
	after, err := f.s.MentionsAfter(f.ctx, ann.ID, 0, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, "ann's mentions", after, []int64{out[0].Message.ID, out[2].Message.ID, out[3].Message.ID})
	after, err = f.s.MentionsAfter(f.ctx, ann.ID, out[0].Message.ID, den.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, "ann's mentions after the first, den left out", after, []int64{out[3].Message.ID})

	if err := f.s.SetReceipt(f.ctx, ann.ID, out[2].Message.ID); err != nil {
		t.Fatal(err)
	}
	unseen, err := f.s.UnreceiptedMentions(f.ctx, ann.ID, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, "mentions above the receipt", unseen, []int64{out[3].Message.ID})

	f.append(update(out[3].Message, cid, cid, chat.KindDeleted, ""))
	page, err := f.s.Mentions(f.ctx, ann.ID, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, "newest mention (the deleted one left out)", page, []int64{out[2].Message.ID})
	page, err = f.s.Mentions(f.ctx, ann.ID, out[2].Message.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, "older mentions", page, []int64{out[0].Message.ID})
	if m, _ = f.s.MessageByID(f.ctx, out[3].Message.ID); len(m.Mentions) != 0 {
		t.Errorf("a tombstone keeps its mentions %q", m.Mentions)
	}
	cids, err := f.s.Mentions(f.ctx, cid.ID, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, "cid's mentions", cids, []int64{out[0].Message.ID})
}
