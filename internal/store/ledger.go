package store

import (
	"context"
	"database/sql"
	"time"
)

// Recipient is a claimed ledger row ready to be sent.
type Recipient struct {
	SubscriberID int64
	UID          int64 // what the recipient's links carry
	Email        string
	Name         string
	Attempts     int
}

// Outcome is the result of sending to one recipient.
type Outcome struct {
	SubscriberID int64
	Status       LedgerStatus
	MessageID    string
	Error        string
	Attempts     int // SMTP attempts made in this run
}

// EnsureLedger adds a pending row for every active subscriber that has none
// for the issue, so someone who subscribed while an issue was being sent is
// not skipped. It returns how many rows it added.
func (s *Store) EnsureLedger(ctx context.Context, issueID int64, now time.Time) (int, error) {
	r, err := s.db.ExecContext(ctx, `
		INSERT OR IGNORE INTO deliveries (issue_id, subscriber_id, status, updated_at)
		SELECT ?, id, 'pending', ? FROM subscribers WHERE status = 'active'`, issueID, unix(now))
	if err != nil {
		return 0, err
	}
	n, _ := r.RowsAffected()
	return int(n), nil
}

// Claim marks up to limit rows after subscriber id `after` as sending and
// returns them. statuses says which rows are claimable (pending and sending
// on a normal run; failed too when retrying). Rows whose subscriber is no
// longer active are marked skipped instead: an unsubscribe that arrives
// during a send is honoured for everyone not yet sent.
func (s *Store) Claim(ctx context.Context, issueID, after int64, limit int, statuses []LedgerStatus, now time.Time) ([]Recipient, int64, error) {
	var out []Recipient
	last := after
	err := s.tx(ctx, func(tx *sql.Tx) error {
		args := []any{issueID, after}
		for _, st := range statuses {
			args = append(args, st)
		}
		args = append(args, limit)
		rows, err := tx.QueryContext(ctx, `
			SELECT d.subscriber_id, s.uid, s.email, s.name, s.status, d.attempts
			FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
			WHERE d.issue_id = ? AND d.subscriber_id > ? AND d.status IN (`+placeholders(len(statuses))+`)
			ORDER BY d.subscriber_id LIMIT ?`, args...)
		if err != nil {
			return err
		}
		var skipped []int64
		for rows.Next() {
			var r Recipient
			var status SubscriberStatus
			if err := rows.Scan(&r.SubscriberID, &r.UID, &r.Email, &r.Name, &status, &r.Attempts); err != nil {
				rows.Close()
				return err
			}
			last = r.SubscriberID
			if status != Active {
				skipped = append(skipped, r.SubscriberID)
				continue
			}
			out = append(out, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range skipped {
			if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = 'skipped', updated_at = ?
				WHERE issue_id = ? AND subscriber_id = ?`, unix(now), issueID, id); err != nil {
				return err
			}
		}
		for _, r := range out {
			if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = 'sending', updated_at = ?
				WHERE issue_id = ? AND subscriber_id = ?`, unix(now), issueID, r.SubscriberID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, after, err
	}
	return out, last, nil
}

// Record writes a batch of outcomes in one transaction. A bounce also marks
// the subscriber bounced, so later issues skip the address.
func (s *Store) Record(ctx context.Context, issueID int64, outcomes []Outcome, now time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, o := range outcomes {
			if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = ?, attempts = attempts + max(?, 1),
				message_id = ?, last_error = ?, updated_at = ? WHERE issue_id = ? AND subscriber_id = ?`,
				o.Status, o.Attempts, o.MessageID, o.Error, unix(now), issueID, o.SubscriberID); err != nil {
				return err
			}
			if o.Status == LedgerBounced {
				if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET status = 'bounced', updated_at = ?
					WHERE id = ? AND status = 'active'`, unix(now), o.SubscriberID); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// LedgerCounts returns the number of ledger rows of an issue by status.
func (s *Store) LedgerCounts(ctx context.Context, issueID int64) (map[LedgerStatus]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT status, count(*) FROM deliveries WHERE issue_id = ? GROUP BY status`, issueID)
	if err != nil {
		return nil, err
	}
	return scanCounts[LedgerStatus](rows)
}

// Delivery is one ledger row with its address, for `venerdi deliveries`.
type Delivery struct {
	IssueID   int64
	Email     string
	Status    LedgerStatus
	Attempts  int
	MessageID string
	Error     string
	UpdatedAt time.Time
}

// Deliveries lists the ledger rows of an issue, optionally of one status.
func (s *Store) Deliveries(ctx context.Context, issueID int64, status LedgerStatus) ([]Delivery, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT d.issue_id, s.email, d.status, d.attempts, d.message_id, d.last_error, d.updated_at
		FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
		WHERE d.issue_id = ? AND (? = '' OR d.status = ?) ORDER BY s.email`, issueID, status, status)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		var d Delivery
		var u int64
		if err := rows.Scan(&d.IssueID, &d.Email, &d.Status, &d.Attempts, &d.MessageID, &d.Error, &u); err != nil {
			return nil, err
		}
		d.UpdatedAt = fromUnix(u)
		out = append(out, d)
	}
	return out, rows.Err()
}
