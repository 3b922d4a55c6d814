// Package config reads Sala's settings: SALA_* environment variables (a .env
// file is read if present), each also a flag of `sala serve`. Flags win over
// the environment, the environment over the defaults.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
)

// Config is every setting of the server.
type Config struct {
	Addr           string
	DatabaseURL    string
	DataDir        string
	JWTSecret      string
	TokenTTL       time.Duration
	DefaultRoom    string
	RoomGrace      time.Duration
	AllowedOrigins []string
	MsgRate        float64
	MsgBurst       int
	// SignupRate is sign-ups per minute allowed from one client address,
	// with bursts of SignupBurst; 0: no limit.
	SignupRate    float64
	SignupBurst   int
	NATSURL       string
	NATSPrefix    string
	WebDir        string
	LogFormat     string
	LogLevel      string
	ShutdownGrace time.Duration
	// DBTimeout bounds every database call: past it the caller gets
	// unavailable (503, or an error envelope) instead of waiting on a
	// stalled database.
	DBTimeout time.Duration
	// MaxConnsPerAddr caps open WebSockets from one client address (0: no cap).
	MaxConnsPerAddr int
	// UploadMax is the largest file an upload takes, in bytes.
	UploadMax int64
}

// Load parses args (without the subcommand) over the environment env.
func Load(args []string, env func(string) string, stderr io.Writer) (Config, error) {
	var c Config
	var origins, rate, signupRate, maxConns, uploadMax string
	fs := flag.NewFlagSet("sala serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	str := func(p *string, name, envName, def, usage string) {
		if v := env(envName); v != "" {
			def = v
		}
		fs.StringVar(p, name, def, usage+" ("+envName+")")
	}
	str(&c.Addr, "addr", "SALA_ADDR", ":8080", "address to listen on")
	str(&c.DatabaseURL, "database-url", "SALA_DATABASE_URL", "", "postgres://… for PostgreSQL; empty for SQLite in the data dir")
	str(&c.DataDir, "data-dir", "SALA_DATA_DIR", "./data", "directory of the SQLite database and the generated JWT secret")
	str(&c.JWTSecret, "jwt-secret", "SALA_JWT_SECRET", "", "JWT signing secret, 32+ bytes; empty: generated once and kept in the data dir")
	str(&c.DefaultRoom, "default-room", "SALA_DEFAULT_ROOM", "general", "name of the default room")
	str(&origins, "allowed-origins", "SALA_ALLOWED_ORIGINS", "", "comma-separated origins allowed besides the server's own (CORS and WebSocket)")
	str(&rate, "msg-rate", "SALA_MSG_RATE", "20", "messages per second per user, optionally :burst (e.g. 20:40)")
	str(&signupRate, "signup-rate", "SALA_SIGNUP_RATE", "10:20", "sign-ups per minute from one client address, optionally :burst; 0 for no limit")
	str(&maxConns, "max-conns-per-addr", "SALA_MAX_CONNS_PER_ADDR", "500", "open WebSockets allowed from one client address, 0 for no cap")
	str(&uploadMax, "upload-max", "SALA_UPLOAD_MAX", "10MiB", "largest file an upload takes: bytes, or with KiB, MiB or GiB")
	str(&c.NATSURL, "nats-url", "SALA_NATS_URL", "", "NATS server for running several nodes; empty: single node")
	str(&c.NATSPrefix, "nats-prefix", "SALA_NATS_PREFIX", "sala", "names this deployment's NATS stream and buckets: deployments sharing a NATS server need one each")
	str(&c.WebDir, "web-dir", "SALA_WEB_DIR", "", "serve the web app from this directory instead of the embedded one")
	str(&c.LogFormat, "log-format", "SALA_LOG_FORMAT", "auto", "auto (text on a terminal, else JSON), text or json")
	str(&c.LogLevel, "log-level", "SALA_LOG_LEVEL", "info", "debug, info, warn or error")
	dur := func(p *time.Duration, name, envName string, def time.Duration, usage string) error {
		if v := env(envName); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				return fmt.Errorf("%s=%q: not a duration like 10s or 5m", envName, v)
			}
			def = d
		}
		fs.DurationVar(p, name, def, usage+" ("+envName+")")
		return nil
	}
	if err := errors.Join(
		dur(&c.RoomGrace, "room-grace", "SALA_ROOM_GRACE", 10*time.Second, "how long a room outlives its creator's last connection"),
		dur(&c.TokenTTL, "token-ttl", "SALA_TOKEN_TTL", 24*time.Hour, "lifetime of login tokens"),
		dur(&c.ShutdownGrace, "shutdown-grace", "SALA_SHUTDOWN_GRACE", 10*time.Second, "time to drain on SIGTERM"),
		dur(&c.DBTimeout, "db-timeout", "SALA_DB_TIMEOUT", 5*time.Second, "longest a database call may take before the client gets unavailable"),
	); err != nil {
		return c, err
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	var err error
	c.AllowedOrigins = splitList(origins)
	if c.MaxConnsPerAddr, err = strconv.Atoi(maxConns); err != nil || c.MaxConnsPerAddr < 0 {
		return c, fmt.Errorf("SALA_MAX_CONNS_PER_ADDR=%q: want a whole number, 0 for no cap", maxConns)
	}
	if c.UploadMax, err = parseSize("SALA_UPLOAD_MAX", uploadMax); err != nil {
		return c, err
	}
	if c.MsgRate, c.MsgBurst, err = parseRate("SALA_MSG_RATE", rate, false); err != nil {
		return c, err
	}
	if c.SignupRate, c.SignupBurst, err = parseRate("SALA_SIGNUP_RATE", signupRate, true); err != nil {
		return c, err
	}
	return c, c.validate()
}

func (c Config) validate() error {
	var errs []error
	if c.Addr == "" {
		errs = append(errs, errors.New("SALA_ADDR must not be empty"))
	}
	if c.DatabaseURL == "" && c.DataDir == "" {
		errs = append(errs, errors.New("SALA_DATA_DIR must not be empty when SALA_DATABASE_URL is"))
	}
	if c.JWTSecret != "" && len(c.JWTSecret) < 32 {
		errs = append(errs, errors.New("SALA_JWT_SECRET must be at least 32 characters (or empty to generate one)"))
	}
	if c.NATSURL != "" && c.DatabaseURL == "" {
		errs = append(errs, errors.New("SALA_NATS_URL (several nodes) needs SALA_DATABASE_URL: the nodes share one PostgreSQL database"))
	}
	if c.NATSURL != "" && c.JWTSecret == "" {
		errs = append(errs, errors.New("SALA_NATS_URL (several nodes) needs SALA_JWT_SECRET, the same on every node: "+
			"a generated secret is this node's alone, and its tokens would fail on the others"))
	}
	if c.RoomGrace <= 0 || c.TokenTTL <= 0 || c.DBTimeout <= 0 {
		errs = append(errs, errors.New("SALA_ROOM_GRACE, SALA_TOKEN_TTL and SALA_DB_TIMEOUT must be positive"))
	}
	switch c.LogFormat {
	case "auto", "text", "json":
	default:
		errs = append(errs, fmt.Errorf("SALA_LOG_FORMAT=%q: use auto, text or json", c.LogFormat))
	}
	// A level slog can't read would quietly log at info: "warning" would
	// keep every info line an operator meant to silence.
	var level slog.Level
	if level.UnmarshalText([]byte(c.LogLevel)) != nil {
		errs = append(errs, fmt.Errorf("SALA_LOG_LEVEL=%q: use debug, info, warn or error", c.LogLevel))
	}
	// The default room follows the rule of every room: "my room" could not
	// be named in #gR (two arguments) nor in openapi.yaml's RoomName.
	if chat.ValidateRoomName(c.DefaultRoom) != nil {
		errs = append(errs, fmt.Errorf("SALA_DEFAULT_ROOM=%q: a room name is 1–32 letters, digits, - or _", c.DefaultRoom))
	}
	return errors.Join(errs...)
}

// parseRate reads the setting name's value "R" or "R:B" (a rate and a
// burst; the burst defaults to twice the rate). zeroOff allows "0", no limit.
func parseRate(name, s string, zeroOff bool) (float64, int, error) {
	r, b, hasBurst := strings.Cut(s, ":")
	rate, err := strconv.ParseFloat(r, 64)
	if zeroOff && err == nil && rate == 0 && !hasBurst {
		return 0, 0, nil
	}
	if err != nil || rate <= 0 {
		return 0, 0, fmt.Errorf("%s=%q: want a positive rate, optionally :burst (e.g. 20:40)", name, s)
	}
	burst := max(1, int(2*rate))
	if hasBurst {
		if burst, err = strconv.Atoi(b); err != nil || burst < 1 {
			return 0, 0, fmt.Errorf("%s=%q: the burst must be a positive integer", name, s)
		}
	}
	return rate, burst, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseSize reads the setting name's value: a positive number of bytes,
// alone or followed by KiB, MiB or GiB ("10MiB").
func parseSize(name, s string) (int64, error) {
	num, unit := strings.TrimSpace(s), int64(1)
	for suffix, u := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if rest, ok := strings.CutSuffix(num, suffix); ok {
			num, unit = strings.TrimSpace(rest), u
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/unit {
		return 0, fmt.Errorf("%s=%q: want a positive size in bytes, or with KiB, MiB or GiB (e.g. 10MiB)", name, s)
	}
	return n * unit, nil
}
