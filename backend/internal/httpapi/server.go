// Package httpapi is Sala's HTTP surface on Echo: the REST API under
// /api/v1, the WebSocket upgrade, the operational endpoints, the spec and the
// web app. Handlers only bind, validate, call a service and respond.
package httpapi

import (
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/salachat/sala/backend/internal/account"
	"github.com/salachat/sala/backend/internal/auth"
	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/files"
	"github.com/salachat/sala/backend/internal/hub"
	"github.com/salachat/sala/backend/internal/metrics"
	"github.com/salachat/sala/backend/internal/ws"
)

// Deps are what the HTTP layer calls.
type Deps struct {
	Log            *slog.Logger
	Store          chat.Store
	Accounts       *account.Service
	Tokens         *auth.Tokens
	Hub            *hub.Hub
	WS             *ws.Server
	Metrics        *metrics.Metrics
	Files          *files.Service // uploads and the files they serve
	Spec           []byte
	Web            fs.FS    // the built web app (index.html at its root); nil: none
	AllowedOrigins []string // origins besides the server's own allowed for CORS and WebSocket
	BodyLimit      int64    // bytes of a request body; 0: 1 MiB
	// MaxConnsPerAddr caps open WebSockets per client address; 0: no cap.
	MaxConnsPerAddr int
	Now             func() time.Time
}

type server struct {
	Deps
	conns *addrLimiter
}

// New returns the HTTP handler of Sala.
func New(d Deps) *echo.Echo {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.BodyLimit == 0 {
		d.BodyLimit = 1 << 20
	}
	s := &server{Deps: d, conns: newAddrLimiter(d.MaxConnsPerAddr)}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(d.Log)
	// The client address is the socket's: X-Forwarded-For is not trusted, or
	// anyone could dodge the login limit by inventing addresses.
	e.IPExtractor = echo.ExtractIPDirect()
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			d.Log.Error("panic", "path", c.Request().URL.Path, "err", err, "stack", string(stack))
			return err
		},
	}))
	e.Use(s.observe, securityHeaders, bodyLimit(d.BodyLimit))
	if len(d.AllowedOrigins) > 0 {
		e.Use(middleware.CORSWithConfig(middleware.CORSConfig{AllowOrigins: d.AllowedOrigins,
			AllowHeaders: []string{echo.HeaderAuthorization, echo.HeaderContentType}, MaxAge: 600}))
	}
	s.routes(e)
	return e
}

func (s *server) routes(e *echo.Echo) {
	addGet(e, "/healthz", s.healthz)
	addGet(e, "/readyz", s.readyz)
	addGet(e, "/metrics", echo.WrapHandler(s.Metrics.Handler()))
	addGet(e, "/api/openapi.yaml", s.spec)
	s.docsRoutes(e) // /docs: the API reference page

	// No group middleware: Echo would route unknown paths through it and
	// answer 404 where 405 is right.
	v1 := e.Group("/api/v1")
	v1.POST("/auth/signup", s.signup)
	v1.POST("/auth/login", s.login)
	addGet(v1, "/time", s.time)
	addGet(v1, "/commands", s.commands)
	addGet(v1, "/ws", s.websocket) // authenticates itself: the token may come in the query

	addGet(v1, "/me", s.me, s.authenticate)
	addGet(v1, "/users", s.users, s.authenticate)
	addGet(v1, "/rooms", s.rooms, s.authenticate)
	addGet(v1, "/rooms/:name/messages", s.roomHistory, s.authenticate)
	v1.POST("/rooms/:name/messages", s.postRoomMessage, s.authenticate)
	addGet(v1, "/dm/:login/messages", s.privateHistory, s.authenticate)
	v1.POST("/dm/:login/messages", s.postPrivateMessage, s.authenticate)
	v1.PATCH("/messages/:id", s.editMessage, s.authenticate)
	v1.DELETE("/messages/:id", s.deleteMessage, s.authenticate)
	v1.POST("/messages/:id/reactions", s.reactToMessage, s.authenticate)
	v1.PUT("/rooms/:name/read", s.readRoom, s.authenticate)
	v1.PUT("/dm/:login/read", s.readPrivate, s.authenticate)
	addGet(v1, "/unread", s.unread, s.authenticate)
	addGet(v1, "/mentions", s.mentions, s.authenticate)
	v1.POST(uploadsPath, s.upload, s.authenticate) // its body is bounded by SALA_UPLOAD_MAX, not BodyLimit
	addGet(v1, "/files/:id", s.file)               // authenticates itself: a signed link, or a bearer token
	addGet(v1, "/search", s.search, s.authenticate)

	if s.Web != nil {
		addGet(e, "/*", s.webApp)
	}
}

// router is where routes are added: the server or a group of it.
type router interface {
	Match(methods []string, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) []*echo.Route
}

// addGet adds a GET route that answers HEAD too, as RFC 9110 asks of every GET
// resource (uptime monitors and curl -I use it): the handler runs as for a
// GET and net/http drops the body of a HEAD response.
func addGet(r router, path string, h echo.HandlerFunc, m ...echo.MiddlewareFunc) {
	r.Match([]string{http.MethodGet, http.MethodHead}, path, h, m...)
}

// observe logs each request (path only: the query may hold a token) and
// records its latency by route.
func (s *server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		took := time.Since(start)
		status := c.Response().Status
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		s.Metrics.ObserveHTTP(c.Request().Method, route, strconv.Itoa(status), took)
		s.Log.Debug("http", "method", c.Request().Method, "path", c.Request().URL.Path,
			"status", status, "took", took, "ip", c.RealIP())
		return nil
	}
}

// bodyLimit refuses a body over limit bytes: at once when its length is
// declared, else when reading passes the limit, through http.MaxBytesReader,
// whose *http.MaxBytesError bindJSON reports as payload_too_large (a chunked
// body gives no length to check first).
func bodyLimit(limit int64) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			r := c.Request()
			if c.Path() == "/api/v1"+uploadsPath {
				return next(c) // an upload streams, bounded by its own limit (see upload)
			}
			if r.ContentLength > limit {
				return chat.Errorf(chat.EPayloadTooLarge, "The body is larger than %d bytes.", limit)
			}
			r.Body = http.MaxBytesReader(c.Response(), r.Body, limit)
			return next(c)
		}
	}
}

// securityHeaders sets the headers every response carries: no sniffing, no
// framing, no referrer, and a CSP that lets the web app load only its own
// scripts and talk only to its own origin.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "+
			"img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		return next(c)
	}
}
