package feed

import (
	"bytes"
	"html"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mmcdole/gofeed"
	jsonfeed "github.com/mmcdole/gofeed/json"
	"github.com/mmcdole/gofeed/rss"

	"github.com/venerdi/venerdi/internal/plaintext"
)

// Parse reads an RSS (0.9x, 1.0, 2.0), Atom or JSON Feed document into a
// Feed of clean Posts.
//
// contentType is the Content-Type the document was served with ("" for a
// file); its charset is used when the document does not declare one.
// baseURL is where the document came from: relative links are resolved
// against the post's link, then the feed's link, then baseURL. now is the
// current time; dates more than a day after it are treated as unknown.
//
// A document that is not a feed, or is too broken to read, is refused with
// an error whose one-line message starts "not a feed: " and says what is
// wrong in words a non-programmer can act on. Parse never panics.
func Parse(body []byte, contentType, baseURL string, now time.Time) (f *Feed, err error) {
	defer func() {
		// A last resort: a parser bug on hostile input must cost one
		// feed, not the whole run.
		if r := recover(); r != nil {
			f, err = nil, notFeed("the document could not be read (internal parser failure: %v)", r)
		}
	}()
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, notFeed("the document is empty")
	}
	body, err = toUTF8(body, contentType)
	if err != nil {
		return nil, err
	}
	gf, orig, warnings, err := readDocument(body)
	if err != nil {
		return nil, explain(err, body)
	}
	c := converter{body: body, now: now}
	f = c.feed(gf, orig, baseURL)
	f.Warnings = warnings
	return f, nil
}

// converter turns one gofeed.Feed into a Feed.
type converter struct {
	body []byte
	now  time.Time
	// cdata holds the short CDATA sections of body, built on first use
	// (posts are converted concurrently: see eachItem).
	cdataOnce sync.Once
	cdata     map[string]struct{}
}

// feedTitle is the feed's title as text: a JSON Feed's is text by the
// spec (tag-like words stay); an XML feed's is markup, its CDATA sections'
// entities decoded.
func (c *converter) feedTitle(gf *gofeed.Feed, orig any) string {
	if jf, ok := orig.(*jsonfeed.Feed); ok {
		return jsonText(jf.Title)
	}
	return plainLine(gf.Title, c.fromCDATA)
}

func (c *converter) feed(gf *gofeed.Feed, orig any, baseURL string) *Feed {
	base := parseBase(nil, baseURL)
	f := &Feed{Title: c.feedTitle(gf, orig)}
	if link := webURL(base, gf.Link); link != "" {
		f.Link = link
		base = parseBase(nil, link)
	}
	feedAuthor := authorNames(gf.Authors, gf.Author)

	var origRSS []*rss.Item
	var origJSON []*jsonfeed.Item
	var rssAuthorsOf [][]string
	switch orig := orig.(type) {
	case *rss.Feed:
		origRSS = orig.Items
		rssAuthorsOf = rssAuthors(c.body, len(orig.Items))
	case *jsonfeed.Feed:
		origJSON = orig.Items
	}

	ins := make([]item, 0, len(gf.Items))
	for i, it := range gf.Items {
		if it == nil {
			continue
		}
		in := item{Item: it, feedBase: base, feedAuthor: feedAuthor}
		if i < len(origRSS) {
			in.rss = origRSS[i]
		}
		if i < len(rssAuthorsOf) && len(rssAuthorsOf[i]) > 1 {
			// Several <author> elements: gofeed kept the last. (it is
			// ours: gofeed's feed is not used after this.)
			in.Authors = nil
			for _, name := range rssAuthorsOf[i] {
				in.Authors = append(in.Authors, rssPerson(name))
			}
		}
		if i < len(origJSON) {
			in.json = origJSON[i]
		}
		ins = append(ins, in)
	}
	converted := make([]Post, len(ins))
	convertedHash := make([]func() string, len(ins))
	eachItem(len(ins), func(i int) { converted[i], convertedHash[i] = c.post(ins[i]) })

	posts := converted[:0]
	hashes := make([]func() string, 0, len(ins))
	for i, p := range converted {
		if p.Title == "" && p.Link == "" && p.ContentHTML == "" {
			// Nothing a digest could show or link to.
			continue
		}
		p.FeedTitle = f.Title
		posts = append(posts, p)
		hashes = append(hashes, convertedHash[i])
	}
	f.Posts = assignKeys(posts, hashes)
	return f
}

// parallelItems is the number of items from which converting them is
// spread over the CPUs: below it, starting goroutines costs more than it
// saves.
var parallelItems = 64

// eachItem calls convert(i) for every i in [0, n), on up to GOMAXPROCS
// goroutines when n is large enough to be worth it. Converting a post
// (sanitising its HTML, mostly) depends on nothing but the item, and is
// where Parse spends half its time after gofeed's. A panic in convert is
// raised again in the caller, where Parse turns it into an error.
func eachItem(n int, convert func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n/(parallelItems/2))
	if n < parallelItems || workers < 2 {
		for i := range n {
			convert(i)
		}
		return
	}
	// Items are handed out in small batches: posts differ in size, and a
	// fixed split would leave one goroutine with the long ones.
	const batch = 16
	var next atomic.Int64
	var wg sync.WaitGroup
	var panicked atomic.Value
	for range workers {
		wg.Go(func() {
			defer func() {
				if r := recover(); r != nil {
					panicked.CompareAndSwap(nil, panicValue{r})
				}
			}()
			for {
				start := int(next.Add(batch)) - batch
				if start >= n || panicked.Load() != nil {
					return
				}
				for i := start; i < min(start+batch, n); i++ {
					convert(i)
				}
			}
		})
	}
	wg.Wait()
	if p, ok := panicked.Load().(panicValue); ok {
		panic(p.v)
	}
}

// panicValue wraps a recovered value for an atomic.Value, which needs one
// concrete type.
type panicValue struct{ v any }

// jsonText turns a JSON Feed title into one line. JSON Feed titles are
// plain text: "<i> und <b>" are words, not tags. Character references are
// decoded all the same: publishers (WordPress among them) write "&amp;" and
// "&#8217;" into JSON titles, and no reader means them literally.
func jsonText(s string) string {
	if strings.IndexByte(s, '&') >= 0 {
		s = html.UnescapeString(s)
	}
	return plaintext.Line(s)
}

// item is one gofeed item with what converting it needs from around it.
type item struct {
	*gofeed.Item
	rss        *rss.Item      // the RSS original, nil for other formats
	json       *jsonfeed.Item // the JSON Feed original, nil for other formats
	feedBase   *url.URL
	feedAuthor string
}

// post converts one item. It leaves Key to assignKeys, which needs to see
// every post first, and returns the content hash that may become the key,
// as a function: most posts never need it, and hashing every post's content
// would cost more than the rest of the key logic together.
func (c *converter) post(it item) (Post, func() string) {
	p := Post{
		GUID:       plaintext.Line(it.GUID),
		Author:     authorNames(it.Authors, it.Author),
		Categories: categories(it.Categories),
	}
	if it.json != nil {
		p.Title = jsonText(it.json.Title) // text by the spec
	} else {
		p.Title = plainLine(it.Title, c.fromCDATA)
	}
	if p.Author == "" {
		p.Author = it.feedAuthor
	}

	p.Link = webURL(it.feedBase, itemLink(it))
	base := it.feedBase
	if p.Link != "" {
		p.LinkKey = NormalizeLink(p.Link)
		base = parseBase(nil, p.Link)
	}

	content, summary := it.Content, it.Description
	if it.json != nil {
		// JSON Feed's content_text and summary are plain text, not HTML.
		if it.json.ContentHTML == "" && it.json.ContentText != "" {
			content = textToHTML(it.json.ContentText)
		}
		summary = textToHTML(it.json.Summary)
	}
	source := content
	if strings.TrimSpace(source) == "" {
		source = summary
	}
	if strings.TrimSpace(source) == "" {
		// Nothing richer: a Media RSS description (YouTube's feeds).
		source = mediaDescription(it.Extensions["media"])
		summary = source
	}
	clean := sanitize(source, base, ExcerptLength)
	p.ContentHTML = clean.HTML
	p.Excerpt = plaintext.Excerpt(clean.Text, ExcerptLength)
	if p.Excerpt == "" && source != summary {
		// The content is all images or embeds: the summary may say more.
		p.Excerpt = plaintext.Excerpt(htmlText(summary, ExcerptLength), ExcerptLength)
	}
	p.ImageURL = itemImage(it, base, clean.FirstImage)

	p.Published = c.date(it.PublishedParsed, it.Published)
	p.Updated = c.date(it.UpdatedParsed, it.Updated)
	if p.Published.IsZero() {
		p.Published = p.Updated
	}

	return p, sync.OnceValue(func() string { return contentHash(it.Title, source) })
}
