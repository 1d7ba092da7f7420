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
	return s.tx(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `
			INSERT INTO issues (week, kind, subject, html, text, composed_at, cutoff_at, status)
			VALUES (?, ?, ?, ?, ?, ?, ?, 'composed')`,
			week, is.Kind, is.Subject, is.HTML, is.Text, unix(is.ComposedAt), unix(is.CutoffAt))
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

const issueCols = `id, COALESCE(week, ''), kind, subject, html, text, composed_at, cutoff_at, status, finished_at`

func scanIssue(row interface{ Scan(...any) error }) (*Issue, error) {
	var is Issue
	var composed, cutoff int64
	var finished sql.NullInt64
	err := row.Scan(&is.ID, &is.Week, &is.Kind, &is.Subject, &is.HTML, &is.Text, &composed, &cutoff, &is.Status, &finished)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	is.ComposedAt, is.CutoffAt, is.FinishedAt = fromUnix(composed), fromUnix(cutoff), nullUnix(finished)
	return &is, nil
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

// SetIssueStatus moves an issue to status; "done" also stamps finished_at.
func (s *Store) SetIssueStatus(ctx context.Context, id int64, status IssueStatus, now time.Time) error {
	var fin any
	if status == IssueDone {
		fin = unix(now)
	}
	_, err := s.db.ExecContext(ctx, `UPDATE issues SET status = ?, finished_at = ? WHERE id = ?`, status, fin, id)
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
		var composed, cutoff int64
		var finished sql.NullInt64
		if err := rows.Scan(&h.ID, &h.Week, &h.Kind, &h.Subject, &h.HTML, &h.Text, &composed, &cutoff, &h.Status, &finished,
			&h.Posts, &h.Webinars, &h.Recordings, &h.Changes); err != nil {
			rows.Close()
			return nil, err
		}
		h.ComposedAt, h.CutoffAt, h.FinishedAt = fromUnix(composed), fromUnix(cutoff), nullUnix(finished)
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
	rows, err := s.db.QueryContext(ctx, `SELECT id, COALESCE(week, ''), kind, subject, '', '', composed_at, cutoff_at, status, finished_at
		FROM issues WHERE status IN ('sending', 'done') ORDER BY composed_at DESC, id DESC LIMIT ?`, limit)
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
