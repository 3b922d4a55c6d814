package storetest

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/salachat/sala/backend/internal/chat"
)

func testCreateAndFindUsers(t *testing.T, f *fixture) {
	alice := f.user("alice")
	if alice.ID <= 0 || !recent(alice.CreatedAt) {
		t.Fatalf("created user: id %d, created_at %v", alice.ID, alice.CreatedAt)
	}
	got, hash, err := f.s.UserByLogin(f.ctx, "ALICE")
	if err != nil || got != alice || hash != "hash-alice" {
		t.Fatalf("UserByLogin(ALICE) = %+v, %q, %v; want %+v", got, hash, err, alice)
	}
	if got, err := f.s.UserByID(f.ctx, alice.ID); err != nil || got != alice {
		t.Fatalf("UserByID = %+v, %v; want %+v", got, err, alice)
	}
	_, _, err = f.s.UserByLogin(f.ctx, "nobody")
	wantCode(t, "UserByLogin(nobody)", err, chat.EUserNotFound)
	_, _, err = f.s.UserByLogin(f.ctx, "ali\x00ce") // PostgreSQL would refuse the parameter
	wantCode(t, "UserByLogin(with NUL)", err, chat.EUserNotFound)
	_, err = f.s.UserByID(f.ctx, alice.ID+1000)
	wantCode(t, "UserByID(unknown)", err, chat.EUserNotFound)
}

func testListUsersOrdered(t *testing.T, f *fixture) {
	if users, err := f.s.ListUsers(f.ctx); err != nil || users == nil || len(users) != 0 {
		t.Fatalf("ListUsers on an empty store = %v, %v; want an empty list", users, err)
	}
	// Punctuation must not be ignored in the order, as some collations do.
	for _, login := range []string{"bob", "ab", "a_b", "alice", "a.b", "a-b"} {
		f.user(login)
	}
	users, err := f.s.ListUsers(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var logins []string
	for _, u := range users {
		logins = append(logins, u.Login)
		if !recent(u.CreatedAt) {
			t.Errorf("user %s: created_at %v", u.Login, u.CreatedAt)
		}
	}
	want := []string{"a-b", "a.b", "a_b", "ab", "alice", "bob"}
	if !slices.Equal(logins, want) {
		t.Errorf("ListUsers order = %v, want %v", logins, want)
	}
}

func testLoginTaken(t *testing.T, f *fixture) {
	f.user("carol")
	for _, login := range []string{"carol", "CAROL", "Carol"} {
		u := chat.User{Login: login, FirstName: "C", LastName: "C", Age: 20, Gender: "female"}
		wantCode(t, "CreateUser("+login+")", f.s.CreateUser(f.ctx, &u, "h"), chat.ELoginTaken)
	}
}

func testConcurrentSignups(t *testing.T, f *fixture) {
	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			// The same login spelt with the case of its letters varying.
			login := []byte("dave")
			for j := range login {
				if i>>j&1 == 1 {
					login[j] = strings.ToUpper(string(login[j]))[0]
				}
			}
			u := chat.User{Login: string(login), FirstName: "D", LastName: "D", Age: 40, Gender: "male"}
			errs[i] = f.s.CreateUser(f.ctx, &u, "h")
		})
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch chat.ErrorCode(err) {
		case "":
			won++
		case chat.ELoginTaken:
		default:
			t.Errorf("signup %d: %v", i, err)
		}
	}
	if won != 1 {
		t.Errorf("%d signups won, want exactly 1", won)
	}
}

func testNamesVerbatim(t *testing.T, f *fixture) {
	u := chat.User{Login: "mallory", FirstName: `Robert'); DROP TABLE users;--`,
		LastName: `<script>alert("x")</script> & "quotes" ’ ünïcode 🎉`, Age: 99, Gender: "prefer_not_to_say"}
	if err := f.s.CreateUser(f.ctx, &u, `$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA`); err != nil {
		t.Fatal(err)
	}
	got, hash, err := f.s.UserByLogin(f.ctx, "mallory")
	if err != nil || got != u || hash != `$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA` {
		t.Fatalf("UserByLogin = %+v, %q, %v; want %+v", got, hash, err, u)
	}
	if users, err := f.s.ListUsers(f.ctx); err != nil || len(users) != 1 || users[0] != u {
		t.Fatalf("ListUsers = %+v, %v", users, err)
	}
	r := f.room("x", u)
	text := `'; DELETE FROM messages; -- <b>bold</b>`
	f.append(roomMsg(r, u, text, `id'"<>`))
	msgs, err := f.s.RoomHistory(f.ctx, r.ID, 0, 10)
	if err != nil || len(msgs) != 1 || msgs[0].Text != text || msgs[0].ClientID != `id'"<>` {
		t.Fatalf("RoomHistory = %+v, %v", msgs, err)
	}
}

func testSetPassword(t *testing.T, f *fixture) {
	erin := f.user("erin")
	if err := f.s.SetPassword(f.ctx, erin.ID, "new-hash"); err != nil {
		t.Fatal(err)
	}
	if _, hash, err := f.s.UserByLogin(f.ctx, "erin"); err != nil || hash != "new-hash" {
		t.Fatalf("after SetPassword: hash %q, %v", hash, err)
	}
	wantCode(t, "SetPassword(unknown)", f.s.SetPassword(f.ctx, erin.ID+1000, "x"), chat.EUserNotFound)
}

func testDeleteUser(t *testing.T, f *fixture) {
	frank, gina, hugo := f.user("frank"), f.user("gina"), f.user("hugo")
	lounge := f.room("lounge", frank)
	f.append(roomMsg(lounge, frank, "by frank", "f1"), roomMsg(lounge, gina, "by gina", "g1"),
		privateMsg(frank, gina, "to gina", "f2"), privateMsg(gina, frank, "to frank", "g2"),
		privateMsg(gina, hugo, "to hugo", "g3"))

	if err := f.s.DeleteUser(f.ctx, frank.ID); err != nil {
		t.Fatal(err)
	}
	_, err := f.s.UserByID(f.ctx, frank.ID)
	wantCode(t, "UserByID(deleted)", err, chat.EUserNotFound)
	wantCode(t, "DeleteUser(again)", f.s.DeleteUser(f.ctx, frank.ID), chat.EUserNotFound)

	if r, err := f.s.RoomByName(f.ctx, "lounge"); err != nil || r.OwnerID != nil || r.DeletedAt != nil {
		t.Errorf("room of a deleted owner = %+v, %v; want live with no owner", r, err)
	}
	room, _ := f.s.RoomHistory(f.ctx, lounge.ID, 0, 10)
	if len(room) != 1 || room[0].From != "gina" {
		t.Errorf("room history after delete = %+v, want gina's message only", room)
	}
	if dm, _ := f.s.PrivateHistory(f.ctx, frank.ID, gina.ID, 0, 10); len(dm) != 0 {
		t.Errorf("private thread of a deleted user = %+v, want empty", dm)
	}
	if dm, _ := f.s.PrivateMessagesAfter(f.ctx, gina.ID, 0, 10); len(dm) != 1 || dm[0].To != "hugo" {
		t.Errorf("gina's private messages = %+v, want the one to hugo", dm)
	}
	// The deleted user's client ids are free again for nobody: a new user
	// with the same login starts clean.
	newFrank := f.user("frank")
	if st := f.append(roomMsg(lounge, newFrank, "again", "f1")); st[0].Duplicate {
		t.Errorf("client id of a deleted user deduplicated a new user's message")
	}
}
