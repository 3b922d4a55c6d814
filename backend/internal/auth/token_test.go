package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/salachat/sala/backend/internal/chat"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef")

// at is the time every test's clock stands at.
var at = time.Date(2026, 12, 4, 20, 0, 0, 0, time.UTC)

// newTestTokens returns Tokens whose clock stands at at.
func newTestTokens(t testing.TB) *Tokens {
	t.Helper()
	tk, err := NewTokens(testSecret, time.Hour, func() time.Time { return at })
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// sign signs claims with the test secret, as another issuer of tokens
// might: with any method and set of fields.
func sign(t *testing.T, method jwt.SigningMethod, claims jwt.Claims) string {
	t.Helper()
	return signWith(t, method, testSecret, claims)
}

// signWith signs claims with method and key.
func signWith(t *testing.T, method jwt.SigningMethod, key any, claims jwt.Claims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerifyAcceptsWhatIssueSigned(t *testing.T) {
	tk := newTestTokens(t)
	token, exp, err := tk.Issue(42, "ann")
	if err != nil {
		t.Fatal(err)
	}
	id, err := tk.Verify(token)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := Identity{UserID: 42, Login: "ann", ExpiresAt: exp}
	if id.UserID != want.UserID || id.Login != want.Login || !id.ExpiresAt.Equal(want.ExpiresAt) {
		t.Fatalf("Verify = %+v, want %+v", id, want)
	}
	if !exp.Equal(at.Add(time.Hour)) {
		t.Fatalf("expiry %v, want an hour after %v", exp, at)
	}
}

func TestVerifyRefuses(t *testing.T) {
	tk := newTestTokens(t)
	good, _, err := tk.Issue(7, "bob")
	if err != nil {
		t.Fatal(err)
	}
	claims := func(edit func(*jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"iss": Issuer, "sub": "7", "login": "bob",
			"iat": at.Unix(), "nbf": at.Add(-time.Minute).Unix(), "exp": at.Add(time.Hour).Unix()}
		edit(&c)
		return c
	}
	cases := map[string]string{
		"expired":              sign(t, jwt.SigningMethodHS256, claims(func(c *jwt.MapClaims) { (*c)["exp"] = at.Add(-time.Second).Unix() })),
		"without expiry":       sign(t, jwt.SigningMethodHS256, claims(func(c *jwt.MapClaims) { delete(*c, "exp") })),
		"not yet valid":        sign(t, jwt.SigningMethodHS256, claims(func(c *jwt.MapClaims) { (*c)["nbf"] = at.Add(time.Minute).Unix() })),
		"another issuer":       sign(t, jwt.SigningMethodHS256, claims(func(c *jwt.MapClaims) { (*c)["iss"] = "other" })),
		"a subject not an id":  sign(t, jwt.SigningMethodHS256, claims(func(c *jwt.MapClaims) { (*c)["sub"] = "bob" })),
		"subject zero":         sign(t, jwt.SigningMethodHS256, claims(func(c *jwt.MapClaims) { (*c)["sub"] = "0" })),
		"expiry not a number":  sign(t, jwt.SigningMethodHS256, claims(func(c *jwt.MapClaims) { (*c)["exp"] = "soon" })),
		"HS512, not HS256":     sign(t, jwt.SigningMethodHS512, claims(func(c *jwt.MapClaims) {})),
		"unsigned (alg none)":  signWith(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(func(c *jwt.MapClaims) {})),
		"another secret":       signWith(t, jwt.SigningMethodHS256, []byte(strings.Repeat("x", 32)), claims(func(c *jwt.MapClaims) {})),
		"a tampered signature": good[:len(good)-2] + flip(good[len(good)-2:]),
		"a tampered payload":   tamperPayload(good),
		"not a token":          "hello",
		"empty":                "",
	}
	for name, token := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := tk.Verify(token)
			if chat.ErrorCode(err) != chat.EUnauthorized {
				t.Fatalf("Verify = %v, want %s", err, chat.EUnauthorized)
			}
		})
	}
}

// TestVerifyReadsFractionalDates keeps tokens valid whose dates carry a
// fraction of a second, which RFC 7519 allows (a NumericDate is any JSON
// number): their expiry is kept to the second.
func TestVerifyReadsFractionalDates(t *testing.T) {
	tk := newTestTokens(t)
	exp := float64(at.Add(time.Hour).Unix()) + 0.75
	token := sign(t, jwt.SigningMethodHS256, jwt.MapClaims{"iss": Issuer, "sub": "9", "login": "cy",
		"iat": float64(at.Unix()) + 0.5, "exp": exp})
	id, err := tk.Verify(token)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if id.UserID != 9 || id.Login != "cy" || id.ExpiresAt.Unix() != at.Add(time.Hour).Unix() {
		t.Fatalf("Verify = %+v", id)
	}
}

// TestVerifyAcceptsTokensOfEarlierVersions: tokens issued before Claims
// stopped embedding jwt.RegisteredClaims stay valid until they expire.
func TestVerifyAcceptsTokensOfEarlierVersions(t *testing.T) {
	tk := newTestTokens(t)
	type earlierClaims struct {
		Login string `json:"login"`
		jwt.RegisteredClaims
	}
	exp := at.Add(30 * time.Minute)
	token := sign(t, jwt.SigningMethodHS256, earlierClaims{Login: "dee", RegisteredClaims: jwt.RegisteredClaims{
		Issuer: Issuer, Subject: "12", IssuedAt: jwt.NewNumericDate(at.Add(-time.Hour)),
		NotBefore: jwt.NewNumericDate(at.Add(-time.Hour)), ExpiresAt: jwt.NewNumericDate(exp)}})
	id, err := tk.Verify(token)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if id.UserID != 12 || id.Login != "dee" || !id.ExpiresAt.Equal(exp) {
		t.Fatalf("Verify = %+v", id)
	}
}

// flip changes every character of a base64url piece into another valid one.
func flip(s string) string {
	b := []byte(s)
	for i := range b {
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
	}
	return string(b)
}

// tamperPayload re-encodes the payload with another subject, keeping the
// signature.
func tamperPayload(token string) string {
	parts := strings.Split(token, ".")
	payload, err := jwt.NewParser().DecodeSegment(parts[1])
	if err != nil {
		panic(err)
	}
	forged := strings.Replace(string(payload), `"sub":"7"`, `"sub":"1"`, 1)
	parts[1] = (&jwt.Token{}).EncodeSegment([]byte(forged))
	return strings.Join(parts, ".")
}

// BenchmarkVerify is the token check every WebSocket connect and REST call
// makes.
func BenchmarkVerify(b *testing.B) {
	tk := newTestTokens(b)
	token, _, err := tk.Issue(42, "ann")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tk.Verify(token); err != nil {
			b.Fatal(err)
		}
	}
}
