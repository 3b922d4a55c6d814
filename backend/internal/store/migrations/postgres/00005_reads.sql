-- Read cursors and mentions. room_reads and private_reads hold how far each
-- person has read a room and a private thread (the id of the newest message
-- it has seen there); a row of room_reads also records that the person has
-- been in that room. messages.mentions is the text of logins a room message
-- mentions, in order, separated by spaces; mentions has one row per person
-- mentioned (the sender aside), for the counts, the resume and the list of a
-- person's mentions. migrations/sqlite/00005_reads.sql is the same in
-- SQLite's words.

-- +goose Up
ALTER TABLE messages ADD COLUMN mentions TEXT NOT NULL DEFAULT '';

CREATE TABLE room_reads (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    room_id    BIGINT NOT NULL REFERENCES rooms (id),
    message_id BIGINT NOT NULL,
    PRIMARY KEY (user_id, room_id)
);

CREATE TABLE private_reads (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    peer_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    message_id BIGINT NOT NULL,
    PRIMARY KEY (user_id, peer_id)
);

CREATE TABLE mentions (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    message_id BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    room_id    BIGINT NOT NULL REFERENCES rooms (id),
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
