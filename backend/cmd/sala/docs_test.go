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
