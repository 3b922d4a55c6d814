-- Full-text search (GET /api/v1/search) on SQLite: an FTS5 index of the
-- messages' current text, keyed by message id. Only messages are in it,
-- never updates (an edit's row holds its text too) nor tombstones; the
-- triggers keep it current in the transaction that inserts, edits, deletes
-- or removes a message (a deleted user's messages go by ON DELETE CASCADE,
-- which fires them too), so a search never finds a deleted message nor an
-- edited one's old words. The index is contentless: the text stays in
-- messages, and contentless_delete lets a row be dropped by id alone.
-- Diacritics are kept, as PostgreSQL's 'simple' configuration keeps them,
-- so both stores match the same words.

-- +goose Up
CREATE VIRTUAL TABLE messages_fts USING fts5(
    text, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0');
INSERT INTO messages_fts (rowid, text)
    SELECT id, text FROM messages WHERE kind = 'message' AND NOT deleted;

-- +goose StatementBegin
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
WHEN new.kind = 'message' AND NOT new.deleted BEGIN
    INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER messages_fts_update AFTER UPDATE OF text, deleted ON messages
WHEN old.kind = 'message' BEGIN
    DELETE FROM messages_fts WHERE rowid = old.id;
    INSERT INTO messages_fts (rowid, text) SELECT new.id, new.text WHERE NOT new.deleted;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
WHEN old.kind = 'message' BEGIN
    DELETE FROM messages_fts WHERE rowid = old.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER messages_fts_delete;
DROP TRIGGER messages_fts_update;
DROP TRIGGER messages_fts_insert;
DROP TABLE messages_fts;
