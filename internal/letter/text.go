package letter

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/venerdi/venerdi/internal/plaintext"
)

// Width is the column plain-text paragraphs are wrapped at.
const Width = 72

// Text writes a letter's sanitised HTML body as plain text: paragraphs
// wrapped at Width, headings underlined, list items bulleted, quotes
// marked "> ", each link's text followed by [n]. It returns the links in
// that order too: the template lists them after the text, under its own
// translated heading, as the digest's text part does.
func Text(body string) (text string, links []string) {
	nodes, err := html.ParseFragment(strings.NewReader(body), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		return "", nil
	}
	t := &textWriter{}
	for _, n := range nodes {
		t.block(n, "")
	}
	t.flush("")
	return strings.TrimSpace(strings.Join(t.blocks, "\n\n")), t.links
}

type textWriter struct {
	blocks []string
	line   strings.Builder // the inline text of the block being written
	links  []string
}

// flush ends the current paragraph, wrapped and prefixed.
func (t *textWriter) flush(prefix string) {
	s := strings.Join(strings.Fields(t.line.String()), " ")
	t.line.Reset()
	if s == "" {
		return
	}
	t.blocks = append(t.blocks, plaintext.Wrap(Width, prefix, s))
}

func (t *textWriter) block(n *html.Node, prefix string) {
	switch n.Type {
	case html.TextNode:
		t.line.WriteString(n.Data)
		return
	case html.ElementNode:
	default:
		return
	}
	switch n.DataAtom {
	case atom.P, atom.Div:
		t.flush(prefix)
		t.children(n, prefix)
		t.flush(prefix)
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		t.flush(prefix)
		t.children(n, prefix)
		s := strings.Join(strings.Fields(t.line.String()), " ")
		t.line.Reset()
		if s != "" {
			ch := "-"
			if n.DataAtom == atom.H1 || n.DataAtom == atom.H2 {
				ch = "="
			}
			t.blocks = append(t.blocks, prefix+s+"\n"+prefix+strings.Repeat(ch, min(utf8.RuneCountInString(s), Width)))
		}
	case atom.Ul, atom.Ol:
		t.flush(prefix)
		i := 0
		var items []string
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode || c.DataAtom != atom.Li {
				continue
			}
			i++
			mark := "- "
			if n.DataAtom == atom.Ol {
				mark = fmt.Sprintf("%d. ", i)
			}
			sub := &textWriter{links: t.links}
			sub.children(c, "")
			sub.flush("")
			t.links = sub.links
			item := strings.Join(sub.blocks, "\n")
			items = append(items, prefix+mark+strings.ReplaceAll(item, "\n", "\n"+prefix+strings.Repeat(" ", len(mark))))
		}
		if len(items) > 0 {
			t.blocks = append(t.blocks, strings.Join(items, "\n"))
		}
	case atom.Blockquote:
		t.flush(prefix)
		t.children(n, prefix+"> ")
		t.flush(prefix + "> ")
	case atom.Pre:
		t.flush(prefix)
		var b strings.Builder
		collect(n, &b)
		code := strings.TrimRight(b.String(), "\n")
		t.blocks = append(t.blocks, prefix+"    "+strings.ReplaceAll(code, "\n", "\n"+prefix+"    "))
	case atom.Hr:
		t.flush(prefix)
		t.blocks = append(t.blocks, prefix+strings.Repeat("-", Width-len(prefix)))
	case atom.Br:
		t.flush(prefix)
	case atom.Table:
		t.flush(prefix)
		t.table(n, prefix)
	case atom.A:
		before := t.line.Len()
		t.children(n, prefix)
		// A bare URL (an autolink) is its own link: no number for it.
		if href := attr(n, "href"); href != "" && strings.TrimSpace(t.line.String()[before:]) != href {
			t.links = append(t.links, href)
			fmt.Fprintf(&t.line, " [%d]", len(t.links))
		}
	case atom.Img:
		if alt := attr(n, "alt"); alt != "" {
			fmt.Fprintf(&t.line, "[%s]", alt)
		}
	default:
		t.children(n, prefix)
	}
}

func (t *textWriter) children(n *html.Node, prefix string) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		t.block(c, prefix)
	}
}

// table writes each row as its cells joined by " | ".
func (t *textWriter) table(n *html.Node, prefix string) {
	var rows []string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			if c.DataAtom != atom.Tr {
				walk(c)
				continue
			}
			var cells []string
			for td := c.FirstChild; td != nil; td = td.NextSibling {
				if td.Type != html.ElementNode {
					continue
				}
				sub := &textWriter{links: t.links}
				sub.children(td, "")
				sub.flush("")
				t.links = sub.links
				cells = append(cells, strings.Join(strings.Fields(strings.Join(sub.blocks, " ")), " "))
			}
			rows = append(rows, prefix+strings.Join(cells, " | "))
		}
	}
	walk(n)
	if len(rows) > 0 {
		t.blocks = append(t.blocks, strings.Join(rows, "\n"))
	}
}

func collect(n *html.Node, b *strings.Builder) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
		collect(c, b)
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
