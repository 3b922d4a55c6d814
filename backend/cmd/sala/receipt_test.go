package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/salachat/sala/backend/internal/store/storetest"
)

// privateTexts waits for n private envelopes and returns their texts.
func (c *wsClient) privateTexts(n int) []string {
	c.t.Helper()
	var texts []string
	for range n {
		texts = append(texts, c.nextType("private").str("text"))
	}
	return texts
}

// TestPrivateMessagesOfASilentConnectionComeOnTheNext: bob's connection
// stops reading without closing (a phone that lost its network: no FIN).
// The private messages written to it are not delivered until a receipt
// says so: his next connection gets them after joined, and once it sent a
// receipt, the one after that gets only what came later.
func TestPrivateMessagesOfASilentConnectionComeOnTheNext(t *testing.T) {
	storetest.WithAllDatabaseURLs(t, func(t *testing.T, dbURL, dataDir string) {
		s := startServer(t, dbURL, dataDir)
		alice := s.join("alice")[0]
		bobToken := s.signup("bob")
		url := "ws://" + strings.TrimPrefix(s.base, "http://") + "/api/v1/ws?token=" + bobToken
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		silent, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPClient: http.DefaultClient})
		if err != nil {
			t.Fatal(err)
		}
		defer silent.CloseNow() // never read: its frames sit in the socket's buffers

		for i := range 3 {
			alice.say(fmt.Sprint("p", i), fmt.Sprint("#private bob hello ", i))
			alice.next("ack", isType("ack", "id", fmt.Sprint("p", i)))
		}
		bob := s.dial("bob", bobToken, "")
		bob.nextType("welcome")
		bob.next("joined", isType("joined", "room", "general"))
		if got := strings.Join(bob.privateTexts(3), ","); got != "hello 0,hello 1,hello 2" {
			t.Errorf("bob's next connection got %q", got)
		}

		alice.say("p3", "#private bob hello 3")
		last := bob.next("hello 3", isType("private", "text", "hello 3")).num("id")
		bob.send(map[string]any{"type": "receipt", "last_id": last - 1}) // shown up to hello 2
		alice.say("p4", "#private bob hello 4")
		bob.next("hello 4", isType("private", "text", "hello 4"))
		bob.send(map[string]any{"type": "ping", "id": "after-receipt", "t0": 1}) // the receipt was taken before this
		bob.next("pong", isType("pong", "id", "after-receipt"))
		for _, e := range bob.pending() {
			if e.typ() == "error" {
				t.Errorf("receipt answered %v", e)
			}
		}

		bob2 := s.dial("bob", bobToken, "")
		bob2.next("joined", isType("joined", "room", "general"))
		if got := strings.Join(bob2.privateTexts(2), ","); got != "hello 3,hello 4" {
			t.Errorf("after a receipt up to hello 2, the next connection got %q", got)
		}
	})
}
