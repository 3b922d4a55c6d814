package termchat

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/coder/websocket"

	"github.com/salachat/sala/backend/internal/chat"
)

// Unread counts, mentions and /read in the terminal: the welcome's counts
// print as one line, a mention of you in another room as a notice, and
// /read marks what the session has shown read (your other devices hear of
// it from the server).

// readEnvelope is the read envelope.
type readEnvelope struct {
	Type      string `json:"type"`
	ID        string `json:"id"`
	Room      string `json:"room,omitempty"`
	With      string `json:"with,omitempty"`
	MessageID int64  `json:"message_id"`
}

// unread prints the conversations with unread messages, if any.
func (s *session) unread(list []chat.UnreadEntry) {
	var parts []string
	for _, e := range list {
		if e.Count == 0 {
			continue
		}
		name := "#" + e.Room
		if e.Room == "" {
			name = e.With
		}
		part := fmt.Sprintf("%s %d", name, e.Count)
		if e.Mentions > 0 {
			part += fmt.Sprintf(" (%d mentioning you)", e.Mentions)
		}
		parts = append(parts, part)
	}
	if len(parts) > 0 {
		s.notice("unread: %s", strings.Join(parts, ", "))
	}
}

// mention prints a mention of you once; its id is its message's, which a
// resume then starts after.
func (s *session) mention(m chat.MentionOut) {
	if s.mentioned[m.ID] {
		return
	}
	s.mentioned[m.ID] = true
	s.lastID = max(s.lastID, m.ID)
	fmt.Fprintf(s.out, "%s @ %s mentioned you in #%s: %d %s\n", stamp(m.SentAt), m.From, m.Room, m.MessageID, oneLine(m.Text, 200))
}

// shownInRoom notes a message of the current room printed (or carried by
// joined), for /read.
func (s *session) shownInRoom(m chat.RoomMsgOut) {
	if m.Room == s.room {
		s.roomLast = max(s.roomLast, m.ID)
	}
}

// shownPrivate notes a private message printed, for /read <login>.
func (s *session) shownPrivate(p chat.PrivateOut) {
	other := p.From
	if p.From == s.me.Login {
		other = p.To
	}
	s.privLast[other] = max(s.privLast[other], p.ID)
}

// markRead sends read for the current room, or the thread with login, up
// to the newest message of it the session has shown.
func (s *session) markRead(ctx context.Context, conn *websocket.Conn, login string) {
	env := readEnvelope{Type: chat.TypeRead, Room: s.room, MessageID: s.roomLast}
	if login != "" {
		env = readEnvelope{Type: chat.TypeRead, With: login, MessageID: s.privLast[login]}
	}
	switch {
	case env.MessageID == 0:
		s.notice("nothing shown there to mark read")
		return
	case conn == nil:
		s.notice("not connected: /read was not sent")
		return
	}
	s.nextID++
	env.ID = s.idPrefix + "-" + strconv.Itoa(s.nextID)
	s.write(ctx, conn, env)
}
