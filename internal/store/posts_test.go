package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/venerdi/venerdi/internal/feed"
)

func countPosts(t *testing.T, s *Store) int {
	t.Helper()
	n, err := s.CountPosts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func parseFeed(t *testing.T, body []byte) []feed.Post {
	t.Helper()
	f, err := feed.Parse(body, "", "", t0)
	if err != nil {
		t.Fatalf("feed.Parse: %v", err)
	}
	return f.Posts
}

// upsertTwice stores posts and stores them again, as two fetches of an
// unchanged feed do, and checks that the second changes nothing.
func upsertTwice(t *testing.T, s *Store, name string, posts []feed.Post) UpsertResult {
	t.Helper()
	ctx := context.Background()
	first, err := s.UpsertPosts(ctx, name, posts, t0)
	if err != nil {
		t.Fatalf("UpsertPosts(%s) error = %v", name, err)
	}
	again, err := s.UpsertPosts(ctx, name, posts, t0.Add(time.Hour))
	if err != nil {
		t.Fatalf("UpsertPosts(%s) again error = %v", name, err)
	}
	if again != (UpsertResult{}) {
		t.Errorf("UpsertPosts(%s) of an unchanged feed = %+v; want 0 added, 0 updated", name, again)
	}
	return first
}

func TestUpsertPostsFragmentLinks(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("testdata", "fragment-links.rss"))
	if err != nil {
		t.Fatal(err)
	}
	s := openTemp(t)
	posts := parseFeed(t, body)
	if r := upsertTwice(t, s, "diario", posts); r.Added != 4 {
		t.Errorf("UpsertPosts(fragment-links.rss) = %+v; want 4 added", r)
	}
	if n := countPosts(t, s); n != 4 {
		t.Errorf("rows after fragment-links.rss = %d; want 4", n)
	}
}

// A database written before posts were told apart by fragment holds one
// row for several posts; the next fetch gives each post its own row again
// and leaves the row with the post whose key it has.
func TestUpsertPostsSplitsMergedRows(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	page := "https://d.it/day.html"
	a := feed.Post{Key: "guid:a", GUID: "a", Link: page + "#a", LinkKey: page, Title: "A"}
	b := feed.Post{Key: "guid:b", GUID: "b", Link: page + "#b", LinkKey: page, Title: "B"}
	// What the old upsert left: b's content in a's row.
	if _, err := s.UpsertPosts(ctx, "f", []feed.Post{a}, t0); err != nil {
		t.Fatal(err)
	}
	s.db.ExecContext(ctx, `UPDATE posts SET guid = 'b', link = ?, title = 'B'`, b.Link)
	if r, _ := s.UpsertPosts(ctx, "f", []feed.Post{a, b}, t0); r.Added != 1 || r.Updated != 1 {
		t.Errorf("UpsertPosts(a, b) over a merged row = %+v; want 1 added, 1 updated", r)
	}
	var key, title string
	s.db.QueryRowContext(ctx, `SELECT key, title FROM posts WHERE id = 1`).Scan(&key, &title)
	if key != "guid:a" || title != "A" {
		t.Errorf("first row = %s %q; want guid:a \"A\"", key, title)
	}
}

// Posts recognised across fetches by their link: the same post when it
// really is one, a new row when the link is all two posts share.
func TestUpsertPostsSameLinkOverTime(t *testing.T) {
	day := t0.Add(-48 * time.Hour)
	tests := []struct {
		name        string
		before, now feed.Post
		same        bool
	}{
		{"new GUID, same link and title",
			feed.Post{Key: "guid:p=1", GUID: "p=1", Link: "https://b.it/x", LinkKey: "https://b.it/x", Title: "X", Published: day},
			feed.Post{Key: "guid:https://b.it/x", GUID: "https://b.it/x", Link: "https://b.it/x", LinkKey: "https://b.it/x", Title: "X", Published: day},
			true},
		{"new GUID, same link and date, title edited",
			feed.Post{Key: "guid:p=1", GUID: "p=1", Link: "https://b.it/x", LinkKey: "https://b.it/x", Title: "X", Published: day},
			feed.Post{Key: "guid:p-1", GUID: "p-1", Link: "https://b.it/x", LinkKey: "https://b.it/x", Title: "X (corretto)", Published: day},
			true},
		{"link-blog: a new post pointing at an old post's article",
			feed.Post{Key: "guid:p=1", GUID: "p=1", Link: "https://news.it/a", LinkKey: "https://news.it/a", Title: "Link: A", Published: day},
			feed.Post{Key: "guid:p=2", GUID: "p=2", Link: "https://news.it/a", LinkKey: "https://news.it/a", Title: "Link: A, again", Published: t0},
			false},
		{"anchored posts without GUIDs, one after the other alone in the feed",
			feed.Post{Key: "link:https://d.it/day.html", Link: "https://d.it/day.html#a1", LinkKey: "https://d.it/day.html", Title: "A"},
			feed.Post{Key: "link:https://d.it/day.html", Link: "https://d.it/day.html#a2", LinkKey: "https://d.it/day.html", Title: "B"},
			false},
		{"an anchor that changed",
			feed.Post{Key: "link:https://d.it/p", Link: "https://d.it/p#more", LinkKey: "https://d.it/p", Title: "P"},
			feed.Post{Key: "link:https://d.it/p", Link: "https://d.it/p#top", LinkKey: "https://d.it/p", Title: "P"},
			true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := openTemp(t)
			if _, err := s.UpsertPosts(ctx, "f", []feed.Post{tt.before}, t0.Add(-time.Hour)); err != nil {
				t.Fatal(err)
			}
			r := upsertTwice(t, s, "f", []feed.Post{tt.now})
			wantRows, want := 2, UpsertResult{Added: 1}
			if tt.same {
				wantRows, want = 1, UpsertResult{Updated: 1}
			}
			if r != want {
				t.Errorf("UpsertPosts(%s) = %+v; want %+v", tt.name, r, want)
			}
			if n := countPosts(t, s); n != wantRows {
				t.Errorf("rows after %s = %d; want %d", tt.name, n, wantRows)
			}
			// Both back in one document: each keeps its own row.
			if !tt.same {
				if r, _ := s.UpsertPosts(ctx, "f", []feed.Post{tt.before, tt.now}, t0.Add(2*time.Hour)); r.Added != 0 {
					t.Errorf("UpsertPosts(both) = %+v; want 0 added", r)
				}
			}
		})
	}
}

// The identity rule as a property: a document of N items with N distinct
// GUIDs is stored as N posts, whatever their links (equal, equal but for
// the fragment, tracking parameters, the site's address, none), and an
// unchanged re-fetch changes nothing. (GUIDs that all change at once are
// TestUpsertPostsGUIDsRenamed.) The documents go through feed.Parse, so the
// whole path from bytes to rows is exercised, on a real SQLite file.
func TestUpsertPostsDistinctGUIDsProperty(t *testing.T) {
	links := []string{
		"", "https://b.it/", "https://b.it/p", "https://b.it/p/", "https://b.it/p#a", "https://b.it/p#b",
		"https://b.it/p?utm_source=rss#a", "https://B.it/p#A", "/p#c", "https://other.it/x", "#a", "javascript:x",
	}
	rng := rand.New(rand.NewPCG(14, 2026))
	runs := 100
	if testing.Short() {
		runs = 20
	}
	for run := range runs {
		n := 1 + rng.IntN(12)
		var items []string
		for i := range n {
			var b strings.Builder
			fmt.Fprintf(&b, "<item><guid isPermaLink=\"false\">g-%d-%d</guid>", run, i)
			if l := links[rng.IntN(len(links))]; l != "" {
				fmt.Fprintf(&b, "<link>%s</link>", l)
			}
			// Titles and texts repeat too: only the GUID tells them apart.
			fmt.Fprintf(&b, "<title>T%d</title><description>D%d</description></item>", rng.IntN(3), rng.IntN(2))
			items = append(items, b.String())
		}
		doc := `<rss version="2.0"><channel><title>F</title><link>https://b.it/</link>` + strings.Join(items, "") + `</channel></rss>`
		s := openTemp(t)
		posts := parseFeed(t, []byte(doc))
		if len(posts) != n {
			t.Fatalf("run %d: feed.Parse gave %d posts; want %d\n%s", run, len(posts), n, doc)
		}
		if r := upsertTwice(t, s, "f", posts); r.Added != n {
			t.Fatalf("run %d: UpsertPosts = %+v; want %d added\n%s", run, r, n, doc)
		}
		if got := countPosts(t, s); got != n {
			t.Fatalf("run %d: rows = %d; want %d\n%s", run, got, n, doc)
		}
		if err := s.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
			t.Fatal(err)
		}
	}
}

// A feed whose GUIDs all change at once (a new feed plugin), each post
// keeping its own link and title, keeps the same N posts: nothing added,
// nothing lost.
func TestUpsertPostsGUIDsRenamed(t *testing.T) {
	const n = 7
	var items []string
	for i := range n {
		items = append(items, fmt.Sprintf(`<item><guid isPermaLink="false">g-%d</guid><link>https://b.it/p/%d</link><title>T%d</title><description>D</description></item>`, i, i, i))
	}
	doc := `<rss version="2.0"><channel><title>F</title><link>https://b.it/</link>` + strings.Join(items, "") + `</channel></rss>`
	s := openTemp(t)
	if r := upsertTwice(t, s, "f", parseFeed(t, []byte(doc))); r.Added != n {
		t.Fatalf("UpsertPosts = %+v; want %d added", r, n)
	}
	renamed := parseFeed(t, []byte(strings.ReplaceAll(doc, ">g-", ">h-")))
	r, err := s.UpsertPosts(context.Background(), "f", renamed, t0.Add(3*time.Hour))
	if err != nil || r.Added != 0 {
		t.Fatalf("UpsertPosts(renamed) = %+v, %v; want nothing added", r, err)
	}
	if got := countPosts(t, s); got != n {
		t.Errorf("rows = %d; want %d", got, n)
	}
}
