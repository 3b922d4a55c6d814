package httpapi

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/hub"
)

type postMessageRequest struct {
	Text     string `json:"text"`
	ClientID string `json:"client_id"`
	ReplyTo  int64  `json:"reply_to"`
	// Attachments are upload ids the message carries.
	Attachments []string `json:"attachments"`
}

// updateRequest is the body of an edit (text) or a reaction (emoji).
type updateRequest struct {
	Text     string `json:"text"`
	Emoji    string `json:"emoji"`
	ClientID string `json:"client_id"`
}

func (s *server) users(c echo.Context) error {
	users, err := s.Hub.Users(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"users": users})
}

func (s *server) rooms(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"rooms": s.Hub.Rooms()})
}

func (s *server) roomHistory(c echo.Context) error {
	before, limit, err := page(c)
	if err != nil {
		return err
	}
	around, err := aroundParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	room, err := s.Store.RoomByName(ctx, c.Param("name"))
	if err != nil {
		return err
	}
	if around > 0 {
		msgs, more, newer, err := aroundReaders{
			back: func(ctx context.Context, before int64, limit int) ([]chat.Message, error) {
				return s.Store.RoomHistory(ctx, room.ID, before, limit)
			},
			forward: func(ctx context.Context, after int64, limit int) ([]chat.Message, error) {
				return s.Store.RoomHistoryAfter(ctx, room.ID, after, limit)
			},
		}.around(ctx, around, limit)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, historyPage(msgs, len(msgs), more, &newer, chat.MessageOut))
	}
	msgs, err := s.Store.RoomHistory(ctx, room.ID, before, limit+1)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, historyPage(msgs, limit, len(msgs) > limit, nil, chat.MessageOut))
}

// historyPage is the answer of a history endpoint: the first limit of
// msgs; hasNewer only for a page read around a message.
func historyPage[T any](msgs []chat.Message, limit int, more bool, hasNewer *bool, out func(chat.Message) T) map[string]any {
	list := make([]T, 0, limit)
	for _, m := range msgs[:min(limit, len(msgs))] {
		list = append(list, out(m))
	}
	page := map[string]any{"messages": list, "has_more": more}
	if hasNewer != nil {
		page["has_newer"] = *hasNewer
	}
	return page
}

func (s *server) privateHistory(c echo.Context) error {
	before, limit, err := page(c)
	if err != nil {
		return err
	}
	around, err := aroundParam(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	other, _, err := s.Store.UserByLogin(ctx, chat.NormalizeLogin(c.Param("login")))
	if err != nil {
		return err
	}
	me := userOf(c).ID
	if around > 0 {
		msgs, more, newer, err := aroundReaders{
			back: func(ctx context.Context, before int64, limit int) ([]chat.Message, error) {
				return s.Store.PrivateHistory(ctx, me, other.ID, before, limit)
			},
			forward: func(ctx context.Context, after int64, limit int) ([]chat.Message, error) {
				return s.Store.PrivateHistoryAfter(ctx, me, other.ID, after, limit)
			},
		}.around(ctx, around, limit)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, historyPage(msgs, len(msgs), more, &newer, chat.PrivateOf))
	}
	msgs, err := s.Store.PrivateHistory(ctx, me, other.ID, before, limit+1)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, historyPage(msgs, limit, len(msgs) > limit, nil, chat.PrivateOf))
}

// bindMessage reads a post body, reporting a bad text as a field error.
func bindMessage(c echo.Context) (postMessageRequest, error) {
	var in postMessageRequest
	if err := bindJSON(c, &in); err != nil {
		return in, err
	}
	fields := map[string]chat.FieldError{}
	if fe, ok := chat.TextProblem(in.Text); !ok && (in.Text != "" || len(in.Attachments) == 0) {
		fields["text"] = fe // a message of files alone may have no text
	}
	if chat.ClientIDTooLong(in.ClientID) {
		fields["client_id"] = chat.TooLong(chat.MaxClientIDLen)
	}
	if len(fields) > 0 {
		return in, chat.FieldsError(fields)
	}
	return in, nil
}

func (s *server) postRoomMessage(c echo.Context) error {
	in, err := bindMessage(c)
	if err != nil {
		return err
	}
	st, err := s.Hub.PostRoomMessage(c.Request().Context(), userOf(c), c.Param("name"), in.Text, in.ClientID, in.ReplyTo,
		in.Attachments...)
	if err != nil {
		return err
	}
	return c.JSON(storedStatus(st), chat.MessageOut(st.Message))
}

func (s *server) postPrivateMessage(c echo.Context) error {
	in, err := bindMessage(c)
	if err != nil {
		return err
	}
	st, err := s.Hub.PostPrivateMessage(c.Request().Context(), userOf(c), c.Param("login"), in.Text, in.ClientID, in.ReplyTo,
		in.Attachments...)
	if err != nil {
		return err
	}
	return c.JSON(storedStatus(st), chat.PrivateOf(st.Message))
}

// editMessage, deleteMessage and reactToMessage are the REST twins of the
// edit, delete and react envelopes: each answers the stored update.
func (s *server) editMessage(c echo.Context) error   { return s.update(c, chat.TypeEdit, true) }
func (s *server) deleteMessage(c echo.Context) error { return s.update(c, chat.TypeDelete, false) }
func (s *server) reactToMessage(c echo.Context) error {
	return s.update(c, chat.TypeReact, true)
}

func (s *server) update(c echo.Context, typ string, hasBody bool) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return invalidParam("id", "must be a message id")
	}
	var in updateRequest
	if hasBody {
		if err := bindJSON(c, &in); err != nil {
			return err
		}
		if chat.ClientIDTooLong(in.ClientID) {
			return chat.FieldsError(map[string]chat.FieldError{"client_id": chat.TooLong(chat.MaxClientIDLen)})
		}
	}
	st, err := s.Hub.Update(c.Request().Context(), userOf(c), chat.Inbound{Type: typ, ID: in.ClientID,
		MessageID: id, Text: in.Text, Emoji: in.Emoji})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, chat.UpdateOf(st.Message))
}

// storedStatus is 201 for a new message, 200 for a retry of a stored one.
func storedStatus(st chat.Stored) int {
	if st.Duplicate {
		return http.StatusOK
	}
	return http.StatusCreated
}

func (s *server) time(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]int64{"server_time": s.Now().UnixMilli()})
}

func (s *server) commands(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"commands": chat.Help})
}

// websocket authenticates the upgrade (header, or the token query parameter
// browsers must use), checks the Origin, and hands the request to ws.
func (s *server) websocket(c echo.Context) error {
	token, ok := bearer(c.Request())
	if !ok {
		token = c.QueryParam("token")
	}
	if token == "" {
		return chat.Errorf(chat.EUnauthorized, "Send the token as Authorization: Bearer or ?token=.")
	}
	if err := s.identify(c, token); err != nil {
		return err
	}
	if !s.originAllowed(c.Request()) {
		return chat.Errorf(chat.EForbidden, "Origin not allowed: add it to SALA_ALLOWED_ORIGINS.")
	}
	if !isUpgrade(c.Request()) {
		// Else the WebSocket library answers 426 in plain text: no error body
		// of ours, and a status openapi.yaml does not list.
		return chat.Errorf(chat.EInvalidRequest, "This is the WebSocket endpoint: connect with a WebSocket client (Connection: Upgrade, Upgrade: websocket).")
	}
	res := hub.Resume{Room: c.QueryParam("room")}
	if v := c.QueryParam("last_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id < 0 {
			return invalidParam("last_id", "Must be a non-negative integer.")
		}
		res.LastID = id
	}
	addr := c.RealIP()
	if !s.conns.acquire(addr) {
		return chat.Errorf(chat.ERateLimited, "Too many open connections from your address.")
	}
	// The connection outlives this handler (ws reads it on a goroutine of
	// its own); its slot is given back when it ends.
	s.WS.Start(c.Response(), c.Request(), userOf(c), identityOf(c).ExpiresAt, res, func() { s.conns.release(addr) })
	return nil
}

// isUpgrade reports whether r asks for a WebSocket (RFC 6455 §4.2.1: a
// Connection header listing "upgrade" and Upgrade: websocket, any case).
func isUpgrade(r *http.Request) bool {
	return headerHasToken(r.Header, "Connection", "upgrade") && headerHasToken(r.Header, "Upgrade", "websocket")
}

// headerHasToken reports whether a comma-separated header lists token.
func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// originAllowed accepts requests without Origin (non-browser clients), from
// the server's own origin, and from SALA_ALLOWED_ORIGINS ("*" allows all).
func (s *server) originAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	for _, allowed := range s.AllowedOrigins {
		if allowed == "*" || strings.EqualFold(strings.TrimSuffix(allowed, "/"), origin) {
			return true
		}
	}
	return false
}
