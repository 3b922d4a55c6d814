package chat

import "context"

// A deployment runs one node (the default) or several nodes sharing the
// database and a message broker. The hub talks to the other nodes only
// through Cluster, and they to it through ClusterHandler; in a single node
// an in-process Cluster hands everything straight back. The types below are
// what travels between nodes.

// Broadcast is a batch of stored messages on its way to every node, in id
// order. Prev is the latest message id committed before the batch, in any
// room or private thread: batches are committed one at a time across the
// cluster (see Sequencer), so a node that delivered less than Prev missed
// a batch and reads it from the database before going on.
type Broadcast struct {
	Node     string    `json:"node"`
	Prev     int64     `json:"prev"`
	Messages []Message `json:"messages"`
}

// Notice is a user_joined or user_left event for the members of a room on
// the other nodes, or (Typing set) a typing signal for the members of room
// RoomID or, in a private thread, for user ToID, or (Read set) user ToID's
// read cursor that moved, for its connections. It has no id and no
// ordering with messages.
type Notice struct {
	Node   string     `json:"node"`
	RoomID int64      `json:"room_id"`
	Event  Event      `json:"event"`
	Typing *TypingOut `json:"typing,omitempty"`
	Read   *ReadOut   `json:"read,omitempty"`
	ToID   int64      `json:"to_id,omitempty"`
}

// LiveRoom is a non-default room of the cluster's registry. Revision orders
// the registry's changes to one name: a later one wins.
type LiveRoom struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	OwnerID    int64  `json:"owner_id"`
	OwnerLogin string `json:"owner_login"`
	Revision   uint64 `json:"-"`
}

// PresentUser is an online user as one node reports it.
type PresentUser struct {
	Login string `json:"login"`
	Room  string `json:"room"` // the room of its latest connection there
	Conns int    `json:"conns"`
}

// NodePresence is what one node reports about its own connections.
type NodePresence struct {
	Node  string                `json:"node"`
	Users map[int64]PresentUser `json:"users"` // by user id
	// People lists, by room id, the users with a connection in the room,
	// each once and in order: a room counts people, not connections.
	People map[int64][]int64 `json:"people"`
}

// PeerPresence sums up the other live nodes' reports. Readers must not
// modify it; nil maps read as empty.
type PeerPresence struct {
	Users map[int64]PresentUser
	// People is, by room id, the users the other nodes have in the room,
	// each once (a user on two of them too) and in order.
	People map[int64][]int64
}

// Cluster connects a hub to the other nodes of its deployment: fan-out of
// stored messages, the registry of live rooms, and presence.
type Cluster interface {
	// Start begins calling h. Rooms already live are reported through
	// RoomCreated before Start returns.
	Start(ctx context.Context, h ClusterHandler) error
	// Publish hands a committed batch to every node, this one included,
	// which deliver it to their connections through ClusterHandler.Deliver
	// in the order of the calls across the cluster. It returns once the
	// batch reached the broker (unavailable if it could not).
	Publish(ctx context.Context, b Broadcast) error
	// Announce sends a notice to the other nodes, without waiting.
	Announce(n Notice)
	// CreateRoom registers a live room and returns it with its revision.
	// Returns room_exists when a live room has the name ignoring case.
	CreateRoom(ctx context.Context, r LiveRoom) (LiveRoom, error)
	// DeleteRoom unregisters r if r is still that name's registration.
	// Returns room_not_found when it is not (deleted or replaced already).
	DeleteRoom(ctx context.Context, r LiveRoom) error
	// PresenceChanged tells that ClusterHandler.LocalPresence changed.
	// It never blocks.
	PresenceChanged()
	// Peers sums up the other nodes' presence.
	Peers() PeerPresence
	// Ready returns unavailable while this node is cut off from the others.
	Ready() error
	// Close leaves the cluster: this node's presence goes at once.
	Close() error
}

// ClusterHandler is the hub as a Cluster sees it. Its methods are called
// from the Cluster's goroutines; Deliver calls come one at a time.
type ClusterHandler interface {
	// Deliver queues a committed batch to this node's connections.
	Deliver(b Broadcast)
	// Notify queues a notice to this node's members of its room.
	Notify(n Notice)
	// RoomCreated reports a room registered by any node.
	RoomCreated(r LiveRoom)
	// RoomDeleted reports that the registration of name up to revision is
	// gone.
	RoomDeleted(name string, revision uint64)
	// PeersChanged reports that Peers changed (a node came, went or moved
	// connections).
	PeersChanged()
	// Resync reports that broadcasts may have been missed: catch up with
	// the database's latest message.
	Resync()
	// Lost reports that this node is cut off from the others: its
	// connections should go to another node.
	Lost(err error)
	// LocalPresence reports this node's connections.
	LocalPresence() NodePresence
}

// Sequencer orders commits across the cluster: one turn at a time. The
// write path takes the turn before it stores a batch and releases it once
// the batch's broadcast reached the bus, so batches are committed, and
// reach every node, in id order. PostgreSQL implements it with an advisory
// lock for several nodes; a single node uses a mutex.
type Sequencer interface {
	// Acquire waits for the turn. Returns unavailable when the database
	// does not answer.
	Acquire(ctx context.Context) (Turn, error)
}

// Turn is a turn taken with Sequencer.Acquire.
type Turn interface {
	// Prev is the latest message id committed before the turn, read under
	// it: a batch that committed although its caller saw an error counts.
	Prev() int64
	// Append stores the turn's batch as Store.AppendMessages does, under
	// the turn itself: if the node dies with the batch on its way into the
	// database, the turn passes on only once the batch has committed or
	// failed, so the next turn's Prev counts it.
	Append(ctx context.Context, batch []NewMessage) ([]Stored, error)
	// Release ends the turn. It is safe to call more than once.
	Release()
}
