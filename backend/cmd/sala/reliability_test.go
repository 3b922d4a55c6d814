package main

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/salachat/sala/backend/internal/config"

	"github.com/salachat/sala/backend/internal/store/storetest"
)

// chatUntilStopped makes alice send messages until her connection fails and
// returns the client ids the server acknowledged.
func chatUntilStopped(t *testing.T, alice *wsClient, started chan<- struct{}) map[string]bool {
	for i := 0; ; i++ {
		raw := fmt.Sprintf(`{"type":"send","id":"m%d","text":"message %d"}`, i, i)
		if err := alice.trySend(websocket.MessageText, []byte(raw)); err != nil {
			break
		}
		if i == 100 {
			close(started)
		}
		time.Sleep(time.Millisecond)
	}
	acked := map[string]bool{}
	for _, e := range alice.pending() {
		if e.typ() == "ack" {
			acked[e.str("id")] = true
		}
	}
	return acked
}

// storedClientIDs pages through a room's whole history.
func (s *testServer) storedClientIDs(token, room string) map[string]int {
	s.t.Helper()
	ids := map[string]int{}
	before := ""
	for {
		var page struct {
			Messages []struct {
				ID       int64
				ClientID string `json:"client_id"`
			}
			HasMore bool `json:"has_more"`
		}
		s.request("GET", "/api/v1/rooms/"+room+"/messages?limit=200"+before, token, nil).json(s.t, &page)
		for _, m := range page.Messages {
			ids[m.ClientID]++
		}
		if !page.HasMore {
			return ids
		}
		before = fmt.Sprintf("&before=%d", page.Messages[len(page.Messages)-1].ID)
	}
}

func TestSIGTERMDrainsWithoutLoss(t *testing.T) {
	dir := t.TempDir()
	p := startProcess(t, "", "SALA_DATA_DIR="+dir, "SALA_MSG_RATE=100000")
	s := remoteServer(t, p.addr)
	cs := s.join("alice", "bob")
	alice, bob := cs[0], cs[1]
	started := make(chan struct{})
	result := make(chan map[string]bool)
	go func() { result <- chatUntilStopped(t, alice, started) }()
	<-started
	if err := p.signal(syscall.SIGTERM); err != nil {
		t.Errorf("sala exited with %v after SIGTERM, want 0", err)
	}
	acked := <-result
	for _, c := range []*wsClient{alice, bob} {
		if st := c.closeStatus(); st != websocket.StatusGoingAway {
			t.Errorf("%s closed with %d, want 1001 (reconnect)", c.login, st)
		}
	}
	p.start() // same port, same data
	stored := s.storedClientIDs(alice.token, "general")
	for id := range acked {
		if stored[id] != 1 {
			t.Errorf("acknowledged %s stored %d times", id, stored[id])
		}
	}
	t.Logf("%d messages acknowledged before SIGTERM, %d stored", len(acked), len(stored))
	if len(acked) < 50 {
		t.Errorf("only %d acks: the drain test did not run under traffic", len(acked))
	}
}

func TestSIGKILLLosesNothingAcknowledged(t *testing.T) {
	storetest.WithAllDatabaseURLs(t, func(t *testing.T, dbURL, dataDir string) {
		p := startProcess(t, "", "SALA_DATA_DIR="+dataDir, "SALA_DATABASE_URL="+dbURL, "SALA_MSG_RATE=100000")
		s := remoteServer(t, p.addr)
		alice := s.join("alice")[0]
		started := make(chan struct{})
		result := make(chan map[string]bool)
		go func() { result <- chatUntilStopped(t, alice, started) }()
		<-started
		time.Sleep(50 * time.Millisecond)
		_ = p.signal(syscall.SIGKILL)
		acked := <-result
		p.start()
		stored := s.storedClientIDs(alice.token, "general")
		for id := range acked {
			if stored[id] != 1 {
				t.Errorf("acknowledged %s stored %d times after SIGKILL", id, stored[id])
			}
		}
		t.Logf("%d acknowledged before SIGKILL, %d stored", len(acked), len(stored))
	})
}

func TestDatabaseOutage(t *testing.T) {
	dbURL, proxy := storetest.PostgresURLViaProxy(t)
	s := startServer(t, dbURL, t.TempDir())
	cs := s.join("alice", "bob")
	alice, bob := cs[0], cs[1]
	alice.say("m1", "before")
	alice.next("ack", isType("ack", "id", "m1"))

	proxy.Cut()
	alice.say("m2", "during")
	if e := alice.next("error for m2", isType("error", "id", "m2")); e.str("code") != "unavailable" {
		t.Errorf("send while the database is down: %v", e)
	}
	if slices := alice.pending(); len(slices) > 0 {
		for _, e := range slices {
			if e.typ() == "ack" {
				t.Errorf("acknowledged while the database was down: %v", e)
			}
		}
	}
	if r := s.request("GET", "/readyz", "", nil); r.status != http.StatusServiceUnavailable {
		t.Errorf("/readyz while down: %d", r.status)
	}

	proxy.Restore()
	deadline := time.Now().Add(10 * time.Second)
	for s.request("GET", "/readyz", "", nil).status != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("/readyz did not recover")
		}
		time.Sleep(100 * time.Millisecond)
	}
	alice.say("m2", "during") // the client retries its pending message with the same id
	alice.next("ack", isType("ack", "id", "m2"))
	for _, text := range []string{"before", "during"} {
		bob.next(text, isType("message", "text", text))
	}
	stored := s.storedClientIDs(alice.token, "general")
	if stored["m1"] != 1 || stored["m2"] != 1 || len(stored) != 2 {
		t.Errorf("stored after the outage: %v", stored)
	}
}

func TestConnectionFloodFromOneAddress(t *testing.T) {
	s := startServer(t, "", t.TempDir(), withConfig(func(c *config.Config) { c.MaxConnsPerAddr = 5 }))
	token := s.signup("flood")
	for i := range 5 {
		if _, err := s.tryDial("flood", token, "", nil); err != nil {
			t.Fatalf("connection %d refused: %v", i, err)
		}
	}
	if _, err := s.tryDial("flood", token, "", nil); err == nil || !strings.Contains(err.Error(), "status 429") {
		t.Errorf("6th connection from one address: %v, want 429", err)
	}
	if r := s.request("GET", "/api/v1/rooms", token, nil); r.status != http.StatusOK {
		t.Errorf("the REST API stopped serving: %d", r.status)
	}
}

// TestFrozenDatabase: with PostgreSQL frozen (connections open, nothing
// answered), a WebSocket send gets error unavailable and a REST post 503
// within SALA_DB_TIMEOUT or so, and /readyz 503 within its own 2 s, shorter
// than that timeout; once the database answers again the pending message is
// retried with the same id and stored once.
func TestFrozenDatabase(t *testing.T) {
	dbURL, proxy := storetest.PostgresURLViaProxy(t)
	const timeout = 3 * time.Second
	s := startServer(t, dbURL, t.TempDir(), withConfig(func(c *config.Config) { c.DBTimeout = timeout }))
	cs := s.join("alice", "bob")
	alice, bob := cs[0], cs[1]
	alice.say("m1", "before")
	alice.next("ack", isType("ack", "id", "m1"))

	proxy.Freeze()
	start := time.Now()
	alice.say("m2", "during")
	if e := alice.next("error for m2", isType("error", "id", "m2")); e.str("code") != "unavailable" {
		t.Errorf("send while the database is frozen: %v", e)
	}
	if took := time.Since(start); took > timeout+2*time.Second {
		t.Errorf("the error came after %s, want about %s", took, timeout)
	}
	start = time.Now()
	if r := s.request("POST", "/api/v1/rooms/general/messages", bob.token, map[string]any{"text": "rest", "client_id": "r1"}); r.status != http.StatusServiceUnavailable ||
		r.errorCode(t) != "unavailable" || time.Since(start) > timeout+2*time.Second {
		t.Errorf("REST post while frozen: %d %s after %s, want 503 unavailable", r.status, r.body, time.Since(start))
	}
	start = time.Now()
	if r := s.request("GET", "/readyz", "", nil); r.status != http.StatusServiceUnavailable || time.Since(start) > 2500*time.Millisecond {
		t.Errorf("/readyz while frozen: %d after %s, want 503 within 2 s", r.status, time.Since(start))
	}

	proxy.Thaw()
	eventually(t, "/readyz after the thaw", func() error {
		if r := s.request("GET", "/readyz", "", nil); r.status != http.StatusOK {
			return fmt.Errorf("status %d", r.status)
		}
		return nil
	})
	alice.say("m2", "during") // the client retries its pending message with the same id
	alice.next("ack", isType("ack", "id", "m2"))
	bob.next("during", isType("message", "text", "during"))
	if stored := s.storedClientIDs(alice.token, "general"); stored["m2"] != 1 {
		t.Errorf("m2 stored %d times, want once: %v", stored["m2"], stored)
	}
}

// TestReadyAfterSessionsTerminated: when PostgreSQL ends the server's
// sessions (a restart, pg_terminate_backend) while it is fine, the pool's
// idle connections are dead; /readyz must not report the database down
// because its first ping found one of them.
func TestReadyAfterSessionsTerminated(t *testing.T) {
	u, err := url.Parse(storetest.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	app := "sala_ready_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	q := u.Query()
	q.Set("application_name", app)
	u.RawQuery = q.Encode()
	s := startServer(t, u.String(), t.TempDir())
	token := s.signup("ready")
	// Fill the pool with idle connections: concurrent reads each take one.
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() { defer wg.Done(); s.request("GET", "/api/v1/users", token, nil) }()
	}
	wg.Wait()

	admin, err := sql.Open("postgres", storetest.RequirePostgres(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	for round := range 3 {
		var killed int
		err = admin.QueryRowContext(t.Context(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE application_name = $1`, app).Scan(&killed)
		if err != nil || killed == 0 {
			t.Fatalf("terminate sessions: %d, %v", killed, err)
		}
		if r := s.request("GET", "/readyz", "", nil); r.status != http.StatusOK {
			t.Errorf("round %d, /readyz after %d sessions were terminated: %d %s", round, killed, r.status, r.body)
		}
		for range 4 { // the pool dials again
			s.request("GET", "/api/v1/users", token, nil)
		}
	}
}
