package feed

import (
	"html"
	"slices"
	"strings"

	"github.com/mmcdole/gofeed"
)

// itemLink returns the item's own link, falling back to an RSS guid that is
// a permalink (the RSS default unless isPermaLink="false"), then to any
// other link the item lists.
func itemLink(it item) string {
	if l := strings.TrimSpace(it.Link); l != "" {
		return l
	}
	if it.rss != nil && it.rss.GUID != nil && !strings.EqualFold(strings.TrimSpace(it.rss.GUID.IsPermalink), "false") {
		if g := strings.TrimSpace(it.rss.GUID.Value); isWebURL(g) {
			return g
		}
	}
	for _, l := range it.Links {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}

// textToHTML turns plain text into HTML paragraphs: blank lines separate
// paragraphs, single newlines become <br>.
func textToHTML(text string) string {
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	if text == "" {
		return ""
	}
	var b strings.Builder
	for _, para := range strings.Split(text, "\n\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(html.EscapeString(para), "\n", "<br>"))
		b.WriteString("</p>")
	}
	return b.String()
}

// authorNames joins the names of the authors into one plain-text line,
// using an address only when a person has no name.
func authorNames(people []*gofeed.Person, fallback *gofeed.Person) string {
	if len(people) == 0 && fallback != nil {
		people = []*gofeed.Person{fallback}
	}
	var names []string
	for _, p := range people {
		if p == nil {
			continue
		}
		name := plainLine(p.Name, nil)
		if name == "" {
			name = plainLine(p.Email, nil)
		}
		if name != "" && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	return strings.Join(names, ", ")
}

// categories returns the categories as plain text, without empties and
// without duplicates (compared case-insensitively; the first spelling wins).
func categories(in []string) []string {
	var out []string
	seen := make(map[string]bool, len(in))
	for _, c := range in {
		c = plainLine(c, nil)
		k := strings.ToLower(c)
		if c == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, c)
	}
	return out
}
