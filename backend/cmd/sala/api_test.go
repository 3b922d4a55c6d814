package main

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/golang-jwt/jwt/v5"

	"github.com/salachat/sala/backend/internal/config"
	"github.com/salachat/sala/backend/internal/store/storetest"
)

func validSignup(login string) map[string]any {
	return map[string]any{"first_name": "Ada", "last_name": "Lovelace", "login": login,
		"password": "correct horse", "age": 36, "gender": "female"}
}

func TestAccounts(t *testing.T) {
	storetest.WithAllDatabaseURLs(t, func(t *testing.T, dbURL, dataDir string) {
		s := startServer(t, dbURL, dataDir)

		r := s.request("POST", "/api/v1/auth/signup", "", validSignup("Ada.L"))
		if r.status != http.StatusCreated {
			t.Fatalf("signup: %d %s", r.status, r.body)
		}
		var signed struct {
			Token     string
			ExpiresAt int64 `json:"expires_at"`
			User      struct{ Login string }
		}
		r.json(t, &signed)
		if signed.User.Login != "ada.l" {
			t.Errorf("login stored as %q, want it lower-cased", signed.User.Login)
		}
		if signed.ExpiresAt <= time.Now().UnixMilli() {
			t.Errorf("expires_at %d is not in the future", signed.ExpiresAt)
		}

		r = s.request("POST", "/api/v1/auth/login", "", map[string]any{"login": "ADA.L", "password": "correct horse"})
		if r.status != http.StatusOK {
			t.Fatalf("login: %d %s", r.status, r.body)
		}
		var logged struct{ Token string }
		r.json(t, &logged)
		r = s.request("GET", "/api/v1/me", logged.Token, nil)
		if r.status != http.StatusOK || !strings.Contains(string(r.body), `"login":"ada.l"`) {
			t.Fatalf("me: %d %s", r.status, r.body)
		}

		r = s.request("POST", "/api/v1/auth/signup", "", validSignup("ADA.l"))
		if r.status != http.StatusConflict || r.errorCode(t) != "login_taken" {
			t.Errorf("duplicate login ignoring case: %d %s", r.status, r.body)
		}
	})
}

func TestSignupValidation(t *testing.T) {
	s := startServer(t, "", t.TempDir())
	genders := []any{"female", "male", "non_binary", "other", "prefer_not_to_say"}
	// want is the field's entry in field_errors: the rule code and its
	// parameters, which clients word in their own language.
	cases := []struct {
		name  string
		edit  func(map[string]any)
		field string
		want  map[string]any
	}{
		{"missing first name", func(b map[string]any) { delete(b, "first_name") }, "first_name", map[string]any{"code": "required"}},
		{"missing last name", func(b map[string]any) { delete(b, "last_name") }, "last_name", map[string]any{"code": "required"}},
		{"missing password", func(b map[string]any) { delete(b, "password") }, "password", map[string]any{"code": "required"}},
		{"missing age", func(b map[string]any) { delete(b, "age") }, "age", map[string]any{"code": "required"}},
		{"missing gender", func(b map[string]any) { delete(b, "gender") }, "gender", map[string]any{"code": "required"}},
		{"age as a string", func(b map[string]any) { b["age"] = "thirty" }, "age", map[string]any{"code": "invalid"}},
		{"login as a number", func(b map[string]any) { b["login"] = 12345 }, "login", map[string]any{"code": "invalid"}},
		{"age 12", func(b map[string]any) { b["age"] = 12 }, "age", map[string]any{"code": "min", "min": 13.0}},
		{"age 121", func(b map[string]any) { b["age"] = 121 }, "age", map[string]any{"code": "max", "max": 120.0}},
		{"age not whole", func(b map[string]any) { b["age"] = 30.5 }, "age", map[string]any{"code": "invalid"}},
		{"unknown gender", func(b map[string]any) { b["gender"] = "robot" }, "gender", map[string]any{"code": "one_of", "values": genders}},
		{"short password", func(b map[string]any) { b["password"] = "1234567" }, "password", map[string]any{"code": "min_length", "min": 8.0}},
		{"long password", func(b map[string]any) { b["password"] = strings.Repeat("p", 129) }, "password", map[string]any{"code": "max_length", "max": 128.0}},
		{"login with spaces", func(b map[string]any) { b["login"] = "ada lovelace" }, "login", map[string]any{"code": "pattern"}},
		{"short login", func(b map[string]any) { b["login"] = "ad" }, "login", map[string]any{"code": "min_length", "min": 3.0}},
		{"long login", func(b map[string]any) { b["login"] = strings.Repeat("a", 33) }, "login", map[string]any{"code": "max_length", "max": 32.0}},
		{"login with symbols", func(b map[string]any) { b["login"] = "ada!" }, "login", map[string]any{"code": "pattern"}},
		{"10 KB first name", func(b map[string]any) { b["first_name"] = strings.Repeat("x", 10<<10) }, "first_name", map[string]any{"code": "max_length", "max": 64.0}},
		{"65-character last name", func(b map[string]any) { b["last_name"] = strings.Repeat("é", 65) }, "last_name", map[string]any{"code": "max_length", "max": 64.0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := validSignup("valid_" + fmt.Sprint(len(tc.name)))
			tc.edit(body)
			r := s.request("POST", "/api/v1/auth/signup", "", body)
			if r.status != http.StatusUnprocessableEntity || r.errorCode(t) != "validation_failed" {
				t.Fatalf("got %d %s, want 422 validation_failed", r.status, r.body)
			}
			msg := r.errorFields(t)[tc.field]
			if msg == "" || !unicode.IsUpper([]rune(msg)[0]) || !strings.HasSuffix(msg, ".") {
				t.Errorf("fields.%s = %q, want a sentence: %s", tc.field, msg, r.body)
			}
			if got := r.fieldErrors(t)[tc.field]; !reflect.DeepEqual(got, tc.want) {
				t.Errorf("field_errors.%s = %v, want %v", tc.field, got, tc.want)
			}
		})
	}
	t.Run("login taken", func(t *testing.T) {
		s.signup("taken")
		r := s.request("POST", "/api/v1/auth/signup", "", validSignup("Taken"))
		if r.status != http.StatusConflict || r.errorCode(t) != "login_taken" {
			t.Fatalf("got %d %s, want 409 login_taken", r.status, r.body)
		}
		if msg := r.errorFields(t)["login"]; msg != "This login is already taken." {
			t.Errorf("fields.login = %q", msg)
		}
		if got := r.fieldErrors(t)["login"]; !reflect.DeepEqual(got, map[string]any{"code": "taken"}) {
			t.Errorf("field_errors.login = %v, want code taken", got)
		}
	})
	t.Run("every invalid field at once", func(t *testing.T) {
		r := s.request("POST", "/api/v1/auth/signup", "", map[string]any{"login": "a b", "age": "x", "gender": "robot"})
		fields := r.errorFields(t)
		for _, f := range []string{"first_name", "last_name", "login", "password", "age", "gender"} {
			if fields[f] == "" {
				t.Errorf("field %s not named: %s", f, r.body)
			}
		}
	})
	t.Run("invalid JSON", func(t *testing.T) {
		r := s.request("POST", "/api/v1/auth/signup", "", []byte(`{"login": "ada",`))
		if r.status != http.StatusBadRequest || r.errorCode(t) != "invalid_request" {
			t.Errorf("got %d %s", r.status, r.body)
		}
	})
	t.Run("wrong content type", func(t *testing.T) {
		r := s.request("POST", "/api/v1/auth/signup", "", []byte(`login=ada`), "Content-Type", "application/x-www-form-urlencoded")
		if r.status != http.StatusUnsupportedMediaType || r.errorCode(t) != "unsupported_media_type" {
			t.Errorf("got %d %s", r.status, r.body)
		}
	})
	t.Run("body over the limit", func(t *testing.T) {
		huge := []byte(`{"first_name":"` + strings.Repeat("x", 2<<20) + `"}`)
		r := s.request("POST", "/api/v1/auth/signup", "", huge)
		if r.status != http.StatusRequestEntityTooLarge || r.errorCode(t) != "payload_too_large" {
			t.Errorf("got %d %.200s", r.status, r.body)
		}
	})
	t.Run("chunked body over the limit", func(t *testing.T) {
		token := s.signup("chunky")
		for _, path := range []string{"/api/v1/auth/signup", "/api/v1/auth/login", "/api/v1/rooms/general/messages"} {
			r := s.requestChunked("POST", path, token, 10<<20)
			if r.status != http.StatusRequestEntityTooLarge || r.errorCode(t) != "payload_too_large" {
				t.Errorf("%s with 10 MB chunked: got %d %.200s, want 413 payload_too_large", path, r.status, r.body)
			}
		}
	})
	t.Run("deep nesting", func(t *testing.T) {
		deep := []byte(`{"first_name":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}`)
		r := s.request("POST", "/api/v1/auth/signup", "", deep)
		if r.status != http.StatusBadRequest {
			t.Errorf("got %d %.200s", r.status, r.body)
		}
	})
}

func TestNamesStoredVerbatim(t *testing.T) {
	storetest.WithAllDatabaseURLs(t, func(t *testing.T, dbURL, dataDir string) {
		s := startServer(t, dbURL, dataDir)
		body := validSignup("bobby")
		body["first_name"] = "Robert'); DROP TABLE users;--"
		body["last_name"] = `<script>alert("x")</script> & <b>`
		r := s.request("POST", "/api/v1/auth/signup", "", body)
		if r.status != http.StatusCreated {
			t.Fatalf("signup: %d %s", r.status, r.body)
		}
		var out struct{ Token string }
		r.json(t, &out)
		var me struct {
			FirstName string `json:"first_name"`
			LastName  string `json:"last_name"`
		}
		s.request("GET", "/api/v1/me", out.Token, nil).json(t, &me)
		if me.FirstName != body["first_name"] || me.LastName != body["last_name"] {
			t.Errorf("names changed: %+v", me)
		}
		var users struct {
			Users []struct{ Login, FirstName string }
		}
		s.request("GET", "/api/v1/users", out.Token, nil).json(t, &users)
		if len(users.Users) != 1 {
			t.Errorf("users: %+v (the DROP TABLE must have done nothing)", users)
		}
	})
}

func TestLoginFailures(t *testing.T) {
	clock := newTestClock()
	s := startServer(t, "", t.TempDir(), withClock(clock.now))
	s.signup("carol")
	wrong := s.request("POST", "/api/v1/auth/login", "", map[string]any{"login": "carol", "password": "wrong password"})
	unknown := s.request("POST", "/api/v1/auth/login", "", map[string]any{"login": "nobody", "password": "wrong password"})
	if wrong.status != http.StatusUnauthorized || unknown.status != http.StatusUnauthorized {
		t.Fatalf("statuses %d and %d, want 401", wrong.status, unknown.status)
	}
	if string(wrong.body) != string(unknown.body) {
		t.Errorf("a wrong password and an unknown login differ:\n%s\n%s", wrong.body, unknown.body)
	}
	// Five failures for carol from this address (one above, four more), then
	// the login is locked here even with the right password, with Retry-After.
	for range 4 {
		s.request("POST", "/api/v1/auth/login", "", map[string]any{"login": "carol", "password": "still wrong"})
	}
	right := map[string]any{"login": "carol", "password": "password-carol"}
	r := s.request("POST", "/api/v1/auth/login", "", right)
	if r.status != http.StatusTooManyRequests || r.errorCode(t) != "rate_limited" {
		t.Fatalf("after 5 failures: %d %s, want 429", r.status, r.body)
	}
	if r.header.Get("Retry-After") != "12" {
		t.Errorf("Retry-After %q, want 12", r.header.Get("Retry-After"))
	}
	// The attacker's address locks no one else out: carol logs in from
	// another address meanwhile.
	if r := s.requestVia(fromAddr("127.0.0.2"), "POST", "/api/v1/auth/login", "", right); r.status != http.StatusOK {
		t.Errorf("the right password from another address: %d %s, want 200", r.status, r.body)
	}
	// One failure is forgiven every 12 s.
	clock.advance(12 * time.Second)
	if r := s.request("POST", "/api/v1/auth/login", "", right); r.status != http.StatusOK {
		t.Errorf("12 s later: %d %s, want 200", r.status, r.body)
	}
}

// TestLoginFailuresByAddress: one address guessing many logins is stopped
// after 20 failures, whatever the login, and only that address.
func TestLoginFailuresByAddress(t *testing.T) {
	clock := newTestClock()
	s := startServer(t, "", t.TempDir(), withClock(clock.now))
	s.signup("dora")
	for i := range 20 {
		r := s.request("POST", "/api/v1/auth/login", "", map[string]any{"login": fmt.Sprint("guess", i), "password": "wrong password"})
		if r.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d %s", i, r.status, r.body)
		}
	}
	right := map[string]any{"login": "dora", "password": "password-dora"}
	if r := s.request("POST", "/api/v1/auth/login", "", right); r.status != http.StatusTooManyRequests {
		t.Errorf("after 20 failures from one address: %d %s, want 429", r.status, r.body)
	}
	if r := s.requestVia(fromAddr("127.0.0.3"), "POST", "/api/v1/auth/login", "", right); r.status != http.StatusOK {
		t.Errorf("from another address: %d %s, want 200", r.status, r.body)
	}
	clock.advance(5 * time.Second)
	if r := s.request("POST", "/api/v1/auth/login", "", right); r.status != http.StatusOK {
		t.Errorf("5 s later: %d %s, want 200", r.status, r.body)
	}
}

// TestSignupRateLimit: sign-ups from one address are limited (SALA_SIGNUP_RATE)
// with 429 and Retry-After; other addresses are not affected.
func TestSignupRateLimit(t *testing.T) {
	clock := newTestClock()
	s := startServer(t, "", t.TempDir(), withClock(clock.now),
		withConfig(func(c *config.Config) { c.SignupRate, c.SignupBurst = 2, 3 }))
	for i := range 3 {
		s.signup(fmt.Sprint("burst", i))
	}
	r := s.request("POST", "/api/v1/auth/signup", "", validSignup("fourth"))
	if r.status != http.StatusTooManyRequests || r.errorCode(t) != "rate_limited" || r.header.Get("Retry-After") != "30" {
		t.Fatalf("fourth signup in a burst of 3: %d %v %s, want 429 with Retry-After 30", r.status, r.header, r.body)
	}
	if r := s.requestVia(fromAddr("127.0.0.2"), "POST", "/api/v1/auth/signup", "", validSignup("elsewhere")); r.status != http.StatusCreated {
		t.Errorf("signup from another address: %d %s, want 201", r.status, r.body)
	}
	clock.advance(30 * time.Second) // two a minute: one more every 30 s
	if r := s.request("POST", "/api/v1/auth/signup", "", validSignup("fourth")); r.status != http.StatusCreated {
		t.Errorf("30 s later: %d %s, want 201", r.status, r.body)
	}
}

// testClock is a clock tests move by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock { return &testClock{t: time.Now()} }

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestTokens(t *testing.T) {
	s := startServer(t, "", t.TempDir())
	good := s.signup("dave")
	parts := strings.Split(good, ".")
	enc := base64.RawURLEncoding
	none := enc.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."
	claims, _ := enc.DecodeString(parts[1])
	forged := parts[0] + "." + enc.EncodeToString([]byte(strings.Replace(string(claims), `"sub":"1"`, `"sub":"2"`, 1))) + "." + parts[2]
	otherKey, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "1", "iss": "sala",
		"exp": time.Now().Add(time.Hour).Unix()}).SignedString([]byte("a different secret of 32+ bytes!!"))
	expired := s.expiredToken(t)
	for name, token := range map[string]string{"alg none": none, "tampered claims": forged,
		"other key": otherKey, "expired": expired, "garbage": "not.a.token"} {
		t.Run(name, func(t *testing.T) {
			r := s.request("GET", "/api/v1/me", token, nil)
			if r.status != http.StatusUnauthorized || r.errorCode(t) != "unauthorized" {
				t.Errorf("got %d %s", r.status, r.body)
			}
		})
	}
	if r := s.request("GET", "/api/v1/me", "", nil); r.status != http.StatusUnauthorized {
		t.Errorf("no token: %d", r.status)
	}
}

// expiredToken signs an expired token with the server's own secret.
func (s *testServer) expiredToken(t *testing.T) string {
	t.Helper()
	secret := readSecret(t, s.cfg.DataDir)
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "1", "iss": "sala", "login": "dave",
		"exp": time.Now().Add(-time.Minute).Unix()}).SignedString(secret)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestRESTMessagesAndHistory(t *testing.T) {
	storetest.WithAllDatabaseURLs(t, func(t *testing.T, dbURL, dataDir string) {
		s := startServer(t, dbURL, dataDir)
		alice, bob := s.signup("alice"), s.signup("bob")
		for i := range 5 {
			r := s.request("POST", "/api/v1/rooms/general/messages", alice, map[string]any{"text": fmt.Sprint("m", i)})
			if r.status != http.StatusCreated {
				t.Fatalf("post: %d %s", r.status, r.body)
			}
		}
		r := s.request("POST", "/api/v1/rooms/general/messages", alice, map[string]any{"text": "once", "client_id": "k1"})
		again := s.request("POST", "/api/v1/rooms/general/messages", alice, map[string]any{"text": "once", "client_id": "k1"})
		if r.status != http.StatusCreated || again.status != http.StatusOK || string(r.body) != string(again.body) {
			t.Errorf("idempotent post: %d %s / %d %s", r.status, r.body, again.status, again.body)
		}
		// The same client_id for another text is a mistake, not a retry: said, not dropped.
		if other := s.request("POST", "/api/v1/rooms/general/messages", alice, map[string]any{"text": "twice?", "client_id": "k1"}); other.status != http.StatusConflict ||
			other.errorCode(t) != "id_reused" {
			t.Errorf("client_id reused for another text: %d %s", other.status, other.body)
		}
		var page struct {
			Messages []struct {
				ID         int64
				From, Text string
			}
			HasMore bool `json:"has_more"`
		}
		s.request("GET", "/api/v1/rooms/general/messages?limit=4", bob, nil).json(t, &page)
		if len(page.Messages) != 4 || !page.HasMore || page.Messages[0].Text != "once" || page.Messages[0].From != "alice" {
			t.Fatalf("first page: %+v", page)
		}
		before := page.Messages[3].ID
		s.request("GET", fmt.Sprintf("/api/v1/rooms/general/messages?limit=4&before=%d", before), bob, nil).json(t, &page)
		if len(page.Messages) != 2 || page.HasMore || page.Messages[1].Text != "m0" {
			t.Fatalf("second page: %+v", page)
		}
		for _, bad := range []string{"limit=0", "limit=201", "limit=x", "before=-1", "before=9223372036854775808"} {
			if r := s.request("GET", "/api/v1/rooms/general/messages?"+bad, bob, nil); r.status != http.StatusBadRequest {
				t.Errorf("%s: %d", bad, r.status)
			}
		}
		if r := s.request("GET", "/api/v1/rooms/nowhere/messages", bob, nil); r.status != http.StatusNotFound || r.errorCode(t) != "room_not_found" ||
			!strings.Contains(string(r.body), `no room named \"nowhere\"`) {
			t.Errorf("missing room: %d %s", r.status, r.body)
		}
		if r := s.request("POST", "/api/v1/rooms/general/messages", bob, map[string]any{"text": "no key", "client_id": nil}); r.status != http.StatusCreated {
			t.Errorf("client_id null, as good as none: %d %s", r.status, r.body)
		}
		if r := s.request("POST", "/api/v1/rooms/general/messages", bob, map[string]any{"text": "   "}); r.status != http.StatusUnprocessableEntity {
			t.Errorf("blank text: %d %s", r.status, r.body)
		}

		// Private messages: only the two users see their thread.
		carol := s.signup("carol")
		if r := s.request("POST", "/api/v1/dm/bob/messages", alice, map[string]any{"text": "psst"}); r.status != http.StatusCreated {
			t.Fatalf("dm: %d %s", r.status, r.body)
		}
		var dm struct {
			Messages []struct{ From, To, Text string }
		}
		s.request("GET", "/api/v1/dm/alice/messages", bob, nil).json(t, &dm)
		if len(dm.Messages) != 1 || dm.Messages[0].Text != "psst" || dm.Messages[0].To != "bob" {
			t.Errorf("bob's thread with alice: %+v", dm)
		}
		s.request("GET", "/api/v1/dm/alice/messages", carol, nil).json(t, &dm)
		if len(dm.Messages) != 0 {
			t.Errorf("carol reads alice's private messages: %+v", dm)
		}
		if r := s.request("GET", "/api/v1/dm/nobody/messages", bob, nil); r.status != http.StatusNotFound {
			t.Errorf("unknown user: %d", r.status)
		}

		// Rooms, users, time, commands.
		if r := s.request("GET", "/api/v1/rooms", bob, nil); !strings.Contains(string(r.body), `"name":"general"`) {
			t.Errorf("rooms: %s", r.body)
		}
		if r := s.request("GET", "/api/v1/users", bob, nil); strings.Count(string(r.body), `"login"`) != 3 {
			t.Errorf("users: %s", r.body)
		}
		var tm struct {
			ServerTime int64 `json:"server_time"`
		}
		s.request("GET", "/api/v1/time", "", nil).json(t, &tm)
		if d := time.Now().UnixMilli() - tm.ServerTime; d < -1000 || d > 1000 {
			t.Errorf("server_time off by %d ms", d)
		}
		if r := s.request("GET", "/api/v1/commands", "", nil); !strings.Contains(string(r.body), "#cR") {
			t.Errorf("commands: %s", r.body)
		}
	})
}

func TestOperationalEndpoints(t *testing.T) {
	s := startServer(t, "", t.TempDir())
	for _, path := range []string{"/healthz", "/readyz", "/api/openapi.yaml", "/metrics"} {
		if r := s.request("GET", path, "", nil); r.status != http.StatusOK {
			t.Errorf("%s: %d", path, r.status)
		}
	}
	r := s.request("GET", "/metrics", "", nil)
	for _, name := range []string{"sala_connections", "sala_store_batch_seconds", "sala_http_request_seconds", "go_goroutines"} {
		if !strings.Contains(string(r.body), name) {
			t.Errorf("metric %s missing", name)
		}
	}
	if r := s.request("GET", "/api/v1/nothing-here", "", nil); r.status != http.StatusNotFound || r.errorCode(t) != "not_found" {
		t.Errorf("unknown path: %d %s", r.status, r.body)
	}
	if r := s.request("DELETE", "/api/v1/time", "", nil); r.status != http.StatusMethodNotAllowed || r.errorCode(t) != "method_not_allowed" {
		t.Errorf("wrong method: %d %s", r.status, r.body)
	}
	if h := r.header.Get("X-Content-Type-Options"); h != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q", h)
	}
}

func TestConcurrentSignupsOneWins(t *testing.T) {
	storetest.WithAllDatabaseURLs(t, func(t *testing.T, dbURL, dataDir string) {
		s := startServer(t, dbURL, dataDir)
		var wg sync.WaitGroup
		statuses := make([]int, 8)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				login := []string{"Zed", "zed", "ZED", "zEd"}[i%4]
				statuses[i] = s.request("POST", "/api/v1/auth/signup", "", validSignup(login)).status
			}()
		}
		wg.Wait()
		created := 0
		for _, st := range statuses {
			switch st {
			case http.StatusCreated:
				created++
			case http.StatusConflict:
			default:
				t.Errorf("status %d", st)
			}
		}
		if created != 1 {
			t.Errorf("%d signups won, want exactly 1 (%v)", created, statuses)
		}
	})
}

func TestDataSurvivesRestart(t *testing.T) {
	storetest.WithAllDatabaseURLs(t, func(t *testing.T, dbURL, dataDir string) {
		s := startServer(t, dbURL, dataDir)
		token := s.signup("erin")
		s.request("POST", "/api/v1/rooms/general/messages", token, map[string]any{"text": "still here?"})
		s.restart()
		// The token still works (the secret was kept in the data dir) and the
		// account and message are there.
		if r := s.request("GET", "/api/v1/me", token, nil); r.status != http.StatusOK {
			t.Fatalf("me after restart: %d %s", r.status, r.body)
		}
		r := s.request("POST", "/api/v1/auth/login", "", map[string]any{"login": "erin", "password": "password-erin"})
		if r.status != http.StatusOK {
			t.Fatalf("login after restart: %d", r.status)
		}
		if r := s.request("GET", "/api/v1/rooms/general/messages", token, nil); !strings.Contains(string(r.body), "still here?") {
			t.Errorf("history after restart: %s", r.body)
		}
	})
}

// TestNULIsRefusedOnEveryDatabase: PostgreSQL's text can't hold U+0000, so a
// NUL anywhere a user types is a clear 4xx or error envelope on both
// databases, never an internal error (nor stored on SQLite only).
func TestNULIsRefusedOnEveryDatabase(t *testing.T) {
	storetest.WithAllDatabaseURLs(t, func(t *testing.T, dbURL, dataDir string) {
		s := startServer(t, dbURL, dataDir)
		bad := validSignup("nul")
		bad["first_name"] = "A\x00da"
		if r := s.request("POST", "/api/v1/auth/signup", "", bad); r.status != http.StatusUnprocessableEntity ||
			r.errorFields(t)["first_name"] == "" {
			t.Errorf("signup with a NUL in first_name: %d %s", r.status, r.body)
		}
		if r := s.request("POST", "/api/v1/auth/login", "", map[string]any{"login": "a\x00b", "password": "whatever1"}); r.status != http.StatusUnauthorized {
			t.Errorf("login with a NUL: %d %s", r.status, r.body)
		}
		token := s.signup("nina")
		if r := s.request("POST", "/api/v1/rooms/general/messages", token, map[string]any{"text": "a\x00b"}); r.status != http.StatusUnprocessableEntity ||
			r.errorFields(t)["text"] == "" {
			t.Errorf("REST text with a NUL: %d %s", r.status, r.body)
		}
		for _, path := range []string{"/api/v1/rooms/gen%00eral/messages", "/api/v1/dm/ni%00na/messages"} {
			if r := s.request("GET", path, token, nil); r.status != http.StatusNotFound {
				t.Errorf("GET %s: %d %s", path, r.status, r.body)
			}
		}
		c := s.dial("nina", token, "")
		c.nextType("joined")
		for id, text := range map[string]string{"t1": "a\x00b", "t2": "#private ni\x00na hi", "t3": "#gR gen\x00eral"} {
			c.say(id, text)
			if e := c.next(id, isType("error", "id", id)); e.str("code") == "internal" {
				t.Errorf("%q: %v", text, e)
			}
		}
		c.say("t4", "still fine")
		c.next("ack", isType("ack", "id", "t4"))
	})
}

// Logins are checked as typed: letters that Unicode folds to ASCII (the
// Kelvin sign to k, Turkish İ to i) are refused at signup and match no one
// at login, on both databases (PostgreSQL's lower() folds them too).
func TestLoginOutsideASCIIIsRefused(t *testing.T) {
	storetest.WithAllDatabaseURLs(t, func(t *testing.T, dbURL, dataDir string) {
		s := startServer(t, dbURL, dataDir)
		for _, login := range []string{"\u212Aate", "\u0130nci", "caf\u00e9"} {
			r := s.request("POST", "/api/v1/auth/signup", "", validSignup(login))
			if r.status != http.StatusUnprocessableEntity || r.fieldErrors(t)["login"]["code"] != "pattern" {
				t.Errorf("signup %q: %d %s, want 422 with login pattern", login, r.status, r.body)
			}
		}
		s.signup("kate")
		r := s.request("POST", "/api/v1/auth/login", "", map[string]any{"login": "\u212Aate", "password": "password-kate"})
		if r.status != http.StatusUnauthorized {
			t.Errorf("login as \\u212Aate: %d %s, want 401 (it is not kate)", r.status, r.body)
		}
		r = s.request("POST", "/api/v1/auth/login", "", map[string]any{"login": "KATE", "password": "password-kate"})
		if r.status != http.StatusOK {
			t.Errorf("login as KATE: %d %s, want 200", r.status, r.body)
		}
	})
}

// TestHeadOnEveryGetRoute: every GET route of the spec, and the web app at
// /, answers HEAD with GET's status and headers and no body (RFC 9110).
func TestHeadOnEveryGetRoute(t *testing.T) {
	webDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(webDir, "index.html"), []byte("<!doctype html><title>Sala</title>"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, "", t.TempDir(), withConfig(func(c *config.Config) { c.WebDir = webDir }))
	token := s.signup("heady")
	paths := []string{"/", "/index.html", "/some/app/route"}
	for path, item := range s.spec.Paths.Map() {
		if item.Get != nil {
			paths = append(paths, strings.NewReplacer("{name}", "general", "{login}", "heady").Replace(path))
		}
	}
	do := func(method, path string) (*http.Response, []byte) {
		req, err := http.NewRequest(method, s.base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, body
	}
	for _, path := range paths {
		get, _ := do("GET", path)
		head, body := do("HEAD", path)
		if get.StatusCode >= 500 || path == "/" && get.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", path, get.StatusCode)
		}
		if head.StatusCode != get.StatusCode || head.Header.Get("Content-Type") != get.Header.Get("Content-Type") || len(body) != 0 {
			t.Errorf("HEAD %s: %d %q with %d bytes; GET: %d %q", path, head.StatusCode, head.Header.Get("Content-Type"),
				len(body), get.StatusCode, get.Header.Get("Content-Type"))
		}
	}
}
