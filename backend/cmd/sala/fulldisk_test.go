package main

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// smallDisk mounts a tmpfs of size bytes on a new directory and returns
// it, unmounted when the test ends (after the server that uses it stops).
// It skips when this is not root or mounting is not allowed here.
func smallDisk(t *testing.T, size int) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small disk needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("mount a tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// fill writes a file in dir until the disk is full, and returns it.
func fill(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	block := make([]byte, 4096)
	for {
		if _, err := f.Write(block); errors.Is(err, syscall.ENOSPC) {
			return path
		} else if err != nil {
			t.Fatal(err)
		}
	}
}

// TestFullDisk: SQLite on a full disk answers reads but refuses writes.
// /readyz says not ready and why, the failing batches are logged once per
// interval rather than once each, and all is well again once space is made.
func TestFullDisk(t *testing.T) {
	disk := smallDisk(t, 4<<20)
	logs := &syncBuffer{}
	s := startServer(t, "", disk, withLogs(logs))
	alice := s.join("alice")[0]
	alice.say("m0", "before")
	alice.next("ack", isType("ack", "id", "m0"))

	filler := fill(t, disk)
	text := strings.Repeat("full disk ", 400)
	failed, firstFailed := 0, ""
	for i := 1; i <= 400 && failed < 50; i++ {
		id := fmt.Sprint("m", i)
		alice.say(id, text)
		e := alice.next("answer to "+id, func(e envelope) bool { return e.str("id") == id && (e.typ() == "ack" || e.typ() == "error") })
		if e.typ() == "error" {
			if e.str("code") != "unavailable" {
				t.Fatalf("a write on a full disk: %v, want unavailable", e)
			}
			if failed == 0 {
				firstFailed = id
			}
			failed++
		}
	}
	if failed == 0 {
		t.Fatal("no write failed on the full disk")
	}
	r := s.request("GET", "/readyz", "", nil)
	if r.status != http.StatusServiceUnavailable || !strings.Contains(string(r.body), "refuses writes") ||
		!strings.Contains(string(r.body), "full") {
		t.Errorf("/readyz on a full disk: %d %s, want 503 saying writes are refused for a full disk", r.status, r.body)
	}
	if r := s.request("GET", "/api/v1/rooms/general/messages?limit=1", alice.token, nil); r.status != http.StatusOK {
		t.Errorf("reads on a full disk: %d %s", r.status, r.body)
	}
	if n := strings.Count(logs.String(), `"msg":"store message batch"`); n > 2 {
		t.Errorf("%d failed batches logged %d times, want once per interval", failed, n)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	// The client retries its pending message; the write passing tells the
	// store the disk takes writes again.
	alice.say(firstFailed, text)
	alice.next("ack once space is made", isType("ack", "id", firstFailed))
	if r := s.request("GET", "/readyz", "", nil); r.status != http.StatusOK {
		t.Errorf("/readyz once a write passed again: %d %s", r.status, r.body)
	}
	t.Logf("%d writes failed on the full disk; /readyz said %s", failed, r.body)
}
