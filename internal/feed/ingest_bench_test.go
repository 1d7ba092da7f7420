package feed_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/venerdi/venerdi/internal/feed"
	"github.com/venerdi/venerdi/internal/fetch"
	"github.com/venerdi/venerdi/internal/store"
)

// BenchmarkIngest5000 is what `venerdi fetch` does with a 5,000-item feed:
// GET it from a local HTTP server, parse, sanitise and upsert every post
// into a fresh SQLite file. Compare with BenchmarkGofeedBare (same bytes,
// bare gofeed.Parser.Parse) in the same run:
//
//	go test -run '^$' -bench 'Ingest5000|GofeedBare' -benchmem ./internal/feed
func BenchmarkIngest5000(b *testing.B) {
	body := feed.BigFeed()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		w.Write(body)
	}))
	defer srv.Close()
	ctx := context.Background()
	now := time.Date(2026, 6, 5, 12, 0, 0, 0, time.UTC)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	// cpu is the CPU time of the timed parts only (not opening and
	// closing the store), reported as cpu-ns/op as the other benchmarks
	// of this package do: wall time on a shared machine measures the
	// neighbours too.
	var cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st, err := store.Open(ctx, filepath.Join(b.TempDir(), "v.db"))
		if err != nil {
			b.Fatal(err)
		}
		start, _ := feed.ProcessCPU()
		b.StartTimer()
		res, err := fetch.Get(ctx, srv.URL, fetch.Validators{}, fetch.Options{})
		if err != nil {
			b.Fatal(err)
		}
		f, err := feed.Parse(res.Body, res.ContentType, res.FinalURL, now)
		if err != nil {
			b.Fatal(err)
		}
		up, err := st.UpsertPosts(ctx, srv.URL, f.Posts, now)
		if err != nil || up.Added != 5000 {
			b.Fatalf("UpsertPosts = %+v, %v; want 5000 added", up, err)
		}
		b.StopTimer()
		end, _ := feed.ProcessCPU()
		cpu += end - start
		st.Close()
		b.StartTimer()
	}
	if _, ok := feed.ProcessCPU(); ok {
		b.ReportMetric(float64(cpu)/float64(b.N), "cpu-ns/op")
	}
}
