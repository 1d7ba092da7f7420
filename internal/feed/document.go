package feed

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/mmcdole/gofeed"
	jsonfeed "github.com/mmcdole/gofeed/json"

	"github.com/venerdi/venerdi/internal/plaintext"
)

// readDocument parses body (UTF-8) with gofeed and returns the universal
// feed with the format-specific one it came from (*rss.Feed for RSS, for
// guid permalinks; *jsonfeed.Feed for JSON Feed, for content_text), and
// warnings about what was ignored to read it.
func readDocument(body []byte) (*gofeed.Feed, any, []string, error) {
	if trimmed := bytes.TrimLeft(body, " \t\r\n"); len(trimmed) > 0 && trimmed[0] == '{' {
		return readJSONFeed(body)
	}
	gf, err := newGofeedParser().Parse(bytes.NewReader(body))
	if err != nil {
		return nil, nil, nil, err
	}
	return gf, gf.OriginalFeed(), nil, nil
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
//
// It reads leniently, as the spec's readers do: a field holding the wrong
// kind of value ("tags": "a,b" for a list) is ignored, with a warning naming
// the item and the field, and the rest of the feed is read. Only broken
// JSON, or JSON that is not a feed, is refused.
func readJSONFeed(body []byte) (*gofeed.Feed, any, []string, error) {
	jf := &jsonfeed.Feed{}
	var warnings []string
	if err := json.Unmarshal(body, jf); err != nil {
		var terr *json.UnmarshalTypeError
		if !errors.As(err, &terr) {
			return nil, nil, nil, err
		}
		// Read again field by field, keeping every field that decodes
		// (encoding/json stops at the first value of the wrong kind).
		jf, warnings = readJSONLeniently(body)
	}
	if !strings.HasPrefix(jf.Version, "https://jsonfeed.org/version/") && len(jf.Items) == 0 && jf.Title == "" {
		// gofeed reads any JSON object as an empty feed; RSS-in-JSON and
		// API responses are not feeds.
		return nil, nil, nil, notFeed(`this JSON is not a JSON Feed: it has no "version": "https://jsonfeed.org/version/1.1", no title and no items`)
	}
	jf.Items = slices.DeleteFunc(jf.Items, func(it *jsonfeed.Item) bool { return it == nil })
	jf.Authors = slices.DeleteFunc(jf.Authors, func(a *jsonfeed.Author) bool { return a == nil })
	for _, it := range jf.Items {
		it.Authors = slices.DeleteFunc(it.Authors, func(a *jsonfeed.Author) bool { return a == nil })
	}
	gf, err := (&gofeed.DefaultJSONTranslator{}).Translate(jf)
	if err != nil {
		return nil, nil, nil, err
	}
	return gf, jf, warnings, nil
}

// readJSONLeniently decodes a JSON Feed (valid JSON, an object) field by
// field, leaving out each value of the wrong kind, and names them, one
// warning per field and problem: `item 3 ("https://…"): "tags" is text
// where a list belongs; ignored`, or `84 items (item 1 ("a"), …)` when many
// items share the problem.
func readJSONLeniently(body []byte) (*jsonfeed.Feed, []string) {
	jf := &jsonfeed.Feed{}
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return jf, []string{"the document is not a JSON object; ignored"}
	}
	type problem struct{ field, detail string }
	var order []problem
	where := map[problem][]string{}
	note := func(field, detail, at string) {
		p := problem{field, detail}
		if _, ok := where[p]; !ok {
			order = append(order, p)
		}
		where[p] = append(where[p], at)
	}
	// decode sets each field of fields on v that decodes on its own into
	// fresh(), and notes the others.
	decode := func(v any, fresh func() any, fields map[string]json.RawMessage, at string) {
		for _, k := range slices.Sorted(maps.Keys(fields)) {
			if k == "items" && at == "" {
				continue
			}
			obj := wrapField(k, fields[k])
			if field, detail, bad := probeField(fresh(), k, obj); bad {
				note(field, detail, at)
				continue
			}
			_ = json.Unmarshal(obj, v)
		}
	}
	decode(jf, func() any { return &jsonfeed.Feed{} }, top, "")
	if raw, ok := top["items"]; ok {
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			note("items", "is "+jsonValueKind(raw)+" where a list belongs", "")
		}
		for i, raw := range items {
			it := &jsonfeed.Item{}
			if json.Unmarshal(raw, it) == nil {
				jf.Items = append(jf.Items, it)
				continue
			}
			var fields map[string]json.RawMessage
			if json.Unmarshal(raw, &fields) != nil {
				note("", "is "+jsonValueKind(raw)+" where an object belongs", itemName(i, nil))
				continue
			}
			decode(it, func() any { return &jsonfeed.Item{} }, fields, itemName(i, fields))
			jf.Items = append(jf.Items, it)
		}
	}
	out := make([]string, 0, len(order))
	for _, p := range order {
		at := where[p]
		var w string
		switch {
		case at[0] == "":
			w = fmt.Sprintf("the feed's %q %s; ignored", p.field, p.detail)
		case p.field == "":
			w = fmt.Sprintf("%s %s; ignored", listSome(at, 3), p.detail)
		case len(at) == 1:
			w = fmt.Sprintf("%s: %q %s; ignored", at[0], p.field, p.detail)
		default:
			w = fmt.Sprintf("%d items (%s): %q %s; ignored", len(at), listSome(at, 3), p.field, p.detail)
		}
		out = append(out, w)
	}
	return jf, out
}

// wrapField returns the JSON object {key: raw}.
func wrapField(key string, raw json.RawMessage) []byte {
	name, _ := json.Marshal(key)
	obj := make([]byte, 0, len(name)+len(raw)+3)
	obj = append(append(append(append(obj, '{'), name...), ':'), raw...)
	return append(obj, '}')
}

// probeField decodes obj, the object {key: …}, into v and reports the field
// that holds the wrong kind of value, if any, and what is wrong with it.
func probeField(v any, key string, obj []byte) (field, detail string, bad bool) {
	var terr *json.UnmarshalTypeError
	if err := json.Unmarshal(obj, v); !errors.As(err, &terr) {
		return "", "", false
	}
	field = jsonField(terr.Field)
	if field == "" {
		field = key
	}
	return field, fmt.Sprintf("is %s where %s belongs", jsonKind(terr.Value), goKind(terr.Type)), true
}

// itemName names the i-th item (from 0) for a person: `item 3 ("id")`.
func itemName(i int, fields map[string]json.RawMessage) string {
	var id string
	if json.Unmarshal(fields["id"], &id) == nil && id != "" {
		return fmt.Sprintf("item %d (%q)", i+1, plaintext.Excerpt(id, 60))
	}
	return fmt.Sprintf("item %d", i+1)
}

// jsonValueKind names the kind of a raw JSON value.
func jsonValueKind(raw json.RawMessage) string {
	switch t := bytes.TrimLeft(raw, " \t\r\n"); {
	case len(t) == 0:
		return "nothing"
	case t[0] == '"':
		return "text"
	case t[0] == '{':
		return "an object"
	case t[0] == '[':
		return "a list"
	case t[0] == 't' || t[0] == 'f':
		return "true/false"
	case t[0] == 'n':
		return "null"
	}
	return "a number"
}

// listSome joins the first n of names and says how many more there are.
func listSome(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:n], ", "), len(names)-n)
}
