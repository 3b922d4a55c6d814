package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/salachat/sala/backend/internal/chat"
)

const roomColumns = `id, name, owner_id, is_default, created_at, deleted_at`

// EnsureDefaultRoom returns the live default room named name (ignoring
// case), creating it when there is none. A live default room with another
// name, or a live ordinary room with this name, is marked deleted first.
func (s *Store) EnsureDefaultRoom(ctx context.Context, name string) (chat.Room, error) {
	var room chat.Room
	err := s.inWriteTx(ctx, func(tx *sqlx.Tx) (err error) {
		room, err = ensureDefaultRoom(ctx, tx, name)
		return err
	})
	if err != nil && s.d.classify(err) == errUnique {
		// Another node created the room between our look and our insert
		// (PostgreSQL only: SQLite writes are serialised); it is there now.
		err = s.inWriteTx(ctx, func(tx *sqlx.Tx) (err error) {
			room, err = ensureDefaultRoom(ctx, tx, name)
			return err
		})
	}
	if err != nil {
		return chat.Room{}, s.fail("ensure default room", err)
	}
	return utcRoom(room), nil
}

func ensureDefaultRoom(ctx context.Context, tx *sqlx.Tx, name string) (chat.Room, error) {
	var live chat.Room
	err := tx.GetContext(ctx, &live, `SELECT `+roomColumns+` FROM rooms
		WHERE is_default AND deleted_at IS NULL`)
	switch {
	// Room names are ASCII, so EqualFold agrees with SQL lower().
	case err == nil && strings.EqualFold(live.Name, name):
		return live, nil
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return chat.Room{}, err
	}
	at := now()
	// Retire the old default room and any live room holding the name.
	_, err = tx.ExecContext(ctx, tx.Rebind(`UPDATE rooms SET deleted_at = ?
		WHERE deleted_at IS NULL AND (is_default OR lower(name) = lower(?))`), at, name)
	if err != nil {
		return chat.Room{}, err
	}
	room := chat.Room{Name: name, IsDefault: true, CreatedAt: at}
	err = tx.QueryRowxContext(ctx, tx.Rebind(`INSERT INTO rooms (name, owner_id, is_default, created_at)
		VALUES (?, NULL, TRUE, ?) RETURNING id`), name, at).Scan(&room.ID)
	return room, err
}

// CreateRoom stores a new live room. Returns room_exists when a live room has
// the name ignoring case, user_not_found when the owner does not exist.
func (s *Store) CreateRoom(ctx context.Context, name string, ownerID int64) (chat.Room, error) {
	room := chat.Room{Name: name, OwnerID: &ownerID, CreatedAt: now()}
	err := s.w.QueryRowxContext(ctx, s.w.Rebind(`INSERT INTO rooms (name, owner_id, is_default, created_at)
		VALUES (?, ?, FALSE, ?) RETURNING id`), name, ownerID, room.CreatedAt).Scan(&room.ID)
	if err != nil {
		exists := chat.Errorf(chat.ERoomExists, "room %q exists", name)
		return chat.Room{}, s.failConstraint("create room", err, exists, userNotFound())
	}
	return room, nil
}

// DeleteRoom marks a live room deleted; its messages stay. Returns
// room_not_found when it is not live.
func (s *Store) DeleteRoom(ctx context.Context, id int64, at time.Time) error {
	res, err := s.w.ExecContext(ctx, s.w.Rebind(`UPDATE rooms SET deleted_at = ?
		WHERE id = ? AND deleted_at IS NULL`), stamp(at), id)
	return s.oneRow("delete room", res, err, roomNotFound())
}

// LiveRooms returns the live non-default rooms, oldest first.
func (s *Store) LiveRooms(ctx context.Context) ([]chat.Room, error) {
	rooms := []chat.Room{}
	if err := s.selectRead(ctx, &rooms, `SELECT `+roomColumns+` FROM rooms
		WHERE deleted_at IS NULL AND NOT is_default ORDER BY id`); err != nil {
		return nil, s.fail("live rooms", err)
	}
	for i := range rooms {
		rooms[i] = utcRoom(rooms[i])
	}
	return rooms, nil
}

// RoomLiveAfter returns the oldest room named name (ignoring case) that was
// still live when message messageID was stored, or later. Returns
// room_not_found, also when messageID is not stored.
func (s *Store) RoomLiveAfter(ctx context.Context, name string, messageID int64) (chat.Room, error) {
	if chat.HasNUL(name) {
		return chat.Room{}, noRoomNamed(name)
	}
	var sentAt int64
	if err := s.getRead(ctx, &sentAt, `SELECT sent_at FROM messages WHERE id = ?`, messageID); err != nil {
		return chat.Room{}, s.notFound("room live after", err, noRoomNamed(name))
	}
	var room chat.Room
	err := s.getRead(ctx, &room, `SELECT `+roomColumns+` FROM rooms
		WHERE lower(name) = lower(?) AND (deleted_at IS NULL OR deleted_at >= ?)
		ORDER BY id LIMIT 1`, name, stamp(time.UnixMilli(sentAt)))
	if err != nil {
		return chat.Room{}, s.notFound("room live after", err, noRoomNamed(name))
	}
	return utcRoom(room), nil
}

// RoomByName returns the live room with that name ignoring case, else the
// most recently deleted one. Returns room_not_found.
func (s *Store) RoomByName(ctx context.Context, name string) (chat.Room, error) {
	if chat.HasNUL(name) { // no name has one, and PostgreSQL refuses it as a parameter
		return chat.Room{}, noRoomNamed(name)
	}
	var room chat.Room
	err := s.getRead(ctx, &room, `SELECT `+roomColumns+` FROM rooms
		WHERE lower(name) = lower(?)
		ORDER BY CASE WHEN deleted_at IS NULL THEN 0 ELSE 1 END, deleted_at DESC, id DESC
		LIMIT 1`, name)
	if err != nil {
		return chat.Room{}, s.notFound("room by name", err, noRoomNamed(name))
	}
	return utcRoom(room), nil
}

// noRoomNamed is RoomByName's room_not_found. Not "live": a deleted room's
// history stays readable by its name.
func noRoomNamed(name string) *chat.Error {
	return chat.Errorf(chat.ERoomNotFound, "no room named %q", name)
}

func roomNotFound() *chat.Error { return chat.Errorf(chat.ERoomNotFound, "no such room") }

// utcRoom presents times in UTC whatever zone the driver read them in.
func utcRoom(r chat.Room) chat.Room {
	r.CreatedAt = r.CreatedAt.UTC()
	if r.DeletedAt != nil {
		t := r.DeletedAt.UTC()
		r.DeletedAt = &t
	}
	return r
}
