package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/venerdi/venerdi/internal/feed"
)

// StoredPost is a post as kept in the database.
type StoredPost struct {
	ID int64
	feed.Post
}

// UpsertResult counts what an upsert changed.
type UpsertResult struct {
	Added, Updated int
}

// UpsertPosts stores posts from one source in a single transaction, so a
// failure leaves the store as it was. A post is recognised by its key, else
// by its GUID, else by its normalised link: a post whose GUID changes but
// whose link does not stays the same row, and so is never sent twice.
func (s *Store) UpsertPosts(ctx context.Context, source string, posts []feed.Post, now time.Time) (UpsertResult, error) {
	var res UpsertResult
	err := s.tx(ctx, func(tx *sql.Tx) error {
		// One statement, three indexed branches in order of precedence:
		// an OR in a single WHERE made SQLite scan the table once per post
		// (the "<> ''" terms let it use the partial indexes).
		find, err := tx.PrepareContext(ctx, `
			SELECT id, published_at, dated FROM posts WHERE key = ?1
			UNION ALL SELECT id, published_at, dated FROM posts WHERE guid = ?2 AND guid <> ''
			UNION ALL SELECT id, published_at, dated FROM posts WHERE link_key = ?3 AND link_key <> ''
			LIMIT 1`)
		if err != nil {
			return err
		}
		defer find.Close()
		insert, err := tx.PrepareContext(ctx, `
			INSERT INTO posts (key, guid, link, link_key, source, feed_title, title, author,
				published_at, dated, first_seen_at, updated_at, excerpt, content_html, image_url, categories)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer insert.Close()
		for i := range posts {
			p := &posts[i]
			cats, _ := json.Marshal(nonNil(p.Categories))
			var id, published int64
			var dated bool
			err := find.QueryRowContext(ctx, p.Key, p.GUID, p.LinkKey).Scan(&id, &published, &dated)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				// A post without a date takes the moment it was first seen.
				pub, isDated := unix(now), false
				if !p.Published.IsZero() {
					pub, isDated = unix(p.Published), true
				}
				_, err = insert.ExecContext(ctx,
					p.Key, p.GUID, p.Link, p.LinkKey, source, p.FeedTitle, p.Title, p.Author,
					pub, isDated, unix(now), unix(now), p.Excerpt, p.ContentHTML, p.ImageURL, string(cats))
				if err != nil {
					return fmt.Errorf("insert post %q: %w", p.Key, err)
				}
				res.Added++
			case err != nil:
				return err
			default:
				// An edit updates the content; the row's id, key and
				// first-seen time stay (the GUID and link columns follow the
				// feed, so later lookups still match), and the published date only moves when the
				// feed now gives one.
				if !p.Published.IsZero() {
					published, dated = unix(p.Published), true
				}
				r, err := tx.ExecContext(ctx, `
					UPDATE posts SET guid = ?, link = ?, link_key = ?, feed_title = ?, title = ?, author = ?,
						published_at = ?, dated = ?, excerpt = ?, content_html = ?, image_url = ?, categories = ?, updated_at = ?
					WHERE id = ? AND (guid, link, link_key, feed_title, title, author, published_at, dated,
						excerpt, content_html, image_url, categories) IS NOT (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
					p.GUID, p.Link, p.LinkKey, p.FeedTitle, p.Title, p.Author,
					published, dated, p.Excerpt, p.ContentHTML, p.ImageURL, string(cats), unix(now), id,
					p.GUID, p.Link, p.LinkKey, p.FeedTitle, p.Title, p.Author,
					published, dated, p.Excerpt, p.ContentHTML, p.ImageURL, string(cats))
				if err != nil {
					return fmt.Errorf("update post %q: %w", p.Key, err)
				}
				if n, _ := r.RowsAffected(); n > 0 {
					res.Updated++
				}
			}
		}
		return nil
	})
	return res, err
}

// PostsForIssue returns the posts a new issue should carry: never put in any
// issue, dated no later than now, and published after cutoff — or first seen
// after cutoff and published within lookback of now, so a post that reached
// the feed late still goes out, while a newly added feed's archive does not.
func (s *Store) PostsForIssue(ctx context.Context, cutoff, now time.Time, lookback time.Duration) ([]StoredPost, error) {
	rows, err := s.db.QueryContext(ctx, `
		SELECT id, key, guid, link, link_key, feed_title, title, author, published_at, dated,
			excerpt, content_html, image_url, categories
		FROM posts p
		WHERE published_at <= ?1
		  AND (published_at > ?2 OR (first_seen_at > ?2 AND published_at > ?3))
		  AND NOT EXISTS (SELECT 1 FROM issue_items i WHERE i.kind = 'post' AND i.ref = CAST(p.id AS TEXT))
		ORDER BY published_at DESC, id DESC`,
		unix(now), unix(cutoff), unix(now.Add(-lookback)))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StoredPost
	for rows.Next() {
		var p StoredPost
		var pub int64
		var dated bool
		var cats string
		if err := rows.Scan(&p.ID, &p.Key, &p.GUID, &p.Link, &p.LinkKey, &p.FeedTitle, &p.Title, &p.Author,
			&pub, &dated, &p.Excerpt, &p.ContentHTML, &p.ImageURL, &cats); err != nil {
			return nil, err
		}
		p.Published = fromUnix(pub)
		_ = json.Unmarshal([]byte(cats), &p.Categories)
		out = append(out, p)
	}
	return out, rows.Err()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
