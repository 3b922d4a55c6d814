package hub

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
)

// The write path, in one place: a message is validated by its caller, then
//
//	submit → commit loop (group commit: one transaction per batch)
//	       → publish loop (in commit order: ack to the sender, then broadcast)
//
// One goroutine commits and one publishes, connected by a channel, so
// broadcasts leave in id order while the next batch is already being
// written. Nothing is acknowledged or broadcast before its transaction
// commits.
//
// With several nodes the commit loop first takes the batch's turn from the
// Sequencer (its rooms, or all messages when it holds private ones), and
// the publish loop releases it once the broadcast reached the broker: a
// room's next batch, from any node, is stored after this one is on its way,
// so every node receives each room's messages in id order. A single node
// takes no turn.

// submission is one message on its way to the store.
type submission struct {
	msg    chat.NewMessage
	room   *room        // nil for a private message
	client *Client      // the sending connection, nil for REST
	envID  string       // the client's id of the send envelope
	reply  chan outcome // REST callers wait here; buffered
	at     time.Time    // when submit took it, for the ack latency metric
}

type outcome struct {
	stored chat.Stored
	err    error
}

// committed is a batch that went through the database: one outcome per
// submission, and the turn to release once it is broadcast. recovered are
// messages of earlier failed batches that had committed all the same, to
// broadcast first (a single node's; see recover).
type committed struct {
	subs      []*submission
	outs      []outcome
	turn      chat.Sequence // nil on a single node
	recovered []chat.Message
}

type writePath struct {
	h       *Hub
	seq     chat.Sequencer // nil on a single node
	in      chan *submission
	results chan committed
	mu      sync.RWMutex // submit holds it shared; close exclusively
	closed  bool
	done    sync.WaitGroup
	window  *time.Timer // gather's; only the commit loop touches it

	// A single node's account of what it broadcast, for the batches whose
	// fate the store could not tell (see recover, settle). Only the commit
	// loop touches them; high is set before it starts.
	high   int64      // the latest id stored and broadcast, or stored before the start
	unsure doubtedIDs // of batches that failed unavailable
}

func newWritePath(h *Hub, seq chat.Sequencer) *writePath {
	// One batch can queue while one commits; past that, submit blocks the
	// sender's reader, and TCP slows the client down.
	return &writePath{h: h, seq: seq, in: make(chan *submission, h.cfg.BatchSize), results: make(chan committed, 4)}
}

func (w *writePath) start() {
	w.done.Add(2)
	go w.commitLoop()
	go w.publishLoop()
}

// submit hands a message to the commit loop. It blocks only when the loop is
// a full queue behind, which slows the sender and no one else.
func (w *writePath) submit(s *submission) error {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed {
		return chat.Errorf(chat.EUnavailable, "server shutting down")
	}
	if s.client != nil {
		s.client.sent()
	}
	s.at = time.Now()
	w.in <- s
	return nil
}

// close stops accepting messages and returns once every accepted one is
// stored and published.
func (w *writePath) close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.in)
	}
	w.mu.Unlock()
	w.done.Wait()
}

func (w *writePath) commitLoop() {
	defer w.done.Done()
	defer close(w.results)
	for first := range w.in {
		batch := w.gather(first)
		outs := make([]outcome, len(batch))
		turn, err := w.acquire(batch)
		var recovered []chat.Message
		if err == nil && turn == nil {
			recovered, err = w.recover()
		}
		if err != nil {
			for i := range outs {
				outs[i].err = err
			}
			w.results <- committed{subs: batch, outs: outs}
			continue
		}
		msgs := make([]chat.NewMessage, len(batch))
		for i, s := range batch {
			msgs[i] = s.msg
		}
		stored, err := w.append(turn, msgs)
		switch {
		case err != nil && len(batch) > 1 && chat.ErrorCode(err) != chat.EUnavailable:
			// One bad message (say, its recipient was just deleted) fails its
			// whole transaction: store the others one by one.
			for i, s := range batch {
				one, err := w.append(turn, []chat.NewMessage{s.msg})
				if outs[i].err = err; err == nil {
					outs[i].stored = one[0]
				} else if turn == nil {
					w.doubt(batch[i : i+1])
				}
			}
		case err != nil:
			for i := range outs {
				outs[i].err = err
			}
			if turn == nil {
				w.doubt(batch)
			}
		default:
			for i := range outs {
				outs[i].stored = stored[i]
			}
		}
		if turn == nil {
			w.settle(batch, outs)
		}
		w.results <- committed{subs: batch, outs: outs, turn: turn, recovered: recovered}
	}
}

// A single node broadcasts what it stores itself, so a message the store
// committed but reported otherwise would reach no one: the sender's retry
// is a repeat, acknowledged and never broadcast. That happens when a
// connection breaks after the commit, before the answer (the batch fails
// unavailable), and when database/sql runs the statement again on another
// connection (the batch comes back as repeats of itself). Nodes of several
// have the Sequencer's latest ids to notice such gaps; a single node keeps
// high, the latest id it broadcast, instead: nothing else writes messages,
// so whatever is stored above it was never broadcast.

// doubtedIDs are the rooms and the private senders of messages whose batch
// failed unavailable: they may have committed.
type doubtedIDs struct{ rooms, senders []int64 }

// doubt records the rooms and senders of a batch that failed unavailable.
// Other errors are the statement's own, and it stored nothing.
func (w *writePath) doubt(batch []*submission) {
	for _, s := range batch {
		if m := s.msg; m.RoomID != nil {
			w.unsure.rooms = append(w.unsure.rooms, *m.RoomID)
		} else {
			w.unsure.senders = append(w.unsure.senders, m.SenderID)
		}
	}
}

// recover reads, before the next batch is stored, what the doubted batches
// committed: the messages above high in their rooms and their senders'
// private messages. They are broadcast ahead of the batch, in id order.
// An error (the database is still away) fails the next batch too: storing
// it first would put its ids before theirs.
func (w *writePath) recover() ([]chat.Message, error) {
	if len(w.unsure.rooms) == 0 && len(w.unsure.senders) == 0 {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rooms, err := w.readAbove(ctx, w.unsure.rooms, w.h.store.RoomMessagesAfter)
	if err != nil {
		return nil, err
	}
	private, err := w.readAbove(ctx, w.unsure.senders, w.h.store.PrivateMessagesAfter)
	if err != nil {
		return nil, err
	}
	w.unsure = doubtedIDs{}
	out := sortUnique(append(rooms, private...))
	if len(out) > 0 {
		w.high = max(w.high, out[len(out)-1].ID)
		w.h.log.Warn("a failed batch had committed: broadcasting its messages", "messages", len(out))
	}
	return out, nil
}

// readAbove reads every message above high of each of ids (rooms or users).
func (w *writePath) readAbove(ctx context.Context, ids []int64, read pageReader) ([]chat.Message, error) {
	var out []chat.Message
	slices.Sort(ids)
	for _, id := range slices.Compact(ids) {
		msgs, err := readPages(ctx, read, id, w.high, math.MaxInt64)
		if err != nil {
			return nil, fmt.Errorf("hub: recover the messages of a failed batch: %w", err)
		}
		out = append(out, msgs...)
	}
	return out, nil
}

// settle marks as new the repeats in a stored batch whose ids are above
// high (the statement ran twice: its first run stored them), once each, and
// raises high past the batch. The common batch has no such repeat and costs
// one pass.
func (w *writePath) settle(batch []*submission, outs []outcome) {
	top, suspect := w.high, false
	for _, o := range outs {
		if o.err == nil {
			top = max(top, o.stored.Message.ID)
			suspect = suspect || (o.stored.Duplicate && o.stored.Message.ID > w.high)
		}
	}
	if suspect {
		fresh := map[int64]bool{}
		for _, o := range outs {
			if o.err == nil && !o.stored.Duplicate {
				fresh[o.stored.Message.ID] = true
			}
		}
		for i := range outs {
			o := &outs[i]
			id := o.stored.Message.ID
			if o.err == nil && o.stored.Duplicate && id > w.high && !fresh[id] && sameMessage(o.stored.Message, batch[i].msg) {
				o.stored.Duplicate = false
				fresh[id] = true
			}
		}
	}
	w.high = top
}

// acquire takes the batch's turn across nodes; nil on a single node.
func (w *writePath) acquire(batch []*submission) (chat.Sequence, error) {
	if w.seq == nil {
		return nil, nil
	}
	var rooms, users []int64
	for _, s := range batch {
		if m := s.msg; m.RoomID != nil {
			rooms = append(rooms, *m.RoomID)
		} else {
			users = append(users, m.SenderID, *m.RecipientID)
		}
	}
	slices.Sort(rooms)
	slices.Sort(users)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	turn, err := w.seq.Acquire(ctx, slices.Compact(rooms), slices.Compact(users))
	if err != nil {
		w.h.log.Error("take the turn of a message batch", "size", len(batch), "waited", time.Since(start), "err", err)
	}
	return turn, err
}

// append stores one batch in one transaction, with a deadline so a hung
// database fails the batch instead of stalling every sender. With other
// nodes it goes through the batch's turn, which stays taken until the
// database is done with it even if this node dies (see chat.Sequence).
func (w *writePath) append(turn chat.Sequence, msgs []chat.NewMessage) ([]chat.Stored, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	var stored []chat.Stored
	var err error
	if turn != nil {
		stored, err = turn.Append(ctx, msgs)
	} else {
		stored, err = w.h.store.AppendMessages(ctx, msgs)
	}
	w.h.metrics.Batch(len(msgs), time.Since(start), err)
	if err != nil {
		w.h.log.Error("store message batch", "size", len(msgs), "err", err)
	}
	return stored, err
}

// gatherWindow is how long the commit loop waits after a message for others
// to share its transaction. A transaction costs about as much for one
// message as for a dozen, so without a window a stream of messages commits
// one by one: in S2 (2,000 msg/s, docs/performance.md) the server's core went
// from 57–62% to 76–78% busy and p99 to 22–25 ms. Each message waits up to
// the window, though, and a longer one gathers larger batches whose
// broadcasts leave in bursts: with 2 ms, S2's p99 was 9.1–27.4 ms in five
// runs; with 500 µs, 6.7–9.5 ms in seven, for a few points more of the core
// (55–66% against 54–61%).
const gatherWindow = 500 * time.Microsecond

// gather takes what is queued behind first, up to a batch, waiting up to
// gatherWindow for more. What is already queued is always taken: the window
// bounds the wait for new arrivals, not the draining of a backlog (a select
// with both ready picks at random, which cut a backlog of 3000 in two).
func (w *writePath) gather(first *submission) []*submission {
	batch := []*submission{first}
	if w.window == nil {
		w.window = time.NewTimer(gatherWindow)
	} else {
		w.window.Reset(gatherWindow)
	}
	defer w.window.Stop()
	for len(batch) < w.h.cfg.BatchSize {
		var s *submission
		var ok bool
		select {
		case s, ok = <-w.in:
		default:
			select {
			case s, ok = <-w.in:
			case <-w.window.C:
				return batch
			}
		}
		if !ok {
			return batch
		}
		batch = append(batch, s)
	}
	return batch
}

func (w *writePath) publishLoop() {
	defer w.done.Done()
	for c := range w.results {
		if len(c.recovered) > 0 {
			w.publish(nil, c.recovered)
		}
		var fresh []chat.Message
		for i, s := range c.subs {
			if o := c.outs[i]; o.err != nil {
				w.fail(s, o.err)
			} else if w.ack(s, o.stored) {
				fresh = append(fresh, o.stored.Message)
			}
		}
		// In id order: a repeat settle made new has an id below the
		// batch's new ones.
		slices.SortFunc(fresh, func(a, b chat.Message) int { return cmp.Compare(a.ID, b.ID) })
		w.publish(c.turn, fresh)
		for _, s := range c.subs { // acked and broadcast: a waiting #exit may close
			if s.client != nil {
				s.client.settled()
			}
		}
	}
}

func (w *writePath) fail(s *submission, err error) {
	if s.client != nil {
		s.client.enqueue(encode(chat.ErrorEnvelope(s.envID, err)))
	}
	if s.reply != nil {
		s.reply <- outcome{err: err}
	}
}

// ack acknowledges a stored message and reports whether it is new, to be
// broadcast, rather than a retry of one broadcast already. A client id the
// sender gave a different message before is an error, not a retry: acking
// it would drop the new message without a word.
func (w *writePath) ack(s *submission, st chat.Stored) bool {
	if st.Duplicate && !sameMessage(st.Message, s.msg) {
		w.fail(s, chat.Errorf(chat.EIDReused,
			"the id %q was given to another message before: give each message an id of its own", s.msg.ClientID))
		return false
	}
	m := st.Message
	w.h.metrics.Acked(time.Since(s.at))
	if s.client != nil {
		s.client.enqueue(encode(chat.Ack{Type: chat.TypeAck, ID: s.envID, MessageID: m.ID, SentAt: m.SentAt}))
	}
	if s.reply != nil {
		s.reply <- outcome{stored: st}
	}
	return !st.Duplicate
}

// sameMessage reports whether a stored message is what a retry of m would
// store again: the same text to the same room or person.
func sameMessage(stored chat.Message, m chat.NewMessage) bool {
	return stored.Text == m.Text && equalID(stored.RoomID, m.RoomID) && equalID(stored.RecipientID, m.RecipientID)
}

func equalID(a, b *int64) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }

// complete acknowledges one stored message and broadcasts it, as the
// publish loop does for a batch.
func (w *writePath) complete(s *submission, st chat.Stored) {
	if w.ack(s, st) {
		w.publish(nil, []chat.Message{st.Message})
	}
}

// publish broadcasts committed messages (in id order) to every node, then
// releases their turn. With other nodes a broker that does not answer is
// retried for a while, holding the turn so that order is kept; if it stays
// away the messages are stored and acknowledged but not broadcast, and the
// nodes read them from the database when the room's next batch arrives.
func (w *writePath) publish(turn chat.Sequence, msgs []chat.Message) {
	if turn == nil {
		if len(msgs) > 0 {
			_ = w.h.cluster.Publish(context.Background(), chat.Broadcast{Messages: msgs}) // in process: can't fail
		}
		return
	}
	defer turn.Release()
	if len(msgs) == 0 {
		return
	}
	b := chat.Broadcast{Messages: msgs, RoomPrev: turn.RoomPrev(), UserPrev: turn.UserPrev(), PrivPrev: turn.PrivPrev()}
	deadline := time.Now().Add(publishPatience)
	for wait := 20 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := w.h.cluster.Publish(ctx, b)
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) || w.stopping() {
			w.h.log.Error("broadcast failed: messages are stored but reach other nodes only with the next ones",
				"messages", len(msgs), "first_id", msgs[0].ID, "err", err)
			return
		}
		w.h.log.Warn("broadcast failed, retrying", "err", err)
		time.Sleep(wait)
	}
}

// stopping reports whether the hub is shutting down: a broker that fails
// then is not waited for.
func (w *writePath) stopping() bool {
	select {
	case <-w.h.stop:
		return true
	default:
		return false
	}
}

// publishPatience is how long a batch's turn waits for the broker.
const publishPatience = 10 * time.Second

// connsOf lists the open connections of the given users.
func (h *Hub) connsOf(userIDs ...int64) []*Client {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var out []*Client
	for i, id := range userIDs {
		if i > 0 && id == userIDs[0] {
			continue // a note to oneself reaches each connection once
		}
		if p := h.online[id]; p != nil {
			for c := range p.conns {
				out = append(out, c)
			}
		}
	}
	return out
}

// isOnline reports whether a user has a connection on any node.
func (h *Hub) isOnline(userID int64) bool {
	peers := h.cluster.Peers()
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.onlineLocked(userID, peers)
}
