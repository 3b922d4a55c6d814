package termchat

import (
	"regexp"
	"strings"
	"testing"
	"time"
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
	s.pending = []outgoing{{"c1", "hola"}, {"c2", "#private bob hi"}}
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
		`not json`,
	} {
		s.handle([]byte(env))
	}
	got := regexp.MustCompile(`\[\d\d:\d\d:\d\d\]`).ReplaceAllString(out.String(), "[T]")
	want := `[T] * connected to localhost:8080 as ada (Ada L); live rooms: #general (2); #help lists the commands
[T] * you are in #general
[T] bob: earlier
[T] ada: hola
[T] (private) bob → ada: psst
[T] ! user_not_found: no such user
[T] * the room #books was deleted
ROOM      MEMBERS  OWNER
#general  2        (default)
#books    1        bob
`
	if got != want {
		t.Errorf("printed:\n%s\nwant:\n%s", got, want)
	}
	if len(s.pending) != 0 {
		t.Errorf("ack and error left pending sends: %v", s.pending)
	}
	if s.lastID != 5 || s.room != "general" {
		t.Errorf("resume state: last_id %d room %q", s.lastID, s.room)
	}
}
