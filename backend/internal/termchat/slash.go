package termchat

import (
	"context"
	"strconv"
	"strings"

	"github.com/coder/websocket"

	"github.com/salachat/sala/backend/internal/chat"
)

// The client's own commands that act on a message, by the id every message
// line shows. /reply is a message (sent again after a reconnect, like any);
// the others are sent once.
var slashCommands = []struct{ name, usage, what string }{
	{"/reply", "/reply <id> <text>", "answer message <id> in the current room"},
	{"/edit", "/edit <id> <text>", "replace the text of your message <id>"},
	{"/delete", "/delete <id>", "delete your message <id> (or any, in a room you own)"},
	{"/react", "/react <id> <emoji>", "put your reaction on message <id>, or take it back"},
	{"/read", "/read [login]", "mark the current room (or your thread with login) read up to its newest message"},
}

// updateEnvelope is an edit, delete or react envelope.
type updateEnvelope struct {
	Type      string `json:"type"`
	ID        string `json:"id"`
	MessageID int64  `json:"message_id"`
	Text      string `json:"text,omitempty"`
	Emoji     string `json:"emoji,omitempty"`
}

// slash handles a line that starts with '/' (other than /status).
func (s *session) slash(ctx context.Context, conn *websocket.Conn, line string) {
	name, rest, _ := strings.Cut(line, " ")
	if name == "/read" {
		s.markRead(ctx, conn, strings.TrimSpace(rest))
		return
	}
	idText, arg, _ := strings.Cut(strings.TrimSpace(rest), " ")
	arg = strings.TrimSpace(arg)
	id, err := strconv.ParseInt(idText, 10, 64)
	usage := ""
	for _, c := range slashCommands {
		if c.name == name {
			usage = c.usage
		}
	}
	switch {
	case usage == "":
		s.notice("unknown command %s: #help lists the commands", name)
		return
	case err != nil || id <= 0 || (arg == "") != (name == "/delete"):
		s.notice("usage: %s", usage)
		return
	}
	s.nextID++
	envID := s.idPrefix + "-" + strconv.Itoa(s.nextID)
	if name == "/reply" {
		s.pending = append(s.pending, outgoing{id: envID, text: arg, replyTo: id})
		if conn != nil {
			s.write(ctx, conn, sendEnvelope{Type: chat.TypeSend, ID: envID, Text: arg, ReplyTo: id})
		}
		return
	}
	if conn == nil {
		s.notice("not connected: %s was not sent", line)
		return
	}
	env := updateEnvelope{ID: envID, MessageID: id}
	switch name {
	case "/edit":
		env.Type, env.Text = chat.TypeEdit, arg
	case "/delete":
		env.Type = chat.TypeDelete
	case "/react":
		env.Type, env.Emoji = chat.TypeReact, arg
	}
	s.write(ctx, conn, env)
}
