package store

import (
	"context"
	"fmt"
)

// Backup writes a consistent copy of the database into path with VACUUM
// INTO: one read transaction, so the copy is the database as of one moment
// however many writers (serve, a send) commit meanwhile, and it holds no
// write lock. path must not exist or be an empty file; the caller creates
// it (owner-only) and moves it into place.
func (s *Store) Backup(ctx context.Context, path string) error {
	if _, err := s.db.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return fmt.Errorf("back up %s: %w", s.path, err)
	}
	return nil
}
