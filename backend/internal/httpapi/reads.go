package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/salachat/sala/backend/internal/chat"
)

// readRequest is the body of the REST twins of the read envelope.
type readRequest struct {
	MessageID *int64 `json:"message_id"`
}

// readRoom and readPrivate move the caller's read cursor of a room or a
// private thread, as the read envelope does, and answer the read state.
func (s *server) readRoom(c echo.Context) error    { return s.read(c, c.Param("name"), "") }
func (s *server) readPrivate(c echo.Context) error { return s.read(c, "", c.Param("login")) }

func (s *server) read(c echo.Context, room, with string) error {
	var in readRequest
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	switch {
	case in.MessageID == nil:
		return chat.FieldsError(map[string]chat.FieldError{"message_id": chat.Required()})
	case *in.MessageID < 1:
		return chat.FieldsError(map[string]chat.FieldError{"message_id": chat.AtLeast(1)})
	}
	out, err := s.Hub.Read(c.Request().Context(), userOf(c), room, with, *in.MessageID, nil)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

// unread answers the caller's unread counts, as welcome carries them.
func (s *server) unread(c echo.Context) error {
	list, err := s.Hub.Unread(c.Request().Context(), userOf(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, chat.UnreadList{Unread: list})
}

// mentions answers a page of the messages that mention the caller.
func (s *server) mentions(c echo.Context) error {
	before, limit, err := page(c)
	if err != nil {
		return err
	}
	p, err := s.Hub.Mentions(c.Request().Context(), userOf(c), before, limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}
