package files

import (
	"context"

	"github.com/salachat/sala/backend/internal/chat"
)

// Linked is a chat.Store whose messages leave it with their attachments'
// links signed: whatever reads messages (history, resume, the broadcast of
// a batch just stored) hands out fresh links to those it gives the
// messages to, who may read them.
func Linked(s chat.Store, l *Links) chat.Store { return &linked{Store: s, links: l} }

type linked struct {
	chat.Store
	links *Links
}

func (s *linked) signAll(msgs []chat.Message, err error) ([]chat.Message, error) {
	for i := range msgs {
		msgs[i].Attachments = s.links.Sign(msgs[i].Attachments)
	}
	return msgs, err
}

func (s *linked) AppendMessages(ctx context.Context, batch []chat.NewMessage) ([]chat.Stored, error) {
	out, err := s.Store.AppendMessages(ctx, batch)
	for i := range out {
		out[i].Message.Attachments = s.links.Sign(out[i].Message.Attachments)
	}
	return out, err
}

func (s *linked) MessageByID(ctx context.Context, id int64) (chat.Message, error) {
	m, err := s.Store.MessageByID(ctx, id)
	m.Attachments = s.links.Sign(m.Attachments)
	return m, err
}

func (s *linked) RoomHistory(ctx context.Context, roomID, before int64, limit int) ([]chat.Message, error) {
	return s.signAll(s.Store.RoomHistory(ctx, roomID, before, limit))
}

func (s *linked) RoomMessagesAfter(ctx context.Context, roomID, after int64, limit int) ([]chat.Message, error) {
	return s.signAll(s.Store.RoomMessagesAfter(ctx, roomID, after, limit))
}

func (s *linked) PrivateHistory(ctx context.Context, a, b, before int64, limit int) ([]chat.Message, error) {
	return s.signAll(s.Store.PrivateHistory(ctx, a, b, before, limit))
}

func (s *linked) PrivateMessagesAfter(ctx context.Context, userID, after int64, limit int) ([]chat.Message, error) {
	return s.signAll(s.Store.PrivateMessagesAfter(ctx, userID, after, limit))
}

func (s *linked) MessagesBetween(ctx context.Context, after, upTo int64, limit int) ([]chat.Message, error) {
	return s.signAll(s.Store.MessagesBetween(ctx, after, upTo, limit))
}

func (s *linked) UnreceiptedPrivate(ctx context.Context, userID int64, limit int) ([]chat.Message, error) {
	return s.signAll(s.Store.UnreceiptedPrivate(ctx, userID, limit))
}

// LinkedSequencer is seq whose turns store batches that leave with signed
// links, as Linked's AppendMessages does: on PostgreSQL the write path
// stores through the turn, not the store.
func LinkedSequencer(seq chat.Sequencer, l *Links) chat.Sequencer {
	return &linkedSequencer{seq: seq, links: l}
}

type linkedSequencer struct {
	seq   chat.Sequencer
	links *Links
}

func (s *linkedSequencer) Acquire(ctx context.Context) (chat.Turn, error) {
	t, err := s.seq.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	return &linkedTurn{Turn: t, links: s.links}, nil
}

type linkedTurn struct {
	chat.Turn
	links *Links
}

func (t *linkedTurn) Append(ctx context.Context, batch []chat.NewMessage) ([]chat.Stored, error) {
	out, err := t.Turn.Append(ctx, batch)
	for i := range out {
		out[i].Message.Attachments = t.links.Sign(out[i].Message.Attachments)
	}
	return out, err
}
