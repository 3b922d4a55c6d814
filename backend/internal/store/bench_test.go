package store_test

import (
	"fmt"
	"testing"

	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/store/storetest"
)

// BenchmarkAppendMessages measures the group commit's hot path: one
// AppendMessages call (one transaction) per batch. ns/op is per batch;
// msgs/s is the throughput of a single writer.
func BenchmarkAppendMessages(b *testing.B) {
	dbs := []struct {
		name string
		open func(testing.TB) chat.Store
	}{
		{"sqlite", storetest.OpenSQLite},
		{"postgres", storetest.OpenPostgres},
	}
	for _, db := range dbs {
		for _, size := range []int{1, 100} {
			b.Run(fmt.Sprintf("%s/batch=%d", db.name, size), func(b *testing.B) {
				benchmarkAppend(b, db.open(b), size)
			})
		}
	}
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
