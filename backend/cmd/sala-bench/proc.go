package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"
)

// clockTicks is the kernel's USER_HZ, the unit of utime and stime in
// /proc/<pid>/stat; it is 100 on every Linux this runs on.
const clockTicks = 100

// procSample is what /proc says about a process at one moment.
type procSample struct {
	at     time.Time
	cpu    float64 // user+system seconds since the process started
	rssKiB int64
	ok     bool
}

// readProc samples /proc/<pid> (pid 0: this process).
func readProc(pid int) procSample {
	dir := "/proc/self"
	if pid > 0 {
		dir = "/proc/" + strconv.Itoa(pid)
	}
	s := procSample{at: time.Now()}
	stat, err := os.ReadFile(dir + "/stat")
	if err != nil {
		return s
	}
	// The command name may hold spaces: fields start after its ')'.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return s
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 13 {
		return s
	}
	utime, _ := strconv.ParseFloat(f[11], 64) // field 14 of stat
	stime, _ := strconv.ParseFloat(f[12], 64) // field 15
	s.cpu = (utime + stime) / clockTicks
	status, err := os.Open(dir + "/status")
	if err != nil {
		return s
	}
	defer status.Close()
	sc := bufio.NewScanner(status)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			s.rssKiB, _ = strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	s.ok = true
	return s
}

// cpuPercent is the CPU a process used between two samples, in percent of
// one core.
func cpuPercent(a, b procSample) float64 {
	wall := b.at.Sub(a.at).Seconds()
	if !a.ok || !b.ok || wall <= 0 {
		return 0
	}
	return 100 * (b.cpu - a.cpu) / wall
}

// serverMetrics reads a few gauges from the server's Prometheus /metrics.
type serverMetrics struct {
	Goroutines   float64 `json:"goroutines"`
	HeapLiveMiB  float64 `json:"heap_live_mib"`  // live heap after the last GC
	HeapInuseMiB float64 `json:"heap_inuse_mib"` // heap spans in use, garbage included
	StackMiB     float64 `json:"stack_mib"`      // goroutine stacks
	GCCycles     float64 `json:"gc_cycles"`
	Connections  float64 `json:"connections"`
	// ack is sala_message_ack_seconds (a message's time from the server's
	// write path to its ack) and sched sala_goroutine_wait_seconds (how long
	// the server's goroutines waited for a CPU). Only their growth over a
	// step means something, so they stay out of the JSON.
	ack, sched histogram
}

// histogram is a Prometheus histogram as /metrics lists it: cumulative
// counts by upper bound, the last bound +Inf.
type histogram struct {
	bounds, counts []float64
}

// add records the line of bucket le (a bound as /metrics writes it).
func (h *histogram) add(le string, count float64) {
	bound, err := strconv.ParseFloat(le, 64) // "+Inf" parses as +Inf
	if err != nil {
		return
	}
	h.bounds = append(h.bounds, bound)
	h.counts = append(h.counts, count)
}

// quantileSince estimates the q-quantile, in ms, of what was observed
// between the scrapes before and h, interpolating within a bucket as
// PromQL's histogram_quantile does. ok is false when nothing was observed
// or the two scrapes do not have the same buckets.
func (h histogram) quantileSince(before histogram, q float64) (ms float64, ok bool) {
	n := len(h.counts)
	if n == 0 || len(before.counts) != n {
		return 0, false
	}
	grown := func(i int) float64 { return h.counts[i] - before.counts[i] }
	total := grown(n - 1)
	if total <= 0 {
		return 0, false
	}
	rank := q * total
	lower, below := 0.0, 0.0 // the bucket's lower bound, and the count under it
	for i := range n {
		c := grown(i)
		if c < rank {
			lower, below = h.bounds[i], c
			continue
		}
		upper := h.bounds[i]
		if math.IsInf(upper, 1) || c == below {
			return 1000 * lower, true
		}
		return 1000 * (lower + (upper-lower)*(rank-below)/(c-below)), true
	}
	return 1000 * lower, true
}

func scrapeMetrics(ctx context.Context, addr string) (serverMetrics, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		return serverMetrics{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return serverMetrics{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return serverMetrics{}, fmt.Errorf("GET /metrics: %s", resp.Status)
	}
	var m serverMetrics
	sc := bufio.NewScanner(io.LimitReader(resp.Body, 8<<20))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			continue
		}
		if family, le, ok := bucketOf(name); ok {
			switch family {
			case "sala_message_ack_seconds":
				m.ack.add(le, v)
			case "sala_goroutine_wait_seconds":
				m.sched.add(le, v)
			}
			continue
		}
		switch name {
		case "go_goroutines":
			m.Goroutines = v
		case "go_gc_heap_live_bytes":
			m.HeapLiveMiB = v / (1 << 20)
		case "go_memstats_heap_inuse_bytes":
			m.HeapInuseMiB = v / (1 << 20)
		case "go_memstats_stack_inuse_bytes":
			m.StackMiB = v / (1 << 20)
		case "go_gc_cycles_total_gc_cycles_total":
			m.GCCycles = v
		case "sala_connections":
			m.Connections = v
		}
	}
	return m, sc.Err()
}

// ownSchedWait is the load generator's own scheduler latency so far (how
// long its goroutines waited for its core), from runtime/metrics: a busy
// load generator reads deliveries late, and that shows in every latency it
// reports.
func ownSchedWait() histogram {
	s := []metrics.Sample{{Name: "/sched/latencies:seconds"}}
	metrics.Read(s)
	var out histogram
	if s[0].Value.Kind() != metrics.KindFloat64Histogram {
		return out
	}
	h := s[0].Value.Float64Histogram()
	var total float64
	for i, n := range h.Counts {
		total += float64(n)
		out.bounds = append(out.bounds, h.Buckets[i+1]) // a runtime bucket's upper bound
		out.counts = append(out.counts, total)
	}
	return out
}

// bucketOf splits a histogram bucket's series, `family_bucket{le="0.5"}`,
// into its family and bound.
func bucketOf(series string) (family, le string, ok bool) {
	family, labels, ok := strings.Cut(series, "_bucket{")
	if !ok {
		return "", "", false
	}
	_, le, ok = strings.Cut(labels, `le="`)
	le, _, ok2 := strings.Cut(le, `"`)
	return family, le, ok && ok2
}

// loadAverage is the machine's 1-minute load average: other work on the
// machine skews every figure, so each result records it.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}
