package store_test

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/store"
	"github.com/salachat/sala/backend/internal/store/storetest"
)

// Committed pages reach the SQLite database file within moments, copied by
// the checkpointer beside the writer, long before the WAL holds the pages
// after which a commit would stop to copy them itself.
func TestSQLiteCheckpointsInTheBackground(t *testing.T) {
	dir := t.TempDir()
	s := storetest.Open(t, "", dir) // SQLite at dir/sala.db
	ctx := t.Context()
	ann, hall := storetest.AnnInHall(t, s)
	db := filepath.Join(dir, "sala.db")
	before := fileSize(t, db)
	text := strings.Repeat("a message long enough to fill pages ", 20)
	for i := range 30 { // ~450 KB: about 110 pages, far below 1000
		if _, err := s.AppendMessages(ctx, hallPosts(ann, hall, 10, text, fmt.Sprint(i, "-"))); err != nil {
			t.Fatal(err)
		}
	}
	// Without the checkpointer the file would not grow at all (75 pages are
	// far below the writer's own threshold), so a generous deadline keeps
	// the test meaningful on a loaded machine: a full `go test -race ./...`
	// once saw 168 of the ~200 KiB copied after 3 s.
	for deadline := time.Now().Add(10 * time.Second); fileSize(t, db) < before+200<<10; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the database file grew from %d to %d bytes only: the WAL was not copied into it",
				before, fileSize(t, db))
		}
	}
	if wal := fileSize(t, db+"-wal"); wal > 4<<20 {
		t.Errorf("the WAL holds %d bytes", wal)
	}
}

// A group commit that dirties more than SQLite's default 1000 pages leaves
// them in the WAL for the checkpointer instead of copying them into the
// database file before it returns.
func TestSQLiteWriterLeavesBigCheckpointsToTheCheckpointer(t *testing.T) {
	dir := t.TempDir()
	s := storetest.Open(t, "", dir)
	ctx := t.Context()
	ann, hall := storetest.AnnInHall(t, s)
	if err := store.StopCheckpoints(s); err != nil { // only the writer may copy pages now
		t.Fatal(err)
	}
	db := filepath.Join(dir, "sala.db")
	before := fileSize(t, db)

	text := strings.Repeat("x", 3000) // a page each: 2000 of them dirty well over 1000 pages
	batch := hallPosts(ann, hall, 2000, text, "")
	if _, err := s.AppendMessages(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if grown := fileSize(t, db) - before; grown > 0 {
		t.Fatalf("the commit copied %d bytes into the database file itself", grown)
	}

	// What the checkpointer does, from a connection of its own.
	other, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var busy, logged, copied int
	if err := other.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logged, &copied); err != nil {
		t.Fatal(err)
	}
	if logged < 1000 || copied != logged {
		t.Errorf("the WAL held %d pages and a checkpoint copied %d; want over 1000, all of them", logged, copied)
	}
	if grown := fileSize(t, db) - before; grown < int64(len(batch)*len(text)) {
		t.Errorf("after the checkpoint the database file grew by %d bytes only", grown)
	}
}

// hallPosts is n messages of text from ann to hall, with client ids
// prefix0 … prefix(n-1).
func hallPosts(ann chat.User, hall chat.Room, n int, text, prefix string) []chat.NewMessage {
	batch := make([]chat.NewMessage, n)
	for i := range batch {
		batch[i] = chat.NewMessage{RoomID: &hall.ID, Room: hall.Name, SenderID: ann.ID, From: ann.Login,
			Text: text, SentAt: 1, ClientID: fmt.Sprint(prefix, i)}
	}
	return batch
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}
