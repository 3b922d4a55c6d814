package memtune

import (
	"log/slog"
	"runtime/debug"
	"time"
)

// TrimConfig tunes a Trimmer. Zero fields take the defaults of NewTrimmer.
type TrimConfig struct {
	// Opened reports how many connections were opened since the process
	// started (a counter that only grows).
	Opened func() uint64
	// Surge is how many connections opened within Window (and since the
	// last trim) make a surge; default 1000.
	Surge uint64
	// Window is how recent a surge must be; default one minute.
	Window time.Duration
	// Calm is how long the surge must have been over, that is with at most
	// Surge/100 connections opened, before memory is returned; default 3 s.
	Calm time.Duration
	// Free returns the memory; debug.FreeOSMemory by default.
	Free func()
	Log  *slog.Logger
}

// Trimmer returns memory to the operating system after a surge of
// connections. When at least Surge were opened within Window and the last
// Calm brought almost none, it runs one collection and returns every free
// page (debug.FreeOSMemory). That costs one mark of the live heap (a fraction
// of a second of one core for 100,000 connections), once per surge; a steady
// trickle of connections never triggers it. Run drives it once a second.
type Trimmer struct {
	cfg     TrimConfig
	samples []sample // connections opened so far, once a tick, over the last Window
	trimmed uint64   // the count at the last trim
}

type sample struct {
	at     time.Time
	opened uint64
}

// NewTrimmer returns a Trimmer for cfg, with defaults filled in.
func NewTrimmer(cfg TrimConfig) *Trimmer {
	if cfg.Surge == 0 {
		cfg.Surge = 1000
	}
	if cfg.Window <= 0 {
		cfg.Window = time.Minute
	}
	if cfg.Calm <= 0 {
		cfg.Calm = 3 * time.Second
	}
	if cfg.Free == nil {
		cfg.Free = debug.FreeOSMemory
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Trimmer{cfg: cfg}
}

// Step records the connection count at now and returns memory if a surge
// has just calmed down; it reports whether it did.
func (t *Trimmer) Step(now time.Time) bool {
	opened := t.cfg.Opened()
	t.samples = append(t.samples, sample{at: now, opened: opened})
	for len(t.samples) > 1 && now.Sub(t.samples[1].at) >= t.cfg.Window {
		t.samples = t.samples[1:] // samples[0] stays the oldest within reach of Window
	}
	oldest := t.samples[0].opened
	surge := opened - max(oldest, t.trimmed)
	if surge < t.cfg.Surge || !t.calm(now, opened) {
		return false
	}
	before := released()
	start := time.Now()
	t.cfg.Free()
	t.trimmed = opened
	t.cfg.Log.Info("returned memory after a surge of connections", "connections", surge,
		"released_mib", (released()-before)>>20, "took_ms", time.Since(start).Milliseconds())
	return true
}

// calm reports whether the last Calm saw at most Surge/100 connections
// opened. Until there is a sample that old, it is not known to be calm.
func (t *Trimmer) calm(now time.Time, opened uint64) bool {
	for i := len(t.samples) - 1; i >= 0; i-- {
		if now.Sub(t.samples[i].at) >= t.cfg.Calm {
			return opened-t.samples[i].opened <= t.cfg.Surge/100
		}
	}
	return false
}

// released is the heap memory the runtime holds returned to the operating
// system at the moment.
func released() uint64 { return runtimeBytes("/memory/classes/heap/released:bytes") }
