// Package store implements chat.Store on PostgreSQL and SQLite with sqlx.
//
// The two databases share one implementation and, wherever the SQL is the
// same, one query text (written with ? placeholders and rebound for
// PostgreSQL). What differs lives in a dialect: how a database is opened and
// pooled (SQLite serialises writes through a single connection), its embedded
// goose migrations (migrations/<dialect>/*.sql) and how its driver errors map
// to chat error codes. Open picks the dialect from the database URL.
package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/salachat/sala/backend/internal/chat"
)

// Store is chat.Store on a SQL database.
type Store struct {
	// r serves reads and w serves writes. They are the same pool on
	// PostgreSQL; on SQLite w holds a single connection, so writers queue in
	// Go instead of failing with SQLITE_BUSY, while readers run beside them
	// thanks to WAL.
	r, w   *sqlx.DB
	d      dialect
	reads  stmtCache // prepared statements of the hot reads, on r
	writes stmtCache // prepared statements of the message inserts, on w
	// insertSQL is the text of the INSERT of 1<<e messages at index e,
	// written on first use (see insertStatements).
	insertSQL struct {
		once sync.Once
		text [maxChunkExp + 1]string
	}
	checkpoints *checkpointer // SQLite's; nil on PostgreSQL
	readIdle    int           // idle connections r keeps (see dropIdle)
	health      *writeHealth
}

var _ chat.Store = (*Store)(nil)

// Open connects to the database named by databaseURL, brings its schema up
// to date and returns the store:
//
//   - "" is SQLite at <dataDir>/sala.db, dataDir created (0700) if missing;
//   - postgres://… or postgresql://… is PostgreSQL (lib/pq URL syntax);
//   - sqlite://PATH or file:PATH is SQLite at PATH.
//
// A database that cannot be reached gives an error whose chat code is
// unavailable. Every call on the store gives up after timeout (0:
// DefaultTimeout) with unavailable, however stuck the database is.
func Open(ctx context.Context, databaseURL, dataDir string, timeout time.Duration) (chat.Store, error) {
	s, err := open(ctx, databaseURL, dataDir)
	if err != nil {
		return nil, err
	}
	if _, err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &deadlined{s: s, timeout: timeout}, nil
}

// Migrate applies the pending migrations of the database named as in Open
// and returns the names of the ones it applied; `sala migrate` runs it alone.
func Migrate(ctx context.Context, databaseURL, dataDir string) ([]string, error) {
	s, err := open(ctx, databaseURL, dataDir)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return s.migrate(ctx)
}

// Describe names the database of databaseURL for logs, without its password.
func Describe(databaseURL, dataDir string) string {
	t, err := parseTarget(databaseURL, dataDir)
	if err != nil {
		return "invalid database URL"
	}
	if t.kind == kindSQLite {
		return "sqlite " + t.path
	}
	u, err := url.Parse(t.url)
	if err != nil {
		return "postgres"
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return "postgres " + u.Redacted()
}

// IsPostgres reports whether databaseURL names a PostgreSQL database (an
// empty URL is SQLite in the data directory).
func IsPostgres(databaseURL string) bool {
	t, err := parseTarget(databaseURL, "-")
	return err == nil && t.kind == kindPostgres
}

type dbKind int

const (
	kindSQLite dbKind = iota + 1
	kindPostgres
)

// target is a parsed database URL.
type target struct {
	kind dbKind
	url  string // PostgreSQL connection URL
	path string // SQLite file
}

func parseTarget(databaseURL, dataDir string) (target, error) {
	switch {
	case databaseURL == "":
		if dataDir == "" {
			return target{}, errors.New("store: no database URL and no data directory")
		}
		return target{kind: kindSQLite, path: filepath.Join(dataDir, "sala.db")}, nil
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		return target{kind: kindPostgres, url: databaseURL}, nil
	case strings.HasPrefix(databaseURL, "sqlite://"), strings.HasPrefix(databaseURL, "file:"):
		path := strings.TrimPrefix(strings.TrimPrefix(databaseURL, "sqlite://"), "file:")
		// The driver reads its options from the query string, so a path of
		// ours cannot carry one.
		if path == "" || strings.ContainsAny(path, "?#") {
			return target{}, fmt.Errorf("store: SQLite URL %q: want sqlite://PATH without '?' or '#'", databaseURL)
		}
		return target{kind: kindSQLite, path: path}, nil
	}
	return target{}, errors.New("store: the database URL must start with postgres://, postgresql://, sqlite:// or file")
}

func open(ctx context.Context, databaseURL, dataDir string) (*Store, error) {
	t, err := parseTarget(databaseURL, dataDir)
	if err != nil {
		return nil, err
	}
	if t.kind == kindPostgres {
		return openPostgres(ctx, t.url)
	}
	if err := os.MkdirAll(filepath.Dir(t.path), 0o700); err != nil {
		return nil, fmt.Errorf("store: create data directory: %w", err)
	}
	return openSQLite(ctx, t.path)
}

// Ping checks that the database answers; unavailable when it does not, or
// when it refuses writes: the last write failed for want of the database
// (see writeHealth), and the reason is in the error's message.
//
// A failed ping is tried once more before the answer is no. After the
// server ended the pool's sessions (a restart, pg_terminate_backend) while
// staying up, the first ping finds a dead idle connection and lib/pq reports
// the server's goodbye, which database/sql does not retry. The pool's idle
// connections are all suspect then, so they are let go before the second
// ping, which dials afresh.
func (s *Store) Ping(ctx context.Context) error {
	err := s.r.PingContext(ctx)
	if err != nil && ctx.Err() == nil {
		s.dropIdle()
		err = s.r.PingContext(ctx)
	}
	if err != nil {
		return s.fail("ping", err)
	}
	return s.health.check()
}

// dropIdle closes the idle connections of the read pool, which keeps
// readIdle of them again from then on.
func (s *Store) dropIdle() {
	s.r.SetMaxIdleConns(0)
	s.r.SetMaxIdleConns(s.readIdle)
}

// Close releases the database.
func (s *Store) Close() error {
	s.reads.close()
	s.writes.close()
	err := s.checkpoints.close()
	err = errors.Join(err, s.w.Close())
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	return err
}

// now is the time the store records, in UTC and cut to the microsecond that
// PostgreSQL keeps, so a value returned before and after a round trip is equal.
func now() time.Time { return stamp(time.Now()) }

// stamp is t as the store records it: UTC, to the microsecond.
func stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// inWriteTx runs fn in a transaction on the write pool and commits it when
// fn returns nil. Inside fn, use tx only: on SQLite the write pool has one
// connection and tx holds it.
func (s *Store) inWriteTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.w.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// pageSize is the limit a query uses: robust against callers that forgot to
// clamp theirs.
func pageSize(limit int) int {
	if limit <= 0 {
		return 50
	}
	return limit
}
