package store_test

import (
	"context"
	"database/sql"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/store"
	"github.com/salachat/sala/backend/internal/store/storetest"
)

// proxy is a TCP relay to PostgreSQL that a test can cut and restore, to play
// a database that goes away mid-chat and comes back at the same address.
type proxy struct {
	t      *testing.T
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	p := &proxy{t: t, target: target}
	p.listen("127.0.0.1:0")
	t.Cleanup(p.cut)
	return p
}

func (p *proxy) listen(addr string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.relay(c)
		}
	}()
}

func (p *proxy) relay(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns = append(p.conns, c, up)
	p.mu.Unlock()
	go func() { io.Copy(up, c); up.Close() }()
	io.Copy(c, up)
	c.Close()
}

// cut stops accepting and drops every open connection.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *proxy) restore() { p.listen(p.addr) }

func TestPostgresOutage(t *testing.T) {
	u, err := url.Parse(storetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	p := newProxy(t, u.Host)
	u.Host = p.addr
	s := storetest.Open(t, u.String(), "")
	ctx := t.Context()

	ann := chat.User{Login: "ann", FirstName: "A", LastName: "B", Age: 30, Gender: "other"}
	if err := s.CreateUser(ctx, &ann, "h"); err != nil {
		t.Fatal(err)
	}
	hall, err := s.CreateRoom(ctx, "hall", ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	send := func(text string) error {
		_, err := s.AppendMessages(ctx, []chat.NewMessage{{RoomID: &hall.ID, Room: "hall",
			SenderID: ann.ID, From: "ann", Text: text, SentAt: 1, ClientID: text}})
		return err
	}
	if err := send("before"); err != nil {
		t.Fatal(err)
	}

	p.cut()
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

	p.restore()
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
