package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/venerdi/venerdi/internal/feed"
)

// benchPosts returns n posts shaped like a blog's (GUID, link, date,
// categories, 1.5 KB or so of HTML).
func benchPosts(n int) []feed.Post {
	posts := make([]feed.Post, n)
	html := strings.Repeat("<p>Un paragrafo di un post con <a href=\"https://b.it/x\">un link</a>.</p>", 20)
	for i := range posts {
		link := fmt.Sprintf("https://blog.example.it/2026/post-%d/", i)
		posts[i] = feed.Post{
			Key: fmt.Sprintf("guid:post-%d", i), GUID: fmt.Sprintf("post-%d", i),
			Link: link, LinkKey: feed.NormalizeLink(link),
			FeedTitle: "Il blog", Title: fmt.Sprintf("Post numero %d", i), Author: "Giulia Rossi",
			Published:   t0.Add(-time.Duration(i) * time.Hour),
			Excerpt:     strings.Repeat("Un riassunto. ", 20),
			ContentHTML: html, Categories: []string{"Go", "Email"},
		}
	}
	return posts
}

// BenchmarkUpsertPosts5000 stores 5,000 new posts into a fresh database
// (New), and the same 5,000 again, unchanged, into one that has them
// (Unchanged): a first fetch of a big feed, and every fetch after it.
func BenchmarkUpsertPosts5000(b *testing.B) {
	posts := benchPosts(5000)
	ctx := context.Background()
	open := func(b *testing.B) *Store {
		s, err := Open(ctx, filepath.Join(b.TempDir(), "v.db"))
		if err != nil {
			b.Fatal(err)
		}
		if p := os.Getenv("BENCH_PRAGMA"); p != "" {
			if _, err := s.db.Exec("PRAGMA " + p); err != nil {
				b.Fatal(err)
			}
		}
		return s
	}
	b.Run("New", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			s := open(b)
			b.StartTimer()
			if r, err := s.UpsertPosts(ctx, "f", posts, t0); err != nil || r.Added != len(posts) {
				b.Fatalf("UpsertPosts = %+v, %v", r, err)
			}
			b.StopTimer()
			s.Close()
			b.StartTimer()
		}
	})
	b.Run("Unchanged", func(b *testing.B) {
		s := open(b)
		defer s.Close()
		if _, err := s.UpsertPosts(ctx, "f", posts, t0); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if r, err := s.UpsertPosts(ctx, "f", posts, t0.Add(time.Hour)); err != nil || r != (UpsertResult{}) {
				b.Fatalf("UpsertPosts = %+v, %v", r, err)
			}
		}
	})
}
