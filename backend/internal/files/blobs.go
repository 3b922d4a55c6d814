// Package files keeps the files people share: their bytes in a Blobs (a
// folder under SALA_DATA_DIR on one node, PostgreSQL when several nodes
// share it, so that every node serves every file), the upload itself
// (streamed, its size bounded while it streams, its type decided from its
// bytes), the signed links that let a browser fetch a file without a
// header, and the sweeper that removes files no message carries.
package files

import (
	"context"
	"errors"
	"io"
	"regexp"
)

// Blobs stores the bytes of files by id. Implementations: Dir (one node)
// and Postgres (several nodes).
type Blobs interface {
	// Put stores what r gives, to its end, as file id and returns its
	// size. When r fails (a body too large, a client gone) nothing of
	// the file is kept and the error is returned.
	Put(ctx context.Context, id string, r io.Reader) (int64, error)
	// Open returns file id for reading. Returns ErrNotExist.
	Open(ctx context.Context, id string) (File, error)
	// Delete removes file id; one that is not there is no error.
	Delete(ctx context.Context, id string) error
}

// File is a stored file open for reading: http.ServeContent serves it,
// ranges included.
type File interface {
	io.ReadSeekCloser
	Size() int64
}

// ErrNotExist is the error of Open for a file that is not stored.
var ErrNotExist = errors.New("files: no such file")

// idPattern is the shape of the ids NewID makes: safe in a path and a URL.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// ValidID reports whether id could be an upload's id.
func ValidID(id string) bool { return idPattern.MatchString(id) }
