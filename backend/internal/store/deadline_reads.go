package store

import (
	"context"

	"github.com/salachat/sala/backend/internal/chat"
)

// The read cursors' and mentions' calls of deadlined (see deadline.go).

func (t *deadlined) SetReadCursor(ctx context.Context, userID int64, c chat.Conversation, messageID int64) (int64, bool, error) {
	type moved struct {
		cursor int64
		moved  bool
	}
	m, err := writeResult(t, ctx, "set read cursor", func(ctx context.Context) (moved, error) {
		cur, ok, err := t.s.SetReadCursor(ctx, userID, c, messageID)
		return moved{cur, ok}, err
	})
	return m.cursor, m.moved, err
}

func (t *deadlined) EnsureRoomCursor(ctx context.Context, userID, roomID, sentBefore int64) (int64, error) {
	return writeResult(t, ctx, "ensure room cursor", func(ctx context.Context) (int64, error) {
		return t.s.EnsureRoomCursor(ctx, userID, roomID, sentBefore)
	})
}

func (t *deadlined) ReadState(ctx context.Context, userID int64) ([]chat.ReadCursor, error) {
	return within(ctx, t.timeout, "read state", func(ctx context.Context) ([]chat.ReadCursor, error) {
		return t.s.ReadState(ctx, userID)
	})
}

func (t *deadlined) CountUnread(ctx context.Context, userID int64, c chat.Conversation, cursor int64) (chat.UnreadCount, error) {
	return within(ctx, t.timeout, "count unread", func(ctx context.Context) (chat.UnreadCount, error) {
		return t.s.CountUnread(ctx, userID, c, cursor)
	})
}

func (t *deadlined) MentionsAfter(ctx context.Context, userID, after, skipRoomID int64, limit int) ([]chat.Message, error) {
	return within(ctx, t.timeout, "mentions after", func(ctx context.Context) ([]chat.Message, error) {
		return t.s.MentionsAfter(ctx, userID, after, skipRoomID, limit)
	})
}

func (t *deadlined) UnreceiptedMentions(ctx context.Context, userID, skipRoomID int64, limit int) ([]chat.Message, error) {
	return within(ctx, t.timeout, "unreceipted mentions", func(ctx context.Context) ([]chat.Message, error) {
		return t.s.UnreceiptedMentions(ctx, userID, skipRoomID, limit)
	})
}

func (t *deadlined) Mentions(ctx context.Context, userID, before int64, limit int) ([]chat.Message, error) {
	return within(ctx, t.timeout, "mentions", func(ctx context.Context) ([]chat.Message, error) {
		return t.s.Mentions(ctx, userID, before, limit)
	})
}
