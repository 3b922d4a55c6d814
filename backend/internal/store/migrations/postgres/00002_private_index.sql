-- The latest private message of all users, which every turn of several
-- nodes reads (Sequencer's PrivPrev), and the private messages in a range
-- of ids (PrivateMessagesBetween): one index of private ids. Without it
-- max(id) over private messages walks back from the newest message past
-- every room message since the last private one.

-- +goose Up
CREATE INDEX messages_private_idx ON messages (id) WHERE recipient_id IS NOT NULL;

-- +goose Down
DROP INDEX messages_private_idx;
