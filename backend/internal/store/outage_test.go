package store_test

import (
	"context"
	"database/sql"
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/store"
	"github.com/salachat/sala/backend/internal/store/storetest"
)

func TestPostgresOutage(t *testing.T) {
	dbURL, p := storetest.PostgresURLViaProxy(t)
	s := storetest.Open(t, dbURL, "")
	ctx := t.Context()

	ann, hall := storetest.AnnInHall(t, s)
	send := func(text string) error {
		_, err := s.AppendMessages(ctx, []chat.NewMessage{{RoomID: &hall.ID, Room: "hall",
			SenderID: ann.ID, From: "ann", Text: text, SentAt: 1, ClientID: text}})
		return err
	}
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
	_, err = store.Open(ctx, "postgres://postgres@"+addr+"/sala?sslmode=disable&connect_timeout=5", "")
	if chat.ErrorCode(err) != chat.EUnavailable {
		t.Fatalf("Open on a closed port: %v (code %q), want unavailable", err, chat.ErrorCode(err))
	}
}
