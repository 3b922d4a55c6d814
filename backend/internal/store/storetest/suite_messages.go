package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/salachat/sala/backend/internal/chat"
)

func testAppendKeepsOrder(t *testing.T, f *fixture) {
	ann, ben := f.user("ann"), f.user("ben")
	hall := f.room("hall", ann)
	var batch []chat.NewMessage
	for i := range 10 {
		m := roomMsg(hall, ann, fmt.Sprintf("m%d", i), fmt.Sprintf("c%d", i))
		if i%3 == 0 {
			m = privateMsg(ann, ben, fmt.Sprintf("m%d", i), "")
		}
		m.SentAt = int64(1000 + i)
		batch = append(batch, m)
	}
	out := f.append(batch...)
	for i, st := range out {
		m, in := st.Message, batch[i]
		if st.Duplicate || m.Text != in.Text || m.SentAt != in.SentAt || m.From != "ann" ||
			m.ClientID != in.ClientID || m.SenderID != ann.ID {
			t.Errorf("result %d = %+v, want input %+v", i, st, in)
		}
		if i > 0 && m.ID <= out[i-1].Message.ID {
			t.Errorf("ids do not increase: %v", storedIDs(out))
		}
		if in.RecipientID != nil && (m.To != "ben" || m.RecipientID == nil || *m.RecipientID != ben.ID || m.RoomID != nil || m.Room != "") {
			t.Errorf("private result %d = %+v", i, m)
		}
		if in.RoomID != nil && (m.Room != "hall" || m.RoomID == nil || *m.RoomID != hall.ID || m.RecipientID != nil || m.To != "") {
			t.Errorf("room result %d = %+v", i, m)
		}
	}
	// What was returned is what is read back.
	hist, err := f.s.RoomHistory(f.ctx, hall.ID, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	var want []chat.Message
	for _, st := range slices.Backward(out) {
		if !st.Message.IsPrivate() {
			want = append(want, st.Message)
		}
	}
	if !equalMessages(hist, want) {
		t.Errorf("RoomHistory = %+v\nwant %+v", hist, want)
	}
	if out, err := f.s.AppendMessages(f.ctx, nil); err != nil || len(out) != 0 {
		t.Errorf("AppendMessages(nil) = %v, %v", out, err)
	}
}

// On SQLite a batch goes in as several INSERTs of a power of two of rows
// each (300 is 256 + 32 + 8 + 4), on PostgreSQL as one: either way ids
// follow the input, a client id repeated in a later chunk is a duplicate of
// the first, and every row is stored.
func testAppendInChunks(t *testing.T, f *fixture) {
	ann := f.user("ann")
	hall := f.room("hall", ann)
	total := 0
	for _, size := range []int{1, 7, 300} {
		var batch []chat.NewMessage
		for i := range size {
			clientID := fmt.Sprintf("s%d-%d", size, i)
			if i%2 == 1 {
				clientID = "" // rows without a client id are matched by order
			}
			batch = append(batch, roomMsg(hall, ann, fmt.Sprintf("m%d", i), clientID))
		}
		if size == 300 { // the first chunk's message again, in the last chunk
			batch[298] = roomMsg(hall, ann, "again", "s300-0")
		}
		out := f.append(batch...)
		var last int64
		for i, st := range out {
			if i == 298 && size == 300 {
				if !st.Duplicate || st.Message.ID != out[0].Message.ID {
					t.Errorf("a client id repeated across chunks: %+v, want a duplicate of %d", st, out[0].Message.ID)
				}
				continue
			}
			if st.Duplicate || st.Message.Text != batch[i].Text || st.Message.ID <= last {
				t.Fatalf("batch of %d, result %d = %+v after id %d", size, i, st, last)
			}
			last = st.Message.ID
			total++
		}
	}
	hist, err := f.s.RoomHistory(f.ctx, hall.ID, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != total {
		t.Errorf("%d messages stored, want %d", len(hist), total)
	}
}

func testRoomHistoryPages(t *testing.T, f *fixture) {
	ann := f.user("ann")
	hall, other := f.room("hall", ann), f.room("other", ann)
	var batch []chat.NewMessage
	for i := range 25 {
		batch = append(batch, roomMsg(hall, ann, fmt.Sprint(i), ""), roomMsg(other, ann, "elsewhere", ""))
	}
	var all []int64
	for i, st := range f.append(batch...) {
		if i%2 == 0 {
			all = append(all, st.Message.ID)
		}
	}
	newest := reversed(all)
	page1, err := f.s.RoomHistory(f.ctx, hall.ID, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, "page 1", page1, newest[:10])
	page2, _ := f.s.RoomHistory(f.ctx, hall.ID, page1[9].ID, 10)
	wantIDs(t, "page 2", page2, newest[10:20])
	if len(page2) == 10 {
		page3, _ := f.s.RoomHistory(f.ctx, hall.ID, page2[9].ID, 10)
		wantIDs(t, "page 3", page3, newest[20:])
		if end, _ := f.s.RoomHistory(f.ctx, hall.ID, page3[len(page3)-1].ID, 10); len(end) != 0 {
			t.Errorf("past the oldest message: %v", ids(end))
		}
	}
	if page1[0].Room != "hall" || page1[0].From != "ann" || page1[0].Text != "24" {
		t.Errorf("newest message = %+v", page1[0])
	}
	if def, _ := f.s.RoomHistory(f.ctx, hall.ID, -1, 0); len(def) != 25 {
		t.Errorf("before -1, limit 0: %d messages, want all 25 (default limit 50)", len(def))
	}
}

func testRoomMessagesAfter(t *testing.T, f *fixture) {
	ann := f.user("ann")
	hall, other := f.room("hall", ann), f.room("other", ann)
	var batch []chat.NewMessage
	for i := range 8 {
		batch = append(batch, roomMsg(hall, ann, fmt.Sprint(i), ""), roomMsg(other, ann, "x", ""))
	}
	out := f.append(batch...)
	after, err := f.s.RoomMessagesAfter(f.ctx, hall.ID, out[4].Message.ID, 3)
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, "RoomMessagesAfter", after, []int64{out[6].Message.ID, out[8].Message.ID, out[10].Message.ID})
	if rest, _ := f.s.RoomMessagesAfter(f.ctx, hall.ID, out[14].Message.ID, 10); len(rest) != 0 {
		t.Errorf("after the newest: %v", ids(rest))
	}
	if all, _ := f.s.RoomMessagesAfter(f.ctx, hall.ID, 0, 100); len(all) != 8 || all[0].Text != "0" {
		t.Errorf("after 0: %+v", all)
	}
}

func testIdempotentClientIDs(t *testing.T, f *fixture) {
	ann, ben := f.user("ann"), f.user("ben")
	hall := f.room("hall", ann)
	first := roomMsg(hall, ann, "hello", "c1")
	first.SentAt = 1000
	orig := f.append(first)[0]

	retry := roomMsg(hall, ann, "hello again", "c1")
	retry.SentAt = 2000
	sameBatch := roomMsg(hall, ann, "twice", "c2")
	out := f.append(retry, sameBatch, sameBatch, roomMsg(hall, ben, "ben's c1", "c1"),
		roomMsg(hall, ann, "no id", ""), roomMsg(hall, ann, "no id", ""))

	if !out[0].Duplicate || !equalMessages([]chat.Message{out[0].Message}, []chat.Message{orig.Message}) {
		t.Errorf("retried client id = %+v, want duplicate of %+v", out[0], orig.Message)
	}
	if out[1].Duplicate || !out[2].Duplicate || out[2].Message.ID != out[1].Message.ID {
		t.Errorf("client id twice in a batch: %+v / %+v", out[1], out[2])
	}
	if out[3].Duplicate || out[3].Message.From != "ben" || out[3].Message.ID == orig.Message.ID {
		t.Errorf("same client id from another sender = %+v, want a new message", out[3])
	}
	if out[4].Duplicate || out[5].Duplicate || out[4].Message.ID == out[5].Message.ID {
		t.Errorf("messages without client id deduplicated: %+v / %+v", out[4], out[5])
	}
	hist, _ := f.s.RoomHistory(f.ctx, hall.ID, 0, 50)
	if len(hist) != 5 {
		t.Errorf("stored %d messages, want 5: %+v", len(hist), hist)
	}
	// A later batch repeating an id of the same batch twice.
	again := f.append(sameBatch, first)
	if !again[0].Duplicate || again[0].Message.ID != out[1].Message.ID || !again[1].Duplicate || again[1].Message.SentAt != 1000 {
		t.Errorf("repeated batch = %+v", again)
	}
}

func testLargeBatch(t *testing.T, f *fixture) {
	ann, ben := f.user("ann"), f.user("ben")
	hall := f.room("hall", ann)
	// Over one statement's worth of rows, with repeats across the chunks.
	var batch []chat.NewMessage
	for i := range 1200 {
		switch {
		case i%5 == 0:
			batch = append(batch, privateMsg(ann, ben, fmt.Sprint(i), ""))
		case i >= 1100:
			batch = append(batch, roomMsg(hall, ann, fmt.Sprint(i), fmt.Sprintf("c%d", i-1000)))
		default:
			batch = append(batch, roomMsg(hall, ann, fmt.Sprint(i), fmt.Sprintf("c%d", i)))
		}
	}
	out := f.append(batch...)
	var last int64
	for i, st := range out {
		if dup := i >= 1100 && i%5 != 0; st.Duplicate != dup {
			t.Fatalf("result %d: duplicate %v, want %v", i, st.Duplicate, dup)
		}
		if st.Duplicate {
			if st.Message.ID != out[i-1000].Message.ID {
				t.Fatalf("result %d: id %d, want %d", i, st.Message.ID, out[i-1000].Message.ID)
			}
			continue
		}
		if st.Message.ID <= last || st.Message.Text != fmt.Sprint(i) {
			t.Fatalf("result %d = %+v after id %d", i, st.Message, last)
		}
		last = st.Message.ID
	}
}

func testPrivateThreads(t *testing.T, f *fixture) {
	ann, ben, cat := f.user("ann"), f.user("ben"), f.user("cat")
	out := f.append(privateMsg(ann, ben, "a→b", ""), privateMsg(ben, ann, "b→a", ""),
		privateMsg(ann, cat, "a→c", ""), privateMsg(cat, ben, "c→b", ""), privateMsg(ann, ben, "a→b 2", ""))
	thread := []int64{out[4].Message.ID, out[1].Message.ID, out[0].Message.ID}
	for _, pair := range [][2]int64{{ann.ID, ben.ID}, {ben.ID, ann.ID}} {
		got, err := f.s.PrivateHistory(f.ctx, pair[0], pair[1], 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		wantIDs(t, "ann–ben thread", got, thread)
		if len(got) == 3 && (got[1].From != "ben" || got[1].To != "ann" || got[1].Room != "" || got[1].RoomID != nil) {
			t.Errorf("ben→ann message = %+v", got[1])
		}
	}
	page, _ := f.s.PrivateHistory(f.ctx, ann.ID, ben.ID, out[4].Message.ID, 1)
	wantIDs(t, "thread before the newest, limit 1", page, thread[1:2])
	cb, _ := f.s.PrivateHistory(f.ctx, ben.ID, cat.ID, 0, 10)
	wantIDs(t, "cat–ben thread", cb, []int64{out[3].Message.ID})
	if none, _ := f.s.PrivateHistory(f.ctx, cat.ID, f.user("dan").ID, 0, 10); len(none) != 0 {
		t.Errorf("thread with no messages: %v", ids(none))
	}
}

func testPrivateMessagesAfter(t *testing.T, f *fixture) {
	ann, ben, cat := f.user("ann"), f.user("ben"), f.user("cat")
	hall := f.room("hall", ann)
	out := f.append(privateMsg(ann, ben, "1", ""), roomMsg(hall, ann, "room", ""),
		privateMsg(cat, ben, "2", ""), privateMsg(ben, ann, "3", ""), privateMsg(cat, ann, "4", ""))
	got, err := f.s.PrivateMessagesAfter(f.ctx, ann.ID, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, "ann's private messages", got, []int64{out[0].Message.ID, out[3].Message.ID, out[4].Message.ID})
	got, _ = f.s.PrivateMessagesAfter(f.ctx, ann.ID, out[0].Message.ID, 1)
	wantIDs(t, "after the first, limit 1", got, []int64{out[3].Message.ID})
	got, _ = f.s.PrivateMessagesAfter(f.ctx, ben.ID, out[2].Message.ID, 10)
	wantIDs(t, "ben's after the second", got, []int64{out[3].Message.ID})
	again := f.append(roomMsg(hall, ben, "room again", ""))
	if got, err := f.s.LatestMessageID(f.ctx); err != nil || got != again[0].Message.ID {
		t.Errorf("LatestMessageID = %d, %v; want %d", got, err, again[0].Message.ID)
	}
	got, err = f.s.MessagesBetween(f.ctx, out[0].Message.ID, out[3].Message.ID, 10)
	wantIDs(t, "messages between the first and the fourth", got, []int64{out[1].Message.ID, out[2].Message.ID, out[3].Message.ID})
	if err != nil {
		t.Error(err)
	}
	got, _ = f.s.MessagesBetween(f.ctx, 0, again[0].Message.ID, 2)
	wantIDs(t, "the first two messages", got, []int64{out[0].Message.ID, out[1].Message.ID})
}

// testReceipts: a private message counts as delivered up to its
// recipient's receipt, which never goes back.
func testReceipts(t *testing.T, f *fixture) {
	ann, ben := f.user("ann"), f.user("ben")
	hall := f.room("hall", ann)
	out := f.append(privateMsg(ann, ben, "one", ""), roomMsg(hall, ann, "room", ""),
		privateMsg(ann, ben, "two", ""), privateMsg(ben, ann, "to ann", ""))
	got, err := f.s.UnreceiptedPrivate(f.ctx, ben.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, "ben's private messages, no receipt yet", got, []int64{out[0].Message.ID, out[2].Message.ID})
	if len(got) == 2 && (got[0].Text != "one" || got[0].To != "ben" || got[0].From != "ann") {
		t.Errorf("private message = %+v", got[0])
	}
	if err := f.s.SetReceipt(f.ctx, ben.ID, out[1].Message.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.s.SetReceipt(f.ctx, ben.ID, out[0].Message.ID); err != nil { // older: ignored
		t.Fatal(err)
	}
	got, _ = f.s.UnreceiptedPrivate(f.ctx, ben.ID, 10)
	wantIDs(t, "ben's after his receipt", got, []int64{out[2].Message.ID})
	got, _ = f.s.UnreceiptedPrivate(f.ctx, ann.ID, 10)
	wantIDs(t, "ann's, her own sent ones not counted", got, []int64{out[3].Message.ID})
}

// Texts and client ids keep every character, including those an array
// literal or a VALUES list would have to escape, and the word NULL.
func testTextsVerbatim(t *testing.T, f *fixture) {
	ann, ben := f.user("ann"), f.user("ben")
	hall := f.room("hall", ann)
	odd := []string{`NULL`, `a "quoted", {braced} word`, `back\slash \"`, "tab\tand\nnewline\r", `'single' ; --`,
		"ünïcödé 👋 ∑", " spaced ", "{}", `\N`, "a,b", "emoji\u200bzero-width"}
	var batch []chat.NewMessage
	for i, text := range odd {
		m := roomMsg(hall, ann, text, text) // the text doubles as the client id
		if i%4 == 3 {
			m = privateMsg(ann, ben, text, text)
		}
		batch = append(batch, m)
	}
	out := f.append(batch...)
	for i, st := range out {
		if st.Duplicate || st.Message.Text != odd[i] || st.Message.ClientID != odd[i] {
			t.Errorf("result %d = %q (client id %q, duplicate %v), want %q", i, st.Message.Text, st.Message.ClientID, st.Duplicate, odd[i])
		}
	}
	hist, err := f.s.RoomMessagesAfter(f.ctx, hall.ID, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	var stored []string
	for _, m := range hist {
		stored = append(stored, m.Text+"|"+m.ClientID)
	}
	var want []string
	for i, text := range odd {
		if i%4 != 3 {
			want = append(want, text+"|"+text)
		}
	}
	if !slices.Equal(stored, want) {
		t.Errorf("read back %q\nwant %q", stored, want)
	}
	// Each client id is now taken: sent again, each is a duplicate.
	for i, st := range f.append(batch...) {
		if !st.Duplicate || st.Message.ID != out[i].Message.ID {
			t.Errorf("resent %q = %+v, want a duplicate of %d", odd[i], st, out[i].Message.ID)
		}
	}
}

func testFailedBatch(t *testing.T, f *fixture) {
	ann := f.user("ann")
	hall := f.room("hall", ann)
	ghost := chat.User{ID: ann.ID + 1000, Login: "ghost"}
	_, err := f.s.AppendMessages(f.ctx, []chat.NewMessage{roomMsg(hall, ann, "ok", "c1"), roomMsg(hall, ghost, "boo", "c2")})
	if err == nil {
		t.Fatal("a batch with an unknown sender was stored")
	}
	if code := chat.ErrorCode(err); code != chat.EUserNotFound {
		t.Errorf("unknown sender: error %v, code %q; want user_not_found", err, code)
	}
	if hist, _ := f.s.RoomHistory(f.ctx, hall.ID, 0, 10); len(hist) != 0 {
		t.Fatalf("a failed batch left messages: %+v", hist)
	}
	// The store is usable and the good message's client id is still free.
	if st := f.append(roomMsg(hall, ann, "ok", "c1")); st[0].Duplicate {
		t.Error("the client id of a failed batch counts as used")
	}
}

// equalMessages compares messages field by field (they hold pointers).
func equalMessages(a, b []chat.Message) bool {
	return slices.EqualFunc(a, b, func(x, y chat.Message) bool {
		return x.ID == y.ID && equalID(x.RoomID, y.RoomID) && x.Room == y.Room &&
			x.SenderID == y.SenderID && x.From == y.From && equalID(x.RecipientID, y.RecipientID) &&
			x.To == y.To && x.Text == y.Text && x.SentAt == y.SentAt && x.ClientID == y.ClientID
	})
}

func equalID(a, b *int64) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }

func testConcurrentWriters(t *testing.T, f *fixture) {
	ann := f.user("ann")
	hall := f.room("hall", ann)
	const writers, batches, size = 8, 20, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*batches*2)
	for w := range writers {
		wg.Go(func() {
			for b := range batches {
				var batch []chat.NewMessage
				for i := range size {
					batch = append(batch, roomMsg(hall, ann, "x", fmt.Sprintf("w%d-b%d-%d", w, b, i)))
				}
				if _, err := f.s.AppendMessages(f.ctx, batch); err != nil {
					errs <- err
				}
				if _, err := f.s.RoomHistory(f.ctx, hall.ID, 0, 50); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent writer: %v", err)
	}
	all, err := f.s.RoomMessagesAfter(f.ctx, hall.ID, 0, writers*batches*size+1)
	if err != nil || len(all) != writers*batches*size {
		t.Errorf("stored %d messages, %v; want %d", len(all), err, writers*batches*size)
	}
}
