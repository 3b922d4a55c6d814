package memtune

import (
	"context"
	"runtime/debug"
	"time"
)

// Run steps t and h (h may be nil: see NewHeadroom) at once and then once a
// second until ctx ends, and puts the default GC percentage back then. The
// trimmer's first sample is taken at once: what came before is not a surge.
func Run(ctx context.Context, t *Trimmer, h *Headroom) {
	if h != nil {
		defer debug.SetGCPercent(100)
	}
	step := func(now time.Time) {
		t.Step(now)
		if h != nil {
			h.Step()
		}
	}
	step(time.Now())
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			step(now)
		}
	}
}
