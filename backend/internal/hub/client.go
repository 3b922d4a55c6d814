package hub

import (
	"context"
	"sync"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
)

// Transport is one peer's connection as the hub needs it. The ws package
// implements it over a WebSocket (with the bounded queue and the writer that
// coalesces envelopes into frames); tests implement it in memory.
type Transport interface {
	// Send queues an encoded envelope for the peer without blocking on the
	// network. It returns false when the envelope does not fit the
	// connection's outbound queue (QueueBytes): the peer can't keep up, and
	// the hub closes it with chat.CloseSlowConsumer. Once the connection
	// is closing, envelopes are dropped.
	Send(envelope []byte) bool
	// CloseAfterFlush closes with a WebSocket close code once what is
	// queued is written, and returns once the connection is closed.
	CloseAfterFlush(code int, reason string)
	// Close drops what is queued and closes the connection with a close
	// code. Both closes may block for the closing handshake, so the hub
	// calls them on a goroutine of their own.
	Close(code int, reason string)
	// Ping sends a keepalive ping without waiting for its pong, and fails
	// when the previous ping got none: the hub pings every silent
	// connection in turn, so it must return promptly.
	Ping(ctx context.Context) error
}

// heldEnvelope is a room envelope that arrived while the client was joining:
// it is released after the joined envelope unless history already had it.
type heldEnvelope struct {
	id      int64 // message id, 0 for envelopes that are not messages
	private bool  // a private message rather than a room one
	mention bool  // a mention of a room message
	frame   []byte
}

// Client is one open connection of a user: its room, what it is owed while
// it joins, and its way out (Transport). A peer that can't keep up is closed
// with 4000 instead of slowing anyone else (see enqueueLocked).
type Client struct {
	hub     *Hub
	user    chat.User
	expires time.Time
	tr      Transport

	mu      sync.Mutex
	closed  bool
	room    *room // current room; guarded by mu, changed with hub.mu held too
	holding bool  // joining: room envelopes go to held until joined is queued
	held    []heldEnvelope
	// welcome is a new connection's first envelope until its first joined
	// is queued right behind it.
	welcome []byte
	// The last ids the latest join's backlog carried (see hadLocked).
	roomFloor, privateFloor, mentionFloor int64
	lastSeen                              time.Time // last frame received, for keepalive
	// expiry closes the connection with 4001 when its token expires.
	expiry *time.Timer
	// closing is set once the connection closes after its queue is written
	// (#exit, too many bad envelopes, shutdown): it takes nothing more.
	closing bool
	// unacked counts this connection's messages in the write path, and
	// acksDone is closed when that reaches zero for someone waiting (#exit).
	unacked  int
	acksDone chan struct{}
	acked    int64 // the latest message id acknowledged to it

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

// enqueue adds an encoded envelope to the outbound queue. It never blocks
// on the network.
func (c *Client) enqueue(frame []byte) {
	c.mu.Lock()
	c.enqueueLocked(frame)
	c.mu.Unlock()
}

// enqueueLocked hands frame to the transport; one that does not fit the
// connection's queue closes it as a slow consumer, which recovers by
// reconnecting and resuming.
func (c *Client) enqueueLocked(frame []byte) {
	if c.leavingLocked() {
		return // closed, or closing once what is queued is written
	}
	if !c.tr.Send(frame) {
		c.hub.metrics.SlowConsumer()
		c.closeLocked(chat.CloseSlowConsumer, "slow consumer: outbound queue full")
	}
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

// deliverMention queues a mention, holding it back while a join is loading
// history, and skipping one the backlog of the first join carried.
func (c *Client) deliverMention(id int64, frame []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if id <= c.mentionFloor {
		return
	}
	if c.holding {
		c.held = append(c.held, heldEnvelope{id: id, mention: true, frame: frame})
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
// to lastPrivateID, mentions up to lastMentionID.
func (c *Client) finishJoin(r *room, frames [][]byte, lastRoomID, lastPrivateID, lastMentionID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.room != r {
		return // moved again meanwhile; that join sends its own joined
	}
	c.roomFloor = lastRoomID
	c.privateFloor = max(c.privateFloor, lastPrivateID)
	c.mentionFloor = max(c.mentionFloor, lastMentionID)
	if c.welcome != nil {
		// Queued together, so that the writer takes both in one frame.
		c.enqueueLocked(c.welcome)
		c.welcome = nil
	}
	for _, f := range frames {
		c.enqueueLocked(f)
	}
	for _, h := range c.held {
		if h.mention && h.id > c.mentionFloor || !h.mention && !c.hadLocked(h.id, h.private) {
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
	c.held = nil
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
	c.held = nil
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
	if c.leavingLocked() {
		return
	}
	c.closing = true
	go func() {
		c.tr.CloseAfterFlush(code, closeReason(code))
		c.finished()
	}()
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
func (c *Client) leavingLocked() bool { return c.closed || c.closing }

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
