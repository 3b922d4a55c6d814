// Package natstest gives tests a NATS namespace of their own: a random
// prefix for the stream and KV buckets of internal/natsbus, removed when the
// test ends, so tests sharing one NATS server never see each other.
package natstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Prefix returns a fresh prefix and deletes its stream and buckets on the
// server at natsURL when the test ends.
func Prefix(tb testing.TB, natsURL string) string {
	tb.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	prefix := "salatest_" + hex.EncodeToString(b)
	tb.Cleanup(func() {
		nc, err := nats.Connect(natsURL)
		if err != nil {
			return
		}
		defer nc.Close()
		js, _ := jetstream.New(nc)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = js.DeleteStream(ctx, prefix+"_fanout")
		_ = js.DeleteKeyValue(ctx, prefix+"_rooms")
		_ = js.DeleteKeyValue(ctx, prefix+"_presence")
	})
	return prefix
}
