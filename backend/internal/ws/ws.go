// Package ws carries the hub's envelopes over WebSocket connections
// (github.com/coder/websocket): one reader loop per connection calling
// Hub.Receive, and a Transport the hub's writer drains its queue into.
package ws

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/coder/websocket"

	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/hub"
)

// MaxFrameBytes is the largest frame a client may send; a larger one closes
// the connection with 1009.
const MaxFrameBytes = 64 << 10

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
	// The HTTP server's read and write timeouts (slowloris protection) must
	// not cut a long-lived WebSocket: clear the deadlines it set.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		InsecureSkipVerify: true, // the Origin was checked by the caller against SALA_ALLOWED_ORIGINS
		CompressionMode:    websocket.CompressionDisabled,
	})
	if err != nil {
		s.log.Debug("websocket upgrade failed", "err", err)
		return
	}
	conn.SetReadLimit(MaxFrameBytes)
	ctx := r.Context()
	client, err := s.hub.Connect(ctx, user, expires, transport{conn}, res)
	if err != nil {
		s.log.Error("websocket connect", "user", user.Login, "err", err)
		code := websocket.StatusInternalError
		if chat.ErrorCode(err) == chat.EUnavailable {
			code = websocket.StatusGoingAway
		}
		_ = conn.Close(code, chat.ErrorMessage(err))
		return
	}
	defer s.hub.Disconnect(client)
	for {
		typ, data, err := conn.Read(ctx)
		if err != nil {
			s.logClose(user.Login, err)
			return
		}
		s.hub.Receive(ctx, client, data, typ == websocket.MessageBinary)
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

// transport adapts a websocket.Conn to hub.Transport.
type transport struct{ c *websocket.Conn }

func (t transport) WriteFrame(ctx context.Context, frame []byte) error {
	return t.c.Write(ctx, websocket.MessageText, frame)
}

func (t transport) Ping(ctx context.Context) error { return t.c.Ping(ctx) }

func (t transport) Close(code int, reason string) {
	_ = t.c.Close(websocket.StatusCode(code), reason)
}
