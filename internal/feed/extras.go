package feed

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"
)

// mediaDescription returns the Media RSS description of an item (YouTube's
// Atom keeps a video's text there, inside <media:group>) as HTML: a
// description of type="html" as it is, plain text (the default) made into
// paragraphs. "" when there is none.
func mediaDescription(media map[string][]ext.Extension) string {
	if media == nil {
		return ""
	}
	for _, d := range media["description"] {
		if text := strings.TrimSpace(d.Value); text != "" {
			if strings.EqualFold(strings.TrimSpace(d.Attrs["type"]), "html") {
				return text
			}
			return textToHTML(text)
		}
	}
	for _, g := range media["group"] {
		if d := mediaDescription(g.Children); d != "" {
			return d
		}
	}
	return ""
}

// rssAuthors returns, for each <item> of an RSS document in document order,
// the names of its <author> elements, when some item has more than one:
// gofeed keeps only the last. It returns nil when no item could have
// several (fewer <author> tags than items) or the document cannot be read.
func rssAuthors(body []byte, items int) [][]string {
	if bytes.Count(body, []byte("<author")) <= items {
		return nil
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false
	d.Entity = xml.HTMLEntity
	// toUTF8 has made the body UTF-8 and said so in its declaration.
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	var out [][]string
	depth, itemDepth := 0, -1
	several := false
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			depth++
			switch {
			case tok.Name.Local == "item" && itemDepth < 0:
				itemDepth = depth
				out = append(out, nil)
			case tok.Name.Local == "author" && tok.Name.Space == "" && itemDepth >= 0 && depth == itemDepth+1:
				var a struct {
					Name string `xml:"name"`
					Text string `xml:",chardata"`
				}
				if d.DecodeElement(&a, &tok) != nil {
					return nil
				}
				depth--
				name := strings.TrimSpace(a.Name)
				if name == "" {
					name = strings.TrimSpace(a.Text)
				}
				if name != "" {
					last := &out[len(out)-1]
					*last = append(*last, name)
					several = several || len(*last) > 1
				}
			}
		case xml.EndElement:
			if depth == itemDepth {
				itemDepth = -1
			}
			depth--
		}
	}
	if !several || len(out) != items {
		return nil
	}
	return out
}

// rssPerson reads an RSS <author> value: "email (Name)", "Name <email>", a
// bare address or a bare name.
func rssPerson(s string) *gofeed.Person {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '('); i > 0 && strings.HasSuffix(s, ")") {
		if name := strings.TrimSpace(s[i+1 : len(s)-1]); name != "" {
			return &gofeed.Person{Name: name, Email: strings.TrimSpace(s[:i])}
		}
	}
	if i := strings.IndexByte(s, '<'); i > 0 && strings.HasSuffix(s, ">") {
		return &gofeed.Person{Name: strings.TrimSpace(s[:i]), Email: strings.TrimSpace(s[i+1 : len(s)-1])}
	}
	if strings.Contains(s, "@") && !strings.ContainsAny(s, " \t") {
		return &gofeed.Person{Email: s}
	}
	return &gofeed.Person{Name: s}
}
