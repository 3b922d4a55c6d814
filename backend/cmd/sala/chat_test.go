package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salachat/sala/backend/internal/termchat"
)

// terminal is the other end of `sala chat`: what the user types and what
// the client prints.
type terminal struct {
	t     *testing.T
	keys  *io.PipeWriter
	mu    sync.Mutex
	cond  *sync.Cond
	out   strings.Builder
	done  chan error
	since int // output already matched by expect
}

func (tm *terminal) Write(p []byte) (int, error) {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	tm.out.Write(p)
	tm.cond.Broadcast()
	return len(p), nil
}

// startChat runs `sala chat args…` against s with env as its environment.
func startChat(t *testing.T, s *testServer, env map[string]string, args ...string) *terminal {
	t.Helper()
	getenv := func(k string) string { return env[k] }
	return startTerminal(t, func(ctx context.Context, stdin io.Reader, out io.Writer) error {
		return chatCommand(ctx, append([]string{"-server", s.base}, args...), getenv, stdin, out, out)
	})
}

// startTerminal runs a terminal client on a new terminal.
func startTerminal(t *testing.T, client func(ctx context.Context, stdin io.Reader, out io.Writer) error) *terminal {
	t.Helper()
	stdin, keys := io.Pipe()
	tm := &terminal{t: t, keys: keys, done: make(chan error, 1)}
	tm.cond = sync.NewCond(&tm.mu)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { tm.done <- client(ctx, stdin, tm) }()
	t.Cleanup(func() {
		cancel()
		keys.Close()
		select {
		case <-tm.done:
		case <-time.After(10 * time.Second):
			t.Errorf("sala chat did not stop")
		}
	})
	return tm
}

// typeLine types one line.
func (tm *terminal) typeLine(line string) {
	tm.t.Helper()
	if _, err := io.WriteString(tm.keys, line+"\n"); err != nil {
		tm.t.Fatalf("type %q: %v", line, err)
	}
}

// expect waits until the output printed since the last expect matches re,
// and returns the match.
func (tm *terminal) expect(re string) string {
	tm.t.Helper()
	pattern := regexp.MustCompile(re)
	deadline := time.Now().Add(10 * time.Second)
	timer := time.AfterFunc(10*time.Second, func() { tm.mu.Lock(); tm.cond.Broadcast(); tm.mu.Unlock() })
	defer timer.Stop()
	tm.mu.Lock()
	defer tm.mu.Unlock()
	for {
		out := tm.out.String()
		if loc := pattern.FindStringIndex(out[tm.since:]); loc != nil {
			match := out[tm.since+loc[0] : tm.since+loc[1]]
			tm.since += loc[1]
			return match
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("sala chat never printed %q; it printed:\n%s", re, out)
		}
		tm.cond.Wait()
	}
}

// output is everything printed so far.
func (tm *terminal) output() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.out.String()
}

// exit waits for `sala chat` to end and returns its error.
func (tm *terminal) exit() error {
	tm.t.Helper()
	select {
	case err := <-tm.done:
		tm.done <- err // for the cleanup
		return err
	case <-time.After(10 * time.Second):
		tm.t.Fatalf("sala chat is still running; it printed:\n%s", tm.output())
		return nil
	}
}

const clockStamp = `\[\d\d:\d\d:\d\d\]`

func TestTerminalChat(t *testing.T) {
	s := startServer(t, "", t.TempDir())
	bob := s.join("bob")[0]

	// Sign up from the terminal: every field is asked.
	alice := startChat(t, s, nil, "-signup", "-login", "alice")
	for _, answer := range []struct{ prompt, value string }{
		{"First name: ", "Alice"}, {"Last name: ", "Liddell"}, {"Age: ", "thirty"}, {"Age: ", "30"},
		{`Gender \(female, male, non_binary, other, prefer_not_to_say\): `, "other"},
		{`Password \(8–128 characters\): `, "password-alice"}, {"Password again: ", "password-alice"},
	} {
		alice.expect(answer.prompt)
		alice.typeLine(answer.value)
	}
	alice.expect(`connected to .* as alice \(Alice Liddell\)`)
	alice.expect(`you are in #general`)
	bob.next("alice joined", isType("event", "kind", "user_joined"))

	// A line typed is a message for the room; the room's messages are printed
	// with their sender and server time.
	alice.typeLine("hello from the terminal")
	if m := bob.nextType("message"); m.str("from") != "alice" || m.str("text") != "hello from the terminal" {
		t.Errorf("bob got %v", m)
	}
	alice.expect(clockStamp + ` \d+ alice: hello from the terminal\n`)
	bob.say("b1", "hi alice")
	hi := bob.nextType("message").num("id")
	alice.expect(clockStamp + ` \d+ bob: hi alice\n`)

	// Message ids shown on each line act on messages: reply, react, edit,
	// delete; the others' edits, deletions and reactions are notices.
	alice.typeLine(fmt.Sprintf("/reply %d hi bob", hi))
	if m := bob.next("reply", isType("message", "text", "hi bob")); m["reply_to"] == nil {
		t.Errorf("a /reply without reply_to: %v", m)
	}
	alice.typeLine(fmt.Sprintf("/react %d 👍", hi))
	bob.update("reaction", hi)
	alice.expect(fmt.Sprintf(`\* alice reacted 👍 on %d: \[👍 1\]\n`, hi))
	bob.act(map[string]any{"type": "edit", "id": "b1e", "message_id": hi, "text": "hi Alice"})
	alice.expect(fmt.Sprintf(`\* bob edited %d: hi Alice\n`, hi))
	alice.typeLine(fmt.Sprintf("/edit %d mine now", hi))
	alice.expect(`! not_author: `)
	bob.act(map[string]any{"type": "delete", "id": "b1d", "message_id": hi})
	alice.expect(fmt.Sprintf(`\* bob deleted %d\n`, hi))

	// # commands work: #lR prints the rooms as a table, errors are printed.
	alice.typeLine("#lR")
	alice.expect(`ROOM +MEMBERS +OWNER\n#general +2 +\(default\)\n`)
	alice.typeLine("#gR nowhere")
	alice.expect(`! room_not_found: `)
	bob.say("b2", "#private alice psst")
	alice.expect(clockStamp + ` \d+ \(private\) bob → alice: psst\n`)
	alice.typeLine("#private bob noted")
	bob.next("alice's private", isType("private", "text", "noted"))
	alice.typeLine("#show users")
	alice.expect(`LOGIN +NAME +WHERE\nalice +Alice Liddell +#general\nbob +Bob Tester +#general\n`)
	alice.typeLine("/status")
	alice.expect(`alice on .* in #general; server clock [+-]\d+ ms from this one; average ping \d+`)

	// #exit: the server closes normally and the client ends without error.
	alice.typeLine("#exit")
	if err := alice.exit(); err != nil {
		t.Fatalf("sala chat after #exit: %v", err)
	}
	bob.next("alice left", isType("event", "kind", "user_left"))
}

func TestTerminalChatLoginAndEndOfInput(t *testing.T) {
	s := startServer(t, "", t.TempDir())
	s.signup("carol")

	wrong := startChat(t, s, map[string]string{"SALA_PASSWORD": "not her password"}, "-login", "carol")
	if err := wrong.exit(); err == nil || !strings.Contains(err.Error(), "invalid_credentials") {
		t.Errorf("wrong password: %v", err)
	}

	// The login is asked, the password comes from SALA_PASSWORD; at the end
	// of the input the client waits for the answers to what it sent.
	carol := startChat(t, s, map[string]string{"SALA_PASSWORD": "password-carol"})
	carol.expect("Login: ")
	carol.typeLine("carol")
	carol.typeLine("piped in")
	carol.typeLine("#lR")
	carol.keys.Close()
	if err := carol.exit(); err != nil {
		t.Fatalf("sala chat at the end of the input: %v", err)
	}
	out := carol.output()
	if !regexp.MustCompile(clockStamp+` \d+ carol: piped in\n`).MatchString(out) || !strings.Contains(out, "#general  1") {
		t.Errorf("output:\n%s", out)
	}
	r := s.request("GET", "/api/v1/rooms/general/messages", s.signup("dan"), nil)
	if !strings.Contains(string(r.body), "piped in") {
		t.Errorf("the piped message was not stored: %s", r.body)
	}
}

func TestTerminalChatReconnects(t *testing.T) {
	s := startServer(t, "", t.TempDir())
	s.signup("erin")
	frank := s.signup("frank")
	// The client's connections go through a dialer that lets the test cut
	// them like a dropped network.
	var mu sync.Mutex
	var conns []net.Conn
	transport := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err == nil {
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
		return c, err
	}}
	erin := startTerminal(t, func(ctx context.Context, stdin io.Reader, out io.Writer) error {
		return termchat.Run(ctx, termchat.Config{Server: s.base, Login: "erin", Password: "password-erin",
			In: stdin, Out: out, HTTPClient: &http.Client{Transport: transport}, MinBackoff: 50 * time.Millisecond})
	})
	erin.expect("you are in #general")
	erin.typeLine("#cR attic")
	erin.expect("you are in #attic")
	erin.typeLine("before the drop")
	erin.expect(`erin: before the drop\n`)

	// A dropped network: the client reconnects with last_id and room, and
	// gets what it missed in its room exactly once.
	mu.Lock()
	for _, c := range conns {
		c.Close()
	}
	mu.Unlock()
	if r := s.request("POST", "/api/v1/rooms/attic/messages", frank, map[string]any{"text": "while you were away"}); r.status != http.StatusCreated {
		t.Fatalf("post: %d %s", r.status, r.body)
	}
	erin.expect(`connection lost \(network error\); reconnecting`)
	erin.expect(`back in #attic: \d message\(s\) missed`)
	erin.expect(`frank: while you were away\n`)
	erin.typeLine("after the drop")
	erin.expect(`erin: after the drop\n`)
	if n := strings.Count(erin.output(), "while you were away"); n != 1 {
		t.Errorf("the missed message was printed %d times:\n%s", n, erin.output())
	}

	// A restart closes with 1001: the client comes back to its room, which
	// outlives the restart, and can go on.
	s.restart()
	erin.expect(`connection lost \(1001 [^)]*\); reconnecting`)
	erin.expect(`back in #attic`)
	erin.typeLine("after the restart")
	erin.expect(`erin: after the restart\n`)
	erin.typeLine("#exit")
	if err := erin.exit(); err != nil {
		t.Fatal(err)
	}
}

func TestChatCommandLine(t *testing.T) {
	var out strings.Builder
	if code := run(context.Background(), []string{"chat", "-h"}, func(string) string { return "" }, &out, &out); code != 0 {
		t.Errorf("sala chat -h exited %d", code)
	}
	if !strings.Contains(out.String(), "-signup") {
		t.Errorf("sala chat -h:\n%s", out.String())
	}
	out.Reset()
	code := run(context.Background(), []string{"chat", "-server", "ftp://nowhere"}, func(string) string { return "" }, &out, &out)
	if code != 1 || !strings.Contains(out.String(), "want http://host:port") {
		t.Errorf("bad server: exit %d, %s", code, out.String())
	}
}
