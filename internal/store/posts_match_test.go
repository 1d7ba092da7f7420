package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/venerdi/venerdi/internal/feed"
)

// TestMatchPostsBatchedAsOneByOne checks the batched matchPosts against the
// one-query-per-look version it replaced, on random sequences of documents
// whose GUIDs, links (fragments, tracking parameters, case), titles and
// dates repeat, go missing and change between fetches: for every document,
// both give every post the same row and the same key.
func TestMatchPostsBatchedAsOneByOne(t *testing.T) {
	guids := []string{"", "", "g1", "g2", "g3", "shared", "shared", "g4", "g5"}
	links := []string{
		"", "https://b.it/", "https://b.it/p", "https://b.it/p/", "https://b.it/p#a", "https://b.it/p#b",
		"https://b.it/p?utm_source=rss#a", "https://B.it/p#A", "/p#c", "https://other.it/x", "#a", "javascript:x",
		"https://b.it/q", "https://b.it/q#z",
	}
	dates := []string{"", "Mon, 01 Jun 2026 10:00:00 +0000", "Tue, 02 Jun 2026 10:00:00 +0000"}
	rng := rand.New(rand.NewPCG(13, 2026))
	runs := 150
	if testing.Short() {
		runs = 30
	}
	ctx := context.Background()
	for run := range runs {
		s := openTemp(t)
		for fetch := range 4 {
			var doc strings.Builder
			doc.WriteString(`<rss version="2.0"><channel><title>F</title><link>https://b.it/</link>`)
			for range 1 + rng.IntN(10) {
				doc.WriteString("<item>")
				if g := guids[rng.IntN(len(guids))]; g != "" {
					fmt.Fprintf(&doc, `<guid isPermaLink="false">%s</guid>`, g)
				}
				if l := links[rng.IntN(len(links))]; l != "" {
					fmt.Fprintf(&doc, "<link>%s</link>", l)
				}
				if d := dates[rng.IntN(len(dates))]; d != "" {
					fmt.Fprintf(&doc, "<pubDate>%s</pubDate>", d)
				}
				fmt.Fprintf(&doc, "<title>T%d</title><description>D%d</description></item>", rng.IntN(3), rng.IntN(2))
			}
			doc.WriteString(`</channel></rss>`)
			posts := parseFeed(t, []byte(doc.String()))
			now := t0.Add(time.Duration(fetch) * time.Hour)

			err := s.tx(ctx, func(tx *sql.Tx) error {
				want := uniqueKeys(posts)
				got := slices.Clone(want)
				wantRows, err := matchPostsOneByOne(ctx, tx, want)
				if err != nil {
					return err
				}
				gotRows, err := matchPosts(ctx, tx, got)
				if err != nil {
					return err
				}
				for i := range want {
					if id(gotRows[i]) != id(wantRows[i]) || got[i].Key != want[i].Key {
						t.Errorf("run %d, fetch %d, post %d: matchPosts = row %d, key %q; one by one: row %d, key %q\n%s",
							run, fetch, i, id(gotRows[i]), got[i].Key, id(wantRows[i]), want[i].Key, doc.String())
					}
				}
				return errRollback
			})
			if !errors.Is(err, errRollback) {
				t.Fatal(err)
			}
			if _, err := s.UpsertPosts(ctx, "f", posts, now); err != nil {
				t.Fatalf("run %d, fetch %d: UpsertPosts error = %v\n%s", run, fetch, err, doc.String())
			}
		}
		if err := s.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
			t.Fatal(err)
		}
		if t.Failed() {
			return
		}
	}
}

var errRollback = errors.New("rollback")

func id(r *postRow) int64 {
	if r == nil {
		return 0
	}
	return r.id
}

// matchPostsOneByOne is matchPosts as it was, one query per post and look:
// the reference the batched one is checked against. It returns, for each
// post, the row it is stored in, or nil for a
// new post (see UpsertPosts for the rules). All posts are matched by key
// first, so that a row a post has by its key is never taken by another.
func matchPostsOneByOne(ctx context.Context, tx *sql.Tx, posts []feed.Post) ([]*postRow, error) {
	const cols = `id, guid, link, title, published_at, dated`
	// The "<> ''" terms let SQLite use the partial indexes.
	byKey, err := tx.PrepareContext(ctx, `SELECT `+cols+` FROM posts WHERE key = ?`)
	if err != nil {
		return nil, err
	}
	defer byKey.Close()
	byGUID, err := tx.PrepareContext(ctx, `SELECT `+cols+` FROM posts WHERE guid = ? AND guid <> '' ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer byGUID.Close()
	byLink, err := tx.PrepareContext(ctx, `SELECT `+cols+` FROM posts WHERE link_key = ? AND link_key <> '' ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer byLink.Close()

	keyed := func(key string) (*postRow, error) {
		var r postRow
		err := byKey.QueryRowContext(ctx, key).Scan(&r.id, &r.guid, &r.link, &r.title, &r.published, &r.dated)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		return &r, err
	}
	found := make([]*postRow, len(posts))
	taken := make(map[int64]bool, len(posts))
	for i := range posts {
		p := &posts[i]
		r, err := keyed(p.Key)
		if err != nil {
			return nil, err
		}
		if r != nil && strings.HasPrefix(p.Key, "link:") && p.FragmentKey() != "" && p.FragmentKey() != p.Key && !samePost(*p, *r) {
			// A link key leaves the #fragment out when nothing else in the
			// document has the page: a post addressed by an anchor, alone
			// in the feed, gets the key of another that was alone before
			// it. Its key with the fragment keeps the two apart.
			if r, err = keyed(p.FragmentKey()); err != nil {
				return nil, err
			}
			if r == nil {
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
	// first returns the first row of q(arg) not taken that ok accepts.
	first := func(q *sql.Stmt, arg string, ok func(postRow) bool) (*postRow, error) {
		rows, err := q.QueryContext(ctx, arg)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var r postRow
			if err := rows.Scan(&r.id, &r.guid, &r.link, &r.title, &r.published, &r.dated); err != nil {
				return nil, err
			}
			if !taken[r.id] && ok(r) {
				return &r, nil
			}
		}
		return nil, rows.Err()
	}
	for i, p := range posts {
		if found[i] != nil {
			continue
		}
		var r *postRow
		if p.GUID != "" && guids[p.GUID] == 1 {
			if r, err = first(byGUID, p.GUID, func(postRow) bool { return true }); err != nil {
				return nil, err
			}
		}
		if r == nil && p.LinkKey != "" {
			frag, fk := feed.LinkFragment(p.Link), p.FragmentKey()
			shared := links[p.LinkKey] > 1
			if !shared || (fk != "" && fragments[fk] == 1) {
				r, err = first(byLink, p.LinkKey, func(r postRow) bool {
					if shared && feed.LinkFragment(r.link) != frag {
						return false
					}
					return samePost(p, r)
				})
				if err != nil {
					return nil, err
				}
			}
		}
		if r != nil {
			found[i], taken[r.id] = r, true
		}
	}
	return found, nil
}

// A post found by its key is updated when any column UpsertPosts writes
// differs, and only then: the comparison that spares an unchanged post its
// UPDATE must see every column the UPDATE compares.
func TestUpsertPostsEachChangeUpdates(t *testing.T) {
	ctx := context.Background()
	base := feed.Post{
		Key: "guid:g", GUID: "g", Link: "https://b.it/p", LinkKey: "https://b.it/p", FeedTitle: "F",
		Title: "T", Author: "A", Published: t0, Excerpt: "E", ContentHTML: "<p>C</p>",
		ImageURL: "https://b.it/i.jpg", Categories: []string{"x"},
	}
	changes := map[string]func(*feed.Post){
		"guid":         func(p *feed.Post) { p.GUID = "g2" },
		"link":         func(p *feed.Post) { p.Link = "https://b.it/p?x" },
		"link_key":     func(p *feed.Post) { p.LinkKey = "https://b.it/q" },
		"feed_title":   func(p *feed.Post) { p.FeedTitle = "F2" },
		"title":        func(p *feed.Post) { p.Title = "T2" },
		"author":       func(p *feed.Post) { p.Author = "A2" },
		"published_at": func(p *feed.Post) { p.Published = t0.Add(time.Hour) },
		"dated":        func(p *feed.Post) { p.Published = time.Time{} }, // keeps the date; stays dated
		"excerpt":      func(p *feed.Post) { p.Excerpt = "E2" },
		"content_html": func(p *feed.Post) { p.ContentHTML = "<p>C2</p>" },
		"image_url":    func(p *feed.Post) { p.ImageURL = "" },
		"categories":   func(p *feed.Post) { p.Categories = []string{"x", "y"} },
		"nothing":      func(p *feed.Post) {},
	}
	for name, change := range changes {
		s := openTemp(t)
		if _, err := s.UpsertPosts(ctx, "f", []feed.Post{base}, t0); err != nil {
			t.Fatal(err)
		}
		p := base
		change(&p)
		r, err := s.UpsertPosts(ctx, "f", []feed.Post{p}, t0.Add(time.Hour))
		want := UpsertResult{Updated: 1}
		if name == "nothing" || name == "dated" {
			want = UpsertResult{}
		}
		if err != nil || r != want {
			t.Errorf("UpsertPosts after changing %s = %+v, %v; want %+v", name, r, err, want)
		}
	}
}
