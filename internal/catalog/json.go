package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/venerdi/venerdi/internal/plaintext"
)

var utf8BOM = []byte("\xef\xbb\xbf")

// member is one "key": value pair of a JSON object, in document order.
type member struct {
	Key   string
	Value json.RawMessage
}

// parseJSON reads the JSON catalog format:
//
//	{"series": "…", "webinars": [{"id": "…", "title": "…", …}, …]}
//
// Objects are walked member by member rather than decoded into structs, so
// that unknown and repeated keys are errors (either would silently lose what
// the author wrote) and every message can name the entry and the field.
func parseJSON(data []byte, opts Options) (_ *Catalog, err error) {
	defer func() { err = oneLineErr(err) }()
	src := opts.source()
	data = bytes.TrimPrefix(data, utf8BOM)
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%s: empty document: want {\"series\": …, \"webinars\": […]}", src)
	}
	var doc json.RawMessage
	if err := json.Unmarshal(data, &doc); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col := lineCol(data, se.Offset)
			return nil, fmt.Errorf("%s:%d:%d: %s", src, line, col, strings.TrimPrefix(se.Error(), "json: "))
		}
		return nil, fmt.Errorf("%s: %v", src, err)
	}
	top, ok := objectMembers(doc)
	if !ok {
		return nil, fmt.Errorf("%s: want an object {\"series\": …, \"webinars\": […]}, got %s", src, describeJSON(doc))
	}

	cat := &Catalog{}
	var items []json.RawMessage
	seenTop := map[string]bool{}
	for _, m := range top {
		if seenTop[m.Key] {
			return nil, fmt.Errorf("%s: %q appears twice", src, m.Key)
		}
		seenTop[m.Key] = true
		switch m.Key {
		case "series":
			s, err := jsonString(m.Value)
			if err != nil {
				return nil, fmt.Errorf("%s: series: %v", src, err)
			}
			cat.Series = plaintext.Line(s)
		case "webinars":
			if err := json.Unmarshal(m.Value, &items); err != nil || items == nil {
				return nil, fmt.Errorf("%s: webinars: want a list […], got %s", src, describeJSON(m.Value))
			}
		default:
			return nil, fmt.Errorf("%s: unknown field %q (want \"series\" and \"webinars\")", src, m.Key)
		}
	}
	if !seenTop["webinars"] {
		return nil, fmt.Errorf("%s: missing \"webinars\" (the list of webinars; [] for none)", src)
	}

	loc := opts.location()
	firstUse := map[string]int{} // id -> 1-based entry number
	cat.Webinars = make([]Webinar, 0, len(items))
	for i, raw := range items {
		n := i + 1
		e, err := decodeEntry(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", src, e.label(n), err)
		}
		w, derived, ferr := validate(e, parseRFC3339, loc)
		if ferr != nil {
			return nil, fmt.Errorf("%s: %s: %w", src, e.label(n), ferr)
		}
		if prev, dup := firstUse[w.ID]; dup {
			return nil, fmt.Errorf("%s: %s: %w", src, e.label(n), duplicateID(w.ID, derived, fmt.Sprintf("webinar %d", prev)))
		}
		firstUse[w.ID] = n
		cat.Webinars = append(cat.Webinars, w)
	}
	sortWebinars(cat.Webinars)
	return cat, nil
}

// duplicateID explains a repeated id; where names the entry that had it
// first.
func duplicateID(id string, derived bool, where string) *fieldError {
	if derived {
		return &fieldError{fieldURL, fmt.Sprintf("the id derived from it, %q, is already used by %s (same url? give one of them an id)", id, where)}
	}
	return &fieldError{fieldID, fmt.Sprintf("%q is already used by %s", id, where)}
}

// decodeEntry reads one webinar object. It fills what it can before
// failing, so the caller can still name the entry by its id or title.
func decodeEntry(raw json.RawMessage) (entry, error) {
	var e entry
	members, ok := objectMembers(raw)
	if !ok {
		return e, fmt.Errorf("want an object {\"title\": …}, got %s", describeJSON(raw))
	}
	// The label comes first: later errors should name the entry.
	for _, m := range members {
		switch m.Key {
		case fieldID:
			e.ID, _ = jsonString(m.Value)
		case fieldTitle:
			e.Title, _ = jsonString(m.Value)
		}
	}
	seen := map[string]bool{}
	var unknown []string
	for _, m := range members {
		if seen[m.Key] {
			return e, fmt.Errorf("%q appears twice", m.Key)
		}
		seen[m.Key] = true
		if !isKnownField(m.Key) {
			unknown = append(unknown, strconv.Quote(m.Key))
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		word := "field"
		if len(unknown) > 1 {
			word = "fields"
		}
		return e, fmt.Errorf("unknown %s %s (want %s)", word, strings.Join(unknown, ", "), strings.Join(knownFields, ", "))
	}
	for _, m := range members {
		var err error
		switch m.Key {
		case fieldID:
			e.ID, err = jsonString(m.Value)
		case fieldTitle:
			e.Title, err = jsonString(m.Value)
		case fieldSpeaker:
			e.Speaker, err = jsonString(m.Value)
		case fieldStartsAt:
			e.StartsAt, err = jsonString(m.Value)
		case fieldURL:
			e.URL, err = jsonString(m.Value)
		case fieldRecordingURL:
			e.RecordingURL, err = jsonString(m.Value)
		case fieldDescription:
			e.Description, err = jsonString(m.Value)
		case fieldDuration:
			e.Duration, err = jsonInt(m.Value)
		case fieldCancelled:
			e.Cancelled, err = jsonBool(m.Value)
		}
		if err != nil {
			return e, &fieldError{m.Key, err.Error()}
		}
	}
	return e, nil
}

func isKnownField(k string) bool {
	for _, f := range knownFields {
		if k == f {
			return true
		}
	}
	return false
}

// objectMembers lists the members of a JSON object; ok is false when raw
// (already known to be valid JSON) is not an object.
func objectMembers(raw json.RawMessage) (members []member, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if d, isDelim := tok.(json.Delim); err != nil || !isDelim || d != '{' {
		return nil, false
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		key, isString := tok.(string)
		if !isString {
			return nil, false
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, false
		}
		members = append(members, member{key, v})
	}
	return members, true
}

// jsonString reads a string member; null counts as absent.
func jsonString(raw json.RawMessage) (string, error) {
	var s *string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("want a string, got %s", describeJSON(raw))
	}
	if s == nil {
		return "", nil
	}
	return *s, nil
}

// jsonInt reads a whole number; null counts as absent. 60.0 is refused:
// a fraction of a minute is a typo, not a value to round.
func jsonInt(raw json.RawMessage) (*int, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	n, err := strconv.Atoi(string(raw))
	if err != nil {
		return nil, fmt.Errorf("want a whole number, got %s", describeJSON(raw))
	}
	return &n, nil
}

func jsonBool(raw json.RawMessage) (bool, error) {
	var b *bool
	if err := json.Unmarshal(raw, &b); err != nil {
		return false, fmt.Errorf("want true or false, got %s", describeJSON(raw))
	}
	return b != nil && *b, nil
}

// describeJSON shows a value in an error message: short values verbatim,
// long ones by kind.
func describeJSON(raw json.RawMessage) string {
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err == nil {
		raw = compact.Bytes()
	}
	s := string(bytes.TrimSpace(raw))
	if len(s) <= 40 {
		return s
	}
	switch s[0] {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		return shorten(s)
	}
	return shorten(s)
}

// lineCol turns a byte offset from encoding/json into a 1-based line and
// column (in characters) for an editor. json.SyntaxError.Offset counts the
// bytes read including the offending one.
func lineCol(data []byte, offset int64) (line, col int) {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	if offset > 0 {
		offset--
	}
	before := data[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	col = utf8.RuneCount(before[lineStart:]) + 1
	return line, col
}
