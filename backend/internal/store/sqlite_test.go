package store

import "testing"

// The writer's page cache holds a large group commit, and its statement
// journal stays in memory; the read pool keeps SQLite's defaults.
func TestSQLiteWriterSettings(t *testing.T) {
	s, err := open(t.Context(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	for _, c := range []struct {
		pool string
		db   interface {
			Get(any, string, ...any) error
		}
		cache, store int
	}{
		{"writer", s.w, -32768, 2}, // 2: MEMORY
		{"reader", s.r, -2000, 0},  // SQLite's defaults: 2 MiB, and the compile-time choice (a file)
	} {
		var cache, store int
		if err := c.db.Get(&cache, "PRAGMA cache_size"); err != nil {
			t.Fatal(err)
		}
		if err := c.db.Get(&store, "PRAGMA temp_store"); err != nil {
			t.Fatal(err)
		}
		if cache != c.cache || store != c.store {
			t.Errorf("%s: cache_size %d, temp_store %d; want %d, %d", c.pool, cache, store, c.cache, c.store)
		}
	}
}
