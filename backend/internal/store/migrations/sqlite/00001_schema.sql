-- Sala's schema on SQLite: migrations/postgres/00001_schema.sql in SQLite's
-- words, with the same tables, constraints and indexes. AUTOINCREMENT keeps
-- ids from ever being reused, which message cursors and room ids rely on.
-- Times are TIMESTAMP columns, which the driver reads back as time.Time.

-- +goose Up
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    login         TEXT NOT NULL,
    first_name    TEXT NOT NULL,
    last_name     TEXT NOT NULL,
    age           INTEGER NOT NULL,
    gender        TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX users_login_key ON users (lower(login));

CREATE TABLE rooms (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL,
    owner_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    is_default BOOLEAN NOT NULL DEFAULT FALSE CHECK (is_default IN (0, 1)),
    created_at TIMESTAMP NOT NULL,
    deleted_at TIMESTAMP
);
CREATE UNIQUE INDEX rooms_live_name_key ON rooms (lower(name)) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX rooms_one_live_default ON rooms (is_default) WHERE is_default AND deleted_at IS NULL;
CREATE INDEX rooms_name_idx ON rooms (lower(name), id);

CREATE TABLE messages (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id      INTEGER REFERENCES rooms (id),
    sender_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    recipient_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    pair_lo      INTEGER,
    pair_hi      INTEGER,
    text         TEXT NOT NULL,
    sent_at      INTEGER NOT NULL,
    client_id    TEXT,
    delivered    BOOLEAN NOT NULL CHECK (delivered IN (0, 1)),
    CONSTRAINT messages_one_target CHECK ((room_id IS NULL) <> (recipient_id IS NULL)),
    CONSTRAINT messages_pair CHECK ((recipient_id IS NULL) = (pair_lo IS NULL) AND (pair_lo IS NULL) = (pair_hi IS NULL)),
    CONSTRAINT messages_sender_client_key UNIQUE (sender_id, client_id)
);
CREATE INDEX messages_room_idx ON messages (room_id, id) WHERE room_id IS NOT NULL;
CREATE INDEX messages_pair_idx ON messages (pair_lo, pair_hi, id) WHERE pair_lo IS NOT NULL;
CREATE INDEX messages_recipient_idx ON messages (recipient_id, id) WHERE recipient_id IS NOT NULL;
CREATE INDEX messages_private_sender_idx ON messages (sender_id, id) WHERE recipient_id IS NOT NULL;
CREATE INDEX messages_undelivered_idx ON messages (recipient_id, id) WHERE NOT delivered;

-- +goose Down
DROP TABLE messages;
DROP TABLE rooms;
DROP TABLE users;
