package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/salachat/sala/backend/internal/config"
)

func TestSlowConsumerIsDisconnected(t *testing.T) {
	s := startServer(t, "", t.TempDir(), withConfig(func(c *config.Config) { c.MsgRate, c.MsgBurst = 1e6, 1e6 }))
	cs := s.join("alice", "bob")
	alice, bob := cs[0], cs[1]
	// slow connects with a tiny receive buffer and then never reads: the
	// socket buffers fill, then its queue on the server (1 MiB).
	slowToken := s.signup("slow")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dialer := &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { _ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	slow, _, err := websocket.Dial(ctx, "ws://"+strings.TrimPrefix(s.base, "http://")+"/api/v1/ws?token="+slowToken,
		&websocket.DialOptions{HTTPClient: &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}}})
	if err != nil {
		t.Fatal(err)
	}
	defer slow.CloseNow()
	bob.next("slow joined", isType("event", "user", "slow"))

	// × 4 KB = 8 MB: more than the socket buffers and the queue can hold.
	// The server's send buffer alone may grow to tcp_wmem's maximum (4 MiB
	// here) on loopback, and the queue holds 1 MiB plus the batch its
	// writer has in hand: with 1000 (4 MB), CI once saw no disconnect.
	const n = 2000
	text := strings.Repeat("x", 4000)
	start := time.Now()
	var worst time.Duration
	go func() { // about 3 MB/s: brisk, but what a healthy client reads
		for i := range n {
			alice.say(fmt.Sprint(i), text)
			time.Sleep(time.Millisecond)
		}
	}()
	for range n {
		m := bob.nextType("message")
		if lag := time.Since(time.UnixMilli(m.num("sent_at"))); lag > worst {
			worst = lag
		}
	}
	t.Logf("bob received %d messages in %v, worst lag %v", n, time.Since(start), worst)
	if worst > 3*time.Second {
		t.Errorf("a slow consumer slowed the room: worst lag %v", worst)
	}
	if got := s.metric("sala_slow_consumer_disconnects_total"); got < 1 {
		t.Errorf("slow consumer disconnects = %v, want ≥ 1", got)
	}
	// The slow client, reading at last, finds its connection closed with 4000.
	for {
		if _, _, err = slow.Read(ctx); err != nil {
			break
		}
	}
	if st := websocket.CloseStatus(err); st != 4000 && st != -1 {
		t.Errorf("slow consumer closed with %d, want 4000 (or a dropped socket)", st)
	}
}

// metric reads a counter or gauge from /metrics.
func (s *testServer) metric(name string) float64 {
	s.t.Helper()
	r := s.request("GET", "/metrics", "", nil)
	m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindSubmatch(r.body)
	if m == nil {
		s.t.Fatalf("metric %s not exposed", name)
	}
	v, _ := strconv.ParseFloat(string(m[1]), 64)
	return v
}

func TestBadEnvelopes(t *testing.T) {
	s := startServer(t, "", t.TempDir())
	cs := s.join("alice", "bystander")
	alice, bystander := cs[0], cs[1]
	cases := []struct {
		name  string
		typ   websocket.MessageType
		frame string
		code  string
	}{
		{"invalid JSON", websocket.MessageText, `{"type":"send",`, "invalid_envelope"},
		{"not an object", websocket.MessageText, `[1,2,3]`, "invalid_envelope"},
		{"unknown type", websocket.MessageText, `{"type":"teleport","id":"1"}`, "unknown_type"},
		{"no type", websocket.MessageText, `{"id":"1","text":"hi"}`, "invalid_envelope"},
		{"send without id", websocket.MessageText, `{"type":"send","text":"hi"}`, "invalid_envelope"},
		{"send without text", websocket.MessageText, `{"type":"send","id":"1"}`, "invalid_envelope"},
		{"send with a null text", websocket.MessageText, `{"type":"send","id":"1","text":null}`, "invalid_envelope"},
		{"empty text", websocket.MessageText, `{"type":"send","id":"1","text":""}`, "invalid_text"},
		{"NUL in the text", websocket.MessageText, `{"type":"send","id":"1","text":"a\u0000b"}`, "invalid_text"},
		{"ping without t0", websocket.MessageText, `{"type":"ping","id":"p1"}`, "invalid_envelope"},
		{"ping with a text t0", websocket.MessageText, `{"type":"ping","id":"p1","t0":"now"}`, "invalid_envelope"},
		{"blank text", websocket.MessageText, `{"type":"send","id":"1","text":"  \t "}`, "invalid_text"},
		{"4001 characters", websocket.MessageText, `{"type":"send","id":"1","text":"` + strings.Repeat("ñ", 4001) + `"}`, "invalid_text"},
		{"binary frame", websocket.MessageBinary, `{"type":"send","id":"1","text":"hi"}`, "invalid_envelope"},
		{"invalid UTF-8", websocket.MessageText, "{\"type\":\"send\",\"id\":\"1\",\"text\":\"\xff\xfe\"}", "invalid_envelope"},
		{"id too long", websocket.MessageText, `{"type":"send","id":"` + strings.Repeat("i", 65) + `","text":"hi"}`, "invalid_envelope"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			alice.sendRaw(tc.typ, []byte(tc.frame))
			if e := alice.nextType("error"); e.str("code") != tc.code {
				t.Errorf("got %v, want %s", e, tc.code)
			}
		})
	}
	alice.say("ok", strings.Repeat("ñ", 4000)) // the longest valid text
	alice.next("ack", isType("ack", "id", "ok"))

	t.Run("ten bad envelopes in a row close with 1008", func(t *testing.T) {
		for range 10 {
			alice.sendRaw(websocket.MessageText, []byte("nonsense"))
		}
		if st := alice.closeStatus(); st != websocket.StatusPolicyViolation {
			t.Errorf("closed with %d, want 1008", st)
		}
	})
	t.Run("a 1 MB frame closes with 1009", func(t *testing.T) {
		big := s.dial("alice", alice.token, "")
		big.nextType("joined")
		big.sendRaw(websocket.MessageText, []byte(`{"type":"send","id":"1","text":"`+strings.Repeat("x", 1<<20)+`"}`))
		if st := big.closeStatus(); st != websocket.StatusMessageTooBig {
			t.Errorf("closed with %d, want 1009", st)
		}
	})
	bystander.say("fine", "the server still serves everyone else")
	bystander.next("ack", isType("ack", "id", "fine"))
}

// TestOversizedFrameFreesTheSocket: a peer that sends a frame over the limit
// and then never answers the close frame gets the close frame (1009), and
// the server lets go of the socket once coder/websocket's close handshake
// gives up waiting (5 s) rather than holding one of its files open.
func TestOversizedFrameFreesTheSocket(t *testing.T) {
	s := startServer(t, "", t.TempDir())
	token := s.signup("mallory")
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	key := base64.StdEncoding.EncodeToString(make([]byte, 16))
	fmt.Fprintf(conn, "GET /api/v1/ws?token=%s HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n", token, key)
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil || res.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %v %v", res, err)
	}
	// A masked text frame of 70,000 bytes (the mask is zero: the payload as is).
	frame := append([]byte{0x81, 0x80 | 127}, binary.BigEndian.AppendUint64(nil, 70000)...)
	frame = append(frame, 0, 0, 0, 0)
	if _, err := conn.Write(append(frame, bytes.Repeat([]byte("x"), 70000)...)); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_ = conn.SetReadDeadline(start.Add(10 * time.Second))
	got, err := io.ReadAll(conn) // the close frame, then EOF when the server lets go
	if took := time.Since(start); err != nil || took > 7*time.Second {
		t.Errorf("the server held the socket %v after the oversized frame (err %v)", took, err)
	}
	if last := lastFrame(got); len(last) < 4 || last[0] != 0x88 || binary.BigEndian.Uint16(last[2:4]) != uint16(websocket.StatusMessageTooBig) {
		t.Errorf("last frame %q, want a close frame with 1009; tail %q", last, got[max(0, len(got)-200):])
	}
}

// lastFrame returns the last of the unmasked frames (a server's) in b,
// header included.
func lastFrame(b []byte) []byte {
	var last []byte
	for len(b) >= 2 {
		n, head := int(b[1]&0x7f), 2
		switch n {
		case 126:
			n, head = int(binary.BigEndian.Uint16(b[2:4])), 4
		case 127:
			n, head = int(binary.BigEndian.Uint64(b[2:10])), 10
		}
		if len(b) < head+n {
			break
		}
		last, b = b[:head+n], b[head+n:]
	}
	return last
}

func TestMessageRateLimit(t *testing.T) {
	s := startServer(t, "", t.TempDir(), withConfig(func(c *config.Config) { c.MsgRate, c.MsgBurst = 5, 5 }))
	alice := s.join("alice")[0]
	for i := range 20 {
		alice.say(fmt.Sprint(i), "flood")
	}
	acks, limited := 0, 0
	for range 20 {
		e := alice.next("ack or error", func(e envelope) bool { return e.typ() == "ack" || e.typ() == "error" })
		switch {
		case e.typ() == "ack":
			acks++
		case e.str("code") == "rate_limited":
			limited++
		default:
			t.Errorf("unexpected %v", e)
		}
	}
	if acks < 5 || acks > 7 || limited != 20-acks {
		t.Errorf("%d acks and %d rate_limited, want about 5 and 15", acks, limited)
	}
	var page struct{ Messages []any }
	s.request("GET", "/api/v1/rooms/general/messages?limit=50", alice.token, nil).json(t, &page)
	if len(page.Messages) != acks {
		t.Errorf("%d stored, %d acknowledged", len(page.Messages), acks)
	}
	r := s.request("POST", "/api/v1/rooms/general/messages", alice.token, map[string]any{"text": "rest too"})
	if r.status != http.StatusTooManyRequests {
		t.Errorf("REST post past the limit: %d", r.status)
	}
	// openapi.yaml's RateLimited answer: retry after Retry-After seconds. At
	// 5 messages a second the next one comes within a second.
	if got := r.header.Get("Retry-After"); got != "1" {
		t.Errorf("REST post past the limit: Retry-After %q, want 1", got)
	}
}

func TestUpgradeRefused(t *testing.T) {
	s := startServer(t, "", t.TempDir(), withConfig(func(c *config.Config) { c.AllowedOrigins = []string{"https://chat.example.org"} }))
	token := s.signup("alice")
	expired := s.expiredToken(t)
	for name, tc := range map[string]struct {
		token, origin string
		status        int
	}{
		"no token":       {"", "", 401},
		"forged token":   {token[:len(token)-3] + "abc", "", 401},
		"expired token":  {expired, "", 401},
		"foreign origin": {token, "https://evil.example.com", 403},
	} {
		t.Run(name, func(t *testing.T) {
			h := http.Header{}
			if tc.origin != "" {
				h.Set("Origin", tc.origin)
			}
			_, err := s.tryDial("alice", tc.token, "", h)
			if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("status %d", tc.status)) {
				t.Errorf("got %v, want status %d", err, tc.status)
			}
		})
	}
	// A plain GET (curl, a link) is no upgrade: openapi.yaml's 400 with the
	// JSON error body, not the WebSocket library's 426 in plain text.
	plain := s.request("GET", "/api/v1/ws", token, nil)
	if plain.status != http.StatusBadRequest || plain.errorCode(t) != "invalid_request" {
		t.Errorf("plain GET /api/v1/ws: %d %s, want 400 invalid_request", plain.status, plain.body)
	}
	h := http.Header{}
	h.Set("Origin", "https://chat.example.org")
	if _, err := s.tryDial("alice", token, "", h); err != nil {
		t.Errorf("allowed origin refused: %v", err)
	}
	h.Set("Origin", s.base)
	if _, err := s.tryDial("alice", token, "", h); err != nil {
		t.Errorf("the server's own origin refused: %v", err)
	}
}

// TestIDsAreCountedInCharacters: the 64-character limit of a WebSocket id
// and of a REST client_id counts characters, as the spec says, not bytes:
// 64 emoji (256 bytes) pass, 65 fail.
func TestIDsAreCountedInCharacters(t *testing.T) {
	s := startServer(t, "", t.TempDir())
	alice := s.join("alice")[0]
	id64, id65 := strings.Repeat("😀", 64), strings.Repeat("😀", 65)

	alice.say(id64, "sixty-four emoji")
	if ack := alice.nextType("ack"); ack.str("id") != id64 {
		t.Errorf("ack for a 64-emoji id: %v", ack)
	}
	alice.say(id65, "sixty-five emoji")
	if e := alice.nextType("error"); e.str("code") != "invalid_envelope" {
		t.Errorf("a 65-emoji id: %v, want invalid_envelope", e)
	}

	restID := strings.Repeat("🙂", 64) // the WebSocket message above has id64
	r := s.request("POST", "/api/v1/rooms/general/messages", alice.token, map[string]any{"text": "rest", "client_id": restID})
	if r.status != http.StatusCreated {
		t.Errorf("client_id of 64 emoji: %d %s, want 201", r.status, r.body)
	}
	r = s.request("POST", "/api/v1/rooms/general/messages", alice.token, map[string]any{"text": "rest", "client_id": id65})
	if r.status != http.StatusUnprocessableEntity || r.fieldErrors(t)["client_id"]["code"] != "max_length" {
		t.Errorf("client_id of 65 emoji: %d %s, want 422 max_length", r.status, r.body)
	}
}
