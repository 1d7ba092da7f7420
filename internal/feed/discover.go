package feed

import (
	"cmp"
	"github.com/venerdi/venerdi/internal/plaintext"

	"bytes"
	"errors"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// Discovery is what a blog's home page says about itself: the values
// `venerdi init --blog URL` proposes for site.title, site.url and
// sources.feeds. See Discover.
type Discovery struct {
	// Title is the site's name, plain text on one line, at most
	// DiscoverTitleLength characters; "" when the page names none. It is
	// og:site_name, else <meta name="application-name">, else the page's
	// <title> cut at its first separator (" – ", " | ", " - ", " » ", …),
	// since a home page's title is "Name – Tagline"; leading parts such as
	// "Home" or "Benvenuti" are skipped ("Home | Name" gives "Name").
	Title string
	// URL is the page's canonical address, absolute http(s) without a
	// fragment: <link rel="canonical">, else og:url, each only when it is
	// on the page's own host (a "www." prefix aside, so the canonical
	// https://www.example.it/ of a page fetched as https://example.it/
	// counts), else the page URL. "" when none of them is an http(s) URL.
	URL string
	// Language is the primary subtag of <html lang> (lang="it-IT" gives
	// "it"), else of og:locale ("it_IT"), lower-case; "" when absent.
	Language string
	// Feeds are the feeds the page advertises, main feeds first and
	// comments feeds after them, each group in document order; nil when
	// there are none.
	Feeds []FeedLink
}

// FeedLink is one feed a page advertises (or, when Guessed, one it
// probably has).
type FeedLink struct {
	URL   string // absolute http(s), resolved against <base href> or the page URL; no fragment
	Title string // the link's title attribute, plain text on one line; may be ""
	// Type is the media type, lower-case and without parameters:
	// "application/rss+xml", "application/atom+xml",
	// "application/feed+json" or "application/json".
	Type string
	// Comments marks a feed of comments rather than of posts: WordPress's
	// "Comments Feed" ("Feed dei commenti"), a URL with /comments/feed in
	// its path, or ?feed=comments-rss2.
	Comments bool
	// Guessed marks a feed the page does not advertise: WordPress's
	// conventional <home>/feed/, offered because the page shows signs of
	// WordPress but links to no feed of posts. Fetch it before trusting it.
	Guessed bool
}

// DiscoverTitleLength is the longest Discovery.Title and FeedLink.Title, in
// characters; a longer one is cut with "…".
const DiscoverTitleLength = 200

// Media types of the feeds Discover reports.
const (
	typeRSS      = "application/rss+xml"
	typeAtom     = "application/atom+xml"
	typeJSONFeed = "application/feed+json"
	typeJSON     = "application/json"
)

// headTokenLimit bounds the tokens Discover reads: it stops at </head> or
// <body>, and this is for pages that have neither.
const headTokenLimit = 20000

// Discover reads what a web page says about the site it belongs to: its
// name, its canonical address, its language and the feeds it links to with
// <link rel="alternate">. body is the page as fetched, contentType the
// Content-Type it was served with ("" for a file) and pageURL the address it
// came from, after redirects. When pageURL is not an absolute http(s) URL,
// relative links are dropped and URL comes from the page's canonical link
// or og:url alone.
//
// Text is converted to UTF-8 first. A byte-order mark decides; else a body
// that is valid UTF-8 is taken as UTF-8 whatever it is labelled (servers
// routinely label UTF-8 pages ISO-8859-1); else the first legacy encoding
// named by the page's <meta charset> or <meta http-equiv="Content-Type">,
// its XML declaration or the Content-Type header, in that order (the page's
// own word before the server's default), else windows-1252, as browsers do.
// Only the head of the page is read: Discover stops at </head> or <body>.
//
// A body that is itself a feed (RSS, Atom or JSON Feed) is not an error: a
// user who gives the feed's address instead of the blog's gets a Discovery
// whose Feeds is pageURL alone, with the feed's title, its link as URL
// (else the root of pageURL) and its language; Feeds is nil when pageURL
// is not an http(s) URL.
//
// Discover returns an error, one line starting "not a web page: ", only for
// a body that is neither HTML nor a readable feed: empty, plain text, JSON
// or XML of another kind, or a feed too broken to read. Discover never
// panics.
func Discover(body []byte, contentType, pageURL string) (*Discovery, error) {
	page := parseBase(nil, pageURL)
	text := body
	switch {
	case bytes.HasPrefix(body, utf8BOM):
		text = body[len(utf8BOM):]
	case bytes.HasPrefix(body, []byte{0xFE, 0xFF}), bytes.HasPrefix(body, []byte{0xFF, 0xFE}):
		out, err := unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder().Bytes(body)
		if err != nil {
			return nil, notWebPage("the text starts like UTF-16 but cannot be read as UTF-16")
		}
		text = out
	}

	trimmed := bytes.TrimLeft(text, " \t\r\n\f")
	if len(trimmed) == 0 {
		return nil, notWebPage("the document is empty")
	}
	if trimmed[0] == '{' || trimmed[0] == '[' {
		return discoverFeed(text, contentType, page, true)
	}

	h := scanHead(text)
	switch {
	case h.feedRoot:
		return discoverFeed(text, contentType, page, false)
	case !h.html && h.root != "":
		return nil, notWebPage("the document is XML whose root element is <%s>, neither a web page nor a feed", h.root)
	case !h.html:
		return nil, notWebPage("there is no HTML in it; it starts with %q", startOf(trimmed))
	}
	if !utf8.Valid(text) {
		text = decodeHTML(text, contentType, h.charsets)
		h = scanHead(text)
	}
	return h.discovery(page), nil
}

// notWebPage is the error Discover gives for a body it cannot use: one line,
// so that a message quoting the document cannot break a log or a terminal.
func notWebPage(format string, args ...any) error {
	return errors.New("not a web page: " + plaintext.Line(fmt.Sprintf(format, args...)))
}

// discoverFeed is Discover for a body that is (or looks like) a feed.
func discoverFeed(body []byte, contentType string, page *url.URL, isJSON bool) (d *Discovery, err error) {
	defer func() {
		// gofeed is outside code reading hostile input: a bug in it must
		// cost one init, not crash it.
		if r := recover(); r != nil {
			d, err = nil, notWebPage("it looks like a feed, but it could not be read (internal parser failure: %v)", r)
		}
	}()
	text, err := toUTF8(body, contentType)
	if err != nil {
		return nil, unreadableFeed(err, isJSON)
	}
	gf, orig, _, err := readDocument(text)
	if err != nil {
		return nil, unreadableFeed(explain(err, text), isJSON)
	}
	title := (&converter{body: text}).feedTitle(gf, orig) // as Parse reads it
	return feedDiscovery(title, gf.Link, gf.Language, gf.FeedType, page), nil
}

// unreadableFeed turns Parse's error for a feed into Discover's.
func unreadableFeed(err error, isJSON bool) error {
	msg := err.Error()
	var nf *notFeedError
	if errors.As(err, &nf) {
		msg = nf.msg
	}
	if isJSON {
		return notWebPage("%s", msg)
	}
	return notWebPage("it looks like a feed, but %s", msg)
}

// feedDiscovery builds the Discovery of a feed document served at page,
// from the feed's title (plain text), link, language and gofeed type.
func feedDiscovery(title, link, language, feedType string, page *url.URL) *Discovery {
	d := &Discovery{
		Title:    plaintext.Excerpt(title, DiscoverTitleLength),
		Language: primaryLanguage(language),
	}
	d.URL = absoluteURL(page, link)
	if page == nil {
		return d
	}
	if d.URL == "" {
		d.URL = (&url.URL{Scheme: page.Scheme, Host: page.Host, Path: "/"}).String()
	}
	typ := typeRSS
	switch feedType {
	case "atom":
		typ = typeAtom
	case "json":
		typ = typeJSONFeed
	}
	d.Feeds = []FeedLink{{URL: absoluteURL(nil, page.String()), Title: d.Title, Type: typ}}
	return d
}

// pageHead is what scanHead finds in a page, raw: attribute values as written,
// nothing resolved or cleaned yet.
type pageHead struct {
	root     string // the first element, when it is neither HTML nor a feed
	html     bool   // an HTML doctype or an HTML element comes first
	feedRoot bool   // the first element is <rss>, <feed> or <rdf:RDF>

	lang, ogLocale    string
	baseHref          string
	title             string
	siteName, appName string
	canonical, ogURL  string
	charsets          []string // encodings the page's <meta> elements name, in order
	wordpress         bool
	wordpressAPI      string // href of <link rel="https://api.w.org/">
	feeds             []feedLinkTag
	hasBase, hasTitle bool
}

// feedLinkTag is a <link rel="alternate"> with a feed's media type.
type feedLinkTag struct{ href, title, typ string }

// scanHead reads the tokens of text up to </head>, <body> or
// headTokenLimit. It stops at the first element when that is not HTML.
func scanHead(text []byte) *pageHead {
	h := &pageHead{}
	z := html.NewTokenizer(bytes.NewReader(text))
	seenElement := false
	for range headTokenLimit {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return h
		case html.DoctypeToken:
			if d := strings.ToLower(strings.TrimSpace(string(z.Text()))); !seenElement && (d == "html" || strings.HasPrefix(d, "html ")) {
				h.html = true
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); atom.Lookup(name) == atom.Head {
				return h
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if !seenElement {
				seenElement = true
				if !h.html {
					switch tok.Data {
					case "rss", "feed", "rdf:rdf":
						h.feedRoot = true
						return h
					}
					if tok.DataAtom == 0 {
						h.root = tok.Data
						return h
					}
					h.html = true
				}
			}
			switch tok.DataAtom {
			case atom.Body:
				return h
			case atom.Html:
				if h.lang == "" {
					h.lang = cmp.Or(tokenAttr(tok, "lang"), tokenAttr(tok, "xml:lang"))
				}
			case atom.Base:
				if href, ok := tokenAttrOK(tok, "href"); ok && !h.hasBase {
					h.baseHref, h.hasBase = href, true
				}
			case atom.Title:
				// The tokenizer reads a title's content as one text token.
				if z.Next() == html.TextToken && !h.hasTitle {
					h.title, h.hasTitle = string(z.Text()), true
				}
			case atom.Meta:
				h.meta(tok)
			case atom.Link:
				h.link(tok)
			case atom.Script:
				if isWordPressAsset(tokenAttr(tok, "src")) {
					h.wordpress = true
				}
			}
		}
	}
	return h
}

func (h *pageHead) meta(tok html.Token) {
	if cs := tokenAttr(tok, "charset"); cs != "" {
		h.charsets = append(h.charsets, cs)
	}
	content := tokenAttr(tok, "content")
	if strings.EqualFold(strings.TrimSpace(tokenAttr(tok, "http-equiv")), "content-type") {
		if cs := contentCharset(content); cs != "" {
			h.charsets = append(h.charsets, cs)
		}
	}
	for _, key := range []string{tokenAttr(tok, "property"), tokenAttr(tok, "name")} {
		switch strings.ToLower(strings.TrimSpace(key)) {
		case "og:site_name":
			if strings.TrimSpace(h.siteName) == "" {
				h.siteName = content
			}
		case "application-name":
			if strings.TrimSpace(h.appName) == "" {
				h.appName = content
			}
		case "og:url":
			if h.ogURL == "" {
				h.ogURL = content
			}
		case "og:locale":
			if h.ogLocale == "" {
				h.ogLocale = content
			}
		case "generator":
			if g := strings.ToLower(strings.TrimSpace(content)); strings.HasPrefix(g, "wordpress") {
				h.wordpress = true
			}
		}
	}
}

func (h *pageHead) link(tok html.Token) {
	href := tokenAttr(tok, "href")
	if isWordPressAsset(href) {
		h.wordpress = true
	}
	if strings.TrimSpace(href) == "" {
		return
	}
	rels := strings.Fields(strings.ToLower(tokenAttr(tok, "rel")))
	if slices.Contains(rels, "canonical") && h.canonical == "" {
		h.canonical = href
	}
	if slices.Contains(rels, "https://api.w.org/") {
		h.wordpress = true
		if h.wordpressAPI == "" {
			h.wordpressAPI = href
		}
	}
	if slices.Contains(rels, "alternate") {
		typ := strings.ToLower(strings.TrimSpace(tokenAttr(tok, "type")))
		typ, _, _ = strings.Cut(typ, ";")
		switch typ = strings.TrimSpace(typ); typ {
		case typeRSS, typeAtom, typeJSONFeed, typeJSON:
			h.feeds = append(h.feeds, feedLinkTag{href: href, title: tokenAttr(tok, "title"), typ: typ})
		}
	}
}

// discovery resolves and cleans what scanHead found in a page served at
// page (nil when its address is unknown).
func (h *pageHead) discovery(page *url.URL) *Discovery {
	base := page
	if h.hasBase {
		if b := parseBase(page, h.baseHref); b != nil {
			base = b
		}
	}
	d := &Discovery{
		Title:    h.siteTitle(),
		Language: cmp.Or(primaryLanguage(h.lang), primaryLanguage(h.ogLocale)),
	}
	for _, ref := range []string{h.canonical, h.ogURL} {
		if u := absoluteURL(base, ref); u != "" && sameSite(u, page) {
			d.URL = u
			break
		}
	}
	if d.URL == "" && page != nil {
		d.URL = absoluteURL(nil, page.String())
	}

	var posts, comments []FeedLink
	seen := map[string]bool{}
	for _, f := range h.feeds {
		u := absoluteURL(base, f.href)
		if u == "" || (f.typ == typeJSON && isWordPressAPI(u)) {
			// WordPress links every page to its REST API representation
			// with rel="alternate" type="application/json": not a feed.
			continue
		}
		key := NormalizeLink(u)
		if seen[key] {
			continue
		}
		seen[key] = true
		link := FeedLink{URL: u, Title: plaintext.Excerpt(f.title, DiscoverTitleLength), Type: f.typ}
		if isCommentsFeed(link) {
			link.Comments = true
			comments = append(comments, link)
		} else {
			posts = append(posts, link)
		}
	}
	if len(posts) == 0 && h.wordpress {
		if u := h.wordpressFeed(base, d.URL); u != "" && !seen[NormalizeLink(u)] {
			posts = append(posts, FeedLink{URL: u, Type: typeRSS, Guessed: true})
		}
	}
	d.Feeds = append(posts, comments...)
	return d
}

// siteTitle picks the site's name among what the page says.
func (h *pageHead) siteTitle() string {
	for _, s := range []string{h.siteName, h.appName} {
		if s = plaintext.Line(s); s != "" {
			return plaintext.Excerpt(s, DiscoverTitleLength)
		}
	}
	return plaintext.Excerpt(titleName(plaintext.Line(h.title)), DiscoverTitleLength)
}

// titleSeparators split a page title into the site's name and its tagline
// (or the page's name): WordPress writes "Name – Tagline", wp_title
// "Name » Page", and many themes "Name | Tagline". Each is taken only with
// spaces around it, so "Rock-Shop" and "AT|T" stay whole.
var titleSeparators = []string{" – ", " — ", " | ", " - ", " · ", " • ", " » ", " « ", " :: ", " ~ "}

// genericTitles are title parts that name the page, not the site.
var genericTitles = map[string]bool{
	"home": true, "homepage": true, "home page": true, "start": true, "welcome": true,
	"benvenuti": true, "benvenuto": true, "benvenute": true, "inizio": true, "pagina iniziale": true,
}

// titleName returns the site's name from a page title on one line: the
// first of its parts that is not a generic one, or the whole title when no
// part is left.
func titleName(title string) string {
	marked := title
	for _, sep := range titleSeparators {
		// plaintext.Line has removed every control character: \x00 cannot be
		// in the title.
		marked = strings.ReplaceAll(marked, sep, "\x00")
	}
	for _, part := range strings.Split(marked, "\x00") {
		if part = strings.TrimSpace(part); part != "" && !genericTitles[strings.ToLower(part)] {
			return part
		}
	}
	return title
}

// wordpressFeed guesses the address of a WordPress site's main feed: the
// root of its REST API (<link rel="https://api.w.org/">) tells where the
// site lives and whether it uses pretty permalinks; failing that, the
// page's own address is taken as the home.
func (h *pageHead) wordpressFeed(base *url.URL, home string) string {
	if api := absoluteURL(base, h.wordpressAPI); api != "" {
		if u, err := url.Parse(api); err == nil {
			if strings.HasSuffix(u.Path, "/wp-json/") || strings.HasSuffix(u.Path, "/wp-json") {
				u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "wp-json") + "feed/"
				u.RawPath, u.RawQuery = "", ""
				return u.String()
			}
			if u.Query().Has("rest_route") {
				// Plain permalinks: the API is /?rest_route=/, the feed /?feed=rss2.
				u.RawQuery = "feed=rss2"
				return u.String()
			}
		}
	}
	u, err := url.Parse(home)
	if home == "" || err != nil {
		return ""
	}
	dir := u.Path
	if !strings.HasSuffix(dir, "/") {
		if last := path.Base(dir); strings.Contains(last, ".") {
			dir = strings.TrimSuffix(dir, last) // /index.php: the home is its folder
		} else {
			dir += "/"
		}
	}
	u.Path, u.RawPath, u.RawQuery = dir+"feed/", "", ""
	return u.String()
}

// isCommentsFeed reports whether f carries comments rather than posts, by
// WordPress's addresses and its titles in English and Italian.
func isCommentsFeed(f FeedLink) bool {
	if u, err := url.Parse(f.URL); err == nil {
		if strings.Contains(strings.ToLower(u.Path), "/comments/feed") ||
			strings.HasPrefix(strings.ToLower(u.Query().Get("feed")), "comments-") {
			return true
		}
	}
	t := strings.ToLower(f.Title)
	return strings.Contains(t, "comments feed") || strings.Contains(t, "comment feed") ||
		strings.Contains(t, "feed dei commenti") || strings.Contains(t, "feed commenti")
}

// isWordPressAPI reports whether u is an address of WordPress's REST API.
func isWordPressAPI(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (strings.Contains(p.Path, "/wp-json/") || strings.HasSuffix(p.Path, "/wp-json") || p.Query().Has("rest_route"))
}

// isWordPressAsset reports whether a link or script address is a file of a
// WordPress theme, plugin or core.
func isWordPressAsset(ref string) bool {
	return strings.Contains(ref, "/wp-content/") || strings.Contains(ref, "/wp-includes/")
}

// absoluteURL resolves ref against base and returns it without its
// fragment, or "" unless that is an absolute http(s) URL.
func absoluteURL(base *url.URL, ref string) string {
	s := webURL(base, ref)
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return ""
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}

// sameSite reports whether the absolute URL u is on page's host, ignoring
// a "www." prefix on either. Every URL is on the site of an unknown page.
func sameSite(u string, page *url.URL) bool {
	if page == nil {
		return true
	}
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	host := func(u *url.URL) string { return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.") }
	return host(p) == host(page)
}

// primaryLanguage returns the primary language subtag of a BCP 47 tag or a
// POSIX-style locale ("it-IT", "it_IT" give "it"), lower-case, or "" when s
// does not start with one.
func primaryLanguage(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "-_"); i >= 0 {
		s = s[:i]
	}
	if len(s) < 2 || len(s) > 3 {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return ""
		}
	}
	if s = strings.ToLower(s); s == "und" {
		return ""
	}
	return s
}

// decodeHTML converts a page that is not valid UTF-8 to UTF-8: by the first
// legacy encoding its <meta> elements (metaCharsets), its XML declaration or
// contentType name; by UTF-8, dropping the bad bytes, when only UTF-8 is
// named; by windows-1252 when nothing is.
func decodeHTML(text []byte, contentType string, metaCharsets []string) []byte {
	declared, _, _ := xmlDeclEncoding(text)
	labels := append(slices.Clone(metaCharsets), declared, headerCharset(contentType))
	saysUTF8 := false
	for _, label := range labels {
		enc, name := charset.Lookup(label)
		switch {
		case enc == nil:
			continue
		case name == "utf-8", strings.HasPrefix(name, "utf-16"):
			// A page whose markup reads as ASCII is not UTF-16, whatever
			// it says: browsers read it as UTF-8 too.
			saysUTF8 = true
			continue
		}
		if out, err := enc.NewDecoder().Bytes(text); err == nil {
			return out
		}
	}
	if saysUTF8 {
		return []byte(strings.ToValidUTF8(string(text), ""))
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(text)
	if err != nil {
		return []byte(strings.ToValidUTF8(string(text), ""))
	}
	return out
}

// contentCharset returns the charset named in the content of a
// <meta http-equiv="Content-Type">, found the way browsers find it: after
// "charset", optional spaces, "=", an optionally quoted value.
func contentCharset(content string) string {
	lower := strings.ToLower(content)
	for {
		i := strings.Index(lower, "charset")
		if i < 0 {
			return ""
		}
		lower, content = lower[i+len("charset"):], content[i+len("charset"):]
		rest := strings.TrimLeft(content, " \t\r\n\f")
		if !strings.HasPrefix(rest, "=") {
			continue
		}
		rest = strings.TrimLeft(rest[1:], " \t\r\n\f")
		if rest == "" {
			return ""
		}
		if q := rest[0]; q == '"' || q == '\'' {
			if end := strings.IndexByte(rest[1:], q); end >= 0 {
				return rest[1 : 1+end]
			}
			return ""
		}
		if end := strings.IndexAny(rest, " \t\r\n\f;"); end >= 0 {
			rest = rest[:end]
		}
		return rest
	}
}

// tokenAttr returns the value of tok's attribute key (lower-case), or "".
func tokenAttr(tok html.Token, key string) string {
	v, _ := tokenAttrOK(tok, key)
	return v
}

func tokenAttrOK(tok html.Token, key string) (string, bool) {
	for _, a := range tok.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}
