package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/store"
	"github.com/salachat/sala/backend/internal/store/storetest"
)

// annSays returns a function that stores text as ann's message in hall,
// with text as its client id.
func annSays(ctx context.Context, s chat.Store, ann chat.User, hall chat.Room) func(text string) error {
	return func(text string) error {
		_, err := s.AppendMessages(ctx, []chat.NewMessage{{RoomID: &hall.ID, Room: "hall",
			SenderID: ann.ID, From: "ann", Text: text, SentAt: 1, ClientID: text}})
		return err
	}
}

func TestPostgresOutage(t *testing.T) {
	dbURL, p := storetest.PostgresURLViaProxy(t)
	s := storetest.Open(t, dbURL, "")
	ctx := t.Context()

	ann, hall := storetest.AnnInHall(t, s)
	send := annSays(ctx, s, ann, hall)
	if err := send("before"); err != nil {
		t.Fatal(err)
	}

	p.Cut()
	for _, text := range []string{"during 1", "during 2"} {
		err := send(text)
		t.Logf("send while down: %v", err)
		if chat.ErrorCode(err) != chat.EUnavailable {
			t.Errorf("send while the database is down: %v (code %q), want unavailable", err, chat.ErrorCode(err))
		}
	}
	if err := s.Ping(ctx); chat.ErrorCode(err) != chat.EUnavailable {
		t.Errorf("ping while the database is down: %v, want unavailable", err)
	}
	if _, err := s.RoomHistory(ctx, hall.ID, 0, 10); chat.ErrorCode(err) != chat.EUnavailable {
		t.Errorf("history while the database is down: %v, want unavailable", err)
	}

	p.Restore()
	if err := send("after"); err != nil {
		t.Fatalf("first send after the database came back: %v", err)
	}
	hist, err := s.RoomHistory(ctx, hall.ID, 0, 10)
	if err != nil || len(hist) != 2 {
		t.Fatalf("history after the outage = %+v, %v; want before and after", hist, err)
	}
}

// TestPostgresTerminatedConnections kills the store's server sessions, as a
// PostgreSQL restart does; the next calls must reconnect, not fail.
func TestPostgresTerminatedConnections(t *testing.T) {
	u, err := url.Parse(storetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	app := "sala_terminate_" + time.Now().Format("150405.000000")
	q.Set("application_name", app)
	u.RawQuery = q.Encode()
	s := storetest.Open(t, u.String(), "")
	ctx := t.Context()
	ann := chat.User{Login: "ann", FirstName: "A", LastName: "B", Age: 30, Gender: "other"}
	if err := s.CreateUser(ctx, &ann, "h"); err != nil {
		t.Fatal(err)
	}

	admin, err := sql.Open("postgres", storetest.RequirePostgres(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var killed int
	err = admin.QueryRowContext(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = $1`, app).Scan(&killed)
	if err != nil || killed == 0 {
		t.Fatalf("terminate sessions: %d, %v", killed, err)
	}
	hall, err := s.CreateRoom(ctx, "hall", ann.ID)
	if err != nil {
		t.Fatalf("write after the sessions were terminated: %v", err)
	}
	if _, err := s.AppendMessages(ctx, []chat.NewMessage{{RoomID: &hall.ID, Room: "hall",
		SenderID: ann.ID, From: "ann", Text: "hi", SentAt: 1}}); err != nil {
		t.Fatalf("append after the sessions were terminated: %v", err)
	}
}

func TestPostgresUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, err = store.Open(ctx, "postgres://postgres@"+addr+"/sala?sslmode=disable&connect_timeout=5", "", 0)
	if chat.ErrorCode(err) != chat.EUnavailable {
		t.Fatalf("Open on a closed port: %v (code %q), want unavailable", err, chat.ErrorCode(err))
	}
}

// TestFrozenPostgresMeetsTheDeadline: when PostgreSQL stops answering
// without closing anything (a stopped process, a dead route), every call
// gives up with unavailable at the store's timeout instead of waiting for
// TCP to notice, and the store works again once the database answers.
func TestFrozenPostgresMeetsTheDeadline(t *testing.T) {
	dbURL, p := storetest.PostgresURLViaProxy(t)
	const timeout = 300 * time.Millisecond
	s, err := store.Open(t.Context(), dbURL, "", timeout)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()
	ann, hall := storetest.AnnInHall(t, s)
	send := annSays(ctx, s, ann, hall)

	p.Freeze()
	calls := map[string]func() error{
		"append":  func() error { return send("frozen") },
		"history": func() error { _, err := s.RoomHistory(ctx, hall.ID, 0, 10); return err },
		"user":    func() error { _, _, err := s.UserByLogin(ctx, "ann"); return err },
		"ping":    func() error { return s.Ping(ctx) },
	}
	for name, call := range calls {
		start := time.Now()
		err := call()
		took := time.Since(start)
		if chat.ErrorCode(err) != chat.EUnavailable || took > timeout+time.Second {
			t.Errorf("%s on a frozen database: %v after %s, want unavailable within %s", name, err, took, timeout)
		}
	}
	p.Thaw()
	// The abandoned append may have committed once thawed: a retry with
	// its client id is then a duplicate, never a second row.
	if err := send("frozen"); err != nil {
		t.Fatalf("retry after the thaw: %v", err)
	}
	if err := send("after"); err != nil {
		t.Fatalf("send after the thaw: %v", err)
	}
	hist, err := s.RoomHistory(ctx, hall.ID, 0, 10)
	if err != nil || len(hist) != 2 {
		t.Fatalf("history after the thaw = %+v, %v; want frozen and after", hist, err)
	}
}

// TestLockedSQLiteMeetsTheDeadline: a write waiting on a lock another
// process holds gives up with unavailable at the store's timeout, not at
// SQLite's busy timeout.
func TestLockedSQLiteMeetsTheDeadline(t *testing.T) {
	dir := t.TempDir()
	const timeout = 300 * time.Millisecond
	s, err := store.Open(t.Context(), "", dir, timeout)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()
	ann, hall := storetest.AnnInHall(t, s)

	other, err := sql.Open("sqlite", filepath.Join(dir, "sala.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	lock, err := other.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lock.ExecContext(ctx, `INSERT INTO rooms (name, is_default, created_at) VALUES ('held', false, '2026-01-01 00:00:00')`); err != nil {
		t.Fatalf("take the write lock: %v", err)
	}
	start := time.Now()
	err = annSays(ctx, s, ann, hall)("locked out")
	if took := time.Since(start); chat.ErrorCode(err) != chat.EUnavailable || took > timeout+time.Second {
		t.Errorf("append while another process holds the lock: %v after %s, want unavailable within %s", err, took, timeout)
	}
	if err := lock.Rollback(); err != nil {
		t.Fatal(err)
	}
}

// TestPingFailsWhileWritesAreRefused: a database that answers reads but
// refuses writes (SQLite told the file may not grow: SQLITE_FULL, as on a
// full disk; TestFullDisk in cmd/sala fills a real one) is not ready until a
// write passes, or for 30 s after the last refusal when no write comes.
func TestPingFailsWhileWritesAreRefused(t *testing.T) {
	s, err := store.Open(t.Context(), "", t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	clock := time.Now()
	store.SetWriteHealthClock(s, func() time.Time { return clock })
	ctx := t.Context()
	ann, hall := storetest.AnnInHall(t, s)
	text := strings.Repeat("x", 3900)
	sendUntilRefused := func() {
		t.Helper()
		if err := store.LimitPages(s, 0); err != nil {
			t.Fatal(err)
		}
		for i := range 100 {
			err := annSays(ctx, s, ann, hall)(fmt.Sprint(clock.UnixNano(), "-", i, text))
			if chat.ErrorCode(err) == chat.EUnavailable {
				return
			} else if err != nil {
				t.Fatal(err)
			}
		}
		t.Fatal("no write was refused past max_page_count")
	}
	makeSpace := func() {
		t.Helper()
		if err := store.LimitPages(s, 1<<30); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("ping before: %v", err)
	}

	sendUntilRefused()
	if _, err := s.RoomHistory(ctx, hall.ID, 0, 10); err != nil {
		t.Fatalf("reads still work: %v", err)
	}
	if err := s.Ping(ctx); chat.ErrorCode(err) != chat.EUnavailable || !strings.Contains(chat.ErrorMessage(err), "refuses writes") {
		t.Errorf("ping while writes are refused: %v, want unavailable saying writes are refused", err)
	}
	makeSpace()
	if err := annSays(ctx, s, ann, hall)("fits"); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("ping once a write passed again: %v", err)
	}

	sendUntilRefused()
	makeSpace()
	clock = clock.Add(29 * time.Second)
	if err := s.Ping(ctx); chat.ErrorCode(err) != chat.EUnavailable {
		t.Errorf("ping 29 s after a refused write: %v, want unavailable", err)
	}
	clock = clock.Add(time.Second)
	if err := s.Ping(ctx); err != nil {
		t.Errorf("ping 30 s after the last refused write, none since: %v", err)
	}
}
