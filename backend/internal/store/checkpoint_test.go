package store_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/store/storetest"
)

// Committed pages reach the SQLite database file within moments, copied by
// the checkpointer beside the writer, long before the WAL holds the 1000
// pages after which a commit would stop to copy them itself.
func TestSQLiteCheckpointsInTheBackground(t *testing.T) {
	dir := t.TempDir()
	s := storetest.Open(t, "", dir) // SQLite at dir/sala.db
	ctx := t.Context()
	ann, hall := storetest.AnnInHall(t, s)
	db := filepath.Join(dir, "sala.db")
	before := fileSize(t, db)
	text := strings.Repeat("a message long enough to fill pages ", 20)
	for i := range 20 { // ~300 KB: about 75 pages, far below 1000
		batch := make([]chat.NewMessage, 10)
		for j := range batch {
			batch[j] = chat.NewMessage{RoomID: &hall.ID, Room: "hall", SenderID: ann.ID, From: "ann",
				Text: text, SentAt: 1, ClientID: fmt.Sprint(i, "-", j)}
		}
		if _, err := s.AppendMessages(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	for deadline := time.Now().Add(3 * time.Second); fileSize(t, db) < before+200<<10; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the database file grew from %d to %d bytes only: the WAL was not copied into it",
				before, fileSize(t, db))
		}
	}
	if wal := fileSize(t, db+"-wal"); wal > 4<<20 {
		t.Errorf("the WAL holds %d bytes", wal)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}
