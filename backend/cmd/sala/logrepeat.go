package main

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// repeatInterval is how often one warning or error is logged at most.
const repeatInterval = 10 * time.Second

// repeatFolder is a slog.Handler that lets each warning or error through at
// most once per interval: the records with the same level and message that
// follow within the interval are counted, not written, and the next one
// written carries "repeated", how many were left out since the last. A
// database that refuses every write would otherwise log a line per failed
// batch, thousands a minute, and bury what came before. Debug and info
// records pass untouched. Drops after the last written record of a burst
// are never reported: no timer runs to say so.
type repeatFolder struct {
	next  slog.Handler
	state *repeatState // shared with the handlers WithAttrs and WithGroup make
}

type repeatState struct {
	interval time.Duration
	now      func() time.Time

	mu   sync.Mutex
	seen map[repeatKey]*repeats
}

type repeatKey struct {
	level slog.Level
	msg   string
}

type repeats struct {
	written time.Time // when one was last written
	left    int       // left out since
}

// foldRepeats wraps log's handler in a repeatFolder; now is its clock.
func foldRepeats(log *slog.Logger, interval time.Duration, now func() time.Time) *slog.Logger {
	return slog.New(&repeatFolder{next: log.Handler(),
		state: &repeatState{interval: interval, now: now, seen: map[repeatKey]*repeats{}}})
}

func (h *repeatFolder) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h *repeatFolder) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelWarn {
		return h.next.Handle(ctx, r)
	}
	left, write := h.state.admit(repeatKey{r.Level, r.Message})
	if !write {
		return nil
	}
	if left > 0 {
		r = r.Clone()
		r.AddAttrs(slog.Int("repeated", left))
	}
	return h.next.Handle(ctx, r)
}

// admit tells whether a record of k is written now, and how many of k were
// left out since the last one written.
func (s *repeatState) admit(k repeatKey) (left int, write bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	r := s.seen[k]
	if r != nil && now.Sub(r.written) < s.interval {
		r.left++
		return 0, false
	}
	if r == nil {
		if len(s.seen) >= 1000 { // messages that carry values (an address) must not grow it for good
			s.forget(now)
		}
		r = &repeats{}
		s.seen[k] = r
	}
	left, r.written, r.left = r.left, now, 0
	return left, true
}

// forget drops the keys with nothing left out whose interval is over.
func (s *repeatState) forget(now time.Time) {
	for k, r := range s.seen {
		if r.left == 0 && now.Sub(r.written) >= s.interval {
			delete(s.seen, k)
		}
	}
}

func (h *repeatFolder) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &repeatFolder{next: h.next.WithAttrs(attrs), state: h.state}
}

func (h *repeatFolder) WithGroup(name string) slog.Handler {
	return &repeatFolder{next: h.next.WithGroup(name), state: h.state}
}
