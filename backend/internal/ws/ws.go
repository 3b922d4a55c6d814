// Package ws carries the hub's envelopes over WebSocket connections
// (github.com/coder/websocket): one reader loop per connection calling
// Hub.Receive, and a Transport the hub's writer drains its queue into.
package ws

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/hub"
)

// MaxFrameBytes is the largest frame a client may send; a larger one closes
// the connection with 1009.
const MaxFrameBytes = 64 << 10

// Buffer sizes of an upgraded connection. net/http hands a hijacked
// connection over with 4 KiB read and write buffers; most connections are
// idle most of the time, so Sala swaps them for small ones (memory per idle
// connection is what bounds how many one process carries). A frame of up
// to about 250 bytes (a send of a 150-character text) still takes one read
// syscall; larger frames are read straight into the message buffer. The
// write buffer carries only the library's control frames (see outWriter),
// at most 127 bytes each (RFC 6455 caps their payload at 125), so each
// still reaches the socket in one Write. 256 and 144 bytes instead of 512
// and 256 took S3's live heap from 107–113 MiB to 100–107 MiB.
const (
	readBufferSize  = 256
	writeBufferSize = 144
)

// Server upgrades authenticated requests and runs their connections.
type Server struct {
	hub *hub.Hub
	log *slog.Logger
}

// NewServer returns a Server feeding h.
func NewServer(h *hub.Hub, log *slog.Logger) *Server { return &Server{hub: h, log: log} }

// Serve upgrades the request of an authenticated user (the caller checked
// the token and the Origin) and runs the connection until it closes.
func (s *Server) Serve(w http.ResponseWriter, r *http.Request, user chat.User, expires time.Time, res hub.Resume) {
	done := make(chan struct{})
	s.Start(w, r, user, expires, res, func() { close(done) })
	<-done
}

// Start upgrades the request of an authenticated user (the caller checked
// the token and the Origin), sends welcome and joined, and returns: the
// connection is then read by a goroutine of its own, and onClose runs once
// it has ended (or at once if the upgrade failed).
//
// The handler's goroutine does not stay on as the reader because of memory:
// by now its stack has grown deep (routing, the user's lookup, the history
// query) and it holds net/http's and Echo's per-request state. An idle
// connection costs only a fresh goroutine's small stack, the socket, the
// WebSocket and the hub's client.
func (s *Server) Start(w http.ResponseWriter, r *http.Request, user chat.User, expires time.Time, res hub.Resume, onClose func()) {
	// The HTTP server's read and write timeouts (slowloris protection) must
	// not cut a long-lived WebSocket: clear the deadlines it set.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	hj := &smallBuffers{ResponseWriter: w}
	conn, err := websocket.Accept(hj, r, &websocket.AcceptOptions{
		InsecureSkipVerify: true, // the Origin was checked by the caller against SALA_ALLOWED_ORIGINS
		CompressionMode:    websocket.CompressionDisabled,
		OnPongReceived:     func(context.Context, []byte) { hj.out.awaitingPong.Store(false) },
	})
	if err != nil {
		s.log.Debug("websocket upgrade failed", "err", err)
		onClose()
		return
	}
	conn.SetReadLimit(MaxFrameBytes)
	// The request's context ends with the handler; the connection outlives it.
	ctx := context.WithoutCancel(r.Context())
	client, err := s.hub.Connect(ctx, user, expires, &transport{c: conn, out: hj.out}, res)
	if err != nil {
		s.log.Error("websocket connect", "user", user.Login, "err", err)
		code := websocket.StatusInternalError
		if chat.ErrorCode(err) == chat.EUnavailable {
			code = websocket.StatusGoingAway
		}
		_ = conn.Close(code, chat.ErrorMessage(err))
		onClose()
		return
	}
	go s.read(conn, hj.out, client, user.Login, onClose)
}

// read is a connection's reader loop: every frame goes to the hub, in order.
func (s *Server) read(conn *websocket.Conn, out *outWriter, client *hub.Client, login string, onClose func()) {
	defer onClose()
	defer s.hub.Disconnect(client)
	// context.Background: a context that can end would cost the library an
	// allocation per read; the hub ends a connection by closing it.
	ctx := context.Background()
	for {
		typ, r, err := conn.Reader(ctx)
		if err != nil {
			s.ended(login, out, err)
			return
		}
		buf := frameBuffers.Get().(*bytes.Buffer)
		buf.Reset() // whatever the last user left, a failed read's part of a frame included
		_, err = buf.ReadFrom(r)
		if err == nil {
			s.receive(ctx, client, buf.Bytes(), typ == websocket.MessageBinary)
		}
		frameBuffers.Put(buf)
		if err != nil {
			s.ended(login, out, err)
			return
		}
	}
}

// frameBuffers hold the frames being handled. The hub copies what it keeps
// of a frame, so a buffer is reused once Receive returns: reading each
// frame into a new slice was the largest allocation per message sent.
var frameBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// receive hands a frame to the hub.
func (s *Server) receive(ctx context.Context, client *hub.Client, data []byte, binary bool) {
	if bytes.IndexByte(data, '#') < 0 {
		s.hub.Receive(ctx, client, data, binary)
		return
	}
	// Probably a command, which may query the database: run it on a
	// goroutine of its own so that the reader's long-lived stack stays small.
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.hub.Receive(ctx, client, data, binary)
	}()
	<-done
}

// ended logs why a reader stopped and lets go of its socket.
func (s *Server) ended(login string, out *outWriter, err error) {
	s.logClose(login, err)
	out.lingerUnlessClosed(err)
}

// logClose logs why a connection ended; normal closes are not errors.
func (s *Server) logClose(login string, err error) {
	status := websocket.CloseStatus(err)
	switch {
	case status == websocket.StatusNormalClosure || status == websocket.StatusGoingAway:
		s.log.Debug("websocket closed", "user", login, "status", int(status))
	case errors.Is(err, context.Canceled):
		s.log.Debug("websocket closed by server", "user", login)
	default:
		s.log.Info("websocket ended", "user", login, "status", int(status), "err", err)
	}
}

// smallBuffers is the ResponseWriter handed to websocket.Accept: its
// Hijack replaces net/http's 4 KiB buffers with small ones (the bufio
// values are overwritten in place, so the big arrays become garbage even
// though net/http still points at the bufio structs), and it puts outWriter
// under the library's writes.
type smallBuffers struct {
	http.ResponseWriter
	out *outWriter
}

func (h *smallBuffers) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := h.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("ws: the response writer can't be hijacked")
	}
	conn, brw, err := hj.Hijack()
	if err != nil {
		return nil, nil, err
	}
	h.out = &outWriter{conn: conn}
	// A client that sent frames before the upgrade's answer left them in
	// the read buffer: keep that one (websocket.Accept reads them first).
	if brw.Reader.Buffered() == 0 {
		*brw.Reader = *bufio.NewReaderSize(conn, readBufferSize)
	}
	*brw.Writer = *bufio.NewWriterSize(h.out, writeBufferSize)
	return conn, brw, nil
}

// outWriter owns the socket's write side. Sala's data frames are written by
// writeFrame, straight to the socket: header and payload in one writev, no
// copy, none of the library's per-write locks, contexts and buffering (on a
// fan-out they were a fifth of the CPU). The library still writes its control
// frames (pong, ping, close) through its bufio.Writer, which hands each one
// over whole in a single Write, since they fit its buffer. One mutex orders
// both, so frames never interleave.
//
// Every write to the socket goes through outWriter, so it also keeps the
// socket's write deadline: setting a deadline costs the runtime a timer
// update (on a fan-out, setting and clearing one around every frame was an
// eighth of the CPU), so the deadline is moved only when less than half of a
// write's allowance remains on it. A write thus gives up after between half
// and all of its allowance, and an idle socket's deadline lapses harmlessly:
// the next write moves it first.
type outWriter struct {
	mu     sync.Mutex
	conn   net.Conn
	closed bool      // a close frame was sent or is on its way: no more data frames
	armed  time.Time // the socket's write deadline
	hdr    [10]byte
	vec    net.Buffers
	arr    [2][]byte
	// awaitingPong is set by a keepalive ping and cleared by the pong.
	awaitingPong atomic.Bool
}

// controlWriteTimeout is the allowance of the library's control frames.
const controlWriteTimeout = 5 * time.Second

// Write takes the library's control frames. After its close frame (sent,
// for one, when a peer's frame is over MaxFrameBytes) no data frame may
// follow (RFC 6455 §5.5.1).
func (o *outWriter) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if holdsClose(p) {
		o.closed = true
	}
	now := time.Now()
	if err := o.arm(now, now.Add(controlWriteTimeout)); err != nil {
		return 0, err
	}
	return o.conn.Write(p)
}

// holdsClose reports whether control frames p (as a server sends them: no
// mask, payloads of at most 125 bytes) include a close frame.
func holdsClose(p []byte) bool {
	for len(p) >= 2 && p[1]&0x7f <= 125 {
		if p[0]&0x0f == 0x8 {
			return true
		}
		p = p[min(len(p), 2+int(p[1]&0x7f)):]
	}
	return false
}

// arm makes sure the write deadline leaves at least half of the time until
// deadline. o.mu is held.
func (o *outWriter) arm(now, deadline time.Time) error {
	if o.armed.Sub(now) >= deadline.Sub(now)/2 {
		return nil
	}
	o.armed = deadline
	return o.conn.SetWriteDeadline(deadline)
}

// writeFrame writes one unmasked, unfragmented text frame, giving up by
// deadline (see outWriter).
func (o *outWriter) writeFrame(payload []byte, deadline time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return net.ErrClosed
	}
	if err := o.arm(time.Now(), deadline); err != nil {
		return err
	}
	o.arr[0], o.arr[1] = textFrameHeader(&o.hdr, len(payload)), payload
	o.vec = o.arr[:]
	_, err := o.vec.WriteTo(o.conn)
	o.arr[0], o.arr[1], o.vec = nil, nil, nil
	return err
}

// lingerTimeout bounds how long a connection that failed (see
// lingerUnlessClosed) is drained before its socket is closed.
const lingerTimeout = 2 * time.Second

// lingerUnlessClosed ends the socket of a connection whose reader failed
// with err. After a close handshake (the peer's close frame came) the
// library closes it. After anything else, such as a frame over
// MaxFrameBytes, the library has sent its close frame and waits for an
// answer that may never come: the socket stayed open. It is read and
// discarded for at most lingerTimeout, so that a peer still sending can see
// the close frame (closing on unread data would reset the connection
// instead), and then closed.
func (o *outWriter) lingerUnlessClosed(err error) {
	if websocket.CloseStatus(err) != -1 {
		return
	}
	_ = o.conn.SetReadDeadline(time.Now().Add(lingerTimeout))
	_, _ = io.Copy(io.Discard, o.conn)
	_ = o.conn.Close()
}

func (o *outWriter) close() {
	o.mu.Lock()
	o.closed = true
	o.mu.Unlock()
}

// textFrameHeader encodes the header of a final text frame of n bytes sent
// by a server (RFC 6455 §5.2: no mask).
func textFrameHeader(b *[10]byte, n int) []byte {
	b[0] = 0x80 | 0x1 // FIN, opcode text
	switch {
	case n <= 125:
		b[1] = byte(n)
		return b[:2]
	case n <= 0xffff:
		b[1] = 126
		binary.BigEndian.PutUint16(b[2:], uint16(n))
		return b[:4]
	default:
		b[1] = 127
		binary.BigEndian.PutUint64(b[2:], uint64(n))
		return b[:10]
	}
}

// transport adapts a websocket.Conn to hub.Transport.
type transport struct {
	c   *websocket.Conn
	out *outWriter
}

// WriteFrame writes one text frame (see outWriter.writeFrame).
func (t *transport) WriteFrame(frame []byte, deadline time.Time) error {
	return t.out.writeFrame(frame, deadline)
}

// pingFrame is a ping control frame with no payload.
var pingFrame = []byte{0x80 | 0x9, 0}

// Ping sends a ping and returns without waiting for the pong: the hub's
// keepalive pings every silent connection at once, and a goroutine, a
// context and a timer waiting per connection made a spike of memory (about
// 1 KB of heap and a grown stack each: 150 MB at 19,500 idle connections).
// Liveness is judged one round later: Ping fails while the previous ping is
// unanswered. A connection whose writer holds the socket is being written
// to, so it is left alone (a stuck write is cut by its deadline), and the
// ping itself may wait at most pingWriteTimeout for room in the socket's
// buffer, so that a caller may ping many connections one after another.
func (t *transport) Ping(context.Context) error {
	o := t.out
	if o.awaitingPong.Load() {
		return errors.New("ws: the previous ping got no pong")
	}
	if !o.mu.TryLock() {
		return nil
	}
	defer o.mu.Unlock()
	if o.closed {
		return net.ErrClosed
	}
	o.armed = time.Now().Add(pingWriteTimeout)
	if err := o.conn.SetWriteDeadline(o.armed); err != nil {
		return err
	}
	o.awaitingPong.Store(true)
	_, err := o.conn.Write(pingFrame)
	return err
}

// pingWriteTimeout bounds a ping's wait for room in the socket's buffer: a
// peer whose buffer stays full is not reading anyway.
const pingWriteTimeout = 200 * time.Millisecond

func (t *transport) Close(code int, reason string) {
	t.out.close()
	_ = t.c.Close(websocket.StatusCode(code), reason)
}
