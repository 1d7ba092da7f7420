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
// for the issue and has not stopped its stream, so someone who subscribed
// while an issue was being sent is not skipped. It returns how many rows it
// added.
func (s *Store) EnsureLedger(ctx context.Context, issueID int64, now time.Time) (int, error) {
	return ensureLedger(ctx, s.db, issueID, now)
}

// execer is what ensureLedger runs on: the database, or a transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// ensureLedger adds a pending row for everyone who receives the issue's
// stream and has none, and says how many it added.
func ensureLedger(ctx context.Context, db execer, issueID int64, now time.Time) (int, error) {
	r, err := db.ExecContext(ctx, `
		INSERT OR IGNORE INTO deliveries (issue_id, subscriber_id, status, updated_at)
		SELECT ?1, s.id, 'pending', ?2 FROM subscribers s WHERE `+receives, issueID, unix(now))
	if err != nil {
		return 0, err
	}
	n, _ := r.RowsAffected()
	return int(n), nil
}

// Claim is what a run asks of the ledger.
type Claim struct {
	IssueID int64
	// RunID names the run; the rows it claims carry it, and it never
	// claims a row that already does (its own workers hold those).
	RunID string
	After int64 // subscriber id to continue after
	Limit int
	// Failed also claims rows a run left failed (temporary refusals).
	Failed bool
}

// claimable is the condition on a ledger row d that c may claim: a pending
// row, a row claimed by a run that died (one run per database holds the
// lock, so any other run id is a dead run's), a failed one when asked, and
// an unknown one once, by a run after the one that lost its reply.
const claimable = `(d.status = 'pending'
	OR (d.status = 'sending' AND d.run_id <> ?1)
	OR (d.status = 'failed' AND ?2)
	OR (d.status = 'unknown' AND d.uncertain < 2 AND d.run_id <> ?1))`

// Claim marks up to c.Limit claimable rows after subscriber id c.After as
// sending by c.RunID and returns them, with the last subscriber id it
// looked at. Rows whose subscriber is no longer active are marked skipped
// instead: an unsubscribe that arrives during a send is honoured for
// everyone not yet sent.
func (s *Store) Claim(ctx context.Context, c Claim, now time.Time) ([]Recipient, int64, error) {
	var out []Recipient
	last := c.After
	err := s.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `
			SELECT d.subscriber_id, s.uid, s.email, s.name, s.status, d.attempts
			FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
			WHERE d.issue_id = ?3 AND d.subscriber_id > ?4 AND `+claimable+`
			ORDER BY d.subscriber_id LIMIT ?5`, c.RunID, c.Failed, c.IssueID, c.After, c.Limit)
		if err != nil {
			return err
		}
		var skipped, claimed []any
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
			claimed = append(claimed, r.SubscriberID)
			out = append(out, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(skipped) > 0 {
			args := append([]any{unix(now), c.IssueID}, skipped...)
			if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = 'skipped', run_id = '', updated_at = ?
				WHERE issue_id = ? AND subscriber_id IN (`+placeholders(len(skipped))+`)`, args...); err != nil {
				return err
			}
		}
		if len(claimed) > 0 {
			args := append([]any{c.RunID, unix(now), c.IssueID}, claimed...)
			if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = 'sending', run_id = ?, updated_at = ?
				WHERE issue_id = ? AND subscriber_id IN (`+placeholders(len(claimed))+`)`, args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, c.After, err
	}
	return out, last, nil
}

// Record writes a batch of outcomes in one transaction, with a statement
// prepared once per database and reused: the ledger costs one commit per
// group of outcomes and one execution per message, never a parse. (A single
// multi-row UPDATE ... FROM (VALUES ...) was measured slower: SQLite walks
// the issue's rows for it.) A bounce also marks the subscriber bounced, so
// later issues skip the address. An outcome with status pending gives the
// row back unattempted (a run stopped before it).
func (s *Store) Record(ctx context.Context, issueID int64, outcomes []Outcome, now time.Time) error {
	// Prepared before the transaction: the pool has one connection, which
	// the transaction holds.
	stmt, err := s.prepared(ctx, recordSQL)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		upd := tx.StmtContext(ctx, stmt)
		var bounced []any
		for _, o := range outcomes {
			attempts := o.Attempts
			if o.Status != LedgerPending {
				attempts = max(attempts, 1)
			}
			if _, err := upd.ExecContext(ctx, o.Status, attempts, o.MessageID, o.Error, unix(now), issueID, o.SubscriberID); err != nil {
				return err
			}
			if o.Status == LedgerBounced {
				bounced = append(bounced, o.SubscriberID)
			}
		}
		if len(bounced) > 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET status = 'bounced', updated_at = ?
				WHERE status = 'active' AND id IN (`+placeholders(len(bounced))+`)`, append([]any{unix(now)}, bounced...)...); err != nil {
				return err
			}
		}
		return nil
	})
}

const recordSQL = `UPDATE deliveries SET status = ?1, attempts = attempts + ?2,
	message_id = ?3, last_error = ?4, updated_at = ?5,
	run_id = CASE WHEN ?1 = 'pending' THEN '' ELSE run_id END,
	uncertain = uncertain + (?1 = 'unknown')
	WHERE issue_id = ?6 AND subscriber_id = ?7`

// prepared returns the statement for query, prepared once per Store.
func (s *Store) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := s.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// Outstanding counts the rows of an issue still owed a try: pending,
// sending, unknown and not yet retried, and failed when failed is set.
func (s *Store) Outstanding(ctx context.Context, issueID int64, failed bool) (int, error) {
	var n int
	// A run id no run has: every claimed row counts, whoever claimed it.
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM deliveries d WHERE d.issue_id = ?3 AND `+claimable,
		"-", failed, issueID).Scan(&n)
	return n, err
}

// FinishIssue marks an issue done, unless someone became active (for its
// stream) since its
// rows were last added: then it adds their rows and returns how many, and
// the run goes on. Both happen in one transaction, so nobody who is active
// when the issue is marked done is left without it.
func (s *Store) FinishIssue(ctx context.Context, issueID int64, now time.Time) (added int, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if added, err = ensureLedger(ctx, tx, issueID, now); err != nil || added > 0 {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE issues SET status = 'done', finished_at = ? WHERE id = ?`, unix(now), issueID)
		return err
	})
	return added, err
}

// Unbounce makes subscribers bounced by one issue (issueID > 0), or since a
// time (issueID 0), active again, and turns their ledger rows back to
// failed so a retry sends them the issue. It undoes a mass bounce that was
// the relay's fault; it returns the addresses restored.
func (s *Store) Unbounce(ctx context.Context, issueID int64, since time.Time, now time.Time) ([]string, error) {
	var out []string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `
			SELECT DISTINCT s.id, s.email FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
			WHERE d.status = 'bounced' AND s.status = 'bounced'
			AND (?1 > 0 AND d.issue_id = ?1 OR ?1 = 0 AND d.updated_at >= ?2)
			ORDER BY s.email`, issueID, unix(since))
		if err != nil {
			return err
		}
		var ids []any
		for rows.Next() {
			var id int64
			var email string
			if err := rows.Scan(&id, &email); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
			out = append(out, email)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(ids) == 0 {
			return err
		}
		in := placeholders(len(ids))
		if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET status = 'active', updated_at = ? WHERE id IN (`+in+`)`,
			append([]any{unix(now)}, ids...)...); err != nil {
			return err
		}
		// Numbered parameters first, so the IN list's plain "?" follow them.
		_, err = tx.ExecContext(ctx, `UPDATE deliveries SET status = 'failed', updated_at = ?3
			WHERE status = 'bounced' AND (?1 > 0 AND issue_id = ?1 OR ?1 = 0 AND updated_at >= ?2)
			AND subscriber_id IN (`+in+`)`, append([]any{issueID, unix(since), unix(now)}, ids...)...)
		return err
	})
	return out, err
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
