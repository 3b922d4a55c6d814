package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/salachat/sala/backend/internal/chat"
)

// An update (an edit, a deletion, a reaction toggled) is a row of messages
// like any item of a conversation, and changes its message's current state
// in the transaction that stores it. Batches are stored one at a time (the
// write path's turn), so the state an update leaves, and a reaction's
// reactions after it, are those of the item's place in id order.

// execQuerier is a transaction: where updates are applied.
type execQuerier interface {
	querier
	sqlx.ExecerContext
}

// applyUpdates applies the new updates of a stored batch, in order. An
// update of a message that is not a live message (deleted since the caller
// looked) fails the batch with message_not_found.
func applyUpdates(ctx context.Context, q execQuerier, out []chat.Stored) error {
	for i := range out {
		m := &out[i].Message
		if out[i].Duplicate || !m.IsUpdate() {
			continue
		}
		if err := applyUpdate(ctx, q, m); err != nil {
			return err
		}
	}
	return nil
}

// liveMessage is the condition of a message an update may change.
const liveMessage = ` AND kind = 'message' AND NOT deleted`

func applyUpdate(ctx context.Context, q execQuerier, m *chat.Message) error {
	target := *m.TargetID
	switch m.Kind {
	case chat.KindEdited:
		return changeOne(ctx, q, `UPDATE messages SET text = ?, edited_at = ? WHERE id = ?`+liveMessage,
			m.Text, m.SentAt, target)
	case chat.KindDeleted:
		if err := changeOne(ctx, q, `UPDATE messages SET text = '', mentions = '', deleted = TRUE WHERE id = ?`+liveMessage,
			target); err != nil {
			return err
		}
		// A tombstone keeps no text: nor do the edits of it.
		if _, err := q.ExecContext(ctx, q.Rebind(`UPDATE messages SET text = '' WHERE target_id = ? AND kind = 'edited'`),
			target); err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, q.Rebind(`DELETE FROM reactions WHERE message_id = ?`), target); err != nil {
			return err
		}
		// Nor files.
		return dropAttachments(ctx, q, target)
	case chat.KindReaction:
		return toggleReaction(ctx, q, m)
	}
	return fmt.Errorf("store: update of unknown kind %q", m.Kind)
}

// toggleReaction takes the sender's reaction m.Text off its message, or
// puts it on, and sets m.Reactions to the message's reactions after.
func toggleReaction(ctx context.Context, q execQuerier, m *chat.Message) error {
	target := *m.TargetID
	var live int
	if err := sqlx.GetContext(ctx, q, &live, q.Rebind(`SELECT count(*) FROM messages WHERE id = ?`+liveMessage),
		target); err != nil {
		return err
	}
	if live == 0 {
		return messageNotFound()
	}
	res, err := q.ExecContext(ctx, q.Rebind(`DELETE FROM reactions WHERE message_id = ? AND emoji = ? AND user_id = ?`),
		target, m.Text, m.SenderID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		if _, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO reactions (message_id, emoji, user_id, item_id)
			VALUES (?, ?, ?, ?)`), target, m.Text, m.SenderID, m.ID); err != nil {
			return err
		}
	}
	byMessage, err := reactionsOf(ctx, q, []int64{target})
	if err != nil {
		return err
	}
	m.Reactions = byMessage[target]
	return nil
}

// changeOne runs a write meant to change one live message; none changed
// is message_not_found.
func changeOne(ctx context.Context, q execQuerier, query string, args ...any) error {
	res, err := q.ExecContext(ctx, q.Rebind(query), args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return messageNotFound()
	}
	return nil
}

func messageNotFound() *chat.Error {
	return chat.Errorf(chat.EMessageNotFound, "no such message, or it was deleted")
}

// reactionRow is a row of reactions with its user's login.
type reactionRow struct {
	MessageID int64  `db:"message_id"`
	Emoji     string `db:"emoji"`
	Login     string `db:"login"`
}

// reactionsOf reads the reactions of messages by id: each emoji in the
// order it was first put on, its users in the order they reacted.
func reactionsOf(ctx context.Context, q querier, ids []int64) (map[int64][]chat.Reaction, error) {
	out := map[int64][]chat.Reaction{}
	if len(ids) == 0 {
		return out, nil
	}
	query, args, err := sqlx.In(`SELECT x.message_id, x.emoji, u.login FROM reactions x
		JOIN users u ON u.id = x.user_id WHERE x.message_id IN (?) ORDER BY x.message_id, x.item_id`, ids)
	if err != nil {
		return nil, err
	}
	var rows []reactionRow
	if err := sqlx.SelectContext(ctx, q, &rows, q.Rebind(query), args...); err != nil {
		return nil, err
	}
	for _, r := range rows {
		list := out[r.MessageID]
		i := 0
		for i < len(list) && list[i].Emoji != r.Emoji {
			i++
		}
		if i == len(list) {
			list = append(list, chat.Reaction{Emoji: r.Emoji, Users: []string{}})
		}
		list[i].Users = append(list[i].Users, r.Login)
		list[i].Count = len(list[i].Users)
		out[r.MessageID] = list
	}
	return out, nil
}

// withReactions fills in the reactions of read items: a message's own, a
// reaction update's message's.
func withReactions(ctx context.Context, q querier, msgs []chat.Message) error {
	var ids []int64
	for _, m := range msgs {
		switch {
		case m.Kind == chat.KindReaction:
			ids = append(ids, *m.TargetID)
		case !m.IsUpdate() && !m.Deleted:
			ids = append(ids, m.ID)
		}
	}
	byMessage, err := reactionsOf(ctx, q, ids)
	if err != nil {
		return err
	}
	for i := range msgs {
		m := &msgs[i]
		switch {
		case m.Kind == chat.KindReaction:
			m.Reactions = byMessage[*m.TargetID]
		case !m.IsUpdate():
			m.Reactions = byMessage[m.ID]
		}
	}
	return nil
}
