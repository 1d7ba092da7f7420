package feed

import (
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// skippedContent lists the elements removed with everything inside them, on
// top of bluemonday's own list (script, style, iframe, object, noscript, …).
var skippedContent = []string{"form", "button", "select", "textarea", "svg", "math",
	"template", "canvas", "audio", "video", "head"}

// skipsContent is every element whose content the policy drops, so that
// text taken from a title or a summary never shows what an email would not.
var skipsContent = func() map[atom.Atom]bool {
	m := map[atom.Atom]bool{
		atom.Script: true, atom.Style: true, atom.Iframe: true, atom.Object: true,
		atom.Noscript: true, atom.Noembed: true, atom.Noframes: true,
		atom.Frame: true, atom.Frameset: true, atom.Title: true,
	}
	for _, name := range skippedContent {
		if a := atom.Lookup([]byte(name)); a != 0 {
			m[a] = true
		}
	}
	return m
}()

// blockAsDiv are block elements outside the email allow-list whose content
// stays: emailTap writes each as a <div>.
var blockAsDiv = []string{"article", "section", "header", "footer", "nav", "aside", "main",
	"center", "address", "details", "summary", "hgroup", "fieldset", "legend", "dialog",
	"search", "menu", "dir", "listing"}

var isBlockAsDiv = func() map[atom.Atom]bool {
	m := make(map[atom.Atom]bool, len(blockAsDiv))
	for _, name := range blockAsDiv {
		if a := atom.Lookup([]byte(name)); a != 0 {
			m[a] = true
		}
	}
	return m
}()

// rawTextElements are those after whose start tag the HTML tokenizer reads
// everything up to the matching end tag as text. Written self-closing
// (`<iframe src="…" />`, common in Blogger feeds) they are, to HTML, a start
// tag with no end, and the rest of the post would become their text.
var rawTextElements = map[atom.Atom]bool{
	atom.Iframe: true, atom.Noembed: true, atom.Noframes: true, atom.Noscript: true,
	atom.Plaintext: true, atom.Script: true, atom.Style: true, atom.Textarea: true,
	atom.Title: true, atom.Xmp: true,
}

// closeSelfClosing returns fragment with every self-closing tag of a raw-text
// element followed by its end tag (`<iframe … /></iframe>`), as the feed's
// author meant it: the element is empty and what follows is the post.
func closeSelfClosing(fragment string) string {
	if !mayHaveSelfClosingRaw(fragment) {
		return fragment
	}
	z := html.NewTokenizer(strings.NewReader(fragment))
	var b strings.Builder
	b.Grow(len(fragment) + 16)
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return b.String()
		}
		b.Write(z.Raw())
		if tt != html.SelfClosingTagToken {
			continue
		}
		if name, _ := z.TagName(); rawTextElements[atom.Lookup(name)] {
			z.NextIsNotRawText()
			b.WriteString("</")
			b.Write(name)
			b.WriteByte('>')
		}
	}
}

// mayHaveSelfClosingRaw reports, cheaply, whether fragment may hold a
// self-closing raw-text element: a "/>" and a tag starting with one of
// their names.
func mayHaveSelfClosingRaw(fragment string) bool {
	if !strings.Contains(fragment, "/>") {
		return false
	}
	for s := fragment; ; {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			return false
		}
		s = s[i+1:]
		j := 0
		for j < len(s) && j < 10 && (('a' <= s[j] && s[j] <= 'z') || ('A' <= s[j] && s[j] <= 'Z')) {
			j++
		}
		if j > 0 && rawTextElements[atom.Lookup([]byte(strings.ToLower(s[:j])))] {
			return true
		}
	}
}

// lazySrcAttrs are where lazy-loading scripts keep an image's real address
// while src holds a placeholder (often a data: GIF). The policy lets them
// through to the emailTap, which reads them and never writes them out.
var lazySrcAttrs = []string{"data-src", "data-lazy-src", "data-original"}

// imageSrcAttrs are where an image's address may be, in order of trust.
var imageSrcAttrs = append([]string{"src"}, lazySrcAttrs...)

// emailPolicy is built once: bluemonday policies are safe for concurrent use
// once configured, and building one per post would dominate parse time.
var emailPolicy = sync.OnceValue(newEmailPolicy)

// newEmailPolicy returns the allow-list for HTML that ends up in an email:
// text structure, links and images, nothing that runs, loads a frame, posts
// a form or styles the reader's mail client.
func newEmailPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements(
		"p", "br", "hr", "div", "span", "blockquote", "pre", "code",
		"em", "strong", "b", "i", "u", "s", "del", "ins", "sub", "sup", "small",
		"mark", "cite", "q", "abbr",
		"h1", "h2", "h3", "h4", "h5", "h6",
		"ul", "ol", "li", "dl", "dt", "dd",
		"figure", "figcaption",
		"table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
	)
	number := regexp.MustCompile(`^[0-9]{1,4}$`)
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("src", "alt").OnElements("img")
	p.AllowAttrs(lazySrcAttrs...).OnElements("img")
	// "1px" is common in tracking pixels; emailTap writes the number alone.
	p.AllowAttrs("width", "height").Matching(regexp.MustCompile(`^[0-9]{1,4}(px)?$`)).OnElements("img")
	p.AllowAttrs("colspan", "rowspan").Matching(number).OnElements("td", "th")
	p.AllowAttrs("start").Matching(number).OnElements("ol")

	// Web and mail links only. Relative URLs pass here so that emailTap can
	// resolve them against the post's address; it drops any it cannot. data:
	// is refused for images too: inline images bloat every copy of the
	// email and many clients block them anyway.
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(true)

	// A removed tag leaves nothing behind: an inline element ("un<font>ico
	// </font>", an unknown element, which browsers show inline) must not
	// split its word. Block elements that would be removed are kept
	// instead, and emailTap writes them as <div>, so words on either side
	// of them do not run together.
	p.AddSpaceWhenStrippingTag(false)
	p.AllowElements(blockAsDiv...)
	// These never make sense in an email and their text is not prose (a
	// form's labels, a video's "your browser does not support" line).
	p.SkipElementsContent(skippedContent...)
	return p
}

// Sanitize returns an HTML fragment made safe for an email: everything not
// on the email allow-list is removed (scripts, styles, frames, forms, event
// handlers, any URL that is not http(s) or, for links, mailto:), and
// relative URLs are resolved against base, an absolute URL (usually the
// post's link); those that cannot be resolved are dropped. Links get
// rel="noopener"; images without a usable http(s) source, and 1×1 tracking
// pixels, are dropped whole.
func Sanitize(fragment, base string) string {
	return sanitize(fragment, parseBase(nil, base), 0).HTML
}

// sanitized is what one reading of a post's HTML yields.
type sanitized struct {
	HTML       string // safe for an email
	FirstImage string // absolute http(s) URL of the first image kept, or ""
	Text       string // the visible text of HTML, up to a limit
}

// sanitize is Sanitize with the base already parsed. It also returns the
// first image and, when textLimit > 0, the first textLimit+1 runes of the
// visible text, for an excerpt. The HTML is tokenised once, by bluemonday:
// everything else is done by the writer its output goes through.
func sanitize(fragment string, base *url.URL, textLimit int) sanitized {
	if strings.TrimSpace(fragment) == "" {
		return sanitized{}
	}
	fragment = closeSelfClosing(fragment)
	tap := emailTap{base: base, text: textGatherer{limit: textLimit}}
	if textLimit > 0 {
		// Room for the text wanted, a few accented letters included, so
		// that gathering it allocates once.
		tap.text.buf = make([]byte, 0, textLimit+textLimit/2)
	}
	// Policy.Sanitize grows its output buffer from nothing, doubling as it
	// goes; sized up front, it is allocated once.
	tap.out.Grow(len(fragment))
	if err := emailPolicy().SanitizeReaderToWriter(strings.NewReader(fragment), &tap); err != nil {
		// bluemonday fails only when its writer does, and this one does
		// not: unreachable, and nothing is the safe answer.
		return sanitized{}
	}
	return sanitized{
		HTML:       strings.TrimSpace(tap.out.String()),
		FirstImage: tap.firstImage,
		Text:       string(tap.text.buf),
	}
}

// isTrackingPixel reports whether an image is sized 1×1 or smaller: such an
// image shows nothing and exists to tell a third party that the email was
// opened, which is not ours to give away about subscribers.
func isTrackingPixel(width, height string) bool {
	return width == "0" || width == "1" || height == "0" || height == "1"
}

// isLinkURL reports whether an absolute URL may be the target of a link in
// an email: http, https or mailto.
func isLinkURL(s string) bool {
	if isWebURL(s) {
		return true
	}
	_, ok := cutPrefixFold(s, "mailto:")
	return ok
}
