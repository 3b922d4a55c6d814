package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"hash/fnv"
	"net/url"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/salachat/sala/backend/internal/chat"
)

// Sequencer is chat.Sequencer on a PostgreSQL session-level advisory lock:
// one lock for every message of the deployment, so batches are committed
// one at a time across the nodes, in id order, and a client's one resume
// cursor (last_id) can never pass a message committed before one it has.
//
// Each turn holds its own connection from a small pool of the Sequencer's,
// so the next batch can wait for its turn while the previous one is being
// published. A node that dies releases its turn with its connection.
//
// The batch is stored on that connection too (turn.Append): PostgreSQL
// reads a session's next message, and so notices that the node is gone and
// drops its locks, only after the statement it runs. A batch whose INSERT
// was on its way when its node died therefore commits (or fails) before
// another node gets the turn. Stored on a connection of its own, it went on
// and committed after the lock was dropped: the next turn's Prev missed it,
// and its messages reached no one.
type Sequencer struct {
	db   *sqlx.DB
	lock string // the turn's query: take the lock, then read Prev
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
	var ns string // database and schema: stores in other schemas never wait for ours
	if err := db.QueryRowContext(ctx, `SELECT current_database() || '.' || current_schema()`).Scan(&ns); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: sequencer: %w: %w", unavailable(), err)
	}
	// Two statements in one round trip: the second's snapshot is taken
	// after the lock, so it sees the commit of the turn before ours.
	lock := fmt.Sprintf("SELECT pg_advisory_lock(%d);\nSELECT COALESCE(max(id), 0) FROM messages", lockKey(ns))
	return &Sequencer{db: db, lock: lock}, nil
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

// lockKey is the advisory lock of the messages of one schema.
func lockKey(ns string) int64 {
	h := fnv.New64a()
	h.Write([]byte("sala sequence " + ns))
	return int64(h.Sum64())
}

// Close releases the pool.
func (q *Sequencer) Close() error { return q.db.Close() }

// Acquire waits for the turn and reads Prev under it.
//
// Each of a turn's calls runs on a goroutine of its own, and the caller
// stops waiting when ctx ends: lib/pq meets a cancelled context by asking
// the same server to cancel the query and waiting on the socket, so against
// a frozen server a call would outlast any deadline. A turn taken after its
// caller gave up is handed back at once; a session whose call was abandoned
// keeps the turn until that call has returned, and is then closed, so the
// next turn begins only once the database is done with this one.
func (q *Sequencer) Acquire(ctx context.Context) (chat.Turn, error) {
	type acquired struct {
		t   *turn
		err error
	}
	done := make(chan acquired, 1)
	go func() {
		t, err := q.acquire(ctx)
		done <- acquired{t, err}
	}()
	a, ok := await(ctx, done)
	if !ok {
		go func() {
			if late := <-done; late.t != nil {
				late.t.discard()
			}
		}()
		return nil, q.fail(ctx.Err())
	}
	if a.err != nil {
		return nil, a.err
	}
	return a.t, nil
}

// acquire takes a session from the pool, the lock on it, and Prev.
func (q *Sequencer) acquire(ctx context.Context) (*turn, error) {
	conn, err := q.db.Connx(ctx)
	if err != nil {
		return nil, q.fail(err)
	}
	t := &turn{conn: conn}
	if err := t.take(ctx, q.lock); err != nil {
		t.discard() // its session ends, and the lock if it took it
		return nil, q.fail(err)
	}
	return t, nil
}

// await waits for done's value until ctx ends; ok is false when ctx ended
// first. A value that is ready when ctx ends is taken all the same: a batch
// that committed is not reported failed.
func await[T any](ctx context.Context, done <-chan T) (v T, ok bool) {
	select {
	case v = <-done:
		return v, true
	case <-ctx.Done():
		select {
		case v = <-done:
			return v, true
		default:
			return v, false
		}
	}
}

func (q *Sequencer) fail(err error) error {
	return fmt.Errorf("store: sequencer: %w: %w", unavailable(), err)
}

// turn is one held Acquire.
type turn struct {
	conn *sqlx.Conn
	once sync.Once
	prev int64
	// abandoned is set by an Append its caller stopped waiting for: it is
	// closed once that call has returned. Release reads it after Append,
	// from the write path's publish loop (the batch's hand-over orders the
	// two).
	abandoned chan struct{}
}

// take runs the turn's query and keeps Prev, the last result's one value.
func (t *turn) take(ctx context.Context, query string) error {
	rows, err := t.conn.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for {
		for rows.Next() {
			var v any // pg_advisory_lock's void, then max(id)
			if err := rows.Scan(&v); err != nil {
				return err
			}
			if id, ok := v.(int64); ok {
				t.prev = id
			}
		}
		if !rows.NextResultSet() {
			return rows.Err()
		}
	}
}

func (t *turn) Prev() int64 { return t.prev }

// Append stores a batch on the turn's session (see append), waiting until
// ctx ends (see Acquire): past it the batch may still commit, and the turn
// stays taken until the database has answered.
func (t *turn) Append(ctx context.Context, batch []chat.NewMessage) ([]chat.Stored, error) {
	type appended struct {
		out []chat.Stored
		err error
	}
	done := make(chan appended, 1)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		out, err := t.append(ctx, batch)
		done <- appended{out, err}
	}()
	a, ok := await(ctx, done)
	if !ok {
		t.abandoned = finished
		return nil, fmt.Errorf("store: append under the turn: %w: %w", unavailable(), ctx.Err())
	}
	return a.out, a.err
}

// append stores a batch as Store.AppendMessages does, on the turn's own
// session (see Sequencer): one statement, so one round trip.
func (t *turn) append(ctx context.Context, batch []chat.NewMessage) ([]chat.Stored, error) {
	if len(batch) == 0 {
		return []chat.Stored{}, nil
	}
	if err := checkBatch(batch); err != nil {
		return nil, err
	}
	var out []chat.Stored
	var err error
	if needsTransaction(batch) {
		out, err = t.appendWithUpdates(ctx, batch)
	} else {
		out, err = insertOverArrays(ctx, t.conn, batch, func(rows *[]insertedRow, args ...any) error {
			return t.conn.SelectContext(ctx, rows, arrayInsertQuery, args...)
		})
	}
	if err != nil {
		return nil, appendFailed(postgres{}, err)
	}
	return out, nil
}

// appendWithUpdates stores a batch that needs a transaction (see
// needsTransaction) in one transaction on the turn's session: a node that
// dies before COMMIT leaves nothing, and the turn passes on only once the
// transaction has ended either way.
func (t *turn) appendWithUpdates(ctx context.Context, batch []chat.NewMessage) ([]chat.Stored, error) {
	tx, err := t.conn.BeginTxx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	out, err := insertOverArrays(ctx, tx, batch, func(rows *[]insertedRow, args ...any) error {
		return tx.SelectContext(ctx, rows, arrayInsertQuery, args...)
	})
	if err != nil {
		return nil, err
	}
	if err := writeItemRows(ctx, tx, batch, out); err != nil {
		return nil, err
	}
	return out, tx.Commit()
}

// Release ends the turn without waiting for the database: it unlocks and
// gives the connection back on a goroutine of its own, and the next turn,
// on another session, waits for the lock in PostgreSQL. A connection that
// can't unlock is closed, which unlocks too. A session whose Append was
// abandoned is closed once that call has returned: until then the turn
// stays taken. So a frozen database holds up the turn, never the write
// path's goroutines, which answer their senders at their deadline.
func (t *turn) Release() {
	t.once.Do(func() {
		abandoned := t.abandoned
		go func() {
			if abandoned != nil {
				<-abandoned
				t.discard()
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if _, err := t.conn.ExecContext(ctx, `SELECT pg_advisory_unlock_all()`); err != nil {
				t.discard()
				return
			}
			t.conn.Close()
		}()
	})
}

// discard closes the session itself: PostgreSQL drops its locks with it.
func (t *turn) discard() {
	_ = t.conn.Raw(func(any) error { return driver.ErrBadConn })
	t.conn.Close()
}
