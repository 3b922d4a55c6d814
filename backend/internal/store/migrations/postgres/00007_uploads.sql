-- Files people share. uploads records each stored file: who uploaded it,
-- its name, size and the type decided from its bytes. attachments lists
-- the files each message carries, in order; an upload may be attached to
-- several messages of its uploader. An upload never attached is removed
-- after a day, one attached once when no message carries it any more (gone:
-- set by the deletion of its last message, which removes the message's
-- attachments), and one whose uploader was deleted (owner_id NULL): the
-- sweeper finds them (see package files). A gone upload is attached no more.
--
-- file_chunks holds the bytes of the files when the server runs on
-- PostgreSQL, so that every node serves every file: each file is rows of
-- up to 256 KiB in order of seq. It has no foreign key: a file's chunks are
-- written as it streams in, before its upload is recorded.
-- migrations/sqlite/00007_uploads.sql is the same in SQLite's words, without
-- file_chunks (a single node keeps files in SALA_DATA_DIR/files).

-- +goose Up
CREATE TABLE uploads (
    id           TEXT PRIMARY KEY,
    owner_id     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    name         TEXT NOT NULL,
    size         BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    width        INTEGER NOT NULL DEFAULT 0,
    height       INTEGER NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    attached     BOOLEAN NOT NULL DEFAULT FALSE,
    gone         BOOLEAN NOT NULL DEFAULT FALSE
);
-- The sweeper's three ways to a stale upload, each an index.
CREATE INDEX uploads_unattached_idx ON uploads (created_at) WHERE NOT attached;
CREATE INDEX uploads_gone_idx ON uploads (id) WHERE gone;
CREATE INDEX uploads_orphan_idx ON uploads (id) WHERE owner_id IS NULL;

CREATE TABLE attachments (
    message_id BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    upload_id  TEXT NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
    PRIMARY KEY (message_id, position)
);
CREATE INDEX attachments_upload_idx ON attachments (upload_id);

CREATE TABLE file_chunks (
    file_id TEXT NOT NULL,
    seq     INTEGER NOT NULL,
    data    BYTEA NOT NULL,
    PRIMARY KEY (file_id, seq)
);

-- +goose Down
DROP TABLE file_chunks;
DROP TABLE attachments;
DROP TABLE uploads;
