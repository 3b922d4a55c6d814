package store

import "github.com/salachat/sala/backend/internal/chat"

// StopCheckpoints stops the checkpointer of s, a SQLite store, so that a
// test sees what the writer does on its own.
func StopCheckpoints(s chat.Store) error {
	st := s.(*deadlined).s
	err := st.checkpoints.close()
	st.checkpoints = nil
	return err
}
