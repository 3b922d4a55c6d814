package httpapi

import (
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/salachat/sala/backend/api"
	"github.com/salachat/sala/backend/internal/metrics"
)

// TestEveryRouteIsInTheSpec keeps openapi.yaml and the router in step: a
// route added without documenting it fails here.
func TestEveryRouteIsInTheSpec(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(api.Spec)
	if err != nil {
		t.Fatal(err)
	}
	e := New(Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: metrics.New(func() int { return 0 })})
	param := regexp.MustCompile(`:(\w+)`)
	for _, r := range e.Routes() {
		if r.Path == "/*" || r.Method == "echo_route_any" || r.Method == "RouteNotFound" {
			continue // the web app's catch-all and Echo's internal routes
		}
		path := param.ReplaceAllString(r.Path, "{$1}")
		item := doc.Paths.Value(path)
		method := r.Method
		if method == http.MethodHead {
			method = http.MethodGet // the spec documents HEAD once, for every GET (info.description)
		}
		if item == nil || item.GetOperation(method) == nil {
			t.Errorf("%s %s is served but not in openapi.yaml", r.Method, path)
		}
	}
}
