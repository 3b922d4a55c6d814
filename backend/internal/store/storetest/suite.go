package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
)

// Run is the chat.Store test suite. open must return a fresh, empty store
// for the test it is given; each case of the suite opens its own.
func Run(t *testing.T, open func(t *testing.T) chat.Store) {
	cases := []struct {
		name string
		fn   func(t *testing.T, f *fixture)
	}{
		{"CreateAndFindUsers", testCreateAndFindUsers},
		{"ListUsersOrdered", testListUsersOrdered},
		{"LoginTakenIgnoringCase", testLoginTaken},
		{"ConcurrentSignups", testConcurrentSignups},
		{"NamesStoredVerbatim", testNamesVerbatim},
		{"SetPassword", testSetPassword},
		{"DeleteUser", testDeleteUser},
		{"CreateRoom", testCreateRoom},
		{"RoomNameReusedAfterDelete", testRoomNameReused},
		{"EnsureDefaultRoom", testEnsureDefaultRoom},
		{"LiveRooms", testLiveRooms},
		{"RoomLiveAfter", testRoomLiveAfter},
		{"AppendKeepsOrder", testAppendKeepsOrder},
		{"AppendInChunks", testAppendInChunks},
		{"RoomHistoryPages", testRoomHistoryPages},
		{"RoomMessagesAfter", testRoomMessagesAfter},
		{"IdempotentClientIDs", testIdempotentClientIDs},
		{"LargeBatch", testLargeBatch},
		{"TextsStoredVerbatim", testTextsVerbatim},
		{"PrivateThreads", testPrivateThreads},
		{"PrivateMessagesAfter", testPrivateMessagesAfter},
		{"Receipts", testReceipts},
		{"Updates", testUpdates},
		{"PrivateUpdates", testPrivateUpdates},
		{"ReadCursors", testReadCursors},
		{"EnsureRoomCursor", testEnsureRoomCursor},
		{"UnreadCountStops", testUnreadCountStops},
		{"Mentions", testMentions},
		{"FailedBatchStoresNothing", testFailedBatch},
		{"ConcurrentWriters", testConcurrentWriters},
		{"Ping", testPing},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.fn(t, &fixture{t: t, s: open(t), ctx: t.Context()})
		})
	}
}

// fixture is a store under test with shortcuts that fail the test on error.
type fixture struct {
	t   *testing.T
	s   chat.Store
	ctx context.Context
}

func (f *fixture) user(login string) chat.User {
	f.t.Helper()
	u := chat.User{Login: login, FirstName: "First " + login, LastName: "Last",
		Age: 30, Gender: "other"}
	if err := f.s.CreateUser(f.ctx, &u, "hash-"+login); err != nil {
		f.t.Fatalf("create user %q: %v", login, err)
	}
	return u
}

func (f *fixture) room(name string, owner chat.User) chat.Room {
	f.t.Helper()
	r, err := f.s.CreateRoom(f.ctx, name, owner.ID)
	if err != nil {
		f.t.Fatalf("create room %q: %v", name, err)
	}
	return r
}

func (f *fixture) append(batch ...chat.NewMessage) []chat.Stored {
	f.t.Helper()
	out, err := f.s.AppendMessages(f.ctx, batch)
	if err != nil {
		f.t.Fatalf("append messages: %v", err)
	}
	if len(out) != len(batch) {
		f.t.Fatalf("append %d messages: got %d results", len(batch), len(out))
	}
	return out
}

func roomMsg(r chat.Room, from chat.User, text, clientID string) chat.NewMessage {
	return chat.NewMessage{RoomID: &r.ID, Room: r.Name, SenderID: from.ID, From: from.Login,
		Text: text, SentAt: time.Now().UnixMilli(), ClientID: clientID}
}

func privateMsg(from, to chat.User, text, clientID string) chat.NewMessage {
	return chat.NewMessage{SenderID: from.ID, From: from.Login, RecipientID: &to.ID, To: to.Login,
		Text: text, SentAt: time.Now().UnixMilli(), ClientID: clientID}
}

// ids lists message ids, for comparing pages.
func ids(msgs []chat.Message) []int64 {
	out := make([]int64, len(msgs))
	for i, m := range msgs {
		out[i] = m.ID
	}
	return out
}

func storedIDs(stored []chat.Stored) []int64 {
	out := make([]int64, len(stored))
	for i, s := range stored {
		out[i] = s.Message.ID
	}
	return out
}

func reversed(s []int64) []int64 {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

func wantIDs(t *testing.T, what string, got []chat.Message, want []int64) {
	t.Helper()
	if !slices.Equal(ids(got), want) {
		t.Errorf("%s: got ids %v, want %v", what, ids(got), want)
	}
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := chat.ErrorCode(err); got != code {
		t.Errorf("%s: got error %v (code %q), want code %q", what, err, got, code)
	}
}

// recent reports whether tm is a UTC time of the last minute.
func recent(tm time.Time) bool {
	return tm.Location() == time.UTC && time.Since(tm) < time.Minute && time.Since(tm) > -time.Minute
}

func testPing(t *testing.T, f *fixture) {
	if err := f.s.Ping(f.ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
}
