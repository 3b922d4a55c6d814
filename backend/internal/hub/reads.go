package hub

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/salachat/sala/backend/internal/chat"
)

// Read cursors, unread counts and mentions. A read moves the person's
// cursor in the database and is told to its other connections: on this
// node directly, on the others through the cluster's notices (as a private
// typing signal travels). A mention rides on its message: the write path
// stores it with the message, and each node's fan-out sends mention to the
// mentioned person's connections that are not in that room; a connection
// that missed it gets it from the database on its next connect, as it gets
// private messages (see sendBacklog).

// mentioning fills msg's mentions, from user, with the existing users its
// text mentions: each @word's longest spelling that is a login.
func (h *Hub) mentioning(ctx context.Context, user chat.User, msg *chat.NewMessage) error {
	if !strings.Contains(msg.Text, "@") {
		return nil
	}
	for _, spellings := range chat.MentionCandidates(msg.Text) {
		for _, login := range spellings {
			u, _, err := h.store.UserByLogin(ctx, login)
			if chat.ErrorCode(err) == chat.EUserNotFound {
				continue
			}
			if err != nil {
				return fmt.Errorf("hub: who a message mentions: %w", err)
			}
			msg.Mentions = append(msg.Mentions, u.Login)
			if u.ID != user.ID {
				msg.MentionIDs = append(msg.MentionIDs, u.ID)
			}
			break
		}
	}
	return nil
}

// readReq is a read of user's: a live room's name, or the login of the
// other person of a private thread.
type readReq struct {
	room, with string
	messageID  int64
}

// Read moves user's read cursor (the read envelope from connection from,
// or its REST twin with from nil) and tells user's other connections, on
// every node, when it moved. It returns the read state after the call.
func (h *Hub) Read(ctx context.Context, user chat.User, room, with string, messageID int64, from *Client) (chat.ReadOut, error) {
	conv, out, err := h.readTarget(ctx, user, readReq{room: room, with: with, messageID: messageID})
	if err != nil {
		return chat.ReadOut{}, err
	}
	cur, moved, err := h.store.SetReadCursor(ctx, user.ID, conv, messageID)
	if err != nil {
		return chat.ReadOut{}, err
	}
	n, err := h.store.CountUnread(ctx, user.ID, conv, cur)
	if err != nil {
		return chat.ReadOut{}, err
	}
	out.MessageID, out.Count, out.Mentions = cur, n.Count, n.Mentions
	if moved {
		h.tellRead(out, user.ID, from)
	}
	return out, nil
}

// readTarget checks a read: a live room or another existing person, and a
// message (a tombstone too) of that conversation.
func (h *Hub) readTarget(ctx context.Context, user chat.User, req readReq) (chat.Conversation, chat.ReadOut, error) {
	out := chat.ReadOut{Type: chat.TypeRead}
	var conv chat.Conversation
	if req.room != "" {
		r, err := h.liveRoom(req.room)
		if err != nil {
			return conv, out, err
		}
		conv.RoomID, out.Room = r.id, r.name
	} else {
		u, _, err := h.store.UserByLogin(ctx, chat.NormalizeLogin(req.with))
		if err != nil {
			return conv, out, err
		}
		if u.ID == user.ID {
			return conv, out, chat.Errorf(chat.EUserNotFound, "a read of a private thread names the other person")
		}
		conv.PeerID, out.With = u.ID, u.Login
	}
	m, err := h.store.MessageByID(ctx, req.messageID)
	if chat.ErrorCode(err) == chat.EMessageNotFound || err == nil && !inConversation(m, user.ID, conv) {
		return conv, out, chat.Errorf(chat.EMessageNotFound, "no message %d in this conversation", req.messageID)
	}
	return conv, out, err
}

// inConversation reports whether message m is of conv, seen by userID.
func inConversation(m chat.Message, userID int64, conv chat.Conversation) bool {
	if conv.RoomID != 0 {
		return m.RoomID != nil && *m.RoomID == conv.RoomID
	}
	return m.RecipientID != nil &&
		(m.SenderID == userID && *m.RecipientID == conv.PeerID || m.SenderID == conv.PeerID && *m.RecipientID == userID)
}

// tellRead tells userID's other connections, on this node and the others,
// the read state out (from, the connection it came from, is left out).
func (h *Hub) tellRead(out chat.ReadOut, userID int64, from *Client) {
	h.forwardRead(out, userID, from)
	h.cluster.Announce(chat.Notice{ToID: userID, Read: &out})
}

// forwardRead queues a read to userID's connections on this node, but the
// one it came from.
func (h *Hub) forwardRead(out chat.ReadOut, userID int64, from *Client) {
	frame := encode(out)
	for _, c := range h.connsOf(userID) {
		if c != from {
			c.enqueue(frame)
		}
	}
}

// Unread returns user's unread counts: the default room, the live rooms it
// has a cursor of, and its private threads. The default room's cursor is
// made on the first look, at what was sent before the account was (a room
// entered gets one then, see enteredRoom), so that what a count reads is
// bounded by what came since; a private thread never read counts all of
// the other's messages.
func (h *Hub) Unread(ctx context.Context, user chat.User) ([]chat.UnreadEntry, error) {
	state, err := h.store.ReadState(ctx, user.ID)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(state, func(c chat.ReadCursor) bool { return c.RoomID == h.def.id })
	var def chat.ReadCursor
	if i >= 0 {
		def = state[i]
		state = slices.Delete(state, i, i+1)
	} else if def, err = h.firstLook(ctx, user); err != nil {
		return nil, err
	}
	out := make([]chat.UnreadEntry, 0, 1+len(state))
	out = append(out, chat.UnreadEntry{Room: h.def.name, Count: def.Unread.Count, Mentions: def.Unread.Mentions,
		LastRead: def.MessageID})
	for _, c := range state {
		e := chat.UnreadEntry{Count: c.Unread.Count, Mentions: c.Unread.Mentions, LastRead: c.MessageID}
		switch {
		case c.PeerID != 0:
			e.With = c.Name
		case h.roomByID(c.RoomID) == nil:
			continue // ended here, though not yet in the database
		default:
			e.Room = c.Name
		}
		out = append(out, e)
	}
	return out, nil
}

// firstLook makes user's cursor of the default room, at the newest message
// sent before the account was made, and counts what came since.
func (h *Hub) firstLook(ctx context.Context, user chat.User) (chat.ReadCursor, error) {
	conv := chat.Conversation{RoomID: h.def.id}
	cur, err := h.store.EnsureRoomCursor(ctx, user.ID, h.def.id, user.CreatedAt.UnixMilli())
	if err != nil {
		return chat.ReadCursor{}, err
	}
	n, err := h.store.CountUnread(ctx, user.ID, conv, cur)
	return chat.ReadCursor{Conversation: conv, Name: h.def.name, MessageID: cur, Unread: n}, err
}

// enteredRoom records that c's user is in r (#gR, #cR): from then on the
// room counts in its unread, from its latest message. The default room
// always counts.
func (h *Hub) enteredRoom(ctx context.Context, c *Client, r *room) {
	if r == h.def {
		return
	}
	cur, err := h.store.EnsureRoomCursor(ctx, c.user.ID, r.id, h.now().UnixMilli()+1)
	if err != nil {
		h.log.Warn("record a room entered", "user", c.user.Login, "room", r.name, "err", err)
		return
	}
	// The person's other connections may count this room from a mention
	// that arrived while it was never entered: they learn its cursor now,
	// since the read this connection sends next finds it already there.
	n, err := h.store.CountUnread(ctx, c.user.ID, chat.Conversation{RoomID: r.id}, cur)
	if err != nil {
		h.log.Warn("count a room entered", "user", c.user.Login, "room", r.name, "err", err)
		return
	}
	h.tellRead(chat.ReadOut{Type: chat.TypeRead, Room: r.name, MessageID: cur, Count: n.Count, Mentions: n.Mentions},
		c.user.ID, c)
}

// fanOutMentions queues the mention of room message m to the connections of
// the people it mentions that are not in r.
func (h *Hub) fanOutMentions(r *room, m chat.Message) {
	if len(m.MentionIDs) == 0 {
		return
	}
	var frame []byte
	for _, c := range h.connsOf(m.MentionIDs...) {
		if c.currentRoom() == r {
			continue
		}
		if frame == nil {
			frame = encode(chat.MentionOf(m))
		}
		c.deliverMention(m.ID, frame)
	}
}

// mentionBacklog returns the mentions a new connection of c's user missed,
// those of room skip aside (its joined history carries them): after lastID
// when resuming, else above the user's receipt.
func (h *Hub) mentionBacklog(ctx context.Context, c *Client, lastID, skip int64) ([]chat.Message, error) {
	if lastID > 0 {
		return h.store.MentionsAfter(ctx, c.user.ID, lastID, skip, chat.ResumeLimit)
	}
	return h.store.UnreceiptedMentions(ctx, c.user.ID, skip, chat.ResumeLimit)
}

// Mentions returns a page of the messages that mention user, newest first.
func (h *Hub) Mentions(ctx context.Context, user chat.User, before int64, limit int) (chat.MentionPage, error) {
	msgs, err := h.store.Mentions(ctx, user.ID, before, limit+1)
	if err != nil {
		return chat.MentionPage{}, err
	}
	page := chat.MentionPage{Mentions: make([]chat.MentionOut, 0, min(limit, len(msgs))), HasMore: len(msgs) > limit}
	for _, m := range msgs[:min(limit, len(msgs))] {
		page.Mentions = append(page.Mentions, chat.MentionOf(m))
	}
	return page, nil
}
