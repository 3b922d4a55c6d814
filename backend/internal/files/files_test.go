package files_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/files"
	"github.com/salachat/sala/backend/internal/store/storetest"
)

// TestServedType: what a browser would render as a page, or does not
// know, is served as application/octet-stream; images, documents and
// plain text keep the type sniffed from their bytes.
func TestServedType(t *testing.T) {
	for content, want := range map[string]string{
		"<!DOCTYPE html><p>hi":                     "application/octet-stream",
		"<?xml version='1.0'?><svg/>":              "application/octet-stream",
		"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR":      "image/png",
		"GIF89a\x01\x00\x01\x00":                   "image/gif",
		"%PDF-1.7\n":                               "application/pdf",
		"plain words":                              "text/plain; charset=utf-8",
		"\x00\x01\x02\x03 binary":                  "application/octet-stream",
		"RIFF\x00\x00\x00\x00WEBPVP8 ":             "image/webp",
		"PK\x03\x04 a zip":                         "application/zip",
		"<script>alert(1)</script>":                "application/octet-stream",
		"\xef\xbb\xbf<html>with a byte order mark": "text/plain; charset=utf-8", // never rendered: nosniff
	} {
		if got := files.ServedType(http.DetectContentType([]byte(content))); got != want {
			t.Errorf("%.20q served as %q, want %q", content, got, want)
		}
	}
	for ct, inline := range map[string]bool{"image/png": true, "image/webp": true, "application/pdf": false,
		"application/octet-stream": false, "text/plain; charset=utf-8": false} {
		d := files.Disposition(chat.Upload{Name: "a b.png", ContentType: ct})
		if strings.HasPrefix(d, "inline") != inline || !strings.Contains(d, `filename="a b.png"`) {
			t.Errorf("disposition of %s: %q", ct, d)
		}
	}
}

func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{
		"report.pdf": "report.pdf", `C:\Users\x\shot.png`: "shot.png", "../../etc/passwd": "passwd",
		"a\x00b\nc.txt": "abc.txt", "": "file", "..": "file", "  ": "file", "ümlaut ✓.txt": "ümlaut ✓.txt",
		strings.Repeat("é", 300): strings.Repeat("é", 255), "bad\xffutf8": "badutf8",
	} {
		if got := files.CleanName(in); got != want {
			t.Errorf("CleanName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLinks: a link works until its expiry, one to two hours after it
// was made, and only for the file and time it was signed for.
func TestLinks(t *testing.T) {
	at := time.Date(2026, 12, 7, 14, 30, 0, 0, time.UTC)
	clock := func() time.Time { return at }
	l := files.NewLinks([]byte("a secret of at least thirty-two bytes"), clock)
	url := l.URL("abc")
	exp, sig := query(t, url, "exp"), query(t, url, "sig")
	if err := l.Check("abc", exp, sig); err != nil {
		t.Errorf("a fresh link: %v", err)
	}
	if l.URL("abc") != url {
		t.Errorf("two links within the hour differ: browsers would not cache them")
	}
	for what, err := range map[string]error{
		"another file":   l.Check("abd", exp, sig),
		"another expiry": l.Check("abc", "9999999999", sig),
		"no signature":   l.Check("abc", exp, ""),
		"another secret": files.NewLinks([]byte("another secret of thirty-two bytes!!"), clock).Check("abc", exp, sig),
	} {
		if chat.ErrorCode(err) != chat.EInvalidLink {
			t.Errorf("%s: %v, want invalid_link", what, err)
		}
	}
	at = at.Add(89 * time.Minute) // 15:59: still before its end at 16:00
	if err := l.Check("abc", exp, sig); err != nil {
		t.Errorf("at 15:59: %v", err)
	}
	at = at.Add(time.Minute)
	if err := l.Check("abc", exp, sig); chat.ErrorCode(err) != chat.EInvalidLink {
		t.Errorf("at 16:00: %v, want invalid_link", err)
	}
}

func query(t *testing.T, url, key string) string {
	t.Helper()
	_, q, _ := strings.Cut(url, "?")
	for kv := range strings.SplitSeq(q, "&") {
		if k, v, _ := strings.Cut(kv, "="); k == key {
			return v
		}
	}
	t.Fatalf("%s has no %s", url, key)
	return ""
}

// TestBlobs runs the same cases on both Blobs: a file reads back whole and
// from any offset; a failed Put keeps nothing; Delete is idempotent.
func TestBlobs(t *testing.T) {
	t.Run("dir", func(t *testing.T) {
		d, err := files.NewDir(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		testBlobs(t, d)
	})
	t.Run("postgres", func(t *testing.T) {
		url := storetest.PostgresURL(t)
		storetest.Open(t, url, "") // migrates the schema
		p, err := files.OpenPostgres(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Close() })
		testBlobs(t, p)
	})
}

func testBlobs(t *testing.T, b files.Blobs) {
	ctx := t.Context()
	content := make([]byte, 600<<10+7) // over two chunks of PostgreSQL's
	for i := range content {
		content[i] = byte(i * 7)
	}
	// One byte a read: Put must not count on full reads.
	n, err := b.Put(ctx, "f1", iotest.OneByteReader(bytes.NewReader(content[:3000])))
	if err != nil || n != 3000 {
		t.Fatalf("put one byte at a time: %d, %v", n, err)
	}
	if n, err = b.Put(ctx, "f2", bytes.NewReader(content)); err != nil || n != int64(len(content)) {
		t.Fatalf("put: %d, %v", n, err)
	}
	if _, err := b.Put(ctx, "empty", bytes.NewReader(nil)); err != nil {
		t.Fatalf("put an empty file: %v", err)
	}
	f, err := b.Open(ctx, "f2")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := iotest.TestReader(f, content); err != nil { // reads, seeks, ReadAt-free
		t.Errorf("reading f2: %v", err)
	}
	if f.Size() != int64(len(content)) {
		t.Errorf("size %d", f.Size())
	}
	e, err := b.Open(ctx, "empty")
	if err != nil || e.Size() != 0 {
		t.Errorf("empty file: %v", err)
	} else if got, _ := io.ReadAll(e); len(got) != 0 {
		t.Errorf("empty file read %d bytes", len(got))
	}

	// A client gone, and a multipart body cut short (io.ErrUnexpectedEOF,
	// which io.ReadFull would take for the end of the file).
	for _, cause := range []error{errors.New("client gone"), io.ErrUnexpectedEOF} {
		broken := io.MultiReader(bytes.NewReader(content[:1000]), iotest.ErrReader(cause))
		if _, err := b.Put(ctx, "f3", broken); err == nil {
			t.Errorf("a read failing with %v stored the file", cause)
		}
		if _, err := b.Open(ctx, "f3"); !errors.Is(err, files.ErrNotExist) {
			t.Errorf("open after a put failing with %v: %v", cause, err)
		}
	}
	for range 2 {
		if err := b.Delete(ctx, "f2"); err != nil {
			t.Errorf("delete: %v", err)
		}
	}
	if _, err := b.Open(context.Background(), "f2"); !errors.Is(err, files.ErrNotExist) {
		t.Errorf("open after delete: %v", err)
	}
}
