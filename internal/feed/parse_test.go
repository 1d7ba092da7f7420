package feed

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/unicode"
)

// now is the fixed "current time" of these tests: a Friday in June 2026.
var now = time.Date(2026, 6, 5, 12, 0, 0, 0, time.UTC)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func parseFixture(t *testing.T, name, contentType, baseURL string) *Feed {
	t.Helper()
	f, err := Parse(readFixture(t, name), contentType, baseURL, now)
	if err != nil {
		t.Fatalf("Parse(%s) error = %v; want nil", name, err)
	}
	for _, p := range f.Posts {
		if err := checkSafeHTML(p.ContentHTML); err != nil {
			t.Errorf("Parse(%s) post %s ContentHTML %q: %v", name, p.Key, p.ContentHTML, err)
		}
	}
	return f
}

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func TestParseRSSContentEncoded(t *testing.T) {
	f := parseFixture(t, "rss2-content.xml", "application/rss+xml", "https://blog.example.it/feed.xml")
	if f.Title != "Il blog di Venerdì" || f.Link != "https://blog.example.it/" {
		t.Errorf("Parse(rss2-content.xml) feed = %q, %q; want \"Il blog di Venerdì\", https://blog.example.it/", f.Title, f.Link)
	}
	if len(f.Posts) != 5 {
		t.Fatalf("Parse(rss2-content.xml) = %d posts; want 5", len(f.Posts))
	}

	p := f.Posts[0]
	want := Post{
		Key:       "guid:post-101",
		GUID:      "post-101",
		Link:      "https://blog.example.it/2026/06/tom-e-jerry/?utm_source=rss&utm_medium=feed#commenti",
		LinkKey:   "https://blog.example.it/2026/06/tom-e-jerry",
		Title:     "Tom & Jerry al cinema",
		Author:    "Giulia Rossi",
		Published: date("2026-06-05T07:00:00Z"),
		Excerpt:   "Un classico senza tempo, altri cartoni. clic",
		ContentHTML: `<p>Un classico <em>senza tempo</em>, <a href="https://blog.example.it/2026/06/cartoni/" rel="noopener">altri cartoni</a>.</p>` +
			"\n      \n      " + `<p><img src="https://blog.example.it/2026/06/tom-e-jerry/img/tom.jpg" alt="Tom" width="640" height="360"></p>` +
			"\n      \n      \n      <p>clic</p>",
		ImageURL:   "https://blog.example.it/2026/06/tom-e-jerry/img/tom.jpg",
		Categories: []string{"Cinema", "Animazione"},
		FeedTitle:  "Il blog di Venerdì",
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("Parse(rss2-content.xml) post 0 =\n%+v\nwant\n%+v", p, want)
	}

	tests := []struct {
		i                     int
		key, title, link, img string
		published             time.Time
		contentHTML, excerpt  string
	}{
		// A permalink guid stands in for the missing link; the CDATA title is
		// decoded once; the description is the content; the lazy image is found.
		{1, "guid:https://blog.example.it/2026/06/att", "AT&T e l'arte del doppio escape",
			"https://blog.example.it/2026/06/att", "https://blog.example.it/img/lazy.png", date("2026-06-04T16:30:00Z"),
			`<p>Solo descrizione, con <img src="https://blog.example.it/img/lazy.png"> immagine pigra.</p>`,
			"Solo descrizione, con immagine pigra."},
		// A GUID shared by two items identifies neither: both fall back to the link.
		{2, "link:https://blog.example.it/2026/06/doppio", "AT&amp;T scritto due volte",
			"https://blog.example.it/2026/06/doppio", "https://cdn.example.it/thumb.jpg", date("2026-06-03T08:00:00Z"),
			"Testo.", "Testo."},
		{3, "link:https://blog.example.it/2026/06/altro", "Stesso guid, altro post",
			"https://blog.example.it/2026/06/altro", "https://cdn.example.it/cover.png", date("2026-06-02T08:00:00Z"),
			"Altro testo.", "Altro testo."},
		// No guid, no link: a content hash; a date in 2050 is no date.
		{4, "hash:" + sha("Dal futuro", "Un post senza link né guid."), "Dal futuro", "", "", time.Time{},
			"Un post senza link né guid.", "Un post senza link né guid."},
	}
	for _, tt := range tests {
		p := f.Posts[tt.i]
		got := []any{p.Key, p.Title, p.Link, p.ImageURL, p.Published, p.ContentHTML, p.Excerpt}
		exp := []any{tt.key, tt.title, tt.link, tt.img, tt.published, tt.contentHTML, tt.excerpt}
		if !reflect.DeepEqual(got, exp) {
			t.Errorf("Parse(rss2-content.xml) post %d = %q; want %q", tt.i, got, exp)
		}
	}
}

func sha(title, content string) string {
	h := sha256.Sum256([]byte(title + "\x00" + content))
	return hex.EncodeToString(h[:])
}

func TestParseAtom(t *testing.T) {
	f := parseFixture(t, "atom.xml", "application/atom+xml", "")
	if f.Title != "Atom di prova" || f.Link != "https://atom.example.org/blog/" || len(f.Posts) != 2 {
		t.Fatalf("Parse(atom.xml) = %q, %q, %d posts; want \"Atom di prova\", https://atom.example.org/blog/, 2",
			f.Title, f.Link, len(f.Posts))
	}
	p := f.Posts[0]
	want := Post{
		Key:         "guid:tag:atom.example.org,2026:caffe",
		GUID:        "tag:atom.example.org,2026:caffe",
		Link:        "https://atom.example.org/blog/posts/caffe.html",
		LinkKey:     "https://atom.example.org/blog/posts/caffe.html",
		Title:       "Perché così tanto caffè?",
		Author:      "Marco Bianchi",
		Published:   date("2026-06-04T06:00:00Z"),
		Updated:     date("2026-06-04T07:00:00Z"),
		Excerpt:     "Il caffè del bar è buono.",
		ContentHTML: `<p>Il caffè <a href="https://atom.example.org/menu/" rel="noopener">del bar</a> è <strong>buono</strong>.</p>`,
		Categories:  []string{"caffè"},
		FeedTitle:   "Atom di prova",
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("Parse(atom.xml) post 0 =\n%+v\nwant\n%+v", p, want)
	}

	// Only <updated>: Published falls back to it. XHTML content, relative
	// image resolved against xml:base.
	p = f.Posts[1]
	if p.Author != "Anna Verdi" || !p.Published.Equal(date("2026-06-03T10:00:00Z")) || p.Published != p.Updated {
		t.Errorf("Parse(atom.xml) post 1 author, published, updated = %q, %v, %v; want Anna Verdi, 2026-06-03T10:00Z twice",
			p.Author, p.Published, p.Updated)
	}
	if p.ImageURL != "https://atom.example.org/blog/foto.jpg" {
		t.Errorf("Parse(atom.xml) post 1 ImageURL = %q; want https://atom.example.org/blog/foto.jpg", p.ImageURL)
	}
}

func TestParseJSONFeed(t *testing.T) {
	f := parseFixture(t, "feed.json", "application/feed+json", "")
	if f.Title != "JSON di prova" || f.Link != "https://json.example.net/" || len(f.Posts) != 2 {
		t.Fatalf("Parse(feed.json) = %q, %q, %d posts; want \"JSON di prova\", https://json.example.net/, 2",
			f.Title, f.Link, len(f.Posts))
	}
	p := f.Posts[0]
	want := Post{
		Key:         "guid:https://json.example.net/1",
		GUID:        "https://json.example.net/1",
		Link:        "https://json.example.net/1",
		LinkKey:     "https://json.example.net/1",
		Title:       "Primo Bcc: spam@example.com",
		Author:      "Luca Neri",
		Published:   date("2026-06-01T08:00:00Z"),
		Excerpt:     "Ciao noi.",
		ContentHTML: `<p>Ciao <a href="https://json.example.net/chi-siamo" rel="noopener">noi</a>.</p>`,
		ImageURL:    "https://json.example.net/img/primo.jpg",
		Categories:  []string{"Go", "Email"},
		FeedTitle:   "JSON di prova",
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("Parse(feed.json) post 0 =\n%+v\nwant\n%+v", p, want)
	}

	// content_text is plain text: escaped, paragraphs kept. The date lacks
	// seconds and a zone, which gofeed does not read but Parse does.
	p = f.Posts[1]
	wantHTML := `<p>Prima riga &lt;non un tag&gt;.<br>Seconda riga.</p><p>Nuovo paragrafo &amp; fine.</p>`
	if p.ContentHTML != wantHTML || p.Excerpt != "Prima riga <non un tag>. Seconda riga. Nuovo paragrafo & fine." {
		t.Errorf("Parse(feed.json) post 1 = %q, %q; want %q and its text", p.ContentHTML, p.Excerpt, wantHTML)
	}
	if want := date("2026-06-02T10:00:00Z"); !p.Published.Equal(want) || !p.Updated.Equal(want) {
		t.Errorf("Parse(feed.json) post 1 published, updated = %v, %v; want %v", p.Published, p.Updated, want)
	}
}

func TestParseOlderRSS(t *testing.T) {
	tests := []struct {
		file, title, key string
		published        time.Time
	}{
		{"rss1.rdf", "Uno", "link:https://rdf.example.org/uno", date("2026-05-01T12:00:00Z")},
		{"rss091.xml", "Vecchio post", "link:https://old.example.org/vecchio", time.Time{}},
	}
	for _, tt := range tests {
		f := parseFixture(t, tt.file, "", "")
		if len(f.Posts) != 1 {
			t.Fatalf("Parse(%s) = %d posts; want 1", tt.file, len(f.Posts))
		}
		p := f.Posts[0]
		if p.Title != tt.title || p.Key != tt.key || !p.Published.Equal(tt.published) {
			t.Errorf("Parse(%s) = %q, %q, %v; want %q, %q, %v", tt.file, p.Title, p.Key, p.Published, tt.title, tt.key, tt.published)
		}
	}
}

func TestParseEncodings(t *testing.T) {
	tests := []struct {
		file, want string
	}{
		{"enc-iso-8859-1.xml", "Perché è così: caffè e più"},
		{"enc-windows-1255.xml", "שלום עולם"},
		{"enc-koi8-r.xml", "Привет, мир"},
		{"enc-big5.xml", "中文測試"},
		{"enc-gb2312.xml", "简体中文测试"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f := parseFixture(t, tt.file, "", "")
			if f.Title != tt.want || len(f.Posts) != 1 || f.Posts[0].Title != tt.want || f.Posts[0].Excerpt != tt.want {
				t.Fatalf("Parse(%s) = %q with %d posts; want %q everywhere", tt.file, f.Title, len(f.Posts), tt.want)
			}
			if want := "<p>" + tt.want + "</p>"; f.Posts[0].ContentHTML != want {
				t.Errorf("Parse(%s) ContentHTML = %q; want %q", tt.file, f.Posts[0].ContentHTML, want)
			}
		})
	}
}

// stripDecl removes the XML declaration, leaving the encoding unstated.
func stripDecl(b []byte) []byte {
	if i := bytes.Index(b, []byte("?>")); bytes.HasPrefix(b, []byte("<?xml")) && i > 0 {
		return b[i+2:]
	}
	return b
}

func TestParseCharsetSources(t *testing.T) {
	koi8 := readFixture(t, "enc-koi8-r.xml")
	latin1 := readFixture(t, "enc-iso-8859-1.xml")
	utf8Doc := []byte(`<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>Perché</title></channel></rss>`)
	utf16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes(
		[]byte(`<?xml version="1.0" encoding="UTF-16"?><rss version="2.0"><channel><title>Perché</title></channel></rss>`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		body        []byte
		contentType string
		want        string
	}{
		{"header charset, no declaration", stripDecl(koi8), "application/rss+xml; charset=KOI8-R", "Привет, мир"},
		{"quoted header charset", stripDecl(latin1), `text/xml; charset="iso-8859-1"`, "Perché è così: caffè e più"},
		{"declaration beats header", koi8, "text/xml; charset=windows-1252", "Привет, мир"},
		// Servers often label UTF-8 as ISO-8859-1; valid UTF-8 is taken as such.
		{"valid UTF-8 beats header", stripDecl(utf8Doc), "text/xml; charset=ISO-8859-1", "Perché"},
		{"valid UTF-8 beats declaration", utf8Doc, "", "Perché"},
		{"UTF-8 BOM", append([]byte{0xEF, 0xBB, 0xBF}, utf8Doc...), "", "Perché"},
		{"UTF-16 with BOM", utf16, "", "Perché"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse(tt.body, tt.contentType, "", now)
			if err != nil {
				t.Fatalf("Parse(%s, %q) error = %v; want nil", tt.name, tt.contentType, err)
			}
			if f.Title != tt.want {
				t.Errorf("Parse(%s, %q) title = %q; want %q", tt.name, tt.contentType, f.Title, tt.want)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	tests := []struct {
		name, body, contentType, want string
	}{
		{"empty", "", "", "not a feed: the document is empty"},
		{"white space", " \r\n\t ", "", "not a feed: the document is empty"},
		{"only a comment", "<?xml version=\"1.0\"?>\n<!-- nothing -->\n", "", "not a feed: the document holds no elements"},
		{"web page", "<!DOCTYPE html><html><head><title>Blog</title></head><body>Ciao</body></html>", "text/html",
			"not a feed: this is a web page (HTML), not RSS, Atom or JSON Feed"},
		{"web page with feed link", `<html><head><link rel="alternate" type="application/rss+xml" href="https://b.it/feed"></head></html>`, "",
			"not a feed: this is a web page (HTML), not RSS, Atom or JSON Feed; the page links to a feed at https://b.it/feed"},
		{"HTML fragment", `<div class="x"><p>Ciao</p></div>`, "", "not a feed: this is a web page (HTML)"},
		{"other XML", `<?xml version="1.0"?><catalog><book/></catalog>`, "", "not a feed: the document is XML whose root element is <catalog>"},
		{"plain text", "feeds-file: ./feeds.yml\n", "", `not a feed: it is neither XML (RSS, Atom) nor JSON Feed; it starts with "feeds-file: ./feeds.yml"`},
		{"truncated XML", "<rss version=\"2.0\">\n<channel>\n<title>x</title>", "", "not a feed: the XML ends too early, on line 3"},
		{"broken XML", "<rss version=\"2.0\"><channel><title><![CD\n</channel></rss>", "", "not a feed: the XML is broken on line 2: invalid <![ sequence"},
		{"truncated JSON", "{\"version\": \"https://jsonfeed.org/version/1.1\",\n\"title\": \"x", "", "not a feed: the JSON ends too early, on line 2"},
		{"JSON cut inside a string", "{\"version\": \"https://jsonfeed.org/version/1.1\",\n\"title\": \"x\n", "", "not a feed: the JSON ends too early, on line 2"},
		{"line break in a JSON string", "{\"title\": \"x\ny\", \"items\": []}", "", "not a feed: the JSON is broken on line 1: a line break or control character inside a quoted text"},
		{"broken JSON", "{\"title\": \"x\",, \"items\": []}", "", "not a feed: the JSON is broken on line 1: invalid character ','"},
		{"JSON that is not a JSON Feed", `{"rss": {"channel": {"title": "x"}}}`, "", "not a feed: this JSON is not a JSON Feed"},
		{"not UTF-8, no encoding", "<rss version=\"2.0\">\n<channel><title>caff\xe8</title></channel></rss>", "",
			"not a feed: the text is not UTF-8 (see line 2) and does not say which encoding it uses"},
		{"unknown encoding", "<?xml version=\"1.0\" encoding=\"x-klingon\"?><rss><channel><title>\xe8</title></channel></rss>", "",
			`not a feed: the XML declaration names an unknown text encoding "x-klingon"`},
		{"declared UTF-8, is not", "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\n<rss><channel><title>\xe8</title></channel></rss>", "",
			"not a feed: the XML declaration says the text is UTF-8, but line 3 is not valid UTF-8"},
		{"header says UTF-8, is not", "<rss><channel><title>\xe8</title></channel></rss>", "text/xml; charset=utf-8",
			"not a feed: the Content-Type header says the text is UTF-8, but line 1 is not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse([]byte(tt.body), tt.contentType, "", now)
			if err == nil {
				t.Fatalf("Parse(%q) = %d posts, nil error; want error %q", tt.body, len(f.Posts), tt.want)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, tt.want) || strings.ContainsAny(msg, "\r\n") {
				t.Errorf("Parse(%q) error = %q; want one line starting %q", tt.body, msg, tt.want)
			}
		})
	}
}

// rssDoc wraps items in a minimal RSS 2.0 document.
func rssDoc(items ...string) []byte {
	return []byte(`<rss version="2.0"><channel><title>T</title><link>https://b.it/</link>` +
		strings.Join(items, "") + `</channel></rss>`)
}

func TestParseKeys(t *testing.T) {
	tests := []struct {
		name  string
		items []string
		want  []string
	}{
		{"guid", []string{`<item><guid>abc-1</guid><link>https://b.it/a</link></item>`}, []string{"guid:abc-1"}},
		{"guid trimmed", []string{"<item><guid>\n  abc-1 \n</guid><title>T</title></item>"}, []string{"guid:abc-1"}},
		{"nothing to show is dropped", []string{"<item><guid>only-a-guid</guid></item>", "<item></item>"}, nil},
		{"link when no guid", []string{`<item><link>HTTPS://B.it/a/?utm_source=x#top</link></item>`}, []string{"link:https://b.it/a"}},
		{"relative link resolved", []string{`<item><link>/a/</link></item>`}, []string{"link:https://b.it/a"}},
		{"permalink guid is the link", []string{`<item><guid>https://b.it/p/1</guid></item>`}, []string{"guid:https://b.it/p/1"}},
		{"hash when neither", []string{`<item><title>Ciao</title><description>Testo</description></item>`},
			[]string{"hash:" + sha("Ciao", "Testo")}},
		{"shared guid falls back", []string{
			`<item><guid>same</guid><link>https://b.it/1</link></item>`,
			`<item><guid>same</guid><link>https://b.it/2</link></item>`,
		}, []string{"link:https://b.it/1", "link:https://b.it/2"}},
		{"same post twice is kept once", []string{
			`<item><link>https://b.it/1</link><title>A</title></item>`,
			`<item><link>https://b.it/1/</link><title>A</title></item>`,
		}, []string{"link:https://b.it/1"}},
		// Two different posts behind one guid and one link (Scripting News
		// does this): neither identifies them, the content does.
		{"shared guid and link, different posts", []string{
			`<item><guid>https://b.it/d.html#a1</guid><link>https://b.it/d.html#a1</link><title>A</title></item>`,
			`<item><guid>https://b.it/d.html#a1</guid><link>https://b.it/d.html#a1</link><title>B</title></item>`,
		}, []string{"hash:" + sha("A", ""), "hash:" + sha("B", "")}},
		// Posts addressed by fragment share a link once it is normalised:
		// there the fragment is what tells them apart, so it stays.
		{"fragment-addressed posts", []string{
			`<item><link>https://b.it/d.html#a1</link><title>A</title></item>`,
			`<item><link>https://b.it/d.html#a2</link><title>B</title></item>`,
		}, []string{"link:https://b.it/d.html#a1", "link:https://b.it/d.html#a2"}},
		{"fragment-addressed posts beside the page itself", []string{
			`<item><link>https://b.it/d.html</link><title>Day</title></item>`,
			`<item><link>https://b.it/d.html#a1</link><title>A</title></item>`,
			`<item><link>https://b.it/d.html#a1</link><title>A</title></item>`,
		}, []string{"link:https://b.it/d.html", "link:https://b.it/d.html#a1"}},
		{"distinct guids, fragment-only link differences", []string{
			`<item><guid>g1</guid><link>https://b.it/d.html#a1</link><title>A</title></item>`,
			`<item><guid>g2</guid><link>https://b.it/d.html#a2</link><title>B</title></item>`,
			`<item><guid>g3</guid><link>https://b.it/d.html</link><title>C</title></item>`,
			`<item><guid>g4</guid><link>https://b.it/d.html#a2</link><title>D</title></item>`,
		}, []string{"guid:g1", "guid:g2", "guid:g3", "guid:g4"}},
		{"javascript link is no link", []string{`<item><link>javascript:alert(1)</link><title>X</title></item>`},
			[]string{"hash:" + sha("X", "")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse(rssDoc(tt.items...), "", "", now)
			if err != nil {
				t.Fatalf("Parse(%q) error = %v", tt.items, err)
			}
			var got []string
			for _, p := range f.Posts {
				got = append(got, p.Key)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q) keys = %q; want %q", tt.items, got, tt.want)
			}
		})
	}
}

func TestParseTitles(t *testing.T) {
	tests := []struct {
		name, title, want string
	}{
		{"escaped ampersand", `<title>Tom &amp; Jerry</title>`, "Tom & Jerry"},
		{"double escape stays single", `<title>AT&amp;amp;T</title>`, "AT&amp;T"},
		{"CDATA decoded once", `<title><![CDATA[Tom &amp; Jerry]]></title>`, "Tom & Jerry"},
		{"CDATA with markup", `<title><![CDATA[<b>Grassetto</b> &#8220;qui&#8221;]]></title>`, "Grassetto “qui”"},
		{"escaped markup", `<title>&lt;em&gt;Perché&lt;/em&gt; no?</title>`, "Perché no?"},
		{"escaped script", `<title>&lt;script&gt;alert(1)&lt;/script&gt;Ciao</title>`, "Ciao"},
		{"CR LF", `<title>Riga&#13;&#10;Bcc: spam@example.com</title>`, "Riga Bcc: spam@example.com"},
		{"C1 control and line separator", "<title>a\u0080b&#x2028;c</title>", "ab c"},
		{"raw control bytes", "<title>a\x01b\x1bc</title>", "abc"},
		{"white space", "<title>\n   tanto    spazio \t </title>", "tanto spazio"},
		{"less-than in prose", `<title>x &lt; y</title>`, "x < y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse(rssDoc(`<item><guid>g</guid>`+tt.title+`</item>`), "", "", now)
			if err != nil {
				t.Fatalf("Parse(%q) error = %v", tt.title, err)
			}
			if got := f.Posts[0].Title; got != tt.want {
				t.Errorf("Parse(%q) title = %q; want %q", tt.title, got, tt.want)
			}
		})
	}
}

func TestParseDates(t *testing.T) {
	tests := []struct {
		name, elems        string
		published, updated time.Time
	}{
		{"pubDate in UTC", `<pubDate>Fri, 05 Jun 2026 09:00:00 +0200</pubDate>`, date("2026-06-05T07:00:00Z"), time.Time{}},
		{"updated only", `<atom:updated xmlns:atom="http://www.w3.org/2005/Atom">2026-06-01T10:00:00Z</atom:updated>`,
			date("2026-06-01T10:00:00Z"), date("2026-06-01T10:00:00Z")},
		{"date only", `<pubDate>2026-06-01</pubDate>`, date("2026-06-01T00:00:00Z"), time.Time{}},
		{"none", ``, time.Time{}, time.Time{}},
		{"garbage", `<pubDate>il giorno dopo</pubDate>`, time.Time{}, time.Time{}},
		{"within a day ahead", `<pubDate>Sat, 06 Jun 2026 09:00:00 +0000</pubDate>`, date("2026-06-06T09:00:00Z"), time.Time{}},
		// A scheduled post keeps its date: the digest holds it back until then.
		{"next month", `<pubDate>Mon, 06 Jul 2026 09:00:00 +0000</pubDate>`, date("2026-07-06T09:00:00Z"), time.Time{}},
		{"far future", `<pubDate>Sat, 01 Jan 2050 10:00:00 +0000</pubDate>`, time.Time{}, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse(rssDoc(`<item><guid>g</guid><title>T</title>`+tt.elems+`</item>`), "", "", now)
			if err != nil {
				t.Fatalf("Parse(%q) error = %v", tt.elems, err)
			}
			p := f.Posts[0]
			if !p.Published.Equal(tt.published) || !p.Updated.Equal(tt.updated) || p.Published.Location() != time.UTC {
				t.Errorf("Parse(%q) published, updated = %v, %v; want %v, %v (UTC)", tt.elems, p.Published, p.Updated, tt.published, tt.updated)
			}
		})
	}
}

func TestParseBaseURL(t *testing.T) {
	// No <link> in the channel: relative item links resolve against baseURL.
	doc := []byte(`<rss version="2.0"><channel><title>T</title>` +
		`<item><link>posts/1</link><description>&lt;a href="../chi"&gt;chi&lt;/a&gt;</description></item></channel></rss>`)
	f, err := Parse(doc, "", "https://b.it/blog/feed.xml", now)
	if err != nil {
		t.Fatal(err)
	}
	p := f.Posts[0]
	if p.Link != "https://b.it/blog/posts/1" || p.ContentHTML != `<a href="https://b.it/blog/chi" rel="noopener">chi</a>` {
		t.Errorf("Parse(relative links, base) = %q, %q; want https://b.it/blog/posts/1 and an absolute href", p.Link, p.ContentHTML)
	}
}

func TestParseExcerptOfLongPost(t *testing.T) {
	para := "Perché è così difficile trovare un caffè decente all'aeroporto? Però la qualità è migliorata. "
	full := strings.TrimSpace(strings.Repeat(para, 20))
	doc := rssDoc(`<item><guid>g</guid><description>&lt;p&gt;` + strings.Repeat(para, 10) +
		`&lt;/p&gt;&lt;script&gt;x&lt;/script&gt;&lt;p&gt;` + strings.Repeat(para, 10) + `&lt;/p&gt;</description></item>`)
	f, err := Parse(doc, "", "", now)
	if err != nil {
		t.Fatal(err)
	}
	got := f.Posts[0].Excerpt
	head, cut := strings.CutSuffix(got, "…")
	if n := utf8.RuneCountInString(got); !cut || n > ExcerptLength || n < ExcerptLength-20 {
		t.Fatalf("Parse(long post) excerpt = %q (%d runes); want about %d runes ending in …", got, n, ExcerptLength)
	}
	if !strings.HasPrefix(full, head) || !strings.ContainsRune(" ?.", rune(full[len(head)])) {
		t.Errorf("Parse(long post) excerpt = %q; want a prefix of the text cut between words", got)
	}
}

func TestParseJSONNulls(t *testing.T) {
	// gofeed's translator dereferences null list entries; Parse drops them.
	tests := []struct {
		name, doc string
		titles    []string
		author    string
	}{
		{"null item", `{"version":"https://jsonfeed.org/version/1.1","items":[null,{"id":"1","title":"Uno"}]}`, []string{"Uno"}, ""},
		{"null feed author", `{"version":"https://jsonfeed.org/version/1.1","authors":[null,{"name":"Ada"}],"items":[{"id":"1","title":"Uno"}]}`, []string{"Uno"}, "Ada"},
		{"null item author", `{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1","title":"Uno","authors":[null,{"name":"Bea"}]}]}`, []string{"Uno"}, "Bea"},
		{"null items", `{"version":"https://jsonfeed.org/version/1.1","title":"T","items":null}`, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse([]byte(tt.doc), "application/feed+json", "", now)
			if err != nil {
				t.Fatalf("Parse(%s) error = %v; want nil", tt.doc, err)
			}
			var titles []string
			for _, p := range f.Posts {
				titles = append(titles, p.Title)
				if p.Author != tt.author {
					t.Errorf("Parse(%s) author = %q; want %q", tt.doc, p.Author, tt.author)
				}
			}
			if !reflect.DeepEqual(titles, tt.titles) {
				t.Errorf("Parse(%s) titles = %q; want %q", tt.doc, titles, tt.titles)
			}
		})
	}
}

// A JSON Feed field holding the wrong kind of value is ignored, with a
// warning naming the item and the field; the rest of the feed is read.
func TestParseJSONWrongTypes(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("testdata", "json-wrong-types.json"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse(body, "application/feed+json", "", now)
	if err != nil {
		t.Fatalf("Parse(json-wrong-types.json) error = %v; want the feed read", err)
	}
	var titles []string
	for _, p := range f.Posts {
		titles = append(titles, p.Title)
	}
	if want := []string{"Tag come testo", "Autori sbagliati", "Tutto giusto"}; !reflect.DeepEqual(titles, want) {
		t.Errorf("Parse(json-wrong-types.json) titles = %q; want %q", titles, want)
	}
	if got := f.Posts[1].Excerpt; got != "Autori in un numero." {
		t.Errorf("Parse(json-wrong-types.json) post 2 excerpt = %q; want the content_text", got)
	}
	if got := f.Posts[2].Categories; !reflect.DeepEqual(got, []string{"ok"}) {
		t.Errorf("Parse(json-wrong-types.json) post 3 categories = %q; want [ok]", got)
	}
	want := []string{
		`the feed's "authors" is text where a list belongs; ignored`,
		`2 items (item 1 ("uno"), item 2 ("due")): "tags" is text where a list belongs; ignored`,
		`item 2 ("due"): "authors" is a number where a list belongs; ignored`,
		`item 3 is text where an object belongs; ignored`,
	}
	if !reflect.DeepEqual(f.Warnings, want) {
		t.Errorf("Parse(json-wrong-types.json) warnings =\n%s\nwant\n%s", strings.Join(f.Warnings, "\n"), strings.Join(want, "\n"))
	}

	small := `{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "a", "title": "A", "tags": "go"}]}`
	if f, err := Parse([]byte(small), "", "", now); err != nil || len(f.Posts) != 1 ||
		!reflect.DeepEqual(f.Warnings, []string{`item 1 ("a"): "tags" is text where a list belongs; ignored`}) {
		t.Errorf("Parse(%s) = %+v, %v; want one post and a warning about tags", small, f, err)
	}
	if f, _ := Parse([]byte(`{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "a", "title": "A"}]}`), "", "", now); f.Warnings != nil {
		t.Errorf("Parse(well-typed JSON Feed) warnings = %q; want none", f.Warnings)
	}
}

// A JSON Feed title is plain text: tag-like words stay, character
// references that publishers write anyway are decoded.
func TestParseJSONTitlesAreText(t *testing.T) {
	body := `{"version": "https://jsonfeed.org/version/1.1", "title": "Tags &amp; <b>testo</b>", "items": [
		{"id": "1", "title": "Die Rückkehr von <i> und <b>"},
		{"id": "2", "title": "Add Task &amp; Sub Tasks, I&#039;m &lt;here&gt;"},
		{"id": "3", "title": "Riga\r\nBcc: x@example.com"}]}`
	f, err := Parse([]byte(body), "", "", now)
	if err != nil {
		t.Fatal(err)
	}
	if f.Title != "Tags & <b>testo</b>" {
		t.Errorf("Parse(JSON Feed) title = %q; want %q", f.Title, "Tags & <b>testo</b>")
	}
	want := []string{"Die Rückkehr von <i> und <b>", "Add Task & Sub Tasks, I'm <here>", "Riga Bcc: x@example.com"}
	for i, p := range f.Posts {
		if p.Title != want[i] {
			t.Errorf("Parse(JSON Feed) post %d title = %q; want %q", i+1, p.Title, want[i])
		}
	}
}

// YouTube's Atom keeps a video's text in media:description, inside
// media:group: with nothing richer, it is the excerpt and the content.
func TestParseMediaDescription(t *testing.T) {
	body := `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/" xmlns:yt="http://www.youtube.com/xml/schemas/2015">
<title>Canale</title><link rel="alternate" href="https://www.youtube.com/channel/x"/>
<entry><id>yt:video:1</id><title>Video uno</title><link rel="alternate" href="https://www.youtube.com/watch?v=1"/>
 <updated>2026-11-30T10:00:00+00:00</updated>
 <media:group><media:title>Video uno</media:title>
  <media:thumbnail url="https://i.ytimg.com/vi/1/hqdefault.jpg" width="480" height="360"/>
  <media:description>Prima riga &lt;b&gt;non grassetto&lt;/b&gt;.

Secondo paragrafo.</media:description></media:group></entry>
<entry><id>yt:video:2</id><title>Video due</title><link rel="alternate" href="https://www.youtube.com/watch?v=2"/>
 <summary>Il riassunto vince.</summary>
 <media:group><media:description>Non questa.</media:description></media:group></entry>
<entry><id>yt:video:3</id><title>Video tre</title><link rel="alternate" href="https://www.youtube.com/watch?v=3"/>
 <media:description type="html">&lt;p&gt;In &lt;em&gt;HTML&lt;/em&gt;&lt;/p&gt;&lt;script&gt;x()&lt;/script&gt;</media:description></entry>
</feed>`
	f, err := Parse([]byte(body), "", "", now)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ excerpt, html string }{
		{"Prima riga <b>non grassetto</b>. Secondo paragrafo.", "<p>Prima riga &lt;b&gt;non grassetto&lt;/b&gt;.</p><p>Secondo paragrafo.</p>"},
		{"Il riassunto vince.", "Il riassunto vince."},
		{"In HTML", "<p>In <em>HTML</em></p>"},
	}
	if len(f.Posts) != len(want) {
		t.Fatalf("Parse(YouTube Atom) = %d posts; want %d", len(f.Posts), len(want))
	}
	for i, w := range want {
		if p := f.Posts[i]; p.Excerpt != w.excerpt || p.ContentHTML != w.html {
			t.Errorf("Parse(YouTube Atom) post %d = %q, %q; want %q, %q", i+1, p.Excerpt, p.ContentHTML, w.excerpt, w.html)
		}
	}
	if got := f.Posts[0].ImageURL; got != "https://i.ytimg.com/vi/1/hqdefault.jpg" {
		t.Errorf("Parse(YouTube Atom) post 1 image = %q; want the thumbnail", got)
	}
}

// Several RSS <author> elements are all kept, joined in document order.
func TestParseSeveralRSSAuthors(t *testing.T) {
	f, err := Parse(rssDoc(
		`<item><guid>1</guid><title>A</title><author>anna@example.it (Anna Blu)</author><author>Bruno Verdi</author><author xmlns:author="http://www.w3.org/2005/Atom"><name>Carla Neri</name><title>Redattrice</title></author></item>`,
		`<item><guid>2</guid><title>B</title><author>Dario Rossi</author></item>`,
		`<item><guid>3</guid><title>C</title></item>`,
	), "", "", now)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Anna Blu, Bruno Verdi, Carla Neri", "Dario Rossi", ""}
	for i, p := range f.Posts {
		if p.Author != want[i] {
			t.Errorf("Parse(several authors) post %d author = %q; want %q", i+1, p.Author, want[i])
		}
	}
}
