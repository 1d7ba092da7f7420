package feed

import (
	"net/url"
	"strings"

	ext "github.com/mmcdole/gofeed/extensions"
)

// itemImage picks the post's image: the item's own image (itunes:image,
// media:content, an image enclosure, JSON Feed image), then any image
// enclosure, then a Media RSS thumbnail, then the first image of the
// content. Only absolute http(s) URLs qualify.
func itemImage(it item, base *url.URL, firstInContent string) string {
	if it.Image != nil {
		if u := webURL(base, it.Image.URL); u != "" {
			return u
		}
	}
	for _, e := range it.Enclosures {
		if e != nil && strings.HasPrefix(strings.ToLower(e.Type), "image/") {
			if u := webURL(base, e.URL); u != "" {
				return u
			}
		}
	}
	if u := mediaImage(it.Extensions["media"], base); u != "" {
		return u
	}
	return firstInContent
}

// mediaImage looks in Media RSS elements (also used inside Atom entries,
// and often wrapped in <media:group>) for a thumbnail or an image.
func mediaImage(media map[string][]ext.Extension, base *url.URL) string {
	if media == nil {
		return ""
	}
	for _, th := range media["thumbnail"] {
		if u := webURL(base, th.Attrs["url"]); u != "" {
			return u
		}
	}
	for _, c := range media["content"] {
		if strings.HasPrefix(c.Attrs["type"], "image/") || c.Attrs["medium"] == "image" {
			if u := webURL(base, c.Attrs["url"]); u != "" {
				return u
			}
		}
	}
	for _, g := range media["group"] {
		if u := mediaImage(g.Children, base); u != "" {
			return u
		}
	}
	return ""
}
