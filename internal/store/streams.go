package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"
)

// receives is the condition on a subscribers row s that it receives the
// stream of issue ?1: active, and that stream not stopped.
const receives = `s.status = 'active' AND NOT EXISTS (SELECT 1 FROM stream_optouts o
	WHERE o.subscriber_id = s.id AND o.stream = (SELECT stream FROM issues WHERE id = ?1))`

// StopStream stops stream for subscriber id, and marks skipped the rows
// still pending of that stream's unfinished issues, so a stream stopped
// during a send is honoured for everyone not yet sent. When no stream is
// left the subscriber is unsubscribed, with the consent record c. It
// reports whether the stream was stopped already, and whether the
// subscriber is now unsubscribed.
func (s *Store) StopStream(ctx context.Context, id int64, stream Stream, c Consent, now time.Time) (already, unsubscribed bool, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO stream_optouts (subscriber_id, stream, at) VALUES (?, ?, ?)`,
			id, stream, unix(now))
		if err != nil {
			return err
		}
		n, _ := r.RowsAffected()
		already = n == 0
		if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET status = 'skipped', run_id = '', updated_at = ?
			WHERE subscriber_id = ? AND status = 'pending'
			AND issue_id IN (SELECT id FROM issues WHERE stream = ? AND status <> 'done')`, unix(now), id, stream); err != nil {
			return err
		}
		var left int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM stream_optouts WHERE subscriber_id = ?`, id).Scan(&left); err != nil {
			return err
		}
		if left < len(Streams) {
			return nil
		}
		unsubscribed = true
		_, err = unsubscribeTx(ctx, tx, id, c, now)
		return err
	})
	return already, unsubscribed, err
}

// setStreams makes subscriber email get exactly the streams in want (the
// others stopped), for an import. An empty want is refused by callers:
// that is an unsubscribe.
func setStreams(ctx context.Context, tx *sql.Tx, email string, want []Stream, now time.Time) error {
	var id int64
	if err := tx.QueryRowContext(ctx, `SELECT id FROM subscribers WHERE email = ?`, email).Scan(&id); err != nil {
		if err == sql.ErrNoRows {
			return ErrNotFound
		}
		return err
	}
	for _, st := range Streams {
		var err error
		if slices.Contains(want, st) {
			_, err = tx.ExecContext(ctx, `DELETE FROM stream_optouts WHERE subscriber_id = ? AND stream = ?`, id, st)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT OR IGNORE INTO stream_optouts (subscriber_id, stream, at) VALUES (?, ?, ?)`, id, st, unix(now))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// SubscriberStreams returns the streams subscriber id gets (those it has
// not stopped), in the order of Streams.
func (s *Store) SubscriberStreams(ctx context.Context, id int64) ([]Stream, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT stream FROM stream_optouts WHERE subscriber_id = ?`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var off []Stream
	for rows.Next() {
		var st Stream
		if err := rows.Scan(&st); err != nil {
			return nil, err
		}
		off = append(off, st)
	}
	return streamsBut(off), rows.Err()
}

// streamsBut returns Streams less off.
func streamsBut(off []Stream) []Stream {
	out := []Stream{}
	for _, st := range Streams {
		if !slices.Contains(off, st) {
			out = append(out, st)
		}
	}
	return out
}

// parseOptouts reads the group_concat of a subscriber's stopped streams.
func parseOptouts(s string) []Stream {
	var off []Stream
	for _, f := range strings.Split(s, ",") {
		if f != "" {
			off = append(off, Stream(f))
		}
	}
	return streamsBut(off)
}

// CountStreamRecipients counts the active subscribers who get stream.
func (s *Store) CountStreamRecipients(ctx context.Context, stream Stream) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM subscribers s WHERE s.status = 'active'
		AND NOT EXISTS (SELECT 1 FROM stream_optouts o WHERE o.subscriber_id = s.id AND o.stream = ?)`, stream).Scan(&n)
	return n, err
}
