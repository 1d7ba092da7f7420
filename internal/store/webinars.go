package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/venerdi/venerdi/internal/catalog"
)

// StoredWebinar is a webinar as kept in the database.
type StoredWebinar struct {
	catalog.Webinar
	RecordingSeenAt time.Time
	// Announced* describe the last state an issue told subscribers, for
	// WebinarChanges; zero when never announced.
	AnnouncedStart     time.Time
	AnnouncedCancelled bool
	// Announced is true when some issue already listed it.
	Announced bool
}

// UpsertWebinars stores a catalog in one transaction. The moment a recording
// URL first appears is kept: it decides which issue reports the recording.
func (s *Store) UpsertWebinars(ctx context.Context, ws []catalog.Webinar, now time.Time) (UpsertResult, error) {
	var res UpsertResult
	err := s.tx(ctx, func(tx *sql.Tx) error {
		for _, w := range ws {
			var exists bool
			if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM webinars WHERE id = ?)", w.ID).Scan(&exists); err != nil {
				return err
			}
			r, err := tx.ExecContext(ctx, `
				INSERT INTO webinars (id, title, speaker, description, url, recording_url, starts_at, duration_min,
					all_day, cancelled, first_seen_at, recording_seen_at, updated_at)
				VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, CASE WHEN ?6 <> '' THEN ?11 END, ?11)
				ON CONFLICT (id) DO UPDATE SET
					title = excluded.title, speaker = excluded.speaker, description = excluded.description,
					url = excluded.url, recording_url = excluded.recording_url, starts_at = excluded.starts_at,
					duration_min = excluded.duration_min, all_day = excluded.all_day, cancelled = excluded.cancelled,
					recording_seen_at = CASE
						WHEN excluded.recording_url = '' THEN NULL
						ELSE COALESCE(webinars.recording_seen_at, excluded.updated_at) END,
					updated_at = excluded.updated_at
				WHERE (webinars.title, webinars.speaker, webinars.description, webinars.url, webinars.recording_url,
					webinars.starts_at, webinars.duration_min, webinars.all_day, webinars.cancelled)
					IS NOT (excluded.title, excluded.speaker, excluded.description, excluded.url, excluded.recording_url,
					excluded.starts_at, excluded.duration_min, excluded.all_day, excluded.cancelled)`,
				w.ID, w.Title, w.Speaker, w.Description, w.URL, w.RecordingURL, unix(w.StartsAt),
				int(w.Duration/time.Minute), w.AllDay, w.Cancelled, unix(now))
			if err != nil {
				return fmt.Errorf("store webinar %q: %w", w.ID, err)
			}
			switch n, _ := r.RowsAffected(); {
			case !exists:
				res.Added++
			case n > 0:
				res.Updated++
			}
		}
		return nil
	})
	return res, err
}

const webinarCols = `w.id, w.title, w.speaker, w.description, w.url, w.recording_url, w.starts_at,
	w.duration_min, w.all_day, w.cancelled, w.recording_seen_at,
	EXISTS (SELECT 1 FROM issue_items i WHERE i.ref = w.id AND i.kind IN ('webinar', 'change'))`

func scanWebinars(rows *sql.Rows, extra ...any) ([]StoredWebinar, error) {
	defer rows.Close()
	var out []StoredWebinar
	for rows.Next() {
		var w StoredWebinar
		var start int64
		var mins int
		var seen sql.NullInt64
		var annStart sql.NullInt64
		var annCancelled sql.NullBool
		dest := []any{&w.ID, &w.Title, &w.Speaker, &w.Description, &w.URL, &w.RecordingURL, &start,
			&mins, &w.AllDay, &w.Cancelled, &seen, &w.Announced}
		if len(extra) > 0 {
			dest = append(dest, &annStart, &annCancelled)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		w.StartsAt = fromUnix(start)
		w.Duration = time.Duration(mins) * time.Minute
		w.RecordingSeenAt = nullUnix(seen)
		w.AnnouncedStart = nullUnix(annStart)
		w.AnnouncedCancelled = annCancelled.Bool
		out = append(out, w)
	}
	return out, rows.Err()
}

// UpcomingWebinars returns live webinars starting in (from, to], soonest
// first, not cancelled and without a recording yet.
func (s *Store) UpcomingWebinars(ctx context.Context, from, to time.Time) ([]StoredWebinar, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+webinarCols+` FROM webinars w
		WHERE w.starts_at > ? AND w.starts_at <= ? AND w.cancelled = 0 AND w.recording_url = ''
		ORDER BY w.starts_at, w.id`, unix(from), unix(to))
	if err != nil {
		return nil, err
	}
	return scanWebinars(rows)
}

// NewRecordings returns webinars whose recording appeared after cutoff (or,
// for the first issue, held after cutoff), never reported before, newest
// first.
func (s *Store) NewRecordings(ctx context.Context, cutoff time.Time, first bool, now time.Time) ([]StoredWebinar, error) {
	cond := "w.recording_seen_at > ?1"
	if first {
		cond = "w.starts_at > ?1"
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+webinarCols+` FROM webinars w
		WHERE w.recording_url <> '' AND w.cancelled = 0 AND w.starts_at <= ?2 AND `+cond+`
		  AND NOT EXISTS (SELECT 1 FROM issue_items i WHERE i.kind = 'recording' AND i.ref = w.id)
		ORDER BY w.starts_at DESC, w.id`, unix(cutoff), unix(now))
	if err != nil {
		return nil, err
	}
	return scanWebinars(rows)
}

// WebinarChanges returns webinars that an issue announced and that have
// since moved or been cancelled, compared with the last state an issue
// reported, so each change is reported once. Webinars that ended before now
// are left out: a change in the past is news to nobody.
func (s *Store) WebinarChanges(ctx context.Context, now time.Time) ([]StoredWebinar, error) {
	rows, err := s.db.QueryContext(ctx, `
		WITH last AS (
			SELECT ref, starts_at, cancelled,
				row_number() OVER (PARTITION BY ref ORDER BY issue_id DESC, kind = 'change' DESC) AS n
			FROM issue_items WHERE kind IN ('webinar', 'change')
		)
		SELECT `+webinarCols+`, last.starts_at, last.cancelled
		FROM webinars w JOIN last ON last.ref = w.id AND last.n = 1
		WHERE (w.starts_at <> last.starts_at OR w.cancelled <> last.cancelled)
		  AND max(w.starts_at, last.starts_at) > ?
		ORDER BY w.starts_at, w.id`, unix(now))
	if err != nil {
		return nil, err
	}
	return scanWebinars(rows, true)
}

// Webinar returns the webinar with id, or ErrNotFound.
func (s *Store) Webinar(ctx context.Context, id string) (*StoredWebinar, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+webinarCols+` FROM webinars w WHERE w.id = ?`, id)
	if err != nil {
		return nil, err
	}
	ws, err := scanWebinars(rows)
	if err != nil {
		return nil, err
	}
	if len(ws) == 0 {
		return nil, fmt.Errorf("webinar %q: %w", id, ErrNotFound)
	}
	return &ws[0], nil
}
