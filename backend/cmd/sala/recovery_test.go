package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/salachat/sala/backend/internal/store/storetest"
)

// The recovery suite: the same load and the same checks against one node
// (SQLite, PostgreSQL) and three (PostgreSQL + NATS). Clients chat in the
// default room and privately while each node in turn is killed (SIGKILL)
// and started again; a client whose connection drops reconnects to a node
// that answers, resuming with its last_id, and re-sends what was not
// acknowledged with the same ids, as the SDK does; clients also drop their
// connections now and then (a flaky network) and resume on the next node.
// In the end every
// acknowledged message must have reached every client it is for, none was
// stored twice, and no connection got one twice.
//
// SALA_RECOVERY_SECONDS (default 3) sets how long the load runs; a node is
// killed every 3 s at most (twice each at least), one at a time.

func TestRecoveryUnderKills(t *testing.T) {
	seconds := envInt("SALA_RECOVERY_SECONDS", 3)
	load := time.Duration(seconds) * time.Second
	t.Run("one node", func(t *testing.T) {
		storetest.WithAllDatabaseURLs(t, func(t *testing.T, dbURL, dataDir string) {
			p := startProcess(t, "", "SALA_DATA_DIR="+dataDir, "SALA_DATABASE_URL="+dbURL,
				"SALA_MSG_RATE=100000", "SALA_MAX_CONNS_PER_ADDR=0")
			runRecovery(t, []*serverProcess{p}, load)
		})
	})
	t.Run("three nodes", func(t *testing.T) {
		testNATS(t) // skips without NATS, as the other cluster tests
		runRecovery(t, startProcessCluster(t, 3).nodes, load)
	})
}

// runRecovery drives the load over nodes for load, killing them in turn,
// and checks the outcome.
func runRecovery(t *testing.T, nodes []*serverProcess, load time.Duration) {
	const users = 8
	api := remoteServer(t, nodes[0].addr)
	r := &recovery{t: t, nodes: nodes, private: map[string]int{}}
	for i := range users {
		login := fmt.Sprint("user", i)
		r.clients = append(r.clients, &recoveryClient{r: r, idx: i, login: login, token: api.signup(login),
			got: map[int64]bool{}, acked: map[string]int64{}, pending: map[string]string{}})
	}
	// A first message everyone has: from then on each client resumes
	// with a last_id.
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for _, c := range r.clients {
		wg.Add(1)
		go func() { defer wg.Done(); c.run(stop) }()
	}
	r.clients[0].queue("seed", "seed")
	r.waitAll("everyone has the seed", func(c *recoveryClient) bool { return c.lastID() > 0 }, 20*time.Second)
	r.sending.Store(true)

	kills := max(2*len(nodes), int(load/(3*time.Second)))
	every := load / time.Duration(kills+1)
	for i := range kills {
		<-time.After(every)
		p := nodes[i%len(nodes)]
		_ = p.signal(syscall.SIGKILL)
		p.start()
	}
	<-time.After(every)
	r.sending.Store(false)

	r.waitAll("every message acknowledged", func(c *recoveryClient) bool { return c.unacked() == 0 }, 60*time.Second)
	want := r.expected()
	r.waitAll("every acknowledged message received", func(c *recoveryClient) bool { return c.missing(want[c.idx]) == 0 }, 60*time.Second)
	close(stop)
	wg.Wait()

	acked, privates, dupConn := 0, 0, 0
	for _, c := range r.clients {
		c.mu.Lock()
		acked += len(c.acked)
		dupConn += c.dupInConn
		if n := c.missingLocked(want[c.idx]); n > 0 {
			t.Errorf("%s never received %d acknowledged messages", c.login, n)
		}
		c.mu.Unlock()
	}
	r.mu.Lock()
	privates = len(r.private)
	r.mu.Unlock()
	if dupConn > 0 {
		t.Errorf("%d messages reached a connection twice", dupConn)
	}
	stored := api.storedClientIDs(r.clients[0].token, "general")
	for id, n := range stored {
		if n != 1 {
			t.Errorf("%s stored %d times", id, n)
		}
	}
	t.Logf("%d nodes, %v: %d messages acknowledged (%d private), %d kills, %d reconnections; none lost or duplicated",
		len(nodes), load, acked, privates, kills, r.reconnects())
}

// recovery is one run of the suite.
type recovery struct {
	t       *testing.T
	nodes   []*serverProcess
	clients []*recoveryClient
	sending atomicBool

	mu      sync.Mutex
	private map[string]int // client id of a private message → its recipient's index
}

type atomicBool struct {
	mu sync.Mutex
	v  bool
}

func (b *atomicBool) Store(v bool) { b.mu.Lock(); b.v = v; b.mu.Unlock() }
func (b *atomicBool) Load() bool   { b.mu.Lock(); defer b.mu.Unlock(); return b.v }

// waitAll waits until cond holds for every client.
func (r *recovery) waitAll(what string, cond func(*recoveryClient) bool, patience time.Duration) {
	r.t.Helper()
	deadline := time.Now().Add(patience)
	for {
		all := true
		for _, c := range r.clients {
			all = all && cond(c)
		}
		if all {
			return
		}
		if time.Now().After(deadline) {
			var state []string
			for _, c := range r.clients {
				c.mu.Lock()
				state = append(state, fmt.Sprintf("%s: %d pending, last_id %d, %d connections", c.login, len(c.pending), c.last, c.conns))
				c.mu.Unlock()
			}
			r.t.Fatalf("%s: not within %v; %s", what, patience, strings.Join(state, "; "))
		}
		<-time.After(20 * time.Millisecond)
	}
}

// expected is, per client, the ids of the acknowledged messages it must
// have: every room message, and the private ones to or from it.
func (r *recovery) expected() []map[int64]bool {
	want := make([]map[int64]bool, len(r.clients))
	for i := range want {
		want[i] = map[int64]bool{}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.clients {
		c.mu.Lock()
		for cid, id := range c.acked {
			to, private := r.private[cid]
			for i := range want {
				if !private || i == c.idx || i == to {
					want[i][id] = true
				}
			}
		}
		c.mu.Unlock()
	}
	return want
}

func (r *recovery) reconnects() int {
	n := 0
	for _, c := range r.clients {
		c.mu.Lock()
		n += c.conns - 1
		c.mu.Unlock()
	}
	return n
}

// recoveryClient is one user's client: one connection at a time, resumed
// after every drop, as an app would.
type recoveryClient struct {
	r     *recovery
	idx   int
	login string
	token string

	mu        sync.Mutex
	last      int64
	got       map[int64]bool    // every message id received
	acked     map[string]int64  // client id → message id
	pending   map[string]string // client id → text, sent and not acknowledged
	sent      int
	conns     int
	dupInConn int
}

func (c *recoveryClient) lastID() int64 { c.mu.Lock(); defer c.mu.Unlock(); return c.last }

func (c *recoveryClient) unacked() int { c.mu.Lock(); defer c.mu.Unlock(); return len(c.pending) }

func (c *recoveryClient) missing(want map[int64]bool) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.missingLocked(want)
}

func (c *recoveryClient) missingLocked(want map[int64]bool) int {
	n := 0
	for id := range want {
		if !c.got[id] {
			n++
		}
	}
	return n
}

// queue adds a message to send (and re-send until acknowledged).
func (c *recoveryClient) queue(cid, text string) {
	c.mu.Lock()
	c.pending[cid] = text
	c.mu.Unlock()
}

// run keeps a connection until stop, reconnecting to any node that answers.
func (c *recoveryClient) run(stop <-chan struct{}) {
	for attempt := c.idx; ; attempt++ {
		select {
		case <-stop:
			return
		default:
		}
		addr := c.r.nodes[attempt%len(c.r.nodes)].addr
		if err := c.connection(addr, stop); err != nil {
			<-time.After(20 * time.Millisecond)
		}
	}
}

// connection runs one connection until it drops or stop.
func (c *recoveryClient) connection(addr string, stop <-chan struct{}) error {
	url := "ws://" + addr + "/api/v1/ws?token=" + c.token
	if last := c.lastID(); last > 0 {
		url += "&room=general&last_id=" + strconv.FormatInt(last, 10)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dialCtx, dialCancel := context.WithTimeout(ctx, 2*time.Second)
	conn, _, err := websocket.Dial(dialCtx, url, &websocket.DialOptions{HTTPClient: http.DefaultClient})
	dialCancel()
	if err != nil {
		return err
	}
	defer conn.CloseNow()
	conn.SetReadLimit(16 << 20)
	c.mu.Lock()
	c.conns++
	c.mu.Unlock()
	frames := make(chan []byte, 64)
	go func() {
		defer close(frames)
		for {
			_, data, err := conn.Read(ctx)
			if err != nil {
				return
			}
			frames <- data
		}
	}()
	seen := map[int64]bool{} // on this connection
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	drop := time.NewTimer(time.Duration(300+rand.IntN(1200)) * time.Millisecond)
	defer drop.Stop()
	resend := true // what is pending goes again on a new connection
	for {
		select {
		case <-stop:
			conn.Close(websocket.StatusNormalClosure, "")
			return nil
		case <-drop.C:
			return fmt.Errorf("the network dropped") // the deferred CloseNow: no close frame
		case data, ok := <-frames:
			if !ok {
				return fmt.Errorf("connection dropped")
			}
			for _, line := range bytes.Split(data, []byte("\n")) {
				c.handle(line, seen, &resend)
			}
		case <-tick.C:
			if err := c.send(ctx, conn, resend); err != nil {
				return err
			}
			resend = false
		}
	}
}

// handle takes one envelope.
func (c *recoveryClient) handle(line []byte, seen map[int64]bool, resend *bool) {
	var e struct {
		Type      string
		ID        json.RawMessage
		MessageID int64 `json:"message_id"`
		Code      string
		History   []struct{ ID int64 }
	}
	if err := json.Unmarshal(line, &e); err != nil {
		c.r.t.Errorf("%s: bad envelope %q", c.login, line)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	record := func(id int64) {
		if seen[id] {
			c.dupInConn++
		}
		seen[id] = true
		c.got[id] = true
		c.last = max(c.last, id)
	}
	switch e.Type {
	case "joined":
		for _, m := range e.History {
			record(m.ID)
		}
	case "message", "private":
		var id int64
		_ = json.Unmarshal(e.ID, &id)
		record(id)
	case "ack":
		var cid string
		_ = json.Unmarshal(e.ID, &cid)
		if prev, ok := c.acked[cid]; ok && prev != e.MessageID {
			c.r.t.Errorf("%s: %s acknowledged as %d and as %d: stored twice", c.login, cid, prev, e.MessageID)
		}
		c.acked[cid] = e.MessageID
		delete(c.pending, cid)
	case "error":
		*resend = true // unavailable while a node is away: the same id again
	}
}

// send writes what is pending (all of it after a reconnect or an error,
// else the new one) and, while the load runs, a new message: three in ten
// private to another user.
func (c *recoveryClient) send(ctx context.Context, conn *websocket.Conn, all bool) error {
	var out [][2]string
	c.mu.Lock()
	if c.r.sending.Load() {
		c.sent++
		cid := fmt.Sprintf("%s-%d", c.login, c.sent)
		text := "room " + cid
		if rand.IntN(10) < 3 {
			to := (c.idx + 1 + rand.IntN(len(c.r.clients)-1)) % len(c.r.clients)
			text = fmt.Sprintf("#private user%d private %s", to, cid)
			c.r.mu.Lock()
			c.r.private[cid] = to
			c.r.mu.Unlock()
		}
		c.pending[cid] = text
		if !all {
			out = append(out, [2]string{cid, text})
		}
	}
	if all {
		for cid, text := range c.pending {
			out = append(out, [2]string{cid, text})
		}
	}
	c.mu.Unlock()
	for _, m := range out {
		if err := c.write(ctx, conn, m[0], m[1]); err != nil {
			return err
		}
	}
	return nil
}

func (c *recoveryClient) write(ctx context.Context, conn *websocket.Conn, cid, text string) error {
	raw, _ := json.Marshal(map[string]string{"type": "send", "id": cid, "text": text})
	wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := conn.Write(wctx, websocket.MessageText, raw); err != nil {
		return fmt.Errorf("%s: write: %w", c.login, err)
	}
	return nil
}
