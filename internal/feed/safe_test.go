package feed

import (
	"fmt"
	"strings"

	"golang.org/x/net/html"
)

// forbiddenElements must never appear in sanitised HTML.
var forbiddenElements = map[string]bool{
	"script": true, "style": true, "iframe": true, "frame": true, "object": true,
	"embed": true, "form": true, "input": true, "button": true, "textarea": true,
	"select": true, "svg": true, "math": true, "link": true, "meta": true,
	"base": true, "applet": true, "audio": true, "video": true,
}

// checkSafeHTML returns an error describing the first thing in s that
// sanitising should have removed. It checks structure (elements, attributes,
// URL schemes) rather than raw substrings, so that a post about JavaScript
// may still say "javascript:" in its text.
func checkSafeHTML(s string) error {
	if strings.Contains(strings.ToLower(s), "<script") {
		return fmt.Errorf("contains <script")
	}
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return nil
		case html.CommentToken, html.DoctypeToken:
			return fmt.Errorf("contains a comment or doctype %q", z.Raw())
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if forbiddenElements[tok.Data] {
				return fmt.Errorf("contains <%s>", tok.Data)
			}
			for _, a := range tok.Attr {
				if strings.HasPrefix(a.Key, "on") {
					return fmt.Errorf("<%s> has event handler %s=%q", tok.Data, a.Key, a.Val)
				}
				if a.Key == "style" || a.Key == "srcset" || a.Key == "formaction" || strings.HasPrefix(a.Key, "data-") {
					return fmt.Errorf("<%s> has %s", tok.Data, a.Key)
				}
				if a.Key == "href" || a.Key == "src" {
					v := strings.ToLower(strings.Map(func(r rune) rune {
						if r <= ' ' {
							return -1
						}
						return r
					}, a.Val))
					if !strings.HasPrefix(v, "https://") && !strings.HasPrefix(v, "http://") &&
						!(a.Key == "href" && strings.HasPrefix(v, "mailto:")) {
						return fmt.Errorf("<%s %s=%q> is not an absolute http(s) URL", tok.Data, a.Key, a.Val)
					}
				}
			}
		}
	}
}
