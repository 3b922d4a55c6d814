package termchat

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
)

// timeFormat is how every line shows its time: the server's clock, in the
// terminal's time zone.
const timeFormat = "15:04:05"

func stamp(ms int64) string { return "[" + time.UnixMilli(ms).Format(timeFormat) + "]" }

// notice prints a line of the client's own, stamped with the server's
// clock as estimated from ping/pong.
func (s *session) notice(format string, args ...any) {
	fmt.Fprintf(s.out, "%s * %s\n", stamp(s.clock.serverNow().UnixMilli()), fmt.Sprintf(format, args...))
}

// status prints the client's view of the connection (/status).
func (s *session) status() {
	s.notice("%s on %s in #%s; server clock %+d ms from this one; average ping %d ms",
		s.me.Login, s.base.Host, s.room, s.clock.offset, s.clock.latency().Milliseconds())
}

// handle prints one server envelope and updates the session's state. It
// returns the envelope's type.
func (s *session) handle(raw []byte) string {
	var head struct {
		Type string `json:"type"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &head) != nil {
		return ""
	}
	// decode reads the envelope into v; a malformed one is skipped.
	decode := func(v any) bool { return json.Unmarshal(raw, v) == nil }
	switch head.Type {
	case chat.TypeWelcome:
		var w chat.Welcome
		if decode(&w) {
			s.welcome(w)
		}
	case chat.TypeJoined:
		var j chat.Joined
		if decode(&j) {
			s.joined(j)
		}
	case chat.TypeMessage:
		var m chat.RoomMsgOut
		if decode(&m) && s.fresh(m.ID) {
			delete(s.echoes, m.ID)
			s.message(m.ID, m.SentAt, m.From, m.Text, m.MessageState)
			s.shownInRoom(m)
		}
	case chat.TypePrivate:
		var p chat.PrivateOut
		if decode(&p) && s.fresh(p.ID) {
			delete(s.echoes, p.ID)
			s.message(p.ID, p.SentAt, "(private) "+p.From+" → "+p.To, p.Text, p.MessageState)
			s.shownPrivate(p)
		}
	case chat.TypeMention:
		var m chat.MentionOut
		if decode(&m) {
			s.mention(m)
		}
	case chat.TypeUpdate:
		var u chat.UpdateOut
		if decode(&u) && s.fresh(u.ID) {
			s.update(u)
		}
	case chat.TypeAck:
		var a chat.Ack
		if decode(&a) {
			if s.acked(a.ID) && !s.seen[a.MessageID] {
				s.echoes[a.MessageID] = true
			}
		}
	case chat.TypePong:
		var p chat.Pong
		if decode(&p) {
			s.clock.pong(p.T0, p.ServerTime)
			if p.ID == s.flushID {
				s.flushed = true
			}
		}
	case chat.TypeRooms:
		var r chat.RoomsOut
		if decode(&r) && s.wantRooms > 0 { // the others are pushes nobody asked to see
			s.wantRooms--
			s.rooms(r.Rooms)
		}
	case chat.TypeUsers:
		var u chat.UsersOut
		if decode(&u) {
			s.users(u.Users)
		}
	case chat.TypeEvent:
		var e chat.Event
		if decode(&e) {
			s.event(e)
		}
	case chat.TypeHelp:
		var h chat.HelpOut
		if decode(&h) {
			s.help(h.Commands)
		}
	case chat.TypeError:
		var e chat.ErrorOut
		if decode(&e) {
			s.acked(e.ID) // refused: sending it again would not help
			fmt.Fprintf(s.out, "%s ! %s: %s\n", stamp(s.clock.serverNow().UnixMilli()), e.Code, e.Message)
		}
	}
	return head.Type
}

// fresh reports whether a message id is new to this session, and records
// it. Ids grow with every stored message, so a resume after a reconnect
// starts after the highest one.
func (s *session) fresh(id int64) bool {
	if s.seen[id] {
		return false
	}
	s.seen[id] = true
	s.lastID = max(s.lastID, id)
	if len(s.seen) > 10000 { // forget the old ones: a resume never goes back that far
		for old := range s.seen {
			if old < s.lastID-5000 {
				delete(s.seen, old)
			}
		}
	}
	return true
}

func (s *session) welcome(w chat.Welcome) {
	s.clock.start(w.ServerTime)
	s.me = w.User
	names := make([]string, 0, len(w.Rooms))
	for _, r := range w.Rooms {
		names = append(names, fmt.Sprintf("#%s (%d)", r.Name, r.Members))
	}
	s.notice("connected to %s as %s (%s %s); live rooms: %s; #help lists the commands",
		s.base.Host, w.User.Login, w.User.FirstName, w.User.LastName, strings.Join(names, ", "))
	s.unread(w.Unread)
}

func (s *session) joined(j chat.Joined) {
	if j.Resumed {
		s.notice("back in #%s: %d message(s) missed", j.Room, len(j.History))
	} else {
		s.notice("you are in #%s", j.Room)
	}
	s.room, s.roomLast = j.Room, 0
	for _, m := range j.History {
		if s.fresh(m.ID) {
			s.message(m.ID, m.SentAt, m.From, m.Text, m.MessageState)
		}
		s.shownInRoom(m)
	}
	if j.More {
		s.notice("older missed messages: GET /api/v1/rooms/%s/messages", j.Room)
	}
}

// message prints one message as a line: its id (for /edit, /delete,
// /react and /reply), who wrote it, what it answers, its text, and
// whether it was edited or deleted and how people reacted.
func (s *session) message(id, at int64, from, text string, st chat.MessageState) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %d %s", stamp(at), id, from)
	if r := st.ReplyTo; r != nil {
		fmt.Fprintf(&b, " (↪ %d %s: %s)", r.ID, r.From, oneLine(r.Text, 40))
	}
	switch {
	case st.Deleted:
		b.WriteString(": (deleted)")
	default:
		b.WriteString(": " + text)
	}
	if st.EditedAt != 0 {
		b.WriteString(" (edited)")
	}
	if len(st.Reactions) > 0 {
		b.WriteString("  " + reactionsLine(st.Reactions))
	}
	fmt.Fprintln(s.out, b.String())
}

// update prints an edit, deletion or reaction as a one-line notice.
func (s *session) update(u chat.UpdateOut) {
	var what string
	switch u.Kind {
	case chat.KindEdited:
		what = fmt.Sprintf("%s edited %d: %s", u.By, u.MessageID, u.Text)
	case chat.KindDeleted:
		what = fmt.Sprintf("%s deleted %d", u.By, u.MessageID)
	case chat.KindReaction:
		verb := "took back"
		if u.Reactions != nil && reacted(*u.Reactions, u.Emoji, u.By) {
			verb = "reacted"
		}
		what = fmt.Sprintf("%s %s %s on %d", u.By, verb, u.Emoji, u.MessageID)
		if u.Reactions != nil && len(*u.Reactions) > 0 {
			what += ": " + reactionsLine(*u.Reactions)
		}
	default:
		what = fmt.Sprintf("%s changed %d (%s)", u.By, u.MessageID, u.Kind)
	}
	fmt.Fprintf(s.out, "%s * %s\n", stamp(u.At), what)
}

// reacted reports whether login is among the users of emoji.
func reacted(rs []chat.Reaction, emoji, login string) bool {
	for _, r := range rs {
		if r.Emoji == emoji {
			return slices.Contains(r.Users, login)
		}
	}
	return false
}

func reactionsLine(rs []chat.Reaction) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%s %d", r.Emoji, r.Count)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// oneLine is text on one line, cut to n characters.
func oneLine(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	if r := []rune(text); len(r) > n {
		return string(r[:n]) + "…"
	}
	return text
}

func (s *session) event(e chat.Event) {
	var what string
	switch e.Kind {
	case chat.EventUserJoined:
		what = fmt.Sprintf("%s joined #%s", e.User, e.Room)
	case chat.EventUserLeft:
		what = fmt.Sprintf("%s left #%s", e.User, e.Room)
	case chat.EventRoomCreated:
		what = fmt.Sprintf("%s created the room #%s", e.User, e.Room)
	case chat.EventRoomDeleted:
		what = fmt.Sprintf("the room #%s was deleted", e.Room)
	default:
		what = fmt.Sprintf("%s: %s %s", e.Kind, e.Room, e.User)
	}
	fmt.Fprintf(s.out, "%s * %s\n", stamp(e.At), what)
}

// table prints rows aligned in columns under a header.
func (s *session) table(header string, rows []string) {
	tw := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	for _, r := range rows {
		fmt.Fprintln(tw, r)
	}
	_ = tw.Flush() // s.out is the terminal: nowhere to report its failure
}

func (s *session) rooms(rooms []chat.RoomInfo) {
	rows := make([]string, 0, len(rooms))
	for _, r := range rooms {
		owner := r.Owner
		if r.Default {
			owner = "(default)"
		}
		rows = append(rows, fmt.Sprintf("#%s\t%d\t%s", r.Name, r.Members, owner))
	}
	s.table("ROOM\tMEMBERS\tOWNER", rows)
}

func (s *session) users(users []chat.UserInfo) {
	rows := make([]string, 0, len(users))
	for _, u := range users {
		where := "offline"
		if u.Online {
			where = "#" + u.Room
		}
		rows = append(rows, fmt.Sprintf("%s\t%s %s\t%s", u.Login, u.FirstName, u.LastName, where))
	}
	s.table("LOGIN\tNAME\tWHERE", rows)
}

func (s *session) help(cmds []chat.HelpItem) {
	rows := make([]string, 0, len(cmds)+1)
	for _, c := range cmds {
		rows = append(rows, c.Usage+"\t"+c.Description)
	}
	rows = append(rows, "/status\tthis client's connection, clock offset and ping (not sent)")
	for _, c := range slashCommands {
		rows = append(rows, c.usage+"\t"+c.what)
	}
	s.table("COMMAND\tWHAT IT DOES", rows)
}
