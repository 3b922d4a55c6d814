package hub

import (
	"context"
	"sync"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
)

// Transport is one peer's socket as the hub needs it. The ws package
// implements it over a WebSocket; tests implement it over a pipe.
type Transport interface {
	// WriteFrame writes one text frame, giving up with an error at deadline.
	// (A deadline rather than a context: a context per frame would cost
	// allocations on the hottest path there is.)
	WriteFrame(frame []byte, deadline time.Time) error
	// Ping sends a keepalive ping without waiting for its pong, and fails
	// when the previous ping got none: the hub pings every silent
	// connection in turn, so it must return promptly.
	Ping(ctx context.Context) error
	// Close closes the connection with a WebSocket close code. It may block
	// for the closing handshake, so the hub calls it on its own goroutine.
	Close(code int, reason string)
}

// heldEnvelope is a room envelope that arrived while the client was joining:
// it is released after the joined envelope unless history already had it.
type heldEnvelope struct {
	id      int64 // message id, 0 for envelopes that are not messages
	private bool  // a private message rather than a room one
	frame   []byte
}

// Client is one open connection of a user. Its outbound queue is bounded in
// bytes; when a peer can't keep up, the client is closed with 4000 instead of
// slowing anyone else. A writer goroutine runs only while the queue has
// frames, so an idle connection costs no goroutine of ours.
type Client struct {
	hub     *Hub
	user    chat.User
	expires time.Time
	tr      Transport

	mu    sync.Mutex
	queue [][]byte // envelopes waiting to be written, oldest first
	// one backs the queue of an idle connection's next envelope (see
	// pushLocked): most writes carry one envelope, and a slice allocated
	// for each was half of a fan-out's allocations.
	one     [1][]byte
	queued  int  // bytes in queue
	writing bool // a writer goroutine owns the socket (see writeLoop)
	closed  bool
	room    *room // current room; guarded by mu, changed with hub.mu held too
	holding bool  // joining: room envelopes go to held until joined is queued
	held    []heldEnvelope
	// The last ids the latest join's backlog carried (see hadLocked).
	roomFloor, privateFloor int64
	lastSeen                time.Time // last frame received, for keepalive
	// expiry closes the connection with 4001 when its token expires.
	expiry *time.Timer
	// closeWhenDrained is a close code to send once the queue is written
	// (the answer to #exit reaches the peer before the close).
	closeWhenDrained int
	// unacked counts this connection's messages in the write path, and
	// acksDone is closed when that reaches zero for someone waiting (#exit).
	unacked  int
	acksDone chan struct{}

	badInARow int // consecutive bad envelopes; only the reader goroutine touches it

	done     chan struct{} // closed when the connection has ended
	doneOnce sync.Once
}

// User returns the connection's user.
func (c *Client) User() chat.User { return c.user }

// Room returns the name of the connection's current room.
func (c *Client) Room() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.room == nil {
		return ""
	}
	return c.room.name
}

// enqueue adds an encoded envelope to the outbound queue, starting a writer
// when none runs. It never blocks on the network.
func (c *Client) enqueue(frame []byte) {
	c.mu.Lock()
	c.enqueueLocked(frame)
	c.mu.Unlock()
}

func (c *Client) enqueueLocked(frame []byte) {
	if c.leavingLocked() {
		return // closed, or closing once what is queued is written
	}
	if c.queued+len(frame) > c.hub.cfg.QueueBytes {
		c.hub.metrics.SlowConsumer()
		c.closeLocked(chat.CloseSlowConsumer, "slow consumer: outbound queue full")
		return
	}
	c.pushLocked(frame)
	if !c.writing {
		c.writing = true
		c.hub.writers.Add(1)
		go c.writeLoop()
	}
}

// queueFirst queues a new connection's first envelope without starting a
// writer: the next envelope queued (joined, or whatever comes first) starts
// one, which writes both at once.
func (c *Client) queueFirst(frame []byte) {
	c.mu.Lock()
	c.pushLocked(frame)
	c.mu.Unlock()
}

// pushLocked appends frame to the queue. With no writer running, nothing
// holds c.one, so an empty queue starts in it; a writer swaps the queue for
// the batch it wrote before (see writeLoop), so the queue and the batch
// being written never share an array.
func (c *Client) pushLocked(frame []byte) {
	if c.queue == nil && !c.writing {
		c.queue = c.one[:0]
	}
	c.queue = append(c.queue, frame)
	c.queued += len(frame)
}

// deliverRoom queues a room envelope if the client is still in that room,
// holding it back while a join is loading history.
func (c *Client) deliverRoom(r *room, id int64, frame []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.room != r || c.hadLocked(id, false) {
		return
	}
	if c.holding {
		c.held = append(c.held, heldEnvelope{id: id, frame: frame})
		return
	}
	c.enqueueLocked(frame)
}

// deliverPrivate queues a private message, holding it back while a join is
// loading history so that joined stays ahead of it.
func (c *Client) deliverPrivate(id int64, frame []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hadLocked(id, true) {
		return
	}
	if c.holding {
		c.held = append(c.held, heldEnvelope{id: id, private: true, frame: frame})
		return
	}
	c.enqueueLocked(frame)
}

// hadLocked reports whether the backlog of the last join already carried
// message id. A message can be committed (and so read into a joined
// history) before the publish loop broadcasts it, even after the join has
// finished; ids are broadcast in increasing order, so anything at or below
// the backlog's last id is a message the client already has.
func (c *Client) hadLocked(id int64, private bool) bool {
	if id == 0 {
		return false // not a message: events and the like
	}
	if private {
		return id <= c.privateFloor
	}
	return id <= c.roomFloor
}

// finishJoin queues the joined envelope (and the backlog that follows it),
// then the envelopes held while they were built, skipping messages the
// backlog already carried: room messages up to lastRoomID, private ones up
// to lastPrivateID.
func (c *Client) finishJoin(r *room, frames [][]byte, lastRoomID, lastPrivateID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.room != r {
		return // moved again meanwhile; that join sends its own joined
	}
	c.roomFloor = lastRoomID
	c.privateFloor = max(c.privateFloor, lastPrivateID)
	for _, f := range frames {
		c.enqueueLocked(f)
	}
	for _, h := range c.held {
		if !c.hadLocked(h.id, h.private) {
			c.enqueueLocked(h.frame)
		}
	}
	c.held, c.holding = nil, false
}

// currentRoom returns the room c is in, nil once disconnected.
func (c *Client) currentRoom() *room {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.room
}

// writeLoop drains the queue, coalescing everything queued into as few
// frames as the frame limit allows (envelopes separated by '\n'), so a burst
// costs one write per connection rather than one per message.
//
// A busy connection's writer lingers between writes: when a write carried
// more than one envelope (they arrive faster than they are written), the
// writer waits before the next one, doubling the wait while that goes on
// (lingerMin to lingerMax) and halving it back when envelopes come alone.
// What arrives meanwhile leaves in the same frame, so the number of writes
// (each a syscall, the dominant cost of a fan-out) stops growing with the
// message rate, for at most lingerMax of added latency. A connection that
// gets a message now and then has it written at once, and its writer ends as
// soon as the queue is empty: idle connections have no writer goroutine.
func (c *Client) writeLoop() {
	defer c.hub.writers.Add(-1)
	var w frameWriter
	defer w.release()
	var spare [][]byte // the batch last written, emptied, to become the next queue
	var linger time.Duration
	for {
		c.mu.Lock()
		batch := c.queue
		closing := c.closeWhenDrained
		if len(batch) == 0 || c.closed {
			c.writing = false
			// An idle connection keeps no queue, nor in c.one an envelope
			// written long ago: its 9 kB welcome, at 19,500 connections
			// 135 MiB, when no rooms push came to take its place.
			c.queue, c.one[0] = nil, nil
			if closing != 0 {
				c.closeLocked(closing, closeReason(closing))
			}
			c.mu.Unlock()
			return
		}
		c.queue, c.queued = spare, 0
		c.mu.Unlock()
		err := w.write(c, batch)
		if err != nil || closing != 0 {
			// Failed, or what was queued before the close was asked for
			// is written: close now (enqueue takes nothing more).
			if err != nil {
				closing = chat.CloseInternal
			}
			c.mu.Lock()
			c.writing = false
			c.closeLocked(closing, closeReason(closing))
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
			w.release() // a sleeping writer holds no frame buffer
			time.Sleep(linger)
		}
	}
}

// The bounds of a busy writer's wait between writes (see writeLoop).
// docs/benchmarks.md has what they cost and save.
const (
	lingerMin = time.Millisecond
	lingerMax = 8 * time.Millisecond
)

// framePool holds the buffers that join envelopes into one frame; a writer
// takes one only while it writes a batch of several envelopes.
var framePool = sync.Pool{New: func() any { return new([]byte) }}

// frameWriter writes batches of envelopes as frames.
type frameWriter struct {
	buf *[]byte // from framePool, while held
}

func (w *frameWriter) release() {
	if w.buf != nil {
		*w.buf = (*w.buf)[:0]
		framePool.Put(w.buf)
		w.buf = nil
	}
}

// write sends batch in as few frames as MaxFrameBytes allows. A frame of one
// envelope is written as it is, without a copy.
func (w *frameWriter) write(c *Client, batch [][]byte) error {
	for len(batch) > 0 {
		n := nextFrame(batch, c.hub.cfg.MaxFrameBytes)
		frame := batch[0]
		if n > 1 {
			if w.buf == nil {
				w.buf = framePool.Get().(*[]byte)
			}
			b := (*w.buf)[:0]
			for i, env := range batch[:n] {
				if i > 0 {
					b = append(b, '\n')
				}
				b = append(b, env...)
			}
			*w.buf = b
			frame = b
		}
		if err := c.tr.WriteFrame(frame, time.Now().Add(c.hub.cfg.WriteTimeout)); err != nil {
			return err
		}
		c.hub.metrics.FrameOut(n)
		batch = batch[n:]
	}
	return nil
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

// splitFrames groups envelopes into frames of at most max bytes each, as the
// writer sends them.
func splitFrames(envs [][]byte, max int) [][][]byte {
	var frames [][][]byte
	for len(envs) > 0 {
		n := nextFrame(envs, max)
		frames = append(frames, envs[:n])
		envs = envs[n:]
	}
	return frames
}

// closeAtExpiry arms the timer that closes the connection with 4001 when
// its token expires: a token's lifetime is a promise that nothing is sent or
// received on its behalf after it.
func (c *Client) closeAtExpiry() {
	if c.expires.IsZero() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed {
		c.expiry = time.AfterFunc(c.expires.Sub(c.hub.now()), func() { c.close(chat.CloseTokenExpired, "token expired") })
	}
}

// expiredLocked reports whether the connection's token has expired at now.
func (c *Client) expiredLocked(now time.Time) bool {
	return !c.expires.IsZero() && !now.Before(c.expires)
}

// shut stops all output without closing the transport: its reader already
// saw it fail, or the caller closes it with its own code.
func (c *Client) shut() {
	c.mu.Lock()
	c.closed = true
	if c.expiry != nil {
		c.expiry.Stop()
	}
	c.queue, c.queued, c.held = nil, 0, nil
	c.mu.Unlock()
	c.finished()
}

// finished marks the connection's end: Done's channel closes.
func (c *Client) finished() { c.doneOnce.Do(func() { close(c.done) }) }

// Done is closed once the connection is closed (its close frame sent) or
// known to be gone.
func (c *Client) Done() <-chan struct{} { return c.done }

// close closes the connection once with a close code.
func (c *Client) close(code int, reason string) {
	c.mu.Lock()
	c.closeLocked(code, reason)
	c.mu.Unlock()
}

func (c *Client) closeLocked(code int, reason string) {
	if c.closed {
		return
	}
	c.closed = true
	c.queue, c.queued, c.held = nil, 0, nil
	go func() {
		c.tr.Close(code, reason)
		c.finished()
	}()
}

// closeAfterFlush closes with code once what is queued has been written, so
// that a reply (the answer to #exit) reaches the peer first.
func (c *Client) closeAfterFlush(code int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.writing {
		c.closeWhenDrained = code
		return
	}
	c.closeLocked(code, closeReason(code))
}

// closeReason is the human text sent with a close code.
func closeReason(code int) string {
	switch code {
	case chat.CloseNormal:
		return "bye"
	case chat.CloseGoingAway:
		return "server shutting down: reconnect"
	case chat.ClosePolicy:
		return "too many bad envelopes"
	case chat.CloseInternal:
		return "write failed"
	}
	return ""
}

// received records that a frame arrived (for keepalive) and reports whether
// the connection still takes frames: not once it is closed, or closing
// after its queue is written, or its token has expired (the frame may come
// just before the expiry timer fires; it is not taken, and the connection
// closes with 4001). One lock for all: it is taken per frame.
func (c *Client) received(now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lastSeen = now
	if c.expiredLocked(now) {
		c.closeLocked(chat.CloseTokenExpired, "token expired")
		return false
	}
	return !c.leavingLocked()
}

// leaving reports whether c is closed or closes once its queue is written.
func (c *Client) leaving() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.leavingLocked()
}

// leavingLocked is leaving with c.mu held.
func (c *Client) leavingLocked() bool { return c.closed || c.closeWhenDrained != 0 }

// sent records a message of this connection entering the write path.
func (c *Client) sent() {
	c.mu.Lock()
	c.unacked++
	c.mu.Unlock()
}

// settled records that one of them got its ack or its error.
func (c *Client) settled() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.unacked--; c.unacked == 0 && c.acksDone != nil {
		close(c.acksDone)
		c.acksDone = nil
	}
}

// awaitAcks waits, at most patience, until every message this connection
// sent has its ack or error queued, so that "hi" then #exit ends with the
// ack and the broadcast of "hi" written before the close.
func (c *Client) awaitAcks(patience time.Duration) {
	c.mu.Lock()
	if c.unacked == 0 {
		c.mu.Unlock()
		return
	}
	if c.acksDone == nil {
		c.acksDone = make(chan struct{})
	}
	done := c.acksDone
	c.mu.Unlock()
	t := time.NewTimer(patience)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}
