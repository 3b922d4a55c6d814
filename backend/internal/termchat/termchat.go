// Package termchat is Sala's terminal client, `sala chat`. It logs in (or
// signs up) over the REST API, then turns every line typed into a send
// envelope, so # commands work as in any client, and prints every envelope
// it receives as one line of text. It reconnects with backoff and resumes
// (last_id and room) after the close codes that call for it, as
// docs/protocol.md describes, so a restarted server or a dropped network
// loses nothing.
package termchat

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Config is one chat session: where to connect, as whom, and the terminal.
type Config struct {
	Server   string // base URL of the server, e.g. http://localhost:8080 (a bare host:port means http)
	Login    string // empty: asked
	Password string // empty: asked
	Signup   bool   // create the account first, asking for its fields

	In  io.Reader // the lines typed
	Out io.Writer // everything the client prints
	// ReadPassword reads a password without echoing it (on a terminal);
	// nil reads it as a plain line of In.
	ReadPassword func() (string, error)

	// MinBackoff and MaxBackoff bound the delay before a reconnect, which
	// doubles after each failed attempt; zero means 500ms and 30s.
	MinBackoff, MaxBackoff time.Duration
	// HTTPClient makes the REST calls and the WebSocket upgrades; nil means
	// a client with a 15s timeout for REST calls.
	HTTPClient *http.Client
	// Now is the local clock; nil means time.Now.
	Now func() time.Time
}

// Run logs in, then chats until the user leaves: `#exit`, the end of the
// input, ctx cancelled (Ctrl-C) or a normal close by the server. It returns
// nil then, and an error when it cannot go on (wrong credentials, a server
// that refuses the client for good).
func Run(ctx context.Context, cfg Config) error {
	s, err := newSession(cfg)
	if err != nil {
		return err
	}
	if err := s.authenticate(ctx); err != nil {
		return err
	}
	go readLines(s.in, s.typed)
	return s.run(ctx)
}

func newSession(cfg Config) (*session, error) {
	base, err := baseURL(cfg.Server)
	if err != nil {
		return nil, err
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 500 * time.Millisecond
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(30*time.Second, cfg.MinBackoff)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	prefix := make([]byte, 6)
	rand.Read(prefix) // never fails
	typed := make(chan string)
	return &session{
		cfg: cfg, base: base, in: bufio.NewReader(cfg.In), out: cfg.Out, typed: typed, lines: typed,
		idPrefix: hex.EncodeToString(prefix), seen: map[int64]bool{}, echoes: map[int64]bool{},
		mentioned: map[int64]bool{}, privLast: map[string]int64{},
		clock: clock{now: cfg.Now},
	}, nil
}

// baseURL normalises the server address to scheme://host[:port][/path].
func baseURL(server string) (*url.URL, error) {
	server = strings.TrimSpace(server)
	if server == "" {
		return nil, errors.New("no server: pass -server http://host:8080")
	}
	if !strings.Contains(server, "://") {
		server = "http://" + server
	}
	u, err := url.Parse(server)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("server %q: want http://host:port or https://host", server)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

// readLines sends every line of r to out, without its line ending, and
// closes out at the end of the input.
func readLines(r *bufio.Reader, out chan<- string) {
	defer close(out)
	for {
		line, err := r.ReadString('\n')
		if line = strings.TrimRight(line, "\r\n"); line != "" || err == nil {
			out <- line
		}
		if err != nil {
			return
		}
	}
}

// prompt prints label and reads one line of the input.
func (s *session) prompt(label string) (string, error) {
	fmt.Fprint(s.out, label)
	line, err := s.in.ReadString('\n')
	if err != nil && (line == "" || !errors.Is(err, io.EOF)) {
		if errors.Is(err, io.EOF) {
			return "", errors.New("input ended before " + strings.TrimSuffix(strings.TrimSpace(label), ":"))
		}
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// promptPassword reads a password, without echo when the terminal allows.
func (s *session) promptPassword(label string) (string, error) {
	if s.cfg.ReadPassword == nil {
		return s.prompt(label)
	}
	fmt.Fprint(s.out, label)
	pw, err := s.cfg.ReadPassword()
	fmt.Fprintln(s.out)
	return pw, err
}
