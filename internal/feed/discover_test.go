package feed

import (
	"github.com/venerdi/venerdi/internal/plaintext"

	"errors"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

func readDiscoverFixture(t testing.TB, name string) []byte {
	t.Helper()
	return readFixture(t, filepath.Join("discover", name))
}

func TestDiscoverFixtures(t *testing.T) {
	tests := []struct {
		file, contentType, pageURL string
		want                       *Discovery
	}{
		{
			// Yoast's og: tags name the site; the canonical address is on
			// www. of the host the page was fetched from; WordPress's REST
			// API link (type application/json) and oEmbed links are not
			// feeds; a <link> in the body is past the head.
			file: "wordpress-it.html", contentType: "text/html; charset=UTF-8", pageURL: "https://bottegadigitale.it/",
			want: &Discovery{
				Title:    "Bottega Digitale",
				URL:      "https://www.bottegadigitale.it/",
				Language: "it",
				Feeds: []FeedLink{
					{URL: "https://www.bottegadigitale.it/feed/", Title: "Bottega Digitale » Feed", Type: typeRSS},
					{URL: "https://www.bottegadigitale.it/comments/feed/", Title: "Bottega Digitale » Feed dei commenti", Type: typeRSS, Comments: true},
				},
			},
		},
		{
			// The second Atom link differs from the first only in case,
			// trailing slash and fragment.
			file: "ghost.html", contentType: "text/html; charset=utf-8", pageURL: "https://taccuino.example/",
			want: &Discovery{
				Title:    "Il Taccuino",
				URL:      "https://taccuino.example/",
				Language: "it",
				Feeds: []FeedLink{
					{URL: "https://taccuino.example/atom/", Title: "Il Taccuino (Atom)", Type: typeAtom},
					{URL: "https://taccuino.example/feed.json", Title: "Il Taccuino (JSON Feed)", Type: typeJSONFeed},
				},
			},
		},
		{
			// Links resolve against <base href>, even one that comes after
			// them; the canonical link (on the base's host) and og:url (on
			// another) are not the page's host, so URL is the page's.
			file: "relative-base.html", contentType: "text/html", pageURL: "https://viaggi.example/diario/",
			want: &Discovery{
				Title: `Diario di "bordo"`,
				URL:   "https://viaggi.example/diario/",
				Feeds: []FeedLink{
					{URL: "https://static.viaggi.example/diario/feed.xml", Title: "Articoli", Type: typeRSS},
					{URL: "https://static.viaggi.example/atom.xml", Title: "Atom", Type: typeAtom},
					{URL: "https://altro.example/rss", Title: "Altro sito", Type: typeRSS},
				},
			},
		},
		{
			// No feed link, but WordPress, installed in /blog/: its API
			// root says where the feed should be.
			file: "wordpress-nofeed.html", contentType: "text/html; charset=UTF-8", pageURL: "https://esempio.it/blog/",
			want: &Discovery{
				Title:    "Esempio",
				URL:      "https://esempio.it/blog/",
				Language: "it",
				Feeds:    []FeedLink{{URL: "https://esempio.it/blog/feed/", Type: typeRSS, Guessed: true}},
			},
		},
		{
			file: "nofeeds.html", contentType: "text/html", pageURL: "https://studiorossi.example/",
			want: &Discovery{Title: "Studio Rossi", URL: "https://studiorossi.example/"},
		},
		{
			// ISO-8859-1 named only by <meta http-equiv>; the header has
			// no charset.
			file: "latin1.html", contentType: "text/html", pageURL: "http://www.caffesocieta.example/index.php",
			want: &Discovery{
				Title:    "Caffè & Società",
				URL:      "http://www.caffesocieta.example/index.php",
				Language: "it",
				Feeds:    []FeedLink{{URL: "http://www.caffesocieta.example/rss.php", Title: "Caffè & Società - Articoli", Type: typeRSS}},
			},
		},
		{
			// The user gave the feed's address instead of the blog's.
			file: "rss.xml", contentType: "application/rss+xml; charset=UTF-8", pageURL: "https://www.bottegadigitale.it/feed/",
			want: &Discovery{
				Title:    "Bottega Digitale",
				URL:      "https://www.bottegadigitale.it",
				Language: "it",
				Feeds:    []FeedLink{{URL: "https://www.bottegadigitale.it/feed/", Title: "Bottega Digitale", Type: typeRSS}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := Discover(readDiscoverFixture(t, tt.file), tt.contentType, tt.pageURL)
			if err != nil {
				t.Fatalf("Discover(%s) error = %v; want nil", tt.file, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Discover(%s) = %+v; want %+v", tt.file, got, tt.want)
			}
			checkDiscovery(t, tt.file, got)
		})
	}
}

func TestDiscover(t *testing.T) {
	const page = "https://blog.example/"
	wp := `<!DOCTYPE html><html><head><meta name="generator" content="WordPress 6.5"><title>Blog</title>`
	tests := []struct {
		name, body, contentType, pageURL string
		want                             *Discovery
	}{
		{
			name:    "comments feed first in the page",
			body:    `<html><head><link rel=alternate type=application/rss+xml title="Blog &raquo; Comments Feed" href=/comments/feed/><link rel=alternate type=application/rss+xml title="Blog &raquo; Feed" href=/feed/><link rel=alternate type=application/rss+xml title="Un articolo Feed dei commenti" href=/2026/06/un-articolo/feed/><link rel=alternate type=application/atom+xml href="/?feed=comments-atom">`,
			pageURL: page,
			want: &Discovery{URL: page, Feeds: []FeedLink{
				{URL: "https://blog.example/feed/", Title: "Blog » Feed", Type: typeRSS},
				{URL: "https://blog.example/comments/feed/", Title: "Blog » Comments Feed", Type: typeRSS, Comments: true},
				{URL: "https://blog.example/2026/06/un-articolo/feed/", Title: "Un articolo Feed dei commenti", Type: typeRSS, Comments: true},
				{URL: "https://blog.example/?feed=comments-atom", Type: typeAtom, Comments: true},
			}},
		},
		{
			name:    "only a comments feed on WordPress: the main one is guessed",
			body:    wp + `<link rel=alternate type=application/rss+xml href=/comments/feed/>`,
			pageURL: page,
			want: &Discovery{Title: "Blog", URL: page, Feeds: []FeedLink{
				{URL: "https://blog.example/feed/", Type: typeRSS, Guessed: true},
				{URL: "https://blog.example/comments/feed/", Type: typeRSS, Comments: true},
			}},
		},
		{
			name:    "WordPress known only by /wp-content/",
			body:    `<html><head><title>Blog</title><link rel=stylesheet href="/wp-content/themes/x/style.css">`,
			pageURL: "https://blog.example/index.php?lang=it",
			want: &Discovery{Title: "Blog", URL: "https://blog.example/index.php?lang=it", Feeds: []FeedLink{
				{URL: "https://blog.example/feed/", Type: typeRSS, Guessed: true},
			}},
		},
		{
			name:    "WordPress with plain permalinks",
			body:    wp + `<link rel="https://api.w.org/" href="https://blog.example/?rest_route=/">`,
			pageURL: page,
			want: &Discovery{Title: "Blog", URL: page, Feeds: []FeedLink{
				{URL: "https://blog.example/?feed=rss2", Type: typeRSS, Guessed: true},
			}},
		},
		{
			name:    "WordPress home guessed from the canonical address",
			body:    wp + `<link rel=canonical href="https://www.blog.example/sito">`,
			pageURL: page,
			want: &Discovery{Title: "Blog", URL: "https://www.blog.example/sito", Feeds: []FeedLink{
				{URL: "https://www.blog.example/sito/feed/", Type: typeRSS, Guessed: true},
			}},
		},
		{
			name:    "a generator that is not WordPress",
			body:    `<html><head><meta name=generator content="Hugo 0.125"><title>Blog</title>`,
			pageURL: page,
			want:    &Discovery{Title: "Blog", URL: page},
		},
		{
			name:    "JSON Feed under its old media type, and WordPress's API",
			body:    `<html><head><link rel=alternate type=application/json href=/feed.json><link rel=alternate type=application/json href=/wp-json/wp/v2/posts/3><link rel=alternate type=application/json href=/?rest_route=/wp/v2/pages/2><link rel=alternate type=text/html href=/en/>`,
			pageURL: page,
			want: &Discovery{URL: page, Feeds: []FeedLink{
				{URL: "https://blog.example/feed.json", Type: typeJSON},
			}},
		},
		{
			name:    "og:url when there is no canonical link",
			body:    `<html><head><meta property="og:url" content="/chi-siamo/"><link rel=canonical href="">`,
			pageURL: "https://blog.example/chi-siamo/?ref=x#top",
			want:    &Discovery{URL: "https://blog.example/chi-siamo/"},
		},
		{
			name:    "the page URL without its fragment",
			body:    `<html><head><link rel=canonical href="javascript:alert(1)">`,
			pageURL: "https://blog.example/#top",
			want:    &Discovery{URL: page},
		},
		{
			name:    "unknown page address: absolute links only",
			body:    `<html lang="IT"><head><link rel=canonical href="https://x.example/"><link rel=alternate type=application/rss+xml href=/feed/><link rel=alternate type=application/rss+xml href="https://x.example/rss">`,
			pageURL: "",
			want:    &Discovery{URL: "https://x.example/", Language: "it", Feeds: []FeedLink{{URL: "https://x.example/rss", Type: typeRSS}}},
		},
		{
			name:    "application-name before the title, og:site_name before both",
			body:    `<html><head><title>Titolo</title><meta name="application-name" content="App"><meta name="og:site_name" content="  Il   Sito  ">`,
			pageURL: page,
			want:    &Discovery{Title: "Il Sito", URL: page},
		},
		{
			name:    "a title cut at its first separator, generic parts skipped",
			body:    `<title>Benvenuti &mdash; Home | Pasticceria Dolce-Vita &ndash; Torte, biscotti</title>`,
			pageURL: page,
			want:    &Discovery{Title: "Pasticceria Dolce-Vita", URL: page},
		},
		{
			name:    "a title that is only generic",
			body:    `<title>Home</title>`,
			pageURL: page,
			want:    &Discovery{Title: "Home", URL: page},
		},
		{
			// A title's content is text, markup included; &#x85; is
			// windows-1252's "…", as HTML says.
			name:    "a title with control characters and markup as text",
			body:    "<title>\x01A\r\n<b>B</b>\u2028&#x85;C\x7f\u0085</title>",
			pageURL: page,
			want:    &Discovery{Title: "A <b>B</b> …C", URL: page},
		},
		{
			name:    "a very long title",
			body:    "<title>" + strings.Repeat("parola ", 100) + "</title>",
			pageURL: page,
			want:    &Discovery{Title: plaintext.Excerpt(strings.Repeat("parola ", 100), DiscoverTitleLength), URL: page},
		},
		{
			name:    "the language from og:locale",
			body:    `<html lang=""><head><meta property="og:locale" content="it_IT">`,
			pageURL: page,
			want:    &Discovery{Language: "it", URL: page},
		},
		{
			name:    "the language from xml:lang",
			body:    `<?xml version="1.0"?><!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x"><html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en-GB">`,
			pageURL: page,
			want:    &Discovery{Language: "en", URL: page},
		},
		{
			name:    "a language that is not a language tag",
			body:    `<html lang="italiano">`,
			pageURL: page,
			want:    &Discovery{URL: page},
		},
		{
			name:    "UTF-8 labelled ISO-8859-1 by the server",
			body:    `<html><head><title>Caffè</title>`,
			pageURL: page, contentType: "text/html; charset=iso-8859-1",
			want: &Discovery{Title: "Caffè", URL: page},
		},
		{
			name:    "Latin-1 named only by the server",
			body:    "<html><head><title>Caff\xe8</title>",
			pageURL: page, contentType: "text/html; charset=iso-8859-1",
			want: &Discovery{Title: "Caffè", URL: page},
		},
		{
			name:    "the page's meta before the server's default",
			body:    "<html><head><meta charset=windows-1251><title>\xcf\xf0\xe8\xe2\xe5\xf2</title>",
			pageURL: page, contentType: "text/html; charset=iso-8859-1",
			want: &Discovery{Title: "Привет", URL: page},
		},
		{
			name:    "a legacy encoding named nowhere",
			body:    "<html><head><title>Caff\xe8 \x80 5</title>",
			pageURL: page,
			want:    &Discovery{Title: "Caffè € 5", URL: page},
		},
		{
			name:    "UTF-8 named, with a bad byte",
			body:    "<html><head><meta charset=utf-8><title>Caffè\xff</title>",
			pageURL: page,
			want:    &Discovery{Title: "Caffè", URL: page},
		},
		{
			name:    "UTF-16 with a byte-order mark",
			body:    "\xff\xfe<\x00t\x00i\x00t\x00l\x00e\x00>\x00\xe8\x00<\x00/\x00t\x00i\x00t\x00l\x00e\x00>\x00",
			pageURL: page,
			want:    &Discovery{Title: "è", URL: page},
		},
		{
			name:    "a PHP warning before the page",
			body:    "Warning: Undefined variable $x in /var/www/html/wp-content/themes/t/header.php on line 3\n<!DOCTYPE html><html><head><title>Blog</title>",
			pageURL: page,
			want:    &Discovery{Title: "Blog", URL: page},
		},
		{
			name:    "an HTML fragment",
			body:    `<p>Solo un paragrafo, <a href="/feed/" rel=alternate type=application/rss+xml>feed</a>.</p>`,
			pageURL: page,
			want:    &Discovery{URL: page},
		},
		{
			name:    "links after </head> are not read",
			body:    `<html><head></head><link rel=alternate type=application/rss+xml href=/feed/>`,
			pageURL: page,
			want:    &Discovery{URL: page},
		},
		{
			name:    "an Atom feed as the page, its link relative",
			body:    `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="it"><title><![CDATA[A &amp; B]]></title><link href="/" rel="alternate"/><id>x</id><updated>2026-06-01T00:00:00Z</updated></feed>`,
			pageURL: "https://blog.example/atom.xml#x", contentType: "text/html",
			want: &Discovery{Title: "A & B", URL: page, Language: "it", Feeds: []FeedLink{
				{URL: "https://blog.example/atom.xml", Title: "A & B", Type: typeAtom},
			}},
		},
		{
			name:    "a JSON Feed as the page, without a home page",
			body:    `{"version":"https://jsonfeed.org/version/1.1","title":"Blog\nJSON","language":"pt-BR","items":[]}`,
			pageURL: "https://blog.example/sub/feed.json",
			want: &Discovery{Title: "Blog JSON", URL: page, Language: "pt", Feeds: []FeedLink{
				{URL: "https://blog.example/sub/feed.json", Title: "Blog JSON", Type: typeJSONFeed},
			}},
		},
		{
			name:    "an RSS 1.0 feed as a file",
			body:    `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel rdf:about="x"><title>Vecchio</title><link>http://vecchio.example/</link></channel></rdf:RDF>`,
			pageURL: "feed.rdf",
			want:    &Discovery{Title: "Vecchio", URL: "http://vecchio.example/"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Discover([]byte(tt.body), tt.contentType, tt.pageURL)
			if err != nil {
				t.Fatalf("Discover(%s) error = %v; want nil", tt.name, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Discover(%s) = %+v; want %+v", tt.name, got, tt.want)
			}
			checkDiscovery(t, tt.name, got)
		})
	}
}

func TestDiscoverRefuses(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"empty", " \r\n\t", "not a web page: the document is empty"},
		{"plain text", "Benvenuti nel nostro sito\n", `not a web page: there is no HTML in it; it starts with "Benvenuti nel nostro`},
		{"OPML", `<?xml version="1.0"?><opml version="2.0"><head><title>Feeds</title></head></opml>`, "not a web page: the document is XML whose root element is <opml>, neither a web page nor a feed"},
		{"broken RSS", "<rss version=\"2.0\"><channel><title>x</title>\n<item><title>a", "not a web page: it looks like a feed, but the XML ends too early, on line 2"},
		{"legacy RSS naming no encoding", "<rss version=\"2.0\"><channel><title>Caff\xe8</title></channel></rss>", "not a web page: it looks like a feed, but the text is not UTF-8 (see line 1)"},
		{"JSON that is no feed", `{"posts":[]}`, "not a web page: this JSON is not a JSON Feed"},
		{"JSON list", `[1, 2]`, "not a web page: it is neither XML (RSS, Atom) nor JSON Feed"},
		{"broken JSON", `{"version":"https://jsonfeed.org/version/1.1","title":"x`, "not a web page: the JSON ends too early"},
		{"control characters", "\x00\x01\x02 \n<", `not a web page: there is no HTML in it; it starts with`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Discover([]byte(tt.body), "", "https://blog.example/")
			if err == nil {
				t.Fatalf("Discover(%s) = %+v; want an error starting %q", tt.name, got, tt.want)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, tt.want) {
				t.Errorf("Discover(%s) error = %q; want prefix %q", tt.name, msg, tt.want)
			}
			if strings.ContainsAny(msg, "\r\n") || !utf8.ValidString(msg) {
				t.Errorf("Discover(%s) error = %q; want one line of valid text", tt.name, msg)
			}
		})
	}
}

// TestDiscoverCorpus runs Discover on the shared real-world corpus (see
// corpusDir): the HTML pages there must give what is recorded below, and
// every other file either a feed of its own or an error.
func TestDiscoverCorpus(t *testing.T) {
	entries, err := os.ReadDir(corpusDir)
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("corpus not found at %s: skipping the real-world page checks", corpusDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	const page = "https://corpus.example/page"
	pages := map[string]*Discovery{
		"feeder-sample_head.html": {Title: "Sample Title", URL: page, Feeds: []FeedLink{
			{URL: "https://example.com/atom.xml", Type: typeAtom},
		}},
		// Fragments of pages, without a head.
		"feeder-github-entry.html": {URL: page},
		"feeder-kottke-entry.html": {URL: page},
	}
	seen := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() {
			continue
		}
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(corpusDir, name))
			if err != nil {
				t.Fatal(err)
			}
			got, err := Discover(body, "", page)
			want, isPage := pages[name]
			switch {
			case isPage && err != nil:
				t.Fatalf("Discover(%s) error = %v; want %+v", name, err, want)
			case isPage:
				if !reflect.DeepEqual(got, want) {
					t.Errorf("Discover(%s) = %+v; want %+v", name, got, want)
				}
			case err != nil:
				if msg := err.Error(); !strings.HasPrefix(msg, "not a web page: ") || strings.ContainsAny(msg, "\r\n") {
					t.Errorf("Discover(%s) error = %q; want one line starting \"not a web page: \"", name, msg)
				}
				return
			case len(got.Feeds) != 1 || got.Feeds[0].URL != page:
				// A feed given as the page is its own only feed.
				t.Errorf("Discover(%s) = %+v; want Feeds to be just %s", name, got, page)
			}
			checkDiscovery(t, name, got)
		})
	}
	for name := range pages {
		if !seen[name] {
			t.Errorf("pages names %s, which is not in %s", name, corpusDir)
		}
	}
}

// checkDiscovery checks what Discover promises of every result.
func checkDiscovery(t testing.TB, name string, d *Discovery) {
	t.Helper()
	if d == nil {
		t.Fatalf("Discover(%s) = nil, nil; want a Discovery or an error", name)
	}
	for _, s := range []string{d.Title, d.Language} {
		if !isOneLine(s) {
			t.Errorf("Discover(%s) = %+v: %q is not one line of plain text", name, d, s)
		}
	}
	if n := utf8.RuneCountInString(d.Title); n > DiscoverTitleLength {
		t.Errorf("Discover(%s) Title has %d characters; want at most %d", name, n, DiscoverTitleLength)
	}
	if d.URL != "" && !isAbsoluteWebURL(d.URL) {
		t.Errorf("Discover(%s) URL = %q; want an absolute http(s) URL or \"\"", name, d.URL)
	}
	seen := map[string]bool{}
	for _, f := range d.Feeds {
		if !isAbsoluteWebURL(f.URL) {
			t.Errorf("Discover(%s) feed URL = %q; want an absolute http(s) URL", name, f.URL)
		}
		if seen[NormalizeLink(f.URL)] {
			t.Errorf("Discover(%s) lists %q twice", name, f.URL)
		}
		seen[NormalizeLink(f.URL)] = true
		if !isOneLine(f.Title) || utf8.RuneCountInString(f.Title) > DiscoverTitleLength {
			t.Errorf("Discover(%s) feed title = %q; want one line of plain text", name, f.Title)
		}
		switch f.Type {
		case typeRSS, typeAtom, typeJSONFeed, typeJSON:
		default:
			t.Errorf("Discover(%s) feed type = %q; want a feed's media type", name, f.Type)
		}
	}
}

func isOneLine(s string) bool {
	if !utf8.ValidString(s) || s != strings.TrimSpace(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == utf8.RuneError {
			return false
		}
	}
	return true
}

func isAbsoluteWebURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.Fragment == "" && isWebURL(s)
}

func FuzzDiscover(f *testing.F) {
	paths, err := filepath.Glob(filepath.Join("testdata", "discover", "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "text/html")
	}
	f.Add([]byte(`<base href="//cdn.example/x/"><link rel=alternate type=application/rss+xml href="../f?a#b"><link rel=canonical href="HTTPS://WWW.FUZZ.EXAMPLE:443/">`), "")
	f.Add([]byte("<meta http-equiv=content-type content='text/html;charset=\"koi8-r\"'><title>\xf0\xd2\xc9</title>"), "text/html; charset=utf-8")
	f.Add([]byte(`<html><head><meta name=generator content=WordPress><link rel="https://api.w.org/" href="?rest_route=/"><link rel=canonical href="/a b/c.php">`), "")
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1","title":"t","home_page_url":"javascript:x"}`), "")
	f.Add([]byte(`<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><link href="//h/"/></feed>`), "")

	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		var d *Discovery
		var err error
		done := make(chan struct{})
		go func() { d, err = Discover(body, contentType, "https://fuzz.example/blog/"); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("Discover took more than 10s on %d bytes", len(body))
		}
		if err != nil {
			if msg := err.Error(); !strings.HasPrefix(msg, "not a web page: ") || strings.ContainsAny(msg, "\r\n") || !utf8.ValidString(msg) {
				t.Fatalf("Discover error = %q; want one line starting \"not a web page: \"", msg)
			}
			return
		}
		checkDiscovery(t, "fuzz", d)
	})
}

// Discover names a feed as Parse does: a JSON Feed's title is text, so
// tag-like words stay.
func TestDiscoverTitleAsParse(t *testing.T) {
	body := []byte(`{"version":"https://jsonfeed.org/version/1.1","title":"Die Rückkehr von <i> und <b>","items":[{"id":"1","content_text":"x"}]}`)
	d, err := Discover(body, "application/feed+json", "https://example.de/feed.json")
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse(body, "application/feed+json", "https://example.de/feed.json", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if d.Title != f.Title || f.Title != "Die Rückkehr von <i> und <b>" {
		t.Errorf("Discover title %q, Parse title %q; want both %q", d.Title, f.Title, "Die Rückkehr von <i> und <b>")
	}
}
