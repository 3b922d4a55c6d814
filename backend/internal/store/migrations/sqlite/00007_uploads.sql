-- migrations/postgres/00007_uploads.sql in SQLite's words: uploads and the
-- attachments of messages. The bytes of the files live in
-- SALA_DATA_DIR/files, not here.

-- +goose Up
CREATE TABLE uploads (
    id           TEXT PRIMARY KEY,
    owner_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    name         TEXT NOT NULL,
    size         INTEGER NOT NULL,
    content_type TEXT NOT NULL,
    width        INTEGER NOT NULL DEFAULT 0,
    height       INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    attached     BOOLEAN NOT NULL DEFAULT FALSE CHECK (attached IN (0, 1)),
    gone         BOOLEAN NOT NULL DEFAULT FALSE CHECK (gone IN (0, 1))
);
-- The sweeper's three ways to a stale upload, each an index.
CREATE INDEX uploads_unattached_idx ON uploads (created_at) WHERE NOT attached;
CREATE INDEX uploads_gone_idx ON uploads (id) WHERE gone;
CREATE INDEX uploads_orphan_idx ON uploads (id) WHERE owner_id IS NULL;

CREATE TABLE attachments (
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    upload_id  TEXT NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
    PRIMARY KEY (message_id, position)
);
CREATE INDEX attachments_upload_idx ON attachments (upload_id);

-- +goose Down
DROP TABLE attachments;
DROP TABLE uploads;
