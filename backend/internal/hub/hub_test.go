package hub

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/store/storetest"
)

// recorder is a Transport that keeps what is sent to it, one Send per
// frame. With limit set, it refuses a Send that would take the bytes it holds
// past limit, as a connection whose peer stopped reading does once its queue
// is full.
type recorder struct {
	mu     sync.Mutex
	frames [][]byte
	held   int
	limit  int
	closed int
}

func (r *recorder) Send(frame []byte) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.limit > 0 && r.held+len(frame) > r.limit {
		return false
	}
	r.held += len(frame)
	r.frames = append(r.frames, bytes.Clone(frame))
	return true
}

func (r *recorder) Ping(context.Context) error { return nil }

func (r *recorder) Close(code int, _ string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = code
}

func (r *recorder) CloseAfterFlush(code int, reason string) { r.Close(code, reason) }

// count is how many envelopes were written, without decoding them.
func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, f := range r.frames {
		n += 1 + bytes.Count(f, []byte("\n"))
	}
	return n
}

// envelopes splits every recorded frame into decoded envelopes.
func (r *recorder) envelopes(t *testing.T) []map[string]any {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []map[string]any
	for _, f := range r.frames {
		for _, line := range bytes.Split(f, []byte("\n")) {
			var e map[string]any
			if err := json.Unmarshal(line, &e); err != nil {
				t.Fatalf("bad envelope %q", line)
			}
			out = append(out, e)
		}
	}
	return out
}

// frameCount is the number of frames a recorder got.
func (r *recorder) frameCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.frames)
}

func (r *recorder) closeCode() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.closed
}

func newHub(t testing.TB, st chat.Store, tune func(*Config)) *Hub {
	t.Helper()
	cfg := DefaultConfig()
	cfg.MsgRate, cfg.MsgBurst = 1e6, 1e6
	if tune != nil {
		tune(&cfg)
	}
	h := New(cfg, st, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err := h.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Shutdown(context.Background()) })
	return h
}

// connectRecorded connects u with a recorder for its transport.
func connectRecorded(t *testing.T, h *Hub, u chat.User) (*Client, *recorder) {
	t.Helper()
	rec := &recorder{}
	c, err := h.Connect(context.Background(), u, time.Time{}, rec, Resume{})
	if err != nil {
		t.Fatal(err)
	}
	return c, rec
}

func newUser(t testing.TB, st chat.Store, login string) chat.User {
	t.Helper()
	u := chat.User{Login: login, FirstName: login, LastName: "T", Age: 30, Gender: "other"}
	if err := st.CreateUser(context.Background(), &u, "not-a-hash"); err != nil {
		t.Fatal(err)
	}
	return u
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// An envelope the transport refuses (its queue is full: the peer stopped
// reading) closes the connection with 4000; the hub does not wait for it.
func TestFullQueueClosesSlowConsumer(t *testing.T) {
	st := storetest.OpenSQLite(t)
	h := newHub(t, st, nil)
	slow := &recorder{limit: 4 << 10}
	c, err := h.Connect(context.Background(), newUser(t, st, "slow"), time.Time{}, slow, Resume{})
	if err != nil {
		t.Fatal(err)
	}
	for range 100 {
		c.enqueue(bytes.Repeat([]byte("y"), 100))
	}
	eventually(t, "slow consumer closed", func() bool { return slow.closeCode() == chat.CloseSlowConsumer })
}

// gatedStore delays AppendMessages until released, to observe what happens
// before a batch commits.
type gatedStore struct {
	chat.Store
	release chan struct{}
	batches chan int
}

func (g *gatedStore) AppendMessages(ctx context.Context, batch []chat.NewMessage) ([]chat.Stored, error) {
	g.batches <- len(batch)
	<-g.release
	return g.Store.AppendMessages(ctx, batch)
}

func TestGroupCommitAcksAfterCommitInOrder(t *testing.T) {
	real := storetest.OpenSQLite(t)
	st := &gatedStore{Store: real, release: make(chan struct{}), batches: make(chan int, 100)}
	h := newHub(t, st, nil)
	c, rec := connectRecorded(t, h, newUser(t, real, "alice"))
	for i := range 50 {
		h.Receive(context.Background(), c, []byte(fmt.Sprintf(`{"type":"send","id":"c%d","text":"m%d"}`, i, i)), false)
	}
	<-st.batches // the first batch is being written and held
	time.Sleep(50 * time.Millisecond)
	for _, e := range rec.envelopes(t) {
		if e["type"] == "ack" || e["type"] == "message" {
			t.Fatalf("%v sent before its batch committed", e)
		}
	}
	close(st.release)
	eventually(t, "50 acks and 50 messages", func() bool { return len(rec.envelopes(t)) == 2+100 })
	var acked, received []float64
	for _, e := range rec.envelopes(t)[2:] {
		switch e["type"] {
		case "ack":
			acked = append(acked, e["message_id"].(float64))
		case "message":
			if len(received) >= len(acked) {
				t.Fatalf("message %v broadcast before its ack", e["id"])
			}
			received = append(received, e["id"].(float64))
		}
	}
	for i := range received {
		if acked[i] != received[i] || (i > 0 && received[i] <= received[i-1]) {
			t.Fatalf("acks %v\nmessages %v: want the same ids, increasing", acked, received)
		}
	}
	batches := 1
	for len(st.batches) > 0 {
		<-st.batches
		batches++
	}
	if batches > 10 {
		t.Errorf("50 queued messages took %d transactions; group commit should batch them", batches)
	}
}

// A store that falls behind gets everything queued meanwhile as one batch:
// 3000 messages sent while a commit is held take one more transaction, not
// the dozen a batch limit of 256 would take.
func TestBacklogCommitsAsOneBatch(t *testing.T) {
	real := storetest.OpenSQLite(t)
	st := &gatedStore{Store: real, release: make(chan struct{}), batches: make(chan int, 100)}
	h := newHub(t, st, func(c *Config) { c.QueueBytes = 16 << 20 })
	c, rec := connectRecorded(t, h, newUser(t, real, "alice"))
	const backlog = 3000
	h.Receive(context.Background(), c, []byte(`{"type":"send","id":"first","text":"m"}`), false)
	<-st.batches // held: everything sent now queues behind it
	for i := range backlog {
		h.Receive(context.Background(), c, []byte(fmt.Sprintf(`{"type":"send","id":"c%d","text":"m%d"}`, i, i)), false)
	}
	close(st.release)
	// (Counted without decoding: decoding thousands of envelopes every few
	// milliseconds is slow under -race. Other envelopes, a rooms push say,
	// may come too.)
	eventually(t, "every ack and message", func() bool { return rec.count() >= 2+2*(1+backlog) })
	got := map[any]int{}
	for _, e := range rec.envelopes(t) {
		got[e["type"]]++
	}
	if got["ack"] != 1+backlog || got["message"] != 1+backlog {
		t.Errorf("%d acks and %d messages, want %d of each", got["ack"], got["message"], 1+backlog)
	}
	var sizes []int
	for len(st.batches) > 0 {
		sizes = append(sizes, <-st.batches)
	}
	if len(sizes) != 1 || sizes[0] != backlog {
		t.Errorf("the backlog of %d went in as batches of %v, want one", backlog, sizes)
	}
}

func TestFailedBatchErrorsEveryMessage(t *testing.T) {
	st := storetest.OpenSQLite(t)
	h := newHub(t, st, nil)
	c, rec := connectRecorded(t, h, newUser(t, st, "alice"))
	_ = st.Close() // the database goes away under the hub
	for i := range 3 {
		h.Receive(context.Background(), c, []byte(fmt.Sprintf(`{"type":"send","id":"c%d","text":"m"}`, i)), false)
	}
	eventually(t, "three errors", func() bool { return len(rec.envelopes(t)) == 5 })
	for _, e := range rec.envelopes(t)[2:] {
		if e["type"] != "error" {
			t.Errorf("got %v, want an error and no ack", e)
		}
	}
}

// A message can be committed, read into a joining client's history, and
// broadcast only after the join finished: the client must not get it twice.
func TestLateBroadcastOfAMessageInHistoryIsDropped(t *testing.T) {
	st := storetest.OpenSQLite(t)
	h := newHub(t, st, nil)
	c, rec := connectRecorded(t, h, newUser(t, st, "alice"))
	r := c.currentRoom()
	c.mu.Lock()
	c.holding = true
	c.mu.Unlock()
	c.finishJoin(r, [][]byte{[]byte(`{"type":"joined"}`)}, 5, 0, 0) // history ended at id 5
	c.deliverRoom(r, 5, []byte(`{"type":"message","id":5}`))        // its late broadcast
	c.deliverRoom(r, 6, []byte(`{"type":"message","id":6}`))
	c.deliverPrivate(3, []byte(`{"type":"private","id":3}`)) // private ids have their own floor
	eventually(t, "envelopes written", func() bool { return len(rec.envelopes(t)) == 5 })
	var ids []float64
	for _, e := range rec.envelopes(t)[3:] {
		ids = append(ids, e["id"].(float64))
	}
	if fmt.Sprint(ids) != "[6 3]" {
		t.Errorf("delivered ids %v, want [6 3]", ids)
	}
}

// #exit right after a message closes only once that message is stored,
// acknowledged and broadcast: the sender sees its ack and its message
// before the close, even when the commit is slow.
func TestExitWaitsForTheAckOfWhatWasSentBefore(t *testing.T) {
	real := storetest.OpenSQLite(t)
	st := &gatedStore{Store: real, release: make(chan struct{}), batches: make(chan int, 10)}
	h := newHub(t, st, nil)
	c, rec := connectRecorded(t, h, newUser(t, real, "alice"))
	var release sync.Once // also on failure: a held commit would hang the hub's shutdown
	t.Cleanup(func() { release.Do(func() { close(st.release) }) })
	h.Receive(context.Background(), c, []byte(`{"type":"send","id":"m1","text":"bye all"}`), false)
	<-st.batches // the message's commit is held
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		h.Receive(context.Background(), c, []byte(`{"type":"send","id":"x","text":"#exit"}`), false)
	}()
	time.Sleep(50 * time.Millisecond)
	if code := rec.closeCode(); code != 0 {
		t.Fatalf("closed with %d before the message before #exit was acknowledged", code)
	}
	release.Do(func() { close(st.release) })
	<-exited
	eventually(t, "closed with 1000", func() bool { return rec.closeCode() == chat.CloseNormal })
	var kinds []any
	for _, e := range rec.envelopes(t)[2:] {
		kinds = append(kinds, e["type"])
	}
	if fmt.Sprint(kinds) != "[ack message]" {
		t.Errorf("before the close the client got %v; want [ack message]", kinds)
	}
}

// What a client sends after #exit is not taken: not stored, not broadcast,
// not answered. Before, a message right behind #exit was stored and
// broadcast while its ack was dropped by the closing connection.
func TestNothingIsTakenAfterExit(t *testing.T) {
	st := storetest.OpenSQLite(t)
	h := newHub(t, st, nil)
	alice, _ := connectRecorded(t, h, newUser(t, st, "alice"))
	bob, bobSees := connectRecorded(t, h, newUser(t, st, "bob"))
	h.Receive(context.Background(), alice, []byte(`{"type":"send","id":"x","text":"#exit"}`), false)
	h.Receive(context.Background(), alice, []byte(`{"type":"send","id":"m1","text":"too late"}`), false)
	h.Receive(context.Background(), alice, []byte(`{"type":"send","id":"x2","text":"#cR late"}`), false)
	// The write path keeps order: once bob's message is broadcast, one
	// alice's reader had submitted before it would be too.
	h.Receive(context.Background(), bob, []byte(`{"type":"send","id":"b1","text":"after alice left"}`), false)
	var texts []any
	eventually(t, "bob's own message", func() bool {
		texts = nil
		for _, e := range bobSees.envelopes(t) {
			if e["type"] == "message" {
				texts = append(texts, e["text"])
			}
		}
		return len(texts) > 0 && texts[len(texts)-1] == "after alice left"
	})
	if fmt.Sprint(texts) != "[after alice left]" {
		t.Errorf("bob got messages %v, want only his own", texts)
	}
	hist, err := st.RoomHistory(context.Background(), h.def.id, 0, 10)
	if err != nil || len(hist) != 1 {
		t.Errorf("stored %+v, %v; want bob's message alone", hist, err)
	}
	if _, err := h.liveRoom("late"); err == nil {
		t.Error("a room was created by a command sent after #exit")
	}
}

// answerLostStore commits its first batch and then fails it, as a store
// whose connection broke after the commit, before the answer came.
type answerLostStore struct {
	chat.Store
	lost atomic.Bool
}

func (s *answerLostStore) AppendMessages(ctx context.Context, batch []chat.NewMessage) ([]chat.Stored, error) {
	stored, err := s.Store.AppendMessages(ctx, batch)
	if err == nil && s.lost.CompareAndSwap(false, true) {
		return nil, chat.Errorf(chat.EUnavailable, "the database is unavailable, retry later")
	}
	return stored, err
}

// retriedStore runs every batch twice and answers with the second run, as
// database/sql does when the driver reports a broken connection after the
// statement went through (lib/pq on an EOF): every message of the batch
// comes back as a repeat of itself.
type retriedStore struct{ chat.Store }

func (s retriedStore) AppendMessages(ctx context.Context, batch []chat.NewMessage) ([]chat.Stored, error) {
	if _, err := s.Store.AppendMessages(ctx, batch); err != nil {
		return nil, err
	}
	return s.Store.AppendMessages(ctx, batch)
}

// roomTexts lists the texts of the room messages a client received.
func roomTexts(t *testing.T, rec *recorder) []string {
	var texts []string
	for _, e := range rec.envelopes(t) {
		if e["type"] == "message" {
			texts = append(texts, e["text"].(string))
		}
	}
	return texts
}

// A batch that committed although the store reported it failed is
// broadcast once the store answers again: the sender's retry is a repeat,
// acknowledged and not broadcast, so nothing else would ever deliver it.
func TestCommittedBatchReportedFailedIsBroadcast(t *testing.T) {
	real := storetest.OpenSQLite(t)
	h := newHub(t, &answerLostStore{Store: real}, nil)
	alice, recA := connectRecorded(t, h, newUser(t, real, "alice"))
	_, recB := connectRecorded(t, h, newUser(t, real, "bob"))
	h.Receive(context.Background(), alice, []byte(`{"type":"send","id":"c1","text":"one"}`), false)
	eventually(t, "alice's error", func() bool { return slices.ContainsFunc(recA.envelopes(t), isType("error")) })
	h.Receive(context.Background(), alice, []byte(`{"type":"send","id":"c1","text":"one"}`), false) // her retry
	h.Receive(context.Background(), alice, []byte(`{"type":"send","id":"c2","text":"two"}`), false)
	wantOnceInOrder(t, h, alice, map[string]*recorder{"alice": recA, "bob": recB}, "one", "two")
}

// wantOnceInOrder sends a last message and waits for it: delivery is in id
// order, so whatever came before it has arrived by then. Each recorder
// must have received texts, then the last one, each once.
func wantOnceInOrder(t *testing.T, h *Hub, from *Client, recs map[string]*recorder, texts ...string) {
	t.Helper()
	h.Receive(context.Background(), from, []byte(`{"type":"send","id":"last","text":"last"}`), false)
	want := append(slices.Clone(texts), "last")
	for who, rec := range recs {
		eventually(t, who+" gets the last message", func() bool { return slices.Contains(roomTexts(t, rec), "last") })
		if got := roomTexts(t, rec); !slices.Equal(got, want) {
			t.Errorf("%s got %q, want %q, once each", who, got, want)
		}
	}
}

// A batch the store ran twice under the hub comes back as repeats: its
// messages are new all the same, and broadcast.
func TestBatchRunTwiceUnderTheStoreIsBroadcast(t *testing.T) {
	real := storetest.OpenSQLite(t)
	h := newHub(t, retriedStore{real}, nil)
	alice, recA := connectRecorded(t, h, newUser(t, real, "alice"))
	_, recB := connectRecorded(t, h, newUser(t, real, "bob"))
	h.Receive(context.Background(), alice, []byte(`{"type":"send","id":"c1","text":"one"}`), false)
	h.Receive(context.Background(), alice, []byte(`{"type":"send","id":"c1","text":"one"}`), false) // a retry
	eventually(t, "two acks", func() bool { return countType(recA.envelopes(t), "ack") == 2 })
	h.Receive(context.Background(), alice, []byte(`{"type":"send","id":"c2","text":"two"}`), false)
	wantOnceInOrder(t, h, alice, map[string]*recorder{"alice": recA, "bob": recB}, "one", "two")
}

func isType(typ string) func(map[string]any) bool {
	return func(e map[string]any) bool { return e["type"] == typ }
}

func countType(envs []map[string]any, typ string) int {
	n := 0
	for _, e := range envs {
		if e["type"] == typ {
			n++
		}
	}
	return n
}
