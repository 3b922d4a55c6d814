package hub

import (
	"context"
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

// submission is one message on its way to the store.
type submission struct {
	msg    chat.NewMessage
	room   *room        // nil for a private message
	client *Client      // the sending connection, nil for REST
	envID  string       // the client's id of the send envelope
	reply  chan outcome // REST callers wait here; buffered
}

type outcome struct {
	stored chat.Stored
	err    error
}

type committed struct {
	subs   []*submission
	stored []chat.Stored
	err    error
}

type writePath struct {
	h       *Hub
	in      chan *submission
	results chan committed
	mu      sync.RWMutex // submit holds it shared; close exclusively
	closed  bool
	done    sync.WaitGroup
}

func newWritePath(h *Hub) *writePath {
	return &writePath{h: h, in: make(chan *submission, 4*h.cfg.BatchSize), results: make(chan committed, 4)}
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
		msgs := make([]chat.NewMessage, len(batch))
		for i, s := range batch {
			msgs[i] = s.msg
		}
		stored, err := w.append(msgs)
		if err != nil && len(batch) > 1 && chat.ErrorCode(err) != chat.EUnavailable {
			// One bad message (say, its recipient was just deleted) fails its
			// whole transaction: store the others one by one.
			for _, s := range batch {
				one, err := w.append([]chat.NewMessage{s.msg})
				w.results <- committed{subs: []*submission{s}, stored: one, err: err}
			}
			continue
		}
		w.results <- committed{subs: batch, stored: stored, err: err}
	}
}

// append stores one batch in one transaction, with a deadline so a hung
// database fails the batch instead of stalling every sender.
func (w *writePath) append(msgs []chat.NewMessage) ([]chat.Stored, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	stored, err := w.h.store.AppendMessages(ctx, msgs)
	w.h.metrics.Batch(len(msgs), time.Since(start), err)
	if err != nil {
		w.h.log.Error("store message batch", "size", len(msgs), "err", err)
	}
	return stored, err
}

// gather takes what is already queued behind first, up to a batch.
func (w *writePath) gather(first *submission) []*submission {
	batch := []*submission{first}
	for len(batch) < w.h.cfg.BatchSize {
		select {
		case s, ok := <-w.in:
			if !ok {
				return batch
			}
			batch = append(batch, s)
		default:
			return batch
		}
	}
	return batch
}

func (w *writePath) publishLoop() {
	defer w.done.Done()
	for c := range w.results {
		for i, s := range c.subs {
			if c.err != nil {
				w.fail(s, c.err)
				continue
			}
			w.complete(s, c.stored[i])
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

// complete acknowledges a stored message and broadcasts it, unless it is a
// retry of one already broadcast.
func (w *writePath) complete(s *submission, st chat.Stored) {
	m := st.Message
	if s.client != nil {
		s.client.enqueue(encode(chat.Ack{Type: chat.TypeAck, ID: s.envID, MessageID: m.ID, SentAt: m.SentAt}))
	}
	if s.reply != nil {
		s.reply <- outcome{stored: st}
	}
	if st.Duplicate {
		return
	}
	if s.room != nil {
		frame := encode(chat.MessageOut(m))
		members := s.room.memberList()
		for _, c := range members {
			c.deliverRoom(s.room, m.ID, frame)
		}
		w.h.metrics.Delivered(len(members))
		return
	}
	frame := encode(chat.PrivateOf(m))
	targets := w.h.connsOf(m.SenderID, *m.RecipientID)
	for _, c := range targets {
		c.deliverPrivate(m.ID, frame)
	}
	w.h.metrics.Delivered(len(targets))
}

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

func (h *Hub) isOnline(userID int64) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.online[userID] != nil
}
