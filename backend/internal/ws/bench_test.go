package ws

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// BenchmarkWriteFrames is the server's cost of one frame of a message
// envelope (300 bytes) written through the library to a client over a real
// loopback socket, the client reading as fast as it can: the write
// timeout's timer, the library's locks and buffer, the syscall.
func BenchmarkWriteFrames(b *testing.B) {
	s, client := serve(b, testLimits(), nil)
	go func() {
		for {
			if _, _, err := client.Read(context.Background()); err != nil {
				return
			}
		}
	}()
	frame := bytes.Repeat([]byte("x"), 300)
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	watchdog := time.AfterFunc(time.Hour, func() { _ = s.c.ws.CloseNow() })
	for b.Loop() {
		if err := s.c.write(frame, watchdog); err != nil {
			b.Fatal(err)
		}
	}
}
