package main

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// scrape reads /metrics into series → value; a series is its name and
// labels as exposed (`name` or `name{a="b"}`).
func (s *testServer) scrape() map[string]float64 {
	s.t.Helper()
	r := s.request("GET", "/metrics", "", nil)
	out := map[string]float64{}
	for _, line := range strings.Split(string(r.body), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			s.t.Fatalf("metrics line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

// sum adds up every series of a metric whose labels match the regexp.
func sum(series map[string]float64, name, labels string) (float64, bool) {
	re := regexp.MustCompile(`^` + regexp.QuoteMeta(name) + `(\{.*` + labels + `.*\})?$`)
	total, found := 0.0, false
	for k, v := range series {
		if re.MatchString(k) {
			total, found = total+v, true
		}
	}
	return total, found
}

// TestMetricsMoveUnderTraffic checks that every metric the README and the
// Grafana dashboard use is exposed, and that each moves with real traffic:
// connections, rooms, messages in, stored, acknowledged and delivered,
// frames, group-commit batches and HTTP latency by route. (Slow-consumer disconnects move in
// TestSlowConsumerIsDisconnected.)
func TestMetricsMoveUnderTraffic(t *testing.T) {
	s := startServer(t, "", t.TempDir())
	s.signup("warmup") // HTTP series appear with their first request
	before := s.scrape()
	for _, name := range []string{
		"sala_connections", "sala_connections_total", "sala_rooms", "sala_messages_in_total",
		"sala_messages_stored_total", "sala_deliveries_total", "sala_frames_out_total", "sala_envelopes_out_total",
		"sala_slow_consumer_disconnects_total", "sala_store_batch_size_bucket", "sala_store_batch_size_count",
		"sala_store_batch_seconds_bucket", "sala_store_batch_errors_total", "sala_http_request_seconds_bucket",
		"sala_message_ack_seconds_bucket", "go_goroutines", "sala_goroutine_wait_seconds_bucket",
		"process_resident_memory_bytes",
	} {
		if _, ok := sum(before, name, ""); !ok {
			t.Errorf("metric %s is not exposed", name)
		}
	}

	const perClient = 10
	cs := s.join("alice", "bob")
	for i := range perClient {
		for _, c := range cs {
			c.say(fmt.Sprint(c.login, i), fmt.Sprint("traffic ", i))
		}
	}
	for _, c := range cs {
		c.messages(2 * perClient)
	}
	cs[0].say("room", "#cR metered")
	cs[0].next("joined metered", isType("joined", "room", "metered"))

	// Deliveries and frames are counted just after they happen: poll.
	deadline := time.Now().Add(5 * time.Second)
	for {
		after := s.scrape()
		growth := func(name, labels string) float64 {
			a, _ := sum(after, name, labels)
			b, _ := sum(before, name, labels)
			return a - b
		}
		checks := []struct {
			what      string
			got, want float64
		}{
			{"sala_connections", after["sala_connections"], 2},
			{"sala_rooms", after["sala_rooms"], 2},
			{"connections accepted", growth("sala_connections_total", ""), 2},
			{"messages in (sends and commands)", growth("sala_messages_in_total", ""), 2*perClient + 1},
			{"messages stored", growth("sala_messages_stored_total", ""), 2 * perClient},
			{"deliveries (messages out)", growth("sala_deliveries_total", ""), 2 * 2 * perClient},
			{"envelopes out (messages, acks, …)", growth("sala_envelopes_out_total", ""), 3 * 2 * perClient},
			{"messages acknowledged (ack latency observations)", growth("sala_message_ack_seconds_count", ""), 2 * perClient},
		}
		failed := ""
		for _, c := range checks {
			if c.got < c.want {
				failed += fmt.Sprintf("%s = %v, want ≥ %v\n", c.what, c.got, c.want)
			}
		}
		for _, name := range []string{"sala_frames_out_total", "sala_store_batch_size_count", "sala_store_batch_seconds_count"} {
			if growth(name, "") <= 0 {
				failed += name + " did not move\n"
			}
		}
		// code is the numeric status, so that an alert can match code=~"5..".
		if growth("sala_http_request_seconds_count", `code="201".*route="/api/v1/auth/signup"`) < 2 {
			failed += "sala_http_request_seconds_count{code=\"201\"} of /api/v1/auth/signup did not count the two signups\n"
		}
		if after["go_goroutines"] <= 0 || after["process_resident_memory_bytes"] <= 0 {
			failed += "runtime gauges are zero\n"
		}
		if failed == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics did not move with the traffic:\n%s", failed)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// Closing both connections brings the gauge back to zero.
	for _, c := range cs {
		c.conn.CloseNow()
	}
	for deadline := time.Now().Add(5 * time.Second); s.scrape()["sala_connections"] != 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("sala_connections stayed at %v after the clients left", s.scrape()["sala_connections"])
		}
	}
}

func TestHealthcheckCommand(t *testing.T) {
	s := startServer(t, "", t.TempDir())
	addr := s.m.Addr()
	env := func(k string) string { return map[string]string{"SALA_ADDR": addr}[k] }
	var out strings.Builder
	if code := run(context.Background(), []string{"healthcheck"}, env, &out, &out); code != 0 || out.String() != "ok\n" {
		t.Errorf("healthcheck of a live server: exit %d, %q", code, out.String())
	}
	s.stop()
	out.Reset()
	if code := run(context.Background(), []string{"healthcheck", "-url", "http://" + addr + "/healthz"}, env, &out, &out); code != 1 || !strings.Contains(out.String(), "unhealthy") {
		t.Errorf("healthcheck of a stopped server: exit %d, %q", code, out.String())
	}
	for addr, want := range map[string]string{":8080": "http://127.0.0.1:8080/healthz",
		"0.0.0.0:9000": "http://127.0.0.1:9000/healthz", "[::]:80": "http://127.0.0.1:80/healthz",
		"10.0.0.5:8080": "http://10.0.0.5:8080/healthz"} {
		if got := healthURL(addr); got != want {
			t.Errorf("healthURL(%q) = %q, want %q", addr, got, want)
		}
	}
}
