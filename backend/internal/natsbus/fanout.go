package natsbus

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/salachat/sala/backend/internal/chat"
)

// maxChunkBytes keeps a published batch under NATS's default 1 MiB payload.
const maxChunkBytes = 768 << 10

// Publish stores a committed batch in the fan-out stream and returns once
// the server acknowledged it. A batch too big for one NATS message goes as
// several, each with the whole batch's Prev: the first raises the
// receivers past it. Each carries a message id, so a retry
// after a lost acknowledgement is stored once.
func (b *Bus) Publish(ctx context.Context, bc chat.Broadcast) error {
	bc.Node = b.cfg.Node
	for _, chunk := range chunks(bc) {
		data, err := json.Marshal(chunk)
		if err != nil {
			return fmt.Errorf("natsbus: encode broadcast: %w", err)
		}
		msg := &nats.Msg{Subject: b.msgSubject(), Data: data}
		id := fmt.Sprintf("%s-%d", b.cfg.Node, chunk.Messages[0].ID)
		if _, err := b.js.PublishMsg(ctx, msg, jetstream.WithMsgID(id)); err != nil {
			return unavailable("publish broadcast", err)
		}
	}
	return nil
}

// chunks splits a broadcast into parts of at most maxChunkBytes of text.
func chunks(bc chat.Broadcast) []chat.Broadcast {
	var out []chat.Broadcast
	start, size := 0, 0
	for i, m := range bc.Messages {
		n := len(m.Text) + 256 + 512*len(m.Attachments) // names, ids and JSON around the text, attachments
		if i > start && size+n > maxChunkBytes {
			part := bc
			part.Messages = bc.Messages[start:i]
			out = append(out, part)
			start, size = i, 0
		}
		size += n
	}
	part := bc
	part.Messages = bc.Messages[start:]
	return append(out, part)
}

// Announce sends a join or leave notice to the other nodes without waiting
// for the server: notices are best effort.
func (b *Bus) Announce(n chat.Notice) {
	n.Node = b.cfg.Node
	data, err := json.Marshal(n)
	if err != nil {
		return
	}
	if err := b.nc.Publish(b.noticeSubject(), data); err != nil {
		b.cfg.Log.Debug("announce", "err", err)
	}
}

// consume reads the fan-out stream from now on, in order.
func (b *Bus) consume(ctx context.Context) error {
	cons, err := b.js.OrderedConsumer(ctx, b.streamName(), jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverNewPolicy,
	})
	if err != nil {
		return fmt.Errorf("natsbus: consumer of %s: %w", b.streamName(), err)
	}
	cc, err := cons.Consume(b.receive, jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
		b.cfg.Log.Debug("fan-out consumer", "err", err)
	}))
	if err != nil {
		return fmt.Errorf("natsbus: consume %s: %w", b.streamName(), err)
	}
	b.fanoutMu.Lock()
	b.fanout = cc
	b.fanoutMu.Unlock()
	return nil
}

// restartConsumer follows the fan-out stream anew, from now.
func (b *Bus) restartConsumer(ctx context.Context) error {
	b.fanoutMu.Lock()
	old := b.fanout
	b.fanoutMu.Unlock()
	if old != nil {
		old.Stop()
	}
	b.lastSeq.Store(0)
	return b.consume(ctx)
}

// receive hands one stream message to the hub. The consumer calls it from
// one goroutine, in stream order.
func (b *Bus) receive(msg jetstream.Msg) {
	if meta, err := msg.Metadata(); err == nil {
		seq := meta.Sequence.Stream
		last := b.lastSeq.Swap(seq)
		skipped := last != 0 && seq > last+1
		if skipped { // the stream dropped messages before we read them
			defer b.h.Resync()
		}
	}
	switch msg.Subject() {
	case b.msgSubject():
		var bc chat.Broadcast
		if err := json.Unmarshal(msg.Data(), &bc); err != nil {
			b.cfg.Log.Error("undecodable broadcast", "err", err)
			return
		}
		b.h.Deliver(bc)
	case b.noticeSubject():
		var n chat.Notice
		if err := json.Unmarshal(msg.Data(), &n); err == nil && n.Node != b.cfg.Node {
			b.h.Notify(n)
		}
	}
}
