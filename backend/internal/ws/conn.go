package ws

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/salachat/sala/backend/internal/chat"
)

// conn is one WebSocket as the hub sees it (hub.Transport): a bounded
// outbound queue that never blocks the caller, drained by a writer goroutine
// that coalesces what is queued into as few frames as it can.
//
// Invariants:
//   - queued is the bytes of the envelopes in queue, at most limits.queueBytes:
//     an envelope that does not fit is refused (Send returns false) and the
//     hub closes the connection as a slow consumer. A slow peer therefore
//     costs its own queue and nothing else.
//   - A writer goroutine runs only while the queue has envelopes (writing),
//     so an idle connection has none; at most one runs, so frames leave in
//     queue order.
//   - Once closing is set, Send takes nothing more; once the close frame
//     is sent (closed), nothing is written.
type conn struct {
	ws     *websocket.Conn
	limits *limits
	frames FrameCounter

	mu     sync.Mutex
	queue  [][]byte // envelopes waiting to be written, oldest first
	queued int      // bytes in queue
	// one backs the queue of an idle connection's next envelope (most
	// writes carry one), so that a fan-out does not allocate a queue per
	// delivery. Only an idle connection's queue starts in it: a running
	// writer may be writing from it.
	one     [1][]byte
	writing bool
	// closing is the close code to send once the queue is written (0: none).
	closing int
	reason  string
	closed  bool          // the connection was closed: queue dropped, nothing more written
	drained chan struct{} // closed once a close after the queue is done

	pinging    atomic.Bool // a keepalive ping waits for its pong
	pingFailed atomic.Bool // the last keepalive ping got no pong in time
}

// limits are a server's settings for every connection.
type limits struct {
	queueBytes    int           // outbound queue per connection
	maxFrameBytes int           // largest coalesced outbound frame
	writeTimeout  time.Duration // one frame's write; past it the connection is closed
	pongTimeout   time.Duration // how long a keepalive ping waits for its pong
	// pingSlots bounds the keepalive pings waiting for their pongs at once,
	// across the server's connections (see Ping).
	pingSlots chan struct{}
	// joins holds the buffers (*[]byte) that join a batch's envelopes into
	// one frame: a writer takes one only while it writes a batch of
	// several, so a connect or a burst leaves no garbage of that size.
	joins *sync.Pool
}

// FrameCounter counts the frames written and the envelopes they carried.
type FrameCounter interface {
	FrameOut(envelopes int)
}

func newConn(c *websocket.Conn, l *limits, frames FrameCounter) *conn {
	return &conn{ws: c, limits: l, frames: frames}
}

// Send queues an encoded envelope and starts a writer if none runs. It
// returns false only when the envelope does not fit the queue; once the
// connection is closing, envelopes are dropped (the peer is leaving).
func (c *conn) Send(envelope []byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.closing != 0 {
		return true
	}
	if c.queued+len(envelope) > c.limits.queueBytes {
		return false
	}
	if c.queue == nil && !c.writing {
		c.queue = c.one[:0]
	}
	c.queue = append(c.queue, envelope)
	c.queued += len(envelope)
	if !c.writing {
		c.writing = true
		go c.writeLoop()
	}
	return true
}

// writeLoop drains the queue, a batch (everything queued) at a time.
//
// A busy connection's writer lingers between writes: when a write carried
// more than one envelope (they arrive faster than they are written), the
// writer waits before the next one, doubling the wait while that goes on
// (lingerMin to lingerMax) and halving it back when envelopes come alone.
// What arrives meanwhile leaves in the same frame, so the number of writes
// (each a syscall) stops growing with the message rate, for at most
// lingerMax of added latency. A lone envelope is written at once, and the
// writer ends as soon as the queue is empty.
func (c *conn) writeLoop() {
	var spare [][]byte // the batch last written, emptied, to become the next queue
	var linger time.Duration
	// The write timeout: armed around every write, it closes the connection
	// (CloseNow, as the library does when a write's context ends), which
	// ends a write stuck on a peer that reads nothing. One timer per
	// writer, reset per write, rather than a context per write: those,
	// and the library's watch on each, were most of a frame's allocations.
	watchdog := time.AfterFunc(time.Hour, func() { _ = c.ws.CloseNow() })
	watchdog.Stop()
	defer watchdog.Stop()
	for {
		c.mu.Lock()
		batch := c.queue
		if len(batch) == 0 || c.closed {
			c.writing = false
			c.queue, c.one[0] = nil, nil // an idle connection holds no envelope
			code, reason := c.closing, c.reason
			c.mu.Unlock()
			if code != 0 {
				c.closeNow(code, reason)
			}
			return
		}
		c.queue, c.queued = spare, 0 // never the array being written
		c.mu.Unlock()
		if err := c.writeBatch(batch, watchdog); err != nil {
			// The library closed the connection if the write timed out;
			// otherwise the peer is gone. Either way the reader ends and
			// the hub lets go of the connection.
			c.closeNow(chat.CloseInternal, "write failed")
			c.mu.Lock()
			c.writing = false
			c.mu.Unlock()
			return
		}
		if len(batch) > 1 {
			linger = min(max(2*linger, lingerMin), lingerMax)
		} else if linger /= 2; linger < lingerMin {
			linger = 0
		}
		clear(batch) // let the envelopes go
		spare = batch[:0]
		if linger > 0 {
			time.Sleep(linger)
		}
	}
}

// The bounds of a busy writer's wait between writes (see writeLoop).
const (
	lingerMin = time.Millisecond
	lingerMax = 8 * time.Millisecond
)

// writeBatch writes batch in as few frames as maxFrameBytes allows,
// envelopes separated by '\n'; a frame of one envelope is written as it is,
// without a copy.
func (c *conn) writeBatch(batch [][]byte, watchdog *time.Timer) error {
	var buf *[]byte // from limits.joins, while held
	defer func() {
		if buf != nil {
			*buf = (*buf)[:0]
			c.limits.joins.Put(buf)
		}
	}()
	for len(batch) > 0 {
		n := nextFrame(batch, c.limits.maxFrameBytes)
		frame := batch[0]
		if n > 1 {
			if buf == nil {
				buf, _ = c.limits.joins.Get().(*[]byte)
				if buf == nil {
					buf = new([]byte)
				}
			}
			b := (*buf)[:0]
			for i, env := range batch[:n] {
				if i > 0 {
					b = append(b, '\n')
				}
				b = append(b, env...)
			}
			*buf, frame = b, b
		}
		if err := c.write(frame, watchdog); err != nil {
			return err
		}
		c.frames.FrameOut(n)
		batch = batch[n:]
	}
	return nil
}

// write writes one text frame within the write timeout: watchdog closes the
// connection if the write takes longer.
func (c *conn) write(frame []byte, watchdog *time.Timer) error {
	watchdog.Reset(c.limits.writeTimeout)
	err := c.ws.Write(context.Background(), websocket.MessageText, frame)
	watchdog.Stop()
	return err
}

// nextFrame returns how many of envs, from the first, go in one frame of at
// most max bytes (an envelope larger than max travels alone).
func nextFrame(envs [][]byte, max int) int {
	size := len(envs[0])
	for i := 1; i < len(envs); i++ {
		size += 1 + len(envs[i]) // the separating newline
		if size > max {
			return i
		}
	}
	return len(envs)
}

// Close drops what is queued and closes the connection with code, waiting
// for the closing handshake (the library bounds it).
func (c *conn) Close(code int, reason string) {
	c.mu.Lock()
	c.closed = true
	c.queue, c.queued = nil, 0
	c.mu.Unlock()
	_ = c.ws.Close(websocket.StatusCode(code), reason)
}

// closeNow is Close for the writer, which has written what it had to.
func (c *conn) closeNow(code int, reason string) {
	c.Close(code, reason)
	c.mu.Lock()
	if c.drained != nil {
		close(c.drained)
		c.drained = nil
	}
	c.mu.Unlock()
}

// CloseAfterFlush closes the connection with code once what is queued is
// written (so the answer to #exit reaches the peer before the close), and
// returns once it is closed. Send takes nothing more meanwhile.
func (c *conn) CloseAfterFlush(code int, reason string) {
	c.mu.Lock()
	if c.closed || c.closing != 0 {
		c.mu.Unlock()
		return
	}
	if !c.writing {
		c.mu.Unlock()
		c.Close(code, reason)
		return
	}
	c.closing, c.reason = code, reason
	done := make(chan struct{})
	c.drained = done
	c.mu.Unlock()
	<-done
}

// errNoPong is a keepalive ping's failure.
var errNoPong = errors.New("ws: the previous ping got no pong")

// Ping starts a keepalive ping and returns without waiting for its pong: the
// hub pings every silent connection in turn. The library's Conn.Ping waits
// for the pong, so it runs on a goroutine of its own, for at most
// pongTimeout; Ping fails once a ping went unanswered, so a peer is judged
// one keepalive round later.
//
// A keepalive round finds every idle connection silent at once, and a
// goroutine per connection would grow that many stacks together, memory
// the runtime keeps: at most cap(pingSlots) pings wait at a time. A
// connection that finds no free slot is not pinged this round (never
// closed for it) and is pinged in a later one.
func (c *conn) Ping(context.Context) error {
	if c.pingFailed.Load() {
		return errNoPong
	}
	if !c.pinging.CompareAndSwap(false, true) {
		return nil // the last one is still waiting
	}
	select {
	case c.limits.pingSlots <- struct{}{}:
	default:
		c.pinging.Store(false)
		return nil
	}
	go func() {
		defer func() { <-c.limits.pingSlots; c.pinging.Store(false) }()
		ctx, cancel := context.WithTimeout(context.Background(), c.limits.pongTimeout)
		defer cancel()
		if err := c.ws.Ping(ctx); err != nil {
			c.pingFailed.Store(true)
		}
	}()
	return nil
}
