package chat

// This file is the WebSocket wire protocol: every envelope a client sends or
// receives. openapi.yaml (components/schemas, the *Envelope schemas) and
// docs/protocol.md describe the same envelopes; a Go test checks that encoded
// envelopes validate against the spec.

import "encoding/json"

// Envelope types.
const (
	// Client → server.
	TypeSend = "send"
	TypePing = "ping"
	// TypeReceipt tells the highest message id the client has shown; it
	// has no id and no answer.
	TypeReceipt = "receipt"
	// TypeEdit, TypeDelete and TypeReact change a stored message; they
	// are answered like send (ack or error) and broadcast as update.
	TypeEdit   = "edit"
	TypeDelete = "delete"
	TypeReact  = "react"
	// TypeTyping says the sender is typing; it has no id, no answer, and
	// is never stored. Also the envelope the others get.
	TypeTyping = "typing"

	// Server → client.
	TypeWelcome      = "welcome"
	TypeJoined       = "joined"
	TypeMessage      = "message"
	TypePrivate      = "private"
	TypeUpdate       = "update"
	TypeAck          = "ack"
	TypePong         = "pong"
	TypeRooms        = "rooms"
	TypeRoomsChanged = "rooms_changed"
	TypeUsers        = "users"
	TypeEvent        = "event"
	TypeHelp         = "help"
	TypeError        = "error"
)

// Event kinds of the event envelope.
const (
	EventUserJoined  = "user_joined"
	EventUserLeft    = "user_left"
	EventRoomCreated = "room_created"
	EventRoomDeleted = "room_deleted"
)

// Inbound is any client envelope. Fields not used by a type are ignored.
// HasText and HasT0 tell a field left out (or null) from an empty one.
type Inbound struct {
	Type    string
	ID      string
	Text    string
	T0      int64
	HasText bool
	HasT0   bool
	// LastID is a receipt's highest message id shown.
	LastID int64
	// ReplyTo is the message a send answers (0: none).
	ReplyTo int64
	// MessageID is the message an edit, delete or react changes.
	MessageID int64
	Emoji     string
	// To is the login a typing envelope is for (empty: the current room).
	To string
	// Room and With name the conversation of a read.
	Room string
	With string
	// Attachments are the upload ids a send carries.
	Attachments []string
}

// inboundJSON is Inbound as it arrives: pointers tell what was there.
type inboundJSON struct {
	Type string  `json:"type"`
	ID   string  `json:"id"`
	Text *string `json:"text"`
	T0   *int64  `json:"t0"`
	// LastID is a receipt's highest message id shown.
	LastID int64 `json:"last_id"`
	// ReplyTo is the message a send answers (0: none).
	ReplyTo int64 `json:"reply_to"`
	// MessageID is the message an edit, delete or react changes.
	MessageID int64  `json:"message_id"`
	Emoji     string `json:"emoji"`
	// To is the login a typing envelope is for (empty: the current room).
	To          string   `json:"to"`
	Room        string   `json:"room"`
	With        string   `json:"with"`
	Attachments []string `json:"attachments"`
}

// DecodeInbound reads one client envelope from a frame's JSON and checks
// it (see Check). An error is invalid_envelope, and in holds what could be
// read: its ID, if any, names the envelope in the error.
func DecodeInbound(frame []byte, in *Inbound) error {
	var w inboundJSON
	if err := json.Unmarshal(frame, &w); err != nil {
		return Errorf(EInvalidEnvelope, "an envelope is one JSON object with a type")
	}
	*in = Inbound{Type: w.Type, ID: w.ID, HasText: w.Text != nil, HasT0: w.T0 != nil, LastID: w.LastID,
		ReplyTo: w.ReplyTo, MessageID: w.MessageID, Emoji: w.Emoji, To: w.To, Room: w.Room, With: w.With,
		Attachments: w.Attachments}
	if w.Text != nil {
		in.Text = *w.Text
	}
	if w.T0 != nil {
		in.T0 = *w.T0
	}
	return in.Check()
}

// Check returns invalid_envelope when the envelope lacks what its type
// needs: an id of at most MaxClientIDLen characters, and for a send an id
// and a text, for an edit, a delete or a react an id, for a ping t0. A send whose text breaks the rule of texts is
// a well-formed envelope, answered invalid_text by the write path.
func (in *Inbound) Check() error {
	switch {
	case ClientIDTooLong(in.ID):
		in.ID = "" // not echoed: the error names no envelope of the client's
		return Errorf(EInvalidEnvelope, "id is longer than 64 characters")
	case in.Type == "":
		return Errorf(EInvalidEnvelope, "an envelope needs a type")
	case in.Type == TypeSend && in.ID == "":
		return Errorf(EInvalidEnvelope, "send needs an id")
	case in.Type == TypeSend && !in.HasText:
		return Errorf(EInvalidEnvelope, "send needs a text")
	case (in.Type == TypeEdit || in.Type == TypeDelete || in.Type == TypeReact) && in.ID == "":
		return Errorf(EInvalidEnvelope, "%s needs an id", in.Type)
	case in.Type == TypeRead && (in.ID == "" || in.MessageID <= 0 || (in.Room == "") == (in.With == "")):
		return Errorf(EInvalidEnvelope, "read needs an id, a message_id and one of room and with")
	case in.Type == TypePing && !in.HasT0:
		return Errorf(EInvalidEnvelope, "ping needs t0, the client's clock in Unix milliseconds")
	}
	return nil
}

// UserInfo is a user as listed to clients, with presence.
type UserInfo struct {
	Login     string `json:"login"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Online    bool   `json:"online"`
	Room      string `json:"room,omitempty"` // the room of its latest connection, when online
}

// RoomInfo is a live room as listed to clients.
type RoomInfo struct {
	Name    string `json:"name"`
	Owner   string `json:"owner,omitempty"` // empty for the default room
	Members int    `json:"members"`         // people in the room (users, not connections)
	Default bool   `json:"default"`
}

// Profile is the caller's own account, as in welcome and GET /me.
type Profile struct {
	Login     string `json:"login"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Age       int    `json:"age"`
	Gender    string `json:"gender"`
	CreatedAt int64  `json:"created_at"` // Unix milliseconds
}

// ProfileOf turns a stored user into its public profile.
func ProfileOf(u User) Profile {
	return Profile{Login: u.Login, FirstName: u.FirstName, LastName: u.LastName,
		Age: u.Age, Gender: u.Gender, CreatedAt: u.CreatedAt.UnixMilli()}
}

// Welcome is the first envelope of every connection.
type Welcome struct {
	Type       string        `json:"type"`
	ServerTime int64         `json:"server_time"`
	User       Profile       `json:"user"`
	Room       string        `json:"room"` // the room this connection lands in
	Rooms      []RoomInfo    `json:"rooms"`
	Commands   []HelpItem    `json:"commands"`
	Unread     []UnreadEntry `json:"unread"`
}

// Joined tells a connection it is now in Room. History holds the room's
// latest messages, oldest first; on a resumed connection it holds every
// message after the client's last_id instead (at most ResumeLimit, More set
// when older missed messages remain to fetch over REST).
type Joined struct {
	Type    string       `json:"type"`
	Room    string       `json:"room"`
	History []RoomMsgOut `json:"history"`
	Resumed bool         `json:"resumed"`
	More    bool         `json:"more"`
}

// RoomMsgOut is the message envelope; also an element of Joined.History.
type RoomMsgOut struct {
	Type     string `json:"type"`
	ID       int64  `json:"id"`
	Room     string `json:"room"`
	From     string `json:"from"`
	Text     string `json:"text"`
	SentAt   int64  `json:"sent_at"`
	ClientID string `json:"client_id"`
	Mentions Logins `json:"mentions,omitempty"`
	MessageState
}

// PrivateOut is the private envelope.
type PrivateOut struct {
	Type     string `json:"type"`
	ID       int64  `json:"id"`
	From     string `json:"from"`
	To       string `json:"to"`
	Text     string `json:"text"`
	SentAt   int64  `json:"sent_at"`
	ClientID string `json:"client_id"`
	MessageState
}

// MessageState is what a message carries beyond its text, each field only
// when it has one: the message it answers, when it was last edited,
// whether it was deleted (a tombstone: no text, no reactions), and its
// reactions.
type MessageState struct {
	ReplyTo   *ReplySnippet `json:"reply_to,omitempty"`
	EditedAt  int64         `json:"edited_at,omitempty"` // Unix milliseconds
	Deleted   bool          `json:"deleted,omitempty"`
	Reactions []Reaction    `json:"reactions,omitempty"`
	// Attachments are the files it carries, each with a freshly signed URL.
	Attachments []Attachment `json:"attachments,omitempty"`
}

// ReplySnippet is the message a reply answers, as the reply shows it.
type ReplySnippet struct {
	ID   int64  `json:"id"`
	From string `json:"from"`
	Text string `json:"text"` // its first ReplySnippetLen characters; empty once deleted
}

// Reaction is one emoji on a message and who put it there, in the order
// they did.
type Reaction struct {
	Emoji string   `json:"emoji"`
	Count int      `json:"count"`
	Users []string `json:"users"`
}

// UpdateOut is the update envelope: an edit, deletion or reaction of
// message MessageID, an item of its conversation's stream with an ID of its
// own. Room is set in a room, To (the other person) in a private thread.
type UpdateOut struct {
	Type      string `json:"type"`
	ID        int64  `json:"id"`
	MessageID int64  `json:"message_id"`
	Kind      string `json:"kind"`
	Room      string `json:"room,omitempty"`
	By        string `json:"by"`
	To        string `json:"to,omitempty"`
	At        int64  `json:"at"`
	Text      string `json:"text,omitempty"`  // edited: the new text
	Emoji     string `json:"emoji,omitempty"` // reaction: the emoji toggled
	// Reactions is the message's reactions after a reaction ([] when none
	// are left); absent for the other kinds.
	Reactions *[]Reaction `json:"reactions,omitempty"`
}

// TypingOut tells that User is typing: in Room, or to the receiver
// (From, a private thread).
type TypingOut struct {
	Type string `json:"type"`
	Room string `json:"room,omitempty"`
	From string `json:"from,omitempty"`
	User string `json:"user"`
}

// Ack confirms that the message the client called ID is durably stored.
type Ack struct {
	Type      string `json:"type"`
	ID        string `json:"id"`
	MessageID int64  `json:"message_id"`
	SentAt    int64  `json:"sent_at"`
}

// Pong answers a ping; the client derives RTT and clock offset from it.
type Pong struct {
	Type       string `json:"type"`
	ID         string `json:"id"`
	T0         int64  `json:"t0"`
	ServerTime int64  `json:"server_time"`
}

// RoomsOut lists the live rooms.
type RoomsOut struct {
	Type  string     `json:"type"`
	Rooms []RoomInfo `json:"rooms"`
}

// RoomsChangedOut is pushed at most once per interval when rooms were
// created or deleted or their member counts changed: Rooms holds the live
// rooms that changed, Removed the names of the deleted ones. A client keeps
// the list from welcome (or #lR) and applies these changes to it.
type RoomsChangedOut struct {
	Type    string     `json:"type"`
	Rooms   []RoomInfo `json:"rooms"`
	Removed []string   `json:"removed"`
}

// UsersOut lists every registered user.
type UsersOut struct {
	Type  string     `json:"type"`
	Users []UserInfo `json:"users"`
}

// Event is a server-generated notice.
type Event struct {
	Type string `json:"type"`
	Kind string `json:"kind"`
	Room string `json:"room"`
	User string `json:"user,omitempty"`
	At   int64  `json:"at"`
}

// HelpOut lists the commands.
type HelpOut struct {
	Type     string     `json:"type"`
	Commands []HelpItem `json:"commands"`
}

// ErrorOut reports a failed envelope; the connection stays open.
type ErrorOut struct {
	Type    string `json:"type"`
	ID      string `json:"id,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// MessageOut builds the message envelope of a stored room message.
func MessageOut(m Message) RoomMsgOut {
	return RoomMsgOut{Type: TypeMessage, ID: m.ID, Room: m.Room, From: m.From,
		Text: m.Text, SentAt: m.SentAt, ClientID: m.ClientID, Mentions: m.Mentions, MessageState: stateOf(m)}
}

// PrivateOf builds the private envelope of a stored private message.
func PrivateOf(m Message) PrivateOut {
	return PrivateOut{Type: TypePrivate, ID: m.ID, From: m.From, To: m.To,
		Text: m.Text, SentAt: m.SentAt, ClientID: m.ClientID, MessageState: stateOf(m)}
}

func stateOf(m Message) MessageState {
	st := MessageState{Deleted: m.Deleted, Reactions: m.Reactions, Attachments: m.Attachments}
	if m.EditedAt != nil {
		st.EditedAt = *m.EditedAt
	}
	if m.ReplyTo != nil {
		st.ReplyTo = &ReplySnippet{ID: *m.ReplyTo, From: m.ReplyFrom, Text: Snippet(m.ReplyText)}
	}
	return st
}

// UpdateOf builds the update envelope of a stored update item.
func UpdateOf(m Message) UpdateOut {
	u := UpdateOut{Type: TypeUpdate, ID: m.ID, Kind: m.Kind, Room: m.Room, By: m.From, To: m.To, At: m.SentAt}
	if m.TargetID != nil {
		u.MessageID = *m.TargetID
	}
	switch m.Kind {
	case KindEdited:
		u.Text = m.Text
	case KindReaction:
		u.Emoji = m.Text
		reactions := m.Reactions
		if reactions == nil {
			reactions = []Reaction{}
		}
		u.Reactions = &reactions
	}
	return u
}

// ItemOut is the envelope of any item of a conversation's stream: a room
// message, a private message, or an update.
func ItemOut(m Message) any {
	switch {
	case m.IsUpdate():
		return UpdateOf(m)
	case m.IsPrivate():
		return PrivateOf(m)
	}
	return MessageOut(m)
}

// ErrorEnvelope turns any error into an error envelope; internal details
// never leave the server.
func ErrorEnvelope(id string, err error) ErrorOut {
	return ErrorOut{Type: TypeError, ID: id, Code: ErrorCode(err), Message: ErrorMessage(err)}
}

// Close codes of the WebSocket. 1000–1011 are RFC 6455's; 4000–4099 are
// Sala's. Clients reconnect (with backoff) after the "reconnect" ones and
// stop after the terminal ones; docs/protocol.md has the table.
const (
	CloseNormal         = 1000 // #exit or the client's own close: terminal
	CloseGoingAway      = 1001 // server shutting down: reconnect
	ClosePolicy         = 1008 // too many bad envelopes: terminal
	CloseTooBig         = 1009 // a frame over 64 KiB: terminal for that frame's sender
	CloseInternal       = 1011 // server fault: reconnect
	CloseSlowConsumer   = 4000 // outbound queue overflowed: reconnect and resume
	CloseTokenExpired   = 4001 // the token expired during the session: log in again
	CloseStoreUnhealthy = 4002 // reserved: the database is down for long: reconnect later
)
