package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
)

// DefaultTimeout is how long a store call may take when Open is given no
// timeout (SALA_DB_TIMEOUT).
const DefaultTimeout = 5 * time.Second

// deadlined is chat.Store with a deadline on every call: past it the caller
// gets unavailable, whether or not the driver has given up.
//
// A context alone is not enough. When PostgreSQL stops answering (a frozen
// server, a dead route), lib/pq reacts to a cancelled context by sending a
// cancel request to that same server and keeps waiting on the socket, so a
// query can hang for as long as TCP takes to notice; database/sql waits for
// the driver. Each call therefore runs on a goroutine of its own, and the
// caller stops waiting at the deadline. The abandoned call ends when the
// driver does; the pools bound how many can wait (a call that finds no free
// connection gives up with its context).
//
// A write abandoned this way may still commit: the caller was told
// unavailable, which means "perhaps stored", and retries with the same
// client id, which the store never stores twice.
type deadlined struct {
	s       *Store
	timeout time.Duration
}

var _ chat.Store = (*deadlined)(nil)

// within runs fn with a context that ends after d, and returns unavailable
// if fn has not returned by then. An error of fn caused by that deadline is
// unavailable too; the caller's own cancellation stays what it is.
func within[T any](ctx context.Context, d time.Duration, op string, fn func(context.Context) (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	callCtx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	done := make(chan result, 1)
	go func() {
		v, err := fn(callCtx)
		done <- result{v, err}
	}()
	var zero T
	var r result
	select {
	case r = <-done:
	case <-callCtx.Done():
		select {
		case r = <-done: // it answered just in time: a write that committed is not reported failed
		default:
			if err := ctx.Err(); err != nil {
				return zero, fmt.Errorf("store: %s: %w", op, err)
			}
			return zero, timedOut(op, d, callCtx.Err())
		}
	}
	if r.err != nil && ctx.Err() == nil && errors.Is(callCtx.Err(), context.DeadlineExceeded) {
		return zero, timedOut(op, d, r.err)
	}
	return r.v, r.err
}

func timedOut(op string, d time.Duration, err error) error {
	return fmt.Errorf("store: %s: no answer within %s: %w: %w", op, d, unavailable(), err)
}

// none is the result of a call that returns only an error.
type none struct{}

func (t *deadlined) run(ctx context.Context, op string, fn func(context.Context) error) error {
	_, err := within(ctx, t.timeout, op, func(ctx context.Context) (none, error) { return none{}, fn(ctx) })
	return err
}

// write is run for a call that writes: its outcome tells Ping whether the
// database takes writes (see writeHealth).
func (t *deadlined) write(ctx context.Context, op string, fn func(context.Context) error) error {
	err := t.run(ctx, op, fn)
	t.s.recordWrite(err)
	return err
}

// writeResult is within for a call that writes and returns a value.
func writeResult[T any](t *deadlined, ctx context.Context, op string, fn func(context.Context) (T, error)) (T, error) {
	v, err := within(ctx, t.timeout, op, fn)
	t.s.recordWrite(err)
	return v, err
}

func (t *deadlined) CreateUser(ctx context.Context, u *chat.User, passwordHash string) error {
	created := *u // written by the call's goroutine, copied back only once it has returned
	err := t.write(ctx, "create user", func(ctx context.Context) error { return t.s.CreateUser(ctx, &created, passwordHash) })
	if err == nil {
		*u = created
	}
	return err
}

func (t *deadlined) UserByLogin(ctx context.Context, login string) (chat.User, string, error) {
	type found struct {
		u    chat.User
		hash string
	}
	f, err := within(ctx, t.timeout, "user by login", func(ctx context.Context) (found, error) {
		u, hash, err := t.s.UserByLogin(ctx, login)
		return found{u, hash}, err
	})
	return f.u, f.hash, err
}

func (t *deadlined) UserByID(ctx context.Context, id int64) (chat.User, error) {
	return within(ctx, t.timeout, "user by id", func(ctx context.Context) (chat.User, error) { return t.s.UserByID(ctx, id) })
}

func (t *deadlined) ListUsers(ctx context.Context) ([]chat.User, error) {
	return within(ctx, t.timeout, "list users", t.s.ListUsers)
}

func (t *deadlined) SetPassword(ctx context.Context, id int64, passwordHash string) error {
	return t.write(ctx, "set password", func(ctx context.Context) error { return t.s.SetPassword(ctx, id, passwordHash) })
}

func (t *deadlined) DeleteUser(ctx context.Context, id int64) error {
	return t.write(ctx, "delete user", func(ctx context.Context) error { return t.s.DeleteUser(ctx, id) })
}

func (t *deadlined) EnsureDefaultRoom(ctx context.Context, name string) (chat.Room, error) {
	return writeResult(t, ctx, "default room", func(ctx context.Context) (chat.Room, error) { return t.s.EnsureDefaultRoom(ctx, name) })
}

func (t *deadlined) CreateRoom(ctx context.Context, name string, ownerID int64) (chat.Room, error) {
	return writeResult(t, ctx, "create room", func(ctx context.Context) (chat.Room, error) { return t.s.CreateRoom(ctx, name, ownerID) })
}

func (t *deadlined) DeleteRoom(ctx context.Context, id int64, at time.Time) error {
	return t.write(ctx, "delete room", func(ctx context.Context) error { return t.s.DeleteRoom(ctx, id, at) })
}

func (t *deadlined) LiveRooms(ctx context.Context) ([]chat.Room, error) {
	return within(ctx, t.timeout, "live rooms", t.s.LiveRooms)
}

func (t *deadlined) RoomLiveAfter(ctx context.Context, name string, messageID int64) (chat.Room, error) {
	return within(ctx, t.timeout, "room live after", func(ctx context.Context) (chat.Room, error) {
		return t.s.RoomLiveAfter(ctx, name, messageID)
	})
}

func (t *deadlined) RoomByName(ctx context.Context, name string) (chat.Room, error) {
	return within(ctx, t.timeout, "room by name", func(ctx context.Context) (chat.Room, error) { return t.s.RoomByName(ctx, name) })
}

func (t *deadlined) AppendMessages(ctx context.Context, batch []chat.NewMessage) ([]chat.Stored, error) {
	return writeResult(t, ctx, "append messages", func(ctx context.Context) ([]chat.Stored, error) { return t.s.AppendMessages(ctx, batch) })
}

func (t *deadlined) MessageByID(ctx context.Context, id int64) (chat.Message, error) {
	return within(ctx, t.timeout, "message by id", func(ctx context.Context) (chat.Message, error) { return t.s.MessageByID(ctx, id) })
}

func (t *deadlined) RoomHistory(ctx context.Context, roomID, before int64, limit int) ([]chat.Message, error) {
	return within(ctx, t.timeout, "room history", func(ctx context.Context) ([]chat.Message, error) {
		return t.s.RoomHistory(ctx, roomID, before, limit)
	})
}

func (t *deadlined) RoomMessagesAfter(ctx context.Context, roomID, after int64, limit int) ([]chat.Message, error) {
	return within(ctx, t.timeout, "room messages after", func(ctx context.Context) ([]chat.Message, error) {
		return t.s.RoomMessagesAfter(ctx, roomID, after, limit)
	})
}

func (t *deadlined) PrivateHistory(ctx context.Context, a, b, before int64, limit int) ([]chat.Message, error) {
	return within(ctx, t.timeout, "private history", func(ctx context.Context) ([]chat.Message, error) {
		return t.s.PrivateHistory(ctx, a, b, before, limit)
	})
}

func (t *deadlined) PrivateMessagesAfter(ctx context.Context, userID, after int64, limit int) ([]chat.Message, error) {
	return within(ctx, t.timeout, "private messages after", func(ctx context.Context) ([]chat.Message, error) {
		return t.s.PrivateMessagesAfter(ctx, userID, after, limit)
	})
}

func (t *deadlined) MessagesBetween(ctx context.Context, after, upTo int64, limit int) ([]chat.Message, error) {
	return within(ctx, t.timeout, "messages between", func(ctx context.Context) ([]chat.Message, error) {
		return t.s.MessagesBetween(ctx, after, upTo, limit)
	})
}

func (t *deadlined) UnreceiptedPrivate(ctx context.Context, userID int64, limit int) ([]chat.Message, error) {
	return within(ctx, t.timeout, "unreceipted private", func(ctx context.Context) ([]chat.Message, error) {
		return t.s.UnreceiptedPrivate(ctx, userID, limit)
	})
}

func (t *deadlined) SetReceipt(ctx context.Context, userID, lastID int64) error {
	return t.write(ctx, "set receipt", func(ctx context.Context) error { return t.s.SetReceipt(ctx, userID, lastID) })
}

func (t *deadlined) LatestMessageID(ctx context.Context) (int64, error) {
	return within(ctx, t.timeout, "latest message id", t.s.LatestMessageID)
}

func (t *deadlined) Ping(ctx context.Context) error {
	return t.run(ctx, "ping", t.s.Ping)
}

func (t *deadlined) Close() error { return t.s.Close() }

func (t *deadlined) CreateUpload(ctx context.Context, u chat.Upload) error {
	return t.write(ctx, "create upload", func(ctx context.Context) error { return t.s.CreateUpload(ctx, u) })
}

func (t *deadlined) UploadsByID(ctx context.Context, ids []string) ([]chat.Upload, error) {
	return within(ctx, t.timeout, "uploads by id", func(ctx context.Context) ([]chat.Upload, error) {
		return t.s.UploadsByID(ctx, ids)
	})
}

func (t *deadlined) ServableUpload(ctx context.Context, id string) (chat.Upload, error) {
	return within(ctx, t.timeout, "servable upload", func(ctx context.Context) (chat.Upload, error) {
		return t.s.ServableUpload(ctx, id)
	})
}

func (t *deadlined) ReadableUpload(ctx context.Context, id string, userID int64) (chat.Upload, error) {
	return within(ctx, t.timeout, "readable upload", func(ctx context.Context) (chat.Upload, error) {
		return t.s.ReadableUpload(ctx, id, userID)
	})
}

func (t *deadlined) StaleUploads(ctx context.Context, unattachedBefore int64, limit int) ([]string, error) {
	return within(ctx, t.timeout, "stale uploads", func(ctx context.Context) ([]string, error) {
		return t.s.StaleUploads(ctx, unattachedBefore, limit)
	})
}

func (t *deadlined) DeleteUpload(ctx context.Context, id string, unattachedBefore int64) (bool, error) {
	return writeResult(t, ctx, "delete upload", func(ctx context.Context) (bool, error) {
		return t.s.DeleteUpload(ctx, id, unattachedBefore)
	})
}

func (t *deadlined) SearchMessages(ctx context.Context, userID int64, terms []string, before int64, limit int) ([]chat.Message, error) {
	return within(ctx, t.timeout, "search messages", func(ctx context.Context) ([]chat.Message, error) {
		return t.s.SearchMessages(ctx, userID, terms, before, limit)
	})
}

func (t *deadlined) RoomHistoryAfter(ctx context.Context, roomID, after int64, limit int) ([]chat.Message, error) {
	return within(ctx, t.timeout, "room history after", func(ctx context.Context) ([]chat.Message, error) {
		return t.s.RoomHistoryAfter(ctx, roomID, after, limit)
	})
}

func (t *deadlined) PrivateHistoryAfter(ctx context.Context, a, b, after int64, limit int) ([]chat.Message, error) {
	return within(ctx, t.timeout, "private history after", func(ctx context.Context) ([]chat.Message, error) {
		return t.s.PrivateHistoryAfter(ctx, a, b, after, limit)
	})
}
