package files

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // DecodeConfig reads GIF, JPEG and PNG sizes
	_ "image/jpeg"
	_ "image/png"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/salachat/sala/backend/internal/chat"
)

// DefaultMaxSize is the largest upload when SALA_UPLOAD_MAX is not set.
const DefaultMaxSize = 10 << 20

// Service takes uploads and opens files for those who may read them.
type Service struct {
	store chat.UploadStore
	blobs Blobs
	links *Links
	max   int64
	now   func() time.Time
}

// NewService returns the uploads of store's records and blobs' bytes;
// files are at most maxSize bytes (0: DefaultMaxSize).
func NewService(store chat.UploadStore, blobs Blobs, links *Links, maxSize int64, now func() time.Time) *Service {
	if maxSize <= 0 {
		maxSize = DefaultMaxSize
	}
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, blobs: blobs, links: links, max: maxSize, now: now}
}

// MaxSize is the largest file taken, in bytes.
func (s *Service) MaxSize() int64 { return s.max }

// Upload stores what body gives as a file of owner named name. The body is
// streamed to the Blobs, never held whole: past MaxSize bytes the upload
// stops with payload_too_large and nothing of it is kept. The type is
// sniffed from the first bytes; a raster image's size is read from its
// header. The answer carries a link for the uploader (a preview).
func (s *Service) Upload(ctx context.Context, owner chat.User, name string, body io.Reader) (chat.Attachment, error) {
	id, err := newID()
	if err != nil {
		return chat.Attachment{}, err
	}
	in := &capped{r: body, left: s.max}
	size, err := s.blobs.Put(ctx, id, in)
	var tooBig *http.MaxBytesError
	switch {
	case in.over || errors.As(err, &tooBig):
		return chat.Attachment{}, chat.Errorf(chat.EPayloadTooLarge, "files are at most %d bytes", s.max)
	case err != nil && in.err != nil:
		// The body failed, not the storage: a client gone or a body cut short.
		return chat.Attachment{}, chat.Errorf(chat.EInvalidRequest, "the body ended before the file did")
	case err != nil:
		return chat.Attachment{}, fmt.Errorf("upload: %w", err)
	}
	u := chat.Upload{ID: id, OwnerID: owner.ID, Name: CleanName(name), Size: size,
		ContentType: ServedType(http.DetectContentType(in.head)), CreatedAt: s.now().UnixMilli()}
	if IsRaster(u.ContentType) {
		u.Width, u.Height = s.imageSize(ctx, id)
	}
	if err := s.store.CreateUpload(ctx, u); err != nil {
		_ = s.blobs.Delete(context.WithoutCancel(ctx), id)
		return chat.Attachment{}, fmt.Errorf("upload: %w", err)
	}
	a := chat.AttachmentOf(u)
	a.URL = s.links.URL(id)
	return a, nil
}

// imageSize reads the width and height of a stored image from its header
// (0, 0 when they can't be read: a truncated file, WebP, BMP).
func (s *Service) imageSize(ctx context.Context, id string) (int, int) {
	f, err := s.blobs.Open(ctx, id)
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(bufio.NewReader(f))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return 0, 0
	}
	return cfg.Width, cfg.Height
}

// OpenLink opens file id for a signed link (exp, sig): the file must still
// be served (not yet attached, or carried by a message). Errors:
// invalid_link, file_not_found.
func (s *Service) OpenLink(ctx context.Context, id, exp, sig string) (chat.Upload, File, error) {
	if err := s.links.Check(id, exp, sig); err != nil {
		return chat.Upload{}, nil, err
	}
	u, err := s.store.ServableUpload(ctx, id)
	if err != nil {
		return chat.Upload{}, nil, err
	}
	return s.open(ctx, u)
}

// OpenFor opens file id for userID, who must be its uploader or a reader
// of a message carrying it. Returns file_not_found.
func (s *Service) OpenFor(ctx context.Context, id string, userID int64) (chat.Upload, File, error) {
	if !ValidID(id) {
		return chat.Upload{}, nil, chat.Errorf(chat.EFileNotFound, "no such file, or not one you can read")
	}
	u, err := s.store.ReadableUpload(ctx, id, userID)
	if err != nil {
		return chat.Upload{}, nil, err
	}
	return s.open(ctx, u)
}

func (s *Service) open(ctx context.Context, u chat.Upload) (chat.Upload, File, error) {
	f, err := s.blobs.Open(ctx, u.ID)
	if errors.Is(err, ErrNotExist) {
		return chat.Upload{}, nil, chat.Errorf(chat.EFileNotFound, "the file is gone")
	} else if err != nil {
		return chat.Upload{}, nil, chat.Errorf(chat.EUnavailable, "the file can't be read now: %v", err)
	}
	return u, f, nil
}

// capped reads r up to left bytes and keeps the first sniffLen of them;
// one byte more sets over and fails the read, so an oversize body stops
// at once, after at most left bytes went through.
type capped struct {
	r    io.Reader
	left int64
	over bool
	head []byte
	err  error // the body's own failure, if it failed
}

const sniffLen = 512 // what http.DetectContentType looks at

var errTooLarge = errors.New("files: file larger than the limit")

func (c *capped) Read(p []byte) (int, error) {
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	if err != nil && err != io.EOF {
		c.err = err
	}
	if int64(n) > c.left {
		c.over = true
		return 0, errTooLarge
	}
	c.left -= int64(n)
	if len(c.head) < sniffLen {
		c.head = append(c.head, p[:min(n, sniffLen-len(c.head))]...)
	}
	return n, err
}

// newID is a random upload id: 128 bits, base64url.
func newID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("upload id: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// rasterTypes are the images browsers show inline and never run: a file
// of one of them is served inline, every other as a download.
var rasterTypes = map[string]bool{
	"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true,
	"image/bmp": true, "image/x-icon": true, "image/vnd.microsoft.icon": true,
}

// IsRaster reports whether a served type is a raster image.
func IsRaster(contentType string) bool { return rasterTypes[contentType] }

// servedAsIs are the sniffed types, besides raster images, served with
// their own type: none of them is a page, a script or a style sheet a
// browser would run. Everything else (HTML, XML, SVG, anything unknown) is
// application/octet-stream.
var servedAsIs = map[string]bool{
	"application/pdf": true, "application/zip": true, "application/x-gzip": true,
	"application/x-rar-compressed": true, "application/ogg": true, "application/wasm": true,
	"application/vnd.ms-fontobject": true, "text/plain; charset=utf-8": true,
	"text/plain; charset=utf-16be": true, "text/plain; charset=utf-16le": true,
}

// ServedType is the type a file sniffed as sniffed is served with.
func ServedType(sniffed string) string {
	media, _, err := mime.ParseMediaType(sniffed)
	switch {
	case err != nil:
		return "application/octet-stream"
	case rasterTypes[media] || servedAsIs[sniffed]:
		return sniffed
	case strings.HasPrefix(media, "audio/"), strings.HasPrefix(media, "video/"), strings.HasPrefix(media, "font/"):
		return sniffed
	}
	return "application/octet-stream"
}

// Disposition is the Content-Disposition of a served file: inline for a
// raster image, attachment for anything else, with the file's name.
func Disposition(u chat.Upload) string {
	kind := "attachment"
	if IsRaster(u.ContentType) {
		kind = "inline"
	}
	if v := mime.FormatMediaType(kind, map[string]string{"filename": u.Name}); v != "" {
		return v
	}
	return kind
}

// maxNameLen is the most characters of a file's name kept.
const maxNameLen = 255

// CleanName is the name an upload keeps of the name it came with: its last
// path element, valid UTF-8 without control characters, at most
// maxNameLen characters; "file" when nothing is left.
func CleanName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.ToValidUTF8(name, "")
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > maxNameLen {
		name = string([]rune(name)[:maxNameLen])
	}
	if name == "" || name == "." || name == ".." {
		return "file"
	}
	return name
}
