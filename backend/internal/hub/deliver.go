package hub

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
)

// The hub as its Cluster sees it (chat.ClusterHandler), and the one way
// messages reach this node's connections: every batch, this node's own
// included, arrives at Deliver from the bus (in process on a single node,
// NATS with several) in the order of the commits, which is id order (see
// writepath). The node keeps one cursor, the latest id it delivered: a
// batch whose Prev is above it tells of batches it never received (their
// node died between commit and publish, or the bus dropped them), which it
// reads from the database and delivers first. Everything thus reaches the
// connections in id order, so a client's one resume cursor (last_id) never
// passes a message it did not get. An idle node finds such a batch with its
// tail check instead.

var _ chat.ClusterHandler = (*Hub)(nil)

// cursor is what this node delivered.
type cursor struct {
	mu        sync.Mutex // serialises Deliver, the tail check and Resync
	moved     sync.Cond  // on mu: delivered rose
	delivered int64      // the latest message id delivered (or history at the start)
	heard     time.Time  // when the latest broadcast arrived
	// seen is a latest id the last tail check found above delivered: if
	// no broadcast brought it by the next check, it is read from the
	// database (its node is gone, or gave up publishing).
	seen int64
}

// Deliver queues a committed batch to this node's connections, after the
// ones it missed before it.
func (h *Hub) Deliver(b chat.Broadcast) {
	h.cur.mu.Lock()
	defer h.cur.mu.Unlock()
	h.cur.heard = h.now()
	h.catchUpLocked(b.Prev)
	msgs := b.Messages
	for len(msgs) > 0 && msgs[0].ID <= h.cur.delivered {
		msgs = msgs[1:] // delivered already, from the database
	}
	if len(msgs) > 0 {
		h.fanOut(msgs)
		h.cur.delivered = msgs[len(msgs)-1].ID
	}
	h.cur.moved.Broadcast()
}

// awaitDelivered waits, at most patience, until this node delivered id: a
// connection's own message queued to it (#exit waits for that).
func (h *Hub) awaitDelivered(id int64, patience time.Duration) {
	wake := time.AfterFunc(patience, func() {
		h.cur.mu.Lock()
		h.cur.moved.Broadcast()
		h.cur.mu.Unlock()
	})
	defer wake.Stop()
	deadline := time.Now().Add(patience)
	h.cur.mu.Lock()
	defer h.cur.mu.Unlock()
	for h.cur.delivered < id && time.Now().Before(deadline) {
		h.cur.moved.Wait()
	}
}

// catchUpLocked delivers from the database every message up to upTo that
// this node has not delivered. If it can't (the database is away, or the
// gap is too large to hold), the node's connections are closed so that
// their clients resume from the database: that loses nothing, where going
// on would put their cursors past the gap. h.cur.mu is held.
func (h *Hub) catchUpLocked(upTo int64) {
	if upTo <= h.cur.delivered {
		return
	}
	after := h.cur.delivered
	h.cur.delivered = upTo
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	msgs, complete, err := readPages(ctx, h.store.MessagesBetween, after, upTo)
	if err != nil || !complete {
		h.log.Error("messages missed and not read: sending this node's clients to resume",
			"after", after, "up_to", upTo, "err", err)
		for _, c := range h.allClients() {
			c.close(chat.CloseGoingAway, "this node missed messages: reconnect")
		}
		return
	}
	if len(msgs) > 0 {
		h.log.Warn("broadcasts were missed: delivering them from the database", "after", after, "up_to", upTo,
			"messages", len(msgs))
		h.fanOut(msgs)
	}
	h.cur.moved.Broadcast()
}

// checkTail is the tail check of an idle node: a batch committed with no
// broadcast after it (its node died between commit and publish) would wait
// for the next batch. When no broadcast came for tailQuiet, the latest id
// stored is read; one above delivered that the next check still finds
// missing is delivered from the database. Waiting a check lets a batch on
// its way arrive through the bus, after its sender's ack.
func (h *Hub) checkTail(now time.Time) {
	h.cur.mu.Lock()
	defer h.cur.mu.Unlock()
	if now.Sub(h.cur.heard) < tailQuiet {
		h.cur.seen = 0
		return
	}
	h.catchUpLocked(h.cur.seen)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	latest, err := h.store.LatestMessageID(ctx)
	if err != nil {
		h.log.Warn("tail check", "err", err)
		return
	}
	h.cur.seen = 0
	if latest > h.cur.delivered {
		h.cur.seen = latest
	}
}

// tailQuiet is how long a node hears no broadcast before its tail check
// reads the latest id, and how often it does then.
const tailQuiet = time.Second

// Resync catches up with the database's latest message at once: the bus
// says broadcasts may have been missed (it dropped this node for a while).
func (h *Hub) Resync() {
	select {
	case <-h.stop:
		return // shutting down: the database may be closed already
	default:
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	latest, err := h.store.LatestMessageID(ctx)
	if err != nil {
		h.log.Warn("resync", "err", err)
		return // the tail check tries again
	}
	h.cur.mu.Lock()
	defer h.cur.mu.Unlock()
	h.catchUpLocked(latest)
}

// fanOut queues messages, in id order, to the connections of this node
// that should have them.
func (h *Hub) fanOut(msgs []chat.Message) {
	var r *room
	for _, m := range msgs {
		if m.RoomID == nil {
			frame := encode(chat.ItemOut(m))
			targets := h.connsOf(m.SenderID, *m.RecipientID)
			for _, c := range targets {
				c.deliverPrivate(m.ID, frame)
			}
			h.metrics.Delivered(len(targets))
			continue
		}
		if r == nil || r.id != *m.RoomID {
			if r = h.roomByID(*m.RoomID); r == nil {
				continue // deleted meanwhile, or a room no one here can be in yet
			}
		}
		frame := encode(chat.ItemOut(m))
		// Before the members are read: a join that reads the history
		// after this sees the cached one expired (see latestJoined).
		r.posted.Add(1)
		members := r.memberList()
		for _, c := range members {
			c.deliverRoom(r, m.ID, frame)
		}
		h.metrics.Delivered(len(members))
		h.fanOutMentions(r, m)
	}
}

func (h *Hub) roomByID(id int64) *room {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.byID[id]
}

// connsOf lists the open connections of the given users.
func (h *Hub) connsOf(userIDs ...int64) []*Client {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var out []*Client
	for i, id := range userIDs {
		if i > 0 && id == userIDs[0] {
			continue // a note to oneself reaches each connection once
		}
		if p := h.online[id]; p != nil {
			for c := range p.conns {
				out = append(out, c)
			}
		}
	}
	return out
}

// pageReader reads up to limit messages after an id, oldest first.
type pageReader func(ctx context.Context, after, upTo int64, limit int) ([]chat.Message, error)

// readPages reads the messages with after < id <= upTo, page by page, at
// most maxMissedPages pages; complete is false when there were more.
func readPages(ctx context.Context, read pageReader, after, upTo int64) (msgs []chat.Message, complete bool, err error) {
	for range maxMissedPages {
		page, err := read(ctx, after, upTo, chat.ResumeLimit)
		if err != nil {
			return nil, false, fmt.Errorf("hub: read missed messages: %w", err)
		}
		msgs = append(msgs, page...)
		if len(page) < chat.ResumeLimit {
			return msgs, true, nil
		}
		after = page[len(page)-1].ID
	}
	return msgs, false, nil
}

// maxMissedPages bounds how many pages readPages reads (ResumeLimit each):
// a node that missed more sends its clients to resume from the database.
const maxMissedPages = 20

// Notify queues another node's join or leave notice to this node's members
// of the room, or its typing signal or read to whom it is for.
func (h *Hub) Notify(n chat.Notice) {
	if n.Typing != nil {
		h.forwardTyping(*n.Typing, n.RoomID, n.ToID)
		return
	}
	if n.Read != nil {
		h.forwardRead(*n.Read, n.ToID, nil)
		return
	}
	r := h.roomByID(n.RoomID)
	if r == nil {
		return
	}
	members := r.memberList()
	for _, m := range members {
		if m.user.Login == n.Event.User {
			return // present here too: for this room nobody came or went
		}
	}
	frame := encode(n.Event)
	for _, m := range members {
		m.deliverRoom(r, 0, frame)
	}
}

// RoomCreated makes a room registered by any node live here.
func (h *Hub) RoomCreated(lr chat.LiveRoom) { h.roomCreated(lr) }

// RoomDeleted ends the room registered as name, up to revision, here.
func (h *Hub) RoomDeleted(name string, revision uint64) {
	key := strings.ToLower(name)
	h.mu.Lock()
	h.gone[key] = max(h.gone[key], revision)
	r := h.rooms[key]
	h.mu.Unlock()
	if r != nil && !r.isDefault && r.rev <= revision {
		h.roomDeleted(r)
	}
}

// PeersChanged notes the room counts the other nodes changed and starts or
// stops the grace of rooms whose owner left or came back elsewhere.
func (h *Hub) PeersChanged() {
	peers := h.cluster.Peers()
	h.mu.Lock()
	defer h.mu.Unlock()
	for id, users := range peers.People {
		if r := h.byID[id]; r != nil && !slices.Equal(h.peerPeople[id], users) {
			h.markChangedLocked(r)
		}
	}
	for id := range h.peerPeople {
		if r := h.byID[id]; r != nil && len(peers.People[id]) == 0 {
			h.markChangedLocked(r)
		}
	}
	h.peerPeople = maps.Clone(peers.People)
	for _, r := range h.rooms {
		if h.onlineLocked(r.ownerID, peers) {
			h.stopGraceLocked(r)
		} else {
			h.armGraceLocked(r)
		}
	}
}

// Lost closes every connection of this node, which is cut off from the
// others: clients reconnect, through the load balancer, to a node that is
// not, and resume there.
func (h *Hub) Lost(err error) {
	clients := h.allClients()
	h.log.Error("cut off from the cluster: closing connections so they move to another node",
		"err", err, "connections", len(clients))
	for _, c := range clients {
		c.close(chat.CloseGoingAway, "this node lost the cluster: reconnect")
	}
}

// LocalPresence reports this node's connections: who is online, where, and
// who is in each room.
func (h *Hub) LocalPresence() chat.NodePresence {
	h.mu.RLock()
	defer h.mu.RUnlock()
	p := chat.NodePresence{Users: make(map[int64]chat.PresentUser, len(h.online)), People: map[int64][]int64{}}
	for id, u := range h.online {
		pu := chat.PresentUser{Login: u.user.Login, Conns: len(u.conns)}
		if u.latest != nil {
			pu.Room = u.latest.Room()
		}
		p.Users[id] = pu
	}
	for id, r := range h.byID {
		if len(r.people) > 0 {
			p.People[id] = slices.Sorted(maps.Keys(r.people))
		}
	}
	return p
}
