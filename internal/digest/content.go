package digest

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/venerdi/venerdi/internal/feed"
	"github.com/venerdi/venerdi/internal/plaintext"
)

// content is what the digest reads out of a post's sanitised HTML.
type content struct {
	excerpt        string // from paragraphs only; "" when the post has none
	imageAlt       string // the lead image's own alt text, "" when it has none
	imageW, imageH int    // its declared size, 0 when unknown
}

// readContent takes the excerpt from the post's paragraphs (never its
// headings, figure captions, tables or embeds, which read as nonsense once
// run together), and the alt text and size of the lead image imageURL as the
// post's HTML declares them.
func readContent(src, imageURL string) content {
	var c content
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return c
	}
	var text []string
	budget := feed.ExcerptLength * 2
	foundImage := false
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Img:
				if !foundImage && imageURL != "" && attr(n, "src") == imageURL {
					foundImage = true
					c.imageAlt = plaintext.Line(attr(n, "alt"))
					c.imageW, _ = strconv.Atoi(attr(n, "width"))
					c.imageH, _ = strconv.Atoi(attr(n, "height"))
				}
				return
			case atom.Figure, atom.Figcaption, atom.Table, atom.Pre, atom.Script, atom.Style, atom.Aside, atom.Nav:
				// Images inside figures still count for the lead image.
				for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
					if ch.Type == html.ElementNode && ch.DataAtom != atom.Figcaption {
						findImages(ch, func(m *html.Node) { walk(m) })
					}
				}
				return
			case atom.P:
				if budget > 0 {
					t := plaintext.Line(textOf(n))
					if t != "" {
						text = append(text, t)
						budget -= utf8.RuneCountInString(t)
					}
				}
				findImages(n, func(m *html.Node) { walk(m) })
				return
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(doc)
	c.excerpt = excerpt(strings.Join(text, " "), feed.ExcerptLength)
	return c
}

// findImages calls fn on every img under n.
func findImages(n *html.Node, fn func(*html.Node)) {
	if n.Type == html.ElementNode && n.DataAtom == atom.Img {
		fn(n)
		return
	}
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		findImages(ch, fn)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch {
		case n.Type == html.TextNode:
			b.WriteString(n.Data)
		case n.Type == html.ElementNode && n.DataAtom == atom.Br:
			b.WriteByte(' ')
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(n)
	return b.String()
}

// excerpt cuts s to at most limit runes, at the end of a sentence when one
// ends in the second half of the budget (no "…" then: the thought is
// whole), else between words with "…" (plaintext.Excerpt).
func excerpt(s string, limit int) string {
	s = plaintext.Line(s)
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	head := s[:byteIndex(s, limit)]
	best := -1
	for i := 0; i+1 < len(head); i++ {
		switch head[i] {
		case '.', '!', '?':
			if head[i+1] == ' ' {
				best = i + 1
			}
		}
	}
	if best > 0 && utf8.RuneCountInString(head[:best]) >= limit/2 {
		return head[:best]
	}
	return plaintext.Excerpt(s, limit)
}

func byteIndex(s string, runes int) int {
	for i := range s {
		if runes == 0 {
			return i
		}
		runes--
	}
	return len(s)
}
