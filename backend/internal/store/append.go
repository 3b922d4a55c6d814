package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/salachat/sala/backend/internal/chat"
)

// maxRowsPerStatement keeps a multi-row statement (SQLite's; PostgreSQL's
// batch is one statement over arrays) well under SQLite's parameter limit of
// 32766 at 13 parameters a row. It is a power of two: see insertStatements.
const (
	maxChunkExp         = 8
	maxRowsPerStatement = 1 << maxChunkExp
)

// clientKey is what makes a message idempotent: its sender's client id.
type clientKey struct {
	sender int64
	client string
}

// insertedRow is a row an INSERT … RETURNING reports.
type insertedRow struct {
	ID       int64          `db:"id"`
	SenderID int64          `db:"sender_id"`
	ClientID sql.NullString `db:"client_id"`
}

// AppendMessages stores a batch atomically and returns one Stored per input,
// in input order; new rows get increasing ids in that order. The group
// commit writer calls it with up to a few thousand messages. The batch goes
// in as one INSERT over arrays on PostgreSQL and as multi-row INSERTs in a
// transaction on SQLite (see dialect.arrayInserts); either way rows whose
// client id was already stored are skipped, and the skipped inputs are then
// resolved to the rows they repeat.
func (s *Store) AppendMessages(ctx context.Context, batch []chat.NewMessage) ([]chat.Stored, error) {
	if len(batch) == 0 {
		return []chat.Stored{}, nil
	}
	if err := checkBatch(batch); err != nil {
		return nil, err
	}
	var out []chat.Stored
	var err error
	if s.d.arrayInserts() {
		out, err = s.appendOverArrays(ctx, batch)
	} else {
		out, err = s.appendInChunks(ctx, batch)
	}
	if err != nil {
		return nil, appendFailed(s.d, err)
	}
	return out, nil
}

// checkBatch refuses a message that is neither a room's nor a private one.
func checkBatch(batch []chat.NewMessage) error {
	for i, m := range batch {
		if (m.RoomID == nil) == (m.RecipientID == nil) {
			return fmt.Errorf("store: append messages: message %d needs exactly one of room and recipient", i)
		}
		if (kindOf(m) == chat.KindMessage) != (m.TargetID == nil) {
			return fmt.Errorf("store: append messages: item %d: an update, and only an update, has a target", i)
		}
	}
	return nil
}

// hasUpdates reports whether a batch holds an update, which changes its
// message in the batch's transaction.
func hasUpdates(batch []chat.NewMessage) bool {
	return slices.ContainsFunc(batch, func(m chat.NewMessage) bool { return m.TargetID != nil })
}

// needsTransaction reports whether a batch writes more than its messages'
// rows (attachments, updates, mentions: see writeItemRows), so that its
// INSERT and those writes go in one transaction.
func needsTransaction(batch []chat.NewMessage) bool {
	return hasUpdates(batch) || hasAttachments(batch) || hasMentions(batch)
}

// writeItemRows writes what a stored batch brings beside its messages' rows,
// in the batch's transaction: the attachments of its new messages, its
// updates applied to their messages, and the mention rows of its new
// messages. Every append path ends with it.
func writeItemRows(ctx context.Context, tx execQuerier, batch []chat.NewMessage, out []chat.Stored) error {
	if err := storeAttachments(ctx, tx, batch, out); err != nil {
		return err
	}
	if err := applyUpdates(ctx, tx, out); err != nil {
		return err
	}
	return insertMentions(ctx, tx, out)
}

// appendFailed is the error of a batch that did not go in. Rooms are never
// removed, so a missing reference is a user deleted since the caller looked
// it up: the whole batch fails with it.
func appendFailed(d dialect, err error) error {
	gone := chat.Errorf(chat.EUserNotFound, "the sender or recipient of a message does not exist")
	return failConstraintOn(d, "append messages", err, nil, gone)
}

// appendInChunks stores a batch in one transaction, each chunk of it one
// multi-row INSERT.
func (s *Store) appendInChunks(ctx context.Context, batch []chat.NewMessage) ([]chat.Stored, error) {
	// The statements are prepared before the transaction takes the
	// connection: SQLite's writer pool has only that one.
	inserts, err := s.insertStatements(ctx, len(batch))
	if err != nil {
		return nil, err
	}
	var out []chat.Stored
	err = s.inWriteTx(ctx, func(tx *sqlx.Tx) (err error) {
		var rows []insertedRow
		for rest := batch; len(rest) > 0; {
			e := chunkExp(len(rest))
			n := 1 << e
			chunk, err := insertChunk(ctx, tx.StmtxContext(ctx, inserts[e]), rest[:n])
			if err != nil {
				return err
			}
			rows = append(rows, chunk...)
			rest = rest[n:]
		}
		if out, err = resolveInserted(ctx, tx, batch, rows); err != nil {
			return err
		}
		return writeItemRows(ctx, tx, batch, out)
	})
	return out, err
}

// querier is a transaction or a pool: where resolveInserted reads.
type querier interface {
	sqlx.QueryerContext
	Rebind(query string) string
}

// resolveInserted pairs a batch with the rows its INSERTs reported: one
// Stored per input, a skipped client id resolved to the row it repeats
// (earlier in the batch, or read from q).
func resolveInserted(ctx context.Context, q querier, batch []chat.NewMessage, rows []insertedRow) ([]chat.Stored, error) {
	inserted := make(map[clientKey]int64)
	var anonymous []int64 // ids of the rows without a client id
	for _, r := range rows {
		if r.ClientID.Valid {
			inserted[clientKey{r.SenderID, r.ClientID.String}] = r.ID
		} else {
			anonymous = append(anonymous, r.ID)
		}
	}
	// Rows are numbered in input order, but RETURNING promises no order:
	// sorted ids line up with the inputs that have no client id.
	slices.Sort(anonymous)

	out := make([]chat.Stored, len(batch))
	first := make(map[clientKey]int) // input index of each client id's first use
	for i, m := range batch {
		if m.ClientID == "" {
			if len(anonymous) == 0 {
				return nil, errors.New("fewer rows inserted than messages without client id")
			}
			out[i] = chat.Stored{Message: newMessage(anonymous[0], m)}
			anonymous = anonymous[1:]
			continue
		}
		k := clientKey{m.SenderID, m.ClientID}
		if j, ok := first[k]; ok { // repeated within this batch
			out[i] = chat.Stored{Message: out[j].Message, Duplicate: true}
			continue
		}
		first[k] = i
		if id, ok := inserted[k]; ok {
			out[i] = chat.Stored{Message: newMessage(id, m)}
			continue
		}
		earlier, err := messageByClientID(ctx, q, k)
		if err != nil {
			return nil, err
		}
		out[i] = chat.Stored{Message: earlier, Duplicate: true}
	}
	return out, nil
}

// chunkExp is the exponent of how many of n messages the next INSERT
// takes: the largest power of two that fits (see insertStatements).
func chunkExp(n int) int {
	return bits.Len(uint(min(n, maxRowsPerStatement))) - 1
}

// insertStmts holds, at index e, the prepared INSERT of 1<<e rows.
type insertStmts [maxChunkExp + 1]*sqlx.Stmt

// insertStatements returns the prepared INSERTs a batch of n messages
// needs. Parsing the SQL of a multi-row INSERT anew for every batch was a
// fifth of the commit loop's CPU, so each is prepared once. Chunks have a
// power of two of rows (a batch of 7 is 4 + 2 + 1), so there are at most
// nine statements to keep, and their texts are written once.
func (s *Store) insertStatements(ctx context.Context, n int) (*insertStmts, error) {
	s.insertSQL.once.Do(func() {
		for e := range s.insertSQL.text {
			s.insertSQL.text[e] = insertQuery(s.w, 1<<e)
		}
	})
	var out insertStmts
	for ; n > 0; n -= 1 << chunkExp(n) {
		e := chunkExp(n)
		if out[e] != nil {
			continue
		}
		st, err := s.writes.get(ctx, s.w, s.insertSQL.text[e])
		if err != nil {
			return nil, err
		}
		out[e] = st
	}
	return &out, nil
}

// insertChunk inserts messages with st, the INSERT of that many rows. ON
// CONFLICT DO NOTHING skips a client id its sender already used, before or
// earlier in the chunk; RETURNING names the rows that went in.
func insertChunk(ctx context.Context, st *sqlx.Stmt, chunk []chat.NewMessage) ([]insertedRow, error) {
	args := make([]any, 0, len(chunk)*13)
	for _, m := range chunk {
		var lo, hi, clientID any // NULL unless set below
		if m.RecipientID != nil {
			lo, hi = pairOf(m)
		}
		if m.ClientID != "" {
			clientID = m.ClientID
		}
		args = append(args, m.RoomID, m.SenderID, m.RecipientID, lo, hi, m.Text, m.SentAt, clientID,
			deliveredOnStore(m), kindOf(m), m.TargetID, m.ReplyTo, chat.Logins(m.Mentions))
	}
	rows := make([]insertedRow, 0, len(chunk))
	err := st.SelectContext(ctx, &rows, args...)
	return rows, err
}

// pairOf is a private message's pair_lo and pair_hi: its two users, the
// lower id first, so that both directions of a thread share one index range.
func pairOf(m chat.NewMessage) (lo, hi int64) {
	return min(m.SenderID, *m.RecipientID), max(m.SenderID, *m.RecipientID)
}

// deliveredOnStore is a new message's delivered column, which nothing reads
// any more: a private message counts as delivered up to its recipient's
// receipt (users.receipt).
func deliveredOnStore(m chat.NewMessage) bool { return m.RecipientID == nil }

// insertQuery is the INSERT of n messages, in db's placeholders.
func insertQuery(db *sqlx.DB, n int) string {
	const row = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	var q strings.Builder
	q.Grow(200 + n*(len(row)+2))
	q.WriteString(`INSERT INTO messages
		(room_id, sender_id, recipient_id, pair_lo, pair_hi, text, sent_at, client_id, delivered,
		kind, target_id, reply_to, mentions) VALUES `)
	for i := range n {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(row)
	}
	q.WriteString(` ON CONFLICT (sender_id, client_id) DO NOTHING RETURNING id, sender_id, client_id`)
	return db.Rebind(q.String())
}

// messageByClientID reads the stored message a repeated client id refers to.
func messageByClientID(ctx context.Context, q querier, k clientKey) (chat.Message, error) {
	var m chat.Message
	if err := sqlx.GetContext(ctx, q, &m, q.Rebind(selectMessages+`
		WHERE m.sender_id = ? AND m.client_id = ?`), k.sender, k.client); err != nil {
		return m, err
	}
	one := []chat.Message{m}
	err := withAttachments(ctx, q, one)
	return one[0], err
}

// newMessage is the stored form of a new message, built from the names the
// caller passed in rather than read back.
func newMessage(id int64, m chat.NewMessage) chat.Message {
	out := chat.Message{ID: id, RoomID: copyID(m.RoomID), Room: m.Room,
		SenderID: m.SenderID, From: m.From, RecipientID: copyID(m.RecipientID), To: m.To,
		Text: m.Text, SentAt: m.SentAt, ClientID: m.ClientID,
		Kind: kindOf(m), TargetID: copyID(m.TargetID), ReplyTo: copyID(m.ReplyTo),
		Mentions: chat.Logins(m.Mentions), MentionIDs: m.MentionIDs, Attachments: m.Attachments}
	if m.ReplyTo != nil {
		out.ReplyFrom, out.ReplyText = m.ReplyFrom, chat.Snippet(m.ReplyText)
	}
	return out
}

// kindOf is the stored kind of a new item: a message unless it says.
func kindOf(m chat.NewMessage) string {
	if m.Kind == "" {
		return chat.KindMessage
	}
	return m.Kind
}

func copyID(p *int64) *int64 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
