package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

// TestRepeatedErrorsAreFolded: an error logged 1,000 times in a burst is
// written once, and the next one after the interval says how many were left
// out; other messages and info records are not held back.
func TestRepeatedErrorsAreFolded(t *testing.T) {
	var out bytes.Buffer
	clock := newTestClock()
	log := foldRepeats(slog.New(slog.NewJSONHandler(&out, nil)), repeatInterval, clock.now).With("node", "n1")
	for i := range 1000 {
		log.Error("store message batch", "size", i, "err", errors.New("database or disk is full"))
		log.Info("http", "status", 503)
	}
	log.Warn("readiness: database not ready")
	clock.advance(repeatInterval)
	log.Error("store message batch", "size", 1)

	var errorsWritten, infos int
	var last map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		switch rec["msg"] {
		case "store message batch":
			errorsWritten++
			last = rec
		case "http":
			infos++
		}
	}
	if errorsWritten != 2 || infos != 1000 {
		t.Errorf("wrote %d errors and %d infos, want 2 and 1000", errorsWritten, infos)
	}
	if last["repeated"] != 999.0 || last["node"] != "n1" {
		t.Errorf("the error after the interval: %v, want repeated 999 and the logger's attributes", last)
	}
	if !strings.Contains(out.String(), "readiness: database not ready") {
		t.Error("another message was held back")
	}
}
