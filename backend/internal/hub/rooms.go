package hub

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
)

// Resume is what a reconnecting client tells about where it stopped.
type Resume struct {
	LastID int64  // highest message id the client has seen; 0 for a fresh start
	Room   string // the room it was in
}

// Connect registers a new connection of user and sends it welcome, joined
// and the private messages it has not received. expires is the token's
// expiry: the connection is closed with 4001 after it.
func (h *Hub) Connect(ctx context.Context, user chat.User, expires time.Time, tr Transport, res Resume) (*Client, error) {
	if err := h.cluster.Ready(); err != nil {
		return nil, err // cut off from the other nodes: the client goes to one of them
	}
	want, ended, err := h.resumedRoom(ctx, res)
	if err != nil {
		return nil, err
	}
	unread, err := h.Unread(ctx, user)
	if err != nil {
		return nil, fmt.Errorf("hub: unread counts of a new connection: %w", err)
	}
	c := &Client{hub: h, user: user, expires: expires, tr: tr, lastSeen: h.now(), done: make(chan struct{})}
	h.mu.Lock()
	select {
	case <-h.stop:
		h.mu.Unlock()
		return nil, chat.Errorf(chat.EUnavailable, "server shutting down")
	default:
	}
	h.addPresenceLocked(c)
	target := h.def
	if want != nil && h.byID[want.id] == want {
		target = want
	}
	h.enterLocked(c, target)
	// welcome is queued with joined (see finishJoin), which the writer
	// then sends in one frame; until then the connection holds whatever
	// else comes.
	c.welcome = h.welcomeFor(user, target.name, h.now(), unread)
	h.mu.Unlock()
	h.metrics.ConnOpened()
	h.announce(target, chat.EventUserJoined, user.Login, c)

	joined, lastRoomID, err := h.history(ctx, target, target == want && res.LastID > 0, res.LastID)
	if err == nil {
		err = h.sendBacklog(ctx, c, append(ended, joined...), lastRoomID, res.LastID)
	}
	if err != nil {
		h.Disconnect(c)
		return nil, err
	}
	c.closeAtExpiry()
	return c, nil
}

// resumedRoom finds the live room a connection resuming res goes back to:
// the room it was in, if that room still lives. A room of that name
// created after the client left is another room: the client goes to the
// default room instead, and ended holds what it missed in its own room
// and the event that the room ended, to send before joined.
func (h *Hub) resumedRoom(ctx context.Context, res Resume) (want *room, ended [][]byte, err error) {
	if res.Room == "" {
		return nil, nil, nil
	}
	h.mu.RLock()
	live := h.rooms[strings.ToLower(res.Room)]
	h.mu.RUnlock()
	if res.LastID <= 0 || live == h.def {
		return live, nil, nil
	}
	was, err := h.store.RoomLiveAfter(ctx, res.Room, res.LastID)
	switch {
	case chat.ErrorCode(err) == chat.ERoomNotFound:
		return live, nil, nil // no room of that name since: nothing ended
	case err != nil:
		return nil, nil, fmt.Errorf("hub: the room a client resumes: %w", err)
	case live != nil && was.ID == live.id:
		return live, nil, nil
	case was.DeletedAt == nil:
		return nil, nil, nil // live in the database but not here (a node lost it): the default room
	}
	missed, err := h.store.RoomMessagesAfter(ctx, was.ID, res.LastID, chat.ResumeLimit)
	if err != nil {
		return nil, nil, fmt.Errorf("hub: the messages of a room that ended: %w", err)
	}
	for _, m := range newestThatFit(missed, h.backlogBytes()) {
		ended = append(ended, encode(chat.ItemOut(m)))
	}
	var owner string
	if was.OwnerID != nil {
		if u, err := h.store.UserByID(ctx, *was.OwnerID); err == nil {
			owner = u.Login
		}
	}
	ended = append(ended, encode(chat.Event{Type: chat.TypeEvent, Kind: chat.EventRoomDeleted, Room: was.Name,
		User: owner, At: was.DeletedAt.UnixMilli()}))
	return nil, ended, nil
}

// restoreRooms makes the rooms a previous process of a single node left
// live again. A restart is not their owners leaving: each gets its grace
// period anew, and its owner's return keeps it.
func (h *Hub) restoreRooms(ctx context.Context) (int, error) {
	rooms, err := h.store.LiveRooms(ctx)
	if err != nil {
		return 0, fmt.Errorf("hub: restore rooms: %w", err)
	}
	for _, r := range rooms {
		lr := chat.LiveRoom{ID: r.ID, Name: r.Name}
		if r.OwnerID != nil {
			lr.OwnerID = *r.OwnerID
			if u, err := h.store.UserByID(ctx, lr.OwnerID); err == nil {
				lr.OwnerLogin = u.Login
			}
		}
		if lr, err = h.cluster.CreateRoom(ctx, lr); err != nil {
			return 0, fmt.Errorf("hub: restore room %s: %w", r.Name, err)
		}
		h.roomCreated(lr)
	}
	return len(rooms), nil
}

// sendBacklog finishes the first join: frames (joined, after what a room
// that ended left), then the private messages the user missed: after
// lastID when resuming, else the ones to the user above its receipt (the
// client dedupes by id), and the same way the mentions of the user outside
// the room it lands in.
func (h *Hub) sendBacklog(ctx context.Context, c *Client, frames [][]byte, lastRoomID, lastID int64) error {
	var privates []chat.Message
	var err error
	if lastID > 0 {
		privates, err = h.store.PrivateMessagesAfter(ctx, c.user.ID, lastID, chat.ResumeLimit)
	} else {
		privates, err = h.store.UnreceiptedPrivate(ctx, c.user.ID, chat.ResumeLimit)
	}
	if err != nil {
		return fmt.Errorf("hub: private backlog: %w", err)
	}
	var lastPrivateID, lastMentionID int64
	room := h.cfg.QueueBytes / 4 // see backlogBytes; the oldest go first, the others on a later connection
	for _, m := range privates {
		frame := encode(chat.ItemOut(m))
		if room -= len(frame); room < 0 && lastPrivateID > 0 {
			break
		}
		frames = append(frames, frame)
		lastPrivateID = max(lastPrivateID, m.ID)
	}
	r := c.currentRoom()
	if r == nil {
		return nil // gone meanwhile
	}
	mentions, err := h.mentionBacklog(ctx, c, lastID, r.id)
	if err != nil {
		return fmt.Errorf("hub: mention backlog: %w", err)
	}
	for _, m := range mentions {
		frame := encode(chat.MentionOf(m))
		if room -= len(frame); room < 0 && lastMentionID > 0 {
			break
		}
		frames = append(frames, frame)
		lastMentionID = m.ID
	}
	c.finishJoin(r, frames, lastRoomID, lastPrivateID, lastMentionID)
	return nil
}

// history builds the joined envelope of r and returns it with the last
// item id it carries: r's latest messages (see latestJoined), or when
// resuming every item after lastID (the newest ResumeLimit messages if
// more): the messages in joined, in their current state, and the updates
// after it, in id order, for the messages the client holds from before.
func (h *Hub) history(ctx context.Context, r *room, resumed bool, lastID int64) ([][]byte, int64, error) {
	if !resumed {
		frame, last, err := h.latestJoined(ctx, r)
		return [][]byte{frame}, last, err
	}
	msgs, err := h.store.RoomMessagesAfter(ctx, r.id, lastID, chat.ResumeLimit+1)
	more := err == nil && len(msgs) > chat.ResumeLimit
	if more {
		msgs, err = h.store.RoomHistory(ctx, r.id, 0, chat.ResumeLimit)
		slices.Reverse(msgs)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("hub: history of %s: %w", r.name, err)
	}
	if fit := newestThatFit(msgs, h.backlogBytes()); len(fit) < len(msgs) {
		msgs, more = fit, true
	}
	frames, last := joinedOf(r, msgs, true, more)
	return frames, last, nil
}

// backlogBytes is how much of a connection's outbound queue a resumed
// joined envelope may fill, and a quarter more its private backlog: both are
// queued at once, before anything is written, so a backlog larger than the
// queue closed the connection as a slow consumer before its first write,
// at every reconnection (a client away while long messages were posted
// could never come back). The rest of the queue is for live traffic.
func (h *Hub) backlogBytes() int { return h.cfg.QueueBytes / 2 }

// newestThatFit returns the newest of msgs (oldest first) whose envelopes
// take at most budget bytes, at least one.
func newestThatFit(msgs []chat.Message, budget int) []chat.Message {
	for i := len(msgs) - 1; i >= 0; i-- {
		if budget -= len(encode(chat.ItemOut(msgs[i]))) + 1; budget < 0 && i < len(msgs)-1 {
			return msgs[i+1:]
		}
	}
	return msgs
}

// latestJoined is the joined envelope of a connection entering r without
// resuming: r's latest messages. Everyone entering a room gets the same
// envelope until a message is posted there, so it is built once and shared
// for at most joinedTTL: its query was a seventh of a connect's CPU.
//
// The caller entered r's members first. A cached envelope is used only if
// no message was broadcast to r since its history was read: the broadcast
// counts itself before it reads the members, so a message is either in
// the history or delivered to the caller (and held until joined is
// queued), never neither. It may be both (committed before the read,
// broadcast after); the caller's floor drops the second copy.
func (h *Hub) latestJoined(ctx context.Context, r *room) ([]byte, int64, error) {
	posted, now := r.posted.Load(), h.now()
	if j := r.joined.Load(); j != nil && j.posted == posted && now.Sub(j.built) < joinedTTL {
		return j.frame, j.last, nil
	}
	msgs, err := h.store.RoomHistory(ctx, r.id, 0, chat.JoinHistorySize)
	if err != nil {
		return nil, 0, fmt.Errorf("hub: history of %s: %w", r.name, err)
	}
	slices.Reverse(msgs)
	frames, last := joinedOf(r, msgs, false, false)
	frame := frames[0] // a history has no updates
	r.joined.Store(&joinedCache{posted: posted, built: now, frame: frame, last: last})
	return frame, last, nil
}

// joinedOf encodes the joined envelope of r carrying the messages of items
// (oldest first), then the update envelopes among items, and returns them
// with the last item id.
func joinedOf(r *room, items []chat.Message, resumed, more bool) ([][]byte, int64) {
	out := chat.Joined{Type: chat.TypeJoined, Room: r.name, History: make([]chat.RoomMsgOut, 0, len(items)),
		Resumed: resumed, More: more}
	frames := [][]byte{nil}
	var last int64
	for _, m := range items {
		if m.IsUpdate() {
			frames = append(frames, encode(chat.UpdateOf(m)))
		} else {
			out.History = append(out.History, chat.MessageOut(m))
		}
		last = max(last, m.ID)
	}
	frames[0] = encode(out)
	return frames, last
}

// Disconnect unregisters a closed connection. When it was its user's last,
// the rooms the user owns start their grace period.
func (h *Hub) Disconnect(c *Client) {
	c.shut()
	h.mu.Lock()
	r := c.currentRoom()
	if r == nil { // already gone
		h.mu.Unlock()
		return
	}
	h.leaveLocked(c)
	h.removePresenceLocked(c)
	h.mu.Unlock()
	h.metrics.ConnClosed()
	h.announce(r, chat.EventUserLeft, c.user.Login, nil)
}

// moveTo moves c into r: leave the old room, enter the new one, send joined
// with r's history. A move to the room c is in does nothing.
func (h *Hub) moveTo(ctx context.Context, c *Client, r *room) error {
	h.mu.Lock()
	old := c.currentRoom()
	if old == r || old == nil {
		h.mu.Unlock()
		return nil
	}
	h.leaveLocked(c)
	h.enterLocked(c, r)
	h.mu.Unlock()
	h.announce(old, chat.EventUserLeft, c.user.Login, nil)
	h.announce(r, chat.EventUserJoined, c.user.Login, c)
	joined, last, err := h.history(ctx, r, false, 0)
	if err != nil {
		c.finishJoin(r, [][]byte{encode(chat.Joined{Type: chat.TypeJoined, Room: r.name,
			History: []chat.RoomMsgOut{}})}, 0, 0, 0)
		return err
	}
	c.finishJoin(r, joined, last, 0, 0)
	h.enteredRoom(ctx, c, r)
	return nil
}

// createRoom stores a room owned by c's user, registers it with the
// cluster (which keeps names unique across nodes) and moves c into it.
func (h *Hub) createRoom(ctx context.Context, c *Client, name string) error {
	h.mu.RLock()
	_, exists := h.rooms[strings.ToLower(name)]
	h.mu.RUnlock()
	if exists {
		return chat.Errorf(chat.ERoomExists, "a room named %q exists", name)
	}
	stored, err := h.storeRoom(ctx, name, c.user.ID)
	if err != nil {
		return err
	}
	live, err := h.cluster.CreateRoom(ctx, chat.LiveRoom{ID: stored.ID, Name: stored.Name,
		OwnerID: c.user.ID, OwnerLogin: c.user.Login})
	if err != nil {
		if err := h.store.DeleteRoom(ctx, stored.ID, h.now()); err != nil {
			h.log.Warn("undo room creation", "room", stored.Name, "err", err)
		}
		return err
	}
	r := h.roomCreated(live)
	if r == nil {
		return chat.Errorf(chat.ERoomNotFound, "room %q was deleted at once", name)
	}
	return h.moveTo(ctx, c, r)
}

// storeRoom stores a new room. A live room of that name that the registry
// does not know is left over by a node that died between storing and
// registering it (or deleting and unregistering): it is retired once it is
// old enough not to be one being created right now.
func (h *Hub) storeRoom(ctx context.Context, name string, ownerID int64) (chat.Room, error) {
	stored, err := h.store.CreateRoom(ctx, name, ownerID)
	if chat.ErrorCode(err) != chat.ERoomExists {
		return stored, err
	}
	old, lookErr := h.store.RoomByName(ctx, name)
	if lookErr != nil || old.DeletedAt != nil || h.now().Sub(old.CreatedAt) < staleRoomAge {
		return stored, err
	}
	if _, err := h.liveRoom(name); err == nil {
		return stored, chat.Errorf(chat.ERoomExists, "a room named %q exists", name)
	}
	h.log.Info("retire a room left live by a lost node", "room", old.Name, "id", old.ID)
	if err := h.store.DeleteRoom(ctx, old.ID, h.now()); err != nil && chat.ErrorCode(err) != chat.ERoomNotFound {
		return stored, err
	}
	return h.store.CreateRoom(ctx, name, ownerID)
}

// staleRoomAge is how old a stored live room unknown to the registry must be
// to count as left over.
const staleRoomAge = 30 * time.Second

// roomCreated makes a registered room live on this node and tells this
// node's connections, unless the registry has moved past it. It returns the
// live room, nil if it was superseded.
func (h *Hub) roomCreated(lr chat.LiveRoom) *room {
	key := strings.ToLower(lr.Name)
	h.mu.Lock()
	cur := h.rooms[key]
	switch {
	case cur != nil && cur.isDefault, h.gone[key] >= lr.Revision && lr.Revision > 0:
		h.mu.Unlock()
		return nil
	case cur != nil && cur.rev >= lr.Revision:
		h.mu.Unlock()
		return cur // known already
	}
	h.mu.Unlock()
	if cur != nil { // an older registration this node missed the end of
		h.roomDeleted(cur)
	}
	r := &room{id: lr.ID, name: lr.Name, ownerID: lr.OwnerID, ownerLogin: lr.OwnerLogin, rev: lr.Revision,
		people: map[int64]int{}}
	peers := h.cluster.Peers()
	h.mu.Lock()
	if other := h.rooms[key]; other != nil || h.gone[key] >= lr.Revision && lr.Revision > 0 {
		h.mu.Unlock()
		return other // raced with another report of it
	}
	h.rooms[key], h.byID[r.id] = r, r
	h.markChangedLocked(r)
	if !h.onlineLocked(r.ownerID, peers) { // its owner left already
		h.armGraceLocked(r)
	}
	h.mu.Unlock()
	h.broadcastAll(encode(chat.Event{Type: chat.TypeEvent, Kind: chat.EventRoomCreated, Room: r.name,
		User: r.ownerLogin, At: h.now().UnixMilli()}))
	return r
}

// liveRoom finds a live room by name ignoring case.
func (h *Hub) liveRoom(name string) (*room, error) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	r := h.rooms[strings.ToLower(name)]
	if r == nil {
		return nil, chat.Errorf(chat.ERoomNotFound, "no live room named %q", name)
	}
	return r, nil
}

// deleteRoomBy deletes a room on its owner's request.
func (h *Hub) deleteRoomBy(ctx context.Context, userID int64, name string) error {
	r, err := h.liveRoom(name)
	if err != nil {
		return err
	}
	if r.isDefault {
		return chat.Errorf(chat.ECannotDeleteDefault, "the default room can't be deleted")
	}
	if r.ownerID != userID {
		return chat.Errorf(chat.ENotRoomOwner, "only %s can delete %q", r.ownerLogin, r.name)
	}
	return h.deleteRoom(ctx, r)
}

// deleteRoom retires r in the store, then in the cluster; on every node its
// members move to the default room and everyone hears room_deleted. The
// store goes first: once a node hears the room is gone, its name is free.
func (h *Hub) deleteRoom(ctx context.Context, r *room) error {
	if err := h.store.DeleteRoom(ctx, r.id, h.now()); err != nil && chat.ErrorCode(err) != chat.ERoomNotFound {
		h.log.Error("delete room in store", "room", r.name, "err", err)
	}
	if err := h.cluster.DeleteRoom(ctx, r.live()); err != nil && chat.ErrorCode(err) != chat.ERoomNotFound {
		return err // still registered: a later delete or grace finishes the job
	}
	h.roomDeleted(r)
	return nil
}

// roomDeleted ends r on this node: this node's connections hear
// room_deleted and its members here move to the default room.
func (h *Hub) roomDeleted(r *room) {
	key := strings.ToLower(r.name)
	h.mu.Lock()
	h.gone[key] = max(h.gone[key], r.rev)
	if h.rooms[key] != r {
		h.mu.Unlock()
		return // ended already
	}
	delete(h.rooms, key)
	delete(h.byID, r.id)
	if r.grace != nil {
		r.grace.Stop()
		r.grace = nil
	}
	h.markChangedLocked(r)
	h.mu.Unlock()
	h.broadcastAll(encode(chat.Event{Type: chat.TypeEvent, Kind: chat.EventRoomDeleted, Room: r.name,
		User: r.ownerLogin, At: h.now().UnixMilli()}))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, c := range r.memberList() {
		if c.leaving() {
			continue // #exit: it goes, not to the default room
		}
		if err := h.moveTo(ctx, c, h.def); err != nil {
			h.log.Warn("move member to default room", "room", r.name, "err", err)
		}
	}
}

// deleteOwnedRooms deletes every room userID owns (its owner left with #exit).
func (h *Hub) deleteOwnedRooms(ctx context.Context, userID int64) {
	for _, r := range h.ownedRooms(userID) {
		if err := h.deleteRoom(ctx, r); err != nil {
			h.log.Warn("delete owned room", "room", r.name, "err", err)
		}
	}
}

func (h *Hub) ownedRooms(userID int64) []*room {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var owned []*room
	for _, r := range h.rooms {
		if r.ownerID == userID {
			owned = append(owned, r)
		}
	}
	return owned
}

// armGraceLocked starts r's grace period: its owner is offline on every
// node. h.mu is held.
func (h *Hub) armGraceLocked(r *room) {
	if r.grace != nil || r.isDefault {
		return
	}
	r.graceGen++
	gen := r.graceGen
	r.grace = time.AfterFunc(h.cfg.RoomGrace, func() { h.graceExpired(r, gen) })
}

// stopGraceLocked ends r's grace period: its owner is back. h.mu is held.
func (h *Hub) stopGraceLocked(r *room) {
	if r.grace != nil {
		r.grace.Stop()
		r.grace = nil
	}
}

// graceExpired deletes r if its owner is still offline everywhere. With
// several nodes every node that saw the owner go runs its own grace; the
// first to end deletes the room, the others find it gone.
func (h *Hub) graceExpired(r *room, gen uint64) {
	peers := h.cluster.Peers()
	h.mu.Lock()
	if r.grace == nil || r.graceGen != gen { // stopped, or replaced by a later grace
		h.mu.Unlock()
		return
	}
	r.grace = nil
	online := h.onlineLocked(r.ownerID, peers)
	h.mu.Unlock()
	select {
	case <-h.stop:
		return // shutting down: the database may be closed already
	default:
	}
	if online {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.deleteRoom(ctx, r); err != nil {
		h.log.Warn("delete room after grace", "room", r.name, "err", err)
	}
}

// announce tells r's members (but skip, the connection that joined) that
// user joined or left. A user present through another connection (a second
// device, or a reconnect that beat the old socket's close) did not join or
// leave, so nothing is said.
func (h *Hub) announce(r *room, kind, login string, skip *Client) {
	members := r.memberList()
	for _, m := range members {
		if m != skip && m.user.Login == login {
			return
		}
	}
	ev := chat.Event{Type: chat.TypeEvent, Kind: kind, Room: r.name, User: login, At: h.now().UnixMilli()}
	frame := encode(ev)
	for _, m := range members {
		if m != skip {
			m.deliverRoom(r, 0, frame)
		}
	}
	h.cluster.Announce(chat.Notice{RoomID: r.id, Event: ev})
}

// enterLocked adds c to r's members and marks it joining. h.mu is held.
func (h *Hub) enterLocked(c *Client, r *room) {
	c.mu.Lock()
	c.room, c.holding, c.held, c.roomFloor = r, true, nil, 0
	c.mu.Unlock()
	members := append(slices.Clone(r.memberList()), c)
	r.members.Store(&members)
	if r.people[c.user.ID]++; r.people[c.user.ID] == 1 {
		h.markChangedLocked(r) // one more person
	}
	if p := h.online[c.user.ID]; p != nil {
		p.latest = c
	}
	h.cluster.PresenceChanged()
}

// leaveLocked removes c from its room. h.mu is held.
func (h *Hub) leaveLocked(c *Client) {
	c.mu.Lock()
	r := c.room
	c.room, c.holding, c.held = nil, false, nil
	c.mu.Unlock()
	if r == nil {
		return
	}
	members := slices.DeleteFunc(slices.Clone(r.memberList()), func(m *Client) bool { return m == c })
	r.members.Store(&members)
	if r.people[c.user.ID]--; r.people[c.user.ID] <= 0 {
		delete(r.people, c.user.ID)
		h.markChangedLocked(r) // one person fewer
	}
	h.cluster.PresenceChanged()
}

func (h *Hub) addPresenceLocked(c *Client) {
	p := h.online[c.user.ID]
	if p == nil {
		p = &presence{user: c.user, conns: map[*Client]struct{}{}}
		h.online[c.user.ID] = p
	}
	p.conns[c] = struct{}{}
	p.latest = c
	for _, r := range h.rooms { // the owner is back: its rooms stay
		if r.ownerID == c.user.ID {
			h.stopGraceLocked(r)
		}
	}
	h.cluster.PresenceChanged()
}

func (h *Hub) removePresenceLocked(c *Client) {
	p := h.online[c.user.ID]
	if p == nil {
		return
	}
	delete(p.conns, c)
	if p.latest == c {
		p.latest = nil
		for other := range p.conns {
			p.latest = other
		}
	}
	h.cluster.PresenceChanged()
	if len(p.conns) > 0 {
		return
	}
	delete(h.online, c.user.ID)
	if _, elsewhere := h.cluster.Peers().Users[c.user.ID]; elsewhere {
		return // the owner is still online on another node
	}
	for _, r := range h.rooms { // a dropped network is not a decision to leave: wait
		if r.ownerID == c.user.ID {
			h.armGraceLocked(r)
		}
	}
}

func sortRooms(list []chat.RoomInfo) {
	slices.SortFunc(list, func(a, b chat.RoomInfo) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
}
