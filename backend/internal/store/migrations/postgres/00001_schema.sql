-- Sala's schema on PostgreSQL. migrations/sqlite/00001_schema.sql is the same
-- schema in SQLite's words; the store's queries run unchanged on both.

-- +goose Up
CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    -- COLLATE "C" orders logins byte-wise, as SQLite does, so ListUsers
    -- returns the same order on both databases.
    login         TEXT COLLATE "C" NOT NULL,
    first_name    TEXT NOT NULL,
    last_name     TEXT NOT NULL,
    age           INTEGER NOT NULL,
    gender        TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX users_login_key ON users (lower(login));

-- Every room ever created stays, so the history of a deleted room survives it.
CREATE TABLE rooms (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT NOT NULL,
    owner_id   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    is_default BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL,
    deleted_at TIMESTAMPTZ
);
-- Names are unique ignoring case among live rooms only: a deleted room's name
-- may be taken again by a new, empty room.
CREATE UNIQUE INDEX rooms_live_name_key ON rooms (lower(name)) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX rooms_one_live_default ON rooms (is_default) WHERE is_default AND deleted_at IS NULL;
CREATE INDEX rooms_name_idx ON rooms (lower(name), id);

CREATE TABLE messages (
    id           BIGSERIAL PRIMARY KEY,
    room_id      BIGINT REFERENCES rooms (id),
    sender_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    recipient_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    -- pair_lo, pair_hi: the two users of a private message, smaller id first,
    -- so one index serves a private thread in both directions.
    pair_lo      BIGINT,
    pair_hi      BIGINT,
    text         TEXT NOT NULL,
    sent_at      BIGINT NOT NULL,
    client_id    TEXT,
    -- delivered is meaningful for private messages; room messages are stored
    -- as delivered so that the undelivered index holds only pending ones.
    delivered    BOOLEAN NOT NULL,
    CONSTRAINT messages_one_target CHECK ((room_id IS NULL) <> (recipient_id IS NULL)),
    CONSTRAINT messages_pair CHECK ((recipient_id IS NULL) = (pair_lo IS NULL) AND (pair_lo IS NULL) = (pair_hi IS NULL)),
    -- NULL client ids are distinct, so messages without one never dedupe.
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
