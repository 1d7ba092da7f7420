package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Subscriber is one address on the list.
type Subscriber struct {
	ID        int64
	UID       int64 // random: what links carry instead of ID
	Email     string
	Name      string
	Status    SubscriberStatus
	CreatedAt time.Time
	UpdatedAt time.Time
	// Consent is the latest record of how the address joined; filled by
	// EachSubscriber only.
	Consent Consent
	// Streams are the streams it gets (the others it stopped); filled by
	// EachSubscriber only.
	Streams []Stream
}

// ErrUnsubscribed is returned when an add would re-activate an address that
// asked to leave: only the subscriber can undo that.
var ErrUnsubscribed = errors.New("unsubscribed; venerdi never re-activates an address that asked to leave")

// AddSubscriber adds email as active. An existing active or pending address
// gets its name updated; a bounced one is re-activated (the author vouches
// for it); an unsubscribed one is refused with ErrUnsubscribed.
func (s *Store) AddSubscriber(ctx context.Context, email, name string, now time.Time) (created bool, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		var status SubscriberStatus
		err := tx.QueryRowContext(ctx, `SELECT status FROM subscribers WHERE email = ?`, email).Scan(&status)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if sup, err := suppressed(ctx, tx, email); err != nil {
				return err
			} else if sup {
				return fmt.Errorf("%s %w", email, ErrSuppressed)
			}
			created = true
			r, err := tx.ExecContext(ctx, `INSERT INTO subscribers (email, name, status, created_at, updated_at)
				VALUES (?, ?, 'active', ?, ?)`, email, name, unix(now), unix(now))
			if err != nil {
				return err
			}
			id, _ := r.LastInsertId()
			return addConsent(ctx, tx, id, Consent{Event: ConsentAdded, At: now, Source: "venerdi subscribers add"})
		case err != nil:
			return err
		case status == Unsubscribed:
			return fmt.Errorf("%s: %w", email, ErrUnsubscribed)
		}
		_, err = tx.ExecContext(ctx, `UPDATE subscribers SET status = 'active',
			name = CASE WHEN ? <> '' THEN ? ELSE name END, updated_at = ? WHERE email = ?`,
			name, name, unix(now), email)
		return err
	})
	return created, err
}

// ImportRow is one subscriber read from a file.
type ImportRow struct {
	Email, Name string
	// Status is the status of a new address: "" for active; another tool's
	// export may say unsubscribed or bounced, and that is kept.
	Status SubscriberStatus
	// ConsentAt is when the other tool says the address opted in, if it
	// says.
	ConsentAt time.Time
	// Streams, when not nil, are the streams a new address gets (a file
	// venerdi exported says); nil: every stream.
	Streams []Stream
}

// ImportResult counts what an import did.
type ImportResult struct {
	Added, Updated, Kept int // Kept: unchanged, or unsubscribed or bounced and left alone
	Suppressed           int // forgotten at their owner's request: not imported
}

// ImportSubscribers adds rows in one transaction: all or nothing. Existing
// addresses keep their status, so an import never re-activates anyone who
// unsubscribed or bounced; an address that was forgotten is not imported
// at all. source names the import in the consent records.
func (s *Store) ImportSubscribers(ctx context.Context, rows []ImportRow, source string, now time.Time) (ImportResult, error) {
	var res ImportResult
	err := s.tx(ctx, func(tx *sql.Tx) error {
		for _, r := range rows {
			var status SubscriberStatus
			err := tx.QueryRowContext(ctx, `SELECT status FROM subscribers WHERE email = ?`, r.Email).Scan(&status)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if sup, err := suppressed(ctx, tx, r.Email); err != nil {
					return err
				} else if sup {
					res.Suppressed++
					continue
				}
				st := Active
				if r.Status != "" {
					st = r.Status
				}
				ins, err := tx.ExecContext(ctx, `INSERT INTO subscribers (email, name, status, created_at, updated_at)
					VALUES (?, ?, ?, ?, ?)`, r.Email, r.Name, st, unix(now), unix(now))
				if err != nil {
					return fmt.Errorf("import %s: %w", r.Email, err)
				}
				id, _ := ins.LastInsertId()
				at := now
				if !r.ConsentAt.IsZero() {
					at = r.ConsentAt
				}
				if err := addConsent(ctx, tx, id, Consent{Event: ConsentImported, At: at, Source: source}); err != nil {
					return err
				}
				if r.Streams != nil {
					if err := setStreams(ctx, tx, r.Email, r.Streams, now); err != nil {
						return err
					}
				}
				res.Added++
			case err != nil:
				return err
			case status == Unsubscribed || status == Bounced:
				res.Kept++
			default:
				u, err := tx.ExecContext(ctx, `UPDATE subscribers SET name = ?, updated_at = ?
					WHERE email = ? AND ? <> '' AND name <> ?`, r.Name, unix(now), r.Email, r.Name, r.Name)
				if err != nil {
					return err
				}
				if n, _ := u.RowsAffected(); n > 0 {
					res.Updated++
				} else {
					res.Kept++
				}
			}
		}
		return nil
	})
	if err != nil {
		return ImportResult{}, err
	}
	return res, nil
}

// SetSubscriberStatus changes the status of email; ErrNotFound when absent.
func (s *Store) SetSubscriberStatus(ctx context.Context, email string, status SubscriberStatus, now time.Time) error {
	r, err := s.db.ExecContext(ctx, `UPDATE subscribers SET status = ?, updated_at = ? WHERE email = ?`,
		status, unix(now), email)
	if err != nil {
		return err
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return fmt.Errorf("%s: %w", email, ErrNotFound)
	}
	return nil
}

// EachSubscriber calls fn for every subscriber (with one of statuses, or
// all when none are given), in id order, a page at a time so that neither
// memory nor a read transaction grows with the list.
func (s *Store) EachSubscriber(ctx context.Context, statuses []SubscriberStatus, fn func(Subscriber) error) error {
	const page = 1000
	filter, args := "", []any{}
	if len(statuses) > 0 {
		filter = " AND s.status IN (" + placeholders(len(statuses)) + ")"
		for _, st := range statuses {
			args = append(args, st)
		}
	}
	var after int64
	for {
		rows, err := s.db.QueryContext(ctx, `SELECT s.id, s.uid, s.email, s.name, s.status, s.created_at, s.updated_at,
			COALESCE(c.event, ''), COALESCE(c.at, 0), COALESCE(c.source, ''), COALESCE(c.ip, ''), COALESCE(c.wording, ''),
			(SELECT COALESCE(group_concat(stream), '') FROM stream_optouts WHERE subscriber_id = s.id)
			FROM subscribers s LEFT JOIN consents c ON c.id = (SELECT max(id) FROM consents
				WHERE subscriber_id = s.id AND event IN ('requested', 'confirmed', 'imported', 'added'))
			WHERE s.id > ?`+filter+` ORDER BY s.id LIMIT `+fmt.Sprint(page), append([]any{after}, args...)...)
		if err != nil {
			return err
		}
		var batch []Subscriber
		for rows.Next() {
			var sub Subscriber
			var c, u, at int64
			var off string
			if err := rows.Scan(&sub.ID, &sub.UID, &sub.Email, &sub.Name, &sub.Status, &c, &u,
				&sub.Consent.Event, &at, &sub.Consent.Source, &sub.Consent.IP, &sub.Consent.Wording, &off); err != nil {
				rows.Close()
				return err
			}
			sub.CreatedAt, sub.UpdatedAt = fromUnix(c), fromUnix(u)
			sub.Streams = parseOptouts(off)
			if at > 0 {
				sub.Consent.At = fromUnix(at)
			}
			batch = append(batch, sub)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, sub := range batch {
			if err := fn(sub); err != nil {
				return err
			}
		}
		if len(batch) < page {
			return nil
		}
		after = batch[len(batch)-1].ID
	}
}

// CountSubscribers returns subscriber counts by status.
func (s *Store) CountSubscribers(ctx context.Context) (map[SubscriberStatus]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT status, count(*) FROM subscribers GROUP BY status`)
	if err != nil {
		return nil, err
	}
	return scanCounts[SubscriberStatus](rows)
}

func scanCounts[K ~string](rows *sql.Rows) (map[K]int, error) {
	defer rows.Close()
	out := map[K]int{}
	for rows.Next() {
		var k K
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, rows.Err()
}

// NormalizeEmail lower-cases the domain and trims spaces; the local part is
// left alone (it is case-sensitive in principle), while the NOCASE column
// still treats Anna@x and anna@x as one subscriber.
func NormalizeEmail(addr string) string {
	addr = strings.TrimSpace(addr)
	if i := strings.LastIndexByte(addr, '@'); i > 0 {
		return addr[:i] + strings.ToLower(addr[i:])
	}
	return addr
}

// FirstJoined returns when the earliest subscriber still on record was
// added; zero when there is none.
func (s *Store) FirstJoined(ctx context.Context) (time.Time, error) {
	var n sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT min(created_at) FROM subscribers`).Scan(&n)
	return nullUnix(n), err
}
