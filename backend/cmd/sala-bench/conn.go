package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/sys/unix"
)

// conn is one bench connection: a WebSocket in a room, read by its own
// goroutine, written by the setup code and then by its publisher.
type conn struct {
	idx   int
	room  int
	ws    *websocket.Conn
	setup chan setupEvent // joined rooms and errors while setupOn
	// setupOn routes joined and error envelopes to setup.
	setupOn atomic.Bool
	done    chan struct{} // closed when the reader stops
	wbuf    []byte        // the publisher's frame buffer
	seq     uint64
}

// setupEvent is a joined room or an error code seen during setup.
type setupEvent struct {
	joined string
	err    string
}

// framePool holds frame buffers: a connection takes one only while it
// processes a frame, so idle connections hold none.
var framePool = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// dialers holds one HTTP client per source address, so connections can
// spread over 127.0.0.x addresses (each has its own ~28k ephemeral ports).
type dialers []*http.Client

func newDialers(srcs []net.IP) dialers {
	if len(srcs) == 0 {
		srcs = []net.IP{nil}
	}
	out := make(dialers, len(srcs))
	for i, ip := range srcs {
		d := &net.Dialer{Timeout: 10 * time.Second}
		if ip != nil {
			d.LocalAddr = &net.TCPAddr{IP: ip}
			d.Control = bindAddressNoPort
		}
		out[i] = &http.Client{Transport: upgrader{dial: d.DialContext}}
	}
	return out
}

// upgrader is an http.RoundTripper for WebSocket handshakes only: it dials,
// writes the request, reads the response and hands the connection over as
// its body, the io.ReadWriteCloser coder/websocket takes a client
// connection from. net/http's Transport does the same through its pool and
// two goroutines per connection, and during S3's connects the load
// generator's core was as busy as the server's: the bench must not be what
// limits the connect rate it reports.
type upgrader struct {
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

func (u upgrader) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	nc, err := u.dial(ctx, "tcp", req.URL.Host)
	if err != nil {
		return nil, err
	}
	// The context bounds the handshake: on expiry the deadline ends any
	// blocked write or read.
	stop := context.AfterFunc(ctx, func() { _ = nc.SetDeadline(time.Now()) })
	br := bufio.NewReader(nc)
	resp, err := roundTrip(nc, br, req)
	if !stop() && err == nil {
		err = ctx.Err() // the deadline was set: the connection is spent
	}
	if err != nil {
		_ = nc.Close()
		return nil, err
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		// A refusal keeps its own body, which ends where the response does.
		resp.Body = refusal{Reader: resp.Body, conn: nc}
		return resp, nil
	}
	// Most often nothing came behind the response, and the connection is
	// read directly: coder/websocket buffers its reads itself, and S3's
	// 19,500 connections would otherwise each hold a second 4 KiB buffer.
	resp.Body = nc
	if br.Buffered() > 0 {
		resp.Body = upgradedConn{Reader: br, Conn: nc}
	}
	return resp, nil
}

// refusal is the body of a refused handshake; closing it ends the connection.
type refusal struct {
	io.Reader
	conn net.Conn
}

func (r refusal) Close() error { return r.conn.Close() }

func roundTrip(nc net.Conn, br *bufio.Reader, req *http.Request) (*http.Response, error) {
	if err := req.Write(nc); err != nil {
		return nil, fmt.Errorf("write handshake: %w", err)
	}
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		return nil, fmt.Errorf("read handshake response: %w", err)
	}
	return resp, nil
}

// upgradedConn reads what the handshake's reader buffered before the
// connection itself: the first frames may have come with the response.
type upgradedConn struct {
	*bufio.Reader
	net.Conn
}

func (c upgradedConn) Read(p []byte) (int, error) { return c.Reader.Read(p) }

// bindAddressNoPort leaves the choice of a source port to connect, which
// may reuse a port towards another destination: bind with port 0 looks for
// a port no socket holds. With tens of thousands of sockets in TIME_WAIT
// from the run before, S3 now and then took 29 s instead of 9 (system CPU
// at 55–60% throughout, a p99 connect time over a second); with this
// option, back-to-back runs no longer did.
func bindAddressNoPort(_, _ string, rc syscall.RawConn) error {
	var err error
	if cerr := rc.Control(func(fd uintptr) {
		err = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_BIND_ADDRESS_NO_PORT, 1)
	}); cerr != nil {
		return cerr
	}
	return err
}

// dial opens connection i as token and starts its reader; with room set,
// it asks to enter that room rather than the default one.
func (b *bench) dial(ctx context.Context, i int, token, room string) (*conn, error) {
	c := &conn{idx: i, room: i % len(b.rooms), setup: make(chan setupEvent, 16), done: make(chan struct{})}
	c.setupOn.Store(true)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	u := "ws://" + b.cfg.addr + "/api/v1/ws"
	if room != "" {
		u += "?room=" + url.QueryEscape(room)
	}
	ws, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{
		HTTPClient:      b.dialers[i%len(b.dialers)],
		HTTPHeader:      http.Header{"Authorization": {"Bearer " + token}},
		CompressionMode: websocket.CompressionDisabled,
	})
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("dial %d: %s: %w", i, resp.Status, err)
		}
		return nil, fmt.Errorf("dial %d: %w", i, err)
	}
	ws.SetReadLimit(-1) // welcome and rooms lists may exceed the default 32 KiB
	c.ws = ws
	go b.readLoop(c)
	return c, nil
}

// await waits for the next setup event.
func (c *conn) await(timeout time.Duration) (setupEvent, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case ev := <-c.setup:
		return ev, nil
	case <-c.done:
		return setupEvent{}, errors.New("connection closed during setup")
	case <-t.C:
		return setupEvent{}, fmt.Errorf("no answer in %v", timeout)
	}
}

func (c *conn) notify(ev setupEvent) {
	if !c.setupOn.Load() {
		return
	}
	select {
	case c.setup <- ev:
	default:
	}
}

// readLoop reads frames until the connection ends, splitting each on '\n'
// and handing every envelope to the bench.
func (b *bench) readLoop(c *conn) {
	defer close(c.done)
	defer b.lost(c)
	for {
		_, r, err := c.ws.Reader(context.Background())
		if err != nil {
			return
		}
		bp := framePool.Get().(*[]byte)
		frame, err := readFrame(r, bp)
		if err != nil {
			framePool.Put(bp)
			return
		}
		now := b.now()
		b.frames.Add(1)
		for len(frame) > 0 {
			line := frame
			if i := bytes.IndexByte(frame, '\n'); i >= 0 {
				line, frame = frame[:i], frame[i+1:]
			} else {
				frame = nil
			}
			b.handle(c, line, now)
		}
		framePool.Put(bp)
	}
}

// readFrame reads one whole message into *bp, growing it when needed.
func readFrame(r io.Reader, bp *[]byte) ([]byte, error) {
	buf := (*bp)[:0]
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			*bp = buf
			return buf, nil
		}
		if err != nil {
			*bp = buf
			return nil, err
		}
	}
}

var (
	preMessage = []byte(`{"type":"message"`)
	preAck     = []byte(`{"type":"ack"`)
	preJoined  = []byte(`{"type":"joined"`)
	preError   = []byte(`{"type":"error"`)
	keyText    = []byte(`"text":"B`)
	keyID      = []byte(`"id":"`)
	keyRoom    = []byte(`"room":"`)
	keyCode    = []byte(`"code":"`)
)

// handle accounts for one envelope received at now. The server encodes
// every envelope with its type first, so a prefix tells them apart without
// decoding JSON: the bench must outpace the server it measures.
func (b *bench) handle(c *conn, line []byte, now time.Duration) {
	switch {
	case bytes.HasPrefix(line, preMessage):
		// text is "B<tag>.<step>.<sent ns>.<padding>"
		if step, sent, ok := b.parseStamp(line, keyText); ok {
			st := &b.steps[step]
			st.lat.add(now - sent)
			st.received.Add(1)
		}
	case bytes.HasPrefix(line, preAck):
		// id is "<tag>.<step>.<sent ns>.<conn>.<seq>"
		if step, sent, ok := b.parseStamp(line, keyID); ok {
			st := &b.steps[step]
			st.ack.add(now - sent)
			st.acks.Add(1)
		}
	case bytes.HasPrefix(line, preJoined):
		c.notify(setupEvent{joined: string(field(line, keyRoom))})
	case bytes.HasPrefix(line, preError):
		code := string(field(line, keyCode))
		b.countError(code)
		if step, _, ok := b.parseStamp(line, keyID); ok {
			b.steps[step].sendErrors.Add(1)
			return
		}
		c.notify(setupEvent{err: code})
	default:
		b.others.Add(1)
	}
}

// field returns the string value after key (which ends with the opening
// quote); Sala's ids, rooms and codes never hold escaped characters.
func field(line, key []byte) []byte {
	i := bytes.Index(line, key)
	if i < 0 {
		return nil
	}
	v := line[i+len(key):]
	if j := bytes.IndexByte(v, '"'); j >= 0 {
		return v[:j]
	}
	return nil
}

// parseStamp reads "<tag>.<step>.<ns>." after key, reporting whether it is
// one of this run's messages.
func (b *bench) parseStamp(line, key []byte) (step int, sent time.Duration, ok bool) {
	v := line
	i := bytes.Index(v, key)
	if i < 0 {
		return 0, 0, false
	}
	v = v[i+len(key):]
	if !bytes.HasPrefix(v, b.tagDot) {
		return 0, 0, false
	}
	v = v[len(b.tagDot):]
	s, v, ok1 := cutNumber(v)
	ns, _, ok2 := cutNumber(v)
	if !ok1 || !ok2 || s >= maxSteps {
		return 0, 0, false
	}
	return int(s), time.Duration(ns), true
}

// cutNumber parses the decimal number at the start of v and skips the '.'
// after it.
func cutNumber(v []byte) (n int64, rest []byte, ok bool) {
	i := 0
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		n = n*10 + int64(v[i]-'0')
		i++
	}
	if i == 0 || i >= len(v) || v[i] != '.' {
		return 0, v, false
	}
	return n, v[i+1:], true
}

// sendMessage publishes one message of step, stamped with the send time.
func (b *bench) sendMessage(c *conn, step int) error {
	c.seq++
	now := int64(b.now())
	w := append(c.wbuf[:0], `{"type":"send","id":"`...)
	w = append(w, b.tagDot...)
	w = strconv.AppendInt(w, int64(step), 10)
	w = append(w, '.')
	w = strconv.AppendInt(w, now, 10)
	w = append(w, '.')
	w = strconv.AppendInt(w, int64(c.idx), 10)
	w = append(w, '.')
	w = strconv.AppendUint(w, c.seq, 10)
	w = append(w, `","text":"B`...)
	textStart := len(w) - 1
	w = append(w, b.tagDot...)
	w = strconv.AppendInt(w, int64(step), 10)
	w = append(w, '.')
	w = strconv.AppendInt(w, now, 10)
	w = append(w, '.')
	for len(w)-textStart < b.cfg.size {
		w = append(w, 'x')
	}
	w = append(w, `"}`...)
	c.wbuf = w
	st := &b.steps[step]
	st.sent.Add(1)
	st.expected.Add(b.roomLive[c.room].Load())
	if err := c.ws.Write(context.Background(), websocket.MessageText, w); err != nil {
		st.sendFailures.Add(1)
		return err
	}
	return nil
}

// sendSetup sends a command during setup, with an id outside the stamps.
func (b *bench) sendSetup(c *conn, text string) error {
	c.seq++
	frame := fmt.Sprintf(`{"type":"send","id":"%s-s%d-%d","text":%q}`, b.tag, c.idx, c.seq, text)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return c.ws.Write(ctx, websocket.MessageText, []byte(frame))
}
