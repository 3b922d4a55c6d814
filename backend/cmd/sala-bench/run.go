package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Bounds: the bench is a measuring tool, not a flood.
const (
	maxConns    = 19900
	maxSteps    = 32
	maxRate     = 1e6
	maxDuration = 10 * time.Minute
)

type runConfig struct {
	addr        string
	name        string
	conns       int
	rooms       int
	users       int
	publishers  int
	rate        float64
	size        int
	duration    time.Duration
	drain       time.Duration
	idle        time.Duration
	sample      time.Duration
	pid         int
	srcs        []net.IP
	concurrency int
	enter       string // how a connection reaches its room: "move" or "resume"
	cache       string
	out         string
	timeout     time.Duration
	cpuProfile  string
	// search
	search       bool
	searchFactor float64
	maxP99       time.Duration
	refine       int
}

func parseRunFlags(args []string, stderr io.Writer) (runConfig, error) {
	var c runConfig
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "server address (host:port on loopback)")
	fs.StringVar(&c.name, "name", "run", "scenario name in the report")
	fs.IntVar(&c.conns, "conns", 1000, fmt.Sprintf("connections to open (at most %d, and below the open-files limit)", maxConns))
	fs.IntVar(&c.rooms, "rooms", 1, "rooms to spread the connections over (connection i is in room i mod rooms)")
	fs.IntVar(&c.users, "users", 0, "users in the pool (0: min(conns, 1000)); connection i logs in as user i mod users")
	fs.IntVar(&c.publishers, "publishers", 0, "connections that publish (0: all), spread over the rooms")
	fs.Float64Var(&c.rate, "rate", 0, "messages per second in total (0: connect and stay idle); the first rate with -search")
	fs.IntVar(&c.size, "size", 128, "message text length in bytes")
	fs.DurationVar(&c.duration, "duration", 10*time.Second, "publishing time (of each step with -search)")
	fs.DurationVar(&c.drain, "drain", 3*time.Second, "wait after publishing stops; what has not arrived by then is lost")
	fs.DurationVar(&c.idle, "idle", 0, "with -rate 0: how long to hold the connections idle before measuring")
	fs.DurationVar(&c.sample, "sample", 0, "sample the server's RSS, goroutines and heap this often while publishing (0: no)")
	fs.IntVar(&c.pid, "pid", 0, "server process id, for RSS and CPU from /proc")
	srcips := fs.String("srcips", "", "source addresses: a count N (127.0.0.1…127.0.0.N) or a comma-separated list of 127.x.y.z")
	fs.IntVar(&c.concurrency, "concurrency", 64, "connections being set up at once")
	fs.StringVar(&c.enter, "enter", "move", "how connections reach their room: move (land in the default room, then #gR) or resume\n"+
		"(connect with ?room=, as clients reconnecting after a restart do); rooms are created with #cR either way")
	fs.StringVar(&c.cache, "cache", defaultCachePath(), "token cache file")
	fs.StringVar(&c.out, "out", "", "append the JSON result line to this file")
	fs.DurationVar(&c.timeout, "timeout", 15*time.Minute, "give up after this long")
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "write the load generator's own CPU profile here (is the bench the bottleneck?)")
	fs.BoolVar(&c.search, "search", false, "step the rate up from -rate to find the highest deliveries/s with p99 ≤ -max-p99 and no loss")
	fs.Float64Var(&c.searchFactor, "factor", 1.5, "with -search: rate multiplier between steps until one fails")
	fs.DurationVar(&c.maxP99, "max-p99", 100*time.Millisecond, "with -search: the p99 latency a step must stay within")
	fs.IntVar(&c.refine, "refine", 3, "with -search: bisection steps between the last passing and the first failing rate")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	var err error
	if c.addr, err = loopbackAddr(c.addr); err != nil {
		return c, err
	}
	if c.srcs, err = parseSources(*srcips); err != nil {
		return c, err
	}
	if c.users == 0 {
		c.users = min(c.conns, 1000)
	}
	if c.publishers == 0 || c.publishers > c.conns {
		c.publishers = c.conns
	}
	switch {
	case c.conns < 1 || c.conns > maxConns:
		return c, fmt.Errorf("-conns: want 1–%d", maxConns)
	case c.rooms < 1 || c.rooms > c.conns:
		return c, errors.New("-rooms: want 1–conns")
	case c.users < 1 || c.users > maxUsers:
		return c, fmt.Errorf("-users: want 1–%d", maxUsers)
	case c.rate < 0 || c.rate > maxRate:
		return c, fmt.Errorf("-rate: want 0–%g", maxRate)
	case c.size < 48 || c.size > 4000:
		return c, errors.New("-size: want 48–4000 (the stamp needs room)")
	case c.duration <= 0 || c.duration > maxDuration || c.idle > maxDuration || c.timeout > time.Hour:
		return c, fmt.Errorf("-duration, -idle: want at most %v; -timeout at most 1h", maxDuration)
	case c.search && (c.rate <= 0 || c.searchFactor <= 1):
		return c, errors.New("-search needs -rate > 0 and -factor > 1")
	case c.enter != "move" && c.enter != "resume":
		return c, errors.New("-enter: want move or resume")
	case c.concurrency < 1:
		c.concurrency = 1
	}
	return c, nil
}

// parseSources reads -srcips: a count or a list, loopback only.
func parseSources(s string) ([]net.IP, error) {
	if s == "" {
		return nil, nil
	}
	if n, err := strconv.Atoi(s); err == nil {
		if n < 1 || n > 250 {
			return nil, errors.New("-srcips: a count must be 1–250")
		}
		ips := make([]net.IP, n)
		for i := range ips {
			ips[i] = net.IPv4(127, 0, 0, byte(i+1))
		}
		return ips, nil
	}
	var ips []net.IP
	for _, part := range strings.Split(s, ",") {
		ip := net.ParseIP(strings.TrimSpace(part))
		if ip == nil || !ip.IsLoopback() {
			return nil, fmt.Errorf("-srcips: %q is not a loopback address", part)
		}
		ips = append(ips, ip)
	}
	return ips, nil
}

// bench is one run: its connections and the counters their readers feed.
type bench struct {
	cfg      runConfig
	tag      string // this run's mark on every id and text
	tagDot   []byte
	origin   time.Time
	dialers  dialers
	rooms    []string
	roomLive []atomic.Int64 // open connections per room
	conns    []*conn
	steps    [maxSteps]stepStats
	connect  hist
	frames   atomic.Int64
	others   atomic.Int64 // envelopes that are not ours: events, rooms, …
	dropped  atomic.Int64 // connections the server closed while measuring
	closing  atomic.Bool
	errMu    sync.Mutex
	errs     map[string]int
}

// stepStats counts one publishing step; readers add to it lock-free.
type stepStats struct {
	lat, ack     hist
	sent         atomic.Int64
	sendFailures atomic.Int64 // writes that failed
	sendErrors   atomic.Int64 // error envelopes answering our sends
	expected     atomic.Int64 // deliveries owed: each sent message × its room's open connections
	received     atomic.Int64
	acks         atomic.Int64
}

func (b *bench) now() time.Duration { return time.Since(b.origin) }

func (b *bench) countError(code string) {
	b.errMu.Lock()
	b.errs[code]++
	b.errMu.Unlock()
}

// lost is called when a connection's reader stops.
func (b *bench) lost(c *conn) {
	if c.setupOn.Load() && !b.closing.Load() {
		return // not counted in its room yet
	}
	b.roomLive[c.room].Add(-1)
	if !b.closing.Load() {
		b.dropped.Add(1)
	}
}

func runCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseRunFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	limit, err := raiseFileLimit()
	if err != nil {
		return err
	}
	if uint64(cfg.conns)+100 > limit {
		return fmt.Errorf("-conns %d: this process may open %d files; keep connections 100 below that", cfg.conns, limit)
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	if cfg.cpuProfile != "" {
		f, err := os.Create(cfg.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	res, err := execute(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	line, _ := json.Marshal(res)
	printTable(stdout, res)
	fmt.Fprintln(stdout, string(line))
	if cfg.out != "" {
		f, err := os.OpenFile(cfg.out, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := fmt.Fprintln(f, string(line)); err != nil {
			return err
		}
	}
	return nil
}

func execute(ctx context.Context, cfg runConfig, log io.Writer) (*Result, error) {
	p, err := ensurePool(ctx, cfg.addr, cfg.users, tokenCache{cfg.cache}, log)
	if err != nil {
		return nil, err
	}
	b := &bench{cfg: cfg, tag: randomTag(6), origin: time.Now(), dialers: newDialers(cfg.srcs),
		errs: map[string]int{}, roomLive: make([]atomic.Int64, cfg.rooms)}
	b.tagDot = []byte(b.tag + ".")
	for i := range cfg.rooms {
		b.rooms = append(b.rooms, fmt.Sprintf("%s-%d", b.tag, i))
	}
	res := &Result{Scenario: cfg.name, Addr: cfg.addr, Time: time.Now().UTC().Format(time.RFC3339),
		Conns: cfg.conns, Rooms: cfg.rooms, Users: cfg.users, Publishers: cfg.publishers, Size: cfg.size,
		SourceIPs: max(1, len(cfg.srcs)), LoadAvg: loadAverage()}
	before := readProc(cfg.pid)
	if m, err := scrapeMetrics(ctx, cfg.addr); err == nil {
		res.ServerBefore = &m
	}
	res.ServerRSSBeforeMiB = kib2mib(before.rssKiB)
	defer b.closeAll()

	fmt.Fprintf(log, "%s: connecting %d connections in %d rooms (%d users, %d source addresses)\n",
		cfg.name, cfg.conns, cfg.rooms, cfg.users, res.SourceIPs)
	if err := b.connectAll(ctx, p, res); err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "%s: %d connected at %.0f conns/s (p50 %.1f ms, p99 %.1f ms)\n", cfg.name,
		res.Connect.OK, res.Connect.Rate, res.Connect.P50ms, res.Connect.P99ms)

	switch {
	case cfg.rate == 0:
		b.idle(ctx, res, before)
	case cfg.search:
		b.searchRates(ctx, res, log)
	default:
		st := b.runStep(ctx, 0, cfg.rate, log)
		res.Steps = append(res.Steps, st)
	}
	res.Dropped = b.dropped.Load()
	res.Errors = b.errs
	res.BenchCPU = cpuPercent(res.benchStart, readProc(0))
	return res, ctx.Err()
}

// connectAll opens every connection and moves it to its room: first one
// creator per room (#cR), then everyone else (#gR). The connect time of a
// connection runs from the dial to its first joined envelope.
func (b *bench) connectAll(ctx context.Context, p pool, res *Result) error {
	b.conns = make([]*conn, b.cfg.conns)
	res.benchStart = readProc(0)
	start := b.now()
	var lastJoined atomic.Int64
	var failed atomic.Int64
	var firstErr error
	var errOnce sync.Once
	work := func(from, to int) {
		var next atomic.Int64
		next.Store(int64(from))
		var wg sync.WaitGroup
		for range min(b.cfg.concurrency, to-from) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1) - 1)
					if i >= to || ctx.Err() != nil {
						return
					}
					if err := b.setupOne(ctx, i, p.Tokens[i%len(p.Tokens)], &lastJoined); err != nil {
						failed.Add(1)
						errOnce.Do(func() { firstErr = err })
					}
				}
			}()
		}
		wg.Wait()
	}
	work(0, b.cfg.rooms)
	work(b.cfg.rooms, b.cfg.conns)
	end := b.now()
	ok := b.cfg.conns - int(failed.Load())
	res.Connect = ConnectStats{OK: ok, Failed: int(failed.Load()),
		P50ms: b.connect.quantile(0.50), P99ms: b.connect.quantile(0.99), MaxMs: b.connect.maxMs(),
		SetupSeconds: (end - start).Seconds()}
	if d := time.Duration(lastJoined.Load()) - start; d > 0 {
		res.Connect.Seconds = d.Seconds()
		res.Connect.Rate = float64(ok) / d.Seconds()
	}
	if firstErr != nil {
		res.Connect.FirstError = firstErr.Error()
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if failed.Load() > int64(b.cfg.conns)/100 {
		return fmt.Errorf("%d of %d connections failed; first: %v", failed.Load(), b.cfg.conns, firstErr)
	}
	return nil
}

// setupOne dials connection i, waits for its first joined, then moves it
// into its room (with -enter resume, it connects straight into a room that
// already exists).
func (b *bench) setupOne(ctx context.Context, i int, token string, lastJoined *atomic.Int64) error {
	room := b.rooms[i%len(b.rooms)]
	resume := b.cfg.enter == "resume" && i >= len(b.rooms)
	into := ""
	if resume {
		into = room
	}
	t0 := b.now()
	c, err := b.dial(ctx, i, token, into)
	if err != nil {
		return err
	}
	b.conns[i] = c
	if err := expectJoined(c, into); err != nil {
		return fmt.Errorf("connection %d: first joined: %w", i, err)
	}
	t1 := b.now()
	b.connect.add(t1 - t0)
	for {
		last := lastJoined.Load()
		if int64(t1) <= last || lastJoined.CompareAndSwap(last, int64(t1)) {
			break
		}
	}
	if resume {
		b.roomLive[c.room].Add(1)
		c.setupOn.Store(false)
		return nil
	}
	cmd := "#gR " + room
	if i < len(b.rooms) {
		cmd = "#cR " + room
	}
	for attempt := 0; ; attempt++ {
		if err := b.sendSetup(c, cmd); err != nil {
			return fmt.Errorf("connection %d: %s: %w", i, cmd, err)
		}
		ev, err := c.await(30 * time.Second)
		for err == nil && ev.joined == "" && ev.err == "" {
			ev, err = c.await(30 * time.Second)
		}
		switch {
		case err != nil:
			return fmt.Errorf("connection %d: %s: %w", i, cmd, err)
		case ev.joined == room:
			b.roomLive[c.room].Add(1)
			c.setupOn.Store(false)
			return nil
		case ev.err == "room_not_found" && attempt < 100:
			time.Sleep(20 * time.Millisecond) // its creator is not there yet
		case ev.joined != "":
			continue // a late joined of the default room
		default:
			return fmt.Errorf("connection %d: %s: error %s", i, cmd, ev.err)
		}
	}
}

// expectJoined waits for a joined envelope (of room, when not empty).
func expectJoined(c *conn, room string) error {
	for {
		ev, err := c.await(30 * time.Second)
		if err != nil {
			return err
		}
		if ev.err != "" {
			return fmt.Errorf("error %s", ev.err)
		}
		if ev.joined != "" && (room == "" || ev.joined == room) {
			return nil
		}
	}
}

func (b *bench) closeAll() {
	b.closing.Store(true)
	for _, c := range b.conns {
		if c != nil {
			_ = c.ws.CloseNow()
		}
	}
}

// idle holds the connections without traffic, then measures what they cost
// the server: once after a few seconds, and again at the end of -idle. An
// idle Go server collects garbage at least every two minutes, and only a
// collection shrinks the goroutine stacks that the connect phase grew, so an
// -idle past two minutes measures what idle connections cost for good.
func (b *bench) idle(ctx context.Context, res *Result, before procSample) {
	early := min(10*time.Second, b.cfg.idle)
	sleep := func(d time.Duration) {
		select {
		case <-time.After(d):
		case <-ctx.Done():
		}
	}
	sleep(early)
	st := &IdleStats{Seconds: b.cfg.idle.Seconds(), RSSBeforeMiB: kib2mib(before.rssKiB)}
	st.Early = b.idleSample(ctx, before, early)
	sleep(b.cfg.idle - early)
	final := b.idleSample(ctx, before, b.cfg.idle)
	st.Open, st.RSSAfterMiB, st.PerConnKB, st.Server = final.Open, final.RSSMiB, final.PerConnKB, final.Server
	res.Idle = st
}

func (b *bench) idleSample(ctx context.Context, before procSample, after time.Duration) *IdleSample {
	p := readProc(b.cfg.pid)
	s := &IdleSample{After: after.Seconds(), RSSMiB: kib2mib(p.rssKiB)}
	for i := range b.roomLive {
		s.Open += int(b.roomLive[i].Load())
	}
	if s.Open > 0 && p.ok && before.ok {
		s.PerConnKB = float64(p.rssKiB-before.rssKiB) * 1024 / 1000 / float64(s.Open)
	}
	if m, err := scrapeMetrics(ctx, b.cfg.addr); err == nil {
		s.Server = &m
	}
	return s
}

// publishers picks the connections that publish, spread over the rooms.
func (b *bench) publisherConns() []*conn {
	var out []*conn
	for _, c := range b.conns {
		if len(out) == b.cfg.publishers {
			break
		}
		if c != nil {
			out = append(out, c)
		}
	}
	return out
}

// runStep publishes rate messages/s for the configured duration as step k,
// then waits up to drain for the deliveries, and reports the step.
func (b *bench) runStep(ctx context.Context, k int, rate float64, log io.Writer) Step {
	st := &b.steps[k]
	pubs := b.publisherConns()
	interval := time.Duration(float64(time.Second) * float64(len(pubs)) / rate)
	srvStart, benchStart := readProc(b.cfg.pid), readProc(0)
	metricsStart, _ := scrapeMetrics(ctx, b.cfg.addr)
	waitStart := ownSchedWait()
	dropsBefore := b.dropped.Load()
	start := b.now()
	end := start + b.cfg.duration
	var wg sync.WaitGroup
	for j, c := range pubs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Spread the publishers' phases over one interval.
			next := start + time.Duration(int64(interval)*int64(j)/int64(len(pubs)))
			for next < end && ctx.Err() == nil {
				if d := next - b.now(); d > 0 {
					time.Sleep(d)
				}
				if err := b.sendMessage(c, k); err != nil {
					return
				}
				next += interval
				if now := b.now(); now-next > time.Second {
					next = now // fell far behind: don't burst to catch up
				}
			}
		}()
	}
	var samples []Sample
	if b.cfg.sample > 0 {
		stop := make(chan struct{})
		var sw sync.WaitGroup
		sw.Add(1)
		go func() {
			defer sw.Done()
			t := time.NewTicker(b.cfg.sample)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					samples = append(samples, b.sampleServer(ctx))
				}
			}
		}()
		defer func() { close(stop); sw.Wait() }()
	}
	b.watchdog(&wg, end+10*time.Second)
	publishEnd := b.now()
	srvEnd, benchEnd := readProc(b.cfg.pid), readProc(0)
	waitEnd := ownSchedWait()
	metricsPublished, _ := scrapeMetrics(ctx, b.cfg.addr) // the scheduler's wait while publishing
	deadline := publishEnd + b.cfg.drain
	for b.now() < deadline && st.received.Load() < st.expected.Load() && ctx.Err() == nil {
		time.Sleep(5 * time.Millisecond)
	}
	metricsDrained, _ := scrapeMetrics(ctx, b.cfg.addr) // every ack of the step
	publishSecs := (publishEnd - start).Seconds()
	out := Step{Rate: rate, Seconds: publishSecs,
		Sent: st.sent.Load(), SendFailures: st.sendFailures.Load(), SendErrors: st.sendErrors.Load(),
		Expected: st.expected.Load(), Received: st.received.Load(), Acks: st.acks.Load(),
		P50ms: st.lat.quantile(0.50), P90ms: st.lat.quantile(0.90), P99ms: st.lat.quantile(0.99), MaxMs: st.lat.maxMs(),
		AckP50ms: st.ack.quantile(0.50), AckP99ms: st.ack.quantile(0.99), AckMaxMs: st.ack.maxMs(),
		ServerCPU: cpuPercent(srvStart, srvEnd), BenchCPU: cpuPercent(benchStart, benchEnd),
		ServerRSSMiB: kib2mib(srvEnd.rssKiB), Dropped: b.dropped.Load() - dropsBefore, Samples: samples}
	out.SentRate = float64(out.Sent) / publishSecs
	out.ServerAckP99ms, _ = metricsDrained.ack.quantileSince(metricsStart.ack, 0.99)
	out.SchedP99ms, _ = metricsPublished.sched.quantileSince(metricsStart.sched, 0.99)
	out.BenchSchedP99ms, _ = waitEnd.quantileSince(waitStart, 0.99)
	if out.Received > 0 && srvStart.ok && srvEnd.ok {
		out.ServerCPUPerDelivery = (srvEnd.cpu - srvStart.cpu) * 1e6 / float64(out.Received)
	}
	out.DeliveriesPerSec = float64(out.Received) / publishSecs
	out.Lost = out.Expected - out.Received
	if out.Expected > 0 {
		out.LossPct = 100 * float64(out.Lost) / float64(out.Expected)
	}
	out.OK = out.Lost == 0 && out.Dropped == 0 && out.SendErrors == 0 && out.SendFailures == 0 && out.Sent > 0
	fmt.Fprintf(log, "%s step %d: %.0f msg/s → %.0f deliveries/s, p50 %.1f p99 %.1f max %.1f ms, ack p99 %.1f ms, lost %d, server CPU %.0f%% (%.2f µs/delivery), bench CPU %.0f%%\n",
		b.cfg.name, k, out.SentRate, out.DeliveriesPerSec, out.P50ms, out.P99ms, out.MaxMs, out.AckP99ms, out.Lost,
		out.ServerCPU, out.ServerCPUPerDelivery, out.BenchCPU)
	return out
}

// watchdog waits for the publishers, closing every connection if they are
// still blocked in writes at deadline (a server that stopped reading).
func (b *bench) watchdog(wg *sync.WaitGroup, deadline time.Duration) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(deadline - b.now()):
		b.closeAll()
		<-done
	}
}

func (b *bench) sampleServer(ctx context.Context) Sample {
	p := readProc(b.cfg.pid)
	s := Sample{T: b.now().Seconds(), RSSMiB: kib2mib(p.rssKiB)}
	if m, err := scrapeMetrics(ctx, b.cfg.addr); err == nil {
		s.Goroutines, s.HeapLiveMiB = m.Goroutines, m.HeapLiveMiB
	}
	return s
}

// searchRates steps the rate up by -factor until a step fails (p99 over
// -max-p99, or any loss), then bisects between the last passing and the
// first failing rate.
func (b *bench) searchRates(ctx context.Context, res *Result, log io.Writer) {
	rate := b.cfg.rate
	var lo, hi float64 // last passing, first failing
	for k := 0; k < maxSteps && ctx.Err() == nil; k++ {
		st := b.runStep(ctx, k, rate, log)
		st.OK = st.OK && st.P99ms <= float64(b.cfg.maxP99.Milliseconds())
		res.Steps = append(res.Steps, st)
		if st.OK {
			lo = rate
		} else {
			hi = rate
			b.settle(ctx)
		}
		if b.dropped.Load() > 0 {
			break // connections are gone: later steps would measure a smaller room
		}
		switch {
		case hi == 0:
			rate *= b.cfg.searchFactor
		case lo == 0:
			rate /= b.cfg.searchFactor * b.cfg.searchFactor // failed at the start: go lower
			hi = 0
			if rate < 1 {
				return
			}
		case b.cfg.refine > 0:
			b.cfg.refine--
			rate = (lo + hi) / 2
		default:
			return
		}
	}
}

// settle waits until deliveries stop arriving (a failed step may leave a
// backlog), at most 30 s.
func (b *bench) settle(ctx context.Context) {
	var last int64 = -1
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && ctx.Err() == nil; {
		n := b.frames.Load()
		if n == last {
			return
		}
		last = n
		time.Sleep(time.Second)
	}
}

func kib2mib(k int64) float64 { return float64(k) / 1024 }

// Result is one run, as its JSON line.
type Result struct {
	Scenario           string         `json:"scenario"`
	Addr               string         `json:"addr"`
	Time               string         `json:"time"`
	Conns              int            `json:"conns"`
	Rooms              int            `json:"rooms"`
	Users              int            `json:"users"`
	Publishers         int            `json:"publishers"`
	Size               int            `json:"size"`
	SourceIPs          int            `json:"source_ips"`
	Connect            ConnectStats   `json:"connect"`
	Steps              []Step         `json:"steps,omitempty"`
	Idle               *IdleStats     `json:"idle,omitempty"`
	ServerRSSBeforeMiB float64        `json:"server_rss_before_mib"`
	ServerBefore       *serverMetrics `json:"server_before,omitempty"`
	Dropped            int64          `json:"dropped"`
	Errors             map[string]int `json:"errors,omitempty"`
	BenchCPU           float64        `json:"bench_cpu_pct"`
	LoadAvg            float64        `json:"load_avg"` // the machine's 1-minute load average at the start
	benchStart         procSample
}

// ConnectStats is the connect phase.
type ConnectStats struct {
	OK           int     `json:"ok"`
	Failed       int     `json:"failed"`
	Seconds      float64 `json:"seconds"` // first dial to the last first joined
	Rate         float64 `json:"rate"`    // connections per second
	P50ms        float64 `json:"p50_ms"`
	P99ms        float64 `json:"p99_ms"`
	MaxMs        float64 `json:"max_ms"`
	SetupSeconds float64 `json:"setup_seconds"` // including the moves into rooms
	FirstError   string  `json:"first_error,omitempty"`
}

// Step is one publishing rate.
type Step struct {
	Rate             float64 `json:"rate"` // target messages/s
	SentRate         float64 `json:"sent_rate"`
	Seconds          float64 `json:"seconds"`
	Sent             int64   `json:"sent"`
	SendFailures     int64   `json:"send_failures"`
	SendErrors       int64   `json:"send_errors"`
	Acks             int64   `json:"acks"`
	Expected         int64   `json:"expected"`
	Received         int64   `json:"received"`
	Lost             int64   `json:"lost"`
	LossPct          float64 `json:"loss_pct"`
	DeliveriesPerSec float64 `json:"deliveries_per_sec"`
	P50ms            float64 `json:"p50_ms"`
	P90ms            float64 `json:"p90_ms"`
	P99ms            float64 `json:"p99_ms"`
	MaxMs            float64 `json:"max_ms"`
	AckP50ms         float64 `json:"ack_p50_ms"`
	AckP99ms         float64 `json:"ack_p99_ms"`
	AckMaxMs         float64 `json:"ack_max_ms"`
	// ServerAckP99ms is the server's own view of ack p99: from its write
	// path taking a message to the ack (sala_message_ack_seconds). What
	// AckP99ms adds to it is the network, the kernel and SchedP99ms, how
	// long the server's goroutines waited for a CPU while publishing. Both
	// are estimated from histogram buckets; 0 when the server has no such
	// metrics.
	ServerAckP99ms float64 `json:"server_ack_p99_ms"`
	SchedP99ms     float64 `json:"sched_p99_ms"`
	// BenchSchedP99ms is the same wait in the load generator: how late its
	// goroutines may have read what arrived.
	BenchSchedP99ms float64 `json:"bench_sched_p99_ms"`
	ServerCPU       float64 `json:"server_cpu_pct"`
	// ServerCPUPerDelivery is the server's CPU time per delivery, in µs:
	// what the fan-out costs, whatever else shares the core.
	ServerCPUPerDelivery float64  `json:"server_cpu_us_per_delivery"`
	BenchCPU             float64  `json:"bench_cpu_pct"`
	ServerRSSMiB         float64  `json:"server_rss_mib"`
	Dropped              int64    `json:"dropped"`
	OK                   bool     `json:"ok"`
	Samples              []Sample `json:"samples,omitempty"`
}

// Sample is the server's state at one moment of a step.
type Sample struct {
	T           float64 `json:"t"`
	RSSMiB      float64 `json:"rss_mib"`
	Goroutines  float64 `json:"goroutines"`
	HeapLiveMiB float64 `json:"heap_live_mib"`
}

// IdleStats is what idle connections cost the server, at the end of the
// idle time (and Early, a few seconds after connecting).
type IdleStats struct {
	Seconds      float64        `json:"seconds"`
	Open         int            `json:"open"`
	RSSBeforeMiB float64        `json:"rss_before_mib"`
	RSSAfterMiB  float64        `json:"rss_after_mib"`
	PerConnKB    float64        `json:"per_conn_kb"` // (after − before) / open, in kB of 1000 bytes
	Server       *serverMetrics `json:"server,omitempty"`
	Early        *IdleSample    `json:"early,omitempty"`
}

// IdleSample is the server's memory at one moment of the idle time.
type IdleSample struct {
	After     float64        `json:"after_s"`
	Open      int            `json:"open"`
	RSSMiB    float64        `json:"rss_mib"`
	PerConnKB float64        `json:"per_conn_kb"`
	Server    *serverMetrics `json:"server,omitempty"`
}

// best is the passing step with the most deliveries/s, nil if none passed.
func (r *Result) best() *Step {
	var b *Step
	for i := range r.Steps {
		s := &r.Steps[i]
		if s.OK && (b == nil || s.DeliveriesPerSec > b.DeliveriesPerSec) {
			b = s
		}
	}
	return b
}

func printTable(w io.Writer, r *Result) {
	fmt.Fprintf(w, "\n== %s: %d connections, %d rooms, %d users, %d publishers, %d-byte messages\n",
		r.Scenario, r.Conns, r.Rooms, r.Users, r.Publishers, r.Size)
	c := r.Connect
	fmt.Fprintf(w, "connect: %d ok, %d failed, %.0f conns/s (upgrade → joined p50 %.1f ms, p99 %.1f ms, max %.1f ms); setup with room moves %.1f s\n",
		c.OK, c.Failed, c.Rate, c.P50ms, c.P99ms, c.MaxMs, c.SetupSeconds)
	if r.Idle != nil {
		i := r.Idle
		fmt.Fprintf(w, "server RSS before connecting: %.1f MiB\n", i.RSSBeforeMiB)
		for _, s := range []*IdleSample{i.Early, {After: i.Seconds, Open: i.Open, RSSMiB: i.RSSAfterMiB, PerConnKB: i.PerConnKB, Server: i.Server}} {
			if s == nil || (s == i.Early && s.After >= i.Seconds) {
				continue
			}
			fmt.Fprintf(w, "idle %3.0f s: %d open, server RSS %.1f MiB = %.1f kB per connection", s.After, s.Open, s.RSSMiB, s.PerConnKB)
			if m := s.Server; m != nil {
				fmt.Fprintf(w, "; goroutines %.0f, stacks %.1f MiB, heap in use %.1f MiB (live %.1f), GCs so far %.0f",
					m.Goroutines, m.StackMiB, m.HeapInuseMiB, m.HeapLiveMiB, m.GCCycles)
			}
			fmt.Fprintln(w)
		}
	}
	if len(r.Steps) > 0 {
		fmt.Fprintf(w, "%8s %8s %10s %10s %8s %11s %7s %7s %7s %7s %7s %7s %8s %7s %9s %6s %6s %7s %3s\n",
			"rate", "sent/s", "expected", "received", "lost", "deliv/s", "p50ms", "p90ms", "p99ms", "maxms",
			"ack50", "ack99", "srvAck99", "sched99", "bnSched99", "srvCPU", "bnCPU", "srvMiB", "ok")
		for _, s := range r.Steps {
			fmt.Fprintf(w, "%8.0f %8.0f %10d %10d %8d %11.0f %7.1f %7.1f %7.1f %7.1f %7.1f %7.1f %8.1f %7.1f %9.1f %5.0f%% %5.0f%% %7.1f %3v\n",
				s.Rate, s.SentRate, s.Expected, s.Received, s.Lost, s.DeliveriesPerSec, s.P50ms, s.P90ms, s.P99ms,
				s.MaxMs, s.AckP50ms, s.AckP99ms, s.ServerAckP99ms, s.SchedP99ms, s.BenchSchedP99ms, s.ServerCPU, s.BenchCPU, s.ServerRSSMiB, s.OK)
		}
	}
	if b := r.best(); b != nil && len(r.Steps) > 1 {
		fmt.Fprintf(w, "best passing step: %.0f deliveries/s at p99 %.1f ms\n", b.DeliveriesPerSec, b.P99ms)
	}
	if r.Dropped > 0 {
		fmt.Fprintf(w, "connections closed by the server while measuring: %d\n", r.Dropped)
	}
	if len(r.Errors) > 0 {
		keys := make([]string, 0, len(r.Errors))
		for k := range r.Errors {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprint(w, "error envelopes:")
		for _, k := range keys {
			fmt.Fprintf(w, " %s=%d", k, r.Errors[k])
		}
		fmt.Fprintln(w)
	}
}
