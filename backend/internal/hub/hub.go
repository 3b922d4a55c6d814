// Package hub is Sala's real-time core: the live rooms and their members, the
// connections of every online user, the # commands, and the write path that
// stores a message before acknowledging and broadcasting it. It speaks to
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
)

// Config tunes the hub. Zero fields take the defaults of DefaultConfig.
type Config struct {
	DefaultRoom     string        // name of the default room
	RoomGrace       time.Duration // how long a room outlives its owner's last connection
	QueueBytes      int           // outbound queue per connection before it counts as a slow consumer
	MaxFrameBytes   int           // largest coalesced outbound frame
	WriteTimeout    time.Duration // one frame write
	MsgRate         float64       // messages per second per user
	MsgBurst        int           // burst of the per-user rate limit
	MaxBadEnvelopes int           // consecutive bad envelopes before closing with 1008
	KeepAlive       time.Duration // ping a connection silent for this long
	BatchSize       int           // largest group-commit batch
	RoomsPush       time.Duration // at most one rooms envelope to everyone per interval
}

// DefaultConfig holds the defaults documented in the README.
func DefaultConfig() Config {
	return Config{
		DefaultRoom:     "general",
		RoomGrace:       10 * time.Second,
		QueueBytes:      1 << 20,
		MaxFrameBytes:   64 << 10,
		WriteTimeout:    10 * time.Second,
		MsgRate:         20,
		MsgBurst:        40,
		MaxBadEnvelopes: 10,
		KeepAlive:       30 * time.Second,
		BatchSize:       256,
		RoomsPush:       time.Second,
	}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	orDefault(&c.DefaultRoom, d.DefaultRoom)
	orDefault(&c.RoomGrace, d.RoomGrace)
	orDefault(&c.QueueBytes, d.QueueBytes)
	orDefault(&c.MaxFrameBytes, d.MaxFrameBytes)
	orDefault(&c.WriteTimeout, d.WriteTimeout)
	orDefault(&c.MsgRate, d.MsgRate)
	orDefault(&c.MsgBurst, max(1, int(2*c.MsgRate)))
	orDefault(&c.MaxBadEnvelopes, d.MaxBadEnvelopes)
	orDefault(&c.KeepAlive, d.KeepAlive)
	orDefault(&c.BatchSize, d.BatchSize)
	orDefault(&c.RoomsPush, d.RoomsPush)
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
	members    atomic.Pointer[[]*Client]
	grace      *time.Timer // runs while the owner is offline; guarded by Hub.mu
}

func (r *room) memberList() []*Client {
	if p := r.members.Load(); p != nil {
		return *p
	}
	return nil
}

// presence is an online user and its open connections.
type presence struct {
	user   chat.User
	conns  map[*Client]struct{}
	latest *Client
}

// Hub owns the live rooms and connections. Create it with New, then Start.
type Hub struct {
	cfg     Config
	store   chat.Store
	log     *slog.Logger
	metrics Metrics
	now     func() time.Time
	writes  *writePath

	mu       sync.RWMutex
	rooms    map[string]*room // live rooms by lower-case name
	def      *room
	online   map[int64]*presence
	limiters map[int64]*rate.Limiter // per user, kept while online and for REST posters
	// changed holds the rooms (by lower-case name) whose member counts or
	// existence changed since the last rooms_changed push.
	changed map[string]string // lower-case name → name

	stop chan struct{}
	wg   sync.WaitGroup
}

// New returns a hub over store. metrics may be nil.
func New(cfg Config, store chat.Store, log *slog.Logger, metrics Metrics) *Hub {
	if metrics == nil {
		metrics = NopMetrics{}
	}
	h := &Hub{
		cfg: cfg.withDefaults(), store: store, log: log, metrics: metrics, now: time.Now,
		rooms: map[string]*room{}, online: map[int64]*presence{}, limiters: map[int64]*rate.Limiter{},
		changed: map[string]string{},
		stop:    make(chan struct{}),
	}
	h.writes = newWritePath(h)
	return h
}

// Start prepares the default room, retires the rooms a previous process left
// live, and starts the write path and the periodic work.
func (h *Hub) Start(ctx context.Context) error {
	retired, err := h.store.RetireEphemeralRooms(ctx, h.now())
	if err != nil {
		return fmt.Errorf("hub: retire rooms: %w", err)
	}
	def, err := h.store.EnsureDefaultRoom(ctx, h.cfg.DefaultRoom)
	if err != nil {
		return fmt.Errorf("hub: default room: %w", err)
	}
	h.def = &room{id: def.ID, name: def.Name, isDefault: true}
	h.rooms[strings.ToLower(def.Name)] = h.def
	h.log.Info("hub started", "default_room", def.Name, "retired_rooms", retired)
	h.writes.start()
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
	for _, r := range h.rooms { // rooms die with the process; no timer may outlive it
		if r.grace != nil {
			r.grace.Stop()
			r.grace = nil
		}
	}
	h.mu.Unlock()
	// Store, acknowledge and broadcast every message accepted so far, then
	// close every socket with 1001 once its queue (those acks) is written,
	// and wait for the close frames: clients learn to reconnect and resume.
	h.writes.close()
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
	defer push.Stop()
	defer keep.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-push.C:
			if frame := h.roomsChanged(); frame != nil {
				h.broadcastAll(frame)
			}
		case now := <-keep.C:
			h.keepAlive(now)
		}
	}
}

// keepAlive pings connections that have been silent and closes the ones
// whose token expired.
func (h *Hub) keepAlive(now time.Time) {
	for _, c := range h.allClients() {
		c.mu.Lock()
		silent := now.Sub(c.lastSeen) >= h.cfg.KeepAlive
		c.mu.Unlock()
		if !c.expires.IsZero() && now.After(c.expires) {
			c.close(chat.CloseTokenExpired, "token expired")
			continue
		}
		if silent {
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), h.cfg.WriteTimeout)
				defer cancel()
				if err := c.tr.Ping(ctx); err != nil {
					c.close(chat.CloseGoingAway, "keepalive failed")
				}
			}()
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

func (h *Hub) broadcastAll(frame []byte) {
	for _, c := range h.allClients() {
		c.enqueue(frame)
	}
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
	for key, name := range h.changed {
		if r := h.rooms[key]; r != nil {
			out.Rooms = append(out.Rooms, roomInfo(r))
		} else {
			out.Removed = append(out.Removed, name)
		}
	}
	clear(h.changed)
	sortRooms(out.Rooms)
	slices.Sort(out.Removed)
	return encode(out)
}

// markChangedLocked notes that r's count or existence changed. h.mu is held.
func (h *Hub) markChangedLocked(r *room) { h.changed[strings.ToLower(r.name)] = r.name }

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
	list := make([]chat.RoomInfo, 0, len(h.rooms))
	list = append(list, roomInfo(h.def))
	for _, r := range h.rooms {
		if r != h.def {
			list = append(list, roomInfo(r))
		}
	}
	sortRooms(list[1:])
	return list
}

func roomInfo(r *room) chat.RoomInfo {
	return chat.RoomInfo{Name: r.name, Owner: r.ownerLogin, Members: len(r.memberList()), Default: r.isDefault}
}

// Users lists every registered user with presence.
func (h *Hub) Users(ctx context.Context) ([]chat.UserInfo, error) {
	users, err := h.store.ListUsers(ctx)
	if err != nil {
		return nil, fmt.Errorf("hub: list users: %w", err)
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	out := make([]chat.UserInfo, len(users))
	for i, u := range users {
		out[i] = chat.UserInfo{Login: u.Login, FirstName: u.FirstName, LastName: u.LastName}
		if p := h.online[u.ID]; p != nil {
			out[i].Online = true
			out[i].Room = p.latest.Room()
		}
	}
	return out, nil
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

// allow spends one token of the user's rate limit.
func (h *Hub) allow(userID int64) error {
	if !h.limiter(userID).Allow() {
		return chat.Errorf(chat.ERateLimited, "too many messages: slow down")
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
