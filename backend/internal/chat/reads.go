package chat

import (
	"database/sql/driver"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Read cursors, unread counts and mentions. A person's read cursor of a
// conversation (a room, or the private thread with one other person) is the
// id of the newest message it has seen there; it never moves back. Unread is
// what comes after it: messages only (never updates), never one's own, never
// deleted ones. A mention is an `@login` of an existing user in a room
// message; it is stored with its message and reaches the mentioned person's
// connections that are not in that room as a mention envelope.

// Envelope types of this file.
const (
	// TypeRead is both the client's read (answered by ack or error) and
	// what the person's other connections get when its cursor moved.
	TypeRead = "read"
	// TypeMention tells a person that a message of a room mentions it.
	TypeMention = "mention"
)

// MaxMentions bounds how many distinct @words of one text are looked up.
const MaxMentions = 20

// MaxUnreadCount is where an unread count stops: a person who never reads
// a busy room costs a bounded count on every connect (each connect counts
// every conversation), and a badge shows "99+" from there on.
const MaxUnreadCount = 100

// Conversation names a room (RoomID) or the private thread with PeerID:
// exactly one is set.
type Conversation struct {
	RoomID int64
	PeerID int64
}

// ReadCursor is a person's cursor of one conversation, and what it has
// not read there. Name is the room's name or the peer's login; MessageID 0
// means never read.
type ReadCursor struct {
	Conversation
	Name      string
	MessageID int64
	Unread    UnreadCount
}

// UnreadCount is what a person has not read of one conversation.
type UnreadCount struct {
	Count    int `db:"count"`
	Mentions int `db:"mentions"`
}

// UnreadEntry is one conversation of welcome.unread and GET /unread.
type UnreadEntry struct {
	Room     string `json:"room,omitempty"`
	With     string `json:"with,omitempty"`
	Count    int    `json:"count"`
	Mentions int    `json:"mentions"`
	LastRead int64  `json:"last_read"`
}

// UnreadList is GET /unread's answer.
type UnreadList struct {
	Unread []UnreadEntry `json:"unread"`
}

// ReadOut is the read envelope the person's other connections get, and the
// answer of the REST twins: the cursor after the move and what is left
// unread.
type ReadOut struct {
	Type      string `json:"type"`
	Room      string `json:"room,omitempty"`
	With      string `json:"with,omitempty"`
	MessageID int64  `json:"message_id"`
	Count     int    `json:"count"`
	Mentions  int    `json:"mentions"`
}

// MentionOut is the mention envelope. ID is the message's id, which the
// receipt and last_id of resume cover.
type MentionOut struct {
	Type      string `json:"type"`
	ID        int64  `json:"id"`
	Room      string `json:"room"`
	MessageID int64  `json:"message_id"`
	From      string `json:"from"`
	Text      string `json:"text"`
	SentAt    int64  `json:"sent_at"`
}

// MentionPage is GET /mentions's answer.
type MentionPage struct {
	Mentions []MentionOut `json:"mentions"`
	HasMore  bool         `json:"has_more"`
}

// MentionOf builds the mention envelope of a stored room message.
func MentionOf(m Message) MentionOut {
	return MentionOut{Type: TypeMention, ID: m.ID, Room: m.Room, MessageID: m.ID, From: m.From,
		Text: m.Text, SentAt: m.SentAt}
}

// Logins is a message's mentions: logins in order of first mention. It is
// stored as one text of logins separated by spaces (logins have none).
type Logins []string

// Scan reads the stored text.
func (l *Logins) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil:
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("chat: logins from %T", src)
	}
	*l = strings.Fields(s)
	return nil
}

// Value is the stored text.
func (l Logins) Value() (driver.Value, error) { return strings.Join(l, " "), nil }

// MentionCandidates returns the @words of text that may mention someone, in
// order, each once: each is a list of spellings to try, the longest first
// (`@ana.` at the end of a sentence may be the login "ana." or "ana"). An
// @word starts a text or follows a character that can't be in a login (so
// an e-mail address mentions no one) and is ended by a space, punctuation
// or the end of the text. Spellings are normalised logins.
func MentionCandidates(text string) [][]string {
	var out [][]string
	seen := map[string]bool{}
	for i := 0; i < len(text) && len(out) < MaxMentions; i++ {
		if text[i] != '@' || (i > 0 && isLoginByte(text[i-1])) {
			continue
		}
		j := i + 1
		for j < len(text) && isLoginByte(text[j]) {
			j++
		}
		if j == i+1 || !endsMention(text[j:]) {
			continue
		}
		word := NormalizeLogin(text[i+1 : j])
		var spellings []string
		for w := word; w != ""; w = strings.TrimRight(w, ".-_") {
			if len(w) >= 3 && len(w) <= 32 && !seen[w] {
				spellings = append(spellings, w)
			}
			if strings.TrimRight(w, ".-_") == w {
				break
			}
		}
		if len(spellings) > 0 {
			for _, w := range spellings {
				seen[w] = true
			}
			out = append(out, spellings)
		}
		i = j - 1
	}
	return out
}

func isLoginByte(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '_' || b == '.' || b == '-'
}

// endsMention reports whether rest (what follows an @word) ends it: the
// end, a space, or punctuation (symbols such as emoji count too).
func endsMention(rest string) bool {
	if rest == "" {
		return true
	}
	r, _ := utf8.DecodeRuneInString(rest)
	return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
}
