package store

import (
	"time"

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
