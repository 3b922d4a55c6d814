package store

import (
	"context"
	"errors"
	"strings"

	"github.com/salachat/sala/backend/internal/chat"
)

// A search reads each dialect's full-text index (migrations/*/00006_search.sql)
// newest first and keeps what the caller may read. The query's arguments come
// in the same order on both: the match, the before bound, the caller twice,
// the limit.

// readableBy is the condition of a message the user (the two ?) may read:
// any room's, and its own private threads'.
const readableBy = ` AND m.kind = 'message' AND NOT m.deleted
	AND (m.room_id IS NOT NULL OR m.pair_lo = ? OR m.pair_hi = ?)`

// sqliteSearch walks the FTS5 index from the newest match down (FTS5 reads
// its rowids in either order, so ORDER BY rowid DESC with a LIMIT stops at
// the page), each match joined to its message: the CROSS JOIN keeps the
// index the outer loop.
const sqliteSearch = `SELECT ` + messageFields + `
	FROM messages_fts CROSS JOIN messages m` + messageJoins + `
	WHERE messages_fts MATCH ? AND messages_fts.rowid < ? AND m.id = messages_fts.rowid` + readableBy + `
	ORDER BY messages_fts.rowid DESC LIMIT ?`

// postgresSearch names the indexed expression and the index's predicate,
// so the planner may read the GIN index (a rare word), or walk the
// primary key back and test each row (a common one: the page fills at once).
const postgresSearch = selectMessages + `
	WHERE to_tsvector('simple', m.text) @@ to_tsquery('simple', ?) AND m.id < ?` + readableBy + `
	ORDER BY m.id DESC LIMIT ?`

// SearchMessages returns up to limit messages userID may read whose text
// holds every term (as a word's beginning), with id < before, newest first.
func (s *Store) SearchMessages(ctx context.Context, userID int64, terms []string, before int64, limit int) ([]chat.Message, error) {
	if len(terms) == 0 {
		return nil, errors.New("store: search without terms")
	}
	query, match := sqliteSearch, ftsMatch(terms)
	if _, ok := s.d.(postgres); ok {
		query, match = postgresSearch, tsQuery(terms)
	}
	return s.messages(ctx, "search messages", query, match, cursor(before), userID, userID, pageSize(limit))
}

// ftsMatch is an FTS5 query of every term as a prefix: "a"* "b"*. A term
// is letters and digits only (chat.SearchTerms), so quoting it is enough to
// keep it a plain string.
func ftsMatch(terms []string) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"*`
	}
	return strings.Join(parts, " ")
}

// tsQuery is a tsquery of every term as a prefix: 'a':* & 'b':*.
func tsQuery(terms []string) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = `'` + strings.ReplaceAll(t, `'`, `''`) + `':*`
	}
	return strings.Join(parts, " & ")
}

// RoomHistoryAfter returns up to limit messages of a room with id > after,
// oldest first.
func (s *Store) RoomHistoryAfter(ctx context.Context, roomID, after int64, limit int) ([]chat.Message, error) {
	return s.messages(ctx, "room history after", selectMessages+`
		WHERE m.room_id = ? AND m.id > ?`+onlyMessages+` ORDER BY m.id LIMIT ?`,
		roomID, after, pageSize(limit))
}

// PrivateHistoryAfter returns up to limit private messages between a and b,
// both directions, with id > after, oldest first.
func (s *Store) PrivateHistoryAfter(ctx context.Context, a, b, after int64, limit int) ([]chat.Message, error) {
	lo, hi := min(a, b), max(a, b)
	return s.messages(ctx, "private history after", selectMessages+`
		WHERE m.pair_lo = ? AND m.pair_hi = ? AND m.id > ?`+onlyMessages+` ORDER BY m.id LIMIT ?`,
		lo, hi, after, pageSize(limit))
}
