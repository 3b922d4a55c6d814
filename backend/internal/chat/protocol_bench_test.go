package chat

import (
	"encoding/json"
	"strings"
	"testing"
)

// benchText is a 128-byte message, the size the load scenarios use.
var benchText = strings.Repeat("a message of an ordinary length, ", 4)[:128]

// BenchmarkEncodeMessage is the one encoding a room message costs: the hub
// encodes each broadcast once and shares the bytes with every recipient.
func BenchmarkEncodeMessage(b *testing.B) {
	m := Message{ID: 123456789, Room: "general", From: "alice", Text: benchText,
		SentAt: 1732270000000, ClientID: "c-1732270000000-42"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(MessageOut(m)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeAck is the envelope every sender gets back.
func BenchmarkEncodeAck(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(Ack{Type: TypeAck, ID: "c-1732270000000-42", MessageID: 123456789, SentAt: 1732270000000}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseCommand parses a mix of the # commands users type.
func BenchmarkParseCommand(b *testing.B) {
	cmds := []string{"#cR books", "#gR Books_2-x", "#eR", "#lR", "#show users",
		`#\private bob hello there, how are you?`, "#help", "#nope"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_, _ = ParseCommand(cmds[i%len(cmds)])
		i++
	}
}
