package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// maxUsers bounds the pool: each signup costs the server an argon2id hash.
const maxUsers = 20000

// pool is the users the connections log in as, in order: connection i uses
// pool.Tokens[i % len].
type pool struct {
	Logins []string `json:"logins"`
	Tokens []string `json:"tokens"`
}

// loopbackAddr checks that addr (host:port) names this machine and returns
// it unchanged: the bench refuses to load anything else.
func loopbackAddr(addr string) (string, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("-addr %q: want host:port: %w", addr, err)
	}
	ips, err := net.LookupIP(host)
	if err != nil || len(ips) == 0 {
		return "", fmt.Errorf("-addr %q: resolve %s: %v", addr, host, err)
	}
	for _, ip := range ips {
		if !ip.IsLoopback() {
			return "", fmt.Errorf("-addr %q resolves to %s: sala-bench only loads servers on loopback", addr, ip)
		}
	}
	return addr, nil
}

// tokenCache stores pools by server address in one JSON file, so repeated
// scenarios against the same server reuse their signups.
type tokenCache struct{ path string }

func defaultCachePath() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "sala-bench", "tokens.json")
}

func (tc tokenCache) load() map[string]pool {
	all := map[string]pool{}
	b, err := os.ReadFile(tc.path)
	if err == nil {
		_ = json.Unmarshal(b, &all) // a damaged cache is an empty one
	}
	return all
}

func (tc tokenCache) save(addr string, p pool) error {
	all := tc.load()
	all[addr] = p
	b, err := json.Marshal(all)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(tc.path), 0o700); err != nil {
		return err
	}
	tmp := tc.path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, tc.path)
}

// api is the REST side of one server.
type api struct {
	base   string
	client *http.Client
}

func newAPI(addr string) api {
	return api{base: "http://" + addr, client: &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
}

// valid reports whether the server accepts token (GET /api/v1/me); an
// error means the server did not answer.
func (a api) valid(ctx context.Context, token string) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+"/api/v1/me", nil)
	if err != nil {
		return false, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := a.client.Do(req)
	if err != nil {
		return false, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK, nil
}

// accepts reports whether the server accepts the first and the last token.
func (a api) accepts(ctx context.Context, p pool) (bool, error) {
	for _, tok := range []string{p.Tokens[0], p.Tokens[len(p.Tokens)-1]} {
		if ok, err := a.valid(ctx, tok); err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

func (a api) signup(ctx context.Context, login string) (string, error) {
	body, _ := json.Marshal(map[string]any{"first_name": "Bench", "last_name": "User", "login": login,
		"password": "bench-password-" + login, "age": 30, "gender": "prefer_not_to_say"})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.base+"/api/v1/auth/signup", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("signup %s: %s: %s", login, resp.Status, b)
	}
	var out struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(b, &out); err != nil || out.Token == "" {
		return "", fmt.Errorf("signup %s: no token in %s", login, b)
	}
	return out.Token, nil
}

// ensurePool returns at least n users for the server at addr: the cached
// ones when the server still accepts their tokens, topped up by concurrent
// signups (argon2id costs the server tens of milliseconds each).
func ensurePool(ctx context.Context, addr string, n int, cache tokenCache, log io.Writer) (pool, error) {
	if n < 1 || n > maxUsers {
		return pool{}, fmt.Errorf("users: want 1–%d, got %d", maxUsers, n)
	}
	a := newAPI(addr)
	p := cache.load()[addr]
	if len(p.Tokens) > 0 {
		ok, err := a.accepts(ctx, p)
		if err != nil {
			return pool{}, fmt.Errorf("server %s: %w", addr, err)
		}
		if !ok {
			fmt.Fprintf(log, "cached tokens for %s are not accepted (a new server?): signing up a new pool\n", addr)
			p = pool{}
		}
	}
	if len(p.Tokens) >= n {
		return p, nil
	}
	prefix := "b" + randomTag(5) + "-" // a fresh prefix never collides with older pools
	missing := n - len(p.Tokens)
	fmt.Fprintf(log, "signing up %d users on %s (argon2id: this takes a while once; tokens are cached in %s)\n",
		missing, addr, cache.path)
	start := time.Now()
	logins := make([]string, missing)
	tokens := make([]string, missing)
	var next atomic.Int64
	var firstErr error
	var errOnce sync.Once
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= missing || ctx.Err() != nil {
					return
				}
				logins[i] = fmt.Sprintf("%s%05d", prefix, len(p.Tokens)+i)
				tok, err := a.signup(ctx, logins[i])
				if err != nil {
					errOnce.Do(func() { firstErr = err })
					next.Store(int64(missing)) // stop the others
					return
				}
				tokens[i] = tok
			}
		}()
	}
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		return pool{}, firstErr
	}
	p.Logins = append(p.Logins, logins...)
	p.Tokens = append(p.Tokens, tokens...)
	took := time.Since(start)
	fmt.Fprintf(log, "signed up %d users in %.1fs (%.0f/s)\n", missing, took.Seconds(), float64(missing)/took.Seconds())
	if err := cache.save(addr, p); err != nil {
		fmt.Fprintln(log, "note: could not cache tokens:", err)
	}
	return p, nil
}

const tagAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// randomTag is n random lower-case letters and digits.
func randomTag(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = tagAlphabet[int(b[i])%len(tagAlphabet)]
	}
	return string(b)
}

func usersCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("users", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "server address (host:port on loopback)")
	n := fs.Int("users", 1000, "users in the pool")
	cachePath := fs.String("cache", defaultCachePath(), "token cache file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	target, err := loopbackAddr(*addr)
	if err != nil {
		return err
	}
	p, err := ensurePool(ctx, target, *n, tokenCache{*cachePath}, stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d users ready on %s\n", len(p.Tokens), target)
	return nil
}
