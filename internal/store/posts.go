package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
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
// failure leaves the store as it was. posts are one document's, as
// feed.Parse gives them; a post repeating the key of an earlier one is
// ignored.
//
// A post is recognised by its key. A post whose key matches no row may
// still be one stored before under another key: its GUID changed but its
// link did not (the row is then updated, so the post is never sent twice),
// or its GUID was shared before and is unique now. Those second looks never
// give one row to two posts of the document, and never take a row that a
// post of the document has by its key: distinct posts of one document are
// distinct rows. A GUID or link that several posts of the document share is
// not used to find a row, except a link whose #fragment tells those posts
// apart, compared with its fragment. And a link found under another GUID
// is taken as the same post only when the title or the date is the same
// too: link-blogs point new posts at pages an old post pointed at.
func (s *Store) UpsertPosts(ctx context.Context, source string, posts []feed.Post, now time.Time) (UpsertResult, error) {
	var res UpsertResult
	err := s.tx(ctx, func(tx *sql.Tx) error {
		posts = uniqueKeys(posts)
		found, err := matchPosts(ctx, tx, posts)
		if err != nil {
			return err
		}
		insert, err := tx.PrepareContext(ctx, `
			INSERT INTO posts (key, guid, link, link_key, source, feed_title, title, author,
				published_at, dated, first_seen_at, updated_at, excerpt, content_html, image_url, categories)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer insert.Close()
		update, err := tx.PrepareContext(ctx, `
			UPDATE posts SET guid = ?, link = ?, link_key = ?, feed_title = ?, title = ?, author = ?,
				published_at = ?, dated = ?, excerpt = ?, content_html = ?, image_url = ?, categories = ?, updated_at = ?
			WHERE id = ? AND (guid, link, link_key, feed_title, title, author, published_at, dated,
				excerpt, content_html, image_url, categories) IS NOT (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer update.Close()
		for i := range posts {
			p := &posts[i]
			cats, _ := json.Marshal(nonNil(p.Categories))
			row := found[i]
			if row == nil {
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
				continue
			}
			// An edit updates the content; the row's id, key and first-seen
			// time stay (the GUID and link columns follow the feed, so later
			// lookups still match), and the published date only moves when
			// the feed now gives one.
			published, dated := row.published, row.dated
			if !p.Published.IsZero() {
				published, dated = unix(p.Published), true
			}
			if c := row.content; c != nil && row.guid == p.GUID && row.link == p.Link && c.linkKey == p.LinkKey &&
				c.feedTitle == p.FeedTitle && row.title == p.Title && c.author == p.Author &&
				row.published == published && row.dated == dated && c.excerpt == p.Excerpt &&
				c.html == p.ContentHTML && c.image == p.ImageURL && c.categories == string(cats) {
				// The UPDATE below would find every column as it is and
				// change nothing: spare it the round trip (an unchanged
				// re-fetch of a big feed is all such posts).
				continue
			}
			r, err := update.ExecContext(ctx,
				p.GUID, p.Link, p.LinkKey, p.FeedTitle, p.Title, p.Author,
				published, dated, p.Excerpt, p.ContentHTML, p.ImageURL, string(cats), unix(now), row.id,
				p.GUID, p.Link, p.LinkKey, p.FeedTitle, p.Title, p.Author,
				published, dated, p.Excerpt, p.ContentHTML, p.ImageURL, string(cats))
			if err != nil {
				return fmt.Errorf("update post %q: %w", p.Key, err)
			}
			if n, _ := r.RowsAffected(); n > 0 {
				res.Updated++
			}
		}
		return nil
	})
	return res, err
}

// postRow is what recognising a post needs of a stored one.
type postRow struct {
	id        int64
	guid      string
	link      string
	title     string
	published int64
	dated     bool
	// content is the rest of what UpsertPosts writes, read for rows found
	// by key (nil for the others), so that an unchanged post costs no
	// UPDATE.
	content *postContent
}

// postContent is what a postRow leaves out of the columns UpsertPosts
// updates.
type postContent struct {
	linkKey, feedTitle, author, excerpt, html, image, categories string
}

// matchPosts returns, for each post, the row it is stored in, or nil for a
// new post (see UpsertPosts for the rules). All posts are matched by key
// first, so that a row a post has by its key is never taken by another.
//
// The candidate rows are read in a few batched queries (by key, then by
// GUID and by link for the posts still unmatched) rather than one query per
// post and look: nothing is written before matching ends, so the rows seen
// are the same, and the rules run on them in memory, in the same order.
func matchPosts(ctx context.Context, tx *sql.Tx, posts []feed.Post) ([]*postRow, error) {
	keys := make([]string, 0, len(posts))
	for i := range posts {
		p := &posts[i]
		keys = append(keys, p.Key)
		if strings.HasPrefix(p.Key, "link:") {
			if fk := p.FragmentKey(); fk != "" && fk != p.Key {
				keys = append(keys, fk)
			}
		}
	}
	byKey := make(map[string]*postRow, len(posts))
	err := queryIn(ctx, tx, `SELECT `+postRowCols+`, link_key, feed_title, author, excerpt, content_html, image_url, categories, key
		FROM posts WHERE key IN (%s)`, keys, func(rows *sql.Rows) error {
		r := &postRow{content: new(postContent)}
		c := r.content
		var key string
		err := rows.Scan(&r.id, &r.guid, &r.link, &r.title, &r.published, &r.dated,
			&c.linkKey, &c.feedTitle, &c.author, &c.excerpt, &c.html, &c.image, &c.categories, &key)
		byKey[key] = r
		return err
	})
	if err != nil {
		return nil, err
	}

	found := make([]*postRow, len(posts))
	taken := make(map[int64]bool, len(posts))
	for i := range posts {
		p := &posts[i]
		r := byKey[p.Key]
		if r != nil && strings.HasPrefix(p.Key, "link:") && p.FragmentKey() != "" && p.FragmentKey() != p.Key && !samePost(*p, *r) {
			// A link key leaves the #fragment out when nothing else in the
			// document has the page: a post addressed by an anchor, alone
			// in the feed, gets the key of another that was alone before
			// it. Its key with the fragment keeps the two apart.
			if r = byKey[p.FragmentKey()]; r == nil {
				p.Key = p.FragmentKey()
			}
		}
		if r != nil && !taken[r.id] {
			found[i], taken[r.id] = r, true
		}
	}

	guids := make(map[string]int, len(posts))
	links := make(map[string]int, len(posts))
	fragments := make(map[string]int, len(posts))
	for _, p := range posts {
		guids[p.GUID]++
		links[p.LinkKey]++
		fragments[p.FragmentKey()]++
	}
	// byGUID looks a post up by its GUID, byLink by its link.
	byGUID := func(p feed.Post) bool { return p.GUID != "" && guids[p.GUID] == 1 }
	byLink := func(p feed.Post) bool {
		if p.LinkKey == "" {
			return false
		}
		fk := p.FragmentKey()
		return links[p.LinkKey] == 1 || (fk != "" && fragments[fk] == 1)
	}
	var wantGUIDs, wantLinks []string
	for i, p := range posts {
		if found[i] != nil {
			continue
		}
		if byGUID(p) {
			wantGUIDs = append(wantGUIDs, p.GUID)
		}
		if byLink(p) {
			wantLinks = append(wantLinks, p.LinkKey)
		}
	}
	// Rows of one GUID or link, in the order of their ids.
	withGUID := make(map[string][]*postRow, len(wantGUIDs))
	withLink := make(map[string][]*postRow, len(wantLinks))
	// The "<> ''" terms let SQLite use the partial indexes.
	// byColumn scans a postRow and the column matched, and files the row
	// under it.
	byColumn := func(m map[string][]*postRow) func(*sql.Rows) error {
		return func(rows *sql.Rows) error {
			r := new(postRow)
			var v string
			err := rows.Scan(&r.id, &r.guid, &r.link, &r.title, &r.published, &r.dated, &v)
			m[v] = append(m[v], r)
			return err
		}
	}
	err = queryIn(ctx, tx, `SELECT `+postRowCols+`, guid FROM posts WHERE guid IN (%s) AND guid <> '' ORDER BY id`, wantGUIDs,
		byColumn(withGUID))
	if err != nil {
		return nil, err
	}
	err = queryIn(ctx, tx, `SELECT `+postRowCols+`, link_key FROM posts WHERE link_key IN (%s) AND link_key <> '' ORDER BY id`, wantLinks,
		byColumn(withLink))
	if err != nil {
		return nil, err
	}

	// first returns the first row of rows not taken that ok accepts.
	first := func(rows []*postRow, ok func(postRow) bool) *postRow {
		for _, r := range rows {
			if !taken[r.id] && ok(*r) {
				return r
			}
		}
		return nil
	}
	for i, p := range posts {
		if found[i] != nil {
			continue
		}
		var r *postRow
		if byGUID(p) {
			r = first(withGUID[p.GUID], func(postRow) bool { return true })
		}
		if r == nil && byLink(p) {
			frag := feed.LinkFragment(p.Link)
			shared := links[p.LinkKey] > 1
			r = first(withLink[p.LinkKey], func(r postRow) bool {
				if shared && feed.LinkFragment(r.link) != frag {
					return false
				}
				return samePost(p, r)
			})
		}
		if r != nil {
			found[i], taken[r.id] = r, true
		}
	}
	return found, nil
}

// postRowCols are the columns a postRow is read from.
const postRowCols = `id, guid, link, title, published_at, dated`

// inChunk is how many values one query of queryIn binds: well under
// SQLite's limit on parameters, and enough that a feed of thousands of posts
// takes a handful of queries.
const inChunk = 500

// queryIn runs query, whose "%s" becomes a list of parameters, for the
// distinct values of values, a chunk at a time, and calls scan for each row.
func queryIn(ctx context.Context, tx *sql.Tx, query string, values []string, scan func(*sql.Rows) error) error {
	seen := make(map[string]bool, len(values))
	distinct := make([]any, 0, len(values))
	for _, v := range values {
		if !seen[v] {
			seen[v] = true
			distinct = append(distinct, v)
		}
	}
	for len(distinct) > 0 {
		n := min(len(distinct), inChunk)
		chunk := distinct[:n]
		distinct = distinct[n:]
		rows, err := tx.QueryContext(ctx, fmt.Sprintf(query, placeholders(n)), chunk...)
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := scan(rows); err != nil {
				rows.Close()
				return err
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// samePost reports whether a post found by its link is the stored one. A
// link under a new GUID is the same post when its title or its date is the
// same too (a feed that changed its GUIDs changed nothing else); otherwise
// it is a new post pointing at a page an old one pointed at, as link-blogs
// do. So is a link with another #fragment.
func samePost(p feed.Post, r postRow) bool {
	otherGUID := p.GUID != "" && r.guid != "" && p.GUID != r.guid
	frag, rowFrag := feed.LinkFragment(p.Link), feed.LinkFragment(r.link)
	otherFragment := frag != "" && rowFrag != "" && frag != rowFrag
	if !otherGUID && !otherFragment {
		return true
	}
	sameDate := r.dated && !p.Published.IsZero() && unix(p.Published) == r.published
	return sameDate || strings.EqualFold(strings.TrimSpace(p.Title), strings.TrimSpace(r.title))
}

// uniqueKeys returns posts without those repeating an earlier key.
func uniqueKeys(posts []feed.Post) []feed.Post {
	seen := make(map[string]bool, len(posts))
	out := make([]feed.Post, 0, len(posts))
	for _, p := range posts {
		if !seen[p.Key] {
			seen[p.Key] = true
			out = append(out, p)
		}
	}
	return out
}

// PostsForIssue returns the posts a new issue should carry: never put in any
// issue, dated no later than now, and published after cutoff — or first seen
// after cutoff and published within lookback of now, so a post that reached
// the feed late still goes out, while a newly added feed's archive does not.
// Newest first, at most limit of them (0: all); total counts them all, so
// a flood of posts is never loaded to be cut afterwards.
func (s *Store) PostsForIssue(ctx context.Context, cutoff, now time.Time, lookback time.Duration, limit int) (posts []StoredPost, total int, err error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := s.db.QueryContext(ctx, `
		SELECT id, key, guid, link, link_key, feed_title, title, author, published_at, dated,
			excerpt, content_html, image_url, categories, count(*) OVER ()
		FROM posts p
		WHERE published_at <= ?1
		  AND (published_at > ?2 OR (first_seen_at > ?2 AND published_at > ?3))
		  AND NOT EXISTS (SELECT 1 FROM issue_items i WHERE i.kind = 'post' AND i.ref = CAST(p.id AS TEXT))
		ORDER BY published_at DESC, id DESC LIMIT ?4`,
		unix(now), unix(cutoff), unix(now.Add(-lookback)), limit)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var p StoredPost
		var pub int64
		var dated bool
		var cats string
		if err := rows.Scan(&p.ID, &p.Key, &p.GUID, &p.Link, &p.LinkKey, &p.FeedTitle, &p.Title, &p.Author,
			&pub, &dated, &p.Excerpt, &p.ContentHTML, &p.ImageURL, &cats, &total); err != nil {
			return nil, 0, err
		}
		p.Published = fromUnix(pub)
		_ = json.Unmarshal([]byte(cats), &p.Categories)
		posts = append(posts, p)
	}
	return posts, total, rows.Err()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// CountPosts returns how many posts are stored.
func (s *Store) CountPosts(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM posts`).Scan(&n)
	return n, err
}
