package files

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"

	_ "github.com/lib/pq" // the PostgreSQL driver
)

// chunkSize is the most bytes one row of file_chunks holds: a file is
// streamed in and read back a chunk at a time, never whole in memory.
const chunkSize = 256 << 10

// Postgres keeps files in the database every node shares (the
// file_chunks table of migrations/postgres/00007_uploads.sql): a file is
// rows of chunkSize bytes (the last shorter, an empty file one empty
// row), so any node serves a file any node stored. No new server is
// needed, and pg_dump backs the files up with the rest.
type Postgres struct {
	db *sql.DB
}

var _ Blobs = (*Postgres)(nil)

// OpenPostgres opens a small pool of its own on the database at url (a
// postgres:// URL), whose schema the store has migrated. Its chunks go to
// the server as binary parameters: as text, lib/pq would first spell each
// one out in hex, twice its size, and a streamed file would leave three
// times its size of garbage behind.
func OpenPostgres(ctx context.Context, dbURL string) (*Postgres, error) {
	u, err := url.Parse(dbURL)
	if err != nil {
		return nil, fmt.Errorf("files: database URL: %w", err)
	}
	q := u.Query()
	q.Set("binary_parameters", "yes")
	u.RawQuery = q.Encode()
	db, err := sql.Open("postgres", u.String())
	if err != nil {
		return nil, fmt.Errorf("files: open postgres: %w", err)
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(2)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("files: open postgres: %w", err)
	}
	return &Postgres{db: db}, nil
}

// Close releases the pool.
func (p *Postgres) Close() error { return p.db.Close() }

// Put writes r a chunk at a time. The chunks are not one transaction,
// which would hold a connection for as long as a slow client takes to
// send: a failed Put deletes what it wrote.
func (p *Postgres) Put(ctx context.Context, id string, r io.Reader) (n int64, err error) {
	if !ValidID(id) {
		return 0, fmt.Errorf("files: put %q: invalid id", id)
	}
	defer func() {
		if err != nil {
			// The caller's context may be what failed.
			_ = p.Delete(context.WithoutCancel(ctx), id)
		}
	}()
	buf := make([]byte, chunkSize)
	for seq := 0; ; seq++ {
		k, rerr := fill(r, buf)
		if rerr != nil && rerr != io.EOF {
			return 0, rerr
		}
		if k > 0 || seq == 0 {
			if _, err := p.db.ExecContext(ctx, `INSERT INTO file_chunks (file_id, seq, data) VALUES ($1, $2, $3)`,
				id, seq, buf[:k]); err != nil {
				return 0, fmt.Errorf("files: put chunk %d: %w", seq, err)
			}
			n += int64(k)
		}
		if rerr != nil { // EOF: that was the last chunk
			return n, nil
		}
	}
}

// fill reads r into buf until buf is full or r ends: io.EOF then, with
// what it read. Unlike io.ReadFull it tells r's end from r's own
// io.ErrUnexpectedEOF (a multipart body cut short), which is a failure.
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		k, err := r.Read(buf[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// Open reads file id's size; its bytes are read as they are needed.
func (p *Postgres) Open(ctx context.Context, id string) (File, error) {
	var chunks, size int64
	err := p.db.QueryRowContext(ctx, `SELECT count(*), COALESCE(sum(length(data)), 0) FROM file_chunks WHERE file_id = $1`,
		id).Scan(&chunks, &size)
	if err != nil {
		return nil, fmt.Errorf("files: open: %w", err)
	}
	if chunks == 0 {
		return nil, ErrNotExist
	}
	return &pgFile{ctx: ctx, db: p.db, id: id, size: size, seq: -1}, nil
}

// Delete removes file id's chunks.
func (p *Postgres) Delete(ctx context.Context, id string) error {
	if _, err := p.db.ExecContext(ctx, `DELETE FROM file_chunks WHERE file_id = $1`, id); err != nil {
		return fmt.Errorf("files: delete: %w", err)
	}
	return nil
}

// pgFile reads a file of Postgres one chunk at a time, keeping the chunk
// it read last.
type pgFile struct {
	ctx  context.Context
	db   *sql.DB
	id   string
	size int64
	off  int64
	seq  int64 // the chunk in data; -1 for none
	data []byte
}

func (f *pgFile) Size() int64 { return f.size }

func (f *pgFile) Read(b []byte) (int, error) {
	if f.off >= f.size {
		return 0, io.EOF
	}
	seq := f.off / chunkSize
	if seq != f.seq {
		f.data = f.data[:0]
		if err := f.db.QueryRowContext(f.ctx, `SELECT data FROM file_chunks WHERE file_id = $1 AND seq = $2`,
			f.id, seq).Scan(&f.data); err != nil {
			f.seq = -1
			return 0, fmt.Errorf("files: read chunk %d of %s: %w", seq, f.id, err)
		}
		f.seq = seq
	}
	start := f.off - seq*chunkSize
	if start >= int64(len(f.data)) {
		return 0, io.ErrUnexpectedEOF // a chunk shorter than the sizes promised
	}
	n := copy(b, f.data[start:])
	f.off += int64(n)
	return n, nil
}

func (f *pgFile) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += f.off
	case io.SeekEnd:
		offset += f.size
	default:
		return 0, errors.New("files: seek: invalid whence")
	}
	if offset < 0 {
		return 0, errors.New("files: seek: negative position")
	}
	f.off = offset
	return offset, nil
}

func (f *pgFile) Close() error { return nil }
