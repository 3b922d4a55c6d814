package httpapi

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/salachat/sala/backend/api"
	"github.com/salachat/sala/backend/internal/metrics"
)

func get(t *testing.T, h http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec
}

// TestDocsPage checks the API reference: the page loads the vendored Redoc
// bundle from this server and points it at the spec, the bundle is served as
// JavaScript, and only these routes get the relaxed Content-Security-Policy.
func TestDocsPage(t *testing.T) {
	e := New(Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: metrics.New(func() int { return 0 }), Spec: api.Spec})

	page := get(t, e, "/docs")
	body := page.Body.String()
	if page.Code != http.StatusOK || !strings.HasPrefix(page.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("/docs: %d %s", page.Code, page.Header().Get("Content-Type"))
	}
	for _, want := range []string{`<script src="` + docsScript + `"></script>`, `spec-url="/api/openapi.yaml"`} {
		if !strings.Contains(body, want) {
			t.Errorf("/docs lacks %s:\n%s", want, body)
		}
	}
	if strings.Contains(body, "http://") || strings.Contains(body, "https://") {
		t.Errorf("/docs loads something from another origin:\n%s", body)
	}

	script := get(t, e, docsScript)
	if script.Code != http.StatusOK || !strings.HasPrefix(script.Header().Get("Content-Type"), "text/javascript") {
		t.Fatalf("%s: %d %s", docsScript, script.Code, script.Header().Get("Content-Type"))
	}
	if js := script.Body.String(); len(js) < 500_000 || !strings.Contains(js, `getAttribute("spec-url")`) {
		t.Errorf("%s is not the Redoc standalone bundle (%d bytes)", docsScript, len(js))
	} else if strings.Contains(js, "cdn.redoc.ly") {
		t.Errorf("%s still fetches its logo from cdn.redoc.ly", docsScript)
	}

	spec := get(t, e, "/api/openapi.yaml")
	if !strings.Contains(spec.Body.String(), "\n  /docs:\n") {
		t.Errorf("the spec does not document /docs")
	}

	for _, rec := range []*httptest.ResponseRecorder{page, script} {
		csp := rec.Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, "worker-src 'self' blob:") || !strings.Contains(csp, "script-src 'self';") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("docs CSP: %s", csp)
		}
		if rec.Header().Get("X-Content-Type-Options") != "nosniff" || rec.Header().Get("X-Frame-Options") != "DENY" {
			t.Errorf("docs lost the other security headers: %v", rec.Header())
		}
	}
	if csp := get(t, e, "/healthz").Header().Get("Content-Security-Policy"); strings.Contains(csp, "blob:") {
		t.Errorf("the relaxed CSP leaked to other routes: %s", csp)
	}
}
