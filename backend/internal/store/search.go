package store

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/lib/pq"

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

// On PostgreSQL a search reads the stored tsvector column (migrations/
// postgres/00006_search.sql) with the GIN index's predicate. Neither plan is
// right for every word, and the planner's guess of a word's frequency (a
// prefix query, several words) is too rough to choose: the index visits
// every match, all of a common word's rows, to sort them; walking the ids
// back tests rows until the page is full, the whole table for a rare word.
// A search therefore asks the index first for at most pgSearchCap matches,
// in no order: fewer than that is every match, and the newest of them are
// the page; as many means a word common enough that walking back fills the
// page within about limit/pgSearchCap of the table.
const pgSearchCap = 2000

// pgMatch is the condition of a match: the words (the first ?), the before
// bound, and what the caller may read.
const pgMatch = ` FROM messages m WHERE m.search @@ to_tsquery('simple', ?) AND m.id < ?` + readableBy

// postgresMatches lists the ids of matches, at most pgSearchCap of them.
const postgresMatches = `SELECT m.id` + pgMatch + ` LIMIT ?`

// postgresNewest lists the ids of the newest matches by walking the ids back.
const postgresNewest = `SELECT m.id` + pgMatch + ` ORDER BY m.id DESC LIMIT ?`

// postgresByIDs reads the messages of the ids (an array), newest first.
const postgresByIDs = selectMessages + ` WHERE m.id = ANY(?) ORDER BY m.id DESC`

// SearchMessages returns up to limit messages userID may read whose text
// holds every term (as a word's beginning), with id < before, newest first.
func (s *Store) SearchMessages(ctx context.Context, userID int64, terms []string, before int64, limit int) ([]chat.Message, error) {
	if len(terms) == 0 {
		return nil, errors.New("store: search without terms")
	}
	if _, ok := s.d.(postgres); ok {
		return s.searchPostgres(ctx, userID, tsQuery(terms), cursor(before), pageSize(limit))
	}
	return s.messages(ctx, "search messages", sqliteSearch,
		ftsMatch(terms), cursor(before), userID, userID, pageSize(limit))
}

// searchPostgres is SearchMessages on PostgreSQL (see pgSearchCap).
func (s *Store) searchPostgres(ctx context.Context, userID int64, query string, before int64, limit int) ([]chat.Message, error) {
	var found []int64
	if err := s.selectRead(ctx, &found, postgresMatches, query, before, userID, userID, pgSearchCap); err != nil {
		return nil, s.fail("search messages", err)
	}
	if len(found) == pgSearchCap {
		found = found[:0]
		if err := s.selectRead(ctx, &found, postgresNewest, query, before, userID, userID, limit); err != nil {
			return nil, s.fail("search messages", err)
		}
	}
	slices.SortFunc(found, func(a, b int64) int { return cmp.Compare(b, a) })
	return s.messages(ctx, "search messages", postgresByIDs, pq.Array(found[:min(limit, len(found))]))
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
