package feed

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"

	"github.com/mmcdole/gofeed"
	jsonfeed "github.com/mmcdole/gofeed/json"
)

// readDocument parses body (UTF-8) with gofeed and returns the universal
// feed with the format-specific one it came from (*rss.Feed for RSS, for
// guid permalinks; *jsonfeed.Feed for JSON Feed, for content_text).
func readDocument(body []byte) (*gofeed.Feed, any, error) {
	if trimmed := bytes.TrimLeft(body, " \t\r\n"); len(trimmed) > 0 && trimmed[0] == '{' {
		return readJSONFeed(body)
	}
	gf, err := newGofeedParser().Parse(bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	return gf, gf.OriginalFeed(), nil
}

// newGofeedParser returns a gofeed parser that keeps the format-specific
// feed and skips the RSS translator's image scan, which parses every item's
// HTML into a tree: sanitize finds the first image on the pass it makes
// anyway.
func newGofeedParser() *gofeed.Parser {
	p := gofeed.NewParser()
	p.KeepOriginalFeed = true
	p.RSSTranslator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
	return p
}

// readJSONFeed decodes a JSON Feed the way gofeed does, then drops the null
// entries of its lists before translating: gofeed's translator dereferences
// them and panics ("items": [null], "authors": [null]).
func readJSONFeed(body []byte) (*gofeed.Feed, any, error) {
	jf := &jsonfeed.Feed{}
	if err := json.Unmarshal(body, jf); err != nil {
		return nil, nil, err
	}
	if !strings.HasPrefix(jf.Version, "https://jsonfeed.org/version/") && len(jf.Items) == 0 && jf.Title == "" {
		// gofeed reads any JSON object as an empty feed; RSS-in-JSON and
		// API responses are not feeds.
		return nil, nil, notFeed(`this JSON is not a JSON Feed: it has no "version": "https://jsonfeed.org/version/1.1", no title and no items`)
	}
	jf.Items = slices.DeleteFunc(jf.Items, func(it *jsonfeed.Item) bool { return it == nil })
	jf.Authors = slices.DeleteFunc(jf.Authors, func(a *jsonfeed.Author) bool { return a == nil })
	for _, it := range jf.Items {
		it.Authors = slices.DeleteFunc(it.Authors, func(a *jsonfeed.Author) bool { return a == nil })
	}
	gf, err := (&gofeed.DefaultJSONTranslator{}).Translate(jf)
	if err != nil {
		return nil, nil, err
	}
	return gf, jf, nil
}
