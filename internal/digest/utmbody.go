package digest

import (
	"bytes"
	"io"
	"strings"

	"golang.org/x/net/html"
)

// tagBodyLinks applies tag to the href of every <a> in a sanitised HTML
// fragment, re-rendering only the tags it changes: the rest keeps its exact
// bytes. It is how a letter's own links to the blog get the same UTM tags
// as the digest's, and never a third-party or venerdi serve link (tag
// decides, see links.TagUTM).
func tagBodyLinks(fragment string, tag func(string) string) string {
	z := html.NewTokenizer(strings.NewReader(fragment))
	var out bytes.Buffer
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if z.Err() == io.EOF {
				return out.String()
			}
			return fragment // cannot happen on the sanitiser's output; change nothing
		}
		raw := z.Raw()
		if tt != html.StartTagToken {
			out.Write(raw)
			continue
		}
		t := z.Token()
		changed := false
		if t.Data == "a" {
			for i, a := range t.Attr {
				if a.Key == "href" {
					if tagged := tag(a.Val); tagged != a.Val {
						t.Attr[i].Val, changed = tagged, true
					}
				}
			}
		}
		if changed {
			out.WriteString(t.String())
		} else {
			out.Write(raw)
		}
	}
}
