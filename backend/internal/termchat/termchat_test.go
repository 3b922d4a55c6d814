package termchat

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func TestClockTakesTheLowestRTTSample(t *testing.T) {
	local := time.UnixMilli(1_000_000)
	c := clock{now: func() time.Time { return local }}
	c.start(1_000_500) // welcome: a rough +500
	if c.offset != 500 {
		t.Fatalf("first estimate %d, want 500", c.offset)
	}
	// Sent at 999_900, answered at server 1_000_120: rtt 100, offset 120+50-0 = 170.
	c.pong(999_900, 1_000_120)
	if c.offset != 170 || c.bestRTT != 100 {
		t.Fatalf("after one pong: offset %d rtt %d", c.offset, c.bestRTT)
	}
	// A slower sample does not win, even with a different offset.
	c.pong(999_700, 1_000_000)
	if c.offset != 170 {
		t.Errorf("a 300 ms sample replaced a 100 ms one: offset %d", c.offset)
	}
	// A faster one does: rtt 20, offset 1_000_210 + 10 - 1_000_000 = 220.
	c.pong(999_980, 1_000_210)
	if c.offset != 220 || c.bestRTT != 20 {
		t.Errorf("the 20 ms sample did not win: offset %d rtt %d", c.offset, c.bestRTT)
	}
	if got := c.latency(); got != 140*time.Millisecond {
		t.Errorf("average latency %s, want 140ms", got)
	}
	c.start(0) // a later welcome does not undo a measured offset
	if c.offset != 220 {
		t.Errorf("welcome replaced the measured offset: %d", c.offset)
	}
	if got := c.serverNow().UnixMilli(); got != 1_000_220 {
		t.Errorf("server now %d", got)
	}
}

func TestBaseURL(t *testing.T) {
	for in, want := range map[string]string{
		"localhost:8080":                 "http://localhost:8080",
		"http://chat.example.org/":       "http://chat.example.org",
		"https://example.org/sala/?x=1":  "https://example.org/sala",
		"  http://127.0.0.1:8080  ":      "http://127.0.0.1:8080",
		"https://[::1]:8443/prefix/sub/": "https://[::1]:8443/prefix/sub",
	} {
		u, err := baseURL(in)
		if err != nil || u.String() != want {
			t.Errorf("baseURL(%q) = %v, %v; want %s", in, u, err, want)
		}
	}
	for _, bad := range []string{"", "ftp://example.org", "http://"} {
		if _, err := baseURL(bad); err == nil {
			t.Errorf("baseURL(%q) accepted", bad)
		}
	}
}

func TestBackoffDoublesWithJitterUpToTheMaximum(t *testing.T) {
	s, err := newSession(Config{Server: "localhost:1", MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for n, base := range map[int]time.Duration{1: 100, 2: 200, 3: 400, 4: 800, 5: 1000, 50: 1000} {
		base *= time.Millisecond
		for range 20 {
			if d := s.backoff(n); d < base*8/10 || d > base*12/10 {
				t.Errorf("backoff(%d) = %s, want %s ± 20%%", n, d, base)
			}
		}
	}
}

func TestEnvelopesAsLines(t *testing.T) {
	var out strings.Builder
	s, err := newSession(Config{Server: "localhost:8080", Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	s.pending = []outgoing{{id: "c1", text: "hola"}, {id: "c2", text: "#private bob hi"}}
	s.wantRooms = 1
	for _, env := range []string{
		`{"type":"welcome","server_time":1732270000000,"user":{"login":"ada","first_name":"Ada","last_name":"L"},"room":"general","rooms":[{"name":"general","members":2,"default":true}],"commands":[]}`,
		`{"type":"joined","room":"general","history":[{"type":"message","id":3,"room":"general","from":"bob","text":"earlier","sent_at":1732270000000,"client_id":"x"}],"resumed":false,"more":false}`,
		`{"type":"ack","id":"c1","message_id":4,"sent_at":1732270000000}`,
		`{"type":"message","id":4,"room":"general","from":"ada","text":"hola","sent_at":1732270000000,"client_id":"c1"}`,
		`{"type":"message","id":3,"room":"general","from":"bob","text":"earlier","sent_at":1732270000000,"client_id":"x"}`,
		`{"type":"private","id":5,"from":"bob","to":"ada","text":"psst","sent_at":1732270000000,"client_id":"y"}`,
		`{"type":"error","id":"c2","code":"user_not_found","message":"no such user"}`,
		`{"type":"event","kind":"room_deleted","room":"books","user":"bob","at":1732270000000}`,
		`{"type":"rooms","rooms":[{"name":"general","members":2,"default":true},{"name":"books","owner":"bob","members":1,"default":false}]}`,
		`{"type":"rooms","rooms":[]}`,
		`{"type":"typing","user":"bob"}`,
		`{"type":"message","id":6,"room":"general","from":"bob","text":"sí","sent_at":1732270000000,"client_id":"z","reply_to":{"id":4,"from":"ada","text":"hola"}}`,
		`{"type":"update","id":7,"message_id":4,"kind":"edited","room":"general","by":"ada","at":1732270000000,"text":"hola a todos"}`,
		`{"type":"update","id":8,"message_id":4,"kind":"reaction","room":"general","by":"bob","at":1732270000000,"emoji":"👍","reactions":[{"emoji":"👍","count":1,"users":["bob"]}]}`,
		`{"type":"update","id":9,"message_id":4,"kind":"reaction","room":"general","by":"bob","at":1732270000000,"emoji":"👍","reactions":[]}`,
		`{"type":"update","id":10,"message_id":6,"kind":"deleted","room":"general","by":"bob","at":1732270000000}`,
		`{"type":"update","id":10,"message_id":6,"kind":"deleted","room":"general","by":"bob","at":1732270000000}`,
		`not json`,
	} {
		s.handle([]byte(env))
	}
	got := regexp.MustCompile(`\[\d\d:\d\d:\d\d\]`).ReplaceAllString(out.String(), "[T]")
	want := `[T] * connected to localhost:8080 as ada (Ada L); live rooms: #general (2); #help lists the commands
[T] * you are in #general
[T] 3 bob: earlier
[T] 4 ada: hola
[T] 5 (private) bob → ada: psst
[T] ! user_not_found: no such user
[T] * the room #books was deleted
ROOM      MEMBERS  OWNER
#general  2        (default)
#books    1        bob
[T] 6 bob (↪ 4 ada: hola): sí
[T] * ada edited 4: hola a todos
[T] * bob reacted 👍 on 4: [👍 1]
[T] * bob took back 👍 on 4
[T] * bob deleted 6
`
	if got != want {
		t.Errorf("printed:\n%s\nwant:\n%s", got, want)
	}
	if len(s.pending) != 0 {
		t.Errorf("ack and error left pending sends: %v", s.pending)
	}
	if s.lastID != 10 || s.room != "general" {
		t.Errorf("resume state: last_id %d room %q", s.lastID, s.room)
	}
}

func TestHistoryShowsMessagesInTheirCurrentState(t *testing.T) {
	var out strings.Builder
	s, err := newSession(Config{Server: "localhost:8080", Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	s.handle([]byte(`{"type":"joined","room":"general","resumed":true,"more":false,"history":[` +
		`{"type":"message","id":3,"room":"general","from":"bob","text":"","sent_at":1732270000000,"client_id":"x","deleted":true},` +
		`{"type":"message","id":4,"room":"general","from":"ada","text":"fixed","sent_at":1732270000000,"client_id":"y","edited_at":1732270001000,"reactions":[{"emoji":"🎉","count":2,"users":["bob","cy"]},{"emoji":"👍","count":1,"users":["cy"]}]},` +
		`{"type":"message","id":5,"room":"general","from":"cy","text":"","sent_at":1732270000000,"client_id":"z","attachments":[{"id":"k3J9","name":"plan.pdf","size":48213,"content_type":"application/pdf","url":"/api/v1/files/k3J9?exp=1&sig=s"}]}]}`))
	got := regexp.MustCompile(`\[\d\d:\d\d:\d\d\]`).ReplaceAllString(out.String(), "[T]")
	want := `[T] * back in #general: 3 message(s) missed
[T] 3 bob: (deleted)
[T] 4 ada: fixed (edited)  [🎉 2, 👍 1]
[T] 5 cy:
    [file] plan.pdf (application/pdf, 47.1 KiB) http://localhost:8080/api/v1/files/k3J9?exp=1&sig=s
`
	if got != want {
		t.Errorf("printed:\n%s\nwant:\n%s", got, want)
	}
}

// TestSlashCommandsAreEnvelopes: /edit, /delete, /react and /reply become
// the envelopes of the protocol, by the ids the message lines show; a
// wrong use is explained, never sent.
func TestSlashCommandsAreEnvelopes(t *testing.T) {
	s, conn, sent, out := recordingSession(t)
	ctx := t.Context()
	for _, line := range []string{"/edit 42 hola a todos", "/delete 42", "/react 42 👍", "/reply 42 sí, claro",
		"/edit 42", "/delete x", "/frob 1"} {
		s.input(ctx, conn, line)
	}
	for _, want := range []string{
		`{"type":"edit","id":"t-1","message_id":42,"text":"hola a todos"}`,
		`{"type":"delete","id":"t-2","message_id":42}`,
		`{"type":"react","id":"t-3","message_id":42,"emoji":"👍"}`,
		`{"type":"send","id":"t-4","text":"sí, claro","reply_to":42}`,
	} {
		if got := <-sent; got != want {
			t.Errorf("sent %s, want %s", got, want)
		}
	}
	if len(s.pending) != 1 || s.pending[0].replyTo != 42 {
		t.Errorf("the reply waits for its ack, to be sent again: %v", s.pending)
	}
	printed := out.String()
	for _, want := range []string{"usage: /edit <id> <text>", "usage: /delete <id>", "unknown command /frob"} {
		if !strings.Contains(printed, want) {
			t.Errorf("printed %q, want %q", printed, want)
		}
	}
}

// recordingSession is a session whose input goes over a real WebSocket to a
// server that records every frame it reads (sent), and whose output is out.
func recordingSession(t *testing.T) (s *session, conn *websocket.Conn, sent chan string, out *strings.Builder) {
	t.Helper()
	sent = make(chan string, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer conn.CloseNow()
		for {
			_, data, err := conn.Read(r.Context())
			if err != nil {
				return
			}
			sent <- string(data)
		}
	}))
	t.Cleanup(srv.Close)
	conn, _, err := websocket.Dial(t.Context(), "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.CloseNow() })
	out = new(strings.Builder)
	s, err = newSession(Config{Server: "localhost:8080", Out: out})
	if err != nil {
		t.Fatal(err)
	}
	s.idPrefix = "t"
	return s, conn, sent, out
}
