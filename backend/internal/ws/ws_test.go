package ws

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// serveTransport upgrades one request the way Serve does (small buffers,
// outWriter) and hands the transport to use.
func serveTransport(t *testing.T, use func(tr *transport)) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hj := &smallBuffers{ResponseWriter: w}
		conn, err := websocket.Accept(hj, r, &websocket.AcceptOptions{CompressionMode: websocket.CompressionDisabled,
			OnPongReceived: func(context.Context, []byte) { hj.out.awaitingPong.Store(false) }})
		if err != nil {
			t.Errorf("accept: %v", err)
			return
		}
		go func() {
			// Read so that pings are answered (through outWriter too).
			for {
				if _, _, err := conn.Read(context.Background()); err != nil {
					return
				}
			}
		}()
		use(&transport{c: conn, out: hj.out})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// Frames of every size (around each header length, 125/126 and
// 65535/65536 bytes) reach the peer whole and in order, also while the
// library writes control frames (pongs) from another goroutine.
func TestFramesAroundTheBufferSizeArriveIntact(t *testing.T) {
	var sizes []int
	for n := 0; n <= 3*writeBufferSize; n++ {
		sizes = append(sizes, n)
	}
	frame := func(i, n int) []byte {
		b := bytes.Repeat([]byte{byte('a' + i%26)}, n)
		copy(b, fmt.Sprint(i))
		return b
	}
	sizes = append(sizes, 65534, 65535, 65536, 65537, 70000)
	wrote := make(chan error, 1)
	srv := serveTransport(t, func(tr *transport) {
		for i, n := range sizes {
			if err := tr.WriteFrame(frame(i, n), time.Now().Add(5*time.Second)); err != nil {
				wrote <- err
				return
			}
		}
		wrote <- nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	c.SetReadLimit(-1)
	var pings sync.WaitGroup
	pingCtx, stopPings := context.WithCancel(ctx)
	pings.Add(1)
	go func() { // the server answers with pongs while it writes frames
		defer pings.Done()
		for pingCtx.Err() == nil {
			_ = c.Ping(pingCtx)
		}
	}()
	for i, n := range sizes {
		typ, got, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("frame %d (%d bytes): %v", i, n, err)
		}
		if typ != websocket.MessageText || !bytes.Equal(got, frame(i, n)) {
			t.Fatalf("frame %d: got %d bytes %.20q…, want %d bytes %.20q…", i, len(got), got, n, frame(i, n))
		}
	}
	stopPings()
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	pings.Wait()
}

// A write to a peer that stopped reading gives up at its deadline.
func TestWriteFrameHonoursTheDeadline(t *testing.T) {
	result := make(chan error, 1)
	srv := serveTransport(t, func(tr *transport) {
		big := bytes.Repeat([]byte("x"), 1<<20)
		deadline := time.Now().Add(300 * time.Millisecond)
		for {
			if err := tr.WriteFrame(big, deadline); err != nil {
				result <- err
				return
			}
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	select { // never read: the socket buffers fill up and the write blocks
	case err := <-result:
		if err == nil {
			t.Fatal("write to a stalled peer succeeded")
		}
	case <-ctx.Done():
		t.Fatal("write to a stalled peer did not give up at its deadline")
	}
}

// Once the transport is closing, no data frame follows the close frame.
func TestNoFrameAfterClose(t *testing.T) {
	result := make(chan error, 1)
	srv := serveTransport(t, func(tr *transport) {
		tr.Close(4000, "slow consumer")
		result <- tr.WriteFrame([]byte("late"), time.Now().Add(time.Second))
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	_, got, err := c.Read(ctx)
	if websocket.CloseStatus(err) != 4000 {
		t.Fatalf("read %q, %v; want the close frame 4000", got, err)
	}
	if err := <-result; err == nil {
		t.Fatal("a frame was written after the close")
	}
}

// The library's own close frame (on a frame over the limit, say) reaches
// outWriter as one Write among control frames: no data frame may follow it.
func TestHoldsClose(t *testing.T) {
	pong, closing := []byte{0x8a, 2, 'h', 'i'}, []byte{0x88, 2, 0x03, 0xf1}
	for _, c := range []struct {
		p    []byte
		want bool
	}{
		{closing, true},
		{append(slices.Clone(pong), closing...), true},
		{pong, false},
		{[]byte{0x81, 126, 0, 200}, false}, // not a control frame: not read further
		{nil, false},
	} {
		if got := holdsClose(c.p); got != c.want {
			t.Errorf("holdsClose(% x) = %v, want %v", c.p, got, c.want)
		}
	}
}

// Ping returns at once; a peer that answers passes the next ping, one that
// never answers fails it.
func TestPingJudgesThePreviousPong(t *testing.T) {
	for _, answers := range []bool{true, false} {
		result := make(chan error, 1)
		srv := serveTransport(t, func(tr *transport) {
			if err := tr.Ping(context.Background()); err != nil {
				result <- err
				return
			}
			time.Sleep(300 * time.Millisecond) // a keepalive round later
			result <- tr.Ping(context.Background())
		})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if answers {
			go func() { _, _, _ = c.Read(ctx) }() // reading answers pings
		}
		if err := <-result; (err == nil) != answers {
			t.Errorf("peer answers=%v: second ping returned %v", answers, err)
		}
		c.CloseNow()
		cancel()
	}
}
