package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/salachat/sala/backend/internal/store/storetest"
)

// TestClusterFanoutBench measures fan-out on one node without NATS and on
// 1, 2 and 3 nodes of a cluster: `sala serve` processes on this machine
// sharing PostgreSQL and a nats-server of the test's own, connections spread
// evenly over the nodes, all in the default room. Two phases per setup:
// a steady offered load (latency), then publishers that keep a window of
// unacknowledged messages in flight (the highest throughput). `make
// bench-cluster` runs it; elsewhere it skips. SALA_BENCH_CONNS (300),
// SALA_BENCH_RATE (100 messages/s) and SALA_BENCH_SECONDS (5) tune it.
func TestClusterFanoutBench(t *testing.T) {
	if os.Getenv("SALA_BENCH_CLUSTER") == "" {
		t.Skip("a benchmark: make bench-cluster runs it")
	}
	conns, rate, seconds := envInt("SALA_BENCH_CONNS", 300), envInt("SALA_BENCH_RATE", 100), envInt("SALA_BENCH_SECONDS", 5)
	var rows []string
	for _, setup := range []struct {
		name  string
		nodes int
		nats  bool
	}{{"1 node, no NATS", 1, false}, {"1 node", 1, true}, {"2 nodes", 2, true}, {"3 nodes", 3, true}} {
		t.Run(setup.name, func(t *testing.T) {
			b := newFanoutBench(t, setup.nodes, setup.nats, conns)
			steady := b.run(float64(rate), 0, time.Duration(seconds)*time.Second)
			most := b.run(0, 16, time.Duration(seconds)*time.Second)
			rows = append(rows, fmt.Sprintf("| %s | %d | %s | %s |", setup.name, conns, steady, most))
		})
	}
	fmt.Printf("\nfan-out over %d connections in one room, 6 publishers spread over the nodes, %ds per phase\n\n", conns, seconds)
	fmt.Println("| setup | conns | steady: msg/s → deliveries/s, p50 / p99 / max latency, lost | saturated: msg/s → deliveries/s, p50 / p99 latency, lost |")
	fmt.Println("| --- | --- | --- | --- |")
	for _, r := range rows {
		fmt.Println(r)
	}
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// fanoutBench is the connections of one setup.
type fanoutBench struct {
	t     *testing.T
	conns []*benchConn
	pubs  []*benchConn
}

// benchConn is a connection that records when each message reaches it.
type benchConn struct {
	ws       *websocket.Conn
	got      atomic.Int64 // bench messages received
	mu       sync.Mutex
	lat      []time.Duration
	acks     chan struct{} // acks of the bench messages it sent
	joinedCh chan struct{}
	joinOnce sync.Once
}

func newFanoutBench(t *testing.T, nodes int, withNATS bool, n int) *fanoutBench {
	t.Helper()
	env := []string{"SALA_DATABASE_URL=" + storetest.PostgresURL(t), "SALA_MSG_RATE=1000000",
		"SALA_MAX_CONNS_PER_ADDR=0", "SALA_JWT_SECRET=bench-secret-" + strings.Repeat("x", 32)}
	if withNATS {
		ns := startNATSServer(t, freeAddr(t))
		ns.wait(t)
		env = append(env, "SALA_NATS_URL="+ns.url)
	}
	var servers []*testServer
	for range nodes {
		p := startProcess(t, "", append(env, "SALA_DATA_DIR="+t.TempDir(), "SALA_LOG_LEVEL=error")...)
		servers = append(servers, remoteServer(t, p.addr))
	}
	var tokens []string
	for i := range 20 {
		tokens = append(tokens, servers[0].signup(fmt.Sprint("bench", i)))
	}
	b := &fanoutBench{t: t}
	for i := range n {
		s := servers[i%nodes]
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		ws, _, err := websocket.Dial(ctx, "ws://"+strings.TrimPrefix(s.base, "http://")+"/api/v1/ws?token="+tokens[i%len(tokens)], nil)
		cancel()
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		ws.SetReadLimit(16 << 20)
		c := &benchConn{ws: ws, acks: make(chan struct{}, 1024), joinedCh: make(chan struct{})}
		t.Cleanup(func() { ws.CloseNow() })
		go c.read()
		b.conns = append(b.conns, c)
	}
	for _, c := range b.conns {
		select {
		case <-c.joinedCh:
		case <-time.After(20 * time.Second):
			t.Fatal("a connection did not join")
		}
	}
	b.pubs = b.conns[:6] // connections i%nodes: spread over the nodes
	return b
}

func (c *benchConn) read() {
	var env struct {
		Type string `json:"type"`
		Text string `json:"text"`
		ID   any    `json:"id"`
	}
	for {
		_, data, err := c.ws.Read(context.Background())
		if err != nil {
			return
		}
		now := time.Now()
		for line := range bytes.SplitSeq(data, []byte("\n")) {
			env.Type, env.Text = "", ""
			if json.Unmarshal(line, &env) != nil {
				continue
			}
			switch env.Type {
			case "joined":
				c.joinOnce.Do(func() { close(c.joinedCh) })
			case "ack":
				select {
				case c.acks <- struct{}{}:
				default:
				}
			case "message":
				sent, ok := strings.CutPrefix(env.Text, "bench ")
				if !ok {
					continue
				}
				stamp, _, _ := strings.Cut(sent, " ")
				ns, _ := strconv.ParseInt(stamp, 10, 64)
				c.got.Add(1)
				c.mu.Lock()
				c.lat = append(c.lat, now.Sub(time.Unix(0, ns)))
				c.mu.Unlock()
			}
		}
	}
}

var benchSeq atomic.Int64

func (c *benchConn) send() error {
	id := benchSeq.Add(1)
	raw := fmt.Sprintf(`{"type":"send","id":"b%d","text":"bench %d %d"}`, id, time.Now().UnixNano(), id)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return c.ws.Write(ctx, websocket.MessageText, []byte(raw))
}

// run publishes for d, at rate messages/s in all, or (rate 0) with window
// unacknowledged messages per publisher, then waits for the deliveries and
// summarises them.
func (b *fanoutBench) run(rate float64, window int, d time.Duration) string {
	for _, c := range b.conns {
		c.got.Store(0)
		c.mu.Lock()
		c.lat = c.lat[:0]
		c.mu.Unlock()
	}
	var sent atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for _, p := range b.pubs {
		for len(p.acks) > 0 {
			<-p.acks
		}
		wg.Go(func() {
			if rate > 0 {
				every := time.Duration(float64(time.Second) * float64(len(b.pubs)) / rate)
				for next := time.Now(); time.Since(start) < d; next = next.Add(every) {
					time.Sleep(time.Until(next))
					if p.send() != nil {
						return
					}
					sent.Add(1)
				}
				return
			}
			inFlight := 0
			for time.Since(start) < d {
				for inFlight < window {
					if p.send() != nil {
						return
					}
					sent.Add(1)
					inFlight++
				}
				select {
				case <-p.acks:
					inFlight--
				case <-time.After(5 * time.Second):
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	want := sent.Load() * int64(len(b.conns))
	received := func() (n int64) {
		for _, c := range b.conns {
			n += c.got.Load()
		}
		return n
	}
	for deadline := time.Now().Add(10 * time.Second); received() < want && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	got := received()
	var lat []time.Duration
	for _, c := range b.conns {
		c.mu.Lock()
		lat = append(lat, c.lat...)
		c.mu.Unlock()
	}
	slices.Sort(lat)
	q := func(f float64) string {
		if len(lat) == 0 {
			return "-"
		}
		return fmt.Sprintf("%.1f", float64(lat[min(len(lat)-1, int(f*float64(len(lat))))].Microseconds())/1000)
	}
	msgs := float64(sent.Load()) / elapsed.Seconds()
	b.t.Logf("rate %v window %d: %d messages, %d/%d deliveries in %v", rate, window, sent.Load(), got, want, elapsed.Round(time.Millisecond))
	if rate > 0 {
		return fmt.Sprintf("%.0f → %.0f/s, %s / %s / %s ms, %d lost", msgs, float64(got)/elapsed.Seconds(),
			q(0.5), q(0.99), q(1), want-got)
	}
	return fmt.Sprintf("%.0f → %.0f/s, %s / %s ms, %d lost", msgs, float64(got)/elapsed.Seconds(), q(0.5), q(0.99), want-got)
}
