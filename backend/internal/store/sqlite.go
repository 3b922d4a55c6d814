package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// sqliteDialect is the SQLite dialect (modernc.org/sqlite, pure Go).
type sqliteDialect struct{}

// sqliteDSN is the driver's DSN for path. The pragmas go in the DSN so that
// every pooled connection gets them, not only the first:
//   - WAL lets readers run while the writer writes;
//   - synchronous=FULL syncs every commit: an acknowledged message is durable;
//   - busy_timeout covers locks taken by other processes (a backup, sqlite3);
//   - _txlock=immediate takes the write lock at BEGIN, never halfway through;
//   - _time_format=sqlite writes times in a format SQLite and the driver parse;
//   - the writer's page cache is 32 MiB (the default is 2 MiB): a group
//     commit of thousands of messages dirties more pages than 2 MiB holds,
//     and SQLite then spilled them into the WAL halfway through the
//     transaction and read the busy rooms' index pages back with a system
//     call each (S5, docs/performance.md);
//   - temp_store=memory keeps the writer's statement journal (a multi-row
//     INSERT that fails halfway is undone from it) out of a temporary file;
//   - the writer checkpoints by itself only past writerCheckpointPages (see
//     checkpointer).
func sqliteDSN(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_time_format", "sqlite")
	if readOnly {
		// Catches a write sent to the read pool by mistake.
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
		q.Add("_pragma", "cache_size(-32768)") // KiB
		q.Add("_pragma", "temp_store(MEMORY)")
		q.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", writerCheckpointPages))
	}
	return path + "?" + q.Encode()
}

// openSQLite opens the file at path with two pools: a single-connection one
// for writes, so that concurrent writers queue in Go rather than meet
// SQLITE_BUSY (dendrite's exclusive writer, with database/sql as the queue),
// and a wider one for reads.
func openSQLite(ctx context.Context, path string) (*Store, error) {
	w, err := sqlx.Open("sqlite", sqliteDSN(path, false))
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	s := &Store{r: w, w: w, d: sqliteDialect{}, health: &writeHealth{now: time.Now}}
	// The writer connects first: it creates the file and switches it to WAL
	// before any reader opens it.
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, s.fail("open sqlite", err)
	}
	r, err := sqlx.Open("sqlite", sqliteDSN(path, true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	n := max(4, runtime.NumCPU())
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	s.r, s.readIdle = r, n
	if s.checkpoints, err = startCheckpoints(path); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// checkpointEvery is how often the checkpointer copies the WAL into the
// database (see checkpointer).
const checkpointEvery = 100 * time.Millisecond

// writerCheckpointPages is the WAL size (80 MiB in 4 KiB pages) past which
// a commit checkpoints by itself: only if the checkpointer falls far behind.
const writerCheckpointPages = 20000

// checkpointer copies committed pages from the WAL into the database file on
// a connection of its own, beside the writer.
//
// SQLite's default is that the commit taking the WAL past 1000 pages runs
// the checkpoint itself. As the database grows, the pages a checkpoint copies
// are more scattered, and that commit stalled every message queued behind
// it: S2's p99 over two minutes was 16–21 ms. A PASSIVE checkpoint does not
// block the writer, so run every 100 ms it keeps the WAL small.
//
// The writer's own checkpoint stays as a backstop, but only past
// writerCheckpointPages: a group commit of thousands of messages dirties more
// than 1000 pages by itself, and at the default every such commit copied its
// pages into the database file before it could ack them, each time anew,
// where the checkpointer copies a page rewritten by several commits once.
// BenchmarkAppendBusyRooms (batches of 1000 messages from 2,000 senders,
// pinned to one core): 35–43 µs a message this way, 48–53 with the default.
type checkpointer struct {
	db   *sql.DB
	stop context.CancelFunc
	done chan struct{}
}

func startCheckpoints(path string) (*checkpointer, error) {
	db, err := sql.Open("sqlite", sqliteDSN(path, false))
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite checkpointer: %w", err)
	}
	db.SetMaxOpenConns(1)
	ctx, cancel := context.WithCancel(context.Background())
	c := &checkpointer{db: db, stop: cancel, done: make(chan struct{})}
	go c.run(ctx)
	return c, nil
}

func (c *checkpointer) run(ctx context.Context) {
	defer close(c.done)
	tick := time.NewTicker(checkpointEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			// Busy (another checkpoint runs) or failing, the next tick
			// tries again, and the writer's own checkpoint is the backstop.
			_, _ = c.db.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)")
		}
	}
}

func (c *checkpointer) close() error {
	if c == nil {
		return nil
	}
	c.stop()
	<-c.done
	return c.db.Close()
}

func (sqliteDialect) migrations(context.Context, *sql.DB) (goose.Dialect, fs.FS, []goose.ProviderOption, error) {
	fsys, err := fs.Sub(migrationFiles, "migrations/sqlite")
	// One process owns a SQLite file and migrates it on its single write
	// connection, so no lock is needed.
	return goose.DialectSQLite3, fsys, nil, err
}

// arrayInserts is false: SQLite runs in process, so a statement costs no
// round trip, and it has no array parameters (one INSERT over json_each
// measured no faster than the chunks).
func (sqliteDialect) arrayInserts() bool { return false }

// classify reads modernc.org/sqlite errors by their (extended) result code.
func (sqliteDialect) classify(err error) errKind {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return errOther
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return errUnique
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return errForeignKey
	}
	switch e.Code() & 0xff { // the primary result code
	case sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY:
		return errRefused
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_CANTOPEN:
		return errUnavailable
	}
	return errOther
}
