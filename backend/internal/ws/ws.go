// Package ws owns everything that touches a WebSocket (the library is
// github.com/coder/websocket, used only through its public API): the
// upgrade, one reader loop per connection calling Hub.Receive, and the
// hub.Transport of each connection, a bounded outbound queue drained by a
// writer that coalesces envelopes into frames (conn.go).
//
// Close codes and what clients do after each are chat.Close* and the table
// in docs/protocol.md; the hub decides when to close, this package how.
//
// What the library's public API costs. Every frame goes through Conn.Write:
// the library's locks, and its write buffer flushed per frame, so a frame
// larger than that buffer takes two writes to the socket where writing it
// directly took one. A context per write (the library's way to bound a
// write) would add allocations to every frame; the writer bounds each write
// with a timer of its own that closes the connection instead (see
// writeLoop), so a frame costs no allocation. BenchmarkWriteFrames measures
// a frame's cost over a real loopback socket. Coalescing keeps the number of
// frames (and so that cost) from growing with the message rate on busy
// connections.
package ws

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/hub"
)

// MaxFrameBytes is the largest frame a client may send (a larger one closes
// the connection with 1009) and the largest coalesced frame the server
// sends.
const MaxFrameBytes = 64 << 10

// Buffer sizes of an upgraded connection. net/http hands a hijacked
// connection over with 4 KiB read and write buffers, which the library keeps
// for the connection's life; most connections are idle most of the time, and
// memory per idle connection is what bounds how many one process carries, so
// the Hijacker given to websocket.Accept hands it smaller ones (see
// smallBuffers). A client frame of up to about 250 bytes (a send of a
// 150-character text) still takes one read; larger ones are read straight
// into the frame buffer. A server frame of up to about 500 bytes (one
// message envelope) leaves in one write; a larger one in two.
const (
	readBufferSize  = 256
	writeBufferSize = 512
)

// Timeouts of every connection.
const (
	// writeTimeout bounds one frame's write: a peer that reads nothing for
	// that long is closed, so its queue and goroutine go.
	writeTimeout = 10 * time.Second
	// pongTimeout bounds a keepalive ping's wait for its pong.
	pongTimeout = 10 * time.Second
	// pingers is how many keepalive pings may wait for their pongs at once.
	pingers = 128
)

// Server upgrades authenticated requests and runs their connections.
type Server struct {
	hub    *hub.Hub
	log    *slog.Logger
	frames FrameCounter
	limits limits
	// frameBuffers hold the frames being read. The hub copies what it
	// keeps of a frame, so a buffer is reused once Receive returns rather
	// than a new slice allocated per frame.
	frameBuffers sync.Pool
}

// NewServer returns a Server feeding h. frames counts the frames written;
// nil counts nothing.
func NewServer(h *hub.Hub, log *slog.Logger, frames FrameCounter) *Server {
	if frames == nil {
		frames = noFrames{}
	}
	return &Server{hub: h, log: log, frames: frames, limits: limits{
		queueBytes: h.QueueBytes(), maxFrameBytes: MaxFrameBytes, writeTimeout: writeTimeout, pongTimeout: pongTimeout,
		pingSlots: make(chan struct{}, pingers), joins: &sync.Pool{},
	}, frameBuffers: sync.Pool{New: func() any { return new(bytes.Buffer) }}}
}

type noFrames struct{}

func (noFrames) FrameOut(int) {}

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
	conn, err := websocket.Accept(smallBuffers{w}, r, &websocket.AcceptOptions{
		InsecureSkipVerify: true, // the Origin was checked by the caller against SALA_ALLOWED_ORIGINS
		CompressionMode:    websocket.CompressionDisabled,
	})
	if err != nil {
		s.log.Debug("websocket upgrade failed", "err", err)
		onClose()
		return
	}
	conn.SetReadLimit(MaxFrameBytes)
	// The request's context ends with the handler; the connection outlives it.
	ctx := context.WithoutCancel(r.Context())
	client, err := s.hub.Connect(ctx, user, expires, newConn(conn, &s.limits, s.frames), res)
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
	go s.read(conn, client, user.Login, onClose)
}

// read is a connection's reader loop: every frame goes to the hub, in order.
func (s *Server) read(conn *websocket.Conn, client *hub.Client, login string, onClose func()) {
	defer onClose()
	defer s.hub.Disconnect(client)
	// context.Background: a context that can end would cost the library an
	// allocation per read; the hub ends a connection by closing it.
	ctx := context.Background()
	for {
		typ, r, err := conn.Reader(ctx)
		if err != nil {
			s.ended(conn, login, err)
			return
		}
		buf := s.frameBuffers.Get().(*bytes.Buffer)
		buf.Reset() // whatever the last user left, a failed read's part of a frame included
		_, err = buf.ReadFrom(r)
		if err == nil {
			s.receive(ctx, client, buf.Bytes(), typ == websocket.MessageBinary)
		}
		s.frameBuffers.Put(buf)
		if err != nil {
			s.ended(conn, login, err)
			return
		}
	}
}

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

// ended logs why a reader stopped and lets go of the socket. After a close
// handshake the library has closed it already. After anything else, such as
// a frame over MaxFrameBytes (the library then sent 1009), Close finishes
// the handshake the library's way: it reads and discards what the peer
// still sends until the peer's close frame or the library's handshake
// timeout, so that a peer still sending sees the close frame rather than a
// reset, and then closes the socket.
func (s *Server) ended(conn *websocket.Conn, login string, err error) {
	s.logClose(login, err)
	if websocket.CloseStatus(err) == -1 {
		_ = conn.Close(websocket.StatusProtocolError, "")
	}
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

// smallBuffers is the http.ResponseWriter handed to websocket.Accept: its
// Hijack (the interface Accept takes the connection through) returns the
// connection with smaller buffers than net/http's 4 KiB ones, which the
// library would keep for the connection's life (see readBufferSize). Bytes
// a client sent before the upgrade's answer may sit in net/http's read
// buffer already: that reader is then handed over as it is.
type smallBuffers struct{ http.ResponseWriter }

func (h smallBuffers) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := h.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("ws: the response writer can't be hijacked")
	}
	conn, brw, err := hj.Hijack()
	if err != nil {
		return nil, nil, err
	}
	r := brw.Reader
	if r.Buffered() == 0 {
		r = bufio.NewReaderSize(conn, readBufferSize)
	}
	return conn, bufio.NewReadWriter(r, bufio.NewWriterSize(conn, writeBufferSize)), nil
}

// Unwrap lets http.ResponseController reach the ResponseWriter underneath.
func (h smallBuffers) Unwrap() http.ResponseWriter { return h.ResponseWriter }
