package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/salachat/sala/backend/internal/config"
	"github.com/salachat/sala/backend/internal/natsbus"
	"github.com/salachat/sala/backend/internal/natsbus/natstest"
	"github.com/salachat/sala/backend/internal/store/storetest"
)

// Several Sala nodes share one PostgreSQL database (a fresh schema per
// test) and one NATS server, each cluster under a NATS prefix of its own so
// that tests running at the same time never see each other.

// envNATSURL names the NATS server (with JetStream) the cluster tests use.
const envNATSURL = "SALA_TEST_NATS_URL"

// testNATS returns the NATS server of the machine, or skips (fails under
// CI=true) when it does not answer.
func testNATS(t *testing.T) string {
	t.Helper()
	u := os.Getenv(envNATSURL)
	if u == "" {
		u = "nats://127.0.0.1:4222"
	}
	nc, err := nats.Connect(u, nats.Timeout(2*time.Second))
	if err == nil {
		nc.Close()
		return u
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("no NATS server at %s (%v): CI must run the cluster tests", u, err)
	}
	t.Skipf("cluster tests skipped: no NATS server at %s (%v); start nats-server -js or set %s", u, err, envNATSURL)
	return ""
}

// natsPrefix returns a prefix of its own for a test and removes its stream
// and buckets when the test ends.
func natsPrefix(t *testing.T, natsURL string) string { return natstest.Prefix(t, natsURL) }

// testCluster is several in-process nodes of one deployment.
type testCluster struct {
	t       *testing.T
	dbURL   string
	natsURL string
	prefix  string
	secret  string
	tune    func(*config.Config)
	bus     natsbus.Config // heartbeats; the prefix is the cluster's
	nodes   []*testServer
}

// startCluster starts n nodes on loopback ports, sharing a fresh
// PostgreSQL schema and the machine's NATS. It skips without PostgreSQL or
// NATS.
func startCluster(t *testing.T, n int, tune func(*config.Config)) *testCluster {
	t.Helper()
	return startClusterOn(t, n, testNATS(t), natsbus.Config{}, tune)
}

// startClusterOn is startCluster on the NATS server at natsURL, with bus's
// heartbeats (zero: 100 ms, and a TTL of 500 ms).
func startClusterOn(t *testing.T, n int, natsURL string, bus natsbus.Config, tune func(*config.Config)) *testCluster {
	t.Helper()
	dbURL := storetest.PostgresURL(t)
	if bus.Heartbeat == 0 {
		bus.Heartbeat, bus.PresenceTTL = 100*time.Millisecond, 500*time.Millisecond
	}
	bus.Prefix = natsPrefix(t, natsURL)
	cl := &testCluster{t: t, dbURL: dbURL, natsURL: natsURL, prefix: bus.Prefix,
		secret: "cluster-test-secret-" + strings.Repeat("x", 32), tune: tune, bus: bus}
	for range n {
		cl.nodes = append(cl.nodes, cl.startNode())
	}
	return cl
}

// startNode starts one more node of the cluster.
func (cl *testCluster) startNode() *testServer {
	t := cl.t
	t.Helper()
	cfg, err := config.Load(nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Addr, cfg.DatabaseURL, cfg.DataDir = "127.0.0.1:0", cl.dbURL, t.TempDir()
	cfg.JWTSecret, cfg.NATSURL = cl.secret, cl.natsURL // a token from one node is good on all
	cfg.MsgRate, cfg.MsgBurst = 1000, 2000
	cfg.SignupRate = 0
	if cl.tune != nil {
		cl.tune(&cfg)
	}
	s := &testServer{t: t, cfg: cfg, checked: map[string]int{}}
	level := slog.LevelWarn
	if os.Getenv("SALA_TEST_LOG") != "" {
		level = slog.LevelDebug
	}
	s.m = NewMain(cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})).
		With("node", len(cl.nodes)+1))
	s.m.Cluster = cl.bus
	if err := s.m.Run(context.Background()); err != nil {
		t.Fatalf("start node %d: %v", len(cl.nodes)+1, err)
	}
	s.base = "http://" + s.m.Addr()
	s.loadSpec()
	t.Cleanup(s.stop)
	return s
}

// natsServer is a nats-server process of a test's own, for nodes that run as
// processes (they can't be given a prefix) or in network namespaces, and
// for tests that stop the broker.
type natsServer struct {
	t    *testing.T
	url  string
	args []string
	cmd  *exec.Cmd
	done chan struct{}
}

// natsServerBinary finds nats-server, or skips (fails under CI=true).
func natsServerBinary(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("SALA_TEST_NATS_SERVER"), "/usr/sbin/nats-server"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	if p, err := exec.LookPath("nats-server"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("nats-server is not installed: CI must run the cluster tests")
	}
	t.Skip("nats-server is not installed (or set SALA_TEST_NATS_SERVER)")
	return ""
}

// startNATSServer runs nats-server with JetStream on addr (host:port),
// its store in a temporary directory; wrap prefixes the command (e.g. ip
// netns exec NS). It stops when the test ends.
func startNATSServer(t *testing.T, addr string, wrap ...string) *natsServer {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n := &natsServer{t: t, url: (&url.URL{Scheme: "nats", Host: addr}).String(),
		args: append(wrap, natsServerBinary(t), "-a", host, "-p", port, "-js", "-sd", filepath.Join(t.TempDir(), "js"))}
	n.start()
	t.Cleanup(n.kill)
	return n
}

func (n *natsServer) start() {
	n.t.Helper()
	n.cmd = exec.Command(n.args[0], n.args[1:]...)
	n.cmd.Stderr = io.Discard
	if err := n.cmd.Start(); err != nil {
		n.t.Fatalf("start nats-server: %v", err)
	}
	n.done = make(chan struct{})
	go func() { _ = n.cmd.Wait(); close(n.done) }()
}

// kill stops the server at once (SIGKILL); start runs it again on the same
// address and store.
func (n *natsServer) kill() {
	_ = n.cmd.Process.Kill()
	<-n.done
}

// wait waits until a client can reach the server (from the test's own
// network).
func (n *natsServer) wait(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if nc, err := nats.Connect(n.url, nats.Timeout(time.Second)); err == nil {
			nc.Close()
			return
		}
	}
	t.Fatalf("nats-server at %s did not answer", n.url)
}

// eventually retries check until it returns nil, for what the cluster
// spreads within milliseconds (presence, the registry).
func eventually(t *testing.T, what string, check func() error) {
	t.Helper()
	var err error
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if err = check(); err == nil {
			return
		}
	}
	t.Fatalf("%s: %v", what, err)
}

// roomCounts asks for #lR and returns the members of every room.
func (c *wsClient) roomCounts() map[string]int {
	c.t.Helper()
	c.drop("rooms")
	c.say(fmt.Sprint("lr-", time.Now().UnixNano()), "#lR")
	counts := map[string]int{}
	for _, r := range c.nextType("rooms")["rooms"].([]any) {
		room := r.(map[string]any)
		counts[room["name"].(string)] = int(room["members"].(float64))
	}
	return counts
}
