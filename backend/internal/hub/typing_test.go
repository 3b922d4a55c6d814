package hub

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/store/storetest"
)

// fakeClock is the hub's injected clock, moved by the test.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// typingOf lists the typing envelopes a recorder got.
func typingOf(t *testing.T, rec *recorder) []map[string]any {
	var out []map[string]any
	for _, e := range rec.envelopes(t) {
		if e["type"] == chat.TypeTyping {
			out = append(out, e)
		}
	}
	return out
}

// TestTypingIsForwardedRateLimitedAndNeverStored: a typing signal reaches
// the others in the room (or the one person it is for), at most one per
// user per 2 s of the hub's clock, and is never stored.
func TestTypingIsForwardedRateLimitedAndNeverStored(t *testing.T) {
	st := storetest.OpenSQLite(t)
	clock := &fakeClock{t: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	h := newHub(t, st, func(c *Config) { c.Now = clock.now })
	alice, bob, carol := newUser(t, st, "alice"), newUser(t, st, "bob"), newUser(t, st, "carol")
	ca, recA := connectRecorded(t, h, alice)
	_, recB := connectRecorded(t, h, bob)
	cc, recC := connectRecorded(t, h, carol)
	ctx := context.Background()
	typing := func(c *Client, raw string) { h.Receive(ctx, c, []byte(raw), false) }
	// marker posts a message that every recorder gets after what came before.
	n := 0
	marker := func() {
		n++
		text := string(rune('a' + n))
		if _, err := h.PostRoomMessage(ctx, alice, "general", text, "", 0); err != nil {
			t.Fatal(err)
		}
		for _, rec := range []*recorder{recA, recB, recC} {
			eventually(t, "marker "+text, func() bool {
				for _, e := range rec.envelopes(t) {
					if e["type"] == chat.TypeMessage && e["text"] == text {
						return true
					}
				}
				return false
			})
		}
	}

	typing(ca, `{"type":"typing"}`)
	typing(ca, `{"type":"typing"}`) // within 2 s: dropped
	clock.add(1900 * time.Millisecond)
	typing(ca, `{"type":"typing"}`) // still within 2 s
	marker()
	for _, rec := range []*recorder{recB, recC} {
		got := typingOf(t, rec)
		if len(got) != 1 || got[0]["room"] != "general" || got[0]["user"] != "alice" {
			t.Errorf("typing forwarded: %v", got)
		}
	}
	if got := typingOf(t, recA); len(got) != 0 {
		t.Errorf("alice got her own typing: %v", got)
	}

	clock.add(100 * time.Millisecond) // 2 s since the first
	typing(ca, `{"type":"typing","to":"bob"}`)
	typing(cc, `{"type":"typing"}`) // carol's own limit
	marker()
	if got := typingOf(t, recB); len(got) != 3 || got[1]["from"] != "alice" || got[1]["room"] != nil ||
		got[2]["user"] != "carol" {
		t.Errorf("bob's typing signals: %v", got)
	}
	if got := typingOf(t, recC); len(got) != 1 {
		t.Errorf("carol got a private typing signal: %v", got)
	}
	if got := typingOf(t, recA); len(got) != 1 || got[0]["user"] != "carol" {
		t.Errorf("alice's typing signals: %v", got)
	}
	// Nothing but the two markers was stored.
	msgs, err := st.MessagesBetween(ctx, 0, 1<<62, 100)
	if err != nil || len(msgs) != 2 {
		t.Errorf("stored: %v, %v", msgs, err)
	}
	for _, rec := range []*recorder{recA, recB, recC} {
		for _, e := range rec.envelopes(t) {
			if e["type"] == chat.TypeError || e["type"] == chat.TypeAck {
				t.Errorf("typing was answered: %v", e)
			}
		}
	}
}
