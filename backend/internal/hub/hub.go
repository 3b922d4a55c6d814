// Package hub is Sala's real-time core: the live rooms and their members, the
// connections of every online user, the # commands, and delivery: every
// stored message reaches this node's connections through Deliver, in id
// order (deliver.go), after the write path (package writepath) stored,
// acknowledged and published it. It speaks to
// sockets only through the Transport interface and to the database only
// through chat.Store, so it is tested with real clients and real databases
// without knowing either.
package hub

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/writepath"
)

// Config tunes the hub. Zero fields take the defaults of DefaultConfig.
type Config struct {
	DefaultRoom     string        // name of the default room
	RoomGrace       time.Duration // how long a room outlives its owner's last connection
	QueueBytes      int           // outbound queue per connection before it counts as a slow consumer
	MsgRate         float64       // messages per second per user
	MsgBurst        int           // burst of the per-user rate limit
	MaxBadEnvelopes int           // consecutive bad envelopes before closing with 1008
	KeepAlive       time.Duration // ping a connection silent for this long
	// BatchSize is the largest group-commit batch. It only binds when the
	// store falls behind: a batch is what queued during the last commit
	// plus the gather window. Large is right then, because much of a
	// batch's cost is the index pages it dirties, and busy rooms dirty
	// about as many of them for a small batch as for a large one.
	BatchSize int
	RoomsPush time.Duration // at most one rooms envelope to everyone per interval
	// PushBudget is how many writes a second the rooms pushes may cost on
	// average: with more connections than that, pushes come less often
	// than RoomsPush (see pushGap).
	PushBudget int

	// Cluster connects the hub to the other nodes of a deployment; nil for
	// a single node, which uses an in-process Cluster.
	Cluster chat.Cluster
	// Sequencer orders commits: one turn at a time across the nodes. A
	// node on PostgreSQL, one or several, sets store.Sequencer's; nil takes
	// a turn in this process (writepath.Local), which is right for SQLite.
	Sequencer chat.Sequencer
	// StoreTimeout bounds how long a batch of messages waits for its turn
	// and for the store (SALA_DB_TIMEOUT); zero is 10 s.
	StoreTimeout time.Duration
	// Now is the clock; nil for time.Now.
	Now func() time.Time
}

// DefaultConfig holds the defaults documented in the README.
func DefaultConfig() Config {
	return Config{
		DefaultRoom:     "general",
		RoomGrace:       10 * time.Second,
		QueueBytes:      1 << 20,
		MsgRate:         20,
		MsgBurst:        40,
		MaxBadEnvelopes: 10,
		KeepAlive:       30 * time.Second,
		BatchSize:       8192,
		RoomsPush:       time.Second,
		PushBudget:      5000,
	}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	orDefault(&c.DefaultRoom, d.DefaultRoom)
	orDefault(&c.RoomGrace, d.RoomGrace)
	orDefault(&c.QueueBytes, d.QueueBytes)
	orDefault(&c.MsgRate, d.MsgRate)
	orDefault(&c.MsgBurst, max(1, int(2*c.MsgRate)))
	orDefault(&c.MaxBadEnvelopes, d.MaxBadEnvelopes)
	orDefault(&c.KeepAlive, d.KeepAlive)
	orDefault(&c.BatchSize, d.BatchSize)
	orDefault(&c.RoomsPush, d.RoomsPush)
	orDefault(&c.PushBudget, d.PushBudget)
	return c
}

// orDefault replaces a zero (or negative) setting with its default.
func orDefault[T cmp.Ordered](v *T, def T) {
	var zero T
	if *v <= zero {
		*v = def
	}
}

// room is a live room. Its member list is copy-on-write: it is replaced
// under Hub.mu and read without any lock by the fan-out.
type room struct {
	id         int64
	name       string
	ownerID    int64 // 0 for the default room
	ownerLogin string
	isDefault  bool
	rev        uint64 // its registration in the cluster
	members    atomic.Pointer[[]*Client]
	// people counts the members' connections by user id: the room's count
	// is of people, and a second device or tab is not a second one.
	// Guarded by Hub.mu.
	people   map[int64]int
	grace    *time.Timer // runs while the owner is offline; guarded by Hub.mu
	graceGen uint64      // which grace is the current one; guarded by Hub.mu

	// posted counts the messages broadcast to the room here, and joined
	// caches its joined envelope for a fresh join while posted stays what
	// it was when the history was read (see latestJoined).
	posted atomic.Uint64
	joined atomic.Pointer[joinedCache]
}

// joinedCache is a room's joined envelope, the last message id it carries,
// and the room's posted count when its history was read.
type joinedCache struct {
	posted uint64
	built  time.Time
	frame  []byte
	last   int64
}

// joinedTTL bounds how long a cached joined envelope is used: messages
// removed behind the server's back (`sala user delete` deletes a user's
// messages) disappear from new joins within it.
const joinedTTL = 2 * time.Second

// live is the room as the cluster's registry knows it.
func (r *room) live() chat.LiveRoom {
	return chat.LiveRoom{ID: r.id, Name: r.name, OwnerID: r.ownerID, OwnerLogin: r.ownerLogin, Revision: r.rev}
}

func (r *room) memberList() []*Client {
	if p := r.members.Load(); p != nil {
		return *p
	}
	return nil
}

// presence is an online user and its open connections.
type presence struct {
	user    chat.User
	conns   map[*Client]struct{}
	latest  *Client
	receipt int64     // the highest receipt of its connections here
	typed   time.Time // when its latest typing signal was forwarded
}

// Hub owns the live rooms and connections. Create it with New, then Start.
type Hub struct {
	cfg     Config
	store   chat.Store
	log     *slog.Logger
	metrics Metrics
	now     func() time.Time
	writes  *writepath.Path
	cluster chat.Cluster
	cur     cursor // what this node delivered (see Deliver)

	mu       sync.RWMutex
	rooms    map[string]*room  // live rooms by lower-case name
	byID     map[int64]*room   // the same rooms by id
	gone     map[string]uint64 // latest registry revision deleted, by lower-case name
	def      *room
	online   map[int64]*presence
	limiters map[int64]*rate.Limiter // per user, pruned when idle (see pruneLimiters)
	// changed holds the rooms (by lower-case name) whose member counts or
	// existence changed since the last rooms_changed push.
	changed map[string]string // lower-case name → name
	// welcomeRooms is the encoded room list of welcome, shared until the
	// next rooms_changed push; nil when it must be built (see welcomeFor).
	welcomeRooms []byte
	// peerPeople is the other nodes' people per room at the last look,
	// to tell which counts they changed.
	peerPeople map[int64][]int64

	stop chan struct{}
	wg   sync.WaitGroup
}

// New returns a hub over store. metrics may be nil.
func New(cfg Config, store chat.Store, log *slog.Logger, metrics Metrics) *Hub {
	if metrics == nil {
		metrics = NopMetrics{}
	}
	h := &Hub{
		cfg: cfg.withDefaults(), store: store, log: log, metrics: metrics, now: cfg.Now,
		cluster: cfg.Cluster,
		rooms:   map[string]*room{}, byID: map[int64]*room{}, gone: map[string]uint64{},
		online: map[int64]*presence{}, limiters: map[int64]*rate.Limiter{},
		changed: map[string]string{}, peerPeople: map[int64][]int64{},
		stop: make(chan struct{}),
	}
	h.cur.moved.L = &h.cur.mu
	if h.now == nil {
		h.now = time.Now
	}
	if h.cluster == nil {
		h.cluster = &local{}
	}
	seq := cfg.Sequencer
	if seq == nil {
		seq = writepath.NewLocal(store)
	}
	h.writes = writepath.New(writepath.Config{Sequencer: seq, Publish: h.cluster.Publish,
		BatchSize: h.cfg.BatchSize, Timeout: h.cfg.StoreTimeout, Log: log, Metrics: metrics, Stopping: h.stop})
	return h
}

// Start prepares the default room, makes the rooms of a previous process
// live again (a single node; with other nodes the cluster's registry keeps
// them) and joins the cluster, then starts the write path and the periodic
// work.
func (h *Hub) Start(ctx context.Context) error {
	def, err := h.store.EnsureDefaultRoom(ctx, h.cfg.DefaultRoom)
	if err != nil {
		return fmt.Errorf("hub: default room: %w", err)
	}
	h.def = &room{id: def.ID, name: def.Name, isDefault: true, people: map[int64]int{}}
	h.rooms[strings.ToLower(def.Name)] = h.def
	h.byID[def.ID] = h.def
	// What is stored already is history: delivery starts above it. Read
	// before the node follows the bus, whose first broadcast's Prev then
	// tells of anything committed in between.
	if h.cur.delivered, err = h.store.LatestMessageID(ctx); err != nil {
		return fmt.Errorf("hub: latest message: %w", err)
	}
	h.cur.heard = h.now()
	if err := h.cluster.Start(ctx, h); err != nil { // reports the live rooms
		return fmt.Errorf("hub: join the cluster: %w", err)
	}
	restored := 0
	if _, single := h.cluster.(*local); single {
		if restored, err = h.restoreRooms(ctx); err != nil {
			return err
		}
	}
	h.log.Info("hub started", "default_room", def.Name, "restored_rooms", restored, "live_rooms", h.RoomCount()-1)
	h.writes.Start()
	h.wg.Add(1)
	go h.periodic()
	return nil
}

// Shutdown closes every connection with 1001 (clients reconnect and resume),
// then flushes the write path: every message accepted so far is stored.
func (h *Hub) Shutdown(ctx context.Context) error {
	select {
	case <-h.stop:
		return nil
	default:
		close(h.stop)
	}
	h.mu.Lock()
	for _, r := range h.rooms { // the rooms stay stored, and get their grace again at the next start
		if r.grace != nil {
			r.grace.Stop()
			r.grace = nil
		}
	}
	h.mu.Unlock()
	// Store, acknowledge and broadcast every message accepted so far, then
	// close every socket with 1001 once its queue (those acks) is written,
	// and wait for the close frames: clients learn to reconnect and resume.
	h.writes.Close()
	if l, ok := h.cluster.(interface{ drain() }); ok {
		l.drain() // delivered on this node: the acks' messages are queued before the close
	}
	clients := h.allClients()
	for _, c := range clients {
		c.closeAfterFlush(chat.CloseGoingAway)
	}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		for _, c := range clients {
			select {
			case <-c.Done():
			case <-ctx.Done():
				return
			}
		}
	}()
	done := make(chan struct{})
	go func() { h.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("hub: shutdown: %w", ctx.Err())
	}
}

// periodic pushes changed room lists and keeps connections alive.
func (h *Hub) periodic() {
	defer h.wg.Done()
	push := time.NewTicker(h.cfg.RoomsPush)
	keep := time.NewTicker(h.cfg.KeepAlive / 2)
	tail := time.NewTicker(tailQuiet)
	defer push.Stop()
	defer keep.Stop()
	defer tail.Stop()
	var pushed time.Time
	for {
		select {
		case <-h.stop:
			return
		case now := <-push.C:
			if now.Sub(pushed) < h.pushGap() {
				continue // the changes wait for the next push
			}
			if frame := h.roomsChanged(); frame != nil {
				h.broadcastAll(frame)
				pushed = now
			}
		case <-keep.C:
			h.keepAlive(h.now())
			h.pruneLimiters(h.now())
		case <-tail.C:
			h.checkTail(h.now())
		}
	}
}

// keepAlive pings connections that have been silent. (A connection whose
// token expires is closed by its own timer: see Client.closeAtExpiry.)
func (h *Hub) keepAlive(now time.Time) {
	for _, c := range h.allClients() {
		c.mu.Lock()
		silent := now.Sub(c.lastSeen) >= h.cfg.KeepAlive
		c.mu.Unlock()
		// Ping returns without waiting for the pong (see Transport), so
		// one slow peer does not hold up the round.
		if silent && c.tr.Ping(context.Background()) != nil {
			c.close(chat.CloseGoingAway, "keepalive failed")
		}
	}
}

func (h *Hub) allClients() []*Client {
	h.mu.RLock()
	defer h.mu.RUnlock()
	var all []*Client
	for _, p := range h.online {
		for c := range p.conns {
			all = append(all, c)
		}
	}
	return all
}

// broadcastAll queues frame for every connection.
func (h *Hub) broadcastAll(frame []byte) {
	for _, c := range h.allClients() {
		c.enqueue(frame)
	}
}

// pushGap is the least time between two rooms pushes: a push is a write to
// every connection, and during a surge of connections the counts change
// every second, so with many connections pushes once a second would be
// most of the writes. Spread over PushBudget writes a second, they come
// every RoomsPush up to PushBudget connections and less often above.
func (h *Hub) pushGap() time.Duration {
	return time.Duration(float64(h.connCount()) / float64(h.cfg.PushBudget) * float64(time.Second))
}

// connCount is how many connections are open.
func (h *Hub) connCount() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	n := 0
	for _, p := range h.online {
		n += len(p.conns)
	}
	return n
}

// roomsChanged encodes the rooms_changed push: the live rooms whose counts
// changed and the names of the ones deleted since the last push; nil when
// nothing changed. A push carries what changed, not every room, so its cost
// follows the activity rather than rooms × connections.
func (h *Hub) roomsChanged() []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.changed) == 0 {
		return nil
	}
	out := chat.RoomsChangedOut{Type: chat.TypeRoomsChanged, Rooms: []chat.RoomInfo{}, Removed: []string{}}
	peers := h.cluster.Peers()
	for key, name := range h.changed {
		if r := h.rooms[key]; r != nil {
			out.Rooms = append(out.Rooms, roomInfo(r, peers))
		} else {
			out.Removed = append(out.Removed, name)
		}
	}
	clear(h.changed)
	h.welcomeRooms = nil
	sortRooms(out.Rooms)
	slices.Sort(out.Removed)
	return encode(out)
}

// markChangedLocked notes that r's count or existence changed. h.mu is held.
func (h *Hub) markChangedLocked(r *room) { h.changed[strings.ToLower(r.name)] = r.name }

// Ready returns unavailable while this node is cut off from the other
// nodes of its cluster (never on a single node): it then refuses
// connections, and a readiness probe should send clients elsewhere.
func (h *Hub) Ready() error { return h.cluster.Ready() }

// QueueBytes is the size of each connection's outbound queue: its
// transport refuses an envelope past it (see Transport.Send), and a
// connection's first backlog is sized to leave room in it.
func (h *Hub) QueueBytes() int { return h.cfg.QueueBytes }

// RoomCount is the number of live rooms.
func (h *Hub) RoomCount() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.rooms)
}

// Rooms lists the live rooms, the default room first, then by name.
func (h *Hub) Rooms() []chat.RoomInfo {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.roomsLocked()
}

func (h *Hub) roomsLocked() []chat.RoomInfo {
	peers := h.cluster.Peers()
	list := make([]chat.RoomInfo, 0, len(h.rooms))
	list = append(list, roomInfo(h.def, peers))
	for _, r := range h.rooms {
		if r != h.def {
			list = append(list, roomInfo(r, peers))
		}
	}
	sortRooms(list[1:])
	return list
}

// roomInfo describes r with the people in it here and on the other nodes,
// each counted once. Hub.mu is held.
func roomInfo(r *room, peers chat.PeerPresence) chat.RoomInfo {
	n := len(r.people)
	for _, id := range peers.People[r.id] {
		if r.people[id] == 0 {
			n++
		}
	}
	return chat.RoomInfo{Name: r.name, Owner: r.ownerLogin, Members: n, Default: r.isDefault}
}

// Users lists every registered user with presence, on any node.
func (h *Hub) Users(ctx context.Context) ([]chat.UserInfo, error) {
	users, err := h.store.ListUsers(ctx)
	if err != nil {
		return nil, fmt.Errorf("hub: list users: %w", err)
	}
	peers := h.cluster.Peers()
	h.mu.RLock()
	defer h.mu.RUnlock()
	out := make([]chat.UserInfo, len(users))
	for i, u := range users {
		out[i] = chat.UserInfo{Login: u.Login, FirstName: u.FirstName, LastName: u.LastName}
		if p := h.online[u.ID]; p != nil {
			out[i].Online = true
			out[i].Room = p.latest.Room()
		} else if pu, ok := peers.Users[u.ID]; ok {
			out[i].Online = true
			out[i].Room = pu.Room
		}
	}
	return out, nil
}

// onlineLocked reports whether a user has a connection on any node. h.mu
// is held.
func (h *Hub) onlineLocked(userID int64, peers chat.PeerPresence) bool {
	_, there := peers.Users[userID]
	return h.online[userID] != nil || there
}

// limiter returns the user's message rate limiter, shared by all its
// connections and its REST posts.
func (h *Hub) limiter(userID int64) *rate.Limiter {
	h.mu.Lock()
	defer h.mu.Unlock()
	l := h.limiters[userID]
	if l == nil {
		l = rate.NewLimiter(rate.Limit(h.cfg.MsgRate), h.cfg.MsgBurst)
		h.limiters[userID] = l
	}
	return l
}

// pruneLimiters forgets the limiters of users who are not online here and
// whose limiter has filled up again: a new one would be the same.
func (h *Hub) pruneLimiters(now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for id, l := range h.limiters {
		if h.online[id] == nil && l.TokensAt(now) >= float64(l.Burst()) {
			delete(h.limiters, id)
		}
	}
}

// allow spends one token of the user's rate limit. A refusal says when the
// next token comes (a REST client reads it in Retry-After).
func (h *Hub) allow(userID int64) error {
	l := h.limiter(userID)
	if !l.AllowN(h.now(), 1) {
		var wait time.Duration
		if limit := float64(l.Limit()); limit > 0 {
			wait = time.Duration((1 - l.TokensAt(h.now())) / limit * float64(time.Second))
		}
		return chat.RateLimited(wait, "too many messages: slow down")
	}
	return nil
}

// encode marshals an envelope once; the bytes are shared by every recipient.
func encode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("hub: encode %T: %v", v, err)) // envelopes are plain structs: unreachable
	}
	return b
}
