package store

import (
	"context"
	"math"

	"github.com/salachat/sala/backend/internal/chat"
)

// selectMessages reads complete messages: the names of the room, sender and
// recipient come from joins, empty strings standing for NULLs.
// A reply reads its snippet from the message it answers: its author, and
// its current text (empty once deleted).
const selectMessages = `SELECT ` + messageFields + ` FROM messages m` + messageJoins

// messageFields and messageJoins are selectMessages's parts, for a query
// that reads messages from another table first (a search).
const messageFields = `m.id, m.room_id, COALESCE(r.name, '') AS room,
	m.sender_id, su.login AS sender_login,
	m.recipient_id, COALESCE(ru.login, '') AS recipient_login,
	m.text, m.sent_at, COALESCE(m.client_id, '') AS client_id,
	m.kind, m.target_id, m.edited_at, m.deleted, m.reply_to, m.mentions,
	COALESCE(pu.login, '') AS reply_from, COALESCE(substr(p.text, 1, 100), '') AS reply_text`

const messageJoins = `
	JOIN users su ON su.id = m.sender_id
	LEFT JOIN users ru ON ru.id = m.recipient_id
	LEFT JOIN rooms r ON r.id = m.room_id
	LEFT JOIN messages p ON p.id = m.reply_to
	LEFT JOIN users pu ON pu.id = p.sender_id`

// onlyMessages keeps the messages of a stream, without its updates: a
// history is the messages in their current state.
const onlyMessages = ` AND m.kind = 'message'`

// MessageByID returns a message (not an update) in its current state.
func (s *Store) MessageByID(ctx context.Context, id int64) (chat.Message, error) {
	msgs, err := s.messages(ctx, "message by id", selectMessages+`
		WHERE m.id = ?`+onlyMessages, id)
	if err != nil {
		return chat.Message{}, err
	}
	if len(msgs) == 0 {
		return chat.Message{}, messageNotFound()
	}
	return msgs[0], nil
}

// RoomHistory returns up to limit messages of a room with id < before
// (before <= 0: the newest), newest first.
func (s *Store) RoomHistory(ctx context.Context, roomID, before int64, limit int) ([]chat.Message, error) {
	return s.messages(ctx, "room history", selectMessages+`
		WHERE m.room_id = ? AND m.id < ?`+onlyMessages+` ORDER BY m.id DESC LIMIT ?`,
		roomID, cursor(before), pageSize(limit))
}

// RoomMessagesAfter returns up to limit items (messages and updates) of a
// room with id > after, oldest first.
func (s *Store) RoomMessagesAfter(ctx context.Context, roomID, after int64, limit int) ([]chat.Message, error) {
	return s.messages(ctx, "room messages after", selectMessages+`
		WHERE m.room_id = ? AND m.id > ? ORDER BY m.id LIMIT ?`,
		roomID, after, pageSize(limit))
}

// PrivateHistory returns up to limit private messages between a and b, both
// directions, with id < before (before <= 0: the newest), newest first.
func (s *Store) PrivateHistory(ctx context.Context, a, b, before int64, limit int) ([]chat.Message, error) {
	lo, hi := min(a, b), max(a, b)
	return s.messages(ctx, "private history", selectMessages+`
		WHERE m.pair_lo = ? AND m.pair_hi = ? AND m.id < ?`+onlyMessages+` ORDER BY m.id DESC LIMIT ?`,
		lo, hi, cursor(before), pageSize(limit))
}

// PrivateMessagesAfter returns up to limit private items sent to or by
// userID with id > after, oldest first.
func (s *Store) PrivateMessagesAfter(ctx context.Context, userID, after int64, limit int) ([]chat.Message, error) {
	return s.messages(ctx, "private messages after", selectMessages+`
		WHERE (m.recipient_id = ? OR (m.sender_id = ? AND m.recipient_id IS NOT NULL))
		AND m.id > ? ORDER BY m.id LIMIT ?`,
		userID, userID, after, pageSize(limit))
}

// MessagesBetween returns up to limit items, of any room or user, with
// after < id <= upTo, oldest first.
func (s *Store) MessagesBetween(ctx context.Context, after, upTo int64, limit int) ([]chat.Message, error) {
	return s.messages(ctx, "messages between", selectMessages+`
		WHERE m.id > ? AND m.id <= ? ORDER BY m.id LIMIT ?`,
		after, upTo, pageSize(limit))
}

// LatestMessageID returns the id of the latest message stored, 0 when there
// is none.
//
// It reads on the writer's connection. On SQLite that is the one
// connection every write takes, so the answer counts every write begun
// before the call, one whose caller stopped waiting at its deadline
// included: a single node's turn reads its Prev here (writepath.Local).
// PostgreSQL's sessions give no such order; a node on PostgreSQL takes
// Sequencer's turn instead, which reads Prev on its own session.
func (s *Store) LatestMessageID(ctx context.Context) (int64, error) {
	var latest int64
	if err := s.w.QueryRowxContext(ctx, `SELECT COALESCE(max(id), 0) FROM messages`).Scan(&latest); err != nil {
		return 0, s.fail("latest message", err)
	}
	return latest, nil
}

// UnreceiptedPrivate returns up to limit private items to userID above
// its receipt, oldest first.
func (s *Store) UnreceiptedPrivate(ctx context.Context, userID int64, limit int) ([]chat.Message, error) {
	return s.messages(ctx, "private messages after the receipt", selectMessages+`
		WHERE m.recipient_id = ? AND m.id > (SELECT receipt FROM users WHERE id = ?) ORDER BY m.id LIMIT ?`,
		userID, userID, pageSize(limit))
}

// SetReceipt raises userID's receipt to lastID; it never goes back.
func (s *Store) SetReceipt(ctx context.Context, userID, lastID int64) error {
	_, err := s.w.ExecContext(ctx, s.w.Rebind(`UPDATE users SET receipt = ? WHERE id = ? AND receipt < ?`),
		lastID, userID, lastID)
	if err != nil {
		return s.fail("set receipt", err)
	}
	return nil
}

// messages runs a read query written with ? placeholders, and reads the
// reactions of what it found.
func (s *Store) messages(ctx context.Context, op, query string, args ...any) ([]chat.Message, error) {
	msgs := []chat.Message{}
	if err := s.selectRead(ctx, &msgs, query, args...); err != nil {
		return nil, s.fail(op, err)
	}
	if err := withReactions(ctx, s.r, msgs); err != nil {
		return nil, s.fail(op, err)
	}
	if err := withAttachments(ctx, s.r, msgs); err != nil {
		return nil, s.fail(op, err)
	}
	return msgs, nil
}

// cursor turns "before <= 0 means the newest" into a bound for id < ?.
func cursor(before int64) int64 {
	if before <= 0 {
		return math.MaxInt64
	}
	return before
}
