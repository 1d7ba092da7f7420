package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ConsentEvent is one step of how an address came to be on the list, or
// left it.
type ConsentEvent string

// Consent events.
const (
	ConsentRequested    ConsentEvent = "requested" // the form was filled in
	ConsentConfirmed    ConsentEvent = "confirmed" // the confirmation link was used
	ConsentImported     ConsentEvent = "imported"  // the author imported the address
	ConsentAdded        ConsentEvent = "added"     // the author added it by hand
	ConsentUnsubscribed ConsentEvent = "unsubscribed"
)

// Consent is one consent record.
type Consent struct {
	Event   ConsentEvent
	At      time.Time
	Source  string // "web form", "import list.csv", "one-click", …
	IP      string
	Wording string // the version of the consent text the person saw
}

// ErrSuppressed is returned when the author adds an address that was
// forgotten at its owner's request: only its owner, through a new double
// opt-in, can bring it back.
var ErrSuppressed = errors.New("was erased at its owner's request; only a new subscription through the form can bring it back")

// Confirmation mail limits per address.
const (
	ConfirmInterval = 10 * time.Minute
	ConfirmPerDay   = 3
)

// SuppressionHash is the hash a forgotten address is kept as.
func SuppressionHash(email string) string {
	h := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return hex.EncodeToString(h[:])
}

func addConsent(ctx context.Context, tx *sql.Tx, subscriberID int64, c Consent) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO consents (subscriber_id, event, at, source, ip, wording)
		VALUES (?, ?, ?, ?, ?, ?)`, subscriberID, c.Event, unix(c.At), c.Source, c.IP, c.Wording)
	return err
}

func suppressed(ctx context.Context, tx *sql.Tx, email string) (bool, error) {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM suppressions WHERE email_hash = ?`, SuppressionHash(email)).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// Request is what the subscribe form sends.
type Request struct {
	Email, Name string
	Consent     Consent // Event is set to ConsentRequested
}

// RequestResult says what RequestSubscription did.
type RequestResult struct {
	Subscriber Subscriber
	// SendConfirm says a confirmation mail is due: the address is not
	// active yet and the per-address limits allow one now.
	SendConfirm bool
}

// RequestSubscription records a subscription request from the form: a new
// address becomes pending; an existing one keeps its status until its owner
// confirms (so a stranger cannot re-subscribe someone who left, nor hold up
// an active subscriber). The request is recorded as consent either way.
func (s *Store) RequestSubscription(ctx context.Context, r Request, now time.Time) (RequestResult, error) {
	var res RequestResult
	err := s.tx(ctx, func(tx *sql.Tx) error {
		sub, err := subscriberTx(ctx, tx, `email = ?`, r.Email)
		switch {
		case errors.Is(err, ErrNotFound):
			if _, err := tx.ExecContext(ctx, `INSERT INTO subscribers (email, name, status, created_at, updated_at)
				VALUES (?, ?, 'pending', ?, ?)`, r.Email, r.Name, unix(now), unix(now)); err != nil {
				return err
			}
			if sub, err = subscriberTx(ctx, tx, `email = ?`, r.Email); err != nil {
				return err
			}
		case err != nil:
			return err
		case sub.Status == Pending && r.Name != "":
			if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET name = ?, updated_at = ? WHERE id = ?`,
				r.Name, unix(now), sub.ID); err != nil {
				return err
			}
		}
		c := r.Consent
		c.Event, c.At = ConsentRequested, now
		if err := addConsent(ctx, tx, sub.ID, c); err != nil {
			return err
		}
		res.Subscriber = *sub
		if sub.Status == Active {
			return nil
		}
		var sentAt sql.NullInt64
		var day string
		var count int
		if err := tx.QueryRowContext(ctx, `SELECT confirm_sent_at, confirm_day, confirm_count FROM subscribers WHERE id = ?`,
			sub.ID).Scan(&sentAt, &day, &count); err != nil {
			return err
		}
		today := now.UTC().Format("2006-01-02")
		if day != today {
			count = 0
		}
		if (sentAt.Valid && now.Sub(fromUnix(sentAt.Int64)) < ConfirmInterval) || count >= ConfirmPerDay {
			return nil
		}
		res.SendConfirm = true
		_, err = tx.ExecContext(ctx, `UPDATE subscribers SET confirm_sent_at = ?, confirm_day = ?, confirm_count = ? WHERE id = ?`,
			unix(now), today, count+1, sub.ID)
		return err
	})
	return res, err
}

// UndoConfirmMark gives back the confirmation mail RequestSubscription
// counted for subscriber id at sentAt, when it could not be sent: the owner
// may try again at once instead of waiting out the limits.
func (s *Store) UndoConfirmMark(ctx context.Context, id int64, sentAt time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE subscribers SET confirm_sent_at = NULL,
		confirm_count = max(confirm_count - 1, 0) WHERE id = ? AND confirm_sent_at = ?`, id, unix(sentAt))
	return err
}

// Confirm activates subscriber id after its owner used the confirmation
// link, records the consent and lifts any suppression of the address. It
// reports whether the subscriber was already active (confirming twice is
// fine).
func (s *Store) Confirm(ctx context.Context, id int64, c Consent, now time.Time) (already bool, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		sub, err := subscriberTx(ctx, tx, `id = ?`, id)
		if err != nil {
			return err
		}
		if already = sub.Status == Active; already {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET status = 'active', updated_at = ? WHERE id = ?`, unix(now), id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM suppressions WHERE email_hash = ?`, SuppressionHash(sub.Email)); err != nil {
			return err
		}
		// Someone who left and subscribes again asks for the newsletter
		// as it is now: every stream.
		if _, err := tx.ExecContext(ctx, `DELETE FROM stream_optouts WHERE subscriber_id = ?`, id); err != nil {
			return err
		}
		c.Event, c.At = ConsentConfirmed, now
		return addConsent(ctx, tx, id, c)
	})
	return already, err
}

// Unsubscribe marks subscriber id unsubscribed and records how. It reports
// whether the subscriber had already left.
func (s *Store) Unsubscribe(ctx context.Context, id int64, c Consent, now time.Time) (already bool, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		already, err = unsubscribeTx(ctx, tx, id, c, now)
		return err
	})
	return already, err
}

// unsubscribeTx marks subscriber id unsubscribed in tx, with the consent
// record c; it reports whether the subscriber had already left.
func unsubscribeTx(ctx context.Context, tx *sql.Tx, id int64, c Consent, now time.Time) (already bool, err error) {
	sub, err := subscriberTx(ctx, tx, `id = ?`, id)
	if err != nil {
		return false, err
	}
	if sub.Status == Unsubscribed {
		return true, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE subscribers SET status = 'unsubscribed', updated_at = ? WHERE id = ?`, unix(now), id); err != nil {
		return false, err
	}
	c.Event, c.At = ConsentUnsubscribed, now
	return false, addConsent(ctx, tx, id, c)
}

// Forget erases everything kept about email (the subscriber, its consent
// records and its ledger rows) and keeps only the hash of the address, so
// that no import or add can bring it back. It reports whether the address
// was on the list; forgetting an unknown address still suppresses it.
func (s *Store) Forget(ctx context.Context, email string, now time.Time) (found bool, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		sub, err := subscriberTx(ctx, tx, `email = ?`, email)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return err
		default:
			found = true
			for _, q := range []string{`DELETE FROM consents WHERE subscriber_id = ?`, `DELETE FROM stream_optouts WHERE subscriber_id = ?`,
				`DELETE FROM deliveries WHERE subscriber_id = ?`, `DELETE FROM subscribers WHERE id = ?`} {
				if _, err := tx.ExecContext(ctx, q, sub.ID); err != nil {
					return err
				}
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT OR IGNORE INTO suppressions (email_hash, created_at) VALUES (?, ?)`,
			SuppressionHash(email), unix(now))
		return err
	})
	return found, err
}

// SubscriberByUID returns the subscriber a link names, or ErrNotFound.
func (s *Store) SubscriberByUID(ctx context.Context, uid int64) (*Subscriber, error) {
	return subscriberTx(ctx, s.db, `uid = ?`, uid)
}

// queryer is a *sql.DB or a *sql.Tx.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func subscriberTx(ctx context.Context, tx queryer, where string, arg any) (*Subscriber, error) {
	var sub Subscriber
	var c, u int64
	err := tx.QueryRowContext(ctx, `SELECT id, uid, email, name, status, created_at, updated_at
		FROM subscribers WHERE `+where, arg).Scan(&sub.ID, &sub.UID, &sub.Email, &sub.Name, &sub.Status, &c, &u)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("subscriber: %w", ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	sub.CreatedAt, sub.UpdatedAt = fromUnix(c), fromUnix(u)
	return &sub, nil
}
