package feed

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"

	"github.com/venerdi/venerdi/internal/plaintext"
)

// notFeedError is the error Parse gives for a document it refuses. Its
// message is one line meant for the person who runs venerdi, not for a
// programmer: "not a feed: " and what is wrong, in plain words.
type notFeedError struct{ msg string }

func (e *notFeedError) Error() string { return "not a feed: " + e.msg }

func notFeed(format string, args ...any) error {
	// One line, so that a message quoting the document cannot smuggle a
	// line break into a log or a terminal.
	return &notFeedError{plaintext.Line(fmt.Sprintf(format, args...))}
}

// explain turns an error from gofeed into a notFeed error.
func explain(err error, body []byte) error {
	var nf *notFeedError
	if errors.As(err, &nf) {
		return err
	}
	if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
		return notFeed("%s", diagnose(body))
	}
	var xerr *xml.SyntaxError
	if errors.As(err, &xerr) {
		if strings.Contains(xerr.Msg, "unexpected EOF") {
			return notFeed("the XML ends too early, on line %d (the file looks cut off)", xerr.Line)
		}
		return notFeed("the XML is broken on line %d: %s", xerr.Line, xerr.Msg)
	}
	var jerr *json.SyntaxError
	if errors.As(err, &jerr) {
		// Offset counts the offending byte: the line is that of the one before.
		line := bytes.Count(body[:min(max(int(jerr.Offset)-1, 0), len(body))], []byte("\n")) + 1
		// A file cut off inside a string fails on its final newline
		// rather than on its end: both mean the same to a reader.
		if strings.Contains(jerr.Error(), "unexpected end") || jerr.Offset >= int64(len(bytes.TrimRight(body, " \t\r\n"))) {
			return notFeed("the JSON ends too early, on line %d (the file looks cut off)", line)
		}
		msg := jerr.Error()
		if strings.HasSuffix(msg, "in string literal") {
			msg = "a line break or control character inside a quoted text"
		}
		return notFeed("the JSON is broken on line %d: %s", line, msg)
	}
	var terr *json.UnmarshalTypeError
	if errors.As(err, &terr) {
		return notFeed("in the JSON Feed, %q holds %s where %s belongs",
			jsonField(terr.Field), jsonKind(terr.Value), goKind(terr.Type))
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return notFeed("the document ends too early (the file looks cut off)")
	}
	return notFeed("%s", err.Error())
}

// diagnose says what a document gofeed could not classify actually is.
func diagnose(body []byte) string {
	trimmed := bytes.TrimLeft(body, " \t\r\n\ufeff")
	if len(trimmed) == 0 {
		return "the document is empty"
	}
	if trimmed[0] != '<' {
		return fmt.Sprintf("it is neither XML (RSS, Atom) nor JSON Feed; it starts with %q", startOf(trimmed))
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	d.CharsetReader = charset.NewReaderLabel
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return "the document holds no elements, only comments or declarations"
		}
		if err != nil {
			var xerr *xml.SyntaxError
			if errors.As(err, &xerr) {
				return fmt.Sprintf("the XML is broken on line %d: %s", xerr.Line, xerr.Msg)
			}
			return err.Error()
		}
		switch t := tok.(type) {
		case xml.Directive:
			if dir := strings.ToLower(string(t)); strings.HasPrefix(dir, "doctype html") {
				return webPage(body)
			}
		case xml.StartElement:
			name := strings.ToLower(t.Name.Local)
			if a := atom.Lookup([]byte(name)); a != 0 && t.Name.Space == "" {
				return webPage(body)
			}
			return fmt.Sprintf("the document is XML whose root element is <%s>; a feed starts with <rss>, <feed> or <rdf:RDF>", t.Name.Local)
		}
	}
}

// webPage describes an HTML document, pointing at the feed it advertises
// when it has one (the usual mistake is configuring the blog's home page).
// The page is read as Discover reads it; its address is unknown here, so
// only an absolute feed link can be named.
func webPage(body []byte) string {
	const msg = "this is a web page (HTML), not RSS, Atom or JSON Feed"
	if d := scanHead(body).discovery(nil); len(d.Feeds) > 0 {
		return msg + "; the page links to a feed at " + d.Feeds[0].URL
	}
	return msg
}

// startOf returns the first few characters of b for an error message.
func startOf(b []byte) string {
	// A cut inside a UTF-8 sequence leaves invalid bytes, which Excerpt drops.
	return plaintext.Excerpt(string(b[:min(len(b), 120)]), 24)
}

// jsonField turns encoding/json's field path (which for gofeed's types
// reads like ".alias.items.alias.tags") into "items.tags".
func jsonField(f string) string {
	var parts []string
	for _, p := range strings.Split(f, ".") {
		if p != "" && p != "alias" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ".")
}

// jsonKind names a JSON value kind as encoding/json reports it.
func jsonKind(v string) string {
	switch v {
	case "string":
		return "text"
	case "number":
		return "a number"
	case "bool":
		return "true/false"
	case "array":
		return "a list"
	case "object":
		return "an object"
	}
	return v
}

// goKind names the JSON value a Go type expects.
func goKind(t reflect.Type) string {
	if t == nil {
		return "another kind of value"
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.String:
		return "text"
	case reflect.Struct, reflect.Map, reflect.Pointer:
		return "an object"
	case reflect.Bool:
		return "true/false"
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Float64, reflect.Float32, reflect.Uint, reflect.Uint64:
		return "a number"
	}
	return "another kind of value"
}
