package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Source is what is remembered about one configured feed or catalog.
type Source struct {
	URL        string // as configured
	CurrentURL string // after permanent redirects
	// ETag and LastModified are the validators of the last good answer,
	// sent back as If-None-Match and If-Modified-Since.
	ETag         string
	LastModified string
	Title        string
	CheckedAt    time.Time
	OKAt         time.Time
	LastError    string
}

// Source returns the stored state of url; a source never fetched comes back
// with CurrentURL = url and empty validators.
func (s *Store) Source(ctx context.Context, url string) (Source, error) {
	src := Source{URL: url, CurrentURL: url}
	var checked, ok sql.NullInt64
	err := s.db.QueryRowContext(ctx, `
		SELECT current_url, etag, last_modified, title, checked_at, ok_at, last_error
		FROM sources WHERE url = ?`, url).Scan(
		&src.CurrentURL, &src.ETag, &src.LastModified, &src.Title, &checked, &ok, &src.LastError)
	if errors.Is(err, sql.ErrNoRows) {
		return src, nil
	}
	src.CheckedAt, src.OKAt = nullUnix(checked), nullUnix(ok)
	return src, err
}

// SaveSource records the outcome of a fetch. An empty LastError marks success.
func (s *Store) SaveSource(ctx context.Context, src Source, now time.Time) error {
	var ok any
	if src.LastError == "" {
		ok = unix(now)
	}
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO sources (url, current_url, etag, last_modified, title, checked_at, ok_at, last_error)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (url) DO UPDATE SET
			current_url = excluded.current_url,
			etag = excluded.etag,
			last_modified = excluded.last_modified,
			title = CASE WHEN excluded.title <> '' THEN excluded.title ELSE sources.title END,
			checked_at = excluded.checked_at,
			ok_at = COALESCE(excluded.ok_at, sources.ok_at),
			last_error = excluded.last_error`,
		src.URL, src.CurrentURL, src.ETag, src.LastModified, src.Title, unix(now), ok, src.LastError)
	return err
}
