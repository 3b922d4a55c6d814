package store_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/store"
	"github.com/salachat/sala/backend/internal/store/storetest"
)

// acquireWithin returns the turn if it was granted within d. Otherwise it
// returns a func that waits for the turn and releases it at once.
func acquireWithin(t *testing.T, q *store.Sequencer, d time.Duration) (chat.Turn, func()) {
	t.Helper()
	done := make(chan chat.Turn, 1)
	go func() {
		turn, err := q.Acquire(context.Background())
		if err != nil {
			t.Error(err)
		}
		done <- turn
	}()
	select {
	case turn := <-done:
		return turn, nil
	case <-time.After(d):
		return nil, func() {
			if turn := <-done; turn != nil {
				turn.Release()
			}
		}
	}
}

func TestSequencerTurns(t *testing.T) {
	dbURL := storetest.PostgresURL(t)
	st := storetest.Open(t, dbURL, "")
	q, err := store.OpenSequencer(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	const wait = 300 * time.Millisecond

	// One turn at a time, whatever the batch holds, across every node.
	a, _ := acquireWithin(t, q, wait)
	if a == nil {
		t.Fatal("a turn was not granted with nothing taken")
	}
	b, waiting := acquireWithin(t, q, wait)
	if b != nil {
		t.Fatal("a second turn was granted while the first was held")
	}
	a.Release()
	a.Release() // twice is harmless
	waiting()

	// The latest ids are read after the turn is taken.
	alice := chat.User{Login: "alice", FirstName: "A", LastName: "T", Age: 30, Gender: "other"}
	bob := chat.User{Login: "bob", FirstName: "B", LastName: "T", Age: 30, Gender: "other"}
	for _, u := range []*chat.User{&alice, &bob} {
		if err := st.CreateUser(context.Background(), u, "x"); err != nil {
			t.Fatal(err)
		}
	}
	room, err := st.EnsureDefaultRoom(context.Background(), "general")
	if err != nil {
		t.Fatal(err)
	}
	stored, err := st.AppendMessages(context.Background(), []chat.NewMessage{
		{RoomID: &room.ID, Room: "general", SenderID: alice.ID, From: "alice", Text: "r", SentAt: 1},
		{RecipientID: &bob.ID, To: "bob", SenderID: alice.ID, From: "alice", Text: "p", SentAt: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	turn, _ := acquireWithin(t, q, 5*time.Second)
	if turn == nil {
		t.Fatal("a turn was not granted with nothing taken")
	}
	defer turn.Release()
	if got := turn.Prev(); got != stored[1].Message.ID {
		t.Errorf("Prev = %d, want the latest message %d, private or not", got, stored[1].Message.ID)
	}
}

func TestSequencerNeedsPostgres(t *testing.T) {
	if _, err := store.OpenSequencer(context.Background(), "sqlite://"+t.TempDir()+"/x.db"); err == nil {
		t.Error("a sequencer opened on SQLite")
	}
}

// BenchmarkSequencerTurn is one uncontended turn: take it (the lock and
// Prev, one round trip) and release it.
func BenchmarkSequencerTurn(b *testing.B) {
	dbURL := storetest.PostgresURL(b)
	storetest.Open(b, dbURL, "")
	q, err := store.OpenSequencer(context.Background(), dbURL)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { q.Close() })
	for b.Loop() {
		turn, err := q.Acquire(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		turn.Release()
	}
}

// TestSequencerTurnOutlivesItsBatch plays a node that dies (its sockets
// close) while the INSERT of its batch is still running in PostgreSQL: the
// statement goes on and commits after the node is gone. The next turn, on
// another node, must not be granted before that commit, or its
// Prev misses the batch, whose messages then reach no one live and sit
// below every client's resume cursor.
func TestSequencerTurnOutlivesItsBatch(t *testing.T) {
	viaProxy, p := storetest.PostgresURLViaProxy(t)
	direct := p.Bypass(t, viaProxy)
	ctx := t.Context()
	st := storetest.Open(t, direct, "")
	ann, hall := storetest.AnnInHall(t, st)
	dying, err := store.OpenSequencer(ctx, viaProxy)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dying.Close() })
	other, err := store.OpenSequencer(ctx, direct)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })

	first, err := st.AppendMessages(ctx, []chat.NewMessage{{RoomID: &hall.ID, Room: "hall",
		SenderID: ann.ID, From: "ann", Text: "first", SentAt: 1, ClientID: "first"}})
	if err != nil {
		t.Fatal(err)
	}

	// Hold the batch's INSERT in PostgreSQL: an open transaction locks the
	// table against writes (reads go on).
	admin, err := sql.Open("postgres", direct)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	blocker, err := admin.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer blocker.Rollback() //nolint:errcheck // committed below
	if _, err := blocker.ExecContext(ctx, `LOCK TABLE messages IN EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}

	turn, err := dying.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	go func() { // fails once the proxy is cut; the statement lives on in PostgreSQL
		_, _ = turn.Append(context.Background(), []chat.NewMessage{{RoomID: &hall.ID, Room: "hall",
			SenderID: ann.ID, From: "ann", Text: "in flight", SentAt: 1, ClientID: "in-flight"}})
	}()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var waiting int
		if err := admin.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO messages%'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the batch's INSERT never reached PostgreSQL")
		}
	}
	p.Cut() // the node dies

	next := make(chan chat.Turn, 1)
	go func() {
		turn, err := other.Acquire(context.Background())
		if err != nil {
			t.Error(err)
		}
		next <- turn
	}()
	time.Sleep(300 * time.Millisecond) // a turn granted now would be granted too early
	if err := blocker.Commit(); err != nil {
		t.Fatal(err)
	}
	var turnB chat.Turn
	select {
	case turnB = <-next:
	case <-time.After(10 * time.Second):
		t.Fatal("the next turn was never granted")
	}
	if turnB == nil {
		t.FailNow()
	}
	defer turnB.Release()
	var committed int64
	for deadline := time.Now().Add(5 * time.Second); committed <= first[0].Message.ID; time.Sleep(10 * time.Millisecond) {
		if err := admin.QueryRowContext(ctx, `SELECT COALESCE(max(id), 0) FROM messages`).Scan(&committed); err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("the dead node's batch did not commit: the test did not play its case")
		}
	}
	if got := turnB.Prev(); got != committed {
		t.Errorf("the next turn's Prev = %d, want %d: the dead node's batch, committed after the turn was granted, is missed", got, committed)
	}
}
