package store_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/store"
	"github.com/salachat/sala/backend/internal/store/storetest"
)

func TestSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) chat.Store { return storetest.OpenSQLite(t) })
}

func TestPostgres(t *testing.T) {
	storetest.RequirePostgres(t)
	storetest.Run(t, func(t *testing.T) chat.Store { return storetest.OpenPostgres(t) })
}

func TestWithAllDatabases(t *testing.T) {
	storetest.WithAllDatabases(t, func(t *testing.T, s chat.Store) {
		if err := s.Ping(t.Context()); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSQLiteSurvivesReopening(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	s, err := store.Open(t.Context(), "", dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	u, hall := storetest.AnnInHall(t, s)
	msg := chat.NewMessage{RoomID: &hall.ID, Room: "hall", SenderID: u.ID, From: "ann", Text: "kept", SentAt: 1}
	if _, err := s.AppendMessages(t.Context(), []chat.NewMessage{msg}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("data directory: %v, %v; want mode 0700", fi.Mode(), err)
	}

	applied, err := store.Migrate(t.Context(), "", dir)
	if err != nil || len(applied) != 0 {
		t.Errorf("Migrate on a migrated database = %v, %v; want nothing applied", applied, err)
	}
	s = storetest.Open(t, "sqlite://"+filepath.Join(dir, "sala.db"), "")
	got, _, err := s.UserByLogin(t.Context(), "ann")
	if err != nil || got != u {
		t.Fatalf("user after reopening = %+v, %v; want %+v", got, err, u)
	}
	if hist, err := s.RoomHistory(t.Context(), hall.ID, 0, 10); err != nil || len(hist) != 1 || hist[0].Text != "kept" {
		t.Fatalf("history after reopening = %+v, %v", hist, err)
	}
}

func TestMigrate(t *testing.T) {
	dir := t.TempDir()
	applied, err := store.Migrate(t.Context(), "file:"+filepath.Join(dir, "x.db"), "")
	if err != nil || !slices.Equal(applied, []string{"00001_schema.sql", "00002_private_index.sql", "00003_receipt.sql",
		"00004_conversation_items.sql", "00005_reads.sql", "00006_search.sql", "00007_uploads.sql"}) {
		t.Fatalf("Migrate = %v, %v", applied, err)
	}
}

func TestOpenRejectsBadURLs(t *testing.T) {
	for _, u := range []string{"mysql://x", "sqlite://", "sqlite:///tmp/x.db?mode=ro", "/tmp/plain.db"} {
		if _, err := store.Open(t.Context(), u, t.TempDir(), 0); err == nil {
			t.Errorf("Open(%q) succeeded", u)
		}
	}
	if _, err := store.Open(t.Context(), "", "", 0); err == nil {
		t.Error("Open with no URL and no data directory succeeded")
	}
}

func TestDescribe(t *testing.T) {
	if got := store.Describe("", "data"); got != "sqlite data/sala.db" {
		t.Errorf("Describe(sqlite) = %q", got)
	}
	for _, u := range []string{"postgres://sala:secret@db:5432/sala?sslmode=disable",
		"postgresql://sala@db/sala?password=secret"} {
		if got := store.Describe(u, ""); strings.Contains(got, "secret") || !strings.HasPrefix(got, "postgres ") {
			t.Errorf("Describe(%q) = %q, want it without the password", u, got)
		}
	}
}
