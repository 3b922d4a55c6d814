package store

import (
	"sync"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
)

// writeFailureMemory is how long a refused write keeps the store not ready
// when no write succeeds after it. Under traffic every failing write renews
// it; with none, readiness comes back by itself and the next write tells.
const writeFailureMemory = 30 * time.Second

// writeHealth remembers that the last write was refused by a database that
// answers (a full disk, a read-only file, an I/O error), so that Ping can
// tell it: SQLite on a full disk still answers a ping, and even a small
// probe write may fit in the pages its write-ahead log already has, while
// message batches do not. A database that does not answer at all is the
// ping's to find, and is not remembered here: once it is back, readiness is.
type writeHealth struct {
	now func() time.Time

	mu       sync.Mutex
	failed   error // the last write's refusal; nil once a write succeeds
	failedAt time.Time
}

// record notes the outcome of a write: refused tells a refusal (classify's
// errRefused) among failures. A write that reached the database, even one
// it turned down (a taken login), is a success here; one that did not reach
// it tells nothing.
func (h *writeHealth) record(err error, refused bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case refused:
		h.failed, h.failedAt = err, h.now()
	case chat.ErrorCode(err) != chat.EUnavailable:
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
	return chat.Errorf(chat.EUnavailable, "The database refuses writes: %v.", rootCause(h.failed))
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

// recordWrite notes the outcome of a write in the store's write health.
func (s *Store) recordWrite(err error) {
	s.health.record(err, err != nil && s.d.classify(err) == errRefused)
}
