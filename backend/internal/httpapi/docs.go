package httpapi

import (
	"bytes"
	"embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

// docsFiles is the API reference page: Redoc's standalone bundle, vendored
// from npm (docs/README.md says which version and how to update it), and a
// page that points it at /api/openapi.yaml.
//
//go:embed docs/index.html docs/redoc.standalone.js
var docsFiles embed.FS

// docsScript is the path the page loads the bundle from.
const docsScript = "/docs/redoc.standalone.js"

// redocLogo is the one thing the bundle fetches from elsewhere: the logo of
// its "API docs by Redocly" link. It is served as an empty data: URL, which
// Redoc's onError hides, so the page makes no request off this server (the
// CSP would block it anyway, with an error in the console).
var redocLogo = []byte("https://cdn.redoc.ly/redoc/logo-mini.svg")

// docsRoutes serves the API reference at /docs.
func (s *server) docsRoutes(e *echo.Echo) {
	addGet(e, "/docs", docsFile("docs/index.html", echo.MIMETextHTMLCharsetUTF8, "no-cache"), docsCSP)
	addGet(e, docsScript, docsFile("docs/redoc.standalone.js", "text/javascript; charset=utf-8", "public, max-age=86400"), docsCSP)
}

func docsFile(name, contentType, cacheControl string) echo.HandlerFunc {
	data, err := docsFiles.ReadFile(name)
	if err != nil {
		panic(err) // embedded at build time: cannot be missing
	}
	data = bytes.ReplaceAll(data, redocLogo, []byte("data:,"))
	return func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", cacheControl)
		return c.Blob(http.StatusOK, contentType, data)
	}
}

// docsCSP relaxes the Content-Security-Policy for the reference page only:
// Redoc builds its search index in a Web Worker it starts from a blob: URL.
// Everything else stays as securityHeaders sets it for the whole server:
// scripts and data from this origin only.
func docsCSP(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; "+
			"style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "+
			"worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		return next(c)
	}
}
