package feed

import (
	"html"
	"net/url"
	"strings"

	"golang.org/x/net/html/atom"
)

// emailTap is the writer bluemonday sanitises into. bluemonday writes one
// token at a time, already checked against the policy: a tag in canonical
// form (`<a href="…">`: lower-case name, double-quoted escaped values), or
// escaped text, which therefore never starts with "<". On the way through,
// emailTap
//   - resolves link and image URLs against the post's address and drops
//     those it cannot make absolute, adds rel="noopener" to links, and drops
//     images with no http(s) source and tracking pixels;
//   - notes the first image kept;
//   - gathers the visible text for the excerpt.
//
// Doing this here rather than in a pass of its own saves tokenising every
// post twice. The policy has already removed everything dangerous; this
// writer only ever removes more, and the URLs it writes are absolute
// http(s) or mailto by construction.
type emailTap struct {
	out        strings.Builder
	base       *url.URL
	firstImage string
	text       textGatherer
	// deadLinks counts <a> start tags dropped for want of a usable href,
	// whose end tags are dropped in turn.
	deadLinks int
}

func (t *emailTap) Write(p []byte) (int, error) { return t.WriteString(string(p)) }

func (t *emailTap) WriteString(s string) (int, error) {
	n := len(s)
	if s == "" {
		return n, nil
	}
	if s[0] != '<' {
		t.out.WriteString(s)
		if t.text.wants() {
			if strings.IndexByte(s, '&') >= 0 {
				s = html.UnescapeString(s)
			}
			t.text.add(s)
		}
		return n, nil
	}
	a := tagAtom(s)
	switch {
	case isTag(s[1:], "a"):
		t.link(s)
	case isTag(s[1:], "img"):
		t.image(s)
	case s == "</img>":
		// Its start tag may have been dropped; img has no content anyway.
	case s == "</a>" && t.deadLinks > 0:
		t.deadLinks--
	case isBlockAsDiv[a]:
		switch {
		case s[1] == '/':
			t.out.WriteString("</div>")
		case strings.HasSuffix(s, "/>"):
			t.out.WriteString("<div></div>")
		default:
			t.out.WriteString("<div>")
		}
	default:
		t.out.WriteString(s)
	}
	if t.text.wants() {
		switch {
		case s[1] == '/' && closesSentence[a]:
			t.text.stop()
		case !isInline(a):
			t.text.space()
		}
	}
	return n, nil
}

// link writes an <a> start tag with its href made absolute, or nothing
// when it cannot be made so (the link's text stays, as plain text).
func (t *emailTap) link(tag string) {
	attrs, ok := canonicalAttrs(tag)
	href := ""
	if v, found := attrs.get("href"); ok && found {
		href = resolveFast(t.base, v)
	}
	if !isLinkURL(href) {
		t.deadLinks++
		return
	}
	t.out.WriteString(`<a href="`)
	t.out.WriteString(html.EscapeString(href))
	t.out.WriteString(`" rel="noopener">`)
}

// image writes an <img> tag with an absolute http(s) src, or nothing.
func (t *emailTap) image(tag string) {
	attrs, ok := canonicalAttrs(tag)
	if !ok {
		return
	}
	width, _ := attrs.get("width")
	height, _ := attrs.get("height")
	if isTrackingPixel(strings.TrimSuffix(width, "px"), strings.TrimSuffix(height, "px")) {
		return
	}
	src := ""
	for _, name := range imageSrcAttrs {
		if v, found := attrs.get(name); found {
			if u := resolveFast(t.base, v); isWebURL(u) {
				src = u
				break
			}
		}
	}
	if src == "" {
		return
	}
	if t.firstImage == "" {
		// The policy checked src as a URL, but not the lazy-loading
		// attributes, and this one leaves by another door: full check.
		t.firstImage = webURL(nil, src)
	}
	t.out.WriteString(`<img src="`)
	t.out.WriteString(html.EscapeString(src))
	t.out.WriteByte('"')
	for _, name := range [...]string{"alt", "width", "height"} {
		if v, found := attrs.get(name); found {
			t.out.WriteByte(' ')
			t.out.WriteString(name)
			t.out.WriteString(`="`)
			t.out.WriteString(html.EscapeString(strings.TrimSuffix(v, "px")))
			t.out.WriteByte('"')
		}
	}
	t.out.WriteByte('>')
}

// canonicalAttrs reads the attributes of a tag as bluemonday writes it
// (`<name key="escaped value" …>` or with "/>"), values unescaped. ok is
// false if the tag is not in that form, and callers then write nothing that
// depends on its attributes.
func canonicalAttrs(tag string) (attrs tagAttrs, ok bool) {
	i := strings.IndexAny(tag, " />")
	if i < 0 {
		return nil, false
	}
	rest := tag[i:]
	attrs = make(tagAttrs, 0, 4)
	for {
		rest = strings.TrimLeft(rest, " ")
		if rest == ">" || rest == "/>" {
			return attrs, true
		}
		eq := strings.Index(rest, `="`)
		if eq <= 0 {
			return nil, false
		}
		key := rest[:eq]
		rest = rest[eq+2:]
		end := strings.IndexByte(rest, '"')
		if end < 0 {
			return nil, false
		}
		attrs = append(attrs, tagAttr{key, html.UnescapeString(rest[:end])})
		rest = rest[end+1:]
	}
}

// tagAttrs are a tag's attributes in the order written. A tag has a handful,
// so a slice is searched faster than a map is built.
type tagAttrs []tagAttr

type tagAttr struct{ key, value string }

// get returns the value of the attribute key; of the last one, if the tag
// repeats it.
func (a tagAttrs) get(key string) (string, bool) {
	for i := len(a) - 1; i >= 0; i-- {
		if a[i].key == key {
			return a[i].value, true
		}
	}
	return "", false
}

// isTag reports whether s, the text just after a "<", starts with the tag
// name (lower-case) followed by the end of the name.
func isTag(s, name string) bool {
	if len(s) <= len(name) || !strings.EqualFold(s[:len(name)], name) {
		return false
	}
	switch s[len(name)] {
	case ' ', '\t', '\n', '\r', '\f', '/', '>':
		return true
	}
	return false
}

// tagAtom returns the atom for the element of a tag ("<p>", "</li>",
// "<a href=…>"), or 0.
func tagAtom(tag string) atom.Atom {
	name := strings.TrimPrefix(tag[1:], "/")
	if i := strings.IndexAny(name, " \t\n\r\f/>"); i >= 0 {
		name = name[:i]
	}
	return atom.Lookup([]byte(name))
}
