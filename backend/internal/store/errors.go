package store

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/salachat/sala/backend/internal/chat"
)

// Every error leaving the store goes through these helpers: they use the
// dialect's classify, so driver errors are read in one place per dialect.

// unavailable is the chat error of an unreachable database.
func unavailable() *chat.Error {
	return chat.Errorf(chat.EUnavailable, "The database is unavailable: retry later.")
}

// fail wraps err with the operation that met it; an unreachable database
// becomes unavailable. Both the chat error and the driver's stay in the
// chain, so chat.ErrorCode finds the code and logs keep the cause.
func (s *Store) fail(op string, err error) error { return failOn(s.d, op, err) }

// failOn is fail for dialect d, for code that has no Store (the Sequencer).
func failOn(d dialect, op string, err error) error {
	if k := d.classify(err); k == errUnavailable || k == errRefused {
		return fmt.Errorf("store: %s: %w: %w", op, unavailable(), err)
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

// failConstraint is fail for writes that can break a constraint: a unique
// violation becomes onUnique and a foreign-key violation onForeignKey, when
// given.
func (s *Store) failConstraint(op string, err error, onUnique, onForeignKey *chat.Error) error {
	return failConstraintOn(s.d, op, err, onUnique, onForeignKey)
}

// failConstraintOn is failConstraint for dialect d.
func failConstraintOn(d dialect, op string, err error, onUnique, onForeignKey *chat.Error) error {
	switch d.classify(err) {
	case errUnique:
		if onUnique != nil {
			return onUnique
		}
	case errForeignKey:
		if onForeignKey != nil {
			return onForeignKey
		}
	}
	return failOn(d, op, err)
}

// notFound turns sql.ErrNoRows into the chat error e, other errors as fail.
func (s *Store) notFound(op string, err error, e *chat.Error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return e
	}
	return s.fail(op, err)
}

// oneRow checks a write meant to change one row: none changed is e.
func (s *Store) oneRow(op string, res sql.Result, err error, e *chat.Error) error {
	if err != nil {
		return s.fail(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return s.fail(op, err)
	}
	if n == 0 {
		return e
	}
	return nil
}
