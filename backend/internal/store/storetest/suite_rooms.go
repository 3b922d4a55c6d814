package storetest

import (
	"testing"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
)

func testCreateRoom(t *testing.T, f *fixture) {
	owner := f.user("olga")
	r := f.room("Lobby", owner)
	if r.ID <= 0 || r.Name != "Lobby" || r.OwnerID == nil || *r.OwnerID != owner.ID ||
		r.IsDefault || r.DeletedAt != nil || !recent(r.CreatedAt) {
		t.Fatalf("created room = %+v", r)
	}
	got, err := f.s.RoomByName(f.ctx, "lOBBY")
	if err != nil || got.ID != r.ID || got.Name != "Lobby" || !got.CreatedAt.Equal(r.CreatedAt) {
		t.Fatalf("RoomByName(lOBBY) = %+v, %v; want %+v", got, err, r)
	}
	_, err = f.s.CreateRoom(f.ctx, "LOBBY", owner.ID)
	wantCode(t, "CreateRoom(LOBBY)", err, chat.ERoomExists)
	_, err = f.s.RoomByName(f.ctx, "nowhere")
	wantCode(t, "RoomByName(nowhere)", err, chat.ERoomNotFound)
	_, err = f.s.RoomByName(f.ctx, "Lob\x00by") // PostgreSQL would refuse the parameter
	wantCode(t, "RoomByName(with NUL)", err, chat.ERoomNotFound)
	_, err = f.s.CreateRoom(f.ctx, "orphan", owner.ID+1000)
	wantCode(t, "CreateRoom(unknown owner)", err, chat.EUserNotFound)
}

func testRoomNameReused(t *testing.T, f *fixture) {
	owner := f.user("olga")
	old := f.room("lobby", owner)
	f.append(roomMsg(old, owner, "in the old lobby", ""))
	deletedAt := time.Now()
	if err := f.s.DeleteRoom(f.ctx, old.ID, deletedAt); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "DeleteRoom(again)", f.s.DeleteRoom(f.ctx, old.ID, time.Now()), chat.ERoomNotFound)
	gone, err := f.s.RoomByName(f.ctx, "LOBBY")
	if err != nil || gone.ID != old.ID || gone.DeletedAt == nil || gone.DeletedAt.Sub(deletedAt).Abs() > time.Millisecond {
		t.Fatalf("RoomByName of a deleted room = %+v, %v; want it with deleted_at %v", gone, err, deletedAt)
	}

	reborn := f.room("Lobby", owner)
	if reborn.ID == old.ID {
		t.Fatal("a new room reused the id of a deleted one")
	}
	if got, err := f.s.RoomByName(f.ctx, "lobby"); err != nil || got.ID != reborn.ID || got.DeletedAt != nil {
		t.Errorf("RoomByName = %+v, %v; want the live room %d", got, err, reborn.ID)
	}
	if msgs, err := f.s.RoomHistory(f.ctx, reborn.ID, 0, 10); err != nil || len(msgs) != 0 {
		t.Errorf("history of the new room = %+v, %v; want empty", msgs, err)
	}
	msgs, err := f.s.RoomHistory(f.ctx, old.ID, 0, 10)
	if err != nil || len(msgs) != 1 || msgs[0].Text != "in the old lobby" || msgs[0].Room != "lobby" {
		t.Errorf("history of the deleted room = %+v, %v; want its message", msgs, err)
	}
	// Deleted twice over: the most recently deleted room answers.
	if err := f.s.DeleteRoom(f.ctx, reborn.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got, err := f.s.RoomByName(f.ctx, "lobby"); err != nil || got.ID != reborn.ID {
		t.Errorf("RoomByName = %+v, %v; want the last deleted room %d", got, err, reborn.ID)
	}
}

func testEnsureDefaultRoom(t *testing.T, f *fixture) {
	general, err := f.s.EnsureDefaultRoom(f.ctx, "general")
	if err != nil || !general.IsDefault || general.OwnerID != nil || general.DeletedAt != nil || general.Name != "general" {
		t.Fatalf("EnsureDefaultRoom = %+v, %v", general, err)
	}
	for _, name := range []string{"general", "General"} {
		if again, err := f.s.EnsureDefaultRoom(f.ctx, name); err != nil || again.ID != general.ID {
			t.Errorf("EnsureDefaultRoom(%s) again = %+v, %v; want room %d", name, again, err, general.ID)
		}
	}
	if _, err := f.s.CreateRoom(f.ctx, "GENERAL", f.user("olga").ID); chat.ErrorCode(err) != chat.ERoomExists {
		t.Errorf("CreateRoom with the default room's name: %v, want room_exists", err)
	}

	// A new default name retires the old default room.
	main, err := f.s.EnsureDefaultRoom(f.ctx, "main")
	if err != nil || main.ID == general.ID || !main.IsDefault {
		t.Fatalf("EnsureDefaultRoom(main) = %+v, %v", main, err)
	}
	if old, err := f.s.RoomByName(f.ctx, "general"); err != nil || old.DeletedAt == nil {
		t.Errorf("old default room = %+v, %v; want deleted", old, err)
	}

	// A live ordinary room with the new default name is retired too.
	town := f.room("town", f.user("tom"))
	def, err := f.s.EnsureDefaultRoom(f.ctx, "Town")
	if err != nil || def.ID == town.ID || !def.IsDefault || def.Name != "Town" {
		t.Fatalf("EnsureDefaultRoom(Town) = %+v, %v", def, err)
	}
	if live, err := f.s.RoomByName(f.ctx, "town"); err != nil || live.ID != def.ID {
		t.Errorf("RoomByName(town) = %+v, %v; want the default room %d", live, err, def.ID)
	}
	if old, err := f.s.RoomByName(f.ctx, "main"); err != nil || old.DeletedAt == nil {
		t.Errorf("previous default room = %+v, %v; want deleted", old, err)
	}
}

func testLiveRooms(t *testing.T, f *fixture) {
	owner := f.user("olga")
	if _, err := f.s.EnsureDefaultRoom(f.ctx, "general"); err != nil {
		t.Fatal(err)
	}
	one, two := f.room("one", owner), f.room("two", owner)
	three := f.room("three", owner)
	if err := f.s.DeleteRoom(f.ctx, three.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	live, err := f.s.LiveRooms(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(live) != 2 || live[0].ID != one.ID || live[1].ID != two.ID || *live[1].OwnerID != owner.ID {
		t.Errorf("LiveRooms = %+v, want one and two (not the default room, not the deleted one)", live)
	}
}

// testRoomLiveAfter: a client that stopped at a message of room r, which
// was then deleted and created again, was in the old r; one that stopped
// after the new r was created is in the new one.
func testRoomLiveAfter(t *testing.T, f *fixture) {
	ann := f.user("ann")
	old := f.room("r", ann)
	seen := f.append(roomMsg(old, ann, "seen in the old r", ""))[0].Message.ID
	time.Sleep(2 * time.Millisecond) // times are in milliseconds: the delete comes after the message
	if err := f.s.DeleteRoom(f.ctx, old.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond)
	fresh := f.room("R", ann)
	got, err := f.s.RoomLiveAfter(f.ctx, "r", seen)
	if err != nil || got.ID != old.ID {
		t.Errorf("RoomLiveAfter(r, a message of the old r) = %+v, %v; want the old r %d", got, err, old.ID)
	}
	time.Sleep(2 * time.Millisecond)
	later := f.append(roomMsg(fresh, ann, "in the new r", ""))[0].Message.ID
	if got, err := f.s.RoomLiveAfter(f.ctx, "r", later); err != nil || got.ID != fresh.ID {
		t.Errorf("RoomLiveAfter(r, a later message) = %+v, %v; want the new r %d", got, err, fresh.ID)
	}
	_, err = f.s.RoomLiveAfter(f.ctx, "r", later+1000)
	wantCode(t, "RoomLiveAfter of a message not stored", err, chat.ERoomNotFound)
}
