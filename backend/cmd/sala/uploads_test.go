package main

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"io/fs"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salachat/sala/backend/internal/config"
	"github.com/salachat/sala/backend/internal/files"
	"github.com/salachat/sala/backend/internal/store/storetest"
)

// multipartBody is a multipart/form-data body with content as the part
// "file" named name, and its Content-Type.
func multipartBody(t *testing.T, name string, content []byte) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	w, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(content)
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), mw.FormDataContentType()
}

// upload posts content as a file named name.
func (s *testServer) upload(token, name string, content []byte) response {
	s.t.Helper()
	body, ct := multipartBody(s.t, name, content)
	return s.request("POST", "/api/v1/uploads", token, body, "Content-Type", ct)
}

// uploaded is an upload's (or an attachment's) JSON.
type uploaded struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
	URL         string `json:"url"`
	Width       int    `json:"width"`
	Height      int    `json:"height"`
}

// mustUpload uploads content and returns the upload.
func (s *testServer) mustUpload(token, name string, content []byte) uploaded {
	s.t.Helper()
	r := s.upload(token, name, content)
	if r.status != http.StatusCreated {
		s.t.Fatalf("upload %s: %d %s", name, r.status, r.body)
	}
	var u uploaded
	r.json(s.t, &u)
	return u
}

// attachmentsOf reads the attachments of a message envelope.
func attachmentsOf(t *testing.T, e envelope) []uploaded {
	t.Helper()
	list, _ := e["attachments"].([]any)
	out := make([]uploaded, 0, len(list))
	for _, a := range list {
		m := a.(map[string]any)
		u := uploaded{ID: m["id"].(string), Name: m["name"].(string), Size: int64(m["size"].(float64)),
			ContentType: m["content_type"].(string), URL: m["url"].(string)}
		if w, ok := m["width"].(float64); ok {
			u.Width, u.Height = int(w), int(m["height"].(float64))
		}
		out = append(out, u)
	}
	return out
}

// sendFiles sends text with attachments and returns the answer: the
// message as the sender got it back, or the error.
func (c *wsClient) sendFiles(id, text string, ids ...string) envelope {
	c.t.Helper()
	c.send(map[string]any{"type": "send", "id": id, "text": text, "attachments": ids})
	ack := c.next("ack "+id, func(e envelope) bool { return e["id"] == id && (e.typ() == "ack" || e.typ() == "error") })
	if ack.typ() == "error" {
		return ack
	}
	return c.next("own "+id, func(e envelope) bool {
		return (e.typ() == "message" || e.typ() == "private") && e.num("id") == ack.num("message_id")
	})
}

// pngImage is a w×h PNG.
func pngImage(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// wantFile fetches path (a file's url) with token (may be empty) and checks
// it serves content with contentType and a disposition of kind.
func (s *testServer) wantFile(what, path, token string, content []byte, contentType, kind string) {
	s.t.Helper()
	r := s.request("GET", path, token, nil)
	switch {
	case r.status != http.StatusOK:
		s.t.Errorf("%s: %d %s", what, r.status, r.body)
	case !bytes.Equal(r.body, content):
		s.t.Errorf("%s: served %d bytes, not the %d uploaded", what, len(r.body), len(content))
	case r.header.Get("Content-Type") != contentType:
		s.t.Errorf("%s: Content-Type %q, want %q", what, r.header.Get("Content-Type"), contentType)
	case r.header.Get("X-Content-Type-Options") != "nosniff":
		s.t.Errorf("%s: no nosniff", what)
	case !strings.HasPrefix(r.header.Get("Content-Disposition"), kind):
		s.t.Errorf("%s: Content-Disposition %q, want %s", what, r.header.Get("Content-Disposition"), kind)
	}
}

// wantStatus fetches path with token and checks the status and error code.
func (s *testServer) wantStatus(what, path, token string, status int, code string) {
	s.t.Helper()
	r := s.request("GET", path, token, nil)
	if r.status != status || r.errorCode(s.t) != code {
		s.t.Errorf("%s: %d %s, want %d %s", what, r.status, r.body, status, code)
	}
}

// sweep runs the server's files sweeper at once, on the server's clock.
func (s *testServer) sweep() (int, error) {
	return files.NewSweeper(s.m.store, s.m.blobs, s.m.Now, s.m.Log).Sweep(s.t.Context())
}

// filePath is the path of file id without its signature.
func filePath(id string) string { return "/api/v1/files/" + id }

// TestUploadsAttachedToMessages: a file is uploaded, attached by its
// uploader only, carried by the message live, in history and on resume,
// and served to those who may read the message, by signed link or token.
func TestUploadsAttachedToMessages(t *testing.T) {
	storetest.WithAllDatabaseURLs(t, func(t *testing.T, dbURL, dataDir string) {
		s := startServer(t, dbURL, dataDir)
		cs := s.join("alice", "bob", "carol")
		alice, bob, carol := cs[0], cs[1], cs[2]

		pic := pngImage(t, 3, 2)
		up := s.mustUpload(alice.token, `C:\shots\screen.png`, pic)
		if up.Name != "screen.png" || up.Size != int64(len(pic)) || up.ContentType != "image/png" ||
			up.Width != 3 || up.Height != 2 || !strings.HasPrefix(up.URL, filePath(up.ID)+"?") {
			t.Fatalf("upload: %+v", up)
		}
		// The uploader previews it; no one else sees it before it is sent.
		s.wantFile("alice's preview", up.URL, "", pic, "image/png", "inline")
		s.wantFile("alice's preview by token", filePath(up.ID), alice.token, pic, "image/png", "inline")
		s.wantStatus("bob before it is sent", filePath(up.ID), bob.token, http.StatusNotFound, "file_not_found")

		// Only the uploader attaches it; at most 10; ids that exist.
		wantError(t, "bob attaches alice's upload", bob.sendFiles("b1", "mine", up.ID), "not_upload_owner")
		wantError(t, "an unknown upload", alice.sendFiles("a0", "x", "no-such-upload"), "attachment_not_found")
		eleven := make([]string, 11)
		for i := range eleven {
			eleven[i] = s.mustUpload(alice.token, fmt.Sprint("f", i, ".txt"), []byte(fmt.Sprint("file ", i))).ID
		}
		wantError(t, "11 attachments", alice.sendFiles("a1", "many", eleven...), "too_many_attachments")
		wantError(t, "attachments on #help", alice.sendFiles("a2", "#help", up.ID), "invalid_command")
		r := s.request("POST", "/api/v1/rooms/general/messages", bob.token, map[string]any{"text": "", "attachments": []string{up.ID}})
		if r.status != http.StatusForbidden || r.errorCode(t) != "not_upload_owner" {
			t.Errorf("bob posts alice's upload over REST: %d %s", r.status, r.body)
		}

		// A message of the file alone (and the same id twice counts once).
		msg := alice.sendFiles("a3", "", up.ID, up.ID)
		got := attachmentsOf(t, msg)
		if msg.typ() != "message" || len(got) != 1 || got[0].ID != up.ID || got[0].Width != 3 {
			t.Fatalf("message with a file: %v", msg)
		}
		seen := bob.next("alice's picture", isType("message", "id", msg.num("id")))
		link := attachmentsOf(t, seen)[0].URL
		s.wantFile("bob by the message's link", link, "", pic, "image/png", "inline")
		s.wantFile("carol by token: room messages are everyone's", filePath(up.ID), carol.token, pic, "image/png", "inline")

		// A private message: only its two people read its file.
		doc := []byte("%PDF-1.4\n% a small document\n")
		pdf := s.mustUpload(alice.token, "plan.pdf", doc)
		dm := alice.sendFiles("a4", `#\private bob`, pdf.ID)
		if dm.typ() != "private" || len(attachmentsOf(t, dm)) != 1 {
			t.Fatalf("private with a file: %v", dm)
		}
		got = attachmentsOf(t, bob.next("private", isType("private", "id", dm.num("id"))))
		if got[0].ContentType != "application/pdf" {
			t.Errorf("pdf attachment: %+v", got[0])
		}
		s.wantFile("bob's document", got[0].URL, "", doc, "application/pdf", "attachment")
		s.wantFile("bob's document by token", filePath(pdf.ID), bob.token, doc, "application/pdf", "attachment")
		s.wantStatus("carol by token", filePath(pdf.ID), carol.token, http.StatusNotFound, "file_not_found")
		s.wantStatus("carol with a forged signature", filePath(pdf.ID)+"?exp=9999999999&sig=AAAA", "",
			http.StatusForbidden, "invalid_link")
		s.wantStatus("carol with a link of another file", strings.Replace(got[0].URL, pdf.ID, up.ID, 1), "",
			http.StatusForbidden, "invalid_link")
		s.wantStatus("no link, no token", filePath(pdf.ID), "", http.StatusUnauthorized, "unauthorized")

		// History and resume carry the files, with links.
		var page struct{ Messages []envelope }
		s.request("GET", "/api/v1/rooms/general/messages", carol.token, nil).json(t, &page)
		if len(page.Messages) == 0 || len(attachmentsOf(t, page.Messages[0])) != 1 {
			t.Errorf("room history: %v", page.Messages)
		}
		s.request("GET", "/api/v1/dm/alice/messages", bob.token, nil).json(t, &page)
		if len(page.Messages) == 0 || attachmentsOf(t, page.Messages[0])[0].ID != pdf.ID {
			t.Errorf("private history: %v", page.Messages)
		}
		again := s.dial("bob", bob.token, fmt.Sprintf("last_id=%d&room=general", msg.num("id")-1))
		joined := again.next("resumed joined", isType("joined", "room", "general"))
		hist, _ := joined["history"].([]any)
		if len(hist) == 0 || len(attachmentsOf(t, envelope(hist[0].(map[string]any)))) != 1 {
			t.Errorf("resumed history: %v", joined)
		}
		if p := again.next("resumed private", isType("private", "id", dm.num("id"))); len(attachmentsOf(t, p)) != 1 {
			t.Errorf("resumed private: %v", p)
		}

		// Over REST: a message with a file and a text.
		r = s.request("POST", "/api/v1/rooms/general/messages", alice.token,
			map[string]any{"text": "again", "attachments": []string{eleven[0]}})
		if r.status != http.StatusCreated {
			t.Fatalf("REST post with a file: %d %s", r.status, r.body)
		}
		var posted envelope
		r.json(t, &posted)
		if got := attachmentsOf(t, posted); len(got) != 1 || got[0].ContentType != "text/plain; charset=utf-8" {
			t.Errorf("REST post: %s", r.body)
		}

		// Deleting the only message that carries a file removes it: served
		// no more at once, its bytes gone at the next sweep. A file another
		// message still carries stays.
		r = s.request("DELETE", fmt.Sprint("/api/v1/messages/", msg.num("id")), alice.token, nil)
		if r.status != http.StatusOK {
			t.Fatalf("delete: %d %s", r.status, r.body)
		}
		s.wantStatus("bob's old link after the deletion", link, "", http.StatusNotFound, "file_not_found")
		s.wantStatus("carol by token after the deletion", filePath(up.ID), carol.token, http.StatusNotFound, "file_not_found")
		if n, err := s.sweep(); err != nil || n != 1 {
			t.Errorf("sweep after the deletion removed %d, %v; want 1 (the picture)", n, err)
		}
		if _, err := s.m.blobs.Open(t.Context(), up.ID); !errors.Is(err, files.ErrNotExist) {
			t.Errorf("the picture's bytes after the sweep: %v", err)
		}
		s.wantFile("the document is still bob's", filePath(pdf.ID), bob.token, doc, "application/pdf", "attachment")
	})
}

// TestUploadsServedSafely: the type comes from the bytes, never the name,
// and nothing a browser would run as a page is served with its type.
func TestUploadsServedSafely(t *testing.T) {
	storetest.WithAllDatabaseURLs(t, func(t *testing.T, dbURL, dataDir string) {
		s := startServer(t, dbURL, dataDir)
		token := s.signup("alice")
		for _, tc := range []struct{ name, content, want string }{
			{"x.png", "<!DOCTYPE html><html><script>alert(document.cookie)</script></html>", "application/octet-stream"},
			{"x.png", "<html><body onload=alert(1)>", "application/octet-stream"},
			{"x.jpg", `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`, "application/octet-stream"},
			{"x.gif", `<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`, "text/plain; charset=utf-8"},
			{"notes.html", "just words", "text/plain; charset=utf-8"},
		} {
			up := s.mustUpload(token, tc.name, []byte(tc.content))
			if up.ContentType != tc.want || up.Width != 0 {
				t.Errorf("%s holding %.20q: %+v, want %s", tc.name, tc.content, up, tc.want)
			}
			r := s.request("GET", up.URL, "", nil)
			ct := r.header.Get("Content-Type")
			if r.status != http.StatusOK || ct != tc.want || strings.Contains(ct, "html") || strings.Contains(ct, "xml") ||
				!strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment") ||
				r.header.Get("X-Content-Type-Options") != "nosniff" ||
				!strings.Contains(r.header.Get("Content-Security-Policy"), "sandbox") {
				t.Errorf("%s served as %d %v", tc.name, r.status, r.header)
			}
		}
	})
}

// noFilesLeft fails unless no file's bytes are kept: no file under the
// data directory's files folder (its tmp included), and no chunk in
// PostgreSQL.
func noFilesLeft(t *testing.T, what, dbURL, dataDir string) {
	t.Helper()
	if dbURL != "" {
		db, err := sql.Open("postgres", dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var chunks, uploads int
		if err := db.QueryRow(`SELECT (SELECT count(*) FROM file_chunks), (SELECT count(*) FROM uploads)`).Scan(&chunks, &uploads); err != nil {
			t.Fatal(err)
		}
		if chunks != 0 || uploads != 0 {
			t.Errorf("%s: %d chunks and %d uploads left in PostgreSQL", what, chunks, uploads)
		}
		return
	}
	err := filepath.WalkDir(filepath.Join(dataDir, "files"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			t.Errorf("%s: %s left behind", what, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestUploadTooLarge: past SALA_UPLOAD_MAX the upload is refused with 413
// payload_too_large, whether its length was declared or not, and nothing of
// it is kept; nor of a body cut short.
func TestUploadTooLarge(t *testing.T) {
	storetest.WithAllDatabaseURLs(t, func(t *testing.T, dbURL, dataDir string) {
		const limit = 300 << 10 // more than a PostgreSQL chunk: the first one is stored before the limit is met
		s := startServer(t, dbURL, dataDir, withConfig(func(c *config.Config) { c.UploadMax = limit }))
		token := s.signup("alice")
		big := bytes.Repeat([]byte("A"), limit+1)

		r := s.upload(token, "big.txt", big) // declared length: refused before reading
		if r.status != http.StatusRequestEntityTooLarge || r.errorCode(t) != "payload_too_large" {
			t.Errorf("declared oversize: %d %s", r.status, r.body)
		}
		body, ct := multipartBody(t, "big.txt", big) // chunked: refused while streaming
		// A MultiReader hides the length http.NewRequest would read off a bytes.Reader.
		r = s.request("POST", "/api/v1/uploads", token, io.MultiReader(bytes.NewReader(body)), "Content-Type", ct)
		if r.status != http.StatusRequestEntityTooLarge || r.errorCode(t) != "payload_too_large" {
			t.Errorf("streamed oversize: %d %s", r.status, r.body)
		}
		cut := body[:len(body)/2] // a body that ends mid-file: a client gone
		r = s.request("POST", "/api/v1/uploads", token, cut, "Content-Type", ct)
		if r.status != http.StatusBadRequest || r.errorCode(t) != "invalid_request" {
			t.Errorf("a body cut short: %d %s", r.status, r.body)
		}
		noFilesLeft(t, "after the refused uploads", dbURL, dataDir)

		exact := s.mustUpload(token, "exact.txt", big[:limit]) // the limit itself is fine
		if exact.Size != limit {
			t.Errorf("an upload of the limit: %+v", exact)
		}
		r = s.request("POST", "/api/v1/uploads", token, map[string]string{"file": "x"})
		if r.status != http.StatusUnsupportedMediaType {
			t.Errorf("a JSON body: %d %s", r.status, r.body)
		}
	})
}

// TestUploadRateLimit: uploads count against the sender's message rate.
func TestUploadRateLimit(t *testing.T) {
	s := startServer(t, "", t.TempDir(), withConfig(func(c *config.Config) { c.MsgRate, c.MsgBurst = 0.01, 2 }))
	token := s.signup("alice")
	s.mustUpload(token, "1.txt", []byte("one"))
	s.mustUpload(token, "2.txt", []byte("two"))
	r := s.upload(token, "3.txt", []byte("three"))
	if r.status != http.StatusTooManyRequests || r.errorCode(t) != "rate_limited" || r.header.Get("Retry-After") == "" {
		t.Errorf("a third upload at once: %d %v %s", r.status, r.header, r.body)
	}
}

// TestUnattachedUploadsAreSweptAfterADay: an upload never attached goes
// after a day on the server's clock; one attached stays.
func TestUnattachedUploadsAreSweptAfterADay(t *testing.T) {
	storetest.WithAllDatabaseURLs(t, func(t *testing.T, dbURL, dataDir string) {
		var mu sync.Mutex
		at := time.Now()
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return at }
		advance := func(d time.Duration) { mu.Lock(); at = at.Add(d); mu.Unlock() }
		s := startServer(t, dbURL, dataDir, withClock(clock))
		alice := s.join("alice")[0]
		left := s.mustUpload(alice.token, "left.txt", []byte("never sent"))
		sent := s.mustUpload(alice.token, "sent.txt", []byte("sent"))
		if m := alice.sendFiles("s", "here", sent.ID); m.typ() != "message" {
			t.Fatalf("send: %v", m)
		}

		advance(23 * time.Hour)
		if n, err := s.sweep(); err != nil || n != 0 {
			t.Errorf("sweep at 23 h removed %d, %v", n, err)
		}
		s.wantFile("an unattached upload at 23 h", filePath(left.ID), alice.token, []byte("never sent"), "text/plain; charset=utf-8", "attachment")
		advance(2 * time.Hour)
		if n, err := s.sweep(); err != nil || n != 1 {
			t.Errorf("sweep at 25 h removed %d, %v; want 1", n, err)
		}
		s.wantStatus("the unattached upload after a day", filePath(left.ID), alice.token, http.StatusNotFound, "file_not_found")
		if _, err := s.m.blobs.Open(t.Context(), left.ID); !errors.Is(err, files.ErrNotExist) {
			t.Errorf("its bytes: %v", err)
		}
		s.wantFile("the sent one after a day", filePath(sent.ID), alice.token, []byte("sent"), "text/plain; charset=utf-8", "attachment")
		wantError(t, "attaching a swept upload", alice.sendFiles("late", "now", left.ID), "attachment_not_found")
	})
}

// TestClusterUploads: a file uploaded through one node is served by the
// other, from the PostgreSQL both share.
func TestClusterUploads(t *testing.T) {
	cl := startCluster(t, 2, nil)
	n1, n2 := cl.nodes[0], cl.nodes[1]
	alice, bob := n1.joinAt("alice"), n2.joinAt("bob")
	pic := pngImage(t, 640, 480)
	up := n1.mustUpload(alice.token, "big.png", append(pic, bytes.Repeat([]byte{0}, 600<<10)...)) // several chunks
	msg := alice.sendFiles("m", "from node 1", up.ID)
	seen := bob.next("the message on node 2", isType("message", "id", msg.num("id")))
	got := attachmentsOf(t, seen)
	if len(got) != 1 || got[0].Width != 640 || got[0].Height != 480 {
		t.Fatalf("attachment on node 2: %v", seen)
	}
	want := append(pic, bytes.Repeat([]byte{0}, 600<<10)...)
	n2.wantFile("node 2 serves it", got[0].URL, "", want, "image/png", "inline")
	n2.wantFile("node 2 serves it by token", filePath(up.ID), bob.token, want, "image/png", "inline")

	// A range from the middle, across a chunk boundary.
	req, _ := http.NewRequest("GET", n2.base+got[0].URL, nil)
	req.Header.Set("Range", "bytes=262100-262200")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var part bytes.Buffer
	part.ReadFrom(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusPartialContent || !bytes.Equal(part.Bytes(), want[262100:262201]) {
		t.Errorf("range: %d, %d bytes", res.StatusCode, part.Len())
	}
}

// procMemory is a process's resident memory and its peak, in KiB, from
// /proc/PID/status (VmRSS, VmHWM).
func procMemory(t *testing.T, pid int) (rss, peak int64) {
	t.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for line := range strings.Lines(string(raw)) {
		var v int64
		if _, err := fmt.Sscanf(line, "VmRSS: %d kB", &v); err == nil {
			rss = v
		} else if _, err := fmt.Sscanf(line, "VmHWM: %d kB", &v); err == nil {
			peak = v
		}
	}
	return rss, peak
}

// streamUpload uploads size random bytes as a file without a declared
// length, produced as they are sent: the client holds none of it either.
func (s *testServer) streamUpload(token string, size int64) response {
	s.t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		part, err := mw.CreateFormFile("file", "big.bin")
		if err == nil {
			_, err = io.CopyN(part, rand.NewChaCha8([32]byte{1}), size)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	return s.request("POST", "/api/v1/uploads", token, io.Reader(pr), "Content-Type", mw.FormDataContentType())
}

// TestUploadStreamsInFlatMemory: uploads of 10 and then 40 MiB stream
// through `sala serve` (a process of its own, measured alone) without its
// memory growing with the files: its peak resident memory (VmHWM) after
// both is less than 30 MiB above what it was before, where holding the
// second file alone would take 40. On SQLite the bytes go to disk through
// one small buffer and the peak barely moves; on PostgreSQL each 256 KiB
// chunk leaves the driver's message buffer behind, garbage the collector
// takes back, so the peak rises once to the heap's next target and no
// further. The figures are logged (-v).
func TestUploadStreamsInFlatMemory(t *testing.T) {
	storetest.WithAllDatabaseURLs(t, func(t *testing.T, dbURL, dataDir string) {
		env := []string{"SALA_DATA_DIR=" + dataDir, "SALA_UPLOAD_MAX=40MiB"}
		if dbURL != "" {
			env = append(env, "SALA_DATABASE_URL="+dbURL)
		}
		p := startProcess(t, "", env...)
		s := remoteServer(t, p.addr)
		token := s.signup("alice")
		if r := s.streamUpload(token, 1<<20); r.status != http.StatusCreated { // warm up every path once
			t.Fatalf("warm-up upload: %d %s", r.status, r.body)
		}
		pid := p.cmd.Process.Pid
		_, start := procMemory(t, pid)
		for _, size := range []int64{10 << 20, 40 << 20} {
			rss0, peak0 := procMemory(t, pid)
			r := s.streamUpload(token, size)
			if r.status != http.StatusCreated {
				t.Fatalf("%d MiB upload: %d %s", size>>20, r.status, r.body)
			}
			var up uploaded
			r.json(t, &up)
			rss1, peak1 := procMemory(t, pid)
			t.Logf("%d MiB upload: RSS %d → %d KiB, peak RSS (VmHWM) %d → %d KiB (+%d KiB)",
				size>>20, rss0, rss1, peak0, peak1, peak1-peak0)
			if up.Size != size {
				t.Errorf("stored %d bytes, sent %d", up.Size, size)
			}
		}
		if _, end := procMemory(t, pid); end-start > 30<<10 {
			t.Errorf("the server's peak memory grew by %d KiB over 50 MiB of uploads: it held a file", end-start)
		}
	})
}
