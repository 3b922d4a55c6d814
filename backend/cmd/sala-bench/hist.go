package main

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// hist is a lock-free log-linear histogram of durations in microseconds:
// exact below 64 µs, then 64 buckets per power of two (under 1.6% error).
// Every reader goroutine adds to it with atomics; nothing allocates.
type hist struct {
	counts [histBuckets]atomic.Uint64
	n      atomic.Uint64
	max    atomic.Int64 // µs
}

const (
	histSub     = 64 // buckets per power of two
	histBuckets = histSub * 40
)

func histIndex(us int64) int {
	if us < histSub {
		return int(max(us, 0))
	}
	k := bits.Len64(uint64(us)) - 1 // 2^k ≤ us < 2^(k+1), k ≥ 6
	i := (k-5)*histSub + int(uint64(us)>>(k-6)) - histSub
	return min(i, histBuckets-1)
}

// histUpper is the largest value bucket i holds, in µs.
func histUpper(i int) int64 {
	if i < histSub {
		return int64(i)
	}
	k := i/histSub + 5
	m := int64(i%histSub + histSub) // the top 7 bits
	return (m+1)<<(k-6) - 1
}

func (h *hist) add(d time.Duration) {
	us := d.Microseconds()
	h.counts[histIndex(us)].Add(1)
	h.n.Add(1)
	for {
		m := h.max.Load()
		if us <= m || h.max.CompareAndSwap(m, us) {
			return
		}
	}
}

// quantile returns the q-quantile (0 < q ≤ 1) in milliseconds, rounded up
// to its bucket's upper bound; 0 when empty.
func (h *hist) quantile(q float64) float64 {
	n := h.n.Load()
	if n == 0 {
		return 0
	}
	rank := uint64(q*float64(n) + 0.5)
	rank = max(rank, 1)
	var seen uint64
	for i := range h.counts {
		seen += h.counts[i].Load()
		if seen >= rank {
			return min(float64(histUpper(i)), float64(h.max.Load())) / 1000
		}
	}
	return float64(h.max.Load()) / 1000
}

func (h *hist) maxMs() float64 { return float64(h.max.Load()) / 1000 }
