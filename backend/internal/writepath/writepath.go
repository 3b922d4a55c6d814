// Package writepath is the way every message takes into the database and
// out to the nodes, in one place:
//
//	Submit → commit loop: take the turn, store the batch (group commit)
//	       → publish loop: answer each sender (ack), publish, release the turn
//
// One goroutine commits and one publishes, connected by a channel. Nothing
// is answered or published before its transaction commits. The turn
// (chat.Sequencer) is taken before a batch is stored and released once its
// broadcast reached the bus, so batches are committed, and published, one
// at a time across the cluster, in id order. A single node runs the same
// path with an in-process Sequencer and bus.
//
// A batch the store committed but reported otherwise (the connection broke
// before the answer) is not published; the next turn's Prev counts it, and
// every node reads it from the database (see hub's delivery).
package writepath

import (
	"cmp"
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
)

// Request is one message on its way to the store.
type Request struct {
	Msg chat.NewMessage
	// Answer is called once, on the publish loop, before the batch is
	// published: with the stored message (Duplicate set when it is a retry
	// of one stored before), or why it was not stored.
	Answer func(st chat.Stored, err error)
	// Settled, when set, is called once the batch was published.
	Settled func()
}

// Metrics observes the batches.
type Metrics interface {
	Batch(size int, took time.Duration, err error)
}

// Config is what a Path needs.
type Config struct {
	Sequencer chat.Sequencer
	// Publish hands a committed batch to every node.
	Publish   func(ctx context.Context, b chat.Broadcast) error
	BatchSize int // largest group-commit batch
	Log       *slog.Logger
	Metrics   Metrics
	// Stopping is closed when the server shuts down: a bus that fails
	// then is not waited for.
	Stopping <-chan struct{}
}

// Path is the write path. Create it with New, then Start.
type Path struct {
	cfg     Config
	in      chan *Request
	results chan committed
	mu      sync.RWMutex // Submit holds it shared; Close exclusively
	closed  bool
	done    sync.WaitGroup
	window  *time.Timer // gather's; only the commit loop touches it
}

// committed is a batch that went through the database: one outcome per
// request, and the turn to release once it is published (nil when the turn
// could not be taken).
type committed struct {
	reqs []*Request
	outs []outcome
	turn chat.Turn
}

type outcome struct {
	stored chat.Stored
	err    error
}

// New returns a write path; Start runs it.
func New(cfg Config) *Path {
	// One batch can queue while one commits; past that, Submit blocks the
	// sender's reader, and TCP slows the client down.
	return &Path{cfg: cfg, in: make(chan *Request, cfg.BatchSize), results: make(chan committed, 4)}
}

// Start runs the commit and publish loops.
func (p *Path) Start() {
	p.done.Add(2)
	go p.commitLoop()
	go p.publishLoop()
}

// Submit hands a message to the commit loop. It blocks only when the loop is
// a full queue behind, which slows the sender and no one else.
func (p *Path) Submit(r *Request) error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return chat.Errorf(chat.EUnavailable, "server shutting down")
	}
	p.in <- r
	return nil
}

// Close stops accepting messages and returns once every accepted one is
// stored and published.
func (p *Path) Close() {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		close(p.in)
	}
	p.mu.Unlock()
	p.done.Wait()
}

func (p *Path) commitLoop() {
	defer p.done.Done()
	defer close(p.results)
	for first := range p.in {
		batch := p.gather(first)
		outs := make([]outcome, len(batch))
		turn, err := p.acquire(len(batch))
		if err != nil {
			for i := range outs {
				outs[i].err = err
			}
			p.results <- committed{reqs: batch, outs: outs}
			continue
		}
		msgs := make([]chat.NewMessage, len(batch))
		for i, r := range batch {
			msgs[i] = r.Msg
		}
		stored, err := p.append(turn, msgs)
		switch {
		case err != nil && len(batch) > 1 && chat.ErrorCode(err) != chat.EUnavailable:
			// One bad message (say, its recipient was just deleted) fails its
			// whole transaction: store the others one by one.
			for i, r := range batch {
				one, err := p.append(turn, []chat.NewMessage{r.Msg})
				if outs[i].err = err; err == nil {
					outs[i].stored = one[0]
				}
			}
		case err != nil:
			for i := range outs {
				outs[i].err = err
			}
		default:
			for i := range outs {
				outs[i].stored = stored[i]
			}
		}
		p.results <- committed{reqs: batch, outs: outs, turn: turn}
	}
}

// acquire takes the turn of a batch.
func (p *Path) acquire(size int) (chat.Turn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	turn, err := p.cfg.Sequencer.Acquire(ctx)
	if err != nil {
		p.cfg.Log.Error("take the turn of a message batch", "size", size, "waited", time.Since(start), "err", err)
	}
	return turn, err
}

// append stores one batch in one transaction under its turn, with a
// deadline so a hung database fails the batch instead of stalling every
// sender.
func (p *Path) append(turn chat.Turn, msgs []chat.NewMessage) ([]chat.Stored, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	stored, err := turn.Append(ctx, msgs)
	p.cfg.Metrics.Batch(len(msgs), time.Since(start), err)
	if err != nil {
		p.cfg.Log.Error("store message batch", "size", len(msgs), "err", err)
	}
	return stored, err
}

// gatherWindow is how long the commit loop waits after a message for others
// to share its transaction. A transaction costs about as much for one
// message as for a dozen, so without a window a stream of messages commits
// one by one and the database's round trips bound the rate; each message
// waits up to the window, though, and a long one gathers batches whose
// broadcasts leave in bursts, which raises the latency tail.
const gatherWindow = 500 * time.Microsecond

// gather takes what is queued behind first, up to a batch, waiting up to
// gatherWindow for more. What is already queued is always taken: the window
// bounds the wait for new arrivals, not the draining of a backlog (a select
// with both ready picks at random).
func (p *Path) gather(first *Request) []*Request {
	batch := []*Request{first}
	if p.window == nil {
		p.window = time.NewTimer(gatherWindow)
	} else {
		p.window.Reset(gatherWindow)
	}
	defer p.window.Stop()
	for len(batch) < p.cfg.BatchSize {
		var r *Request
		var ok bool
		select {
		case r, ok = <-p.in:
		default:
			select {
			case r, ok = <-p.in:
			case <-p.window.C:
				return batch
			}
		}
		if !ok {
			return batch
		}
		batch = append(batch, r)
	}
	return batch
}

func (p *Path) publishLoop() {
	defer p.done.Done()
	for c := range p.results {
		var prev int64
		if c.turn != nil {
			prev = c.turn.Prev()
		}
		var fresh []chat.Message
		for i, r := range c.reqs {
			o := c.outs[i]
			if o.err == nil && o.stored.Duplicate && o.stored.Message.ID > prev {
				// Above Prev, so stored by this very batch: the statement ran
				// twice (database/sql retried it on another connection), and
				// its second run found the first's rows.
				o.stored.Duplicate = false
			}
			if o.err == nil && o.stored.Duplicate && !sameMessage(o.stored.Message, r.Msg) {
				o.err = chat.Errorf(chat.EIDReused,
					"the id %q was given to another message before: give each message an id of its own", r.Msg.ClientID)
			}
			r.Answer(o.stored, o.err)
			if o.err == nil && !o.stored.Duplicate {
				fresh = append(fresh, o.stored.Message)
			}
		}
		// In id order, each once: two sends of one client id in a batch
		// are one message.
		slices.SortFunc(fresh, func(a, b chat.Message) int { return cmp.Compare(a.ID, b.ID) })
		fresh = slices.CompactFunc(fresh, func(a, b chat.Message) bool { return a.ID == b.ID })
		p.publish(c.turn, fresh)
		for _, r := range c.reqs {
			if r.Settled != nil {
				r.Settled()
			}
		}
	}
}

// sameMessage reports whether a stored message is what a retry of m would
// store again: the same text to the same person, or to a room of the same
// name (a room deleted and created again meanwhile is where the sender's
// client still believes it is).
func sameMessage(stored chat.Message, m chat.NewMessage) bool {
	if stored.Text != m.Text || !sameID(stored.TargetID, m.TargetID) {
		return false
	}
	if m.RoomID != nil {
		return stored.RoomID != nil && strings.EqualFold(stored.Room, m.Room)
	}
	return stored.RecipientID != nil && *stored.RecipientID == *m.RecipientID
}

// publish hands committed messages (in id order) to every node, then
// releases their turn. A bus that does not answer is retried for a while,
// holding the turn so that order is kept; if it stays away the messages are
// stored and acknowledged but not published, and the nodes read them from
// the database when the next batch arrives or their tail check finds them.
func (p *Path) publish(turn chat.Turn, msgs []chat.Message) {
	if turn == nil {
		return
	}
	defer turn.Release()
	if len(msgs) == 0 {
		return
	}
	b := chat.Broadcast{Prev: turn.Prev(), Messages: msgs}
	deadline := time.Now().Add(publishPatience)
	for wait := 20 * time.Millisecond; ; wait = min(2*wait, time.Second) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := p.cfg.Publish(ctx, b)
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) || p.stopping() {
			p.cfg.Log.Error("broadcast failed: messages are stored but reach the nodes only from the database",
				"messages", len(msgs), "first_id", msgs[0].ID, "err", err)
			return
		}
		p.cfg.Log.Warn("broadcast failed, retrying", "err", err)
		time.Sleep(wait)
	}
}

// sameID compares two optional ids: an update's message, say.
func sameID(a, b *int64) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

func (p *Path) stopping() bool {
	select {
	case <-p.cfg.Stopping:
		return true
	default:
		return false
	}
}

// publishPatience is how long a batch's turn waits for the bus.
const publishPatience = 10 * time.Second

// Local is the Sequencer of a single node: a mutex, and Prev read from the
// store under it. It stores batches with the store's AppendMessages.
type Local struct {
	store chat.Store
	mu    sync.Mutex
}

// NewLocal returns the Sequencer of a single node over st.
func NewLocal(st chat.Store) *Local { return &Local{store: st} }

// Acquire takes the turn and reads Prev.
func (l *Local) Acquire(ctx context.Context) (chat.Turn, error) {
	l.mu.Lock()
	prev, err := l.store.LatestMessageID(ctx)
	if err != nil {
		l.mu.Unlock()
		return nil, err
	}
	return &localTurn{l: l, prev: prev}, nil
}

type localTurn struct {
	l    *Local
	prev int64
	once sync.Once
}

func (t *localTurn) Prev() int64 { return t.prev }

func (t *localTurn) Append(ctx context.Context, batch []chat.NewMessage) ([]chat.Stored, error) {
	return t.l.store.AppendMessages(ctx, batch)
}

func (t *localTurn) Release() { t.once.Do(t.l.mu.Unlock) }
