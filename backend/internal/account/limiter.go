package account

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/salachat/sala/backend/internal/chat"
)

// FailureLimiter counts failed logins per key (a login, an address) in
// token buckets: Burst failures at once, then one more every Every. A key
// whose bucket is empty is refused before its password is even checked.
type FailureLimiter struct {
	every time.Duration
	burst int
	now   func() time.Time

	mu   sync.Mutex
	keys map[string]*rate.Limiter
}

// NewFailureLimiter allows burst failures per key, refilled one per every.
func NewFailureLimiter(burst int, every time.Duration) *FailureLimiter {
	return &FailureLimiter{every: every, burst: burst, now: time.Now, keys: map[string]*rate.Limiter{}}
}

// Check returns a *chat.RateLimitError when any key has no failures left.
func (f *FailureLimiter) Check(keys ...string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	var wait time.Duration
	for _, k := range keys {
		if l := f.keys[k]; l != nil {
			if tokens := l.TokensAt(now); tokens < 1 {
				wait = max(wait, time.Duration((1-tokens)*float64(f.every)))
			}
		}
	}
	if wait == 0 {
		return nil
	}
	secs := time.Duration(math.Ceil(wait.Seconds())) * time.Second
	return chat.RateLimited(secs, "too many failed logins: retry in %s", secs)
}

// Fail records a failure against every key.
func (f *FailureLimiter) Fail(keys ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	if len(f.keys) > 100_000 {
		f.prune(now)
	}
	for _, k := range keys {
		l := f.keys[k]
		if l == nil {
			l = rate.NewLimiter(rate.Every(f.every), f.burst)
			f.keys[k] = l
		}
		l.AllowN(now, 1)
	}
}

// prune forgets keys whose bucket is full again: they hold no information.
func (f *FailureLimiter) prune(now time.Time) {
	for k, l := range f.keys {
		if l.TokensAt(now) >= float64(f.burst) {
			delete(f.keys, k)
		}
	}
}
