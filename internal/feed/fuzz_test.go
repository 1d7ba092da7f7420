package feed

import (
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// seedFixtures adds every feed in testdata as a seed.
func seedFixtures(f *testing.F, add func(body []byte)) {
	f.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range paths {
		if info, err := os.Stat(p); err != nil || info.IsDir() {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		add(b)
	}
}

func FuzzParse(f *testing.F) {
	seedFixtures(f, func(b []byte) { f.Add(b, "") })
	f.Add([]byte(`<rss version="2.0"><channel><item><title>&lt;script&gt;x</title><description>&lt;img src=x onerror=alert(1)&gt;</description></item></channel></rss>`), "text/xml; charset=koi8-r")
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","content_html":"<a href='javascript:x'>y</a>"}]}`), "application/feed+json")
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1","title":"t","authors":[{"name":"a"}],"items":[{"id":2,"url":"/p","title":"x","content_text":"a\nb","summary":"s","image":"//i/x.png","tags":["a","A"],"authors":[{"name":"b"}],"attachments":[{"url":"/f.mp3","mime_type":"audio/mpeg","size_in_bytes":1}],"date_published":"2026-01-01T00:00"}]}`), "")
	f.Add([]byte("<?xml version=\"1.0\" encoding=\"big5\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><content type=\"html\">\xa4\xa4</content></entry></feed>"), "")

	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		feed, err := Parse(body, contentType, "https://fuzz.example/feed", now)
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "not a feed: ") || strings.ContainsAny(msg, "\r\n") || !utf8.ValidString(msg) {
				t.Fatalf("Parse error = %q; want one line starting \"not a feed: \"", msg)
			}
			return
		}
		for i, p := range feed.Posts {
			if err := checkSafeHTML(p.ContentHTML); err != nil {
				t.Fatalf("post %d ContentHTML %q: %v", i, p.ContentHTML, err)
			}
			for _, s := range []string{feed.Title, p.Title, p.Author, p.Excerpt, p.GUID} {
				if strings.ContainsAny(s, "\r\n") || !utf8.ValidString(s) {
					t.Fatalf("post %d has a field that is not one line of valid UTF-8: %q", i, s)
				}
			}
			for _, u := range []string{p.Link, p.ImageURL} {
				if u != "" && !isWebURL(u) {
					t.Fatalf("post %d has a URL that is not http(s): %q", i, u)
				}
			}
		}
	})
}

func FuzzSanitize(f *testing.F) {
	seedFixtures(f, func(b []byte) { f.Add(string(b)) })
	for _, s := range []string{
		`<p onclick="x()">t</p><script>alert(1)</script>`,
		`<a href="jav&#x09;ascript:alert(1)">x</a>`,
		`<scr<script>ipt>alert(1)</script>`,
		`<img src="data:image/png;base64,AAAA" data-src="/real.png" onerror="x">`,
		`<svg><script>alert(1)</script></svg><math><mi xlink:href="javascript:x">`,
		`<a href="/rel">r</a><img src="//cdn.example/x.png"><iframe src="x"></iframe>`,
		`<table><tr><td colspan="2" style="x">a</td></tr></table><form><input></form>`,
		`<!--<script>--><noscript><p title="</noscript><img src=x onerror=alert(1)>">`,
		`<iframe src="https://x.it/v" /><p>dopo <b>qui</b></p><IFRAME/><script/>x</script>`,
		`<noscript/><p title="</noscript><img src=x onerror=alert(1)>">`,
		`un<font>ico</font><section>a</section><center/><x-y>b</x-y><textarea/><title/>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Sanitize(in, "https://fuzz.example/post/")
		if err := checkSafeHTML(out); err != nil {
			t.Fatalf("Sanitize(%q) = %q: %v", in, out, err)
		}
		if !utf8.ValidString(in) {
			return
		}
		// Sanitised output is a fixed point: a second pass finds nothing to
		// remove, so the first pass and a mail client read it the same way.
		if again := Sanitize(out, "https://fuzz.example/post/"); again != out {
			t.Fatalf("Sanitize is not idempotent on %q:\nonce:  %q\ntwice: %q", in, out, again)
		}
	})
}

// FuzzIdentity: the identity rule as a property over documents whose
// items may have a unique GUID, a GUID shared with others, or none, and
// links that are equal, equal but for a fragment, relative or missing.
// Whatever the mix, keys are distinct, an item with a GUID of its own is
// never merged into another, and items that differ in text are never
// merged either. (The store's side, against SQLite, is
// store.TestUpsertPostsDistinctGUIDsProperty.)
func FuzzIdentity(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3}, "a")
	f.Add([]byte{4, 4, 5, 5, 6, 6, 7}, "#x y")
	f.Add([]byte{8, 9, 10, 11, 12, 13, 14, 15, 0x80, 0x91}, "")
	f.Fuzz(func(t *testing.T, choices []byte, frag string) {
		if len(choices) == 0 || len(choices) > 40 {
			return
		}
		var esc strings.Builder
		xml.EscapeText(&esc, []byte(frag))
		links := []string{
			"", "https://b.it/", "https://b.it/p", "https://b.it/p/", "https://b.it/p#a", "https://b.it/p#b",
			"https://b.it/p?utm_source=x#a", "/p#c", "#a", "https://b.it/p#" + esc.String(),
			"https://b.it/" + esc.String(), "javascript:x", "https://B.IT/p#A", "https://b.it/p#", "?q#a", "https://b.it/p#a%20b",
		}
		var doc strings.Builder
		doc.WriteString(`<rss version="2.0"><channel><title>F</title><link>https://b.it/</link>`)
		ownGUID := map[string]bool{}
		texts := map[string]bool{}
		for i, c := range choices {
			doc.WriteString("<item>")
			// The low bits choose the GUID: none, shared, or the item's own.
			switch c & 3 {
			case 1:
				doc.WriteString(`<guid isPermaLink="false">shared</guid>`)
			case 2, 3:
				g := fmt.Sprintf("g-%d", i)
				ownGUID[g] = true
				fmt.Fprintf(&doc, `<guid isPermaLink="false">%s</guid>`, g)
			}
			if l := links[int(c>>2)%len(links)]; l != "" {
				fmt.Fprintf(&doc, "<link>%s</link>", l)
			}
			text := fmt.Sprintf("<title>T%d</title><description>D%d</description>", c>>7, (c>>6)&1)
			texts[text] = true
			doc.WriteString(text + "</item>")
		}
		doc.WriteString(`</channel></rss>`)
		feed, err := Parse([]byte(doc.String()), "", "", now)
		if err != nil {
			t.Fatalf("Parse error = %v\n%s", err, doc.String())
		}
		keys := map[string]bool{}
		kept := map[string]bool{}
		for _, p := range feed.Posts {
			if keys[p.Key] {
				t.Fatalf("key %q repeated\n%s", p.Key, doc.String())
			}
			keys[p.Key] = true
			kept[p.GUID] = true
		}
		for g := range ownGUID {
			if !kept[g] {
				t.Fatalf("the item with GUID %s was merged into another\n%s", g, doc.String())
			}
		}
		if len(feed.Posts) < len(texts) {
			t.Fatalf("%d posts for %d different texts: items that differ were merged\n%s", len(feed.Posts), len(texts), doc.String())
		}
	})
}
