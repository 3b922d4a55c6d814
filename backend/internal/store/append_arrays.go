package store

import (
	"context"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/salachat/sala/backend/internal/chat"
)

// arrayInsertQuery stores a whole batch in one statement: each column
// arrives as one array, unnest turns the arrays back into rows, and the
// statement is its own transaction. A batch is thus one round trip to the
// server, where VALUES chunks in a transaction took BEGIN, COMMIT and one
// per power-of-two chunk (nine for 1,200 messages). Each round trip waits
// for the busy server's scheduler to notice the reply, and over a network
// for the network too (S5 on PostgreSQL, docs/performance.md).
//
// Rows go in ordinality order, so ids follow the input as they do for
// VALUES. Arrays of ids carry 0, and of client ids "", for NULL: ids are
// positive and an empty client id is no client id.
const arrayInsertQuery = `INSERT INTO messages
		(room_id, sender_id, recipient_id, pair_lo, pair_hi, text, sent_at, client_id, delivered,
		kind, target_id, reply_to, mentions)
	SELECT NULLIF(room_id, 0), sender_id, NULLIF(recipient_id, 0), NULLIF(pair_lo, 0), NULLIF(pair_hi, 0),
		text, sent_at, NULLIF(client_id, ''), delivered, kind, NULLIF(target_id, 0), NULLIF(reply_to, 0), mentions
	FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[],
			$6::text[], $7::bigint[], $8::text[], $9::boolean[], $10::text[], $11::bigint[], $12::bigint[], $13::text[])
		WITH ORDINALITY AS m(room_id, sender_id, recipient_id, pair_lo, pair_hi, text, sent_at, client_id, delivered,
			kind, target_id, reply_to, mentions, n)
	ORDER BY n
	ON CONFLICT (sender_id, client_id) DO NOTHING
	RETURNING id, sender_id, client_id`

// messageColumns is a batch as arrayInsertQuery's arguments.
type messageColumns struct {
	rooms, senders, recipients, pairLo, pairHi, sentAt pq.Int64Array
	targets, replies                                   pq.Int64Array
	texts, clientIDs, kinds, mentions                  pq.StringArray
	delivered                                          pq.BoolArray
}

func columnsOf(batch []chat.NewMessage) *messageColumns {
	n := len(batch)
	c := &messageColumns{
		rooms: make(pq.Int64Array, n), senders: make(pq.Int64Array, n), recipients: make(pq.Int64Array, n),
		pairLo: make(pq.Int64Array, n), pairHi: make(pq.Int64Array, n), sentAt: make(pq.Int64Array, n),
		texts: make(pq.StringArray, n), clientIDs: make(pq.StringArray, n), delivered: make(pq.BoolArray, n),
		targets: make(pq.Int64Array, n), replies: make(pq.Int64Array, n), kinds: make(pq.StringArray, n),
		mentions: make(pq.StringArray, n),
	}
	for i, m := range batch {
		if m.RoomID != nil {
			c.rooms[i] = *m.RoomID
		}
		c.senders[i] = m.SenderID
		if m.RecipientID != nil {
			c.recipients[i] = *m.RecipientID
			c.pairLo[i], c.pairHi[i] = pairOf(m)
		}
		c.texts[i], c.sentAt[i], c.clientIDs[i] = m.Text, m.SentAt, m.ClientID
		c.delivered[i] = deliveredOnStore(m)
		c.kinds[i] = kindOf(m)
		c.mentions[i] = strings.Join(m.Mentions, " ")
		if m.TargetID != nil {
			c.targets[i] = *m.TargetID
		}
		if m.ReplyTo != nil {
			c.replies[i] = *m.ReplyTo
		}
	}
	return c
}

// appendOverArrays stores a batch with arrayInsertQuery, prepared once on
// the pool. A batch with updates, attachments or mentions is a
// transaction: the INSERT, then the attachments, the updates applied to
// their messages and the mentions stored.
func (s *Store) appendOverArrays(ctx context.Context, batch []chat.NewMessage) ([]chat.Stored, error) {
	st, err := s.writes.get(ctx, s.w, arrayInsertQuery)
	if err != nil {
		return nil, err
	}
	if !needsTransaction(batch) {
		return insertOverArrays(ctx, s.w, batch, func(rows *[]insertedRow, args ...any) error {
			return st.SelectContext(ctx, rows, args...)
		})
	}
	var out []chat.Stored
	err = s.inWriteTx(ctx, func(tx *sqlx.Tx) error {
		out, err = insertOverArrays(ctx, tx, batch, func(rows *[]insertedRow, args ...any) error {
			return tx.StmtxContext(ctx, st).SelectContext(ctx, rows, args...)
		})
		if err != nil {
			return err
		}
		return writeItemRows(ctx, tx, batch, out)
	})
	return out, err
}

// insertOverArrays runs arrayInsertQuery with run, then resolves with q the
// client ids already stored: those rows were committed before the INSERT
// skipped them.
func insertOverArrays(ctx context.Context, q querier, batch []chat.NewMessage,
	run func(rows *[]insertedRow, args ...any) error) ([]chat.Stored, error) {
	c := columnsOf(batch)
	rows := make([]insertedRow, 0, len(batch))
	if err := run(&rows, c.rooms, c.senders, c.recipients, c.pairLo, c.pairHi,
		c.texts, c.sentAt, c.clientIDs, c.delivered, c.kinds, c.targets, c.replies, c.mentions); err != nil {
		return nil, err
	}
	return resolveInserted(ctx, q, batch, rows)
}
