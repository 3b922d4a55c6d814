package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestServeWithNoConfiguration runs `sala serve` through its real entry
// point in an empty directory with an empty environment, as `make run` does
// on a fresh checkout (only the port is chosen, since 8080 may be taken).
func TestServeWithNoConfiguration(t *testing.T) {
	t.Chdir(t.TempDir())
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	var stderr bytes.Buffer
	exited := make(chan int)
	go func() {
		exited <- run(ctx, []string{"serve", "-addr", addr}, func(string) string { return "" }, os.Stdout, &stderr)
	}()
	var status int
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if res, err := http.Get("http://" + addr + "/healthz"); err == nil {
			status = res.StatusCode
			res.Body.Close()
			break
		}
	}
	if status != http.StatusOK {
		t.Fatalf("/healthz: %d\n%s", status, stderr.String())
	}
	for _, f := range []string{"data/sala.db", "data/jwt-secret"} {
		if _, err := os.Stat(filepath.Join(".", f)); err != nil {
			t.Errorf("%s not created: %v", f, err)
		}
	}
	cancel() // as SIGTERM does
	if code := <-exited; code != 0 {
		t.Errorf("exit code %d after shutdown\n%s", code, stderr.String())
	}
}

func TestUnknownCommandAndBadConfig(t *testing.T) {
	var out bytes.Buffer
	if code := run(context.Background(), []string{"nope"}, func(string) string { return "" }, &out, &out); code != 2 {
		t.Errorf("unknown command exit %d", code)
	}
	env := map[string]string{"SALA_ROOM_GRACE": "soon"}
	out.Reset()
	if code := run(context.Background(), []string{"serve"}, func(k string) string { return env[k] }, &out, &out); code != 1 ||
		!bytes.Contains(out.Bytes(), []byte("SALA_ROOM_GRACE")) {
		t.Errorf("bad config: exit %d, %s", code, out.String())
	}
	// A node of a cluster on SQLite, or with a secret of its own, would fail
	// its users in ways that show only later: it does not start.
	env = map[string]string{"SALA_NATS_URL": "nats://127.0.0.1:4222"}
	out.Reset()
	if code := run(context.Background(), []string{"serve"}, func(k string) string { return env[k] }, &out, &out); code != 1 ||
		!bytes.Contains(out.Bytes(), []byte("needs SALA_DATABASE_URL")) || !bytes.Contains(out.Bytes(), []byte("needs SALA_JWT_SECRET")) {
		t.Errorf("cluster without database and secret: exit %d, %s", code, out.String())
	}
}
