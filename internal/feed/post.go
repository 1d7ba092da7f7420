// Package feed turns a blog's RSS, Atom or JSON Feed document into clean,
// sanitised Posts ready for an email.
//
// Parsing is gofeed's; this package adds what an email needs on top: text
// converted to UTF-8 first, titles reduced to one line of plain text, HTML
// sanitised with a bluemonday policy built for mail clients, every URL made
// absolute, stable keys, and errors a person can act on. See Parse.
package feed

import "time"

// Post is one normalised entry of a feed.
type Post struct {
	// Key is the stable identity: "guid:<guid>", else "link:<LinkKey>", else
	// "hash:<hex sha256 of title and content>". A GUID (or link) that
	// several different entries of one document share identifies none of
	// them, and those entries step down to the next kind of key; where the
	// entries sharing a link differ in its #fragment, the link key keeps the
	// fragment ("link:<LinkKey>#<fragment>", see FragmentKey). The keys of
	// one Feed's posts are distinct.
	Key  string
	GUID string // as the feed gave it, trimmed; "" when none
	// Link is absolute (http or https, "" when the entry has none); LinkKey
	// is its normalised form (see NormalizeLink), used to recognise the same
	// post when its GUID changes.
	Link      string
	LinkKey   string
	Title     string    // plain text, one line, no control characters; may be ""
	Author    string    // plain text, one line; the feed's author when the entry names none
	Published time.Time // UTC; the entry's updated date when it has no published one; zero when neither, or when more than a day after "now"
	Updated   time.Time // UTC; zero when unknown
	Excerpt   string    // plain text of the content, at most ExcerptLength characters, cut on a word boundary with "…"
	// ContentHTML is content:encoded, Atom content or JSON content_html
	// (else the description or summary), sanitised for email: only absolute
	// http(s) URLs, no scripts, styles, frames, forms or event handlers.
	ContentHTML string
	ImageURL    string   // absolute, http(s) only; "" when none
	Categories  []string // plain text, without duplicates (case-insensitive)
	FeedTitle   string   // plain text, one line
}

// Feed is a parsed document.
type Feed struct {
	Title string // plain text, one line
	Link  string // the site's address, absolute http(s); "" when unknown
	Posts []Post // in document order; entries with no title, link or content are left out
	// Warnings say what was ignored to read the document (a JSON Feed
	// field holding the wrong kind of value), one line each, naming the
	// item and the field; nil when nothing was.
	Warnings []string
}
