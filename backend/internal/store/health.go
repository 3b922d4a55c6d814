package store

import (
	"sync"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
)

// writeFailureMemory is how long a failed write keeps the store not ready
// when no write succeeds after it. Under traffic every failing write renews
// it; with none, readiness comes back by itself and the next write tells.
const writeFailureMemory = 30 * time.Second

// writeHealth remembers that the last write failed for want of the database
// (a full disk, an I/O error, a lock held too long), so that Ping can tell a
// database that answers reads but refuses writes: SQLite on a full disk
// still answers a ping, and even a small probe write may fit in the pages
// its write-ahead log already has, while message batches do not.
type writeHealth struct {
	now func() time.Time

	mu       sync.Mutex
	failed   error // the last write's failure; nil once a write succeeds
	failedAt time.Time
}

// record notes the outcome of a write. Only unavailable counts as a
// failure: a refused write (a taken login, a room that exists) reached the
// database and is a success here.
func (h *writeHealth) record(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if chat.ErrorCode(err) == chat.EUnavailable {
		h.failed, h.failedAt = err, h.now()
	} else {
		h.failed = nil
	}
}

// check returns unavailable, with the reason, while the last write failed
// less than writeFailureMemory ago.
func (h *writeHealth) check() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.failed == nil || h.now().Sub(h.failedAt) >= writeFailureMemory {
		return nil
	}
	return chat.Errorf(chat.EUnavailable, "the database refuses writes: %v", rootCause(h.failed))
}

// rootCause follows err's chain to its end, the last error of a join: the
// driver's error under the store's wrapping.
func rootCause(err error) error {
	for {
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			errs := u.Unwrap()
			if len(errs) == 0 {
				return err
			}
			err = errs[len(errs)-1]
		case interface{ Unwrap() error }:
			next := u.Unwrap()
			if next == nil {
				return err
			}
			err = next
		default:
			return err
		}
	}
}
