package memtune

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestPercentLeavesTheFloorAboveTheLiveHeap(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		live uint64
		want int
	}{
		{0, 6400},        // nothing measured yet: as if 1 MiB
		{16 * mib, 400},  // 16 MiB may grow by 64
		{13 * mib, 492},  // S2's live heap
		{64 * mib, 100},  // the default already leaves 64 MiB
		{500 * mib, 100}, // large heaps keep the default
	} {
		if got := percentFor(c.live, DefaultFloor); got != c.want {
			t.Errorf("live %d MiB: percent %d, want %d", c.live/mib, got, c.want)
		}
	}
}

// sinkLive keeps a heap alive for TestHeadroomFollowsTheLiveHeap.
var sinkLive [][]byte

// TestHeadroomFollowsTheLiveHeap runs the real runtime: the percentage
// rises for a small heap and falls back as the live heap grows.
func TestHeadroomFollowsTheLiveHeap(t *testing.T) {
	t.Setenv("GOGC", "")
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	h := NewHeadroom(32<<20, nil)
	runtime.GC()
	small := h.Step()
	if small < 400 {
		t.Fatalf("percent %d for this test's small heap; want at least 400", small)
	}
	if got := debug.SetGCPercent(small); got != small {
		t.Fatalf("the runtime's GC percent is %d, not the %d Step set", got, small)
	}
	for range 64 {
		sinkLive = append(sinkLive, make([]byte, 1<<20))
	}
	runtime.GC()
	if large := h.Step(); large != 100 {
		t.Fatalf("percent %d with 64 MiB live and a 32 MiB floor; want 100", large)
	}
	sinkLive = nil
}

func TestHeadroomLeavesAnOperatorsGOGC(t *testing.T) {
	t.Setenv("GOGC", "200")
	if h := NewHeadroom(0, nil); h != nil {
		t.Fatal("a Headroom despite GOGC set in the environment")
	}
}
