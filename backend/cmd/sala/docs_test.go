package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestDocsRenderInChromium loads /docs in headless Chromium and checks that
// Redoc rendered the spec: every operation of openapi.yaml has its section
// in the page. It runs CHROMIUM_PATH or chromium, and skips where there is
// none, except under CI=true.
func TestDocsRenderInChromium(t *testing.T) {
	browser := os.Getenv("CHROMIUM_PATH") // as the web and mobile end-to-end tests
	if browser == "" {
		browser = "chromium"
	}
	browser, err := exec.LookPath(browser)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed: CI must run the browser check of /docs")
		}
		t.Skip("chromium is not installed (apt-get install chromium): /docs not rendered")
	}
	s := startServer(t, "", t.TempDir())
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	// The network flags keep Chromium from calling home on a closed network;
	// the virtual time budget lets Redoc fetch the spec and render it.
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update",
		"--disable-sync", "--user-data-dir="+t.TempDir(), "--virtual-time-budget=15000", "--dump-dom", s.base+"/docs")
	dom, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	page := string(dom)
	if strings.Contains(page, "Something went wrong") || !strings.Contains(page, "Sala API") {
		t.Fatalf("/docs did not render the spec:\n%.2000s", page)
	}
	for path, item := range s.spec.Paths.Map() {
		for method, op := range item.Operations() {
			if !strings.Contains(page, `"operation/`+op.OperationID+`"`) {
				t.Errorf("%s %s (%s) is not on the rendered page", method, path, op.OperationID)
			}
		}
	}
}

// TestReadmeCurlWalkthrough runs the README's "Try it with curl" commands as
// written (only the address changed) against a fresh server: the first thing
// a new user types must work, and the README must not drift from the API.
func TestReadmeCurlWalkthrough(t *testing.T) {
	// curl is what the walkthrough teaches: a machine that runs the tests
	// has it (.ci/run installs it where it is missing).
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatal("curl is not installed (apt-get install curl): the README's walkthrough needs it")
	}
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	script := shellBlockAfter(t, string(readme), "## Try it with curl")
	s := startServer(t, "", t.TempDir())
	script = strings.ReplaceAll(script, "localhost:8080", strings.TrimPrefix(s.base, "http://"))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", script)
	cmd.Dir = t.TempDir() // the files it makes (an upload's) stay out of the source tree
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the walkthrough failed: %v\n%s", err, out)
	}
	got := string(out)
	if strings.Contains(got, `"error"`) {
		t.Errorf("a command of the walkthrough answered an error:\n%s", got)
	}
	for _, want := range []string{`"token"`, `"text":"hola desde curl"`, `"text":"a note to myself"`,
		`"login":"ada"`, `"name":"general"`, `"server_time"`, `"kind":"edited"`, `"text":"hola desde curl, editado"`,
		`"kind":"reaction"`, `"users":["ada"]`, `{"type":"read","room":"general","message_id":`,
		`{"unread":[{"room":"general","count":0,"mentions":0,"last_read":`, `{"mentions":[],"has_more":false}`,
		`"attachments":[{"id":`, `"name":"plan.txt"`, "the plan: ship on Friday", `"terms":["curl","edit"]`,
		`"has_newer":false`} {
		if !strings.Contains(got, want) {
			t.Errorf("the walkthrough's output lacks %s:\n%s", want, got)
		}
	}
}

// shellBlockAfter is the first ```sh block after heading in a Markdown text.
func shellBlockAfter(t *testing.T, markdown, heading string) string {
	t.Helper()
	_, rest, ok := strings.Cut(markdown, "\n"+heading+"\n")
	if !ok {
		t.Fatalf("no %q section", heading)
	}
	_, rest, ok = strings.Cut(rest, "```sh\n")
	block, _, closed := strings.Cut(rest, "\n```")
	if !ok || !closed {
		t.Fatalf("no sh block under %q", heading)
	}
	return block
}
