package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/salachat/sala/backend/api"
	"github.com/salachat/sala/backend/internal/account"
	"github.com/salachat/sala/backend/internal/auth"
	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/config"
	"github.com/salachat/sala/backend/internal/files"
	"github.com/salachat/sala/backend/internal/httpapi"
	"github.com/salachat/sala/backend/internal/hub"
	"github.com/salachat/sala/backend/internal/metrics"
	"github.com/salachat/sala/backend/internal/natsbus"
	"github.com/salachat/sala/backend/internal/store"
	"github.com/salachat/sala/backend/internal/web"
	"github.com/salachat/sala/backend/internal/ws"
)

// Main is the running server: the one place where Sala's packages are wired
// together. End-to-end tests drive it directly through Run and Close.
type Main struct {
	Config config.Config
	Log    *slog.Logger
	// HashParams are argon2id's costs; tests may lower them to keep many
	// signups fast, production uses auth.OWASPParams.
	HashParams auth.HashParams
	// Now is the clock of the login and signup limits (nil: time.Now);
	// tests move it instead of sleeping.
	Now func() time.Time
	// ReadHeaderTimeout bounds how long a client may take to send its
	// request headers (slowloris); tests shorten it.
	ReadHeaderTimeout time.Duration
	// Cluster tunes this node's membership of a cluster when
	// Config.NATSURL is set (URL and Log are filled in); tests give each
	// cluster a NATS prefix of its own and shorter heartbeats.
	Cluster natsbus.Config

	store  chat.Store
	blobs  files.Blobs
	links  *files.Links       // signs the links of files
	sweep  context.CancelFunc // stops the files' sweeper
	swept  chan struct{}      // closed when the sweeper has stopped
	bus    *natsbus.Bus
	seq    *store.Sequencer
	hub    *hub.Hub
	server *http.Server
	ln     net.Listener
	served chan error
}

// NewMain returns a server for cfg that has not started. Its log writes a
// repeated warning or error once per repeatInterval, with a count.
func NewMain(cfg config.Config, log *slog.Logger) *Main {
	return &Main{Config: cfg, Log: foldRepeats(log, repeatInterval, time.Now), HashParams: auth.OWASPParams,
		ReadHeaderTimeout: 10 * time.Second}
}

// Run opens the database, starts the hub and listens. It returns once the
// server accepts connections.
func (m *Main) Run(ctx context.Context) (err error) {
	cfg := m.Config
	m.Log.Info("opening database", "db", store.Describe(cfg.DatabaseURL, cfg.DataDir))
	if m.store, err = store.Open(ctx, cfg.DatabaseURL, cfg.DataDir, cfg.DBTimeout); err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	secret, err := auth.LoadOrCreateSecret(cfg.JWTSecret, cfg.DataDir)
	if err != nil {
		return err
	}
	tokens, err := auth.NewTokens(secret, cfg.TokenTTL, nil)
	if err != nil {
		return err
	}
	uploads, err := m.openFiles(ctx, secret)
	if err != nil {
		return err
	}
	limits := account.DefaultLimits(cfg.SignupRate, cfg.SignupBurst, m.Now)
	accounts, err := account.NewService(m.store, tokens, m.HashParams, limits)
	if err != nil {
		return err
	}
	hcfg := hub.DefaultConfig()
	hcfg.DefaultRoom, hcfg.RoomGrace, hcfg.MsgRate, hcfg.MsgBurst = cfg.DefaultRoom, cfg.RoomGrace, cfg.MsgRate, cfg.MsgBurst
	hcfg.StoreTimeout = cfg.DBTimeout
	if store.IsPostgres(cfg.DatabaseURL) {
		// One node or several, commits take PostgreSQL's turn (see
		// store.Sequencer): it orders a batch the write path stopped
		// waiting for before the next one.
		if m.seq, err = store.OpenSequencer(ctx, cfg.DatabaseURL); err != nil {
			return err
		}
		hcfg.Sequencer = files.LinkedSequencer(m.seq, m.links)
	}
	if cfg.NATSURL != "" {
		if err := m.joinCluster(ctx); err != nil {
			return err
		}
		hcfg.Cluster = m.bus
	}
	met := metrics.New(func() int { return m.hub.RoomCount() }) // read at scrape time
	m.hub = hub.New(hcfg, m.store, m.Log, met)
	if err := m.hub.Start(ctx); err != nil {
		return err
	}
	webFS, err := m.webApp()
	if err != nil {
		return err
	}
	handler := httpapi.New(httpapi.Deps{
		Log: m.Log, Store: m.store, Accounts: accounts, Tokens: tokens, Hub: m.hub,
		WS: ws.NewServer(m.hub, m.Log, met), Metrics: met, Spec: api.Spec, Web: webFS, Files: uploads,
		AllowedOrigins: cfg.AllowedOrigins, MaxConnsPerAddr: cfg.MaxConnsPerAddr,
	})
	m.server = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: m.ReadHeaderTimeout, // slowloris: headers must arrive promptly
		ReadTimeout:       30 * time.Second,    // and bodies too (WebSockets clear it)
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(m.Log.Handler(), slog.LevelWarn),
	}
	if m.ln, err = net.Listen("tcp", cfg.Addr); err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	m.served = make(chan error, 1)
	go func() { m.served <- m.server.Serve(m.ln) }()
	m.startPprof() // opt-in profiler on loopback (SALA_PPROF_ADDR), for benchmarks
	m.Log.Info("sala is serving", "addr", m.ln.Addr().String(), "web_app", webFS != nil)
	return nil
}

// sweepInterval is how often the files' sweeper looks for files to remove.
const sweepInterval = time.Minute

// openFiles opens where files live (a folder of the data directory on
// SQLite, PostgreSQL itself when several nodes may share it), makes every
// message leave the store with signed links to its files, and starts the
// sweeper. It returns the uploads service.
func (m *Main) openFiles(ctx context.Context, secret []byte) (*files.Service, error) {
	cfg := m.Config
	raw := m.store
	if store.IsPostgres(cfg.DatabaseURL) {
		pg, err := files.OpenPostgres(ctx, cfg.DatabaseURL)
		if err != nil {
			return nil, err
		}
		m.blobs = pg
	} else {
		dir, err := files.NewDir(filepath.Join(cfg.DataDir, "files"))
		if err != nil {
			return nil, err
		}
		m.blobs = dir
	}
	m.links = files.NewLinks(secret, m.Now)
	m.store = files.Linked(raw, m.links)
	sweeper := files.NewSweeper(raw, m.blobs, m.Now, m.Log)
	sweepCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	m.sweep, m.swept = cancel, make(chan struct{})
	go func() {
		defer close(m.swept)
		sweeper.Run(sweepCtx, sweepInterval)
	}()
	return files.NewService(raw, m.blobs, m.links, cfg.UploadMax, m.Now), nil
}

// joinCluster connects to NATS: with SALA_NATS_URL set this process is one
// node of several sharing PostgreSQL.
func (m *Main) joinCluster(ctx context.Context) (err error) {
	if m.seq == nil {
		return fmt.Errorf("SALA_NATS_URL is set: several nodes need PostgreSQL, not %s",
			store.Describe(m.Config.DatabaseURL, m.Config.DataDir))
	}
	bc := m.Cluster
	bc.URL, bc.Log = m.Config.NATSURL, m.Log
	if bc.Prefix == "" { // tests give each cluster a prefix of its own
		bc.Prefix = m.Config.NATSPrefix
	}
	if m.bus, err = natsbus.Open(ctx, bc); err != nil {
		return err
	}
	m.Log.Info("joining the cluster", "nats", m.Config.NATSURL, "node", m.bus.Node())
	return nil
}

// webApp picks the web app: SALA_WEB_DIR if set, else the embedded build.
func (m *Main) webApp() (fs.FS, error) {
	if dir := m.Config.WebDir; dir != "" {
		if _, err := os.Stat(dir + "/index.html"); err != nil {
			return nil, fmt.Errorf("SALA_WEB_DIR=%s has no index.html: %w", dir, err)
		}
		return os.DirFS(dir), nil
	}
	return web.Embedded(), nil
}

// Addr is the address the server listens on (useful with port 0).
func (m *Main) Addr() string { return m.ln.Addr().String() }

// Close drains the server: it stops accepting, closes WebSockets with 1001
// so clients reconnect elsewhere or later, stores every message already
// accepted, and closes the database.
func (m *Main) Close(ctx context.Context) error {
	var errs []error
	if m.server != nil {
		if err := m.server.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("http shutdown: %w", err))
		}
		if err := <-m.served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	if m.hub != nil {
		if err := m.hub.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if m.sweep != nil {
		m.sweep()
		<-m.swept
	}
	if c, ok := m.blobs.(io.Closer); ok {
		if err := c.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close files: %w", err))
		}
	}
	if m.bus != nil { // after the hub: its last broadcasts went out
		if err := m.bus.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if m.seq != nil {
		if err := m.seq.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if m.store != nil {
		if err := m.store.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close database: %w", err))
		}
	}
	return errors.Join(errs...)
}

// newLogger logs text to a terminal and JSON elsewhere (or as configured).
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	format := cfg.LogFormat
	if format == "auto" {
		format = "json"
		if f, ok := w.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				format = "text"
			}
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
