package files

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Dir keeps files in a folder of one node's disk (SALA_DATA_DIR/files):
// file id at root/<first two characters of id>/<id>. A file is written
// under root/tmp and renamed into place once complete, so a file is either
// whole or absent, and a failed upload leaves nothing behind.
type Dir struct {
	root string
}

var _ Blobs = (*Dir)(nil)

// NewDir returns the Blobs of folder root, created (0700) if missing.
func NewDir(root string) (*Dir, error) {
	if err := os.MkdirAll(filepath.Join(root, "tmp"), 0o700); err != nil {
		return nil, fmt.Errorf("files: create %s: %w", root, err)
	}
	return &Dir{root: root}, nil
}

// Root is the folder the files are in.
func (d *Dir) Root() string { return d.root }

func (d *Dir) path(id string) (string, error) {
	if !ValidID(id) || len(id) < 2 {
		return "", ErrNotExist
	}
	return filepath.Join(d.root, id[:2], id), nil
}

// Put streams r into a temporary file, then renames it into place.
func (d *Dir) Put(_ context.Context, id string, r io.Reader) (n int64, err error) {
	dst, err := d.path(id)
	if err != nil {
		return 0, fmt.Errorf("files: put %q: invalid id", id)
	}
	tmp, err := os.CreateTemp(filepath.Join(d.root, "tmp"), "upload-*")
	if err != nil {
		return 0, fmt.Errorf("files: put: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if n, err = io.Copy(tmp, r); err != nil {
		return 0, err
	}
	if err = tmp.Sync(); err != nil {
		return 0, fmt.Errorf("files: put: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return 0, fmt.Errorf("files: put: %w", err)
	}
	if err = os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return 0, fmt.Errorf("files: put: %w", err)
	}
	if err = os.Rename(tmp.Name(), dst); err != nil {
		return 0, fmt.Errorf("files: put: %w", err)
	}
	return n, nil
}

// dirFile is an open file of a Dir.
type dirFile struct {
	*os.File
	size int64
}

func (f dirFile) Size() int64 { return f.size }

// Open opens file id.
func (d *Dir) Open(_ context.Context, id string) (File, error) {
	p, err := d.path(id)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotExist
	} else if err != nil {
		return nil, fmt.Errorf("files: open: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("files: open: %w", err)
	}
	return dirFile{File: f, size: st.Size()}, nil
}

// Delete removes file id.
func (d *Dir) Delete(_ context.Context, id string) error {
	p, err := d.path(id)
	if err != nil {
		return nil // no such id could be stored
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("files: delete: %w", err)
	}
	return nil
}
