package memtune

import (
	"runtime/debug"
	"sync/atomic"
	"testing"
	"time"
)

// drive runs a Trimmer over a script of connections opened per second and
// returns the seconds (from 1) at which it returned memory.
func drive(t *testing.T, perSecond []uint64) []int {
	t.Helper()
	var opened uint64
	var frees []int
	second := 0
	tr := NewTrimmer(TrimConfig{Opened: func() uint64 { return opened }, Free: func() { frees = append(frees, second) }})
	start := time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)
	for i, n := range perSecond {
		second = i + 1
		opened += n
		tr.Step(start.Add(time.Duration(second) * time.Second))
	}
	return frees
}

// repeat is n seconds of per connections a second.
func repeat(per uint64, n int) []uint64 {
	s := make([]uint64, n)
	for i := range s {
		s[i] = per
	}
	return s
}

func TestTrimsOnceAfterASurgeCalmsDown(t *testing.T) {
	script := append(repeat(2500, 8), repeat(0, 30)...) // 20,000 in 8 s, then quiet
	frees := drive(t, script)
	// Calm means 3 s with at most 10 opens: the samples of seconds 8 and 11.
	if len(frees) != 1 || frees[0] != 11 {
		t.Fatalf("memory returned at seconds %v, want once, at 11", frees)
	}
}

func TestNoTrimWhileTheSurgeGoesOn(t *testing.T) {
	// 3,000 a second for 20 s, with a single quiet second in the middle:
	// the surge is not over until three quiet seconds.
	script := append(repeat(3000, 10), 0)
	script = append(script, repeat(3000, 10)...)
	if frees := drive(t, script); len(frees) != 0 {
		t.Fatalf("memory returned at seconds %v during the surge", frees)
	}
}

func TestNoTrimForASteadyTrickle(t *testing.T) {
	// 15 a second is 900 a minute: never a surge. 100 a second is one, but
	// it never calms down. Neither may cost a collection every minute.
	for _, per := range []uint64{15, 100} {
		if frees := drive(t, repeat(per, 600)); len(frees) != 0 {
			t.Errorf("%d connections a second: memory returned at seconds %v", per, frees)
		}
	}
}

func TestAFewLateConnectionsStillCountAsCalm(t *testing.T) {
	// Stragglers (at most 1% of a surge) after the surge do not hold the
	// trim back, and a second surge gets a trim of its own.
	script := append(repeat(1000, 5), 3, 2, 1, 0, 0)
	script = append(script, repeat(2000, 3)...)
	script = append(script, repeat(0, 5)...)
	frees := drive(t, script)
	if len(frees) != 2 || frees[0] != 8 || frees[1] != 16 {
		t.Fatalf("memory returned at seconds %v, want 8 and 16", frees)
	}
}

func TestASurgeOlderThanTheWindowIsForgotten(t *testing.T) {
	// 990 connections, then 30 more a minute later: no minute saw 1,000.
	script := append([]uint64{990}, repeat(0, 60)...)
	script = append(script, 30)
	script = append(script, repeat(0, 10)...)
	if frees := drive(t, script); len(frees) != 0 {
		t.Fatalf("memory returned at seconds %v", frees)
	}
}

func TestRunIgnoresConnectionsBeforeItStarted(t *testing.T) {
	var opened atomic.Uint64
	opened.Store(50_000)
	var frees atomic.Int32
	tr := NewTrimmer(TrimConfig{Opened: opened.Load, Free: func() { frees.Add(1) }})
	start := time.Now()
	for i := range 10 { // the first step is Run's first sample
		tr.Step(start.Add(time.Duration(i) * time.Second))
	}
	if n := frees.Load(); n != 0 {
		t.Fatalf("memory returned %d times for connections opened before the start", n)
	}
}

// sink keeps the compiler from dropping the garbage the test makes.
var sink []byte

// TestTrimReturnsFreedMemory checks the default Free: garbage left by a
// surge goes back to the operating system at the trim, not minutes later.
func TestTrimReturnsFreedMemory(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1)) // no collection but the trim's
	for range 64 {
		sink = make([]byte, 1<<20)
	}
	sink = nil

	var opened uint64
	tr := NewTrimmer(TrimConfig{Opened: func() uint64 { return opened }})
	start := time.Now()
	tr.Step(start)
	opened = 5000
	tr.Step(start.Add(time.Second))
	before := released()
	if !tr.Step(start.Add(5 * time.Second)) {
		t.Fatal("no trim after a surge of 5000 connections and 4 calm seconds")
	}
	if got := released() - before; got < 48<<20 {
		t.Fatalf("the trim released %d MiB of the 64 MiB of garbage", got>>20)
	}
}
