package metrics

import (
	"math"
	"runtime/metrics"

	"github.com/prometheus/client_golang/prometheus"
)

// goroutineWait exports Go's scheduler latency (/sched/latencies:seconds:
// how long goroutines waited to run once runnable) in power-of-two buckets.
// The Go collector's go_sched_latencies_seconds has them a factor of ten
// apart (10.5 ms, then 117 ms), too coarse to tell a p99 of 20 ms from one of
// 100: on one busy core that wait, not the database, was most of what S5's
// clients saw of ack latency at 10,000 msg/s.
type goroutineWait struct {
	desc   *prometheus.Desc
	bounds []float64 // upper bounds in seconds: 2^14 ns (16 µs) … 2^32 ns (4.3 s)
}

const schedLatencies = "/sched/latencies:seconds"

func newGoroutineWait() *goroutineWait {
	g := &goroutineWait{desc: prometheus.NewDesc("sala_goroutine_wait_seconds",
		"How long goroutines waited for a CPU once runnable (Go's scheduler latency), in power-of-two buckets.", nil, nil)}
	for k := 14; k <= 32; k++ {
		g.bounds = append(g.bounds, math.Ldexp(1e-9, k))
	}
	return g
}

func (g *goroutineWait) Describe(ch chan<- *prometheus.Desc) { ch <- g.desc }

func (g *goroutineWait) Collect(ch chan<- prometheus.Metric) {
	s := []metrics.Sample{{Name: schedLatencies}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64Histogram {
		return // not in this Go version
	}
	count, sum, buckets := g.rebucket(s[0].Value.Float64Histogram())
	ch <- prometheus.MustNewConstHistogram(g.desc, count, sum, buckets)
}

// rebucket folds the runtime's fine buckets into g.bounds (cumulative
// counts, as Prometheus wants them). The runtime keeps no sum, so the sum
// is estimated from the middle of each fine bucket (they are a few percent
// wide).
func (g *goroutineWait) rebucket(h *metrics.Float64Histogram) (count uint64, sum float64, buckets map[float64]uint64) {
	buckets = make(map[float64]uint64, len(g.bounds))
	j := 0
	for i, n := range h.Counts {
		lo, hi := h.Buckets[i], h.Buckets[i+1]
		for j < len(g.bounds) && hi > g.bounds[j] {
			buckets[g.bounds[j]] = count
			j++
		}
		count += n
		switch {
		case math.IsInf(lo, -1):
			sum += float64(n) * max(hi, 0)
		case math.IsInf(hi, 1):
			sum += float64(n) * lo
		default:
			sum += float64(n) * (lo + hi) / 2
		}
	}
	for ; j < len(g.bounds); j++ {
		buckets[g.bounds[j]] = count
	}
	return count, sum, buckets
}
