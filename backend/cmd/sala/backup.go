package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/salachat/sala/backend/internal/store"
)

const backupUsage = `Usage:
  sala backup [flags] DIR

Copies the SQLite database (SALA_DATA_DIR/sala.db) and the generated JWT
secret (SALA_DATA_DIR/jwt-secret, if there is one) into DIR, a new
directory: a data directory of its own, which SALA_DATA_DIR=DIR serves as
it was. The server may keep running: the copy is one consistent snapshot,
with what its WAL had committed. For PostgreSQL use pg_dump.

Flags:
`

// backupCommand is `sala backup DIR`.
func backupCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sala backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), backupUsage); fs.PrintDefaults() }
	dbURL := fs.String("database-url", getenv("SALA_DATABASE_URL"), "must be empty (SQLite); for PostgreSQL use pg_dump (SALA_DATABASE_URL)")
	dataDir := fs.String("data-dir", envOr(getenv, "SALA_DATA_DIR", "./data"), "directory of the SQLite database and the JWT secret (SALA_DATA_DIR)")
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fs.Usage()
		return flag.ErrHelp
	}
	dir := rest[0]
	if err := os.Mkdir(dir, 0o700); err != nil {
		return fmt.Errorf("backup directory: %w (it must not exist yet)", err)
	}
	if err := store.BackupSQLite(ctx, *dbURL, *dataDir, filepath.Join(dir, "sala.db")); err != nil {
		_ = os.RemoveAll(dir)
		return err
	}
	// Without the secret the copy's tokens would all be refused: it goes too.
	secret, err := os.ReadFile(filepath.Join(*dataDir, "jwt-secret"))
	switch {
	case err == nil:
		if err := os.WriteFile(filepath.Join(dir, "jwt-secret"), secret, 0o600); err != nil {
			return err
		}
	case !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("read the JWT secret: %w", err)
	}
	fmt.Fprintf(stdout, "backed up %s to %s\n", filepath.Join(*dataDir, "sala.db"), dir)
	return nil
}
