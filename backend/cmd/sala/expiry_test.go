package main

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/salachat/sala/backend/internal/chat"
)

// tokenExpiringAt re-signs login's token (from signup) with the server's
// secret so that it expires at exp.
func (s *testServer) tokenExpiringAt(t *testing.T, token string, exp time.Time) string {
	t.Helper()
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, claims); err != nil {
		t.Fatal(err)
	}
	claims["exp"] = float64(exp.UnixMilli()) / 1000 // a NumericDate may carry a fraction
	short, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(readSecret(t, s.cfg.DataDir))
	if err != nil {
		t.Fatal(err)
	}
	return short
}

// A WebSocket whose token expires is closed with 4001 at the expiry, not
// at the next keepalive round: a connection that outlived its token could
// still send and receive private messages.
func TestWebSocketClosesWhenItsTokenExpires(t *testing.T) {
	s := startServer(t, "", t.TempDir())
	token := s.signup("alice")
	exp := time.Now().Add(2 * time.Second)
	alice := s.dial("alice", s.tokenExpiringAt(t, token, exp), "")
	alice.nextType("joined")
	if code := alice.closeStatus(); code != chat.CloseTokenExpired {
		t.Fatalf("closed with %d, want %d", code, chat.CloseTokenExpired)
	}
	if late := time.Since(exp); late > 500*time.Millisecond {
		t.Errorf("closed %v after the token expired", late)
	}
}
