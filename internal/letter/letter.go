// Package letter reads a letter: a Markdown file with a YAML front matter
// (subject, preheader, stream) that the author writes by hand and venerdi
// sends to the list beside the weekly digest. It parses the front matter
// with line numbers for every mistake, renders the Markdown with goldmark
// (CommonMark, GFM tables, autolinks, strikethrough, the typographer with
// the language's quotes), resolves relative links and images against the
// blog's address and sanitises the HTML as the feed's posts are
// (feed.Sanitize), and writes the plain-text twin with numbered links.
//
// A letter is identified by its content: Hash is the SHA-256 of the file's
// bytes, front matter and body alike, with line endings normalised.
package letter

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"go.yaml.in/yaml/v3"

	"github.com/venerdi/venerdi/internal/feed"
	"github.com/venerdi/venerdi/internal/plaintext"
)

// Streams a letter may go to (front matter "stream:"); the default is
// "letters".
const (
	StreamLetters = "letters"
	StreamDigest  = "digest"
)

// MaxBytes bounds a letter file: a letter is a few kilobytes, and the
// email it becomes must stay under Gmail's 102 KB.
const MaxBytes = 1 << 20

// Letter is a parsed letter file.
type Letter struct {
	Subject   string
	Preheader string
	Stream    string
	// HTML is the body, sanitised, with absolute links: safe to embed.
	HTML string
	// Text is the body as plain text, each link's text followed by [n];
	// TextLinks are those links, in order, for the template to list.
	Text      string
	TextLinks []string
	// Hash identifies the letter: hex SHA-256 of the normalised file.
	Hash string
}

// Error is a mistake in a letter file, at a line (1-based; 0 when the
// whole file is at fault).
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Options say how a letter is read.
type Options struct {
	// SiteURL is what relative links and images resolve against.
	SiteURL string
	// Lang picks the typographer's quotes: «…» for "it", “…” otherwise.
	Lang string
}

// Parse reads the letter file named name (for messages) from src.
func Parse(name string, src []byte, o Options) (*Letter, error) {
	if len(src) > MaxBytes {
		return nil, &Error{File: name, Msg: fmt.Sprintf("%d bytes: a letter may be at most %d", len(src), MaxBytes)}
	}
	if !utf8.Valid(src) {
		return nil, &Error{File: name, Msg: "not UTF-8 text: save the file as UTF-8"}
	}
	norm := normalise(src)
	fm, body, bodyLine, err := split(name, norm)
	if err != nil {
		return nil, err
	}
	l, err := parseFrontMatter(name, fm)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(body) == "" {
		return nil, &Error{File: name, Line: bodyLine, Msg: "the letter has no body after its front matter"}
	}
	html, err := render(body, o)
	if err != nil {
		return nil, &Error{File: name, Line: bodyLine, Msg: err.Error()}
	}
	l.HTML = html
	l.Text, l.TextLinks = Text(html)
	sum := sha256.Sum256([]byte(norm))
	l.Hash = hex.EncodeToString(sum[:])
	return l, nil
}

// normalise drops a byte-order mark and turns CRLF and CR into LF, so the
// same letter saved on Windows hashes the same.
func normalise(src []byte) string {
	s := strings.TrimPrefix(string(src), "\ufeff")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// split cuts the front matter (between a first line "---" and the next
// line "---" or "...") from the body, and says on which line the body
// starts.
func split(name, s string) (fm, body string, bodyLine int, err error) {
	first, rest, ok := strings.Cut(s, "\n")
	if strings.TrimRight(first, " \t") != "---" {
		return "", "", 0, &Error{File: name, Line: 1, Msg: `no front matter: a letter begins with a line "---", then "subject: …" (and optionally "preheader:", "stream:"), then "---"`}
	}
	if !ok {
		rest = ""
	}
	line := 2
	var b strings.Builder
	for rest != "" || ok {
		var l string
		l, rest, ok = strings.Cut(rest, "\n")
		if t := strings.TrimRight(l, " \t"); t == "---" || t == "..." {
			return b.String(), rest, line + 1, nil
		}
		b.WriteString(l)
		b.WriteByte('\n')
		line++
		if !ok {
			break
		}
	}
	return "", "", 0, &Error{File: name, Line: 1, Msg: `the front matter is not closed: end it with a line "---" before the letter's text`}
}

// yamlLine finds "line N" in a yaml error.
var yamlLine = regexp.MustCompile(`line (\d+)`)

// parseFrontMatter reads the YAML between the "---" lines; its first line
// is the file's line 2.
func parseFrontMatter(name, fm string) (*Letter, error) {
	const offset = 1 // the opening "---"
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(fm), &doc); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		line := 1
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			n, _ := strconv.Atoi(m[1])
			// yaml may point past the end of what it was given (an
			// unexpected end): keep the line within the front matter.
			line = min(max(n+offset, 2), max(strings.Count(fm, "\n")+offset, 1))
			msg = strings.TrimSpace(yamlLine.ReplaceAllString(msg, ""))
			msg = strings.TrimPrefix(msg, ": ")
		}
		return nil, &Error{File: name, Line: line, Msg: "front matter: " + msg}
	}
	l := &Letter{Stream: StreamLetters}
	if len(doc.Content) == 0 {
		return nil, &Error{File: name, Line: 1, Msg: `the front matter has no "subject:"; add one, e.g. subject: "Auguri da Bottega"`}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, &Error{File: name, Line: root.Line + offset, Msg: `front matter: expected "key: value" lines (subject, preheader, stream)`}
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		line := k.Line + offset
		if seen[k.Value] {
			return nil, &Error{File: name, Line: line, Msg: fmt.Sprintf("front matter: %q is given twice", k.Value)}
		}
		seen[k.Value] = true
		if v.Kind != yaml.ScalarNode || (v.Tag != "!!str" && v.Tag != "!!int" && v.Tag != "!!float" && v.Tag != "!!bool") {
			return nil, &Error{File: name, Line: v.Line + offset, Msg: fmt.Sprintf("front matter: %s must be one line of text", k.Value)}
		}
		val := plaintext.Line(v.Value)
		switch k.Value {
		case "subject":
			l.Subject = val
		case "preheader":
			l.Preheader = val
		case "stream":
			switch val {
			case StreamLetters, StreamDigest:
				l.Stream = val
			default:
				return nil, &Error{File: name, Line: v.Line + offset, Msg: fmt.Sprintf("front matter: stream %q: use letters (the default) or digest", val)}
			}
		default:
			return nil, &Error{File: name, Line: line, Msg: fmt.Sprintf("front matter: unknown key %q (known: subject, preheader, stream)", k.Value)}
		}
	}
	if l.Subject == "" {
		line := 1
		if seen["subject"] {
			for i := 0; i+1 < len(root.Content); i += 2 {
				if root.Content[i].Value == "subject" {
					line = root.Content[i].Line + offset
				}
			}
			return nil, &Error{File: name, Line: line, Msg: "front matter: the subject is empty"}
		}
		return nil, &Error{File: name, Line: line, Msg: `the front matter has no "subject:"; add one, e.g. subject: "Auguri da Bottega"`}
	}
	if n := utf8.RuneCountInString(l.Subject); n > 200 {
		return nil, &Error{File: name, Line: 2, Msg: fmt.Sprintf("front matter: the subject is %d characters; keep it under 200 (inboxes show about 60)", n)}
	}
	return l, nil
}

// render turns the Markdown body into safe HTML with absolute links.
func render(body string, o Options) (string, error) {
	subs := map[extension.TypographicPunctuation]string{}
	if o.Lang == "it" {
		subs[extension.LeftDoubleQuote] = "«"
		subs[extension.RightDoubleQuote] = "»"
	}
	md := goldmark.New(
		goldmark.WithExtensions(extension.GFM,
			extension.NewTypographer(extension.WithTypographicSubstitutions(subs))),
	)
	var b bytes.Buffer
	if err := md.Convert([]byte(body), &b); err != nil {
		return "", fmt.Errorf("markdown: %w", err)
	}
	base := o.SiteURL
	if base != "" && !strings.HasSuffix(base, "/") {
		base += "/"
	}
	// goldmark leaves raw HTML out (it is not rendered unsafe); the
	// sanitiser then keeps only what an email may carry, resolving
	// relative URLs against the blog.
	out := feed.Sanitize(b.String(), base)
	out = strings.ReplaceAll(out, "<!-- raw HTML omitted -->", "")
	return paragraphsForEmail(out), nil
}

// paragraphTag matches an opening <p> with whatever attributes the
// sanitiser kept.
var paragraphTag = regexp.MustCompile(`<p(\s[^>]*)?>`)

// paragraphsForEmail turns paragraphs into blocks spaced by padding: a <p>
// carries a default margin each client sets its own way, and margin is
// what Gmail and Outlook honour least (the digest spaces with padding for
// the same reason). The text is the sanitiser's output, so only tags are
// renamed; nothing from the letter is let through unchecked.
func paragraphsForEmail(html string) string {
	html = paragraphTag.ReplaceAllString(html, `<div class="p"$1>`)
	return strings.ReplaceAll(html, "</p>", "</div>")
}
