package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// The targets of issue 6, each judged from one scenario's result.
const (
	targetS1P99ms       = 20.0
	targetS2P99ms       = 10.0
	targetS3KBPerConn   = 15.0
	targetS3Conns       = 19500
	targetConnectRate   = 5000.0
	targetS4Deliveries  = 450000.0
	targetS4P99ms       = 100.0
	targetS5Rate        = 20000.0
	targetS5AckP99ms    = 50.0
	sustainedShare      = 0.98 // S5 must send and store at least this share of its rate
	flatGoroutinesSlack = 0.02 // S2: growth allowed between the first quarter and the end
	flatMemorySlack     = 0.10
)

// row is one line of the targets table.
type row struct {
	Target string `json:"target"`
	Figure string `json:"figure"`
	Met    string `json:"met"` // "met", "not met", or "not run"
}

func reportCommand(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	results := fs.String("results", "", "JSON lines written by sala-bench run -out")
	micro := fs.String("micro", "", "output of go test -bench (optional)")
	doc := fs.String("doc", "", "markdown file whose generated section to replace (optional)")
	svg := fs.String("svg", "", "write the S4 chart (latency against deliveries/s) to this SVG file (optional)")
	svgLink := fs.String("svg-link", "", "how the doc links to the chart (default: the -svg path)")
	note := fs.String("note", "", "a line about the run (pinning, database versions) for the doc")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *results == "" {
		return errors.New("report: -results is required")
	}
	runs, err := readResults(*results)
	if err != nil {
		return err
	}
	var benches []microBench
	if *micro != "" {
		if benches, err = readMicro(*micro); err != nil {
			return err
		}
	}
	rows := judge(runs)
	m := readMachine()
	fmt.Fprintf(stdout, "\nSala benchmarks on %s\n\n", m)
	printRows(stdout, rows)
	if len(benches) > 0 {
		fmt.Fprintln(stdout)
		printMicro(stdout, benches)
	}
	var s4 *Result
	for _, r := range runs {
		if r.Scenario == "S4" {
			s4 = r
		}
	}
	if *svg != "" && s4 != nil {
		if err := os.WriteFile(*svg, chartS4(s4), 0o644); err != nil {
			return err
		}
	}
	if *doc != "" {
		link := *svgLink
		if link == "" {
			link = *svg
		}
		section := markdownSection(m, *note, rows, runs, benches, link, s4 != nil && *svg != "")
		if err := replaceSection(*doc, section); err != nil {
			return err
		}
	}
	return nil
}

func readResults(path string) ([]*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []*Result
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		r := new(Result)
		if err := json.Unmarshal(sc.Bytes(), r); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, r)
	}
	return out, sc.Err()
}

func find(runs []*Result, name string) *Result {
	for _, r := range runs {
		if r.Scenario == name {
			return r
		}
	}
	return nil
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "not met"
}

// judge turns the runs into the targets table. A scenario that did not run
// says so; nothing is filled in from elsewhere.
func judge(runs []*Result) []row {
	var rows []row
	latency := func(name, target string, limit float64) {
		r := find(runs, name)
		if r == nil || len(r.Steps) == 0 {
			rows = append(rows, row{target, "—", "not run"})
			return
		}
		s := r.Steps[0]
		rows = append(rows, row{target,
			fmt.Sprintf("p99 %.1f ms (p50 %.1f, max %.1f), %.0f deliveries/s, lost %d of %d%s", s.P99ms, s.P50ms, s.MaxMs,
				s.DeliveriesPerSec, s.Lost, s.Expected, dropNote(s)),
			verdict(s.P99ms <= limit && s.OK)})
	}
	latency("S1", fmt.Sprintf("S1: 1000 subscribers in one room, 100 msg/s: p99 ≤ %.0f ms, no loss", targetS1P99ms), targetS1P99ms)
	latency("S2", fmt.Sprintf("S2: 2000 clients in 200 rooms of 10, 1 msg/s each: p99 ≤ %.0f ms, no loss", targetS2P99ms), targetS2P99ms)
	rows = append(rows, flatRow(find(runs, "S2")))

	if r := find(runs, "S3"); r != nil && r.Idle != nil {
		i := r.Idle
		early := ""
		if i.Early != nil && i.Early.After < i.Seconds {
			early = fmt.Sprintf("; %.1f kB after %.0f s", i.Early.PerConnKB, i.Early.After)
		}
		rows = append(rows, row{fmt.Sprintf("S3: ≤ %.0f KB RSS per idle connection at %d connections", targetS3KBPerConn, targetS3Conns),
			fmt.Sprintf("%.1f kB per connection after %.0f s idle (%d open; RSS %.0f → %.0f MiB%s)",
				i.PerConnKB, i.Seconds, i.Open, i.RSSBeforeMiB, i.RSSAfterMiB, early),
			verdict(i.PerConnKB <= targetS3KBPerConn && i.Open >= targetS3Conns)})
		c := r.Connect
		rows = append(rows, row{fmt.Sprintf("Connect (upgrade + JWT + welcome + joined with history): ≥ %.0f conns/s", targetConnectRate),
			fmt.Sprintf("%.0f conns/s over %d connections (p50 %.1f ms, p99 %.1f ms)", c.Rate, c.OK, c.P50ms, c.P99ms),
			verdict(c.Rate >= targetConnectRate)})
	} else {
		rows = append(rows, row{"S3: idle memory per connection", "—", "not run"},
			row{"Connect rate", "—", "not run"})
	}

	if r := find(runs, "S4"); r != nil {
		target := fmt.Sprintf("S4: ≥ %.0f deliveries/s at p99 ≤ %.0f ms, no loss (1000 clients, one room)", targetS4Deliveries, targetS4P99ms)
		if b := r.best(); b != nil {
			rows = append(rows, row{target,
				fmt.Sprintf("%.0f deliveries/s at p99 %.1f ms (%.0f msg/s; %d steps tried)", b.DeliveriesPerSec, b.P99ms, b.SentRate, len(r.Steps)),
				verdict(b.DeliveriesPerSec >= targetS4Deliveries && b.P99ms <= targetS4P99ms)})
		} else {
			rows = append(rows, row{target, fmt.Sprintf("no step passed (%d tried)", len(r.Steps)), "not met"})
		}
	} else {
		rows = append(rows, row{"S4: highest deliveries/s at p99 ≤ 100 ms", "—", "not run"})
	}

	for _, db := range []string{"sqlite", "postgres"} {
		target := fmt.Sprintf("S5 (%s): 2000 clients in 200 rooms sending %.0f msg/s, stored, p99 send→ack ≤ %.0f ms", db, targetS5Rate, targetS5AckP99ms)
		r := find(runs, "S5-"+db)
		if r == nil || len(r.Steps) == 0 {
			rows = append(rows, row{target, "—", "not run"})
			continue
		}
		s := r.Steps[0]
		ok := s.SentRate >= sustainedShare*targetS5Rate && s.Acks == s.Sent && s.AckP99ms <= targetS5AckP99ms && s.OK
		rows = append(rows, row{target,
			fmt.Sprintf("%.0f msg/s sent, %d of %d acked, ack p99 %.1f ms (p50 %.1f); deliveries %.0f/s at p99 %.1f ms, lost %d%s",
				s.SentRate, s.Acks, s.Sent, s.AckP99ms, s.AckP50ms, s.DeliveriesPerSec, s.P99ms, s.Lost, dropNote(s)),
			verdict(ok)})
	}
	return rows
}

func dropNote(s Step) string {
	var notes []string
	if s.Dropped > 0 {
		notes = append(notes, fmt.Sprintf("%d connections closed by the server", s.Dropped))
	}
	if s.SendErrors > 0 {
		notes = append(notes, fmt.Sprintf("%d sends refused", s.SendErrors))
	}
	if len(notes) == 0 {
		return ""
	}
	return "; " + strings.Join(notes, ", ")
}

// flatRow judges S2's samples: goroutines, live heap and RSS at the end
// against the first sample after a quarter of the run.
func flatRow(r *Result) row {
	target := "S2: memory and goroutines flat over the run"
	if r == nil || len(r.Steps) == 0 || len(r.Steps[0].Samples) < 4 {
		return row{target, "— (needs -sample)", "not run"}
	}
	s := r.Steps[0].Samples
	a, b := s[len(s)/4], s[len(s)-1]
	ok := b.Goroutines <= a.Goroutines*(1+flatGoroutinesSlack)+10 &&
		b.HeapLiveMiB <= a.HeapLiveMiB*(1+flatMemorySlack)+4 &&
		b.RSSMiB <= a.RSSMiB*(1+flatMemorySlack)+8
	return row{fmt.Sprintf("%s (%.0f s)", target, r.Steps[0].Seconds),
		fmt.Sprintf("from %.0f s to %.0f s: goroutines %.0f → %.0f, live heap %.1f → %.1f MiB, RSS %.1f → %.1f MiB",
			a.T-s[0].T, b.T-s[0].T, a.Goroutines, b.Goroutines, a.HeapLiveMiB, b.HeapLiveMiB, a.RSSMiB, b.RSSMiB),
		verdict(ok)}
}

func printRows(w io.Writer, rows []row) {
	width := 0
	for _, r := range rows {
		width = max(width, len([]rune(r.Target)))
	}
	for _, r := range rows {
		pad := width - len([]rune(r.Target))
		fmt.Fprintf(w, "%-7s  %s%s  %s\n", strings.ToUpper(r.Met), r.Target, strings.Repeat(" ", pad), r.Figure)
	}
}

// microBench is one line of go test -bench output.
type microBench struct {
	Pkg, Name string
	NsOp      float64
	BOp       float64
	AllocsOp  float64
	Extra     []string // custom metrics, e.g. "2721025 deliveries/s"
}

func readMicro(path string) ([]microBench, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []microBench
	pkg := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimPrefix(p, "github.com/salachat/sala/backend/")
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		mb := microBench{Pkg: pkg, Name: strings.TrimPrefix(f[0], "Benchmark")}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				mb.NsOp = v
			case "B/op":
				mb.BOp = v
			case "allocs/op":
				mb.AllocsOp = v
			default:
				mb.Extra = append(mb.Extra, f[i]+" "+f[i+1])
			}
		}
		out = append(out, mb)
	}
	return out, sc.Err()
}

func printMicro(w io.Writer, benches []microBench) {
	fmt.Fprintf(w, "%-48s %14s %10s %10s  %s\n", "micro-benchmark", "ns/op", "B/op", "allocs/op", "")
	for _, b := range benches {
		fmt.Fprintf(w, "%-48s %14.0f %10.0f %10.0f  %s\n", b.Pkg+" "+b.Name, b.NsOp, b.BOp, b.AllocsOp, strings.Join(b.Extra, ", "))
	}
}

// machine describes where the numbers were measured.
type machine struct {
	CPUs   int
	Model  string
	MemGiB float64
	Kernel string
	Go     string
}

func (m machine) String() string {
	return fmt.Sprintf("%d × %s, %.1f GiB RAM, Linux %s, %s", m.CPUs, m.Model, m.MemGiB, m.Kernel, m.Go)
}

func readMachine() machine {
	m := machine{CPUs: runtime.NumCPU(), Model: "unknown CPU", Go: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				m.Model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
				m.MemGiB = kb / (1 << 20)
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	return m
}

const (
	sectionStart = "<!-- bench:results:start (generated by make bench; edits here are overwritten) -->"
	sectionEnd   = "<!-- bench:results:end -->"
)

// stepColumns head the table of every step (the row written in
// markdownSection has one figure for each, in this order).
var stepColumns = []string{"scenario", "conns", "rooms", "msg/s", "deliveries/s", "p50", "p90", "p99", "max",
	"ack p50", "ack p99", "server ack p99", "sched p99", "bench sched p99", "lost", "server CPU", "µs/deliv",
	"bench CPU", "server RSS MiB", "load"}

func markdownSection(m machine, note string, rows []row, runs []*Result, benches []microBench, svgLink string, chart bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n", sectionStart)
	fmt.Fprintf(&b, "Last run: %s, on %s.", time.Now().UTC().Format("2006-01-02 15:04 MST"), m)
	if note != "" {
		fmt.Fprintf(&b, " %s", note)
	}
	b.WriteString("\n\n| target | measured | |\n| --- | --- | --- |\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | **%s** |\n", r.Target, r.Figure, r.Met)
	}
	b.WriteString("\nEvery scenario, as `sala-bench` printed it (latencies in ms; CPU in % of one core; " +
		"server ack p99 is the server's own view, from its write path taking a message to the ack (`sala_message_ack_seconds`); " +
		"sched p99 is how long the server's goroutines waited for its core while publishing (`sala_goroutine_wait_seconds`), " +
		"bench sched p99 the same in the load generator; " +
		"µs/deliv is the server's CPU time per delivery; load is the machine's 1-minute load average when the scenario started):\n\n")
	fmt.Fprintf(&b, "| %s |\n| --- |%s\n", strings.Join(stepColumns, " | "), strings.Repeat(" ---: |", len(stepColumns)-1))
	for _, r := range runs {
		for i, s := range r.Steps {
			name := r.Scenario
			if len(r.Steps) > 1 {
				name = fmt.Sprintf("%s step %d", r.Scenario, i+1)
				if s.OK {
					name += " ✓"
				}
			}
			fmt.Fprintf(&b, "| %s | %d | %d | %.0f | %.0f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %d | %.0f%% | %.2f | %.0f%% | %.0f | %.2f |\n",
				name, r.Connect.OK, r.Rooms, s.SentRate, s.DeliveriesPerSec, s.P50ms, s.P90ms, s.P99ms, s.MaxMs,
				s.AckP50ms, s.AckP99ms, s.ServerAckP99ms, s.SchedP99ms, s.BenchSchedP99ms, s.Lost, s.ServerCPU, s.ServerCPUPerDelivery,
				s.BenchCPU, s.ServerRSSMiB, r.LoadAvg)
		}
		if r.Idle != nil {
			// Idle: no messages, so a dash for every column but the first
			// four and the last two.
			fmt.Fprintf(&b, "| %s (idle %.0f s) | %d | %d | 0 |%s %.0f | %.2f |\n", r.Scenario, r.Idle.Seconds,
				r.Idle.Open, r.Rooms, strings.Repeat(" — |", len(stepColumns)-6), r.Idle.RSSAfterMiB, r.LoadAvg)
		}
	}
	b.WriteString("\nConnect phases (dial → first `joined`; the setup time adds the move into each connection's room):\n\n")
	b.WriteString("| scenario | connections | conns/s | p50 ms | p99 ms | max ms | setup s |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, r := range runs {
		c := r.Connect
		fmt.Fprintf(&b, "| %s | %d | %.0f | %.1f | %.1f | %.1f | %.1f |\n", r.Scenario, c.OK, c.Rate, c.P50ms, c.P99ms, c.MaxMs, c.SetupSeconds)
	}
	if len(benches) > 0 {
		b.WriteString("\nGo micro-benchmarks (`go test -bench -benchmem`, pinned to the server's core):\n\n")
		b.WriteString("| package | benchmark | ns/op | B/op | allocs/op | other |\n| --- | --- | ---: | ---: | ---: | --- |\n")
		for _, mb := range benches {
			fmt.Fprintf(&b, "| %s | %s | %.0f | %.0f | %.0f | %s |\n", mb.Pkg, mb.Name, mb.NsOp, mb.BOp, mb.AllocsOp, strings.Join(mb.Extra, ", "))
		}
	}
	if chart {
		fmt.Fprintf(&b, "\nS4, every step of the search (latency against deliveries/s):\n\n![S4: latency against deliveries/s](%s)\n", svgLink)
	}
	fmt.Fprintf(&b, "\n%s", sectionEnd)
	return b.String()
}

// replaceSection puts section between the markers of the doc, or appends it
// when the doc has none.
func replaceSection(path, section string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(b)
	i := strings.Index(s, "<!-- bench:results:start")
	j := strings.Index(s, sectionEnd)
	if i >= 0 && j > i {
		s = s[:i] + section + s[j+len(sectionEnd):]
	} else {
		s = strings.TrimRight(s, "\n") + "\n\n" + section + "\n"
	}
	return os.WriteFile(path, []byte(s), 0o644)
}
