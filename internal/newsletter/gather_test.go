package newsletter

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/venerdi/venerdi/internal/store"
)

// recorder is a Reporter that keeps what it is told.
type recorder struct {
	mu    sync.Mutex
	lines []string
}

func (r *recorder) Verbosef(format string, args ...any) { r.add(format, args...) }
func (r *recorder) Warnf(format string, args ...any)    { r.add("warning: "+format, args...) }
func (r *recorder) Progress(string) Progress            { return nil }
func (r *recorder) add(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, fmt.Sprintf(format, args...))
}

// gatherFeed reads one local feed into a fresh database with Gather, twice,
// and returns both reports, the number of rows stored and what was said.
func gatherFeed(t *testing.T, path string) (first, again SourceReport, rows int, said []string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rec := &recorder{}
	now := time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC)
	opts := Options{
		Site:    Site{Title: "Il blog", URL: "https://blog.example.it", Language: "it", Location: time.UTC},
		BaseURL: "https://news.example.it",
		Sources: Sources{Feeds: []Source{{Name: path, Location: path}}, MaxBytes: 10 << 20, Timeout: 10 * time.Second},
		Rules:   Rules{FirstIssueDays: 7, UpcomingDays: 14, SkipEmpty: true, MaxDelay: 24 * time.Hour, Weekday: time.Friday, Hour: 9},
		Mail:    Mail{From: "B <n@b.example.it>", ListID: "l.b.example.it"},
	}
	n, err := New(ctx, opts, st, func() time.Time { return now }, rec)
	if err != nil {
		t.Fatal(err)
	}
	for i, rep := range []*SourceReport{&first, &again} {
		reports, err := n.Gather(ctx)
		if err != nil || len(reports) != 1 {
			t.Fatalf("Gather #%d(%s) = %v, %v; want one report", i+1, path, reports, err)
		}
		*rep = reports[0]
	}
	count, err := st.CountPosts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return first, again, count, rec.lines
}

// Fetching a feed twice: every post of the document is a row of its own,
// and the unchanged document fetched again reports "0 new, 0 updated".
func TestGatherTwiceKeepsEveryPost(t *testing.T) {
	files := []string{filepath.Join("..", "store", "testdata", "fragment-links.rss")}
	corpus := filepath.Join("..", "..", "..", "shared", "corpus", "feeds")
	if _, err := os.Stat(corpus); err == nil {
		for _, name := range []string{"rsparser-scriptingNews.rss", "rsparser-DaringFireball.atom",
			"rsparser-DaringFireball.rss", "rsparser-OneFootTsunami.atom", "rsparser-rose.json"} {
			files = append(files, filepath.Join(corpus, name))
		}
	} else {
		t.Logf("%s is absent: checking the fixture only", corpus)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			first, again, rows, _ := gatherFeed(t, path)
			if first.Err != nil || first.Items == 0 || first.Added != first.Items || first.Updated != 0 {
				t.Errorf("Gather(%s) = %q; want every post new", path, first)
			}
			if again.Err != nil || again.Added != 0 || again.Updated != 0 {
				t.Errorf("Gather(%s) again = %q; want 0 new, 0 updated", path, again)
			}
			if rows != first.Items {
				t.Errorf("Gather(%s) stored %d posts; want %d", path, rows, first.Items)
			}
		})
	}
}

// A JSON Feed field of the wrong type is a -v warning naming the item and
// the field, not a refusal of the feed.
func TestGatherReportsFeedWarnings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "feed.json")
	os.WriteFile(path, []byte(`{"version": "https://jsonfeed.org/version/1.1", "title": "J",
		"items": [{"id": "1", "title": "Uno", "url": "https://j.it/1", "tags": "a,b"},
		          {"id": "2", "title": "Due", "url": "https://j.it/2"}]}`), 0o644)
	first, _, rows, said := gatherFeed(t, path)
	if first.Err != nil || rows != 2 {
		t.Fatalf("Gather(wrong-typed tags) = %q, %d rows; want 2 posts", first, rows)
	}
	joined := strings.Join(said, "\n")
	if !strings.Contains(joined, `item 1 ("1"): "tags" is text where a list belongs; ignored`) {
		t.Errorf("Gather(wrong-typed tags) said %q; want a warning naming item 1 and \"tags\"", joined)
	}
}
