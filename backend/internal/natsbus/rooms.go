package natsbus

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/salachat/sala/backend/internal/chat"
)

// CreateRoom registers r under its lower-case name. The bucket's Create
// succeeds for one caller only, so two nodes can't both create a name.
func (b *Bus) CreateRoom(ctx context.Context, r chat.LiveRoom) (chat.LiveRoom, error) {
	data, err := json.Marshal(r)
	if err != nil {
		return r, err
	}
	rev, err := b.rooms.Create(ctx, strings.ToLower(r.Name), data)
	switch {
	case errors.Is(err, jetstream.ErrKeyExists):
		return r, chat.Errorf(chat.ERoomExists, "a room named %q exists", r.Name)
	case err != nil:
		return r, unavailable("register room", err)
	}
	r.Revision = rev
	return r, nil
}

// DeleteRoom removes r's registration if it is still the latest one of its
// name: a room deleted and created again by someone else is left alone.
func (b *Bus) DeleteRoom(ctx context.Context, r chat.LiveRoom) error {
	if r.Revision == 0 { // would delete whatever is there
		return chat.Errorf(chat.ERoomNotFound, "no live room named %q", r.Name)
	}
	err := b.rooms.Delete(ctx, strings.ToLower(r.Name), jetstream.LastRevision(r.Revision))
	switch {
	case errors.Is(err, jetstream.ErrKeyRevisionMismatch):
		return chat.Errorf(chat.ERoomNotFound, "no live room named %q", r.Name)
	case err != nil:
		return unavailable("unregister room", err)
	}
	return nil
}

// roomEntry reports a change of the registry to the hub.
func (b *Bus) roomEntry(e jetstream.KeyValueEntry) {
	if e.Operation() != jetstream.KeyValuePut {
		b.h.RoomDeleted(e.Key(), e.Revision())
		return
	}
	var r chat.LiveRoom
	if err := json.Unmarshal(e.Value(), &r); err != nil {
		b.cfg.Log.Error("undecodable room registration", "key", e.Key(), "err", err)
		return
	}
	r.Revision = e.Revision()
	b.h.RoomCreated(r)
}
