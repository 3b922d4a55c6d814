package metrics

import (
	"math"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// TestGoroutineWaitFoldsTheRuntimeBuckets feeds rebucket a histogram shaped
// like the runtime's and checks the cumulative counts at the power-of-two
// bounds, and the estimated sum.
func TestGoroutineWaitFoldsTheRuntimeBuckets(t *testing.T) {
	g := newGoroutineWait()
	ns := func(k int, frac float64) float64 { return math.Ldexp(1e-9, k) * frac }
	h := &metrics.Float64Histogram{
		// [-Inf, 1 µs), [1 µs, 2^14 ns), [2^14 ns, 1.5·2^14), [1.5·2^14, 2^15), [2^15, 2^20), [2^20, +Inf)
		Buckets: []float64{math.Inf(-1), 1e-6, ns(14, 1), ns(14, 1.5), ns(15, 1), ns(20, 1), math.Inf(1)},
		Counts:  []uint64{1, 10, 3, 4, 5, 2},
	}
	count, sum, buckets := g.rebucket(h)
	if count != 25 {
		t.Errorf("count = %d, want 25", count)
	}
	for _, c := range []struct {
		le   float64
		want uint64
	}{
		{ns(14, 1), 11}, // everything under 16 µs
		{ns(15, 1), 18}, // and both fine buckets up to 2^15 ns
		{ns(19, 1), 18}, // the bucket [2^15, 2^20) is not under 2^19 as a whole
		{ns(20, 1), 23},
		{ns(32, 1), 23}, // the two over 2^20 ns stay out of every finite bound
	} {
		if got := buckets[c.le]; got != c.want {
			t.Errorf("bucket le=%g: %d, want %d", c.le, got, c.want)
		}
	}
	if len(buckets) != len(g.bounds) {
		t.Errorf("%d buckets, want %d", len(buckets), len(g.bounds))
	}
	want := 1*1e-6 + 10*(1e-6+ns(14, 1))/2 + 3*(ns(14, 1)+ns(14, 1.5))/2 + 4*(ns(14, 1.5)+ns(15, 1))/2 +
		5*(ns(15, 1)+ns(20, 1))/2 + 2*ns(20, 1)
	if math.Abs(sum-want) > 1e-12 {
		t.Errorf("sum = %g, want %g", sum, want)
	}
}

// TestGoroutineWaitCountsRealWaits gathers the collector after goroutines
// took turns on the scheduler, and checks that the histogram is there and
// moved.
func TestGoroutineWaitCountsRealWaits(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(newGoroutineWait())
	before := gatherCount(t, reg)
	var wg sync.WaitGroup
	for range 100 {
		wg.Add(1)
		go func() { defer wg.Done(); runtime.Gosched() }()
	}
	wg.Wait()
	if after := gatherCount(t, reg); after <= before {
		t.Errorf("sala_goroutine_wait_seconds count went from %d to %d after 100 goroutines ran", before, after)
	}
}

func gatherCount(t *testing.T, reg *prometheus.Registry) uint64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == "sala_goroutine_wait_seconds" && f.GetType() == dto.MetricType_HISTOGRAM {
			h := f.GetMetric()[0].GetHistogram()
			var prev uint64
			for _, b := range h.GetBucket() {
				if b.GetCumulativeCount() < prev {
					t.Fatalf("buckets are not cumulative: %v", h.GetBucket())
				}
				prev = b.GetCumulativeCount()
			}
			return h.GetSampleCount()
		}
	}
	t.Fatal("sala_goroutine_wait_seconds is not gathered")
	return 0
}
