package httpapi

import "sync"

// addrLimiter counts open WebSockets per client address, so one address
// can't exhaust the server's file descriptors with a connection flood.
type addrLimiter struct {
	max  int // 0: no cap
	mu   sync.Mutex
	open map[string]int
}

func newAddrLimiter(max int) *addrLimiter {
	return &addrLimiter{max: max, open: map[string]int{}}
}

// acquire takes a slot for addr, reporting false when it has none left.
func (l *addrLimiter) acquire(addr string) bool {
	if l.max <= 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[addr] >= l.max {
		return false
	}
	l.open[addr]++
	return true
}

// release gives back a slot taken by acquire.
func (l *addrLimiter) release(addr string) {
	if l.max <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[addr]--; l.open[addr] <= 0 {
		delete(l.open, addr)
	}
}
