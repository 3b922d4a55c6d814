package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/salachat/sala/backend/api"
	"github.com/salachat/sala/backend/internal/config"
)

// testServer is a real Sala server on a loopback port, with a fresh
// database, and the spec its responses are checked against.
type testServer struct {
	t      *testing.T
	m      *Main
	cfg    config.Config
	base   string // http://127.0.0.1:port
	spec   *openapi3.T
	router routers.Router

	logTo             io.Writer        // when set, debug logs go here instead of stderr
	readHeaderTimeout time.Duration    // when set, replaces Main's default
	now               func() time.Time // when set, the clock of the login and signup limits

	checkedMu sync.Mutex
	checked   map[string]int // envelopes validated, by type
}

// option adjusts a test server before it starts.
type option func(*testServer)

// withConfig changes the server's configuration.
func withConfig(f func(*config.Config)) option { return func(s *testServer) { f(&s.cfg) } }

// withLogs sends the server's debug logs to w.
func withLogs(w io.Writer) option { return func(s *testServer) { s.logTo = w } }

// withClock gives the login and signup limits the clock now.
func withClock(now func() time.Time) option { return func(s *testServer) { s.now = now } }

// withReadHeaderTimeout shortens the slowloris timeout.
func withReadHeaderTimeout(d time.Duration) option {
	return func(s *testServer) { s.readHeaderTimeout = d }
}

// startServer starts Sala on databaseURL/dataDir (as WithAllDatabaseURLs
// gives them).
func startServer(t *testing.T, databaseURL, dataDir string, opts ...option) *testServer {
	t.Helper()
	cfg, err := config.Load(nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Addr, cfg.DatabaseURL, cfg.DataDir = "127.0.0.1:0", databaseURL, dataDir
	cfg.MsgRate, cfg.MsgBurst = 1000, 2000
	cfg.SignupRate = 0 // tests sign up many users from one address; TestSignupRateLimit sets one
	s := &testServer{t: t, cfg: cfg, checked: map[string]int{}}
	for _, o := range opts {
		o(s)
	}
	s.start()
	s.loadSpec()
	t.Cleanup(func() { s.stop() })
	return s
}

// remoteServer is the harness for a server that runs elsewhere (a process
// the test started): requests and clients, no lifecycle.
func remoteServer(t *testing.T, addr string) *testServer {
	t.Helper()
	s := &testServer{t: t, base: "http://" + addr, checked: map[string]int{}}
	s.loadSpec()
	return s
}

func (s *testServer) start() {
	s.t.Helper()
	level := slog.LevelWarn
	if os.Getenv("SALA_TEST_LOG") != "" {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	if s.logTo != nil {
		log = slog.New(slog.NewJSONHandler(s.logTo, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	s.m = NewMain(s.cfg, log)
	s.m.Now = s.now
	if s.readHeaderTimeout > 0 {
		s.m.ReadHeaderTimeout = s.readHeaderTimeout
	}
	if err := s.m.Run(context.Background()); err != nil {
		s.t.Fatalf("start server: %v", err)
	}
	s.cfg.Addr = s.m.Addr() // a restart reuses the port
	s.base = "http://" + s.m.Addr()
}

func (s *testServer) stop() {
	if s.m == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.m.Close(ctx); err != nil {
		s.t.Errorf("stop server: %v", err)
	}
	s.m = nil
}

// restart stops the server gracefully and starts it again on the same
// port and database.
func (s *testServer) restart() {
	s.t.Helper()
	s.stop()
	s.start()
}

func (s *testServer) loadSpec() {
	s.t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.Spec)
	if err != nil {
		s.t.Fatalf("load openapi.yaml: %v", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		s.t.Fatalf("openapi.yaml is invalid: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: s.base}}
	if s.router, err = legacy.NewRouter(doc); err != nil {
		s.t.Fatalf("openapi router: %v", err)
	}
	s.spec = doc
}

// response is a finished HTTP exchange.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// errorCode returns error.code of an error body.
func (r response) errorCode(t *testing.T) string {
	var e struct {
		Error struct {
			Code   string            `json:"code"`
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	r.json(t, &e)
	return e.Error.Code
}

func (r response) errorFields(t *testing.T) map[string]string {
	var e struct {
		Error struct {
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	r.json(t, &e)
	return e.Error.Fields
}

// fieldErrors returns error.field_errors of an error body.
func (r response) fieldErrors(t *testing.T) map[string]map[string]any {
	var e struct {
		Error struct {
			FieldErrors map[string]map[string]any `json:"field_errors"`
		} `json:"error"`
	}
	r.json(t, &e)
	return e.Error.FieldErrors
}

// request sends a request and validates the response against openapi.yaml.
// body may be nil, a []byte (sent as is with contentType) or a value to
// encode as JSON.
func (s *testServer) request(method, path, token string, body any, header ...string) response {
	s.t.Helper()
	return s.requestVia(http.DefaultClient, method, path, token, body, header...)
}

// fromAddr is an HTTP client whose connections come from ip, a loopback
// address other than 127.0.0.1: another client address to the server.
func fromAddr(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
}

// requestVia is request through client.
func (s *testServer) requestVia(client *http.Client, method, path, token string, body any, header ...string) response {
	s.t.Helper()
	var rd io.Reader
	contentType := "application/json"
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case io.Reader: // sent chunked: http.NewRequest knows the length of a []byte only
		rd = b
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			s.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, s.base+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := client.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	r := response{status: res.StatusCode, header: res.Header, body: raw}
	s.validate(req, r)
	return r
}

// requestChunked posts a JSON body of n bytes without a Content-Length
// (Transfer-Encoding: chunked), so the server only learns its size by reading.
func (s *testServer) requestChunked(method, path, token string, n int) response {
	s.t.Helper()
	body := io.MultiReader(strings.NewReader(`{"first_name":"`), io.LimitReader(zeros{}, int64(n)), strings.NewReader(`"}`))
	return s.requestVia(http.DefaultClient, method, path, token, body)
}

// zeros reads as an endless run of the digit 0.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '0'
	}
	return len(p), nil
}

// validate checks a response against the spec's operation and status.
func (s *testServer) validate(req *http.Request, r response) {
	s.t.Helper()
	route, params, err := s.router.FindRoute(req)
	if err != nil {
		if r.status == http.StatusNotFound || r.status == http.StatusMethodNotAllowed {
			s.checkErrorShape(r)
			return // a path the spec doesn't have must fail with the error shape
		}
		s.t.Fatalf("%s %s is not in openapi.yaml: %v", req.Method, req.URL.Path, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: r.status,
		Header: r.header, Body: io.NopCloser(bytes.NewReader(r.body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		s.t.Fatalf("%s %s → %d does not match openapi.yaml: %v\nbody: %s", req.Method, req.URL.Path, r.status, err, r.body)
	}
}

func (s *testServer) checkErrorShape(r response) {
	s.t.Helper()
	schema := s.spec.Components.Schemas["ErrorResponse"].Value
	var v any
	if err := json.Unmarshal(r.body, &v); err != nil {
		s.t.Fatalf("error body is not JSON: %s", r.body)
	}
	if err := schema.VisitJSON(v); err != nil {
		s.t.Fatalf("error body %s does not match ErrorResponse: %v", r.body, err)
	}
}

// signup creates a user named login and returns its token.
func (s *testServer) signup(login string) string {
	s.t.Helper()
	r := s.request("POST", "/api/v1/auth/signup", "", map[string]any{
		"first_name": strings.ToUpper(login[:1]) + login[1:], "last_name": "Tester", "login": login,
		"password": "password-" + login, "age": 30, "gender": "other"})
	if r.status != http.StatusCreated {
		s.t.Fatalf("signup %s: %d %s", login, r.status, r.body)
	}
	var out struct{ Token string }
	r.json(s.t, &out)
	return out.Token
}

// envelope is a decoded server envelope.
type envelope map[string]any

func (e envelope) str(k string) string { s, _ := e[k].(string); return s }
func (e envelope) num(k string) int64  { f, _ := e[k].(float64); return int64(f) }
func (e envelope) typ() string         { return e.str("type") }

// wsClient is a real WebSocket client that checks every envelope it gets
// against openapi.yaml and lets tests wait for the ones they expect.
type wsClient struct {
	t      *testing.T
	srv    *testServer
	login  string
	token  string
	conn   *websocket.Conn
	raw    net.Conn // the TCP connection under it, to cut it like a dropped network
	mu     sync.Mutex
	cond   *sync.Cond
	buf    []envelope
	closed error
	frames int
}

// dial connects as login with token; query is appended to the URL.
func (s *testServer) dial(login, token, query string) *wsClient {
	s.t.Helper()
	c, err := s.tryDial(login, token, query, nil)
	if err != nil {
		s.t.Fatalf("dial %s: %v", login, err)
	}
	return c
}

func (s *testServer) tryDial(login, token, query string, header http.Header) (*wsClient, error) {
	c := &wsClient{t: s.t, srv: s, login: login, token: token}
	c.cond = sync.NewCond(&c.mu)
	transport := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		c.raw = conn
		return conn, err
	}}
	url := "ws://" + strings.TrimPrefix(s.base, "http://") + "/api/v1/ws?token=" + token
	if query != "" {
		url += "&" + query
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, res, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPClient: &http.Client{Transport: transport}, HTTPHeader: header})
	if err != nil {
		if res != nil {
			return nil, fmt.Errorf("status %d: %w", res.StatusCode, err)
		}
		return nil, err
	}
	conn.SetReadLimit(16 << 20)
	c.conn = conn
	go c.readLoop()
	s.t.Cleanup(func() { conn.CloseNow() })
	return c, nil
}

func (c *wsClient) readLoop() {
	for {
		_, data, err := c.conn.Read(context.Background())
		c.mu.Lock()
		if err != nil {
			c.closed = err
			c.cond.Broadcast()
			c.mu.Unlock()
			return
		}
		c.frames++
		for _, line := range bytes.Split(data, []byte("\n")) {
			var e envelope
			if err := json.Unmarshal(line, &e); err != nil {
				c.t.Errorf("%s got a non-JSON envelope %q", c.login, line)
				continue
			}
			c.srv.checkEnvelope(e)
			c.buf = append(c.buf, e)
		}
		c.cond.Broadcast()
		c.mu.Unlock()
	}
}

// checkEnvelope validates a server envelope against its schema in the spec:
// the first few hundred of each type, so load tests stay fast.
func (s *testServer) checkEnvelope(e envelope) {
	s.checkedMu.Lock()
	s.checked[e.typ()]++
	enough := s.checked[e.typ()] > 300
	s.checkedMu.Unlock()
	if enough {
		return
	}
	name := map[string]string{"welcome": "WelcomeEnvelope", "joined": "JoinedEnvelope", "message": "MessageEnvelope",
		"private": "PrivateEnvelope", "update": "UpdateEnvelope", "typing": "TypingEnvelope", "ack": "AckEnvelope", "pong": "PongEnvelope", "rooms": "RoomsEnvelope", "rooms_changed": "RoomsChangedEnvelope",
		"users": "UsersEnvelope", "event": "EventEnvelope", "help": "HelpEnvelope", "error": "ErrorEnvelope",
		"read": "ReadEnvelope", "mention": "MentionEnvelope"}[e.typ()]
	ref := s.spec.Components.Schemas[name]
	if ref == nil {
		s.t.Errorf("envelope type %q is not in openapi.yaml", e.typ())
		return
	}
	if err := ref.Value.VisitJSON(map[string]any(e)); err != nil {
		s.t.Errorf("envelope %v does not match %s: %v", e, name, err)
	}
}

// send writes one envelope.
func (c *wsClient) send(v any) {
	c.t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		c.t.Fatal(err)
	}
	c.sendRaw(websocket.MessageText, raw)
}

func (c *wsClient) sendRaw(typ websocket.MessageType, raw []byte) {
	c.t.Helper()
	if err := c.trySend(typ, raw); err != nil {
		c.t.Fatalf("%s write: %v", c.login, err)
	}
}

// trySend writes a frame and returns the error, for goroutines and for
// connections that are expected to go away.
func (c *wsClient) trySend(typ websocket.MessageType, raw []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return c.conn.Write(ctx, typ, raw)
}

// say sends text (a message or a command) with client id id.
func (c *wsClient) say(id, text string) {
	c.send(map[string]any{"type": "send", "id": id, "text": text})
}

// next waits for the first buffered or incoming envelope that matches, and
// removes it from the buffer; the others stay for later calls.
func (c *wsClient) next(what string, match func(envelope) bool) envelope {
	c.t.Helper()
	e, err := c.waitFor(5*time.Second, match)
	if err != nil {
		c.t.Fatalf("%s: waiting for %s: %v; buffered: %v", c.login, what, err, c.pending())
	}
	return e
}

func (c *wsClient) waitFor(timeout time.Duration, match func(envelope) bool) (envelope, error) {
	deadline := time.Now().Add(timeout)
	timer := time.AfterFunc(timeout, func() { c.mu.Lock(); c.cond.Broadcast(); c.mu.Unlock() })
	defer timer.Stop()
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		for i, e := range c.buf {
			if match(e) {
				c.buf = append(c.buf[:i:i], c.buf[i+1:]...)
				return e, nil
			}
		}
		if c.closed != nil {
			return nil, fmt.Errorf("connection closed: %w", c.closed)
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("timed out")
		}
		c.cond.Wait()
	}
}

func (c *wsClient) pending() []envelope {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]envelope(nil), c.buf...)
}

// drop removes every buffered envelope of type typ: the periodic rooms push
// must not be mistaken for the answer to a #lR sent afterwards.
func (c *wsClient) drop(typ string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf = slices.DeleteFunc(c.buf, func(e envelope) bool { return e.typ() == typ })
}

// nextType waits for the next envelope of type typ.
func (c *wsClient) nextType(typ string) envelope {
	c.t.Helper()
	return c.next(typ, func(e envelope) bool { return e.typ() == typ })
}

// closeStatus waits for the connection to end and returns its close code.
func (c *wsClient) closeStatus() websocket.StatusCode {
	c.t.Helper()
	_, err := c.waitFor(10*time.Second, func(envelope) bool { return false })
	if err == nil || !strings.Contains(err.Error(), "connection closed") {
		c.t.Fatalf("%s: connection still open: %v", c.login, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return websocket.CloseStatus(c.closed)
}

// isType matches envelopes of type typ whose field k equals v.
func isType(typ, k string, v any) func(envelope) bool {
	return func(e envelope) bool {
		if e.typ() != typ {
			return false
		}
		if f, ok := v.(int64); ok {
			return e.num(k) == f
		}
		return e[k] == v
	}
}
