package store

import (
	"context"
	"fmt"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/salachat/sala/backend/internal/chat"
)

// StopCheckpoints stops the checkpointer of s, a SQLite store, so that a
// test sees what the writer does on its own.
func StopCheckpoints(s chat.Store) error {
	st := s.(*deadlined).s
	err := st.checkpoints.close()
	st.checkpoints = nil
	return err
}

// SetWriteHealthClock gives the write health of s, a store from Open, the
// clock now.
func SetWriteHealthClock(s chat.Store, now func() time.Time) {
	st := s.(*deadlined).s
	st.health.mu.Lock()
	defer st.health.mu.Unlock()
	st.health.now = now
}

// LimitPages caps the database of s, a SQLite store from Open, at its
// current size plus extra pages (PRAGMA max_page_count on its one writer
// connection): a write that needs more fails with SQLITE_FULL, as on a full
// disk. A large extra lifts the cap.
func LimitPages(s chat.Store, extra int) error {
	st := s.(*deadlined).s
	var pages int
	if err := st.w.Get(&pages, `PRAGMA page_count`); err != nil {
		return err
	}
	_, err := st.w.Exec(fmt.Sprintf(`PRAGMA max_page_count = %d`, pages+extra))
	return err
}

// Analyze has the database of s, a store from Open, gather the statistics
// its planner works from, as autovacuum (PostgreSQL) or PRAGMA optimize
// (SQLite) would after a bulk load.
func Analyze(s chat.Store) error {
	_, err := s.(*deadlined).s.w.Exec(`ANALYZE`)
	return err
}

// MigrateDownTo undoes the migrations of s, a store from Open, above
// version, then applies them again: a migration then meets rows stored
// before it, as on an upgraded server.
func MigrateDownTo(s chat.Store, version int64) error {
	st := s.(*deadlined).s
	dialect, fsys, opts, err := st.d.migrations(context.Background(), st.w.DB)
	if err != nil {
		return err
	}
	opts = append(opts, goose.WithDisableGlobalRegistry(true))
	p, err := goose.NewProvider(dialect, st.w.DB, fsys, opts...)
	if err != nil {
		return err
	}
	if _, err := p.DownTo(context.Background(), version); err != nil {
		return err
	}
	_, err = p.Up(context.Background())
	return err
}
