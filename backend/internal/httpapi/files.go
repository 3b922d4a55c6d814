package httpapi

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/salachat/sala/backend/internal/chat"
	"github.com/salachat/sala/backend/internal/files"
)

// uploadsPath is the route of uploads under /api/v1.
const uploadsPath = "/uploads"

// multipartSlack is what a multipart body may carry beyond its file: the
// part headers, the boundaries, a few small fields.
const multipartSlack = 64 << 10

// uploadTime is how long an upload (or a download) may take: a 10 MiB file
// on a slow phone link takes longer than the server's usual 30 s.
const uploadTime = 10 * time.Minute

// upload streams the multipart part "file" into the files service, which
// stops it past SALA_UPLOAD_MAX. A declared length over the limit is
// refused before a byte of the body is read.
func (s *server) upload(c echo.Context) error {
	r := c.Request()
	limit := s.Files.MaxSize() + multipartSlack
	if r.ContentLength > limit {
		return chat.Errorf(chat.EPayloadTooLarge, "files are at most %d bytes", s.Files.MaxSize())
	}
	if err := s.Hub.AllowUpload(userOf(c).ID); err != nil {
		return err
	}
	_ = http.NewResponseController(c.Response()).SetReadDeadline(time.Now().Add(uploadTime))
	r.Body = http.MaxBytesReader(c.Response(), r.Body, limit)
	mr, err := r.MultipartReader()
	if err != nil {
		return chat.Errorf(chat.EUnsupportedMedia, "Send the file as multipart/form-data, in the part named file.")
	}
	part, err := filePart(mr)
	if err != nil {
		return err
	}
	att, err := s.Files.Upload(r.Context(), userOf(c), part.FileName(), part)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, att)
}

// filePart skips to the part named file.
func filePart(mr *multipart.Reader) (*multipart.Part, error) {
	for {
		part, err := mr.NextPart()
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			return nil, chat.Errorf(chat.EPayloadTooLarge, "The body is larger than %d bytes.", tooBig.Limit)
		case errors.Is(err, io.EOF):
			return nil, chat.Errorf(chat.EInvalidRequest, "The body has no part named file.")
		case err != nil:
			return nil, chat.Errorf(chat.EInvalidRequest, "The body is not valid multipart/form-data.")
		case part.FormName() == "file":
			return part, nil
		}
		if _, err := io.Copy(io.Discard, part); err != nil {
			return nil, chat.Errorf(chat.EPayloadTooLarge, "The body is larger than the server accepts.")
		}
	}
}

// file serves a file to a signed link (exp and sig in the query), or to a
// bearer token of someone who may read it, with the headers that keep a
// browser from running it: its sniffed type (never HTML, SVG or XML),
// nosniff, a sandbox, and a download unless it is a raster image.
func (s *server) file(c echo.Context) error {
	r := c.Request()
	id := c.Param("id")
	q := r.URL.Query()
	var err error
	var u chat.Upload
	var f files.File
	switch token, ok := bearer(r); {
	case q.Has("sig") || q.Has("exp"):
		u, f, err = s.Files.OpenLink(r.Context(), id, q.Get("exp"), q.Get("sig"))
	case ok:
		if err := s.identify(c, token); err != nil {
			return err
		}
		u, f, err = s.Files.OpenFor(r.Context(), id, userOf(c).ID)
	default:
		return chat.Errorf(chat.EUnauthorized, "Use the file's url (a signed link), or send Authorization: Bearer <token>.")
	}
	if err != nil {
		return err
	}
	defer f.Close()
	_ = http.NewResponseController(c.Response()).SetWriteDeadline(time.Now().Add(uploadTime))
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, u.ContentType)
	h.Set(echo.HeaderContentDisposition, files.Disposition(u))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, max-age=3600")
	http.ServeContent(c.Response(), r, "", time.UnixMilli(u.CreatedAt), f)
	return nil
}
