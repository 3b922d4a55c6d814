package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"net"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// postgres is the PostgreSQL dialect.
type postgres struct{}

// openPostgres opens a pool on a lib/pq URL and checks that the server
// answers. database/sql drops connections the driver reports broken and
// dials new ones, so the store recovers by itself after an outage.
func openPostgres(ctx context.Context, dsn string) (*Store, error) {
	connector, err := pq.NewConnector(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: postgres URL: %w", err)
	}
	db := sqlx.NewDb(sql.OpenDB(connector), "postgres")
	const conns = 16
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{r: db, w: db, d: postgres{}, readIdle: conns, health: &writeHealth{now: time.Now}}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, s.fail("connect to postgres", err)
	}
	return s, nil
}

func (postgres) migrations(ctx context.Context, db *sql.DB) (goose.Dialect, fs.FS, []goose.ProviderOption, error) {
	fsys, err := fs.Sub(migrationFiles, "migrations/postgres")
	if err != nil {
		return "", nil, nil, err
	}
	// Nodes that start together take turns through an advisory lock. Its id
	// is derived from the database and schema, so that stores in different
	// schemas (parallel test packages) do not wait for each other.
	var where string
	if err := db.QueryRowContext(ctx, `SELECT current_database() || '.' || current_schema()`).Scan(&where); err != nil {
		return "", nil, nil, err
	}
	h := fnv.New64a()
	h.Write([]byte("sala migrations " + where))
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(int64(h.Sum64())), lock.WithLockTimeout(1, 300))
	if err != nil {
		return "", nil, nil, err
	}
	return goose.DialectPostgres, fsys, []goose.ProviderOption{goose.WithSessionLocker(locker)}, nil
}

// arrayInserts is true: each statement is a round trip to the server, and
// a batch's VALUES chunks with BEGIN and COMMIT were nine of them for 1,200
// messages.
func (postgres) arrayInserts() bool { return true }

// classify reads lib/pq errors and the network errors under them.
func (postgres) classify(err error) errKind {
	if e := pq.As(err); e != nil {
		switch {
		case e.Code == pqerror.UniqueViolation:
			return errUnique
		case e.Code == pqerror.ForeignKeyViolation:
			return errForeignKey
		case e.Code.Class() == pqerror.ClassConnectionException,
			e.Code == pqerror.AdminShutdown, e.Code == pqerror.CrashShutdown,
			e.Code == pqerror.CannotConnectNow, e.Code == pqerror.TooManyConnections:
			return errUnavailable
		case e.Code.Class() == pqerror.ClassInsufficientResources, // a full disk, out of memory
			e.Code == pqerror.ReadOnlySQLTransaction: // a standby, or default_transaction_read_only
			return errRefused
		}
		return errOther
	}
	var netErr net.Error
	switch {
	case errors.Is(err, driver.ErrBadConn),
		errors.As(err, &netErr), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, io.EOF):
		return errUnavailable
	}
	return errOther
}
