package store

import (
	"context"

	"github.com/salachat/sala/backend/internal/chat"
)

const userColumns = `id, login, first_name, last_name, age, gender, created_at`

// CreateUser stores u and sets u.ID and u.CreatedAt. Returns login_taken
// when the login exists ignoring case (a unique index on lower(login) decides,
// so concurrent signups cannot both win).
func (s *Store) CreateUser(ctx context.Context, u *chat.User, passwordHash string) error {
	created := now()
	var id int64
	err := s.w.QueryRowxContext(ctx, s.w.Rebind(`INSERT INTO users
		(login, first_name, last_name, age, gender, password_hash, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`),
		u.Login, u.FirstName, u.LastName, u.Age, u.Gender, passwordHash, created).Scan(&id)
	if err != nil {
		taken := chat.Errorf(chat.ELoginTaken, "login %q is taken", u.Login)
		return s.failConstraint("create user", err, taken, nil)
	}
	u.ID, u.CreatedAt = id, created
	return nil
}

// UserByLogin returns a user, found ignoring case, and its password hash.
// Only ASCII letters are folded: PostgreSQL's lower() would also fold the
// Kelvin sign to k, and let "Kate" log in as kate.
func (s *Store) UserByLogin(ctx context.Context, login string) (chat.User, string, error) {
	var row struct {
		chat.User
		PasswordHash string `db:"password_hash"`
	}
	login = chat.NormalizeLogin(login)
	if !chat.LoginChars(login) { // no stored login has another character
		return chat.User{}, "", userNotFound()
	}
	err := s.getRead(ctx, &row, `SELECT `+userColumns+`, password_hash
		FROM users WHERE lower(login) = ?`, login)
	if err != nil {
		return chat.User{}, "", s.notFound("user by login", err, userNotFound())
	}
	return utcUser(row.User), row.PasswordHash, nil
}

// UserByID returns user_not_found when id is unknown.
func (s *Store) UserByID(ctx context.Context, id int64) (chat.User, error) {
	var u chat.User
	err := s.getRead(ctx, &u, `SELECT `+userColumns+` FROM users WHERE id = ?`, id)
	if err != nil {
		return chat.User{}, s.notFound("user by id", err, userNotFound())
	}
	return utcUser(u), nil
}

// ListUsers returns every user ordered by login (byte-wise on both databases).
func (s *Store) ListUsers(ctx context.Context) ([]chat.User, error) {
	users := []chat.User{}
	if err := s.r.SelectContext(ctx, &users, `SELECT `+userColumns+` FROM users ORDER BY login`); err != nil {
		return nil, s.fail("list users", err)
	}
	for i := range users {
		users[i] = utcUser(users[i])
	}
	return users, nil
}

// SetPassword replaces a user's password hash. Returns user_not_found.
func (s *Store) SetPassword(ctx context.Context, id int64, passwordHash string) error {
	res, err := s.w.ExecContext(ctx, s.w.Rebind(`UPDATE users SET password_hash = ? WHERE id = ?`), passwordHash, id)
	return s.oneRow("set password", res, err, userNotFound())
}

// DeleteUser removes a user; the foreign keys delete the messages it sent or
// received and leave the rooms it owned without an owner. Its uploads are
// then stale (no owner); the files others sent it privately are gone
// unless another message carries them.
func (s *Store) DeleteUser(ctx context.Context, id int64) error {
	var received []string
	if err := s.w.SelectContext(ctx, &received, s.w.Rebind(`SELECT a.upload_id FROM attachments a
		JOIN messages m ON m.id = a.message_id WHERE m.recipient_id = ?`), id); err != nil {
		return s.fail("delete user", err)
	}
	res, err := s.w.ExecContext(ctx, s.w.Rebind(`DELETE FROM users WHERE id = ?`), id)
	if err := s.oneRow("delete user", res, err, userNotFound()); err != nil {
		return err
	}
	if len(received) > 0 {
		if err := markGone(ctx, s.w, received); err != nil {
			return s.fail("delete user", err)
		}
	}
	return nil
}

func userNotFound() *chat.Error { return chat.Errorf(chat.EUserNotFound, "no such user") }

// utcUser presents times in UTC whatever zone the driver read them in.
func utcUser(u chat.User) chat.User {
	u.CreatedAt = u.CreatedAt.UTC()
	return u
}
