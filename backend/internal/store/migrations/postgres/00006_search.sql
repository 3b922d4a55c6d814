-- Full-text search (GET /api/v1/search) on PostgreSQL: each message's words
-- as a stored tsvector column with the 'simple' configuration (lower case,
-- no stemming and no stop words: a chat mixes languages, and SQLite's FTS5
-- index, migrations/sqlite/00006_search.sql, matches words the same way),
-- and a GIN index of it. The column is generated from the text, so it is
-- current in the transaction that inserts, edits or deletes (empties) a
-- message, and adding it fills it for the messages already stored; updates
-- (kind <> 'message') get none. It is stored rather than an index over an
-- expression because a search reads it row by row too: walking the ids
-- back for a common word, rechecking the index's matches of a prefix, and
-- planning, where ANALYZE's statistics of the column tell a rare word from
-- a common one. The index is partial to what a search may find (messages,
-- not tombstones): a search names the same predicate to use it.

-- +goose Up
ALTER TABLE messages ADD COLUMN search tsvector
    GENERATED ALWAYS AS (CASE WHEN kind = 'message' THEN to_tsvector('simple', text) END) STORED;
CREATE INDEX messages_search_idx ON messages USING gin (search) WHERE kind = 'message' AND NOT deleted;

-- +goose Down
DROP INDEX messages_search_idx;
ALTER TABLE messages DROP COLUMN search;
