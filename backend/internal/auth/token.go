package auth

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/salachat/sala/backend/internal/chat"
)

// Issuer is the iss claim of every Sala token.
const Issuer = "sala"

// Tokens issues and verifies HS256 JWTs. The algorithm is pinned: a token
// signed with anything else (none, RS256 with the secret as a "public key",
// …) is refused.
type Tokens struct {
	secret []byte
	ttl    time.Duration
	now    func() time.Time
}

// Claims are the claims of a Sala token: the subject is the user id, Login is
// carried for logs and clients.
type Claims struct {
	Login string `json:"login"`
	jwt.RegisteredClaims
}

// NewTokens returns a Tokens with a secret of at least 32 bytes.
func NewTokens(secret []byte, ttl time.Duration, now func() time.Time) (*Tokens, error) {
	if len(secret) < 32 {
		return nil, fmt.Errorf("auth: the JWT secret must be at least 32 bytes, got %d", len(secret))
	}
	if now == nil {
		now = time.Now
	}
	return &Tokens{secret: secret, ttl: ttl, now: now}, nil
}

// Issue returns a signed token for user and its expiry.
func (t *Tokens) Issue(userID int64, login string) (string, time.Time, error) {
	now := t.now()
	exp := now.Add(t.ttl)
	claims := Claims{Login: login, RegisteredClaims: jwt.RegisteredClaims{
		Issuer:    Issuer,
		Subject:   strconv.FormatInt(userID, 10),
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)),
		ExpiresAt: jwt.NewNumericDate(exp),
	}}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(t.secret)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("auth: sign token: %w", err)
	}
	return signed, exp, nil
}

// Identity is who a verified token speaks for.
type Identity struct {
	UserID    int64
	Login     string
	ExpiresAt time.Time
}

// Verify checks a token's signature, algorithm, issuer and expiry. Every
// failure is the same unauthorized error: callers learn nothing about why.
func (t *Tokens) Verify(token string) (Identity, error) {
	var claims Claims
	_, err := jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return t.secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(Issuer),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(t.now),
	)
	if err != nil {
		return Identity{}, chat.Errorf(chat.EUnauthorized, "invalid or expired token")
	}
	id, err := strconv.ParseInt(claims.Subject, 10, 64)
	if err != nil || id <= 0 {
		return Identity{}, chat.Errorf(chat.EUnauthorized, "invalid or expired token")
	}
	return Identity{UserID: id, Login: claims.Login, ExpiresAt: claims.ExpiresAt.Time}, nil
}

// LoadOrCreateSecret returns the configured secret, or the one kept in
// dataDir/jwt-secret, generating and saving it (mode 0600) the first time:
// tokens then survive restarts without anyone choosing a secret.
func LoadOrCreateSecret(configured, dataDir string) ([]byte, error) {
	if configured != "" {
		return []byte(configured), nil
	}
	path := filepath.Join(dataDir, "jwt-secret")
	if b, err := os.ReadFile(path); err == nil {
		return []byte(strings.TrimSpace(string(b))), nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("auth: read %s: %w", path, err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("auth: generate secret: %w", err)
	}
	secret := hex.EncodeToString(raw)
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("auth: create data dir: %w", err)
	}
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("auth: write %s: %w", path, err)
	}
	return []byte(secret), nil
}
