package memtune

import (
	"log/slog"
	"os"
	"runtime/debug"
	"runtime/metrics"
)

// DefaultFloor is the least room Headroom leaves the heap to grow.
const DefaultFloor = 64 << 20

// Headroom keeps the heap goal at least Floor bytes above the live heap by
// raising the GC percentage while the live heap is smaller than Floor
// (never below the default 100). The runtime's memory limit (GOMEMLIMIT),
// when set, still caps the heap. An operator's own GOGC is left alone: see
// NewHeadroom.
type Headroom struct {
	floor   uint64
	percent int // as last set
	log     *slog.Logger
}

// NewHeadroom returns a Headroom for floor bytes (DefaultFloor when 0), or
// nil when the GOGC environment variable is set: the operator chose.
func NewHeadroom(floor uint64, log *slog.Logger) *Headroom {
	if os.Getenv("GOGC") != "" {
		return nil
	}
	if floor == 0 {
		floor = DefaultFloor
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Headroom{floor: floor, percent: 100, log: log}
}

// Step sets the GC percentage for the live heap found by the last
// collection, and returns it. It changes the setting only when it moves by
// more than a tenth, since each change recomputes the collector's pacing.
func (h *Headroom) Step() int {
	want := percentFor(liveHeap(), h.floor)
	if diff := want - h.percent; diff*10 > h.percent || -diff*10 > h.percent {
		debug.SetGCPercent(want)
		h.log.Debug("GC percentage set for the heap's headroom", "percent", want)
		h.percent = want
	}
	return h.percent
}

// percentFor is the GC percentage that lets a live heap of live bytes grow
// by floor before the next collection, and never less than the default.
func percentFor(live, floor uint64) int {
	live = max(live, 1<<20) // before the first collection the figure is 0
	return int(max(100, floor*100/live))
}

// liveHeap is the heap the last collection found reachable.
func liveHeap() uint64 { return runtimeBytes("/gc/heap/live:bytes") }

// runtimeBytes reads one of the runtime's byte counts (runtime/metrics);
// 0 if this Go does not have it.
func runtimeBytes(name string) uint64 {
	s := []metrics.Sample{{Name: name}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
