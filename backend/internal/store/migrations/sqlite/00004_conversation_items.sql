-- migrations/postgres/00004_conversation_items.sql in SQLite's words: edits,
-- deletions and reactions are rows of messages (kind, target_id), the
-- message holds its current state, reactions who reacted with what.
-- SQLite can't add a CHECK constraint to a table: the store writes kind and
-- target_id together.

-- +goose Up
ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'message';
ALTER TABLE messages ADD COLUMN target_id INTEGER REFERENCES messages (id) ON DELETE CASCADE;
ALTER TABLE messages ADD COLUMN reply_to INTEGER REFERENCES messages (id) ON DELETE SET NULL;
ALTER TABLE messages ADD COLUMN edited_at INTEGER;
ALTER TABLE messages ADD COLUMN deleted BOOLEAN NOT NULL DEFAULT FALSE CHECK (deleted IN (0, 1));
CREATE INDEX messages_target_idx ON messages (target_id) WHERE target_id IS NOT NULL;

CREATE TABLE reactions (
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    emoji      TEXT NOT NULL,
    item_id    INTEGER NOT NULL,
    PRIMARY KEY (message_id, emoji, user_id)
);

-- +goose Down
DELETE FROM messages WHERE kind <> 'message';
DROP TABLE reactions;
DROP INDEX messages_target_idx;
ALTER TABLE messages DROP COLUMN deleted;
ALTER TABLE messages DROP COLUMN edited_at;
-- target_id and reply_to stay: SQLite drops no column of a foreign key.
ALTER TABLE messages DROP COLUMN kind;
