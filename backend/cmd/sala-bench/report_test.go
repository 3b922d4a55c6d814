package main

import (
	"strings"
	"testing"
)

// TestStepTableRowsMatchItsColumns: in the generated table of every step,
// the separator, a step's row and an idle scenario's row each have one cell
// per column, so adding a figure cannot shift the ones after it.
func TestStepTableRowsMatchItsColumns(t *testing.T) {
	runs := []*Result{
		{Scenario: "S1", Rooms: 1, Steps: []Step{{Rate: 100, P99ms: 12.5, ServerAckP99ms: 3.5, SchedP99ms: 8}}},
		{Scenario: "S3", Rooms: 100, Idle: &IdleStats{Seconds: 30, Open: 19500, RSSAfterMiB: 237}},
	}
	doc := markdownSection(machine{}, "", nil, runs, nil, "", false)
	header := "| " + strings.Join(stepColumns, " | ") + " |"
	lines := strings.Split(doc, "\n")
	at := -1
	for i, l := range lines {
		if l == header {
			at = i
		}
	}
	if at < 0 {
		t.Fatalf("no step table headed %q in:\n%s", header, doc)
	}
	table := lines[at : at+4] // header, separator, S1's step, S3 idle
	for _, l := range table[1:] {
		if cells := strings.Count(l, "|") - 1; cells != len(stepColumns) {
			t.Errorf("%d cells, want %d: %s", cells, len(stepColumns), l)
		}
	}
	if !strings.HasPrefix(table[2], "| S1 | ") || !strings.HasPrefix(table[3], "| S3 (idle 30 s) | 19500 | 100 | 0 | — |") ||
		!strings.HasSuffix(table[3], "| 237 | 0.00 |") {
		t.Errorf("rows out of place:\n%s", strings.Join(table, "\n"))
	}
}
