package hub

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/store/storetest"
)

// countingTransport is a peer that takes everything at once: it only counts
// the envelopes sent to it, so a benchmark measures the hub and not a socket
// (ws has the benchmarks of the queue and the writer).
type countingTransport struct{ envelopes *atomic.Int64 }

func (t countingTransport) Send([]byte) bool {
	t.envelopes.Add(1)
	return true
}
func (countingTransport) Ping(context.Context) error  { return nil }
func (countingTransport) Close(int, string)           {}
func (countingTransport) CloseAfterFlush(int, string) {}

// BenchmarkFanOut1000 publishes one stored message to a room of 1000
// members and waits until every member's transport has it: the encode and
// the 1000 deliveries (ns/op and allocs/op are per message, for all 1000).
func BenchmarkFanOut1000(b *testing.B) {
	const members = 1000
	st := storetest.OpenSQLite(b)
	h := newHub(b, st, nil)
	var written atomic.Int64
	tr := countingTransport{&written}
	ann := newUser(b, st, "ann")
	for range members {
		if _, err := h.Connect(context.Background(), ann, time.Time{}, tr, Resume{}); err != nil {
			b.Fatal(err)
		}
	}
	r := h.def
	waitFor := func(n int64) {
		for written.Load() < n {
			runtime.Gosched()
		}
	}
	// Connecting sent welcome, joined and join events; start from there.
	time.Sleep(100 * time.Millisecond)
	base := written.Load()
	text := strings.Repeat("x", 128)
	id := int64(0)
	b.ReportAllocs()
	for b.Loop() {
		id++
		msg := chat.Message{ID: id, RoomID: &r.id, Room: r.name, SenderID: ann.ID, From: ann.Login,
			Text: text, SentAt: 1732270000000, ClientID: fmt.Sprint("c", id)}
		h.Deliver(chat.Broadcast{Prev: id - 1, Messages: []chat.Message{msg}})
		waitFor(base + id*members)
	}
	b.ReportMetric(float64(id*members)/b.Elapsed().Seconds(), "deliveries/s")
}

// BenchmarkDecodeInbound is the reader's cost for one send envelope.
func BenchmarkDecodeInbound(b *testing.B) {
	frame := []byte(`{"type":"send","id":"c-1732270000000-42","text":"` + strings.Repeat("x", 128) + `"}`)
	b.ReportAllocs()
	for b.Loop() {
		var in chat.Inbound
		if err := decodeInbound(frame, false, &in); err != nil {
			b.Fatal(err)
		}
	}
}
