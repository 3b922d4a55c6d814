-- Edits, deletions and reactions are items of a conversation's stream, rows
-- of messages like the messages they change: kind tells them apart and
-- target_id names their message, so every reader of a stream (resume, the
-- gap fill of a node) returns them in id order with the messages. The
-- message itself holds its current state (text, edited_at, deleted), and
-- reactions who reacted with what; an update changes them in the
-- transaction that stores it. reply_to is the message a message answers.
-- migrations/sqlite/00004_conversation_items.sql is the same in SQLite's words.

-- +goose Up
ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'message';
ALTER TABLE messages ADD COLUMN target_id BIGINT REFERENCES messages (id) ON DELETE CASCADE;
ALTER TABLE messages ADD COLUMN reply_to BIGINT REFERENCES messages (id) ON DELETE SET NULL;
ALTER TABLE messages ADD COLUMN edited_at BIGINT;
ALTER TABLE messages ADD COLUMN deleted BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE messages ADD CONSTRAINT messages_kind CHECK (
    (kind = 'message') = (target_id IS NULL) AND kind IN ('message', 'edited', 'deleted', 'reaction'));
CREATE INDEX messages_target_idx ON messages (target_id) WHERE target_id IS NOT NULL;

CREATE TABLE reactions (
    message_id BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    emoji      TEXT NOT NULL,
    -- item_id is the update that put it there: users are listed in that order.
    item_id    BIGINT NOT NULL,
    PRIMARY KEY (message_id, emoji, user_id)
);

-- +goose Down
DELETE FROM messages WHERE kind <> 'message';
DROP TABLE reactions;
DROP INDEX messages_target_idx;
ALTER TABLE messages DROP CONSTRAINT messages_kind;
ALTER TABLE messages DROP COLUMN deleted;
ALTER TABLE messages DROP COLUMN edited_at;
ALTER TABLE messages DROP COLUMN reply_to;
ALTER TABLE messages DROP COLUMN target_id;
ALTER TABLE messages DROP COLUMN kind;
