package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"github.com/salachat/sala/backend/internal/chat"
)

// Read cursors and mentions (migrations 00005). A cursor only rises: every
// write of one is an upsert that keeps the higher id, so two devices that
// read at once leave the furthest.

// hasMentions reports whether a batch holds a message that mentions
// someone, whose mention rows go in with it.
func hasMentions(batch []chat.NewMessage) bool {
	return slices.ContainsFunc(batch, func(m chat.NewMessage) bool { return len(m.MentionIDs) > 0 })
}

// insertMentions stores a mention row per person each new message of a
// stored batch mentions. A repeat (Duplicate) stored its rows the first time.
func insertMentions(ctx context.Context, q execQuerier, out []chat.Stored) error {
	for _, st := range out {
		m := st.Message
		if st.Duplicate || m.RoomID == nil {
			continue
		}
		for _, userID := range m.MentionIDs {
			if _, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO mentions (user_id, message_id, room_id)
				VALUES (?, ?, ?) ON CONFLICT DO NOTHING`), userID, m.ID, *m.RoomID); err != nil {
				return err
			}
		}
	}
	return nil
}

// SetReadCursor raises userID's cursor of c to messageID and returns the
// cursor after the call and whether it moved.
func (s *Store) SetReadCursor(ctx context.Context, userID int64, c chat.Conversation, messageID int64) (int64, bool, error) {
	table, col, other := "room_reads", "room_id", c.RoomID
	if c.RoomID == 0 {
		table, col, other = "private_reads", "peer_id", c.PeerID
	}
	res, err := s.w.ExecContext(ctx, s.w.Rebind(`INSERT INTO `+table+` (user_id, `+col+`, message_id) VALUES (?, ?, ?)
		ON CONFLICT (user_id, `+col+`) DO UPDATE SET message_id = excluded.message_id
		WHERE `+table+`.message_id < excluded.message_id`), userID, other, messageID)
	if err != nil {
		return 0, false, s.fail("set read cursor", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, false, s.fail("set read cursor", err)
	}
	if n > 0 {
		return messageID, true, nil
	}
	var cur int64
	if err := s.w.QueryRowxContext(ctx, s.w.Rebind(`SELECT message_id FROM `+table+` WHERE user_id = ? AND `+col+` = ?`),
		userID, other).Scan(&cur); err != nil {
		return 0, false, s.fail("read cursor", err)
	}
	return cur, false, nil
}

// EnsureRoomCursor gives userID a cursor of room roomID at its newest
// message sent before sentBefore, unless it has one, and returns the
// cursor. A cursor that exists is read from the read pool: entering a room
// again (every reconnect that lands in one) then takes no turn of the
// writer, which SQLite has one of.
func (s *Store) EnsureRoomCursor(ctx context.Context, userID, roomID, sentBefore int64) (int64, error) {
	var cur int64
	err := s.getRead(ctx, &cur, `SELECT message_id FROM room_reads WHERE user_id = ? AND room_id = ?`, userID, roomID)
	if err == nil {
		return cur, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, s.fail("room cursor", err)
	}
	_, err = s.w.ExecContext(ctx, s.w.Rebind(`INSERT INTO room_reads (user_id, room_id, message_id)
		SELECT ?, ?, COALESCE(max(id), 0) FROM messages WHERE room_id = ? AND sent_at < ?
		ON CONFLICT (user_id, room_id) DO NOTHING`), userID, roomID, roomID, sentBefore)
	if err != nil {
		return 0, s.fail("ensure room cursor", err)
	}
	if err := s.w.QueryRowxContext(ctx, s.w.Rebind(`SELECT message_id FROM room_reads WHERE user_id = ? AND room_id = ?`),
		userID, roomID).Scan(&cur); err != nil {
		return 0, s.fail("room cursor", err)
	}
	return cur, nil
}

// stateRow is a row of ReadState's query.
type stateRow struct {
	Private   bool   `db:"private"`
	ID        int64  `db:"id"`
	Name      string `db:"name"`
	MessageID int64  `db:"message_id"`
	Count     int    `db:"count"`
	Mentions  int    `db:"mentions"`
}

// readStateQuery is every conversation of user $u with its counts: the
// live rooms it has a cursor of, and the private threads it has (both
// directions), counted as CountUnread counts. Each count reads at most
// MaxUnreadCount rows from the cursor on the conversation's index.
const readStateQuery = `SELECT FALSE AS private, rr.room_id AS id, r.name, rr.message_id,
		(SELECT count(*) FROM (SELECT 1 FROM messages m WHERE m.room_id = rr.room_id AND m.id > rr.message_id
			AND m.kind = 'message' AND NOT m.deleted AND m.sender_id <> rr.user_id LIMIT ?) t) AS count,
		(SELECT count(*) FROM mentions mn JOIN messages m ON m.id = mn.message_id
			WHERE mn.user_id = rr.user_id AND mn.room_id = rr.room_id AND mn.message_id > rr.message_id AND NOT m.deleted) AS mentions
	FROM room_reads rr JOIN rooms r ON r.id = rr.room_id
	WHERE rr.user_id = ? AND r.deleted_at IS NULL
	UNION ALL
	SELECT TRUE, p.peer, u.login, COALESCE(pr.message_id, 0),
		(SELECT count(*) FROM (SELECT 1 FROM messages m
			WHERE m.pair_lo = CASE WHEN p.peer < ? THEN p.peer ELSE ? END
			AND m.pair_hi = CASE WHEN p.peer < ? THEN ? ELSE p.peer END
			AND m.id > COALESCE(pr.message_id, 0) AND m.kind = 'message' AND NOT m.deleted AND m.sender_id = p.peer LIMIT ?) t),
		0
	FROM (SELECT recipient_id AS peer FROM messages WHERE sender_id = ? AND recipient_id IS NOT NULL
		UNION SELECT sender_id FROM messages WHERE recipient_id = ?) p
	JOIN users u ON u.id = p.peer
	LEFT JOIN private_reads pr ON pr.user_id = ? AND pr.peer_id = p.peer
	WHERE p.peer <> ?`

// ReadState returns userID's conversations with their cursors and counts:
// the live rooms with a cursor by id, then the private threads by login.
func (s *Store) ReadState(ctx context.Context, userID int64) ([]chat.ReadCursor, error) {
	var rows []stateRow
	u := userID
	if err := s.selectRead(ctx, &rows, readStateQuery, chat.MaxUnreadCount, u, u, u, u, u, chat.MaxUnreadCount, u, u, u, u); err != nil {
		return nil, s.fail("read state", err)
	}
	slices.SortFunc(rows, func(a, b stateRow) int {
		switch {
		case a.Private != b.Private:
			return cmp.Compare(b2i(a.Private), b2i(b.Private))
		case a.Private:
			return strings.Compare(a.Name, b.Name)
		}
		return cmp.Compare(a.ID, b.ID)
	})
	out := make([]chat.ReadCursor, 0, len(rows))
	for _, r := range rows {
		c := chat.ReadCursor{Name: r.Name, MessageID: r.MessageID, Unread: chat.UnreadCount{Count: r.Count, Mentions: r.Mentions}}
		if r.Private {
			c.PeerID = r.ID
		} else {
			c.RoomID = r.ID
		}
		out = append(out, c)
	}
	return out, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// unreadFilter keeps what counts as unread: messages (not updates) that
// are not deleted, after the cursor, not the reader's own. The counts read
// at most MaxUnreadCount rows, in id order from the cursor on the
// conversation's index.
const unreadFilter = ` AND m.id > ? AND m.kind = 'message' AND NOT m.deleted AND m.sender_id <> ?`

// CountUnread counts what userID has not read of c after cursor (up to
// chat.MaxUnreadCount), and the mentions of userID among it.
func (s *Store) CountUnread(ctx context.Context, userID int64, c chat.Conversation, cursor int64) (chat.UnreadCount, error) {
	var n chat.UnreadCount
	var err error
	if c.RoomID != 0 {
		err = s.getRead(ctx, &n, `SELECT
			(SELECT count(*) FROM (SELECT 1 FROM messages m WHERE m.room_id = ?`+unreadFilter+` LIMIT ?) t) AS count,
			(SELECT count(*) FROM mentions mn JOIN messages m ON m.id = mn.message_id
				WHERE mn.user_id = ? AND mn.room_id = ? AND mn.message_id > ? AND NOT m.deleted) AS mentions`,
			c.RoomID, cursor, userID, chat.MaxUnreadCount, userID, c.RoomID, cursor)
	} else {
		lo, hi := min(userID, c.PeerID), max(userID, c.PeerID)
		err = s.getRead(ctx, &n, `SELECT count(*) AS count, 0 AS mentions FROM (SELECT 1 FROM messages m
			WHERE m.pair_lo = ? AND m.pair_hi = ?`+unreadFilter+` LIMIT ?) t`, lo, hi, cursor, userID, chat.MaxUnreadCount)
	}
	if err != nil {
		return chat.UnreadCount{}, s.fail("count unread", err)
	}
	return n, nil
}

// mentionsOf reads the room messages that mention a user, in a range of
// ids: the range is taken on the mentions' key (user, message), so that
// a person mentioned rarely costs a few rows however busy the rooms are.
const mentionsOf = selectMessages + `
	WHERE NOT m.deleted AND m.id IN (SELECT mn.message_id FROM mentions mn WHERE mn.user_id = ? AND `

// MentionsAfter returns up to limit messages that mention userID with
// id > after, outside room skipRoomID, oldest first.
func (s *Store) MentionsAfter(ctx context.Context, userID, after, skipRoomID int64, limit int) ([]chat.Message, error) {
	return s.messages(ctx, "mentions after", mentionsOf+`mn.message_id > ?)
		AND m.room_id <> ? ORDER BY m.id LIMIT ?`, userID, after, skipRoomID, pageSize(limit))
}

// UnreceiptedMentions returns up to limit messages that mention userID
// above its receipt, outside room skipRoomID, oldest first.
func (s *Store) UnreceiptedMentions(ctx context.Context, userID, skipRoomID int64, limit int) ([]chat.Message, error) {
	return s.messages(ctx, "mentions after the receipt", mentionsOf+`mn.message_id > (SELECT receipt FROM users WHERE id = ?))
		AND m.room_id <> ? ORDER BY m.id LIMIT ?`, userID, userID, skipRoomID, pageSize(limit))
}

// Mentions returns up to limit messages that mention userID with id <
// before, newest first.
func (s *Store) Mentions(ctx context.Context, userID, before int64, limit int) ([]chat.Message, error) {
	return s.messages(ctx, "mentions", mentionsOf+`mn.message_id < ?)
		ORDER BY m.id DESC LIMIT ?`, userID, cursor(before), pageSize(limit))
}
