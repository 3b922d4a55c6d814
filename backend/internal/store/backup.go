package store

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/jmoiron/sqlx"
)

// BackupSQLite writes a consistent copy of the SQLite database named as in
// Open to dest, a file that must not exist yet. The server may be running:
// VACUUM INTO reads one snapshot of the database on a connection of its own
// (WAL lets readers and the writer go on side by side), and the copy holds
// what the WAL had committed, which a copy of the file alone would miss.
func BackupSQLite(ctx context.Context, databaseURL, dataDir, dest string) error {
	t, err := parseTarget(databaseURL, dataDir)
	if err != nil {
		return err
	}
	if t.kind != kindSQLite {
		return errors.New("store: a backup copies SQLite; back PostgreSQL up with pg_dump")
	}
	if _, err := os.Stat(t.path); err != nil {
		return fmt.Errorf("store: no database to back up: %w", err)
	}
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("store: %s exists already", dest)
	}
	// Not the readers' query_only DSN: SQLite counts writing the copy as a
	// write. The source is only read.
	db, err := sqlx.Open("sqlite", sqliteDSN(t.path, false))
	if err != nil {
		return fmt.Errorf("store: open sqlite: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		return fmt.Errorf("store: back up %s: %w", t.path, err)
	}
	return nil
}
