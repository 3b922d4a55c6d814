package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/salachat/sala/backend/internal/chat"
)

// Sequencer is chat.Sequencer on PostgreSQL session-level advisory locks.
//
// A batch of room messages takes the "messages" lock shared, then the lock
// of each of its rooms exclusively, in ascending key order; a batch with
// private messages takes the "messages" lock exclusively, which covers every
// room and user. Everyone takes "messages" first and rooms in one order, so
// turns can't deadlock. Private messages serialise against everything: a
// client sees its room's messages and its private ones interleaved in id
// order, which its resume cursor (one last_id for both) relies on.
//
// Each turn holds its own connection from a small pool of the Sequencer's,
// so the next batch can wait for its turn while the previous one is being
// published. A node that dies releases its turns with its connections.
//
// The batch is stored on that connection too (turn.Append): PostgreSQL
// reads a session's next message, and so notices that the node is gone and
// drops its locks, only after the statement it runs. A batch whose INSERT
// was on its way when its node died therefore commits (or fails) before
// another node gets the turn. Stored on a connection of its own, it went on
// and committed after the locks were dropped: the next turn's latest ids
// missed it, and its messages reached no one.
type Sequencer struct {
	db     *sqlx.DB
	ns     string // database and schema: stores in other schemas never wait for ours
	global int64
}

var _ chat.Sequencer = (*Sequencer)(nil)

// OpenSequencer opens the sequencer of the PostgreSQL database at
// databaseURL (the URL the store was opened with). SQLite has no other
// nodes to order against: it returns an error for it.
func OpenSequencer(ctx context.Context, databaseURL string) (*Sequencer, error) {
	t, err := parseTarget(databaseURL, "")
	if err != nil {
		return nil, err
	}
	if t.kind != kindPostgres {
		return nil, fmt.Errorf("store: several nodes need PostgreSQL, not %s", Describe(databaseURL, ""))
	}
	// A node that vanishes from the network keeps its turns until
	// PostgreSQL notices: keepalives on these sessions bound that to ~20 s.
	// Binary parameters make a statement with arguments (a batch's INSERT)
	// one round trip, as the store's prepared statement is.
	dsn, err := withParams(t.url, map[string]string{
		"tcp_keepalives_idle": "10", "tcp_keepalives_interval": "5", "tcp_keepalives_count": "2",
		"application_name": "sala-sequencer", "binary_parameters": "yes"})
	if err != nil {
		return nil, err
	}
	connector, err := pq.NewConnector(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: postgres URL: %w", err)
	}
	db := sqlx.NewDb(sql.OpenDB(connector), "postgres")
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	q := &Sequencer{db: db}
	if err := db.QueryRowContext(ctx, `SELECT current_database() || '.' || current_schema()`).Scan(&q.ns); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: sequencer: %w: %w", unavailable(), err)
	}
	q.global = q.key('m', 0)
	return q, nil
}

func withParams(rawURL string, params map[string]string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("store: postgres URL: %w", err)
	}
	v := u.Query()
	for k, p := range params {
		if !v.Has(k) {
			v.Set(k, p)
		}
	}
	u.RawQuery = v.Encode()
	return u.String(), nil
}

// key is the advisory lock of a room ('r'), or of all messages ('m').
func (q *Sequencer) key(kind byte, id int64) int64 {
	h := fnv.New64a()
	h.Write([]byte("sala sequence " + q.ns))
	var b [9]byte
	b[0] = kind
	binary.BigEndian.PutUint64(b[1:], uint64(id))
	h.Write(b[:])
	return int64(h.Sum64())
}

// Close releases the pool.
func (q *Sequencer) Close() error { return q.db.Close() }

// Acquire waits for the turn of rooms and users (see Sequencer) and reads
// the latest id committed in each, after the turn is taken.
func (q *Sequencer) Acquire(ctx context.Context, rooms, users []int64) (chat.Sequence, error) {
	conn, err := q.db.Connx(ctx)
	if err != nil {
		return nil, q.fail(err)
	}
	t := &turn{conn: conn}
	if err := t.take(ctx, q.turnSQL(rooms, users)); err != nil {
		t.discard() // its session ends, and any lock it took with it
		return nil, q.fail(err)
	}
	return t, nil
}

// turnSQL is the one round trip of a turn: a DO block takes the locks one
// after the other, "messages" first, then the rooms in ascending key order;
// then a statement of its own reads the latest ids. Its snapshot is taken
// after the locks, so it sees the commit of the turn before ours. The
// statements carry only numbers, written in the text: there are no
// parameters, so both travel in one simple query.
func (q *Sequencer) turnSQL(rooms, users []int64) string {
	var b strings.Builder
	b.WriteString("DO $$BEGIN ")
	if len(users) > 0 {
		fmt.Fprintf(&b, "PERFORM pg_advisory_lock(%d); ", q.global)
	} else {
		fmt.Fprintf(&b, "PERFORM pg_advisory_lock_shared(%d); ", q.global)
		keys := make([]int64, len(rooms))
		for i, r := range rooms {
			keys[i] = q.key('r', r)
		}
		slices.Sort(keys)
		for _, k := range slices.Compact(keys) {
			fmt.Fprintf(&b, "PERFORM pg_advisory_lock(%d); ", k)
		}
	}
	b.WriteString("END$$;\n")
	fmt.Fprintf(&b, `SELECT 'r', r, COALESCE((SELECT max(m.id) FROM messages m WHERE m.room_id = r), 0)
		FROM unnest(%s) AS r
		UNION ALL
		SELECT 'u', u, GREATEST(
			COALESCE((SELECT max(m.id) FROM messages m WHERE m.recipient_id = u), 0),
			COALESCE((SELECT max(m.id) FROM messages m WHERE m.sender_id = u AND m.recipient_id IS NOT NULL), 0))
		FROM unnest(%s) AS u
		UNION ALL
		SELECT 'p', 0, COALESCE((SELECT max(m.id) FROM messages m WHERE m.recipient_id IS NOT NULL), 0)`,
		bigints(rooms), bigints(users))
	return b.String()
}

// bigints writes ids as an SQL array literal.
func bigints(ids []int64) string {
	var b strings.Builder
	b.WriteString("ARRAY[")
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	b.WriteString("]::bigint[]")
	return b.String()
}

func (q *Sequencer) fail(err error) error {
	return fmt.Errorf("store: sequencer: %w: %w", unavailable(), err)
}

// turn is one held Acquire.
type turn struct {
	conn     *sqlx.Conn
	once     sync.Once
	roomPrev map[int64]int64
	userPrev map[int64]int64
	privPrev int64
}

// take runs turnSQL and keeps the latest ids it read.
func (t *turn) take(ctx context.Context, query string) error {
	rows, err := t.conn.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	t.roomPrev, t.userPrev = map[int64]int64{}, map[int64]int64{}
	for {
		for rows.Next() {
			var kind string
			var id, last int64
			if err := rows.Scan(&kind, &id, &last); err != nil {
				return err
			}
			switch kind {
			case "r":
				t.roomPrev[id] = last
			case "u":
				t.userPrev[id] = last
			default:
				t.privPrev = last
			}
		}
		if !rows.NextResultSet() {
			return rows.Err()
		}
	}
}

func (t *turn) RoomPrev() map[int64]int64 { return t.roomPrev }
func (t *turn) UserPrev() map[int64]int64 { return t.userPrev }
func (t *turn) PrivPrev() int64           { return t.privPrev }

// Append stores a batch as Store.AppendMessages does, on the turn's own
// session (see Sequencer): one statement, so one round trip.
func (t *turn) Append(ctx context.Context, batch []chat.NewMessage) ([]chat.Stored, error) {
	if len(batch) == 0 {
		return []chat.Stored{}, nil
	}
	if err := checkBatch(batch); err != nil {
		return nil, err
	}
	out, err := insertOverArrays(ctx, t.conn, batch, func(rows *[]insertedRow, args ...any) error {
		return t.conn.SelectContext(ctx, rows, arrayInsertQuery, args...)
	})
	if err != nil {
		return nil, appendFailed(postgres{}, err)
	}
	return out, nil
}

// Release unlocks and gives the connection back; a connection that can't
// unlock is closed, which unlocks too.
func (t *turn) Release() {
	t.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := t.conn.ExecContext(ctx, `SELECT pg_advisory_unlock_all()`); err != nil {
			t.discard()
			return
		}
		t.conn.Close()
	})
}

// discard closes the session itself: PostgreSQL drops its locks with it.
func (t *turn) discard() {
	_ = t.conn.Raw(func(any) error { return driver.ErrBadConn })
	t.conn.Close()
}
