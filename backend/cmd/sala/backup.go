package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/salachat/sala/backend/internal/store"
)

const backupUsage = `Usage:
  sala backup [flags] DIR

Copies the SQLite database (SALA_DATA_DIR/sala.db), the generated JWT
secret (SALA_DATA_DIR/jwt-secret, if there is one) and the uploaded files
(SALA_DATA_DIR/files) into DIR, a new directory: a data directory of its
own, which SALA_DATA_DIR=DIR serves as it was. The server may keep running:
the database is one consistent snapshot, with what its WAL had committed,
and the files are copied after it, so every file it names is there. For
PostgreSQL use pg_dump: the files are in the database (file_chunks).

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
	n, err := copyFiles(filepath.Join(*dataDir, "files"), filepath.Join(dir, "files"))
	if err != nil {
		return fmt.Errorf("copy the uploaded files: %w", err)
	}
	fmt.Fprintf(stdout, "backed up %s and %d files to %s\n", filepath.Join(*dataDir, "sala.db"), n, dir)
	return nil
}

// copyFiles copies the stored files of folder src (files.Dir's layout)
// into dst, and returns how many it copied. A file is never changed once
// stored, so each copy is whole; one removed during the copy (swept) is
// skipped, and so are the uploads still streaming in (tmp). A file stored
// after the database's snapshot is copied too, and lies unused in the copy:
// no upload of its database names it.
func copyFiles(src, dst string) (int, error) {
	n := 0
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil // gone meanwhile, or no files folder at all
		case err != nil:
			return err
		case d.IsDir() && d.Name() == "tmp":
			return fs.SkipDir
		case d.IsDir():
			return nil
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		copied, err := copyFile(path, filepath.Join(dst, rel))
		if copied {
			n++
		}
		return err
	})
	return n, err
}

// copyFile copies one file; false without error when src is gone.
func copyFile(src, dst string) (bool, error) {
	in, err := os.Open(src)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return false, err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return false, err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return false, err
	}
	return true, out.Close()
}
