-- migrations/postgres/00005_reads.sql in SQLite's words: read cursors of
-- rooms and private threads, and mentions (the logins on the message, a row
-- per person mentioned).

-- +goose Up
ALTER TABLE messages ADD COLUMN mentions TEXT NOT NULL DEFAULT '';

CREATE TABLE room_reads (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    room_id    INTEGER NOT NULL REFERENCES rooms (id),
    message_id INTEGER NOT NULL,
    PRIMARY KEY (user_id, room_id)
);

CREATE TABLE private_reads (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    peer_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    message_id INTEGER NOT NULL,
    PRIMARY KEY (user_id, peer_id)
);

CREATE TABLE mentions (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    room_id    INTEGER NOT NULL REFERENCES rooms (id),
    PRIMARY KEY (user_id, message_id)
);
CREATE INDEX mentions_message_idx ON mentions (message_id);

-- What an unread count reads: a room's messages after a cursor, without the
-- reader's own, deleted ones or updates, from this index alone (every
-- connect counts every conversation of its person).
CREATE INDEX messages_unread_idx ON messages (room_id, id, sender_id) WHERE kind = 'message' AND NOT deleted;

-- +goose Down
DROP INDEX messages_unread_idx;
DROP TABLE mentions;
DROP TABLE private_reads;
DROP TABLE room_reads;
ALTER TABLE messages DROP COLUMN mentions;
