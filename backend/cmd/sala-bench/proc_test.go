package main

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
)

// metricsText is /metrics as a Sala server writes it, trimmed to what
// scrapeMetrics reads: the ack histogram (buckets 1, 2, 4 ms and +Inf), a
// scheduler histogram, and a gauge.
func metricsText(ack [4]int, sched [3]int) string {
	var b strings.Builder
	b.WriteString("# TYPE sala_message_ack_seconds histogram\n")
	for i, le := range []string{"0.001", "0.002", "0.004", "+Inf"} {
		fmt.Fprintf(&b, "sala_message_ack_seconds_bucket{le=%q} %d\n", le, ack[i])
	}
	fmt.Fprintf(&b, "sala_message_ack_seconds_sum 1.5\nsala_message_ack_seconds_count %d\n", ack[3])
	for i, le := range []string{"0.0005", "0.008", "+Inf"} {
		fmt.Fprintf(&b, "sala_goroutine_wait_seconds_bucket{le=%q} %d\n", le, sched[i])
	}
	b.WriteString("go_goroutines 42\n")
	return b.String()
}

// TestQuantilesOfWhatAStepAdded scrapes a server twice and checks the
// quantiles of what was observed in between, not since the server started.
func TestQuantilesOfWhatAStepAdded(t *testing.T) {
	bodies := []string{
		// Before the step: 1000 fast acks, which must not count.
		metricsText([4]int{1000, 1000, 1000, 1000}, [3]int{500, 500, 500}),
		// After: 100 more acks, 50 under 1 ms, 40 in (1, 2], 9 in (2, 4], 1 over
		// 4 ms; 100 more scheduler waits, 98 under 0.5 ms and 2 in (0.5, 8].
		metricsText([4]int{1050, 1090, 1099, 1100}, [3]int{598, 600, 600}),
	}
	served := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(bodies[min(served, len(bodies)-1)]))
		served++
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")

	before, err := scrapeMetrics(t.Context(), addr)
	if err != nil {
		t.Fatal(err)
	}
	after, err := scrapeMetrics(t.Context(), addr)
	if err != nil {
		t.Fatal(err)
	}
	if after.Goroutines != 42 {
		t.Errorf("goroutines = %v, want 42 (gauges still read beside histograms)", after.Goroutines)
	}
	for _, c := range []struct {
		what     string
		got, ref histogram
		q, want  float64
	}{
		{"ack p50: the 50th of 100 is the last under 1 ms", after.ack, before.ack, 0.50, 1},
		{"ack p90: the 90th is the last in (1, 2] ms", after.ack, before.ack, 0.90, 2},
		{"ack p95: 5 of the 9 in (2, 4] ms, interpolated", after.ack, before.ack, 0.95, 2 + 2*5.0/9},
		{"ack p99.5: in +Inf, reported as its lower bound", after.ack, before.ack, 0.995, 4},
		{"sched p99: 1 of the 2 in (0.5, 8] ms", after.sched, before.sched, 0.99, 0.5 + 7.5/2},
	} {
		got, ok := c.got.quantileSince(c.ref, c.q)
		if !ok || math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s: got %v ms (ok %v), want %v", c.what, got, ok, c.want)
		}
	}
	if _, ok := before.ack.quantileSince(before.ack, 0.99); ok {
		t.Error("a step that observed nothing reported a quantile")
	}
	if _, ok := after.ack.quantileSince(after.sched, 0.99); ok {
		t.Error("histograms with different buckets were compared")
	}
}

// TestOwnSchedWaitGrowsWithGoroutines checks the load generator's own
// scheduler histogram: cumulative, ending at +Inf, and moved by goroutines
// that ran in between.
func TestOwnSchedWaitGrowsWithGoroutines(t *testing.T) {
	before := ownSchedWait()
	done := make(chan struct{})
	for range 100 {
		go func() { runtime.Gosched(); done <- struct{}{} }()
	}
	for range 100 {
		<-done
	}
	after := ownSchedWait()
	n := len(after.counts)
	if n == 0 || !math.IsInf(after.bounds[n-1], 1) {
		t.Fatalf("no histogram, or one not ending at +Inf: %d buckets", n)
	}
	for i := 1; i < n; i++ {
		if after.counts[i] < after.counts[i-1] || after.bounds[i] <= after.bounds[i-1] {
			t.Fatalf("bucket %d is not cumulative or not increasing", i)
		}
	}
	if _, ok := after.quantileSince(before, 0.5); !ok {
		t.Error("100 goroutines ran and the histogram did not move")
	}
}
