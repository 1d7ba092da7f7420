package feed

import (
	"bytes"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/unicode"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// toUTF8 returns body as UTF-8 text, converting it when it is in another
// encoding, so the parsers downstream see only UTF-8. When it converts, it
// also rewrites the XML declaration to say UTF-8, so that the XML decoder
// does not convert a second time.
//
// The order of trust: a byte-order mark; then the bytes themselves when they
// are valid UTF-8 (servers routinely label UTF-8 feeds ISO-8859-1, and a
// legacy-encoded text with accented letters is practically never valid
// UTF-8 by accident); then the XML declaration's encoding; then the charset
// of the Content-Type header. A body that is not UTF-8 and names no encoding
// is refused rather than guessed at: mojibake sent to every subscriber is
// worse than an error that says how to fix the feed.
func toUTF8(body []byte, contentType string) ([]byte, error) {
	switch {
	case bytes.HasPrefix(body, utf8BOM):
		body = body[len(utf8BOM):]
	case bytes.HasPrefix(body, []byte{0xFE, 0xFF}), bytes.HasPrefix(body, []byte{0xFF, 0xFE}):
		dec := unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder()
		out, err := dec.Bytes(body)
		if err != nil {
			return nil, notFeed("the text starts like UTF-16 but cannot be read as UTF-16")
		}
		return declareUTF8(out), nil
	}

	declared, _, _ := xmlDeclEncoding(body)
	if utf8.Valid(body) {
		return declareUTF8(body), nil
	}

	label, from := declared, "the XML declaration"
	if label == "" {
		label, from = headerCharset(contentType), "the Content-Type header"
	}
	line := invalidUTF8Line(body)
	if label == "" {
		return nil, notFeed("the text is not UTF-8 (see line %d) and does not say which encoding it uses; "+
			`declare it in the first line, e.g. <?xml version="1.0" encoding="ISO-8859-1"?>`, line)
	}
	enc, name := charset.Lookup(label)
	if enc == nil {
		return nil, notFeed("%s names an unknown text encoding %q", from, label)
	}
	if name == "utf-8" {
		return nil, notFeed("%s says the text is UTF-8, but line %d is not valid UTF-8", from, line)
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return nil, notFeed("the text cannot be read as %s: %v", name, err)
	}
	return declareUTF8(out), nil
}

// xmlDeclRE matches the encoding pseudo-attribute of an XML declaration.
var xmlDeclRE = regexp.MustCompile(`\bencoding\s*=\s*["']([^"']*)["']`)

// xmlDeclEncoding returns the encoding named by body's XML declaration, if it
// starts with one, and the byte range of that name within body.
func xmlDeclEncoding(body []byte) (label string, start, end int) {
	lead := len(body) - len(bytes.TrimLeft(body, " \t\r\n"))
	rest := body[lead:]
	if !bytes.HasPrefix(rest, []byte("<?xml")) {
		return "", 0, 0
	}
	close := bytes.Index(rest, []byte("?>"))
	if close < 0 {
		return "", 0, 0
	}
	m := xmlDeclRE.FindSubmatchIndex(rest[:close])
	if m == nil {
		return "", 0, 0
	}
	return strings.TrimSpace(string(rest[m[2]:m[3]])), lead + m[2], lead + m[3]
}

// declareUTF8 rewrites body's XML declaration, if it names an encoding
// other than UTF-8, to name UTF-8. body must already be UTF-8.
func declareUTF8(body []byte) []byte {
	label, start, end := xmlDeclEncoding(body)
	if label == "" || strings.EqualFold(label, "utf-8") || strings.EqualFold(label, "utf8") {
		return body
	}
	out := make([]byte, 0, len(body))
	out = append(out, body[:start]...)
	out = append(out, "UTF-8"...)
	return append(out, body[end:]...)
}

// headerCharset returns the charset parameter of a Content-Type value, or "".
func headerCharset(contentType string) string {
	if contentType == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(params["charset"])
}

// invalidUTF8Line returns the 1-based line of the first byte that is not
// valid UTF-8.
func invalidUTF8Line(body []byte) int {
	valid := body
	for i := 0; i < len(body); {
		r, size := utf8.DecodeRune(body[i:])
		if r == utf8.RuneError && size <= 1 {
			valid = body[:i]
			break
		}
		i += size
	}
	return bytes.Count(valid, []byte("\n")) + 1
}
