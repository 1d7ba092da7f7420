package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
)

// Health is what Inspect learns about a database file without changing it.
type Health struct {
	Schema    int      // PRAGMA user_version
	Known     int      // the migrations this venerdi knows
	Problems  []string // what PRAGMA integrity_check found; empty when sound
	Secret    bool     // a token-signing secret is kept in it
	LastIssue *Issue   // nil when no issue was ever composed
	// LastCounts are the ledger rows of LastIssue by status.
	LastCounts map[LedgerStatus]int
}

// Inspect opens the database at path read-only (no create, no migration,
// no secret generated) and checks it: schema version, integrity, whether
// it keeps a secret, the last issue. An error means it cannot be read as a
// database at all.
func Inspect(ctx context.Context, path string) (*Health, error) {
	q := url.Values{}
	q.Set("mode", "ro")
	q.Set("_busy_timeout", "10000")
	db, err := sql.Open("sqlite3", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	h := &Health{Known: len(names)}
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&h.Schema); err != nil {
		return nil, fmt.Errorf("schema version: %w", err)
	}
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check(10)")
	if err != nil {
		return nil, fmt.Errorf("integrity check: %w", err)
	}
	for rows.Next() {
		var msg string
		if err := rows.Scan(&msg); err != nil {
			rows.Close()
			return nil, err
		}
		if msg != "ok" {
			h.Problems = append(h.Problems, msg)
		}
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("integrity check: %w", err)
	}
	if len(h.Problems) > 0 || h.Schema == 0 {
		return h, nil // the tables below cannot be trusted, or are not there
	}
	s := &Store{db: db, path: path}
	v, err := s.Meta(ctx, "secret")
	if err != nil {
		return nil, err
	}
	h.Secret = v != ""
	switch is, err := s.LastIssue(ctx); {
	case err == nil:
		h.LastIssue = is
		if h.LastCounts, err = s.LedgerCounts(ctx, is.ID); err != nil {
			return nil, err
		}
	case !errors.Is(err, ErrNotFound):
		return nil, err
	}
	return h, nil
}
