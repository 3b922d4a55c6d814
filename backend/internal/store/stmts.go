package store

import (
	"context"
	"sync"

	"github.com/jmoiron/sqlx"
)

// stmtCache keeps the read pool's prepared statements, one per query text.
//
// Every connection runs the same few reads (the user behind a token, the
// history of the room joined, private messages waiting), and parsing their
// SQL anew each time was a third of the server's CPU while clients connect
// (the Connect target of docs/performance.md): SQLite's parser and planner are the
// expensive part of a small query, and PostgreSQL's are not free either.
// A database/sql statement prepares itself on whichever pooled connection
// runs it, and again on a new connection after an outage, so one per query
// serves the whole pool. The queries are constants, so the cache is bounded
// by the number of them.
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sqlx.Stmt
}

// get returns the statement of query (already rebound) on db, preparing it
// on first use. A failed prepare is not cached: the next call tries again.
func (c *stmtCache) get(ctx context.Context, db *sqlx.DB, query string) (*sqlx.Stmt, error) {
	c.mu.Lock()
	st, ok := c.m[query]
	c.mu.Unlock()
	if ok {
		return st, nil
	}
	// Prepared outside the lock: with the database away it can take long,
	// and other queries must not queue behind it.
	st, err := db.PreparexContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if first, ok := c.m[query]; ok { // another caller prepared it meanwhile
		_ = st.Close()
		return first, nil
	}
	if c.m == nil {
		c.m = make(map[string]*sqlx.Stmt)
	}
	c.m[query] = st
	return st, nil
}

// close releases every statement.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		_ = st.Close() // the pool closes next, which frees them anyway
	}
	c.m = nil
}

// selectRead runs a read query written with ? placeholders into dest (a
// slice) through its prepared statement.
func (s *Store) selectRead(ctx context.Context, dest any, query string, args ...any) error {
	st, err := s.reads.get(ctx, s.r, s.r.Rebind(query))
	if err != nil {
		return err
	}
	return st.SelectContext(ctx, dest, args...)
}

// getRead is selectRead for a query of one row; sql.ErrNoRows when none.
func (s *Store) getRead(ctx context.Context, dest any, query string, args ...any) error {
	st, err := s.reads.get(ctx, s.r, s.r.Rebind(query))
	if err != nil {
		return err
	}
	return st.GetContext(ctx, dest, args...)
}
