package cli_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/venerdi/venerdi/internal/cli"
)

// Every real-world feed and calendar in ../shared/corpus, served over HTTP
// to `venerdi fetch`, is either read (a count of posts or webinars) or
// refused with one line naming the URL; nothing panics or hangs.
func TestFetchRealWorldCorpus(t *testing.T) {
	corpus := filepath.Join("..", "..", "..", "shared", "corpus")
	if _, err := os.Stat(corpus); err != nil {
		t.Skipf("%s is absent (it lives beside the project in the workplace): skipping the real-world corpus", corpus)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(corpus)))
	defer srv.Close()
	sample, err := filepath.Abs(filepath.Join("..", "..", "testdata", "blog", "feed.xml"))
	if err != nil {
		t.Fatal(err)
	}
	read := regexp.MustCompile(`^(feed|catalog) (\S+): (\d+) (posts|webinars) \(`)
	for _, kind := range []string{"feeds", "calendars"} {
		files, _ := filepath.Glob(filepath.Join(corpus, kind, "*"))
		for _, f := range files {
			name := filepath.Base(f)
			t.Run(name, func(t *testing.T) {
				dir := t.TempDir()
				url := srv.URL + "/" + kind + "/" + name
				feeds, catalog := url, ""
				if kind == "calendars" {
					feeds, catalog = sample, url
				}
				cfg := "[site]\ntitle = \"Corpus\"\nurl = \"https://corpus.example.it\"\n[sources]\nfeeds = [\"" + feeds + "\"]\ncatalog = \"" + catalog + "\"\ntimeout = \"10s\"\n" +
					"[mail]\nfrom = \"B <n@b.it>\"\nlist_id = \"l.b.it\"\nunsubscribe_url = \"https://b.it\"\n"
				os.WriteFile(filepath.Join(dir, "venerdi.toml"), []byte(cfg), 0o644)
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				var out, errOut bytes.Buffer
				code := cli.Run(ctx, []string{"--config", filepath.Join(dir, "venerdi.toml"), "--now", crashNow, "-v", "fetch"},
					nil, &out, &errOut, nil)
				if ctx.Err() != nil {
					t.Fatalf("fetch of %s hung", name)
				}
				text := errOut.String()
				if strings.Contains(text, "panic") || strings.Contains(text, "goroutine ") {
					t.Fatalf("fetch of %s panicked:\n%s", name, text)
				}
				var line string
				for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
					if strings.Contains(l, name) && !strings.HasPrefix(l, "venerdi:") {
						line = l
					}
				}
				switch code {
				case 0:
					if !read.MatchString(line) {
						t.Fatalf("fetch of %s succeeded but said %q", name, text)
					}
					t.Logf("read: %s", line)
				case 1:
					var refusals []string
					for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
						if strings.HasPrefix(l, "venerdi: ") {
							refusals = append(refusals, l)
						}
					}
					if len(refusals) != 1 || !strings.Contains(refusals[0], name) {
						t.Fatalf("refusal of %s is not one line naming it:\n%s", name, text)
					}
					t.Logf("refused: %s", refusals[0])
				default:
					t.Fatalf("fetch of %s = exit %d:\n%s", name, code, text)
				}
			})
		}
	}
}
