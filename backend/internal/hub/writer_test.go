package hub

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/store/storetest"
)

// frameCount is the number of frames a recorder got.
func (r *recorder) frameCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.frames)
}

// A message to a quiet connection is written at once: the writer lingers
// only while envelopes pile up.
func TestLoneEnvelopeIsWrittenAtOnce(t *testing.T) {
	st := storetest.OpenSQLite(t)
	h := newHub(t, st, nil)
	c, rec := connectRecorded(t, h, newUser(t, st, "alice"))
	eventually(t, "welcome and joined", func() bool { return len(rec.envelopes(t)) == 2 })
	time.Sleep(2 * lingerMax) // whatever the join left lingering is over
	base := rec.frameCount()
	start := time.Now()
	c.enqueue([]byte(`{"type":"n"}`))
	for rec.frameCount() == base {
		if time.Since(start) > lingerMax/2 {
			t.Fatalf("a lone envelope waited over %v", lingerMax/2)
		}
		time.Sleep(50 * time.Microsecond)
	}
}

// An idle connection holds no envelope: 19,500 idle connections that each
// kept their welcome (9 kB with 100 rooms) held 135 MiB.
func TestIdleConnectionKeepsNoEnvelope(t *testing.T) {
	st := storetest.OpenSQLite(t)
	h := newHub(t, st, nil)
	c, rec := connectRecorded(t, h, newUser(t, st, "alice"))
	eventually(t, "welcome and joined", func() bool { return len(rec.envelopes(t)) == 2 })
	idle := func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return !c.writing && c.queue == nil && c.one[0] == nil
	}
	eventually(t, "the writer gone, holding nothing", idle)
	// As a connect does: welcome waits in c.one for joined, which moves
	// the queue to an array of two; both are written in one frame.
	base := rec.frameCount()
	c.queueFirst([]byte(`{"type":"first"}`))
	c.enqueue([]byte(`{"type":"second"}`))
	eventually(t, "both written", func() bool { return rec.frameCount() == base+1 })
	eventually(t, "the writer gone again, holding nothing", idle)
	c.enqueue([]byte(`{"type":"lone"}`)) // a lone envelope is written from c.one itself
	eventually(t, "the lone one written", func() bool { return rec.frameCount() == base+2 })
	eventually(t, "the writer gone once more, holding nothing", idle)
}

// slowPeer is a recorder whose writes take a while, like syscalls on a
// busy machine.
type slowPeer struct {
	*recorder
	delay time.Duration
}

func (p slowPeer) WriteFrame(frame []byte, deadline time.Time) error {
	time.Sleep(p.delay)
	return p.recorder.WriteFrame(frame, deadline)
}

// Envelopes that arrive faster than they are written share frames, in
// order, and the writer lingers to gather more: a busy connection costs far
// fewer writes than envelopes.
func TestBusyWriterCoalescesAcrossArrivals(t *testing.T) {
	st := storetest.OpenSQLite(t)
	h := newHub(t, st, nil)
	rec := &recorder{}
	c, err := h.Connect(context.Background(), newUser(t, st, "alice"), time.Time{}, slowPeer{rec, 500 * time.Microsecond}, Resume{})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "welcome and joined", func() bool { return len(rec.envelopes(t)) == 2 })
	base := rec.frameCount()
	const n = 400
	start := time.Now()
	for i := range n { // one every 100 µs: 40 ms in all
		for time.Since(start) < time.Duration(i)*100*time.Microsecond {
		}
		c.enqueue([]byte(fmt.Sprintf(`{"type":"n","i":%d}`, i)))
	}
	eventually(t, "every envelope written", func() bool { return len(rec.envelopes(t)) == 2+n })
	t.Logf("%d envelopes in %d frames", n, rec.frameCount()-base)
	for i, e := range rec.envelopes(t)[2:] {
		if e["i"] != float64(i) {
			t.Fatalf("envelope %d is %v: order lost", i, e)
		}
	}
	if frames := rec.frameCount() - base; frames > n/20 {
		t.Errorf("%d envelopes arriving 100 µs apart took %d frames; a busy writer should coalesce them", n, frames)
	}
}

// A close asked for once the queue is written happens even while the peer
// keeps causing replies (a client still sending during a shutdown): what
// was queued before the close is written, what comes after is dropped.
func TestCloseAfterFlushWhileRepliesKeepComing(t *testing.T) {
	st := storetest.OpenSQLite(t)
	h := newHub(t, st, nil)
	c, rec := connectRecorded(t, h, newUser(t, st, "alice"))
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			c.enqueue([]byte(fmt.Sprintf(`{"type":"error","id":"m%d"}`, i)))
			time.Sleep(50 * time.Microsecond)
		}
	}()
	time.Sleep(20 * time.Millisecond)
	c.enqueue([]byte(`{"type":"last"}`))
	c.closeAfterFlush(chat.CloseGoingAway)
	eventually(t, "closed with 1001", func() bool { return rec.closeCode() == chat.CloseGoingAway })
	written := false
	for _, e := range rec.envelopes(t) {
		written = written || e["type"] == "last"
	}
	if !written {
		t.Error("the envelope queued before the close was not written")
	}
}

// A push to everyone starts the writers a slice at a time: one goroutine
// per connection at once, at tens of thousands of connections, left the
// stacks they grew behind. A slice whose writers don't finish holds the
// next one back only for a while, and every connection gets the frame.
func TestBroadcastAllPacesItsWriters(t *testing.T) {
	st := storetest.OpenSQLite(t)
	h := newHub(t, st, nil)
	user := newUser(t, st, "alice")
	held := make(chan struct{}) // the peers stop reading until it closes
	recs := make([]*recorder, 2*pushSlice+10)
	for i := range recs {
		recs[i] = &recorder{gate: held}
		c := &Client{hub: h, user: user, tr: recs[i], done: make(chan struct{})}
		h.mu.Lock()
		h.addPresenceLocked(c)
		h.mu.Unlock()
	}
	done := make(chan struct{})
	start := time.Now()
	go func() { h.broadcastAll([]byte(`{"type":"push"}`)); close(done) }()
	time.Sleep(pushPatience / 2)
	if n := h.writers.Load(); n != pushSlice {
		t.Fatalf("%d writers run while the first slice's are stuck; want %d", n, pushSlice)
	}
	<-done // the later slices went out after pushPatience each
	if waited := time.Since(start); waited < 2*pushPatience {
		t.Errorf("the push took %v: it did not wait for stuck writers", waited)
	}
	close(held)
	eventually(t, "every connection got the push", func() bool {
		for _, r := range recs {
			if r.frameCount() != 1 {
				return false
			}
		}
		return true
	})
	eventually(t, "the writers ended", func() bool { return h.writers.Load() == 0 })
}
