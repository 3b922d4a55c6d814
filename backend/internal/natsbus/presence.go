package natsbus

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"slices"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/salachat/sala/backend/internal/chat"
)

// peer is another node's latest presence report.
type peer struct {
	raw  []byte
	p    chat.NodePresence
	seen time.Time // when it arrived here, by this node's clock
}

// PresenceChanged asks for this node's presence to be published soon.
func (b *Bus) PresenceChanged() {
	select {
	case b.changed <- struct{}{}:
	default:
	}
}

// Peers sums up the other live nodes' presence.
func (b *Bus) Peers() chat.PeerPresence { return *b.view.Load() }

// presenceLoop publishes this node's presence on every change (gathering
// the changes of a few milliseconds into one write) and every heartbeat,
// and notices the nodes whose heartbeats stopped.
func (b *Bus) presenceLoop() {
	defer b.wg.Done()
	beat := time.NewTicker(b.cfg.Heartbeat)
	defer beat.Stop()
	b.publishPresence()
	for {
		select {
		case <-b.stop:
			return
		case <-b.changed:
			select {
			case <-time.After(10 * time.Millisecond):
			case <-b.stop:
				return
			}
			b.publishPresence()
		case now := <-beat.C:
			b.publishPresence()
			b.expirePeers(now)
			if b.deaf.Load() && b.nc.Status() == nats.CONNECTED {
				go b.recover()
			}
		}
	}
}

func (b *Bus) publishPresence() {
	p := b.h.LocalPresence()
	p.Node = b.cfg.Node
	data, err := json.Marshal(p)
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), b.cfg.Heartbeat)
	defer cancel()
	if _, err := b.presence.Put(ctx, b.cfg.Node, data); err != nil {
		b.cfg.Log.Warn("publish presence", "err", err)
	}
}

// presenceEntry takes in another node's report, or its departure.
func (b *Bus) presenceEntry(e jetstream.KeyValueEntry) {
	if e.Key() == b.cfg.Node {
		return
	}
	b.peersMu.Lock()
	defer b.peersMu.Unlock()
	old := b.peers[e.Key()]
	if e.Operation() != jetstream.KeyValuePut {
		if old != nil {
			delete(b.peers, e.Key())
			b.peersChangedLocked(true)
		}
		return
	}
	if old != nil && bytes.Equal(old.raw, e.Value()) {
		old.seen = time.Now() // a heartbeat: nothing moved
		return
	}
	var p chat.NodePresence
	if err := json.Unmarshal(e.Value(), &p); err != nil {
		b.cfg.Log.Error("undecodable presence", "node", e.Key(), "err", err)
		return
	}
	b.peers[e.Key()] = &peer{raw: e.Value(), p: p, seen: time.Now()}
	b.peersChangedLocked(false)
}

// expirePeers forgets the nodes that missed their heartbeats for
// PresenceTTL: they died or lost the broker. Their users are offline now,
// and the broadcasts they committed but never published are read from the
// database.
func (b *Bus) expirePeers(now time.Time) {
	b.peersMu.Lock()
	defer b.peersMu.Unlock()
	gone := false
	for node, p := range b.peers {
		if now.Sub(p.seen) > b.cfg.PresenceTTL {
			b.cfg.Log.Warn("a node stopped answering: its users are offline", "node", node)
			delete(b.peers, node)
			gone = true
		}
	}
	if gone {
		b.peersChangedLocked(true)
	}
}

// peersChangedLocked recomputes the sum of the peers' presence and tells
// the hub if it changed. b.peersMu is held.
func (b *Bus) peersChangedLocked(nodeGone bool) {
	view := chat.PeerPresence{Users: map[int64]chat.PresentUser{}, People: map[int64][]int64{}}
	for _, p := range b.peers {
		for id, u := range p.p.Users {
			if cur, ok := view.Users[id]; ok {
				u.Conns += cur.Conns
			}
			view.Users[id] = u
		}
		for id, users := range p.p.People {
			view.People[id] = append(view.People[id], users...)
		}
	}
	for id, users := range view.People { // a user in the room on two nodes is one person
		slices.Sort(users)
		view.People[id] = slices.Compact(users)
	}
	old := b.view.Load()
	same := maps.EqualFunc(old.People, view.People, slices.Equal) && maps.EqualFunc(old.Users, view.Users,
		func(a, b chat.PresentUser) bool { return a == b })
	b.view.Store(&view)
	if !same {
		b.h.PeersChanged()
	}
	if nodeGone {
		go b.h.Resync()
	}
}
