package hub

import (
	"context"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
)

// typingGap is the least time between two typing signals of a user that
// are forwarded; the ones between are dropped. Clients show a signal for a
// few seconds, so one every typingGap keeps the indicator on.
const typingGap = 2 * time.Second

// typing forwards c's typing signal, never stored and never answered: to
// the others in c's room, or (to set) to that user's connections, on this
// node and, through the cluster's notices, on the others. At most one per
// user per typingGap is forwarded, by the hub's clock.
func (h *Hub) typing(ctx context.Context, c *Client, to string) error {
	now := h.now()
	h.mu.Lock()
	p := h.online[c.user.ID]
	if p == nil || !p.typed.IsZero() && now.Sub(p.typed) < typingGap {
		h.mu.Unlock()
		return nil
	}
	p.typed = now
	h.mu.Unlock()
	if to == "" {
		r := c.currentRoom()
		if r == nil {
			return nil
		}
		out := chat.TypingOut{Type: chat.TypeTyping, Room: r.name, User: c.user.Login}
		h.forwardTyping(out, r.id, 0)
		h.cluster.Announce(chat.Notice{RoomID: r.id, Typing: &out})
		return nil
	}
	u, _, err := h.store.UserByLogin(ctx, chat.NormalizeLogin(to))
	if err != nil {
		return err
	}
	out := chat.TypingOut{Type: chat.TypeTyping, From: c.user.Login, User: c.user.Login}
	h.forwardTyping(out, 0, u.ID)
	h.cluster.Announce(chat.Notice{ToID: u.ID, Typing: &out})
	return nil
}

// forwardTyping queues a typing signal to this node's connections it is
// for: the members of room roomID, or user toID's connections; never to
// the typing user's own.
func (h *Hub) forwardTyping(out chat.TypingOut, roomID, toID int64) {
	frame := encode(out)
	if toID != 0 {
		for _, c := range h.connsOf(toID) {
			if c.user.Login != out.User {
				c.enqueue(frame)
			}
		}
		return
	}
	r := h.roomByID(roomID)
	if r == nil {
		return
	}
	for _, c := range r.memberList() {
		if c.user.Login != out.User {
			c.deliverRoom(r, 0, frame)
		}
	}
}
