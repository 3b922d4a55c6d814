package ws

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// frameCount counts the frames the server wrote.
type frameCount struct{ frames, envelopes atomic.Int64 }

func (f *frameCount) FrameOut(n int) { f.frames.Add(1); f.envelopes.Add(int64(n)) }

// served is the server side of one test connection.
type served struct {
	c      *conn
	frames *frameCount
	ended  chan struct{} // closed when the server's reader stops
}

// serve accepts one WebSocket the way Server.Start does (small buffers, a
// conn over the library's public API) and returns its server side and a
// client dialled to it. The server side reads in a loop, so pings and close
// frames are answered.
func serve(t testing.TB, l limits, dial *websocket.DialOptions) (*served, *websocket.Conn) {
	t.Helper()
	got := make(chan *served, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(smallBuffers{w}, r, &websocket.AcceptOptions{CompressionMode: websocket.CompressionDisabled})
		if err != nil {
			t.Errorf("accept: %v", err)
			return
		}
		s := &served{frames: &frameCount{}, ended: make(chan struct{})}
		s.c = newConn(ws, &l, s.frames)
		go func() {
			defer close(s.ended)
			for {
				if _, _, err := ws.Read(context.Background()); err != nil {
					return
				}
			}
		}()
		got <- s
	}))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	client, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), dial)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.CloseNow() })
	client.SetReadLimit(-1)
	return <-got, client
}

func testLimits() limits {
	return limits{queueBytes: 1 << 20, maxFrameBytes: MaxFrameBytes, writeTimeout: 5 * time.Second, pongTimeout: 5 * time.Second,
		pingSlots: make(chan struct{}, 1), joins: &sync.Pool{}}
}

// readEnvelopes reads frames until n envelopes have come, and returns them
// and the number of frames they took.
func readEnvelopes(t *testing.T, client *websocket.Conn, n int) ([]string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var envs []string
	frames := 0
	for len(envs) < n {
		typ, data, err := client.Read(ctx)
		if err != nil {
			t.Fatalf("after %d envelopes: %v", len(envs), err)
		}
		if typ != websocket.MessageText {
			t.Fatalf("a %v frame", typ)
		}
		frames++
		envs = append(envs, strings.Split(string(data), "\n")...)
	}
	return envs, frames
}

// Frames of every size around the buffers' and the header lengths' edges
// (125/126, 65535/65536 bytes) reach the peer whole and in order, while the
// library answers pings from another goroutine.
func TestFramesOfEverySizeArriveIntact(t *testing.T) {
	var sizes []int
	for n := 1; n <= 3*writeBufferSize; n += 7 {
		sizes = append(sizes, n)
	}
	sizes = append(sizes, 125, 126, 127, 65534, 65535, 65536)
	frame := func(i, n int) []byte {
		b := bytes.Repeat([]byte{byte('a' + i%26)}, n)
		copy(b, fmt.Sprint(i))
		return b
	}
	s, client := serve(t, testLimits(), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var pings sync.WaitGroup
	pingCtx, stopPings := context.WithCancel(ctx)
	pings.Add(1)
	go func() { // the server answers with pongs while it writes frames
		defer pings.Done()
		for pingCtx.Err() == nil {
			_ = client.Ping(pingCtx)
		}
	}()
	watchdog := time.AfterFunc(time.Hour, func() {})
	for i, n := range sizes {
		if err := s.c.write(frame(i, n), watchdog); err != nil {
			t.Fatal(err)
		}
		typ, got, err := client.Read(ctx)
		if err != nil {
			t.Fatalf("frame %d (%d bytes): %v", i, n, err)
		}
		if typ != websocket.MessageText || !bytes.Equal(got, frame(i, n)) {
			t.Fatalf("frame %d: got %d bytes %.20q…, want %d bytes %.20q…", i, len(got), got, n, frame(i, n))
		}
	}
	stopPings()
	pings.Wait()
}

// Envelopes queued faster than they are written share frames, separated by
// '\n' and in order, never over the frame limit.
func TestQueuedEnvelopesShareFrames(t *testing.T) {
	l := testLimits()
	l.maxFrameBytes = 1000
	s, client := serve(t, l, nil)
	const n = 500
	for i := range n {
		if !s.c.Send(fmt.Appendf(nil, `{"i":%03d}`, i)) {
			t.Fatal("the queue refused an envelope")
		}
	}
	envs, frames := readEnvelopes(t, client, n)
	for i, e := range envs {
		if want := fmt.Sprintf(`{"i":%03d}`, i); e != want {
			t.Fatalf("envelope %d is %s, want %s", i, e, want)
		}
	}
	// 500 envelopes of 9 bytes, 100 to a 1000-byte frame: at least 5.
	if frames < 5 || frames > n/10 {
		t.Errorf("%d envelopes took %d frames; want them coalesced, at most 1000 bytes each", n, frames)
	}
	t.Logf("%d envelopes in %d frames", n, frames)
}

// A lone envelope on a quiet connection is written at once, and once the
// queue is written the connection holds no writer and no envelope.
func TestIdleConnectionHoldsNothing(t *testing.T) {
	s, client := serve(t, testLimits(), nil)
	for i := range 3 {
		start := time.Now()
		s.c.Send([]byte(`{"type":"lone"}`))
		readEnvelopes(t, client, 1)
		if took := time.Since(start); took > lingerMax {
			t.Errorf("envelope %d took %v, over the writer's longest linger", i, took)
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			s.c.mu.Lock()
			idle := !s.c.writing && s.c.queue == nil && s.c.queued == 0
			s.c.mu.Unlock()
			if idle {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the writer kept running or kept its queue")
			}
			time.Sleep(time.Millisecond)
		}
	}
}

// A peer that stops reading fills its queue: Send then refuses, promptly,
// and never blocks, however much is sent.
func TestFullQueueRefusesWithoutBlocking(t *testing.T) {
	l := testLimits()
	l.queueBytes = 64 << 10
	s, _ := serve(t, l, &websocket.DialOptions{}) // the client never reads
	envelope := bytes.Repeat([]byte("x"), 1000)
	start := time.Now()
	refused := false
	for range 10_000 { // 10 MB: far more than the socket buffers and the queue
		if !s.c.Send(envelope) {
			refused = true
			break
		}
	}
	if !refused {
		t.Fatal("a peer that reads nothing never filled its queue")
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("sending to a stalled peer took %v", took)
	}
}

// A write that the peer does not take within the write timeout closes the
// connection: a stuck peer does not keep its writer and queue forever.
func TestWriteTimeoutClosesAStuckPeer(t *testing.T) {
	l := testLimits()
	l.queueBytes, l.writeTimeout = 64<<20, 300*time.Millisecond
	s, _ := serve(t, l, nil) // the client never reads
	big := bytes.Repeat([]byte("x"), 60<<10)
	for range 200 { // 12 MB: more than the socket buffers hold
		s.c.Send(big)
	}
	select {
	case <-s.ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the connection to a stuck peer stayed open")
	}
}

// Close drops the queue and sends its close code; no data frame follows.
func TestNothingIsWrittenAfterClose(t *testing.T) {
	s, client := serve(t, testLimits(), nil)
	go s.c.Close(4000, "slow consumer")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, got, err := client.Read(ctx)
	if websocket.CloseStatus(err) != 4000 {
		t.Fatalf("read %q, %v; want the close frame 4000", got, err)
	}
	<-s.ended
	if !s.c.Send([]byte("late")) || s.frames.frames.Load() != 0 {
		t.Error("a frame was written after the close")
	}
}

// CloseAfterFlush writes what was queued, then closes with its code, and
// returns once closed; what is sent meanwhile is dropped.
func TestCloseAfterFlushWritesTheQueueFirst(t *testing.T) {
	s, client := serve(t, testLimits(), nil)
	for i := range 100 {
		s.c.Send(fmt.Appendf(nil, `{"i":%d}`, i))
	}
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		s.c.CloseAfterFlush(1001, "going away")
	}()
	envs, _ := readEnvelopes(t, client, 100)
	if envs[99] != `{"i":99}` {
		t.Fatalf("last envelope %s", envs[99])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, _, err := client.Read(ctx); websocket.CloseStatus(err) != 1001 {
		t.Fatalf("after the queue: %v; want the close frame 1001", err)
	}
	<-closed
}

// Ping returns at once; a peer that answers passes the next ping, one that
// never answers fails it.
func TestPingJudgesThePreviousPong(t *testing.T) {
	for _, answers := range []bool{true, false} {
		l := testLimits()
		l.pongTimeout = 200 * time.Millisecond
		s, client := serve(t, l, nil)
		if answers {
			go func() { _, _, _ = client.Read(context.Background()) }() // reading answers pings
		}
		if err := s.c.Ping(context.Background()); err != nil {
			t.Fatal(err)
		}
		for s.c.pinging.Load() { // the pong, or its timeout
			time.Sleep(time.Millisecond)
		}
		if err := s.c.Ping(context.Background()); (err == nil) != answers {
			t.Errorf("peer answers=%v: second ping returned %v", answers, err)
		}
	}
}

// The Hijacker handed to websocket.Accept keeps bytes a client sent right
// behind its upgrade request.
func TestFrameRightBehindTheUpgradeIsRead(t *testing.T) {
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(smallBuffers{w}, r, nil)
		if err != nil {
			t.Errorf("accept: %v", err)
			return
		}
		_, data, err := ws.Read(context.Background())
		if err != nil {
			t.Errorf("read: %v", err)
		}
		got <- string(data)
		ws.CloseNow()
	}))
	defer srv.Close()
	c, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// The request and a masked text frame "hi" (mask zero) in one write.
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n\x81\x82\x00\x00\x00\x00hi")
	select {
	case s := <-got:
		if s != "hi" {
			t.Errorf("read %q, want hi", s)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the frame behind the upgrade was lost")
	}
}

// Keepalive pings waiting for their pongs are bounded across connections:
// one that finds every slot taken is not pinged this round, and not failed.
func TestPingsBeyondTheSlotsWaitForALaterRound(t *testing.T) {
	l := testLimits() // one slot
	l.pongTimeout = time.Minute
	a, _ := serve(t, l, nil) // its client never reads: no pong, the slot stays taken
	b, _ := serve(t, l, nil)
	if err := a.c.Ping(context.Background()); err != nil || !a.c.pinging.Load() {
		t.Fatalf("first ping: %v, waiting %v", err, a.c.pinging.Load())
	}
	if err := b.c.Ping(context.Background()); err != nil || b.c.pinging.Load() {
		t.Errorf("ping without a free slot: %v, waiting %v; want skipped", err, b.c.pinging.Load())
	}
	if err := b.c.Ping(context.Background()); err != nil {
		t.Errorf("the next round failed a connection never pinged: %v", err)
	}
}
