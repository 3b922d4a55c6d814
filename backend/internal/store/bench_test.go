package store_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/store/storetest"
)

// benchDatabases are the stores the benchmarks run on.
var benchDatabases = []struct {
	name string
	open func(testing.TB) chat.Store
}{
	{"sqlite", storetest.OpenSQLite},
	{"postgres", storetest.OpenPostgres},
}

// BenchmarkAppendMessages measures the group commit's hot path: one
// AppendMessages call (one transaction) per batch. ns/op is per batch;
// msgs/s is the throughput of a single writer.
func BenchmarkAppendMessages(b *testing.B) {
	for _, db := range benchDatabases {
		for _, size := range []int{1, 100} {
			b.Run(fmt.Sprintf("%s/batch=%d", db.name, size), func(b *testing.B) {
				benchmarkAppend(b, db.open(b), size)
			})
		}
	}
}

// BenchmarkAppendBusyRooms is S5's write load on the store alone: batches of
// 1000 messages from 2,000 senders in 200 rooms, on top of 100,000 stored.
// Each message lands on index pages of its own (its sender's, its room's),
// so a batch dirties about as many pages as it holds messages, and what a
// commit does with them (WAL, checkpoints) shows. µs/msg is per message.
func BenchmarkAppendBusyRooms(b *testing.B) {
	for _, db := range benchDatabases {
		b.Run(db.name, func(b *testing.B) { benchmarkBusyRooms(b, db.open(b)) })
	}
}

func benchmarkBusyRooms(b *testing.B, s chat.Store) {
	ctx := b.Context()
	const senders, rooms, size = 2000, 200, 1000
	users := make([]chat.User, senders)
	for i := range users {
		users[i] = chat.User{Login: fmt.Sprint("u", i), FirstName: "A", LastName: "B", Age: 30, Gender: "other"}
		if err := s.CreateUser(ctx, &users[i], "h"); err != nil {
			b.Fatal(err)
		}
	}
	halls := make([]chat.Room, rooms)
	for i := range halls {
		var err error
		if halls[i], err = s.CreateRoom(ctx, fmt.Sprint("r", i), users[i].ID); err != nil {
			b.Fatal(err)
		}
	}
	text := strings.Repeat("x", 128)
	n := 0
	next := func() []chat.NewMessage {
		batch := make([]chat.NewMessage, size)
		for i := range batch {
			n++
			u := (n * 7919) % senders // spread over the senders, as S5's clients are
			r := &halls[u%rooms]
			batch[i] = chat.NewMessage{RoomID: &r.ID, Room: r.Name, SenderID: users[u].ID, From: users[u].Login,
				Text: text, SentAt: int64(n), ClientID: fmt.Sprint("c", n)}
		}
		return batch
	}
	for range 100 { // indexes big enough that a batch dirties over 1000 pages, as S5's do
		if _, err := s.AppendMessages(ctx, next()); err != nil {
			b.Fatal(err)
		}
	}
	stored := 0
	for b.Loop() {
		b.StopTimer()
		batch := next()
		b.StartTimer()
		if _, err := s.AppendMessages(ctx, batch); err != nil {
			b.Fatal(err)
		}
		stored += size
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(stored), "µs/msg")
}

func benchmarkAppend(b *testing.B, s chat.Store, size int) {
	ctx := b.Context()
	ann, hall := storetest.AnnInHall(b, s)
	batch := make([]chat.NewMessage, size)
	n := 0
	for b.Loop() {
		for i := range batch {
			n++
			batch[i] = chat.NewMessage{RoomID: &hall.ID, Room: "hall", SenderID: ann.ID, From: "ann",
				Text: "a message of an ordinary length, like people send", SentAt: int64(n), ClientID: fmt.Sprint(n)}
		}
		if _, err := s.AppendMessages(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
}
