package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Issue is a frozen, rendered digest (or one-off letter).
type Issue struct {
	ID         int64
	Week       string // "" for a letter
	Kind       IssueKind
	Subject    string
	HTML       string
	Text       string
	ComposedAt time.Time
	CutoffAt   time.Time
	Status     IssueStatus
	FinishedAt time.Time

	// Stream is who gets it: subscribers who have not stopped it.
	Stream Stream
	// ContentHash identifies a letter by its file's content; "" for a
	// digest.
	ContentHash string
	// Source is the file a letter was read from; "" for a digest.
	Source string
	// SendAt is when a letter is due (now, or 'letter send --at'); zero for
	// a digest.
	SendAt time.Time
	// ArchiveKey names a letter in the web archive; "" for a digest (its
	// week names it).
	ArchiveKey string
}

// Item is one thing an issue covers.
type Item struct {
	Kind      ItemKind
	Ref       string
	StartsAt  time.Time // webinars: the start announced
	Cancelled bool
}

// CreateIssue freezes an issue and what it covers in one transaction.
// ErrIssueExists means another run composed the same week first.
func (s *Store) CreateIssue(ctx context.Context, is *Issue, items []Item) error {
	var week any
	if is.Week != "" {
		week = is.Week
	}
	if is.Kind == "" {
		is.Kind = KindDigest
	}
	if is.Stream == "" {
		is.Stream = StreamDigest
	}
	var hash, sendAt, key any
	if is.ContentHash != "" {
		hash = is.ContentHash
	}
	if !is.SendAt.IsZero() {
		sendAt = unix(is.SendAt)
	}
	if is.ArchiveKey != "" {
		key = is.ArchiveKey
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `
			INSERT INTO issues (week, kind, subject, html, text, composed_at, cutoff_at, status, stream, content_hash, source, send_at, archive_key)
			VALUES (?, ?, ?, ?, ?, ?, ?, 'composed', ?, ?, ?, ?, ?)`,
			week, is.Kind, is.Subject, is.HTML, is.Text, unix(is.ComposedAt), unix(is.CutoffAt),
			is.Stream, hash, is.Source, sendAt, key)
		if isUnique(err) {
			return ErrIssueExists
		}
		if err != nil {
			return fmt.Errorf("create issue: %w", err)
		}
		is.ID, _ = r.LastInsertId()
		is.Status = IssueComposed
		for _, it := range items {
			var start any
			if !it.StartsAt.IsZero() {
				start = unix(it.StartsAt)
			}
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO issue_items (issue_id, kind, ref, starts_at, cancelled) VALUES (?, ?, ?, ?, ?)`,
				is.ID, it.Kind, it.Ref, start, it.Cancelled); err != nil {
				return fmt.Errorf("create issue item %s %s: %w", it.Kind, it.Ref, err)
			}
		}
		return nil
	})
}

const issueCols = `id, COALESCE(week, ''), kind, subject, html, text, composed_at, cutoff_at, status, finished_at,
	stream, COALESCE(content_hash, ''), source, send_at, COALESCE(archive_key, '')`

func scanIssue(row interface{ Scan(...any) error }, extra ...any) (*Issue, error) {
	var is Issue
	var composed, cutoff int64
	var finished, sendAt sql.NullInt64
	dest := append([]any{&is.ID, &is.Week, &is.Kind, &is.Subject, &is.HTML, &is.Text, &composed, &cutoff, &is.Status, &finished,
		&is.Stream, &is.ContentHash, &is.Source, &sendAt, &is.ArchiveKey}, extra...)
	err := row.Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	is.ComposedAt, is.CutoffAt, is.FinishedAt = fromUnix(composed), fromUnix(cutoff), nullUnix(finished)
	is.SendAt = nullUnix(sendAt)
	return &is, nil
}

// IssueByHash returns the letter whose content hashes to hash, or
// ErrNotFound.
func (s *Store) IssueByHash(ctx context.Context, hash string) (*Issue, error) {
	return scanIssue(s.db.QueryRowContext(ctx, `SELECT `+issueCols+` FROM issues WHERE content_hash = ?`, hash))
}

// IssueByArchiveKey returns the letter the web archive names key, or
// ErrNotFound.
func (s *Store) IssueByArchiveKey(ctx context.Context, key string) (*Issue, error) {
	return scanIssue(s.db.QueryRowContext(ctx, `SELECT `+issueCols+` FROM issues WHERE archive_key = ?`, key))
}

// LastLetterFrom returns the latest letter read from the file source, or
// ErrNotFound.
func (s *Store) LastLetterFrom(ctx context.Context, source string) (*Issue, error) {
	return scanIssue(s.db.QueryRowContext(ctx, `SELECT `+issueCols+` FROM issues
		WHERE kind = 'letter' AND source = ? ORDER BY id DESC LIMIT 1`, source))
}

// DueLetters returns the letters not yet done whose send_at has come,
// the earliest first.
func (s *Store) DueLetters(ctx context.Context, now time.Time) ([]Issue, error) {
	return s.queryIssues(ctx, `SELECT `+issueCols+` FROM issues
		WHERE kind = 'letter' AND status <> 'done' AND send_at IS NOT NULL AND send_at <= ?
		ORDER BY send_at, id`, unix(now))
}

// queryIssues runs a query selecting issueCols (or the same columns) and
// scans every row.
func (s *Store) queryIssues(ctx context.Context, query string, args ...any) ([]Issue, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Issue
	for rows.Next() {
		is, err := scanIssue(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *is)
	}
	return out, rows.Err()
}

// NextLetterAt returns when the next letter not yet due is scheduled, or
// the zero time when none is.
func (s *Store) NextLetterAt(ctx context.Context, now time.Time) (time.Time, error) {
	var at sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT min(send_at) FROM issues
		WHERE kind = 'letter' AND status <> 'done' AND send_at > ?`, unix(now)).Scan(&at)
	return nullUnix(at), err
}

// IssueByWeek returns the digest of week, or ErrNotFound.
func (s *Store) IssueByWeek(ctx context.Context, week string) (*Issue, error) {
	return scanIssue(s.db.QueryRowContext(ctx, `SELECT `+issueCols+` FROM issues WHERE week = ?`, week))
}

// IssueByID returns issue id, or ErrNotFound.
func (s *Store) IssueByID(ctx context.Context, id int64) (*Issue, error) {
	return scanIssue(s.db.QueryRowContext(ctx, `SELECT `+issueCols+` FROM issues WHERE id = ?`, id))
}

// LastDigest returns the most recently composed digest, or ErrNotFound.
func (s *Store) LastDigest(ctx context.Context) (*Issue, error) {
	return scanIssue(s.db.QueryRowContext(ctx,
		`SELECT `+issueCols+` FROM issues WHERE kind = 'digest' ORDER BY composed_at DESC, id DESC LIMIT 1`))
}

// LastIssue returns the most recent issue of any kind, or ErrNotFound.
func (s *Store) LastIssue(ctx context.Context) (*Issue, error) {
	return scanIssue(s.db.QueryRowContext(ctx,
		`SELECT `+issueCols+` FROM issues ORDER BY id DESC LIMIT 1`))
}

// MarkSending records that a run is delivering the issue (FinishIssue
// marks it done).
func (s *Store) MarkSending(ctx context.Context, id int64) error {
	_, err := s.db.ExecContext(ctx, `UPDATE issues SET status = 'sending', finished_at = NULL WHERE id = ?`, id)
	return err
}

// IssueSummary is a line of `venerdi history`.
type IssueSummary struct {
	Issue
	Posts, Webinars, Recordings, Changes int
	Counts                               map[LedgerStatus]int // ledger status → rows
}

// History lists issues newest first with their ledger counts.
func (s *Store) History(ctx context.Context, limit int) ([]IssueSummary, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+issueCols+`,
		(SELECT count(*) FROM issue_items i WHERE i.issue_id = issues.id AND kind = 'post'),
		(SELECT count(*) FROM issue_items i WHERE i.issue_id = issues.id AND kind = 'webinar'),
		(SELECT count(*) FROM issue_items i WHERE i.issue_id = issues.id AND kind = 'recording'),
		(SELECT count(*) FROM issue_items i WHERE i.issue_id = issues.id AND kind = 'change')
		FROM issues ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	var out []IssueSummary
	for rows.Next() {
		var h IssueSummary
		is, err := scanIssue(rows, &h.Posts, &h.Webinars, &h.Recordings, &h.Changes)
		if err != nil {
			rows.Close()
			return nil, err
		}
		h.Issue = *is
		h.HTML, h.Text = "", "" // a listing needs neither
		out = append(out, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	// Ledger counts for the listed issues in one query, not one per issue.
	byID := map[int64]*IssueSummary{}
	for i := range out {
		out[i].Counts = map[LedgerStatus]int{}
		byID[out[i].ID] = &out[i]
	}
	crow, err := s.db.QueryContext(ctx, `SELECT issue_id, status, count(*) FROM deliveries
		WHERE issue_id >= ? GROUP BY issue_id, status`, out[len(out)-1].ID)
	if err != nil {
		return nil, err
	}
	defer crow.Close()
	for crow.Next() {
		var id int64
		var status LedgerStatus
		var n int
		if err := crow.Scan(&id, &status, &n); err != nil {
			return nil, err
		}
		if h := byID[id]; h != nil {
			h.Counts[status] = n
		}
	}
	return out, crow.Err()
}

// Archive lists up to limit issues that went out (done, or being sent),
// newest first, without their bodies.
func (s *Store) Archive(ctx context.Context, limit int) ([]Issue, error) {
	return s.queryIssues(ctx, `SELECT id, COALESCE(week, ''), kind, subject, '', '', composed_at, cutoff_at, status, finished_at,
		stream, COALESCE(content_hash, ''), source, send_at, COALESCE(archive_key, '')
		FROM issues WHERE status IN ('sending', 'done') ORDER BY composed_at DESC, id DESC LIMIT ?`, limit)
}
