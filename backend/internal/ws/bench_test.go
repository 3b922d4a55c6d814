package ws

import (
	"bytes"
	"context"
	"syscall"
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

// BenchmarkSendLone is a busy room's delivery as each connection sees it:
// one envelope at a time, each to an idle connection (its writer is not
// running), over real loopback sockets to clients reading as fast as they
// can. It reports the cost per delivery: Send, the writer, the frame, and
// the client's read of it.
func BenchmarkSendLone(b *testing.B) {
	const conns = 50
	l := testLimits()
	served := make([]*served, conns)
	got := make(chan struct{}, conns)
	for i := range served {
		s, client := serve(b, l, nil)
		served[i] = s
		go func() {
			for {
				if _, _, err := client.Read(context.Background()); err != nil {
					return
				}
				got <- struct{}{}
			}
		}()
	}
	envelope := bytes.Repeat([]byte("x"), 300)
	b.ReportAllocs()
	cpu0 := cpuTime(b)
	for b.Loop() {
		for _, s := range served {
			s.c.Send(envelope)
		}
		for range conns {
			<-got
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*conns), "ns/delivery")
	b.ReportMetric(float64((cpuTime(b)-cpu0).Nanoseconds())/float64(b.N*conns), "cpu-ns/delivery")
}

// cpuTime is the CPU time the process has used (user and system), which,
// unlike the wall time, other work on the machine barely changes.
func cpuTime(b *testing.B) time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		b.Fatal(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
