-- Full-text search (GET /api/v1/search) on PostgreSQL: a GIN index of the
-- words of every message's current text, with the 'simple' configuration
-- (lower case, no stemming and no stop words: a chat mixes languages, and
-- SQLite's FTS5 index, migrations/sqlite/00006_search.sql, matches words the
-- same way). It is an index of an expression over the messages themselves,
-- partial to what a search may find (messages, not updates; not
-- tombstones), so PostgreSQL keeps it current in the transaction that
-- inserts, edits or deletes a message, and it covers the messages already
-- stored when it is created. A search names the same expression and
-- predicate to use it.

-- +goose Up
CREATE INDEX messages_text_search_idx ON messages
    USING gin (to_tsvector('simple', text)) WHERE kind = 'message' AND NOT deleted;

-- +goose Down
DROP INDEX messages_text_search_idx;
