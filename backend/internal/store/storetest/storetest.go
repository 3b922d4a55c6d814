// Package storetest is the test suite every chat.Store must pass, and the
// helpers that give tests of any package a fresh database of each kind.
//
// SQLite always runs, in a temporary directory. PostgreSQL runs when
// SALA_TEST_DATABASE_URL names a server; each test gets a schema of its own,
// created for it and dropped after it, so test packages running in parallel
// never see each other's rows. Without the variable the PostgreSQL tests skip
// with a message, except under CI=true, where they fail: CI must run them.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/lib/pq" // the "postgres" driver, for creating and dropping schemas

	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/store"
)

// EnvDatabaseURL names the PostgreSQL server the tests may use.
const EnvDatabaseURL = "SALA_TEST_DATABASE_URL"

// WithAllDatabases runs fn as the subtests "sqlite" and "postgres", each with
// a fresh, migrated store that is closed when the subtest ends.
func WithAllDatabases(t *testing.T, fn func(t *testing.T, s chat.Store)) {
	t.Helper()
	WithAllDatabaseURLs(t, func(t *testing.T, databaseURL, dataDir string) {
		fn(t, Open(t, databaseURL, dataDir))
	})
}

// WithAllDatabaseURLs runs fn as the subtests "sqlite" and "postgres" with
// the configuration of a fresh database (SALA_DATABASE_URL and SALA_DATA_DIR
// values), for tests that start the whole server rather than a store.
func WithAllDatabaseURLs(t *testing.T, fn func(t *testing.T, databaseURL, dataDir string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, "", t.TempDir()) })
	t.Run("postgres", func(t *testing.T) { fn(t, PostgresURL(t), t.TempDir()) })
}

// Open opens a store with store.Open and closes it when the test ends.
func Open(tb testing.TB, databaseURL, dataDir string) chat.Store {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := store.Open(ctx, databaseURL, dataDir, 0)
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("close store: %v", err)
		}
	})
	return s
}

// OpenSQLite opens a store on a new SQLite file in a temporary directory.
func OpenSQLite(tb testing.TB) chat.Store {
	tb.Helper()
	return Open(tb, "", tb.TempDir())
}

// OpenPostgres opens a store on a fresh PostgreSQL schema (see PostgresURL).
func OpenPostgres(tb testing.TB) chat.Store {
	tb.Helper()
	return Open(tb, PostgresURL(tb), "")
}

// RequirePostgres returns SALA_TEST_DATABASE_URL. When it is unset it skips
// the test, or fails it when CI=true.
func RequirePostgres(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(EnvDatabaseURL)
	if base != "" {
		return base
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("%s is not set: CI must run PostgreSQL tests", EnvDatabaseURL)
	}
	tb.Skipf("PostgreSQL tests skipped: set %s, e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable", EnvDatabaseURL)
	return ""
}

// PostgresURL creates a schema with a random name on the server of
// SALA_TEST_DATABASE_URL and returns a URL whose connections use it (through
// search_path). The schema and everything in it are dropped when the test
// ends. Skips or fails as RequirePostgres when no server is set.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	base := RequirePostgres(tb)
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("%s: %v", EnvDatabaseURL, err)
	}
	schema := "sala_test_" + randomHex()
	admin(tb, base, `CREATE SCHEMA `+schema)
	tb.Cleanup(func() { admin(tb, base, `DROP SCHEMA IF EXISTS `+schema+` CASCADE`) })
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// admin runs one statement on its own short-lived connection.
func admin(tb testing.TB, databaseURL, statement string) {
	tb.Helper()
	db, err := sql.Open("postgres", databaseURL)
	if err != nil {
		tb.Fatalf("postgres: %v", err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, statement); err != nil {
		tb.Fatalf("postgres: %s: %v", statement, err)
	}
}

func randomHex() string {
	b := make([]byte, 8)
	rand.Read(b) // never fails
	return hex.EncodeToString(b)
}

// AnnInHall creates the user ann and her room hall in s: the setup of the
// tests that store messages.
func AnnInHall(tb testing.TB, s chat.Store) (chat.User, chat.Room) {
	tb.Helper()
	ann := chat.User{Login: "ann", FirstName: "A", LastName: "B", Age: 30, Gender: "other"}
	if err := s.CreateUser(context.Background(), &ann, "h"); err != nil {
		tb.Fatal(err)
	}
	hall, err := s.CreateRoom(context.Background(), "hall", ann.ID)
	if err != nil {
		tb.Fatal(err)
	}
	return ann, hall
}
