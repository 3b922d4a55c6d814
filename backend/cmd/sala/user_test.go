package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/salachat/sala/backend/internal/auth"
	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/store"
	"github.com/salachat/sala/backend/internal/store/storetest"
)

// seedUsers creates accounts in the database of dbURL/dataDir and closes it,
// as a server that ran before would leave it.
func seedUsers(t *testing.T, dbURL, dataDir string, logins ...string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dbURL, dataDir, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	hash, err := auth.HashPassword("old password", auth.HashParams{MemoryKiB: 64, Time: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	var first chat.User
	for i, login := range logins {
		u := chat.User{Login: login, FirstName: strings.ToUpper(login[:1]) + login[1:], LastName: "Admin", Age: 40, Gender: "other"}
		if err := st.CreateUser(ctx, &u, hash); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = u
		}
	}
	if _, err := st.AppendMessages(ctx, []chat.NewMessage{{RoomID: defaultRoomID(t, st), Room: "general",
		SenderID: first.ID, From: first.Login, Text: "a message", SentAt: time.Now().UnixMilli()}}); err != nil {
		t.Fatal(err)
	}
}

func defaultRoomID(t *testing.T, st chat.Store) *int64 {
	r, err := st.EnsureDefaultRoom(context.Background(), "general")
	if err != nil {
		t.Fatal(err)
	}
	return &r.ID
}

// admin runs `sala user args…` on the database and returns its exit code
// and output.
func admin(t *testing.T, dbURL, dataDir, stdin string, args ...string) (int, string) {
	t.Helper()
	env := map[string]string{"SALA_DATABASE_URL": dbURL, "SALA_DATA_DIR": dataDir}
	var out strings.Builder
	err := userCommand(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &out)
	if err != nil {
		out.WriteString("error: " + err.Error())
		return 1, out.String()
	}
	return 0, out.String()
}

// storedHash opens the database and returns login's password hash.
func storedHash(t *testing.T, dbURL, dataDir, login string) (string, error) {
	t.Helper()
	st := storetest.Open(t, dbURL, dataDir)
	_, hash, err := st.UserByLogin(context.Background(), login)
	return hash, err
}

func TestUserAdmin(t *testing.T) {
	storetest.WithAllDatabaseURLs(t, func(t *testing.T, dbURL, dataDir string) {
		seedUsers(t, dbURL, dataDir, "alice", "bob", "carol")

		code, out := admin(t, dbURL, dataDir, "", "list")
		if code != 0 || !regexp.MustCompile(`(?s)LOGIN +NAME +CREATED\nalice +Alice Admin +\d{4}-\d\d-\d\d \d\d:\d\d UTC\nbob .*\ncarol .*\n3 user\(s\)\n`).MatchString(out) {
			t.Errorf("list: exit %d\n%s", code, out)
		}

		// reset-password: asked twice, or read from stdin.
		code, out = admin(t, dbURL, dataDir, "brand new password\nbrand new password\n", "reset-password", "Bob")
		if code != 0 || !strings.Contains(out, "password of bob changed") {
			t.Fatalf("reset-password: exit %d\n%s", code, out)
		}
		hash, _ := storedHash(t, dbURL, dataDir, "bob")
		if ok, err := auth.CheckPassword("brand new password", hash); !ok || err != nil {
			t.Errorf("bob's new password does not match: %v", err)
		}
		if !strings.Contains(hash, "m=19456,t=2,p=1") {
			t.Errorf("the new hash is not OWASP-grade argon2id: %s", hash)
		}
		code, _ = admin(t, dbURL, dataDir, "piped-secret-1\n", "reset-password", "-password-stdin", "carol")
		hash, _ = storedHash(t, dbURL, dataDir, "carol")
		if ok, _ := auth.CheckPassword("piped-secret-1", hash); code != 0 || !ok {
			t.Errorf("reset-password -password-stdin: exit %d, matches %v", code, ok)
		}
		for _, bad := range []struct{ stdin, want string }{
			{"one password\nanother one\n", "differ"},
			{"short\nshort\n", "8–128 characters"},
			{"", "no input"},
		} {
			if code, out := admin(t, dbURL, dataDir, bad.stdin, "reset-password", "bob"); code == 0 || !strings.Contains(out, bad.want) {
				t.Errorf("reset-password with %q: exit %d\n%s", bad.stdin, code, out)
			}
		}
		if code, out := admin(t, dbURL, dataDir, "", "reset-password", "nobody"); code == 0 || !strings.Contains(out, `no user with the login "nobody"`) {
			t.Errorf("reset-password of an unknown login: exit %d\n%s", code, out)
		}

		// delete: asks first, unless -yes (before or after the login).
		if code, out := admin(t, dbURL, dataDir, "n\n", "delete", "alice"); code != 0 || !strings.Contains(out, "nothing deleted") {
			t.Errorf("delete answered no: exit %d\n%s", code, out)
		}
		if _, err := storedHash(t, dbURL, dataDir, "alice"); err != nil {
			t.Errorf("alice is gone after a no: %v", err)
		}
		if code, out := admin(t, dbURL, dataDir, "y\n", "delete", "alice"); code != 0 || !strings.Contains(out, "deleted alice") {
			t.Errorf("delete answered yes: exit %d\n%s", code, out)
		}
		if code, out := admin(t, dbURL, dataDir, "", "delete", "bob", "-yes"); code != 0 || !strings.Contains(out, "deleted bob") {
			t.Errorf("delete -yes: exit %d\n%s", code, out)
		}
		for _, login := range []string{"alice", "bob"} {
			if _, err := storedHash(t, dbURL, dataDir, login); chat.ErrorCode(err) != chat.EUserNotFound {
				t.Errorf("%s still there: %v", login, err)
			}
		}
		if code, out := admin(t, dbURL, dataDir, "", "list"); code != 0 || !strings.Contains(out, "carol") || strings.Contains(out, "alice") {
			t.Errorf("list after deletes:\n%s", out)
		}
	})
}

func TestUserAdminCommandLine(t *testing.T) {
	dataDir := t.TempDir()
	seedUsers(t, "", dataDir, "dora")
	var out strings.Builder
	env := func(k string) string { return map[string]string{"SALA_DATA_DIR": dataDir}[k] }
	if code := run(context.Background(), []string{"user", "list"}, env, &out, &out); code != 0 || !strings.Contains(out.String(), "dora") {
		t.Errorf("sala user list: exit %d\n%s", code, out.String())
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"user", "rename", "dora"}, `unknown command "rename"`},
		{[]string{"user", "delete"}, "want 1 argument(s)"},
		{[]string{"user", "-data-dir", t.TempDir(), "list"}, "no database at"},
	} {
		out.Reset()
		if code := run(context.Background(), tc.args, env, &out, &out); code != 1 || !strings.Contains(out.String(), tc.want) {
			t.Errorf("sala %v: exit %d\n%s", tc.args, code, out.String())
		}
	}
	out.Reset()
	if code := run(context.Background(), []string{"user"}, env, &out, &out); code != 0 || !strings.Contains(out.String(), "reset-password") {
		t.Errorf("sala user: exit %d\n%s", code, out.String())
	}
}
