package main

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/golang-jwt/jwt/v5"

	"github.com/salachat/sala/backend/internal/config"
)

func TestSenderComesFromTheToken(t *testing.T) {
	s := startServer(t, "", t.TempDir())
	cs := s.join("alice", "bob")
	alice, bob := cs[0], cs[1]
	alice.send(map[string]any{"type": "send", "id": "x", "text": "who am I?", "from": "bob", "user": "bob"})
	if m := bob.nextType("message"); m.str("from") != "alice" {
		t.Errorf("message claimed to be from %q", m.str("from"))
	}
	r := s.request("POST", "/api/v1/rooms/general/messages", bob.token, map[string]any{"text": "hi", "from": "alice"})
	var m struct{ From string }
	r.json(t, &m)
	if m.From != "bob" {
		t.Errorf("REST message from %q, want bob", m.From)
	}
}

func TestAlgorithmConfusionRefused(t *testing.T) {
	s := startServer(t, "", t.TempDir())
	s.signup("alice")
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	claims := jwt.MapClaims{"sub": "1", "iss": "sala", "login": "alice", "exp": time.Now().Add(time.Hour).Unix()}
	rs, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	// HS512 with the real secret: right key, algorithm not the pinned one.
	hs512, err := jwt.NewWithClaims(jwt.SigningMethodHS512, claims).SignedString(readSecret(t, s.cfg.DataDir))
	if err != nil {
		t.Fatal(err)
	}
	for name, tok := range map[string]string{"RS256": rs, "HS512": hs512} {
		if r := s.request("GET", "/api/v1/me", tok, nil); r.status != http.StatusUnauthorized {
			t.Errorf("%s token: %d, want 401", name, r.status)
		}
	}
}

// syncBuffer is a log sink tests read while the server writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestTokenNeverLogged(t *testing.T) {
	logs := &syncBuffer{}
	s := startServer(t, "", t.TempDir(), withLogs(logs))
	token := s.signup("alice")
	c := s.dial("alice", token, "")
	c.nextType("joined")
	c.say("1", "hello")
	c.nextType("message")
	s.request("GET", "/api/v1/me", token, nil)
	s.request("GET", "/api/v1/me", token+"x", nil)
	c.conn.Close(websocket.StatusNormalClosure, "") // the upgrade is logged when it ends
	for deadline := time.Now().Add(3 * time.Second); !strings.Contains(logs.String(), "/api/v1/ws") && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "/api/v1/ws") {
		t.Fatalf("debug logs don't show the requests; the test can't see a leak:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), token[20:60]) {
		t.Errorf("the token appears in the logs:\n%s", logs.String())
	}
}

func TestHTTPHardening(t *testing.T) {
	s := startServer(t, "", t.TempDir(), withConfig(func(c *config.Config) { c.AllowedOrigins = []string{"https://chat.example.org"} }))
	r := s.request("GET", "/healthz", "", nil)
	for header, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
		"Referrer-Policy": "no-referrer"} {
		if got := r.header.Get(header); got != want {
			t.Errorf("%s = %q, want %q", header, got, want)
		}
	}
	if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP = %q", csp)
	}
	preflight := func(origin string) string {
		req, _ := http.NewRequest("OPTIONS", s.base+"/api/v1/me", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "GET")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.Header.Get("Access-Control-Allow-Origin")
	}
	if got := preflight("https://chat.example.org"); got != "https://chat.example.org" {
		t.Errorf("CORS for the allowed origin: %q", got)
	}
	if got := preflight("https://evil.example.com"); got != "" {
		t.Errorf("CORS for a foreign origin: %q", got)
	}
}

func TestSlowlorisHeadersCut(t *testing.T) {
	s := startServer(t, "", t.TempDir(), withReadHeaderTimeout(300*time.Millisecond))
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	// One header byte at a time, slower than the timeout allows in total.
	go func() {
		for _, b := range []byte("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ") {
			if _, err := conn.Write([]byte{b}); err != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err = io.ReadAll(conn)
	if took := time.Since(start); err != nil || took > 3*time.Second {
		t.Errorf("slow headers held the connection %v (err %v), want it cut after ~300ms", took, err)
	}
	if r := s.request("GET", "/healthz", "", nil); r.status != http.StatusOK {
		t.Errorf("server not serving after slowloris: %d", r.status)
	}
}
