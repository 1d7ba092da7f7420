package feed

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/venerdi/venerdi/internal/plaintext"
)

// ExcerptLength is the length, in characters, of Post.Excerpt.
const ExcerptLength = 300

// plainLine turns a feed's title-like value into one line of plain text. s
// has already been through the XML layer, which decoded its entities once.
// When s holds markup (or asHTML says it came verbatim from a CDATA section,
// where the XML layer decoded nothing) it is read as HTML: tags are dropped
// and entities decoded; otherwise it is taken literally, so "AT&amp;T" that a
// feed escaped twice stays "AT&amp;T" rather than being decoded a second time.
func plainLine(s string, asHTML func(string) bool) string {
	if looksLikeHTML(s) || (asHTML != nil && strings.IndexByte(s, '&') >= 0 && asHTML(s)) {
		s = htmlText(s, -1)
	}
	return plaintext.Line(s)
}

// looksLikeHTML reports whether s contains something shaped like a tag or a
// comment ("<b", "</", "<!"), as opposed to a bare "<" in prose ("x < y").
func looksLikeHTML(s string) bool {
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 || i == len(s)-1 {
			return false
		}
		c := s[i+1]
		if c == '/' || c == '!' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') {
			return true
		}
		s = s[i+1:]
	}
}

// htmlText returns the visible text of an HTML fragment as one line:
// entities decoded, tags dropped (block-level ones separate words), white
// space collapsed. With limit >= 0 it stops after limit+1 runes, enough for
// Excerpt.
func htmlText(fragment string, limit int) string {
	g := textGatherer{limit: limit}
	if limit < 0 {
		g.limit = len(fragment)
	}
	if !strings.ContainsAny(fragment, "<&") {
		g.add(fragment)
		return string(g.buf)
	}
	z := html.NewTokenizer(strings.NewReader(fragment))
	hidden := 0 // depth inside elements whose text is not shown
	for g.wants() {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return string(g.buf)
		case html.TextToken:
			if hidden == 0 {
				g.add(string(z.Text()))
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if tt == html.SelfClosingTagToken && rawTextElements[a] {
				// `<iframe … />` is empty: what follows is not its text.
				z.NextIsNotRawText()
			}
			switch {
			case skipsContent[a] && tt == html.StartTagToken:
				hidden++
			case skipsContent[a] && tt == html.EndTagToken:
				hidden = max(hidden-1, 0)
			case tt == html.EndTagToken && closesSentence[a]:
				g.stop()
			case !isInline(a):
				g.space()
			}
		}
	}
	return string(g.buf)
}

// isInline reports whether an element leaves the words around it joined:
// one of inlineElements, or an element HTML does not know (a browser shows
// those inline).
func isInline(a atom.Atom) bool { return a == 0 || inlineElements[a] }

// inlineElements do not separate words: "un<em>ico</em>" is one word.
var inlineElements = map[atom.Atom]bool{
	atom.A: true, atom.Abbr: true, atom.B: true, atom.Bdi: true, atom.Bdo: true,
	atom.Cite: true, atom.Code: true, atom.Data: true, atom.Del: true,
	atom.Dfn: true, atom.Em: true, atom.I: true, atom.Ins: true, atom.Kbd: true,
	atom.Mark: true, atom.Q: true, atom.S: true, atom.Samp: true,
	atom.Small: true, atom.Span: true, atom.Strong: true, atom.Sub: true,
	atom.Sup: true, atom.Time: true, atom.U: true, atom.Var: true,
	atom.Font: true, atom.Strike: true, atom.Tt: true, atom.Big: true,
	atom.Nobr: true, atom.Wbr: true, atom.Label: true, atom.Ruby: true, atom.Rt: true,
	atom.Rp: true, atom.Picture: true, atom.Source: true, atom.Output: true, atom.Blink: true,
}

// closesSentence are elements whose text reads as a sentence of its own:
// a heading or a list item run into the next words ("Le regole Solo
// minuscole") reads as one broken sentence in a plain-text excerpt.
var closesSentence = map[atom.Atom]bool{
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Li: true, atom.Dt: true, atom.Caption: true, atom.Figcaption: true,
}

// textGatherer collects text with white space collapsed and control
// characters dropped as it goes, and stops wanting more once it has one rune
// more than limit: enough for Excerpt to see that the text goes on, and
// whether its cut falls between words.
type textGatherer struct {
	buf       []byte
	limit     int
	runes     int
	needSpace bool
	needStop  bool
}

func (g *textGatherer) wants() bool { return g.runes <= g.limit }

// space marks a word boundary (a block element, a line break).
func (g *textGatherer) space() { g.needSpace = g.runes > 0 }

// stop marks the end of a sentence: the next word comes after a full stop,
// unless the text already ends with punctuation.
func (g *textGatherer) stop() { g.needStop, g.needSpace = g.runes > 0, g.runes > 0 }

func (g *textGatherer) add(s string) {
	for i := 0; i < len(s) && g.wants(); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
				g.needSpace = g.runes > 0
			case c < 0x20 || c == 0x7f:
			default:
				g.emit(s[i-1 : i])
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r), r == '\u2028', r == '\u2029':
			g.needSpace = g.runes > 0
		case r == utf8.RuneError, r == '\uFEFF', unicode.IsControl(r):
		default:
			g.emit(s[i : i+size])
		}
		i += size
	}
}

func (g *textGatherer) emit(char string) {
	if g.needStop {
		g.needStop = false
		if r, _ := utf8.DecodeLastRune(g.buf); !strings.ContainsRune(".!?:;…»\"')", r) {
			g.buf = append(g.buf, '.')
			g.runes++
		}
	}
	if g.needSpace {
		g.buf = append(g.buf, ' ')
		g.runes++
		g.needSpace = false
	}
	g.buf = append(g.buf, char...)
	g.runes++
}
