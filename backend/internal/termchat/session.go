package termchat

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/salachat/sala/backend/internal/chat"
)

// Ping schedule: a few quick samples after each connect for a good clock
// estimate, then one now and then to keep the latency current.
const (
	quickPings    = 5
	quickInterval = 100 * time.Millisecond
	pingInterval  = 10 * time.Second
	writeTimeout  = 10 * time.Second
	// drainTimeout is how long the end of the input waits for the acks of
	// messages still in flight (so `echo hi | sala chat` sends "hi").
	drainTimeout = 10 * time.Second
)

// session is the state of one `sala chat` run, owned by the goroutine of
// Run; only the input reader and each connection's frame reader run beside
// it, and they talk to it through channels.
type session struct {
	cfg   Config
	base  *url.URL
	in    *bufio.Reader
	out   io.Writer
	token string
	me    chat.Profile
	clock clock

	typed chan string // lines typed, closed at the end of the input
	lines chan string // typed, or nil once the input has ended

	idPrefix  string         // makes this run's client ids unique among the user's
	nextID    int            // counter of client ids
	pending   []outgoing     // sends not acknowledged yet: sent again with the same id after a reconnect
	wantRooms int            // #lR answers awaited: other rooms envelopes are pushes, not printed
	lastID    int64          // highest message id seen, for last_id on reconnect
	room      string         // current room, for room on reconnect
	seen      map[int64]bool // message ids printed, so a resume never prints one twice
	leaving   bool           // #exit was sent
	pings     int            // pings sent on the current connection
	flushID   string         // id of the ping sent once the input ended, "" before
	flushed   bool           // its pong arrived
	// echoes are the ids of this session's acknowledged messages whose
	// broadcast has not arrived yet: at the end of the input the client waits
	// for them, since the server sends a message's broadcast after its ack
	// but not necessarily in the same breath.
	echoes map[int64]bool
	// roomLast is the newest message id shown of the current room, and
	// privLast of each private thread (by the other's login): what /read
	// marks read. mentioned holds the mentions printed.
	roomLast  int64
	privLast  map[string]int64
	mentioned map[int64]bool
}

// outgoing is a send that waits for its ack; replyTo is the message it
// answers (0: none).
type outgoing struct {
	id, text string
	replyTo  int64
}

// ending is why a connection ended and what to do next.
type ending int

const (
	endDone      ending = iota // the user left or the server closed normally: stop
	endReconnect               // reconnect with backoff and resume
	endRelogin                 // the token expired: log in again, then reconnect
)

// run connects and reconnects until the session ends.
func (s *session) run(ctx context.Context) error {
	failures := 0
	for {
		conn, err := s.dial(ctx)
		end := endReconnect
		reason := ""
		switch {
		case err == nil:
			var welcomed bool
			end, welcomed, err = s.converse(ctx, conn)
			if welcomed {
				failures = 0
			}
			if err != nil {
				reason = err.Error()
			}
		case errors.Is(err, errUnauthorized):
			end = endRelogin
		case errors.As(err, new(refusedError)):
			return err
		case ctx.Err() != nil:
			return nil
		default:
			reason = err.Error()
		}
		switch end {
		case endDone:
			return err
		case endRelogin:
			s.notice("the session expired; logging in again")
			if err := s.login(ctx); err != nil {
				return err
			}
			continue
		}
		failures++
		delay := s.backoff(failures)
		s.notice("connection lost (%s); reconnecting in %s", reason, delay.Round(100*time.Millisecond))
		if !s.wait(ctx, delay) {
			return nil
		}
	}
}

// wait sleeps before a reconnect while still taking lines typed meanwhile.
// It reports false when the session should end instead: ctx cancelled, or
// the input ended with nothing left to send.
func (s *session) wait(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		if s.lines == nil && len(s.pending) == 0 {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-timer.C:
			return true
		case line, ok := <-s.lines:
			if !ok {
				s.lines = nil
				continue
			}
			s.input(ctx, nil, line)
		}
	}
}

// backoff is the delay before reconnect attempt n: doubling from
// MinBackoff up to MaxBackoff, with ±20% jitter so that the clients of a
// restarted server do not all come back at once.
func (s *session) backoff(n int) time.Duration {
	d := s.cfg.MinBackoff
	for i := 1; i < n && d < s.cfg.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, s.cfg.MaxBackoff)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64())) //nolint:gosec // jitter needs no secrecy
}

var errUnauthorized = errors.New("unauthorized")

// refusedError is an upgrade the server refused for good (a foreign
// Origin, say): trying again would not help.
type refusedError struct{ status string }

func (e refusedError) Error() string { return "the server refused the connection: " + e.status }

// dial opens the WebSocket, resuming from lastID and room after the first
// connection.
func (s *session) dial(ctx context.Context) (*websocket.Conn, error) {
	u := *s.base
	u.Scheme = map[string]string{"http": "ws", "https": "wss"}[u.Scheme]
	u.Path += "/api/v1/ws"
	if s.room != "" {
		q := url.Values{}
		q.Set("last_id", strconv.FormatInt(s.lastID, 10))
		q.Set("room", s.room)
		u.RawQuery = q.Encode()
	}
	dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	header := http.Header{"Authorization": {"Bearer " + s.token}}
	// The library owns the response's body: nothing to close here.
	conn, res, err := websocket.Dial(dctx, u.String(), &websocket.DialOptions{HTTPClient: s.cfg.HTTPClient, HTTPHeader: header}) //nolint:bodyclose
	if err != nil {
		if res != nil && res.StatusCode == http.StatusUnauthorized {
			return nil, errUnauthorized
		}
		if res != nil && res.StatusCode/100 == 4 && res.StatusCode != http.StatusTooManyRequests && res.StatusCode != http.StatusRequestTimeout {
			return nil, refusedError{res.Status}
		}
		if res != nil {
			return nil, fmt.Errorf("upgrade refused: %s", res.Status)
		}
		return nil, err
	}
	conn.SetReadLimit(16 << 20)
	return conn, nil
}

// frame is what a connection's reader hands over: data, or the error that
// ended the connection.
type frame struct {
	data []byte
	err  error
}

// converse runs one connection: it re-sends what was not acknowledged,
// sends the lines typed and prints what arrives, until the connection ends.
func (s *session) converse(ctx context.Context, conn *websocket.Conn) (end ending, welcomed bool, err error) {
	frames := make(chan frame)
	readCtx, stopReading := context.WithCancel(context.Background())
	defer stopReading()
	go func() {
		for {
			_, data, err := conn.Read(readCtx)
			select {
			case frames <- frame{data, err}:
			case <-readCtx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	defer func() { _ = conn.CloseNow() }() // after a close, or a connection already gone: nothing to report

	for _, p := range s.pending {
		s.write(ctx, conn, sendEnvelope{Type: chat.TypeSend, ID: p.id, Text: p.text, ReplyTo: p.replyTo})
	}
	s.pings, s.flushID, s.flushed = 0, "", false
	ping := time.NewTimer(0)
	defer ping.Stop()
	var drain <-chan time.Time
	for {
		if s.lines == nil {
			// The input has ended: leave once every message is acknowledged
			// and its broadcast printed, and every command answered. For the
			// commands a ping is the barrier: the server answers a
			// connection's envelopes in order.
			if drain == nil {
				drain = time.After(drainTimeout)
			}
			if len(s.pending) == 0 && len(s.echoes) == 0 && s.flushID == "" {
				s.flushID = "eof"
				s.ping(ctx, conn, s.flushID)
			}
			if s.flushed {
				return endDone, welcomed, s.closeNormally(conn)
			}
		}
		select {
		case <-ctx.Done():
			return endDone, welcomed, s.closeNormally(conn)
		case f := <-frames:
			if f.err != nil {
				end, err := s.closed(f.err)
				return end, welcomed, err
			}
			for _, line := range bytes.Split(f.data, []byte("\n")) {
				if s.handle(line) == chat.TypeWelcome {
					welcomed = true
				}
			}
		case line, ok := <-s.lines:
			if !ok {
				s.lines = nil
				continue
			}
			s.input(ctx, conn, line)
		case <-ping.C:
			s.pings++
			s.ping(ctx, conn, "p"+strconv.Itoa(s.pings))
			if s.pings < quickPings {
				ping.Reset(quickInterval)
			} else {
				ping.Reset(pingInterval)
			}
		case <-drain:
			if len(s.pending) > 0 {
				s.notice("%d message(s) were not acknowledged", len(s.pending))
			}
			return endDone, welcomed, s.closeNormally(conn)
		}
	}
}

// closed turns the error that ended a connection into what to do next.
func (s *session) closed(err error) (ending, error) {
	code := websocket.CloseStatus(err)
	var ce websocket.CloseError
	reason := "network error"
	if errors.As(err, &ce) {
		reason = fmt.Sprintf("%d %s", int(ce.Code), ce.Reason)
	}
	switch code {
	case chat.CloseNormal:
		if !s.leaving {
			s.notice("the server closed the connection")
		}
		return endDone, nil
	case chat.ClosePolicy, chat.CloseTooBig:
		return endDone, fmt.Errorf("the server closed the connection for good: %s", reason)
	case chat.CloseTokenExpired:
		return endRelogin, nil
	}
	return endReconnect, errors.New(reason)
}

// closeNormally ends the connection with 1000: the user is leaving. A peer
// that went away first needs no goodbye, so the error is of no interest.
func (s *session) closeNormally(conn *websocket.Conn) error {
	_ = conn.Close(websocket.StatusNormalClosure, "bye")
	return nil
}

// input handles one line typed: a send envelope for the server (a message
// or a # command), or /status, the client's own status line. conn is nil
// while disconnected: a message waits for the next connection then.
func (s *session) input(ctx context.Context, conn *websocket.Conn, line string) {
	if line == "" {
		return
	}
	if line == "/status" {
		s.status()
		return
	}
	if strings.HasPrefix(line, "/") {
		s.slash(ctx, conn, line)
		return
	}
	s.nextID++
	env := sendEnvelope{Type: chat.TypeSend, ID: s.idPrefix + "-" + strconv.Itoa(s.nextID), Text: line}
	if chat.IsCommand(line) {
		cmd, err := chat.ParseCommand(line)
		switch {
		case err != nil:
			// The server answers with the error: send it anyway, so that
			// the client never disagrees with the server about commands.
		case cmd.Kind == chat.CmdListRooms:
			s.wantRooms++
		case cmd.Kind == chat.CmdExit:
			s.leaving = true
		case cmd.Kind == chat.CmdPrivate:
			s.pending = append(s.pending, outgoing{id: env.ID, text: line}) // stored and acknowledged like a message
		}
		if conn == nil {
			if cmd.Kind != chat.CmdPrivate {
				s.notice("not connected: %s was not sent", line)
			}
			return
		}
	} else {
		s.pending = append(s.pending, outgoing{id: env.ID, text: line})
	}
	if conn != nil {
		s.write(ctx, conn, env)
	}
}

func (s *session) ping(ctx context.Context, conn *websocket.Conn, id string) {
	s.write(ctx, conn, pingEnvelope{Type: chat.TypePing, ID: id, T0: s.clock.now().UnixMilli()})
}

// sendEnvelope and pingEnvelope are the client's envelopes (chat.Inbound
// is the server's view of both).
type sendEnvelope struct {
	Type    string `json:"type"`
	ID      string `json:"id"`
	Text    string `json:"text"`
	ReplyTo int64  `json:"reply_to,omitempty"`
}

type pingEnvelope struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	T0   int64  `json:"t0"`
}

// write sends one envelope. A failed write needs no handling here: it
// breaks the connection, and its reader reports why.
func (s *session) write(ctx context.Context, conn *websocket.Conn, env any) {
	raw, err := json.Marshal(env)
	if err != nil {
		panic(err) // the envelopes are plain structs: this cannot happen
	}
	wctx, cancel := context.WithTimeout(ctx, writeTimeout)
	defer cancel()
	_ = conn.Write(wctx, websocket.MessageText, raw)
}

// acked forgets a pending send: it was stored, or refused for good. It
// reports whether the id was pending.
func (s *session) acked(id string) bool {
	for i, p := range s.pending {
		if p.id == id {
			s.pending = append(s.pending[:i], s.pending[i+1:]...)
			return true
		}
	}
	return false
}
