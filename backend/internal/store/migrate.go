package store

import (
	"context"
	"embed"
	"fmt"
	"path"

	"github.com/pressly/goose/v3"
)

// migrationFiles holds one folder of goose SQL migrations per dialect.
//
//go:embed migrations
var migrationFiles embed.FS

// migrate applies the pending migrations with a goose Provider, which keeps
// its state in the Provider rather than in goose's package globals, and
// returns the names of the applied files.
func (s *Store) migrate(ctx context.Context) ([]string, error) {
	dialect, fsys, opts, err := s.d.migrations(ctx, s.w.DB)
	if err != nil {
		return nil, s.fail("migrate", err)
	}
	// Go migrations registered globally with goose are none of ours.
	opts = append(opts, goose.WithDisableGlobalRegistry(true))
	p, err := goose.NewProvider(dialect, s.w.DB, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("store: migrate: %w", err)
	}
	// p.Close would close s.w: the store keeps using the pool, so it is not
	// called.
	results, err := p.Up(ctx)
	if err != nil {
		return nil, s.fail("migrate", err)
	}
	applied := make([]string, 0, len(results))
	for _, r := range results {
		applied = append(applied, path.Base(r.Source.Path))
	}
	return applied, nil
}
