package account

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/salachat/sala/backend/internal/chat"
)

// Limits are the account service's throttles, each keyed by the client's
// address. Logins are throttled per (address, login) and per address, never
// per login alone: a per-login count lets anyone lock a user out from every
// address by failing on purpose.
type Limits struct {
	// FailedLogins counts wrong passwords per (address, login).
	FailedLogins *Throttle
	// FailedLoginsByAddr counts wrong passwords per address, whatever the
	// login: one address guessing many logins.
	FailedLoginsByAddr *Throttle
	// Signups counts every signup attempt per address; nil: no limit.
	Signups *Throttle
}

// DefaultLimits are the limits of a server: five wrong passwords per login
// and address, then one every 12 s; twenty per address, then one every 5 s;
// signups as configured (perMinute 0: none).
func DefaultLimits(signupsPerMinute float64, signupBurst int, now func() time.Time) Limits {
	l := Limits{
		FailedLogins:       NewThrottle("failed logins", 5, 12*time.Second, now),
		FailedLoginsByAddr: NewThrottle("failed logins from your address", 20, 5*time.Second, now),
	}
	if signupsPerMinute > 0 {
		l.Signups = NewThrottle("sign-ups from your address", signupBurst, time.Duration(float64(time.Minute)/signupsPerMinute), now)
	}
	return l
}

// Throttle counts events (a failed login, a signup) per key in token
// buckets: Burst events at once, then one more every Every. A key whose
// bucket is empty is refused before the work it guards is done.
type Throttle struct {
	what  string // what is counted, for the error message
	every time.Duration
	burst int
	now   func() time.Time

	mu   sync.Mutex
	keys map[string]*rate.Limiter
}

// NewThrottle allows burst events per key, refilled one per every; now is
// the clock (nil: time.Now), injected by tests.
func NewThrottle(what string, burst int, every time.Duration, now func() time.Time) *Throttle {
	if now == nil {
		now = time.Now
	}
	return &Throttle{what: what, every: every, burst: burst, now: now, keys: map[string]*rate.Limiter{}}
}

// Check returns a *chat.RateLimitError, with the time to wait, when key has
// no events left.
func (f *Throttle) Check(key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	l := f.keys[key]
	if l == nil {
		return nil
	}
	tokens := l.TokensAt(f.now())
	if tokens >= 1 {
		return nil
	}
	secs := time.Duration(math.Ceil((1-tokens)*f.every.Seconds())) * time.Second
	return chat.RateLimited(secs, "Too many %s: retry in %s.", f.what, secs)
}

// Record counts an event against key.
func (f *Throttle) Record(key string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	if len(f.keys) > 100_000 {
		f.prune(now)
	}
	l := f.keys[key]
	if l == nil {
		l = rate.NewLimiter(rate.Every(f.every), f.burst)
		f.keys[key] = l
	}
	l.AllowN(now, 1)
}

// prune forgets keys whose bucket is full again: they hold no information.
func (f *Throttle) prune(now time.Time) {
	for k, l := range f.keys {
		if l.TokensAt(now) >= float64(f.burst) {
			delete(f.keys, k)
		}
	}
}
