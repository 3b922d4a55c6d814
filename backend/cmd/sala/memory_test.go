package main

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salachat/sala/backend/internal/config"
)

// TestMemoryReturnedAfterAConnectionSurge: a thousand connections opened at
// once, then quiet, make the server give its free memory back (memtune),
// which it logs; the connections stay open and usable.
func TestMemoryReturnedAfterAConnectionSurge(t *testing.T) {
	logs := &syncBuffer{}
	s := startServer(t, "", t.TempDir(), withLogs(logs), withConfig(func(c *config.Config) { c.MaxConnsPerAddr = 0 }))
	token := s.signup("surge")
	const surge = 1000
	conns := make([]*wsClient, surge)
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < surge; i += 16 {
				conns[i] = s.dial("surge", token, "")
			}
		}()
	}
	wg.Wait()
	const want = "returned memory after a surge of connections"
	for deadline := time.Now().Add(15 * time.Second); !strings.Contains(logs.String(), want) && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), want) {
		t.Fatalf("no %q in the logs after %d connections and a calm", want, surge)
	}
	conns[0].nextType("joined")
	conns[0].say("1", "still here")
	conns[surge-1].next("the message", isType("message", "text", "still here"))
}
