package hub

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
)

// The hub as its Cluster sees it (chat.ClusterHandler). On a single node
// only Deliver is called, by the publish loop, and goes straight to the
// fan-out. With other nodes every batch, this node's own included, arrives
// here from the broker in the order the Sequencer gave the commits, and the
// hub keeps track of the latest id it delivered in each room and each user's
// private messages: a batch whose predecessor it never saw (its node died
// between commit and publish, or gave up publishing) makes it read the
// missing messages from the database first.

var _ chat.ClusterHandler = (*Hub)(nil)

// Deliver queues a committed batch to this node's connections.
func (h *Hub) Deliver(b chat.Broadcast) {
	if !h.clustered {
		h.fanOut(b.Messages)
		return
	}
	h.tracks.mu.Lock()
	defer h.tracks.mu.Unlock()
	msgs := append(h.missed(b), b.Messages...)
	h.fanOut(h.tracks.fresh(msgs))
}

// fanOut queues messages, in id order, to the connections of this node
// that should have them.
func (h *Hub) fanOut(msgs []chat.Message) {
	var r *room
	for _, m := range msgs {
		if m.RoomID == nil {
			frame := encode(chat.PrivateOf(m))
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
		frame := encode(chat.MessageOut(m))
		// Before the members are read: a join that reads the history
		// after this sees the cached one expired (see latestJoined).
		r.posted.Add(1)
		members := r.memberList()
		for _, c := range members {
			c.deliverRoom(r, m.ID, frame)
		}
		h.metrics.Delivered(len(members))
	}
}

func (h *Hub) roomByID(id int64) *room {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.byID[id]
}

// missed reads from the database the messages committed before b that this
// node never received. h.tracks.mu is held.
func (h *Hub) missed(b chat.Broadcast) []chat.Message {
	var out []chat.Message
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for id, prev := range b.RoomPrev {
		if last, ok := h.tracks.rooms[id]; ok && prev > last {
			out = append(out, h.readMissed(ctx, "room", id, last, prev, h.store.RoomMessagesAfter)...)
		}
	}
	for id, prev := range b.UserPrev {
		if last, ok := h.tracks.userLast(id); ok && prev > last {
			out = append(out, h.readMissed(ctx, "user", id, last, prev, h.store.PrivateMessagesAfter)...)
		}
	}
	if last := h.tracks.private; b.PrivPrev > last {
		out = append(out, h.readMissed(ctx, "private", 0, last, b.PrivPrev,
			func(ctx context.Context, _, after int64, limit int) ([]chat.Message, error) {
				return h.store.PrivateMessagesBetween(ctx, after, b.PrivPrev, limit)
			})...)
	}
	return sortUnique(out)
}

func (h *Hub) readMissed(ctx context.Context, kind string, id, after, upTo int64, read pageReader) []chat.Message {
	h.log.Warn("a broadcast was missed: delivering it from the database", kind, id, "after", after, "up_to", upTo)
	out, err := readPages(ctx, read, id, after, upTo)
	if err != nil {
		h.log.Error("read missed messages", kind, id, "err", err)
	}
	return out
}

// pageReader reads up to limit messages of a room or a user (id) after an
// id, oldest first: the store's RoomMessagesAfter and PrivateMessagesAfter.
type pageReader func(ctx context.Context, id, after int64, limit int) ([]chat.Message, error)

// readPages reads the messages of id with after < id <= upTo, page by page
// (one page is only the oldest of them), at most maxMissedPages pages. On an
// error it returns what it read before with the error.
func readPages(ctx context.Context, read pageReader, id, after, upTo int64) ([]chat.Message, error) {
	var out []chat.Message
	for range maxMissedPages {
		msgs, err := read(ctx, id, after, chat.ResumeLimit)
		if err != nil {
			return out, err
		}
		for _, m := range msgs {
			if m.ID > upTo {
				return out, nil
			}
			out = append(out, m)
		}
		if len(msgs) < chat.ResumeLimit {
			return out, nil
		}
		after = msgs[len(msgs)-1].ID
	}
	return out, nil
}

// maxMissedPages bounds how many pages readPages reads (ResumeLimit each):
// a node that missed more catches up with a resync, and what a single
// node's failed batches can leave above its latest broadcast id is a few
// batches of at most 8192.
const maxMissedPages = 20

// Resync catches up, from the database, with every message this node may
// have missed in its rooms and its users' private messages (a node died, or
// the broker dropped us for a while).
func (h *Hub) Resync() {
	select {
	case <-h.stop:
		return // shutting down: the database may be closed already
	default:
	}
	if !h.clustered {
		return
	}
	h.tracks.mu.Lock()
	defer h.tracks.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h.mu.RLock()
	rooms := slices.Collect(maps.Keys(h.byID))
	users := slices.Collect(maps.Keys(h.online))
	h.mu.RUnlock()
	var msgs []chat.Message
	for _, id := range rooms {
		if last, ok := h.tracks.rooms[id]; ok {
			got, err := h.store.RoomMessagesAfter(ctx, id, last, chat.ResumeLimit)
			if err != nil {
				h.log.Error("resync room", "room", id, "err", err)
			}
			msgs = append(msgs, got...)
		}
	}
	for _, id := range users {
		if last, ok := h.tracks.userLast(id); ok {
			got, err := h.store.PrivateMessagesAfter(ctx, id, last, chat.ResumeLimit)
			if err != nil {
				h.log.Error("resync private messages", "user", id, "err", err)
			}
			msgs = append(msgs, got...)
		}
	}
	if msgs = h.tracks.fresh(sortUnique(msgs)); len(msgs) > 0 {
		h.log.Warn("resync delivered messages this node had missed", "messages", len(msgs))
		h.fanOut(msgs)
	}
}

func sortUnique(msgs []chat.Message) []chat.Message {
	slices.SortFunc(msgs, func(a, b chat.Message) int { return cmp.Compare(a.ID, b.ID) })
	return slices.CompactFunc(msgs, func(a, b chat.Message) bool { return a.ID == b.ID })
}

// trackRoom starts tracking a room this node did not see created: its
// latest message so far is read from the database. Broadcasts of anything
// up to it that arrive later are dropped, which is right: no connection here
// could be in the room before now, and the ones that join read its history.
func (h *Hub) trackRoom(id int64) {
	if !h.clustered {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	latest, err := h.store.RoomHistory(ctx, id, 0, 1)
	if err != nil {
		h.log.Error("read the latest message of a room", "room", id, "err", err)
		return // untracked: a gap before its next broadcast goes unnoticed
	}
	var last int64
	if len(latest) > 0 {
		last = latest[0].ID
	}
	h.tracks.room(id, last)
}

// trackUser starts tracking the private messages of a user connecting
// here, unless this node tracks them already: their latest so far is read
// from the database. It runs before the connection reads its backlog, so
// anything committed after that read and never broadcast (its node died)
// is above the track, and the next broadcast that counts it makes this node
// read it. Untracked, the user's first broadcast here was taken on trust,
// and a private message missed just before it reached no one.
func (h *Hub) trackUser(ctx context.Context, id int64) {
	if !h.clustered {
		return
	}
	h.tracks.mu.Lock()
	_, known := h.tracks.userLast(id)
	h.tracks.mu.Unlock()
	if known {
		return
	}
	latest, err := h.store.LatestPrivateID(ctx, id)
	if err != nil {
		h.log.Error("read the latest private message of a user", "user", id, "err", err)
		return // untracked: a gap before its next broadcast goes unnoticed
	}
	h.tracks.user(id, latest)
}

// tracks is what a node of several delivered: the latest message id per
// room and per user's private messages.
type tracks struct {
	mu    sync.Mutex // also serialises Deliver and Resync
	rooms map[int64]int64
	users map[int64]int64 // raised by deliveries only: fresh drops by it
	// known is where a user's tracking started without a delivery: the
	// latest private id when they connected (see trackUser).
	known map[int64]int64
	// private is the latest private message id delivered, of any users:
	// private batches are stored one at a time cluster-wide, so they
	// arrive in id order, and a broadcast's PrivPrev above it tells of one
	// missed.
	private int64
}

func newTracks() tracks {
	return tracks{rooms: map[int64]int64{}, users: map[int64]int64{}, known: map[int64]int64{}}
}

// userLast is the latest private id of a user this node delivered, or
// else knew of when the user connected. t.mu is held.
func (t *tracks) userLast(id int64) (int64, bool) {
	last, ok := t.users[id]
	if known, k := t.known[id]; k && (!ok || known > last) {
		return known, true
	}
	return last, ok
}

// forget stops tracking a deleted room.
func (t *tracks) forget(id int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.rooms, id)
}

// room raises a room's latest delivered id to at least last.
func (t *tracks) room(id, last int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if cur, ok := t.rooms[id]; !ok || last > cur {
		t.rooms[id] = last
	}
}

// user records the latest private id of a user connecting here, where
// gap detection starts for them (not a delivery: see fresh).
func (t *tracks) user(id, last int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if cur, ok := t.known[id]; !ok || last > cur {
		t.known[id] = last
	}
}

// fresh drops the messages (sorted by id) delivered already and records the
// others. t.mu is held.
func (t *tracks) fresh(msgs []chat.Message) []chat.Message {
	return slices.DeleteFunc(msgs, func(m chat.Message) bool {
		if m.RoomID != nil {
			last, ok := t.rooms[*m.RoomID]
			t.rooms[*m.RoomID] = max(last, m.ID)
			return ok && m.ID <= last
		}
		t.private = max(t.private, m.ID)
		// A user's private messages arrive in id order, so a message at or
		// below either party's latest delivered was delivered to both.
		seen := false
		for _, u := range []int64{m.SenderID, *m.RecipientID} {
			last, ok := t.users[u]
			seen = seen || ok && m.ID <= last
			t.users[u] = max(last, m.ID)
		}
		return seen
	})
}

// Notify queues another node's join or leave notice to this node's members
// of the room.
func (h *Hub) Notify(n chat.Notice) {
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
func (h *Hub) RoomCreated(lr chat.LiveRoom) { h.roomCreated(lr, false) }

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
