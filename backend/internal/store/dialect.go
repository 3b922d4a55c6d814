package store

import (
	"context"
	"database/sql"
	"io/fs"

	"github.com/pressly/goose/v3"
)

// dialect is what PostgreSQL and SQLite do differently beyond opening.
type dialect interface {
	// classify sorts a driver error into the few kinds the store reacts to.
	// Each dialect's classify is the one place that reads its driver's errors.
	classify(err error) errKind
	// migrations are the dialect's goose migrations and the options to run them.
	migrations(ctx context.Context, db *sql.DB) (goose.Dialect, fs.FS, []goose.ProviderOption, error)
	// arrayInserts reports whether a batch of messages goes in as one INSERT
	// over arrays, a round trip in all (see appendOverArrays), rather than
	// as VALUES chunks in a transaction.
	arrayInserts() bool
}

// errKind is a driver error as the store sees it.
type errKind int

const (
	errOther       errKind = iota
	errUnique              // a unique constraint or index was violated
	errForeignKey          // a referenced row does not exist
	errUnavailable         // the database cannot be reached or is shutting down
	errRefused             // the database answers but cannot write: a full disk, a read-only file, an I/O error
)
