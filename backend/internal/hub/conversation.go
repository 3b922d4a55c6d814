package hub

import (
	"context"

	"github.com/salachat/sala/backend/internal/chat"
)

// Replies, edits, deletions, reactions and typing. An edit, deletion or
// reaction is an update: an item of its message's conversation, with an id
// of its own, that takes the write path as messages do (so it is stored
// before it is broadcast, and a resume brings it back in id order). Here
// the hub checks who may make it; the store applies it to its message in
// the same transaction, and refuses it there if the message was deleted
// meanwhile.

// updateOf builds the update that an edit, delete or react envelope (or its
// REST twin) of user asks for. The author edits; the author or the owner of
// the message's room deletes; anyone who may read a message reacts to it.
func (h *Hub) updateOf(ctx context.Context, user chat.User, in chat.Inbound) (chat.NewMessage, error) {
	var kind, text string
	switch in.Type {
	case chat.TypeEdit:
		if err := chat.ValidateText(in.Text); err != nil {
			return chat.NewMessage{}, err
		}
		kind, text = chat.KindEdited, in.Text
	case chat.TypeDelete:
		kind = chat.KindDeleted
	default:
		if err := chat.ValidateEmoji(in.Emoji); err != nil {
			return chat.NewMessage{}, err
		}
		kind, text = chat.KindReaction, in.Emoji
	}
	target, r, err := h.readable(ctx, user, in.MessageID)
	if err != nil {
		return chat.NewMessage{}, err
	}
	mine := target.SenderID == user.ID
	switch {
	case kind == chat.KindEdited && !mine:
		return chat.NewMessage{}, chat.Errorf(chat.ENotAuthor, "only %s can edit message %d", target.From, target.ID)
	case kind == chat.KindDeleted && !mine && (r == nil || r.isDefault || r.ownerID != user.ID):
		return chat.NewMessage{}, chat.Errorf(chat.ENotAuthor,
			"only %s, or the owner of its room, can delete message %d", target.From, target.ID)
	}
	msg := chat.NewMessage{SenderID: user.ID, From: user.Login, Text: text, SentAt: h.now().UnixMilli(),
		ClientID: in.ID, Kind: kind, TargetID: &target.ID}
	inConversationOf(&msg, target, user.ID)
	return msg, nil
}

// inConversationOf puts msg, from userID, in the conversation of message m:
// its room, or its private thread (to the other person of it).
func inConversationOf(msg *chat.NewMessage, m chat.Message, userID int64) {
	if m.RoomID != nil {
		msg.RoomID, msg.Room = m.RoomID, m.Room
		return
	}
	otherID, other := *m.RecipientID, m.To
	if m.RecipientID != nil && *m.RecipientID == userID {
		otherID, other = m.SenderID, m.From
	}
	msg.RecipientID, msg.To = &otherID, other
}

// readable returns message id if user may read it and it is not deleted: a
// message of a live room (with that room), or of one of user's private
// threads. Any other is message_not_found, so that a message's existence
// does not leak.
func (h *Hub) readable(ctx context.Context, user chat.User, id int64) (chat.Message, *room, error) {
	notFound := chat.Errorf(chat.EMessageNotFound, "no message %d that you can read", id)
	if id <= 0 {
		return chat.Message{}, nil, notFound
	}
	m, err := h.store.MessageByID(ctx, id)
	switch {
	case err != nil:
		return chat.Message{}, nil, err
	case m.Deleted:
		return chat.Message{}, nil, notFound
	case m.IsPrivate():
		if m.SenderID != user.ID && *m.RecipientID != user.ID {
			return chat.Message{}, nil, notFound
		}
		return m, nil, nil
	}
	r := h.roomByID(*m.RoomID)
	if r == nil {
		return chat.Message{}, nil, notFound // its room has ended
	}
	return m, r, nil
}

// replying makes msg, from user, a reply to message replyTo (when not 0),
// which must be a message of msg's own conversation.
func (h *Hub) replying(ctx context.Context, user chat.User, msg *chat.NewMessage, replyTo int64) error {
	if replyTo == 0 {
		return nil
	}
	target, _, err := h.readable(ctx, user, replyTo)
	if err != nil {
		return err
	}
	var same bool
	if msg.RoomID != nil {
		same = target.RoomID != nil && *target.RoomID == *msg.RoomID
	} else {
		var into chat.NewMessage
		inConversationOf(&into, target, user.ID)
		same = into.RecipientID != nil && *into.RecipientID == *msg.RecipientID
	}
	if !same {
		return chat.Errorf(chat.EMessageNotFound, "reply_to %d is not a message of this conversation", replyTo)
	}
	msg.ReplyTo, msg.ReplyFrom, msg.ReplyText = &target.ID, target.From, target.Text
	return nil
}

// Update stores an edit, delete or react of user (in.Type; in.ID the
// client's id, may be empty) for the REST API, and returns the stored
// update once it is durable.
func (h *Hub) Update(ctx context.Context, user chat.User, in chat.Inbound) (chat.Stored, error) {
	if err := h.allow(user.ID); err != nil {
		return chat.Stored{}, err
	}
	msg, err := h.updateOf(ctx, user, in)
	if err != nil {
		return chat.Stored{}, err
	}
	return h.wait(ctx, msg)
}

// attaching makes msg, from user, carry the uploads ids (see
// chat.Attaching): up to chat.MaxAttachments of user's own.
func (h *Hub) attaching(ctx context.Context, user chat.User, msg *chat.NewMessage, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	atts, err := chat.Attaching(ctx, h.store, user.ID, ids)
	if err != nil {
		return err
	}
	msg.Attachments = atts
	return nil
}

// AllowUpload counts an upload of userID against its message rate
// (SALA_MSG_RATE): a flood of uploads is refused as a flood of messages
// is, with rate_limited.
func (h *Hub) AllowUpload(userID int64) error { return h.allow(userID) }
