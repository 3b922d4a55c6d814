package files

import (
	"context"
	"log/slog"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
)

// UnattachedTTL is how long an upload never attached to a message is kept.
const UnattachedTTL = 24 * time.Hour

// sweepBatch is how many stale uploads one query lists.
const sweepBatch = 100

// Sweeper removes the files no one can fetch any more: uploads never
// attached after UnattachedTTL, uploads whose last message was deleted,
// and the uploads of deleted users. Its clock is injected, so tests move
// time instead of waiting. Several nodes may sweep at once: a record is
// deleted only while it is still stale, and only the node that deleted it
// deletes the bytes.
type Sweeper struct {
	store chat.UploadStore
	blobs Blobs
	now   func() time.Time
	log   *slog.Logger
}

// NewSweeper returns the sweeper of store's uploads and blobs' files.
func NewSweeper(store chat.UploadStore, blobs Blobs, now func() time.Time, log *slog.Logger) *Sweeper {
	if now == nil {
		now = time.Now
	}
	return &Sweeper{store: store, blobs: blobs, now: now, log: log}
}

// Run sweeps every interval until ctx ends.
func (s *Sweeper) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := s.Sweep(ctx); err != nil {
				s.log.Warn("sweep files", "removed", n, "err", err)
			} else if n > 0 {
				s.log.Info("swept files", "removed", n)
			}
		}
	}
}

// Sweep removes every stale upload now, record then bytes, and returns
// how many it removed. Bytes whose removal failed are logged: no record
// names them any more.
func (s *Sweeper) Sweep(ctx context.Context) (int, error) {
	cutoff := s.now().Add(-UnattachedTTL).UnixMilli()
	removed := 0
	for {
		ids, err := s.store.StaleUploads(ctx, cutoff, sweepBatch)
		if err != nil {
			return removed, err
		}
		for _, id := range ids {
			ok, err := s.store.DeleteUpload(ctx, id, cutoff)
			if err != nil {
				return removed, err
			}
			if !ok {
				continue // attached meanwhile
			}
			if err := s.blobs.Delete(ctx, id); err != nil {
				s.log.Error("remove the bytes of a swept file", "id", id, "err", err)
			}
			removed++
		}
		if len(ids) < sweepBatch {
			return removed, nil
		}
	}
}
