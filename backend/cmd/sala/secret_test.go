package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readSecret reads the JWT secret the server generated in its data dir.
func readSecret(t *testing.T, dataDir string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dataDir, "jwt-secret"))
	if err != nil {
		t.Fatalf("read generated secret: %v", err)
	}
	return []byte(strings.TrimSpace(string(b)))
}
