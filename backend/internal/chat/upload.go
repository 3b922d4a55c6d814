package chat

import (
	"context"
	"fmt"
	"strings"
	"unicode"
)

// Files people share: an upload is stored first (POST /api/v1/uploads),
// then attached by its id to messages of its uploader. A file is served
// only to its uploader and to those who may read a message carrying it.

// MaxAttachments is how many files one message carries at most.
const MaxAttachments = 10

// Upload is a stored file as the store records it.
type Upload struct {
	ID          string `db:"id"`
	OwnerID     int64  `db:"owner_id"`
	Name        string `db:"name"`
	Size        int64  `db:"size"`
	ContentType string `db:"content_type"` // sniffed from the bytes; the type it is served with
	Width       int    `db:"width"`        // pixels of a raster image, else 0
	Height      int    `db:"height"`
	CreatedAt   int64  `db:"created_at"` // Unix milliseconds
}

// Attachment is a file a message carries, as clients see it (and the
// answer to an upload). URL is a link the server signed for the people who
// got the message: it is filled in where messages leave the store (see
// package files), empty inside it.
type Attachment struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
	URL         string `json:"url"`
	Width       int    `json:"width,omitempty"`
	Height      int    `json:"height,omitempty"`
}

// AttachmentOf is the attachment form of a stored upload, without its URL.
func AttachmentOf(u Upload) Attachment {
	return Attachment{ID: u.ID, Name: u.Name, Size: u.Size, ContentType: u.ContentType,
		Width: u.Width, Height: u.Height}
}

// Upload error codes.
const (
	EAttachmentNotFound = "attachment_not_found" // no upload has that id, or it was removed
	ENotUploadOwner     = "not_upload_owner"     // someone else's upload, attached
	ETooManyAttachments = "too_many_attachments" // more than MaxAttachments on one message
	EFileNotFound       = "file_not_found"       // no such file, or not one the caller may read
	EInvalidLink        = "invalid_link"         // a file link with a wrong signature, or expired
)

// UploadStore is the part of the store that keeps uploads' records (their
// bytes live in a files.Blobs).
type UploadStore interface {
	// CreateUpload records a new upload.
	CreateUpload(ctx context.Context, u Upload) error
	// UploadsByID returns the uploads of ids that exist, in any order.
	UploadsByID(ctx context.Context, ids []string) ([]Upload, error)
	// ServableUpload returns upload id if it may still be served: not yet
	// attached, or carried by a message that is not deleted. Returns
	// file_not_found.
	ServableUpload(ctx context.Context, id string) (Upload, error)
	// ReadableUpload returns upload id if userID may fetch it: its own
	// upload not yet attached or still carried, or one carried by a
	// message userID may read (a room's, or one of its private threads').
	// Returns file_not_found.
	ReadableUpload(ctx context.Context, id string, userID int64) (Upload, error)
	// StaleUploads returns up to limit ids of uploads to remove: never
	// attached and created before unattachedBefore (Unix milliseconds),
	// attached once but carried by no message any more, or whose uploader
	// was deleted.
	StaleUploads(ctx context.Context, unattachedBefore int64, limit int) ([]string, error)
	// DeleteUpload removes the record of upload id if it is still stale
	// (as StaleUploads), and reports whether it did.
	DeleteUpload(ctx context.Context, id string, unattachedBefore int64) (bool, error)
}

// Attaching checks ids, the attachments a send of userID asks for, and
// returns them as the message will carry them: at most MaxAttachments, each
// an upload of userID's, in the order given (a repeated id counts once).
// Errors: too_many_attachments, attachment_not_found, not_upload_owner.
func Attaching(ctx context.Context, s UploadStore, userID int64, ids []string) ([]Attachment, error) {
	ids = uniqueIDs(ids)
	if len(ids) == 0 {
		return nil, nil
	}
	if len(ids) > MaxAttachments {
		return nil, Errorf(ETooManyAttachments, "a message carries at most %d files, not %d", MaxAttachments, len(ids))
	}
	found, err := s.UploadsByID(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("attachments: %w", err)
	}
	byID := make(map[string]Upload, len(found))
	for _, u := range found {
		byID[u.ID] = u
	}
	out := make([]Attachment, 0, len(ids))
	for _, id := range ids {
		u, ok := byID[id]
		switch {
		case !ok:
			return nil, Errorf(EAttachmentNotFound, "no upload %q: upload the file first (it may have been removed)", id)
		case u.OwnerID != userID:
			return nil, Errorf(ENotUploadOwner, "upload %q is someone else's: only its uploader attaches it", id)
		}
		out = append(out, AttachmentOf(u))
	}
	return out, nil
}

// uniqueIDs drops repeated and empty ids, keeping the first of each.
func uniqueIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// ValidateBody is ValidateText for a message that may carry files: with
// attachments its text may be empty, otherwise the rule of texts holds.
func ValidateBody(text string, attachments int) error {
	if attachments > 0 && text == "" {
		return nil
	}
	return ValidateText(text)
}

// ParseCommandWithFiles parses the text of a send that carries attachments
// and starts with '#': only #private carries files, and its text may then
// be left out. Any other command is invalid_command.
func ParseCommandWithFiles(text string) (Command, error) {
	cmd, err := ParseCommand(text)
	if err == nil {
		if cmd.Kind != CmdPrivate {
			return Command{}, Errorf(EInvalidCommand, "only #private carries attachments")
		}
		return cmd, nil
	}
	after := strings.TrimPrefix(text, "#")
	if strings.TrimLeftFunc(after, unicode.IsSpace) != after {
		return Command{}, err
	}
	name, rest := splitWord(after)
	if n := strings.ToLower(name); n != "private" && n != `\private` {
		return Command{}, err
	}
	login, words := splitWord(rest)
	if login == "" || strings.TrimSpace(words) != "" {
		return Command{}, err // a text that broke the rule of texts
	}
	return Command{Kind: CmdPrivate, Login: NormalizeLogin(login)}, nil
}
