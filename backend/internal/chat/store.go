package chat

import (
	"context"
	"time"
)

// NewMessage is a message accepted for storage. Exactly one of RoomID and
// RecipientID is set. Room, From and To carry the names the caller already
// knows, so the store returns complete Messages without a join.
type NewMessage struct {
	RoomID      *int64
	Room        string
	SenderID    int64
	From        string
	RecipientID *int64
	To          string
	Text        string
	SentAt      int64  // Unix milliseconds
	ClientID    string // may be empty: no idempotency then

	// Kind is KindMessage (or empty) for a message; an update's kind
	// otherwise, with TargetID its message, SenderID who makes it, and
	// Text the edit's new text or the reaction's emoji.
	Kind     string
	TargetID *int64
	// ReplyTo is the message a message answers, of the same conversation;
	// ReplyFrom and ReplyText its author and text as the caller read them.
	ReplyTo   *int64
	ReplyFrom string
	ReplyText string
	// Mentions are the logins of existing users a room message mentions,
	// in order; MentionIDs their ids, the sender's left out, each of whom
	// gets a stored mention.
	Mentions   []string
	MentionIDs []int64
}

// Stored is the outcome of one NewMessage of a batch.
type Stored struct {
	Message   Message
	Duplicate bool // the sender had stored this ClientID before; Message is the earlier one
}

// Store is Sala's persistent state: users, the rooms ever created, and every
// message. PostgreSQL and SQLite implement it with the same behaviour, shown
// by one test suite run against both.
type Store interface {
	// CreateUser stores u with its password hash and sets u.ID and
	// u.CreatedAt. Returns login_taken when the login exists ignoring case.
	CreateUser(ctx context.Context, u *User, passwordHash string) error
	// UserByLogin returns a user and its password hash. Returns user_not_found.
	UserByLogin(ctx context.Context, login string) (User, string, error)
	// UserByID returns user_not_found when id is unknown.
	UserByID(ctx context.Context, id int64) (User, error)
	// ListUsers returns every registered user ordered by login.
	ListUsers(ctx context.Context) ([]User, error)
	// SetPassword replaces a user's password hash. Returns user_not_found.
	SetPassword(ctx context.Context, id int64, passwordHash string) error
	// DeleteUser removes a user and the messages it sent or received.
	// Returns user_not_found.
	DeleteUser(ctx context.Context, id int64) error

	// EnsureDefaultRoom returns the live default room, creating it with name
	// if there is none (or renaming nothing: a changed name creates a new
	// default room and retires the old one).
	EnsureDefaultRoom(ctx context.Context, name string) (Room, error)
	// CreateRoom stores a new live room owned by ownerID. Returns room_exists
	// when a live room has that name ignoring case.
	CreateRoom(ctx context.Context, name string, ownerID int64) (Room, error)
	// DeleteRoom marks a live room deleted; its messages stay. Returns
	// room_not_found when it is not live.
	DeleteRoom(ctx context.Context, id int64, at time.Time) error
	// LiveRooms returns the live non-default rooms, oldest first: a
	// restarted single node makes them live again.
	LiveRooms(ctx context.Context) ([]Room, error)
	// RoomByName returns the live room with that name ignoring case, else the
	// most recently deleted one. Returns room_not_found.
	RoomByName(ctx context.Context, name string) (Room, error)
	// RoomLiveAfter returns the oldest room with that name ignoring case
	// that was still live when message messageID was stored, or later: the
	// room a client that stopped at messageID was in. Returns
	// room_not_found (also when messageID is not stored).
	RoomLiveAfter(ctx context.Context, name string, messageID int64) (Room, error)

	// AppendMessages stores a batch in one transaction, in order, and returns
	// one Stored per input. A ClientID the sender used before yields the
	// earlier message with Duplicate set. Either the whole batch is stored or
	// an error is returned and nothing is. An update (NewMessage.Kind) is
	// applied to its message in the same transaction, and a reaction's
	// Stored carries the message's reactions after it; an update of a
	// message deleted meanwhile fails the batch with message_not_found.
	AppendMessages(ctx context.Context, batch []NewMessage) ([]Stored, error)
	// MessageByID returns a message (not an update) in its current state.
	// Returns message_not_found.
	MessageByID(ctx context.Context, id int64) (Message, error)
	// RoomHistory returns up to limit messages of a room with id < before
	// (before <= 0: the newest), newest first.
	RoomHistory(ctx context.Context, roomID, before int64, limit int) ([]Message, error)
	// RoomMessagesAfter returns up to limit items (messages and updates)
	// of a room with id > after, oldest first. The history readers return
	// messages only; every reader returns them in their current state.
	RoomMessagesAfter(ctx context.Context, roomID, after int64, limit int) ([]Message, error)
	// PrivateHistory returns up to limit private messages between users a and
	// b (both directions) with id < before (before <= 0: the newest), newest first.
	PrivateHistory(ctx context.Context, a, b, before int64, limit int) ([]Message, error)
	// PrivateMessagesAfter returns up to limit private items sent to or by
	// userID with id > after, oldest first.
	PrivateMessagesAfter(ctx context.Context, userID, after int64, limit int) ([]Message, error)
	// MessagesBetween returns up to limit items, of any room or user,
	// with after < id <= upTo, oldest first.
	MessagesBetween(ctx context.Context, after, upTo int64, limit int) ([]Message, error)
	// LatestMessageID returns the id of the latest message stored, room or
	// private, 0 when there is none.
	LatestMessageID(ctx context.Context) (int64, error)
	// UnreceiptedPrivate returns up to limit private items to userID
	// above its receipt (see SetReceipt), oldest first.
	UnreceiptedPrivate(ctx context.Context, userID int64, limit int) ([]Message, error)
	// SetReceipt raises userID's receipt, the highest message id one of its
	// clients has shown, to lastID; it never goes back. Private messages
	// count as delivered up to it.
	SetReceipt(ctx context.Context, userID, lastID int64) error

	// SetReadCursor raises userID's read cursor of conversation c to
	// messageID and returns the cursor after the call (never lower than
	// before) and whether it moved.
	SetReadCursor(ctx context.Context, userID int64, c Conversation, messageID int64) (int64, bool, error)
	// EnsureRoomCursor records that userID is in room roomID: unless it
	// has a cursor there already, one at the room's newest message sent
	// before sentBefore (Unix ms). It returns the cursor.
	EnsureRoomCursor(ctx context.Context, userID, roomID, sentBefore int64) (int64, error)
	// ReadState returns userID's cursors of the live rooms it has one of,
	// then every private thread it has with someone else by login (with
	// cursor 0 when it never read it), each with its unread counts as
	// CountUnread counts them: what a connect tells, in one query.
	ReadState(ctx context.Context, userID int64) ([]ReadCursor, error)
	// CountUnread counts the messages of c after cursor that userID did
	// not send and that are not deleted, up to MaxUnreadCount, and how
	// many of them mention userID.
	CountUnread(ctx context.Context, userID int64, c Conversation, cursor int64) (UnreadCount, error)
	// MentionsAfter returns up to limit room messages that mention userID
	// with id > after, oldest first, leaving out room skipRoomID's.
	MentionsAfter(ctx context.Context, userID, after, skipRoomID int64, limit int) ([]Message, error)
	// UnreceiptedMentions is MentionsAfter above userID's receipt.
	UnreceiptedMentions(ctx context.Context, userID, skipRoomID int64, limit int) ([]Message, error)
	// Mentions returns up to limit messages that mention userID with
	// id < before (before <= 0: the newest), newest first; deleted ones
	// are left out.
	Mentions(ctx context.Context, userID, before int64, limit int) ([]Message, error)

	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error
}
