package feed

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// corpusDir holds real-world feeds collected from other projects' test
// suites (see its README). It lives outside this repository.
var corpusDir = filepath.Join("..", "..", "..", "shared", "corpus", "feeds")

// corpusPosts records how many posts each corpus file parses into.
var corpusPosts = map[string]int{
	"feeder-date-no-time.rss":            1,
	"feeder-garrit.xml":                  2,
	"feeder-kottke-entry-encoding.xml":   1,
	"feeder-not-utf8.rss":                1,
	"feeder-rprogramming.atom":           25,
	"feeder-slashdotMain.xml":            15,
	"feeder-take-on-rules.atom":          1,
	"feeder-wandel.xml":                  15,
	"illformed-http_high_bit_date.xml":   0, // a channel with no items
	"illformed-undeclared_namespace.xml": 0,
	"rsparser-3960.json":                 20,
	"rsparser-489.rss":                   10,
	"rsparser-4fsodonline.atom":          25,
	"rsparser-DaringFireball.atom":       48,
	"rsparser-DaringFireball.json":       48,
	"rsparser-DaringFireball.rss":        47,
	"rsparser-EMarley.rss":               10,
	"rsparser-KatieFloyd.rss":            20,
	"rsparser-OneFootTsunami.atom":       25,
	"rsparser-aktuality.rss":             30,
	"rsparser-allthis.atom":              12,
	"rsparser-atp.rss":                   100,
	"rsparser-authors.json":              0, // authors but no title, link or content
	"rsparser-cloudblog.rss":             20,
	"rsparser-curt.json":                 26,
	"rsparser-dcrainmaker.xml":           8,
	"rsparser-donthitsave.xml":           10,
	"rsparser-expertopinionent.atom":     43,
	"rsparser-inessential.json":          20,
	"rsparser-jsonfeed-extension.json":   3,
	"rsparser-kc0011.rss":                20, // GB2312
	"rsparser-livemint.xml":              25,
	"rsparser-macworld.rss":              30,
	"rsparser-manton.rss":                10,
	"rsparser-monkeydom.rss":             13,
	"rsparser-natasha.xml":               10,
	"rsparser-phpxml.rss":                20,
	"rsparser-pxlnv.json":                20,
	"rsparser-rose.json":                 84, // "tags" as text in every item: ignored, with a warning
	"rsparser-rubenerd.rss":              10,
	"rsparser-russcox.atom":              19,
	"rsparser-scriptingNews.rss":         50,
	"rsparser-theomnishow.rss":           4,
}

// corpusRefused records the start of the error for each file Parse refuses.
var corpusRefused = map[string]string{
	"feeder-github-entry.html":                         "not a feed: this is a web page (HTML), not RSS, Atom or JSON Feed",
	"feeder-kottke-entry.html":                         "not a feed: this is a web page (HTML), not RSS, Atom or JSON Feed",
	"feeder-sample_head.html":                          "not a feed: this is a web page (HTML), not RSS, Atom or JSON Feed; the page links to a feed at https://example.com/atom.xml",
	"feeder-subscribe-cfg.yml":                         "not a feed: it is neither XML (RSS, Atom) nor JSON Feed",
	"illformed-aaa_illformed.xml":                      "not a feed: the XML ends too early, on line 6",
	"illformed-big5.xml":                               "not a feed: the text is not UTF-8 (see line 7) and does not say which encoding it uses",
	"illformed-koi8r.xml":                              "not a feed: the text is not UTF-8 (see line 9) and does not say which encoding it uses",
	"illformed-windows1255.xml":                        "not a feed: the text is not UTF-8 (see line 10) and does not say which encoding it uses",
	"illformed-rss_empty_document.xml":                 "not a feed: the document holds no elements",
	"illformed-rss_incomplete_cdata.xml":               "not a feed: the XML is broken on line 13",
	"illformed-rss_item_link_corrupted_ampersands.xml": "not a feed: the XML ends too early, on line 13",
	"rsparser-ScriptingNews.json":                      "not a feed: this JSON is not a JSON Feed",
	"rsparser-allthis-partial.json":                    "not a feed: the JSON ends too early, on line 1 (the file looks cut off)",
}

func TestCorpus(t *testing.T) {
	entries, err := os.ReadDir(corpusDir)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("corpus not found at %s: skipping the real-world feed checks", corpusDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		name := e.Name()
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(corpusDir, name))
			if err != nil {
				t.Fatal(err)
			}
			f, err := parseWithDeadline(body, 10*time.Second)
			if err != nil {
				msg := err.Error()
				if strings.ContainsAny(msg, "\r\n") || !utf8.ValidString(msg) {
					t.Errorf("Parse(%s) error = %q; want one line of valid text", name, msg)
				}
				want, ok := corpusRefused[name]
				switch {
				case !ok:
					t.Errorf("Parse(%s) error = %q; want a post count (record it in corpusPosts or corpusRefused)", name, msg)
				case !strings.HasPrefix(msg, want):
					t.Errorf("Parse(%s) error = %q; want prefix %q", name, msg, want)
				}
				return
			}
			want, ok := corpusPosts[name]
			switch {
			case !ok:
				t.Errorf("Parse(%s) = %d posts; want an error (record the outcome in corpusPosts or corpusRefused)", name, len(f.Posts))
			case len(f.Posts) != want:
				t.Errorf("Parse(%s) = %d posts; want %d", name, len(f.Posts), want)
			}
			checkFeed(t, name, f)
		})
	}
	for name := range corpusPosts {
		if !seen[name] {
			t.Errorf("corpusPosts names %s, which is not in %s", name, corpusDir)
		}
	}
	for name := range corpusRefused {
		if !seen[name] {
			t.Errorf("corpusRefused names %s, which is not in %s", name, corpusDir)
		}
	}
}

// parseWithDeadline runs Parse and fails if it takes longer than d: a
// parser that loops on hostile input must show up as a failure, not as a
// test run that never ends.
func parseWithDeadline(body []byte, d time.Duration) (*Feed, error) {
	type result struct {
		f   *Feed
		err error
	}
	done := make(chan result, 1)
	go func() {
		f, err := Parse(body, "", "", now)
		done <- result{f, err}
	}()
	select {
	case r := <-done:
		return r.f, r.err
	case <-time.After(d):
		return nil, fmt.Errorf("Parse did not return within %v", d)
	}
}

// checkFeed asserts what every parsed feed must satisfy, whatever its input.
func checkFeed(t *testing.T, name string, f *Feed) {
	t.Helper()
	oneLine := func(field, s string) {
		if strings.ContainsAny(s, "\r\n\t\x00") || !utf8.ValidString(s) || s != strings.TrimSpace(s) {
			t.Errorf("Parse(%s) %s = %q; want one trimmed line of valid UTF-8", name, field, s)
		}
	}
	webOrEmpty := func(field, s string) {
		if s != "" && !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") {
			t.Errorf("Parse(%s) %s = %q; want an absolute http(s) URL or nothing", name, field, s)
		}
	}
	oneLine("feed title", f.Title)
	webOrEmpty("feed link", f.Link)
	keys := map[string]bool{}
	for i, p := range f.Posts {
		if p.Key == "" || keys[p.Key] {
			t.Errorf("Parse(%s) post %d key %q is empty or repeated", name, i, p.Key)
		}
		keys[p.Key] = true
		oneLine("title", p.Title)
		oneLine("author", p.Author)
		oneLine("excerpt", p.Excerpt)
		oneLine("GUID", p.GUID)
		for _, c := range p.Categories {
			oneLine("category", c)
		}
		webOrEmpty("link", p.Link)
		webOrEmpty("image", p.ImageURL)
		if NormalizeLink(p.LinkKey) != p.LinkKey {
			t.Errorf("Parse(%s) post %d LinkKey %q is not normalised", name, i, p.LinkKey)
		}
		if n := utf8.RuneCountInString(p.Excerpt); n > ExcerptLength {
			t.Errorf("Parse(%s) post %d excerpt has %d characters; want at most %d", name, i, n, ExcerptLength)
		}
		if !utf8.ValidString(p.ContentHTML) {
			t.Errorf("Parse(%s) post %d ContentHTML is not valid UTF-8", name, i)
		}
		if err := checkSafeHTML(p.ContentHTML); err != nil {
			t.Errorf("Parse(%s) post %d ContentHTML: %v", name, i, err)
		}
		lower := strings.ToLower(p.ContentHTML)
		for _, bad := range []string{" onload=", " onerror=", " onclick=", " onmouseover=", "<iframe", "<style"} {
			if strings.Contains(lower, bad) {
				t.Errorf("Parse(%s) post %d ContentHTML contains %q", name, i, bad)
			}
		}
		if !p.Published.IsZero() && p.Published.After(now.Add(futureSlack)) {
			t.Errorf("Parse(%s) post %d published %v, after now", name, i, p.Published)
		}
	}
}
