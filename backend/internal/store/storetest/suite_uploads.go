package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
)

// upload records an upload of owner, created at (Unix milliseconds).
func (f *fixture) upload(id string, owner chat.User, at int64) chat.Attachment {
	f.t.Helper()
	u := chat.Upload{ID: id, OwnerID: owner.ID, Name: id + ".png", Size: 42, ContentType: "image/png",
		Width: 3, Height: 2, CreatedAt: at}
	if err := f.s.CreateUpload(f.ctx, u); err != nil {
		f.t.Fatalf("create upload %s: %v", id, err)
	}
	return chat.AttachmentOf(u)
}

// readable reports whether userID may fetch upload id.
func (f *fixture) readable(id string, userID int64) bool {
	f.t.Helper()
	_, err := f.s.ReadableUpload(f.ctx, id, userID)
	if err != nil && chat.ErrorCode(err) != chat.EFileNotFound {
		f.t.Fatalf("readable upload %s: %v", id, err)
	}
	return err == nil
}

// stale lists the uploads to remove with a day's cutoff at now.
func (f *fixture) stale(now int64) []string {
	f.t.Helper()
	ids, err := f.s.StaleUploads(f.ctx, now-day, 100)
	if err != nil {
		f.t.Fatal(err)
	}
	slices.Sort(ids)
	return ids
}

const day = int64(24 * time.Hour / time.Millisecond)

// testUploads: attachments are stored with their message in its
// transaction and read back in order by every reader; who may fetch a
// file follows who may read a message carrying it; a deletion or a day
// unattached makes an upload stale, and only stale ones are deleted.
func testUploads(t *testing.T, f *fixture) {
	ann, ben, cat := f.user("ann"), f.user("ben"), f.user("cat")
	hall := f.room("hall", ann)
	now := time.Now().UnixMilli()
	a, b, c := f.upload("aaaa", ann, now), f.upload("bbbb", ann, now), f.upload("cccc", ann, now)
	f.upload("old1", ben, now-day-1)

	if !f.readable("aaaa", ann.ID) || f.readable("aaaa", ben.ID) {
		t.Errorf("before it is attached only ann may fetch aaaa")
	}
	if got := f.stale(now); !slices.Equal(got, []string{"old1"}) {
		t.Errorf("stale before any message = %v, want [old1]", got)
	}

	// A room message carries b then a; a private one to ben carries c.
	inRoom := roomMsg(hall, ann, "", "r1")
	inRoom.Attachments = []chat.Attachment{b, a}
	toBen := privateMsg(ann, ben, "for you", "p1")
	toBen.Attachments = []chat.Attachment{c}
	out := f.append(inRoom, toBen)
	if got := out[0].Message.Attachments; len(got) != 2 || got[0].ID != "bbbb" || got[1].ID != "aaaa" {
		t.Errorf("stored attachments = %+v", got)
	}
	room := out[0].Message
	hist, err := f.s.RoomHistory(f.ctx, hall.ID, 0, 10)
	if err != nil || len(hist) != 1 || len(hist[0].Attachments) != 2 || hist[0].Attachments[0] != b || hist[0].Attachments[1] != a {
		t.Errorf("room history = %+v, %v", hist, err)
	}
	after, err := f.s.PrivateMessagesAfter(f.ctx, ben.ID, 0, 10)
	if err != nil || len(after) != 1 || len(after[0].Attachments) != 1 || after[0].Attachments[0] != c {
		t.Errorf("private messages after = %+v, %v", after, err)
	}
	again := f.append(inRoom)[0] // a retry returns the earlier message, files and all
	if !again.Duplicate || len(again.Message.Attachments) != 2 {
		t.Errorf("retry = %+v", again)
	}

	for _, tc := range []struct {
		id   string
		user chat.User
		want bool
	}{{"aaaa", cat, true}, {"cccc", ben, true}, {"cccc", ann, true}, {"cccc", cat, false}, {"old1", ann, false}} {
		if got := f.readable(tc.id, tc.user.ID); got != tc.want {
			t.Errorf("%s may fetch %s: %v, want %v", tc.user.Login, tc.id, got, tc.want)
		}
	}
	if _, err := f.s.ServableUpload(f.ctx, "cccc"); err != nil {
		t.Errorf("servable cccc: %v", err)
	}

	// Deleting the room message leaves its files to no one: stale, not
	// served; the private one's file stays.
	f.append(update(room, ann, ann, chat.KindDeleted, ""))
	if msg, err := f.s.MessageByID(f.ctx, room.ID); err != nil || len(msg.Attachments) != 0 {
		t.Errorf("tombstone = %+v, %v", msg, err)
	}
	if f.readable("aaaa", ann.ID) || f.readable("aaaa", cat.ID) {
		t.Errorf("aaaa is still readable after its only message was deleted")
	}
	if _, err := f.s.ServableUpload(f.ctx, "aaaa"); chat.ErrorCode(err) != chat.EFileNotFound {
		t.Errorf("servable aaaa after the deletion: %v", err)
	}
	if got := f.stale(now); !slices.Equal(got, []string{"aaaa", "bbbb", "old1"}) {
		t.Errorf("stale after the deletion = %v", got)
	}
	for _, id := range []string{"aaaa", "cccc", "old1"} {
		deleted, err := f.s.DeleteUpload(f.ctx, id, now-day)
		if err != nil || deleted != (id != "cccc") {
			t.Errorf("delete upload %s = %v, %v", id, deleted, err)
		}
	}
	// bbbb is gone (not yet swept): no longer to be attached.
	if got, err := f.s.UploadsByID(f.ctx, []string{"aaaa", "bbbb", "cccc", "old1"}); err != nil || len(got) != 1 {
		t.Errorf("uploads to attach = %+v, %v; want cccc", got, err)
	}

	// A file removed before its message is stored is left out of it.
	gone := f.upload("gone", ann, now)
	late := roomMsg(hall, ann, "late", "r2")
	late.Attachments = []chat.Attachment{gone, c}
	if _, err := f.s.DeleteUpload(f.ctx, "gone", now+1); err != nil {
		t.Fatal(err)
	}
	if got := f.append(late)[0].Message.Attachments; len(got) != 1 || got[0].ID != "cccc" {
		t.Errorf("attachments of a message whose file went = %+v", got)
	}

	// A deleted user's private threads take their files with them, unless
	// another message carries them (cccc: the room message "late").
	d := f.upload("dddd", ann, now)
	toCat := privateMsg(ann, cat, "for cat", "p2")
	toCat.Attachments = []chat.Attachment{d}
	f.append(toCat)
	for _, u := range []chat.User{ben, cat} {
		if err := f.s.DeleteUser(f.ctx, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.stale(now); !slices.Contains(got, "dddd") || slices.Contains(got, "cccc") {
		t.Errorf("stale after the recipients were deleted = %v: want dddd, not cccc", got)
	}
	if _, err := f.s.ServableUpload(f.ctx, "dddd"); chat.ErrorCode(err) != chat.EFileNotFound {
		t.Errorf("servable dddd after its only message went with cat: %v", err)
	}

	// A deleted user's uploads are stale at once.
	dan := f.user("dan")
	f.upload("dan1", dan, now)
	if err := f.s.DeleteUser(f.ctx, dan.ID); err != nil {
		t.Fatal(err)
	}
	if got := f.stale(now); !slices.Contains(got, "dan1") {
		t.Errorf("stale after its uploader was deleted = %v", got)
	}
}
