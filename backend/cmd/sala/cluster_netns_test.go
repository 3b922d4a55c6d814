package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/salachat/sala/backend/internal/store/storetest"
)

// The cluster over network namespaces: servers and clients on different
// "machines". Each node, the NATS broker and each client host gets a
// network namespace of its own, all linked to one bridge that lives in a
// namespace of its own too, with addresses in 10.77.0.0/24 assigned inside
// those namespaces only: no traffic leaves them, and the host's own network
// is untouched. PostgreSQL stays on the host and is reached through its unix
// socket, which namespaces share. The clients are this test binary run
// again inside their namespace (TestNetnsClient).

const (
	netnsSubnet     = "10.77.0."
	envNetnsClient  = "SALA_NETNS_CLIENT"
	netnsMsgsPerUse = 30
)

// netnsName is a namespace of this test process: sl<pid><role>.
var netnsName = regexp.MustCompile(`^sl(\d+)(sw|br|n\d|c\d)$`)

// netns runs ip with args and returns its error with its output.
func netns(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

// removeStaleNetns deletes the namespaces earlier runs of this test left,
// those whose process is gone.
func removeStaleNetns() {
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(out), "\n") {
		name, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		m := netnsName.FindStringSubmatch(name)
		if m == nil {
			continue
		}
		if pid, _ := strconv.Atoi(m[1]); pid > 0 && syscall.Kill(pid, 0) == nil && pid != os.Getpid() {
			continue // still running
		}
		_ = netns("netns", "del", name)
	}
}

// lab is the set of namespaces of one test.
type lab struct {
	t      *testing.T
	prefix string
	sw     string
	next   int // next host address
}

// newLab creates the bridge namespace, or skips when this is not root or
// namespaces can't be made here.
func newLab(t *testing.T) *lab {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("network namespace test skipped: it needs root (ip netns)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		if os.Getenv("CI") == "true" { // .ci/run runs as root and installs iproute2
			t.Fatal("iproute2 (ip) is not installed: CI must run the network namespace test")
		}
		t.Skip("network namespace test skipped: iproute2 (ip) is not installed")
	}
	removeStaleNetns()
	l := &lab{t: t, prefix: fmt.Sprintf("sl%d", os.Getpid()), next: 2}
	l.sw = l.prefix + "sw"
	if err := netns("netns", "add", l.sw); err != nil {
		t.Skipf("network namespace test skipped: %v", err)
	}
	t.Cleanup(func() {
		out, _ := exec.Command("ip", "netns", "list").Output()
		for _, line := range strings.Split(string(out), "\n") {
			if name, _, _ := strings.Cut(strings.TrimSpace(line), " "); strings.HasPrefix(name, l.prefix) {
				_ = netns("netns", "del", name)
			}
		}
	})
	for _, args := range [][]string{
		{"-n", l.sw, "link", "add", "br0", "type", "bridge"},
		{"-n", l.sw, "link", "set", "br0", "up"},
	} {
		if err := netns(args...); err != nil {
			t.Skipf("network namespace test skipped: %v", err)
		}
	}
	return l
}

// host adds a namespace named role, wired to the bridge, and returns its
// name and address.
func (l *lab) host(role string) (name, addr string) {
	l.t.Helper()
	name, addr = l.prefix+role, netnsSubnet+strconv.Itoa(l.next)
	port := "p" + role
	l.next++
	for _, args := range [][]string{
		{"netns", "add", name},
		{"-n", l.sw, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", name},
		{"-n", l.sw, "link", "set", port, "master", "br0"},
		{"-n", l.sw, "link", "set", port, "up"},
		{"-n", name, "addr", "add", addr + "/24", "dev", "eth0"},
		{"-n", name, "link", "set", "eth0", "up"},
		{"-n", name, "link", "set", "lo", "up"},
	} {
		if err := netns(args...); err != nil {
			l.t.Fatal(err)
		}
	}
	return name, addr
}

// waitListening waits until addr accepts TCP connections, seen from inside
// namespace from.
func (l *lab) waitListening(from, addr string) {
	l.t.Helper()
	host, port, _ := strings.Cut(addr, ":")
	probe := fmt.Sprintf("exec 3<>/dev/tcp/%s/%s", host, port)
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if exec.Command("ip", "netns", "exec", from, "bash", "-c", probe).Run() == nil {
			return
		}
	}
	l.t.Fatalf("%s does not answer from %s", addr, from)
}

// start runs a command inside namespace ns until the test ends.
func (l *lab) start(ns string, env []string, args ...string) *exec.Cmd {
	l.t.Helper()
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		l.t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	l.t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})
	return cmd
}

// socketDatabaseURL is url with the host replaced by PostgreSQL's unix
// socket directory, which a process in another network namespace can reach.
func socketDatabaseURL(t *testing.T, dbURL string) string {
	t.Helper()
	dir := os.Getenv("SALA_TEST_PG_SOCKET_DIR")
	if dir == "" {
		dir = "/var/run/postgresql"
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("network namespace test skipped: no PostgreSQL socket directory %s (set SALA_TEST_PG_SOCKET_DIR)", dir)
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("host", dir)
	u.Host, u.RawQuery = "", q.Encode()
	if u.User == nil {
		u.User = url.User("postgres")
	}
	return u.String()
}

// netnsClientConfig is what one client host does.
type netnsClientConfig struct {
	Users   []netnsUser       `json:"users"`   // the users of this host
	All     []string          `json:"all"`     // every user of every host
	Next    map[string]string `json:"next"`    // whom each user writes privately
	Creator string            `json:"creator"` // who creates the shared room
}

type netnsUser struct {
	Login string `json:"login"`
	Node  string `json:"node"` // host:port
}

// TestClusterOverNetworkNamespaces runs three nodes, a NATS broker and
// three client hosts, each in its own network namespace: six users, two per
// client host, each on a different node than its host-mate, chat in the
// default room, write privately to a user of another host, and meet in a
// room one of them creates, with counts right from everywhere.
func TestClusterOverNetworkNamespaces(t *testing.T) {
	l := newLab(t)
	dbURL := socketDatabaseURL(t, storetest.PostgresURL(t))
	bin := salaBinary(t)
	brokerNS, brokerIP := l.host("br")
	var nodeNS, nodeAddrs []string
	for i := range 3 {
		ns, ip := l.host(fmt.Sprint("n", i+1))
		nodeNS, nodeAddrs = append(nodeNS, ns), append(nodeAddrs, ip+":8080")
	}
	var clientNS []string
	for i := range 3 {
		ns, _ := l.host(fmt.Sprint("c", i+1))
		clientNS = append(clientNS, ns)
	}

	startNATSServer(t, brokerIP+":4222", "ip", "netns", "exec", brokerNS)
	l.waitListening(nodeNS[0], brokerIP+":4222")
	for i, ns := range nodeNS {
		l.start(ns, []string{"SALA_ADDR=" + nodeAddrs[i], "SALA_DATABASE_URL=" + dbURL,
			"SALA_NATS_URL=nats://" + brokerIP + ":4222", "SALA_DATA_DIR=" + t.TempDir(),
			"SALA_JWT_SECRET=netns-test-secret-" + strings.Repeat("x", 32), "SALA_LOG_LEVEL=warn",
			"SALA_MSG_RATE=1000"}, bin, "serve")
	}
	for i, addr := range nodeAddrs {
		l.waitListening(clientNS[i], addr)
	}

	var all []string
	hosts := make([]netnsClientConfig, 3)
	for h := range 3 {
		for u := range 2 {
			login := fmt.Sprintf("host%d%c", h+1, 'a'+u)
			hosts[h].Users = append(hosts[h].Users, netnsUser{login, nodeAddrs[(h+u)%3]})
			all = append(all, login)
		}
	}
	next := map[string]string{}
	for i, login := range all {
		next[login] = all[(i+2)%len(all)] // a user of the next host
	}
	var wg sync.WaitGroup
	outputs := make([]bytes.Buffer, 3)
	for h := range 3 {
		hosts[h].All, hosts[h].Next, hosts[h].Creator = all, next, all[0]
		cfg, _ := json.Marshal(hosts[h])
		cmd := exec.Command("ip", "netns", "exec", clientNS[h], os.Args[0], "-test.run=^TestNetnsClient$", "-test.v")
		cmd.Env = append(os.Environ(), envNetnsClient+"="+string(cfg))
		cmd.Stdout, cmd.Stderr = &outputs[h], &outputs[h]
		wg.Go(func() {
			if err := cmd.Run(); err != nil {
				t.Errorf("client host %d: %v\n%s", h+1, err, outputs[h].String())
			}
		})
	}
	wg.Wait()
	for h := range 3 {
		if out := outputs[h].String(); !strings.Contains(out, "netns client done") {
			t.Errorf("client host %d did not finish:\n%s", h+1, out)
		}
	}
}

// TestNetnsClient is one client host of TestClusterOverNetworkNamespaces,
// run inside its network namespace; alone it does nothing.
func TestNetnsClient(t *testing.T) {
	raw := os.Getenv(envNetnsClient)
	if raw == "" {
		t.Skip("a helper of TestClusterOverNetworkNamespaces")
	}
	var cfg netnsClientConfig
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, u := range cfg.Users {
		s := remoteServer(t, u.Node)
		c := s.dial(u.Login, s.signup(u.Login), "")
		c.nextType("welcome")
		j := c.next("joined general", isType("joined", "room", "general"))
		wg.Go(func() { netnsUserScript(t, c, j, cfg) })
	}
	wg.Wait()
	if !t.Failed() {
		t.Log("netns client done")
	}
}

// netnsUserScript is what each user does, in step with the users of the
// other hosts through what the cluster shows (presence, the room count).
// A message can be committed while a user is joining, and then reaches it
// in the joined history rather than live: the script counts both.
func netnsUserScript(t *testing.T, c *wsClient, joined envelope, cfg netnsClientConfig) {
	// Everyone is online somewhere before anyone writes.
	waitUntil(t, c, "everyone online", func() error {
		c.drop("users")
		c.say("u", "#show users")
		online := 0
		for _, u := range c.nextType("users")["users"].([]any) {
			if u.(map[string]any)["online"] == true {
				online++
			}
		}
		if online != len(cfg.All) {
			return fmt.Errorf("%d of %d online", online, len(cfg.All))
		}
		return nil
	})
	for i := range netnsMsgsPerUse {
		c.say(fmt.Sprint("m", i), fmt.Sprintf("%s %d", c.login, i))
	}
	c.say("p", fmt.Sprintf("#private %s hello from %s", cfg.Next[c.login], c.login))
	msgs := historyOf(joined)
	for len(msgs) < netnsMsgsPerUse*len(cfg.All) {
		msgs = append(msgs, c.nextType("message"))
	}
	var ids []int64
	from := map[string]int{}
	for _, m := range msgs {
		ids = append(ids, m.num("id"))
		from[m.str("from")]++
	}
	if !isIncreasing(ids) {
		t.Errorf("%s: ids not strictly increasing: %v", c.login, ids)
	}
	for _, login := range cfg.All {
		if from[login] != netnsMsgsPerUse {
			t.Errorf("%s got %d messages from %s, want %d", c.login, from[login], login, netnsMsgsPerUse)
		}
	}
	p := c.nextType("private")
	for p.str("to") != c.login { // the copy of its own
		p = c.nextType("private")
	}
	if want := slices.Index(cfg.All, c.login); p.str("from") != cfg.All[(want+len(cfg.All)-2)%len(cfg.All)] {
		t.Errorf("%s got a private message from %s", c.login, p.str("from"))
	}

	// Meet in a room created on one node, counted from every node.
	if c.login == cfg.Creator {
		c.say("r", "#cR hall")
	} else {
		c.next("hall created", isType("event", "room", "hall"))
		c.say("r", "#gR hall")
	}
	done := len(historyOf(c.next("joined hall", isType("joined", "room", "hall"))))
	waitUntil(t, c, "everyone in hall", func() error {
		if n := c.roomCounts()["hall"]; n != len(cfg.All) {
			return fmt.Errorf("hall has %d", n)
		}
		return nil
	})
	// Nobody leaves before everyone saw the full room.
	c.say("d", "done "+c.login)
	for ; done < len(cfg.All); done++ {
		c.next("done", func(e envelope) bool { return e.typ() == "message" && strings.HasPrefix(e.str("text"), "done ") })
	}
}

// historyOf returns the messages of a joined envelope.
func historyOf(joined envelope) []envelope {
	var out []envelope
	for _, m := range joined["history"].([]any) {
		out = append(out, m.(map[string]any))
	}
	return out
}

func waitUntil(t *testing.T, c *wsClient, what string, check func() error) {
	var err error
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if err = check(); err == nil {
			return
		}
	}
	t.Errorf("%s: %s: %v", c.login, what, err)
}
