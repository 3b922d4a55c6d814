package storetest

import (
	"testing"

	"github.com/salachat/sala/backend/internal/chat"
)

// search runs a search as u and fails the test on error.
func (f *fixture) search(u chat.User, q string, before int64, limit int) []chat.Message {
	f.t.Helper()
	got, err := f.s.SearchMessages(f.ctx, u.ID, chat.SearchTerms(q), before, limit)
	if err != nil {
		f.t.Fatalf("search %q as %s: %v", q, u.Login, err)
	}
	return got
}

// testSearch: a search finds the words of room messages and of the
// caller's own private threads, never another pair's; every word must be
// there, each as a word's beginning, any case.
func testSearch(t *testing.T, f *fixture) {
	ann, ben, cy := f.user("ann"), f.user("ben"), f.user("cy")
	hall := f.room("hall", ann)
	out := f.append(
		roomMsg(hall, ann, "The Deploy is done", ""),
		privateMsg(ann, ben, "deploy keys are in the vault", ""),
		privateMsg(ben, cy, "secret deploy plans", ""),
		roomMsg(hall, ben, "lunch?", ""),
		roomMsg(hall, cy, "redeploy tomorrow, deployment later", ""),
	)
	room, annBen, benCy, later := out[0].Message, out[1].Message, out[2].Message, out[4].Message

	wantIDs(t, "ann's search", f.search(ann, "deploy", 0, 10), []int64{later.ID, annBen.ID, room.ID})
	wantIDs(t, "ben's search", f.search(ben, "DEPLOY", 0, 10), []int64{later.ID, benCy.ID, annBen.ID, room.ID})
	wantIDs(t, "cy's search", f.search(cy, "deploy", 0, 10), []int64{later.ID, benCy.ID, room.ID})
	wantIDs(t, "two words, both needed", f.search(ann, "deploy vault", 0, 10), []int64{annBen.ID})
	wantIDs(t, "a word's beginning", f.search(ann, "vau", 0, 10), []int64{annBen.ID})
	wantIDs(t, "not inside a word", f.search(ann, "ploy", 0, 10), []int64{})
	wantIDs(t, "another pair's words", f.search(ann, "secret", 0, 10), []int64{})
	wantIDs(t, "operators are words", f.search(ann, `deploy OR "lunch" NOT -`, 0, 10), []int64{})

	got := f.search(ann, "vault", 0, 10)
	if len(got) != 1 || got[0].From != "ann" || got[0].To != "ben" || got[0].Text != annBen.Text {
		t.Errorf("private result = %+v", got)
	}
	got = f.search(ben, "done", 0, 10)
	if len(got) != 1 || got[0].Room != "hall" || got[0].From != "ann" {
		t.Errorf("room result = %+v", got)
	}
}

// testSearchPages: newest first, limit and before page through the results.
func testSearchPages(t *testing.T, f *fixture) {
	ann := f.user("ann")
	hall := f.room("hall", ann)
	var batch []chat.NewMessage
	for range 7 {
		batch = append(batch, roomMsg(hall, ann, "standup notes", ""), roomMsg(hall, ann, "other things", ""))
	}
	out := f.append(batch...)
	var want []int64
	for i := len(out) - 2; i >= 0; i -= 2 {
		want = append(want, out[i].Message.ID)
	}
	first := f.search(ann, "standup", 0, 3)
	wantIDs(t, "first page", first, want[:3])
	wantIDs(t, "second page", f.search(ann, "standup", first[2].ID, 3), want[3:6])
	wantIDs(t, "last page", f.search(ann, "standup", want[5], 3), want[6:])
}

// testSearchCurrentText: an edited message matches its new words only, a
// deleted one nothing; updates (whose rows hold an edit's text) never match.
func testSearchCurrentText(t *testing.T, f *fixture) {
	ann, ben := f.user("ann"), f.user("ben")
	hall := f.room("hall", ann)
	out := f.append(roomMsg(hall, ann, "meet at noon", ""), privateMsg(ann, ben, "gift for carla", ""),
		roomMsg(hall, ann, "quarterly report draft", ""))
	noon, gift, report := out[0].Message, out[1].Message, out[2].Message

	f.append(update(noon, ann, ann, chat.KindEdited, "meet at five"))
	wantIDs(t, "old words of an edited message", f.search(ann, "noon", 0, 10), []int64{})
	wantIDs(t, "new words of an edited message", f.search(ann, "five", 0, 10), []int64{noon.ID})
	f.append(update(noon, ann, ann, chat.KindEdited, "meet at six"))
	wantIDs(t, "words of an earlier edit", f.search(ben, "five", 0, 10), []int64{})

	f.append(update(gift, ann, ben, chat.KindDeleted, ""), update(report, ann, ann, chat.KindDeleted, ""))
	wantIDs(t, "a deleted private message", f.search(ben, "gift", 0, 10), []int64{})
	wantIDs(t, "a deleted room message", f.search(ann, "report", 0, 10), []int64{})
	wantIDs(t, "what is left", f.search(ann, "meet", 0, 10), []int64{noon.ID})

	if err := f.s.DeleteUser(f.ctx, ann.ID); err != nil {
		t.Fatal(err)
	}
	wantIDs(t, "a deleted user's messages", f.search(ben, "meet", 0, 10), []int64{})
}

// testHistoryAfter: the history read forward from a message, messages only.
func testHistoryAfter(t *testing.T, f *fixture) {
	ann, ben := f.user("ann"), f.user("ben")
	hall := f.room("hall", ann)
	out := f.append(roomMsg(hall, ann, "one", ""), privateMsg(ann, ben, "p1", ""), roomMsg(hall, ann, "two", ""),
		privateMsg(ben, ann, "p2", ""), roomMsg(hall, ann, "three", ""))
	f.append(update(out[2].Message, ann, ann, chat.KindEdited, "two!"))

	got, err := f.s.RoomHistoryAfter(f.ctx, hall.ID, out[0].Message.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, "room after the first", got, []int64{out[2].Message.ID, out[4].Message.ID})
	if got[0].Text != "two!" {
		t.Errorf("edited message after = %+v", got[0])
	}
	got, err = f.s.PrivateHistoryAfter(f.ctx, ben.ID, ann.ID, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, "private after 0, one", got, []int64{out[1].Message.ID})
}
