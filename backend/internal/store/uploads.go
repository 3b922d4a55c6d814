package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jmoiron/sqlx"

	"github.com/salachat/sala/backend/internal/chat"
)

// Uploads and attachments (migrations/*/00007_uploads.sql). The bytes of
// the files are not here: package files keeps them.

const selectUploads = `SELECT u.id, COALESCE(u.owner_id, 0) AS owner_id, u.name, u.size, u.content_type,
	u.width, u.height, u.created_at FROM uploads u`

// carried is the condition of an upload some message still carries.
const carried = `EXISTS (SELECT 1 FROM attachments a WHERE a.upload_id = u.id)`

// staleUpload is the condition of an upload to remove (see StaleUploads):
// its uploader was deleted, its last message was (gone), or it was never
// attached and its one parameter, a time, is later than its creation.
const staleUpload = `(u.owner_id IS NULL OR u.gone OR (NOT u.attached AND u.created_at < ?))`

func fileNotFound() *chat.Error {
	return chat.Errorf(chat.EFileNotFound, "no such file, or not one you can read")
}

// CreateUpload records a new upload.
func (s *Store) CreateUpload(ctx context.Context, u chat.Upload) error {
	_, err := s.w.ExecContext(ctx, s.w.Rebind(`INSERT INTO uploads
		(id, owner_id, name, size, content_type, width, height, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		u.ID, u.OwnerID, u.Name, u.Size, u.ContentType, u.Width, u.Height, u.CreatedAt)
	if err != nil {
		return s.failConstraint("create upload", err, nil, userNotFound())
	}
	return nil
}

// UploadsByID returns the uploads of ids that exist.
func (s *Store) UploadsByID(ctx context.Context, ids []string) ([]chat.Upload, error) {
	out := []chat.Upload{}
	if len(ids) == 0 {
		return out, nil
	}
	query, args, err := sqlx.In(selectUploads+` WHERE u.id IN (?) AND u.owner_id IS NOT NULL AND NOT u.gone`, ids)
	if err != nil {
		return nil, s.fail("uploads by id", err)
	}
	if err := sqlx.SelectContext(ctx, s.r, &out, s.r.Rebind(query), args...); err != nil {
		return nil, s.fail("uploads by id", err)
	}
	return out, nil
}

// ServableUpload returns an upload not yet attached, or still carried.
func (s *Store) ServableUpload(ctx context.Context, id string) (chat.Upload, error) {
	return s.oneUpload(ctx, "servable upload", selectUploads+`
		WHERE u.id = ? AND u.owner_id IS NOT NULL AND NOT u.gone AND (NOT u.attached OR `+carried+`)`, id)
}

// ReadableUpload returns an upload userID may fetch: its own before it is
// attached, or one a message userID may read carries (every room's
// messages are readable by everyone; a private one by its two people).
func (s *Store) ReadableUpload(ctx context.Context, id string, userID int64) (chat.Upload, error) {
	return s.oneUpload(ctx, "readable upload", selectUploads+`
		WHERE u.id = ? AND u.owner_id IS NOT NULL AND NOT u.gone AND (
			(u.owner_id = ? AND NOT u.attached)
			OR EXISTS (SELECT 1 FROM attachments a JOIN messages m ON m.id = a.message_id
				WHERE a.upload_id = u.id AND NOT m.deleted
				AND (m.room_id IS NOT NULL OR m.sender_id = ? OR m.recipient_id = ?)))`,
		id, userID, userID, userID)
}

func (s *Store) oneUpload(ctx context.Context, op, query string, args ...any) (chat.Upload, error) {
	var u chat.Upload
	err := sqlx.GetContext(ctx, s.r, &u, s.r.Rebind(query), args...)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return chat.Upload{}, fileNotFound()
	case err != nil:
		return chat.Upload{}, s.fail(op, err)
	}
	return u, nil
}

// StaleUploads returns up to limit ids of uploads to remove.
func (s *Store) StaleUploads(ctx context.Context, unattachedBefore int64, limit int) ([]string, error) {
	ids := []string{}
	err := sqlx.SelectContext(ctx, s.r, &ids, s.r.Rebind(`SELECT u.id FROM uploads u WHERE `+staleUpload+` LIMIT ?`),
		unattachedBefore, pageSize(limit))
	if err != nil {
		return nil, s.fail("stale uploads", err)
	}
	return ids, nil
}

// DeleteUpload removes an upload's record if it is still stale: one
// attached since StaleUploads listed it stays. (A stale upload is carried
// by no message; that is checked again all the same.)
func (s *Store) DeleteUpload(ctx context.Context, id string, unattachedBefore int64) (bool, error) {
	res, err := s.w.ExecContext(ctx, s.w.Rebind(`DELETE FROM uploads WHERE id IN
		(SELECT u.id FROM uploads u WHERE u.id = ? AND `+staleUpload+` AND NOT `+carried+`)`), id, unattachedBefore)
	if err != nil {
		return false, s.fail("delete upload", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, s.fail("delete upload", err)
	}
	return n > 0, nil
}

// hasAttachments reports whether a batch holds a message carrying files,
// stored with it in its transaction.
func hasAttachments(batch []chat.NewMessage) bool {
	for _, m := range batch {
		if len(m.Attachments) > 0 {
			return true
		}
	}
	return false
}

// storeAttachments records the attachments of the new messages of a
// stored batch, in the batch's transaction, and marks their uploads
// attached. An upload removed since the sender attached it (or not the
// sender's: the hub checked, this checks again) is left out of the
// message, which keeps the ones that are there.
func storeAttachments(ctx context.Context, q execQuerier, batch []chat.NewMessage, out []chat.Stored) error {
	for i := range out {
		if out[i].Duplicate || len(batch[i].Attachments) == 0 {
			continue
		}
		m := &out[i].Message
		kept := make([]chat.Attachment, 0, len(batch[i].Attachments))
		for _, a := range batch[i].Attachments {
			res, err := q.ExecContext(ctx, q.Rebind(`INSERT INTO attachments (message_id, position, upload_id)
				SELECT ?, ?, id FROM uploads WHERE id = ? AND owner_id = ? AND NOT gone`), m.ID, len(kept), a.ID, m.SenderID)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				continue
			}
			if _, err := q.ExecContext(ctx, q.Rebind(`UPDATE uploads SET attached = TRUE WHERE id = ? AND NOT attached`),
				a.ID); err != nil {
				return err
			}
			kept = append(kept, a)
		}
		m.Attachments = kept
	}
	return nil
}

// attachmentRow is an attachment as read with its message's id.
type attachmentRow struct {
	MessageID int64 `db:"message_id"`
	chat.Upload
}

// withAttachments fills in the attachments of read messages (updates and
// tombstones carry none).
func withAttachments(ctx context.Context, q querier, msgs []chat.Message) error {
	var ids []int64
	for _, m := range msgs {
		if !m.IsUpdate() && !m.Deleted {
			ids = append(ids, m.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	query, args, err := sqlx.In(`SELECT a.message_id, u.id, COALESCE(u.owner_id, 0) AS owner_id, u.name, u.size,
		u.content_type, u.width, u.height, u.created_at
		FROM attachments a JOIN uploads u ON u.id = a.upload_id
		WHERE a.message_id IN (?) ORDER BY a.message_id, a.position`, ids)
	if err != nil {
		return err
	}
	var rows []attachmentRow
	if err := sqlx.SelectContext(ctx, q, &rows, q.Rebind(query), args...); err != nil {
		return err
	}
	if len(rows) == 0 {
		return nil
	}
	byMessage := make(map[int64][]chat.Attachment)
	for _, r := range rows {
		byMessage[r.MessageID] = append(byMessage[r.MessageID], chat.AttachmentOf(r.Upload))
	}
	for i := range msgs {
		msgs[i].Attachments = byMessage[msgs[i].ID]
	}
	return nil
}

// dropAttachments takes its files off a message being deleted, in the
// deletion's transaction: the ones no other message carries are gone,
// served no more, and removed by the sweeper.
func dropAttachments(ctx context.Context, q execQuerier, messageID int64) error {
	var ids []string
	if err := sqlx.SelectContext(ctx, q, &ids, q.Rebind(`SELECT upload_id FROM attachments WHERE message_id = ?`),
		messageID); err != nil || len(ids) == 0 {
		return err
	}
	if _, err := q.ExecContext(ctx, q.Rebind(`DELETE FROM attachments WHERE message_id = ?`), messageID); err != nil {
		return err
	}
	return markGone(ctx, q, ids)
}

// markGone marks gone the uploads of ids that no message carries.
func markGone(ctx context.Context, q execQuerier, ids []string) error {
	query, args, err := sqlx.In(`UPDATE uploads SET gone = TRUE WHERE id IN (?) AND attached
		AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.upload_id = uploads.id)`, ids)
	if err != nil {
		return err
	}
	_, err = q.ExecContext(ctx, q.Rebind(query), args...)
	return err
}
