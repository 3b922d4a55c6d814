package main

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestBackupWhileServing copies a running server's SQLite database and
// secret; a server on the copy has the accounts, the history up to the
// backup, and accepts the tokens issued before it.
func TestBackupWhileServing(t *testing.T) {
	dataDir := t.TempDir()
	s := startServer(t, "", dataDir)
	token := s.signup("bea")
	pic := pngImage(t, 4, 4)
	up := s.mustUpload(token, "pic.png", pic)
	for _, text := range []string{"before the backup", "also before"} {
		if r := s.request("POST", "/api/v1/rooms/general/messages", token, map[string]any{"text": text,
			"attachments": []string{up.ID}}); r.status != http.StatusCreated {
			t.Fatalf("post: %d %s", r.status, r.body)
		}
	}
	dir := filepath.Join(t.TempDir(), "backup")
	var out bytes.Buffer
	if code := run(context.Background(), []string{"backup", "-data-dir", dataDir, dir}, func(string) string { return "" }, &out, &out); code != 0 {
		t.Fatalf("backup: exit %d: %s", code, out.String())
	}
	s.request("POST", "/api/v1/rooms/general/messages", token, map[string]any{"text": "after the backup"})

	restored := startServer(t, "", dir)
	r := restored.request("GET", "/api/v1/rooms/general/messages", token, nil)
	if r.status != http.StatusOK || !strings.Contains(string(r.body), "also before") || strings.Contains(string(r.body), "after the backup") {
		t.Errorf("history on the copy: %d %s", r.status, r.body)
	}
	restored.wantFile("the file on the copy", filePath(up.ID), token, pic, "image/png", "inline")

	out.Reset()
	if code := run(context.Background(), []string{"backup", "-data-dir", dataDir, dir}, func(string) string { return "" }, &out, &out); code != 1 ||
		!strings.Contains(out.String(), "must not exist") {
		t.Errorf("backup into an existing directory: exit %d: %s", code, out.String())
	}
	out.Reset()
	pg := func(k string) string {
		if k == "SALA_DATABASE_URL" {
			return "postgres://nobody@127.0.0.1:1/none"
		}
		return ""
	}
	if code := run(context.Background(), []string{"backup", filepath.Join(t.TempDir(), "b")}, pg, &out, &out); code != 1 ||
		!strings.Contains(out.String(), "pg_dump") {
		t.Errorf("backup of PostgreSQL: exit %d: %s", code, out.String())
	}
}
