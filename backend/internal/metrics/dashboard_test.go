package metrics

import (
	"encoding/json"
	"os"
	"regexp"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
)

// dashboardPath is the sample Grafana dashboard, from this package's folder.
const dashboardPath = "../../../docs/grafana-dashboard.json"

// panel is what the test reads of a Grafana panel.
type panel struct {
	ID      int    `json:"id"`
	Type    string `json:"type"`
	Title   string `json:"title"`
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
}

// TestDashboardUsesExposedMetrics keeps docs/grafana-dashboard.json in step
// with the metrics: every series a panel queries must be one this package
// exposes, so a renamed metric cannot leave an empty panel behind.
func TestDashboardUsesExposedMetrics(t *testing.T) {
	raw, err := os.ReadFile(dashboardPath)
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Title  string  `json:"title"`
		UID    string  `json:"uid"`
		Panels []panel `json:"panels"`
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatalf("the dashboard is not valid JSON: %v", err)
	}
	if dash.Title == "" || dash.UID == "" || len(dash.Panels) == 0 {
		t.Fatalf("the dashboard has no title, uid or panels")
	}

	exposed := exposedSeries(t)
	name := regexp.MustCompile(`\b(?:sala|go|process)_[a-z0-9_]+`)
	ids := map[int]bool{}
	queried := map[string]bool{}
	for _, p := range dash.Panels {
		if ids[p.ID] {
			t.Errorf("panel id %d is used twice", p.ID)
		}
		ids[p.ID] = true
		if p.Type == "row" {
			continue
		}
		if p.Title == "" || len(p.Targets) == 0 {
			t.Errorf("panel %d has no title or no query", p.ID)
		}
		for _, target := range p.Targets {
			for _, series := range name.FindAllString(target.Expr, -1) {
				queried[series] = true
				if !exposed[series] {
					t.Errorf("panel %q queries %s, which is not exposed", p.Title, series)
				}
			}
		}
	}
	// The operator's questions each have a panel.
	for _, want := range []string{"sala_connections", "sala_rooms", "sala_messages_in_total", "sala_deliveries_total",
		"sala_slow_consumer_disconnects_total", "sala_store_batch_size_bucket", "sala_store_batch_seconds_bucket",
		"sala_http_request_seconds_bucket", "process_resident_memory_bytes", "go_goroutines",
		"sala_message_ack_seconds_bucket", "sala_goroutine_wait_seconds_bucket"} {
		if !queried[want] {
			t.Errorf("no panel shows %s", want)
		}
	}
}

// exposedSeries gathers the registry, with one observation of each kind so
// that labelled series exist, and returns every series name a query can
// use (a histogram's _bucket, _sum and _count included).
func exposedSeries(t *testing.T) map[string]bool {
	t.Helper()
	m := New(func() int { return 1 })
	m.ObserveHTTP("GET", "/healthz", "OK", time.Millisecond)
	m.Batch(1, time.Millisecond, nil)
	m.Acked(time.Millisecond)
	families, err := m.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, f := range families {
		n := f.GetName()
		out[n] = true
		if f.GetType() == dto.MetricType_HISTOGRAM || f.GetType() == dto.MetricType_SUMMARY {
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				out[n+suffix] = true
			}
		}
	}
	if !out["sala_connections"] {
		t.Fatal("the registry lacks sala_connections")
	}
	return out
}
