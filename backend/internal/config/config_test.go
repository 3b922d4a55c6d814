package config

import (
	"io"
	"strings"
	"testing"
)

func load(env map[string]string, args ...string) (Config, error) {
	return Load(args, func(k string) string { return env[k] }, io.Discard)
}

func TestDefaults(t *testing.T) {
	c, err := load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.DefaultRoom != "general" || c.LogLevel != "info" || c.MsgRate != 20 || c.MsgBurst != 40 ||
		c.SignupRate != 10 || c.SignupBurst != 20 {
		t.Errorf("defaults: %+v", c)
	}
}

// A value Sala can't use stops it at start-up with the variable's name,
// rather than running with something else than the operator wrote.
func TestRefusesWhatItCannotUse(t *testing.T) {
	for _, tc := range []struct{ name, value, says string }{
		{"SALA_MSG_RATE", "abc", "SALA_MSG_RATE"},
		{"SALA_MSG_RATE", "0", "SALA_MSG_RATE"},
		{"SALA_SIGNUP_RATE", "-1", "SALA_SIGNUP_RATE"},
		{"SALA_SIGNUP_RATE", "5:0", "SALA_SIGNUP_RATE"},
		{"SALA_ROOM_GRACE", "10", "SALA_ROOM_GRACE"},
		{"SALA_TOKEN_TTL", "0s", "SALA_TOKEN_TTL"},
		{"SALA_MAX_CONNS_PER_ADDR", "-5", "SALA_MAX_CONNS_PER_ADDR"},
		{"SALA_JWT_SECRET", "short", "SALA_JWT_SECRET"},
		{"SALA_LOG_FORMAT", "xml", "SALA_LOG_FORMAT"},
		{"SALA_LOG_LEVEL", "warning", `SALA_LOG_LEVEL="warning"`},
		{"SALA_LOG_LEVEL", "verbose", `SALA_LOG_LEVEL="verbose"`},
		{"SALA_DEFAULT_ROOM", "my room", `SALA_DEFAULT_ROOM="my room"`},
		{"SALA_DEFAULT_ROOM", strings.Repeat("x", 33), "SALA_DEFAULT_ROOM"},
	} {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			_, err := load(map[string]string{tc.name: tc.value})
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("err = %v, want one naming %s", err, tc.says)
			}
		})
	}
}

func TestAcceptsEveryDocumentedValue(t *testing.T) {
	for _, env := range []map[string]string{
		{"SALA_LOG_LEVEL": "debug"}, {"SALA_LOG_LEVEL": "warn"}, {"SALA_LOG_LEVEL": "ERROR"},
		{"SALA_DEFAULT_ROOM": "Lobby_2-x"}, {"SALA_MSG_RATE": "20:40"}, {"SALA_MAX_CONNS_PER_ADDR": "0"},
		{"SALA_SIGNUP_RATE": "0"}, {"SALA_SIGNUP_RATE": "2:5"},
	} {
		if _, err := load(env); err != nil {
			t.Errorf("%v: %v", env, err)
		}
	}
}
