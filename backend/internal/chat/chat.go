// Package chat holds Sala's domain: users, rooms, messages, the wire protocol,
// the # command language, error codes and the interfaces that the storage and
// transport packages implement. It imports only the standard library, so every
// other package can depend on it and it on none of them.
package chat

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of the domain, shared by every transport.
const (
	MaxTextLen      = 4000 // characters of a message text
	MaxRoomNameLen  = 32
	JoinHistorySize = 50   // messages carried by a plain joined envelope
	ResumeLimit     = 1000 // missed messages carried by a resumed joined envelope
	MaxPageSize     = 200  // largest REST history page
	MaxClientIDLen  = 64   // characters of a client's id for an envelope or a message
)

// Genders accepted at signup.
var Genders = []string{"female", "male", "non_binary", "other", "prefer_not_to_say"}

// User is a registered account as every client may see it.
type User struct {
	ID        int64     `json:"-" db:"id"`
	Login     string    `json:"login" db:"login"`
	FirstName string    `json:"first_name" db:"first_name"`
	LastName  string    `json:"last_name" db:"last_name"`
	Age       int       `json:"age" db:"age"`
	Gender    string    `json:"gender" db:"gender"`
	CreatedAt time.Time `json:"created_at" db:"created_at"`
}

// Room is a row of the rooms table: every room ever created, so the history of
// a deleted room survives it. Live rooms are the ones with DeletedAt nil.
type Room struct {
	ID        int64      `db:"id"`
	Name      string     `db:"name"`
	OwnerID   *int64     `db:"owner_id"`
	IsDefault bool       `db:"is_default"`
	CreatedAt time.Time  `db:"created_at"`
	DeletedAt *time.Time `db:"deleted_at"`
}

// Kinds of the items of a conversation's stream: messages, and updates
// that change one (an edit, a deletion, a reaction toggled).
const (
	KindMessage  = "message"
	KindEdited   = "edited"
	KindDeleted  = "deleted"
	KindReaction = "reaction"
)

// ReplySnippetLen is how many characters of the message a reply answers
// the reply carries.
const ReplySnippetLen = 100

// Message is a stored item of a conversation: a room's (RoomID set) or a
// private thread's (RecipientID set). Most are messages (Kind
// KindMessage); the others are updates of message TargetID, made by
// SenderID, which carry the edit's new text or the reaction's emoji in
// Text. IDs grow with every stored item, rooms and private threads alike,
// so one number tells a client where it stopped reading.
type Message struct {
	ID          int64  `db:"id"`
	RoomID      *int64 `db:"room_id"`
	Room        string `db:"room"` // room name, empty for private messages
	SenderID    int64  `db:"sender_id"`
	From        string `db:"sender_login"`
	RecipientID *int64 `db:"recipient_id"`
	To          string `db:"recipient_login"` // empty for room messages
	Text        string `db:"text"`
	SentAt      int64  `db:"sent_at"`   // Unix milliseconds
	ClientID    string `db:"client_id"` // the sender's id for the message, may be empty

	Kind     string `db:"kind"`
	TargetID *int64 `db:"target_id"` // an update's message
	// A message's current state: when it was last edited, whether it is a
	// tombstone, the message it answers (and that message's author and
	// current text), and its reactions (an update of kind reaction carries
	// its message's).
	EditedAt  *int64     `db:"edited_at"`
	Deleted   bool       `db:"deleted"`
	ReplyTo   *int64     `db:"reply_to"`
	ReplyFrom string     `db:"reply_from"`
	ReplyText string     `db:"reply_text"`
	Reactions []Reaction `db:"-"`
	// Mentions are the logins a room message mentions; MentionIDs the
	// ids of those people, the sender aside (set on a message just stored,
	// for its delivery, not read back from the database).
	Mentions   Logins  `db:"mentions" json:",omitempty"`
	MentionIDs []int64 `db:"-" json:",omitempty"`
}

// IsPrivate tells a private message from a room message.
func (m Message) IsPrivate() bool { return m.RecipientID != nil }

// IsUpdate tells an update from a message.
func (m Message) IsUpdate() bool { return m.Kind != "" && m.Kind != KindMessage }

// Snippet is the start of a text a reply shows: its first
// ReplySnippetLen characters.
func Snippet(text string) string {
	n := 0
	for i := range text {
		if n == ReplySnippetLen {
			return text[:i]
		}
		n++
	}
	return text
}

// NowMillis is the wall clock in the protocol's unit.
func NowMillis(t time.Time) int64 { return t.UnixMilli() }

var (
	loginChars      = regexp.MustCompile(`^[a-z0-9_.-]*$`)
	roomNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)
)

// NormalizeLogin lower-cases the ASCII letters of a login: logins are unique
// ignoring case, so one spelling is stored and compared. Other letters are
// left alone, so that a login is checked against a-z 0-9 _ . - as it was
// typed: Unicode folding would turn the Kelvin sign into k and Turkish İ
// into i, and store an ASCII login for a name that was not one.
func NormalizeLogin(login string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, strings.TrimSpace(login))
}

// LoginChars reports whether a normalised login uses only the characters of
// the signup rule (its length aside).
func LoginChars(login string) bool { return loginChars.MatchString(login) }

// ValidateRoomName returns invalid_room_name unless name is 1–32 letters,
// digits, '-' or '_'.
func ValidateRoomName(name string) error {
	if !roomNamePattern.MatchString(name) {
		return Errorf(EInvalidRoomName, "room names are 1–32 letters, digits, '-' or '_'")
	}
	return nil
}

// ClientIDTooLong reports whether a client-chosen id (an envelope's id, a
// message's client_id) has more than MaxClientIDLen characters.
func ClientIDTooLong(id string) bool {
	return len(id) > MaxClientIDLen && utf8.RuneCountInString(id) > MaxClientIDLen
}

// HasNUL reports whether s holds U+0000, which PostgreSQL's text cannot
// store: no stored name or text has one, on either database.
func HasNUL(s string) bool { return strings.IndexByte(s, 0) >= 0 }

// ValidateText returns invalid_text unless text is 1–4000 characters of valid
// UTF-8, without NUL, and not only white space.
func ValidateText(text string) error {
	if fe, ok := TextProblem(text); !ok {
		return Errorf(EInvalidText, "%s", fe.Message)
	}
	return nil
}

// TextProblem says what breaks the rule of message texts (see ValidateText),
// as the field error of a text field; ok when nothing does.
func TextProblem(text string) (fe FieldError, ok bool) {
	switch {
	case !utf8.ValidString(text):
		return FieldProblem(FieldInvalid, "Message text must be valid UTF-8."), false
	case HasNUL(text):
		return FieldProblem(FieldPattern, "Message text must not contain the NUL character (U+0000)."), false
	case strings.TrimSpace(text) == "":
		return FieldError{Code: FieldRequired, Message: "Message text is empty."}, false
	case utf8.RuneCountInString(text) > MaxTextLen:
		fe = TooLong(MaxTextLen)
		fe.Message = fmt.Sprintf("Message text is longer than %d characters.", MaxTextLen)
		return fe, false
	}
	return FieldError{}, true
}
