-- A private message counts as delivered up to its recipient's receipt: the
-- highest message id one of the recipient's clients said it has shown
-- (the receipt envelope), never because a socket write succeeded. A user
-- starts at the message before the first private one still undelivered by
-- the old rule, else at the latest one to them. The messages' delivered
-- column is no longer read, nor its index; nor the index of private ids
-- (00002), which the turns of several nodes read before they became one.

-- +goose Up
ALTER TABLE users ADD COLUMN receipt BIGINT NOT NULL DEFAULT 0;
UPDATE users SET receipt = COALESCE(
    (SELECT min(m.id) - 1 FROM messages m WHERE m.recipient_id = users.id AND NOT m.delivered),
    (SELECT max(m.id) FROM messages m WHERE m.recipient_id = users.id),
    0);
DROP INDEX messages_undelivered_idx;
DROP INDEX messages_private_idx;

-- +goose Down
CREATE INDEX messages_private_idx ON messages (id) WHERE recipient_id IS NOT NULL;
CREATE INDEX messages_undelivered_idx ON messages (recipient_id, id) WHERE NOT delivered;
ALTER TABLE users DROP COLUMN receipt;
