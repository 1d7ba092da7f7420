// Package digest decides how an issue reads: it turns the posts and webinars
// chosen for a week into the template data model and renders the subject,
// the HTML part and the text part from the default templates or the
// author's overrides.
package digest

import (
	"bytes"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	texttemplate "text/template"

	"github.com/vanng822/go-premailer/premailer"

	"github.com/venerdi/venerdi/internal/plaintext"
	"github.com/venerdi/venerdi/templates"
)

// Template file names, the same in the embedded defaults and in an override
// directory.
const (
	SubjectFile = "subject.txt"
	TextFile    = "digest.txt"
	HTMLFile    = "digest.html"
	// LayoutFile is the frame every HTML email shares (head, styles,
	// column, header, footer); the pages fill its blocks.
	LayoutFile = "layout.html"
)

// UnsubscribePlaceholder stands in for the personal unsubscribe URL in a
// frozen issue; the sender replaces it for each recipient. It is a plain URL
// so that html/template leaves it as it is in an href.
const UnsubscribePlaceholder = "https://unsubscribe.venerdi.invalid/TOKEN"

// Rendered is an issue ready to freeze.
type Rendered struct {
	Subject string
	HTML    string
	Text    string
}

// Renderer renders issues in one language.
type Renderer struct {
	subject  *texttemplate.Template
	text     *texttemplate.Template
	html     *htmltemplate.Template
	htmlName string // the HTML template's file, for inlining errors
}

// NewRenderer loads the templates for lang, each file taken from
// overrideDir when it is there and from the embedded defaults otherwise, so
// an author can override just the HTML and keep the rest.
func NewRenderer(lang, overrideDir string) (*Renderer, error) {
	lang = Lang(lang)
	read := func(name string) (string, string, error) { return readTemplate(lang, overrideDir, name) }
	var r Renderer
	src, name, err := read(SubjectFile)
	if err == nil {
		r.subject, err = texttemplate.New(name).Funcs(TextFuncs()).Option("missingkey=error").Parse(src)
	}
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	src, name, err = read(TextFile)
	if err == nil {
		r.text, err = texttemplate.New(name).Funcs(TextFuncs()).Option("missingkey=error").Parse(src)
	}
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	if r.html, r.htmlName, err = parseHTMLPage(lang, overrideDir, HTMLFile); err != nil {
		return nil, err
	}
	return &r, nil
}

// parseHTMLPage parses layout.html and then the page file in one set, each
// from overrideDir when it is there, so the page's blocks fill the
// layout's (an author may override either file alone, or write a whole
// page that does not use the layout). It returns the page's template and
// its file name.
func parseHTMLPage(lang, overrideDir, page string) (*htmltemplate.Template, string, error) {
	src, name, err := readTemplate(lang, overrideDir, LayoutFile)
	var t *htmltemplate.Template
	if err == nil {
		t, err = htmltemplate.New(name).Funcs(TextFuncs()).Funcs(HTMLFuncs()).Option("missingkey=error").Parse(src)
	}
	if err != nil {
		return nil, name, fmt.Errorf("template %s: %w", name, err)
	}
	if src, name, err = readTemplate(lang, overrideDir, page); err == nil {
		t, err = t.New(name).Parse(src)
	}
	if err != nil {
		return nil, name, fmt.Errorf("template %s: %w", name, err)
	}
	return t, name, nil
}

// SubjectKey names the config key whose value replaces subject.txt.
const SubjectKey = "digest.subject"

// SetSubject replaces the subject template with src (the digest.subject
// setting); an empty src keeps subject.txt.
func (r *Renderer) SetSubject(src string) error {
	if strings.TrimSpace(src) == "" {
		return nil
	}
	t, err := texttemplate.New(SubjectKey).Funcs(TextFuncs()).Option("missingkey=error").Parse(src)
	if err != nil {
		return fmt.Errorf("%s: %w", SubjectKey, err)
	}
	r.subject = t
	return nil
}

// Render executes the three templates with d.
func (r *Renderer) Render(d *Data) (*Rendered, error) {
	subj, text, html := bounded(1<<10), bounded(MaxOutput), bounded(MaxOutput)
	if err := r.subject.Execute(subj, d); err != nil {
		return nil, fmt.Errorf("render subject: %w", err)
	}
	if err := r.text.Execute(text, d); err != nil {
		return nil, fmt.Errorf("render text: %s: %w", r.text.Name(), err)
	}
	if err := r.html.Execute(html, d); err != nil {
		return nil, fmt.Errorf("render html: %s: %w", r.htmlName, err)
	}
	inlined, err := Inline(html.String())
	if err != nil {
		return nil, fmt.Errorf("render html: %s: %w", r.htmlName, err)
	}
	return &Rendered{Subject: plaintext.Line(subj.String()), HTML: inlined, Text: text.String()}, nil
}

// MaxOutput bounds what one template may write. An issue is a few dozen
// kilobytes; a template with a runaway loop stops here, with an error
// naming it, instead of eating the machine's memory.
const MaxOutput = 8 << 20

// boundedBuffer is a buffer that refuses to grow past its limit.
type boundedBuffer struct {
	bytes.Buffer
	limit int
}

func bounded(limit int) *boundedBuffer { return &boundedBuffer{limit: limit} }

func (b *boundedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.limit {
		return 0, fmt.Errorf("output passed %d bytes, far more than any issue needs (a loop that does not end?)", b.limit)
	}
	return b.Buffer.Write(p)
}

// Inline moves the rules of the document's <style> blocks into style
// attributes (go-premailer), so that an author may write classes and mail
// clients that drop <style> (or the classes) still see the design. What
// cannot be inlined stays in a <style> in the head: media queries (small
// screens, prefers-color-scheme) and selectors for states and clients
// (:hover, [data-ogsc]). A block marked <style data-premailer="ignore"> is
// kept as it is, unmarked; the default template keeps its dark-mode rules for
// Outlook.com ([data-ogsc]) there, since they match nothing at render time
// and premailer would drop them.
func Inline(doc string) (string, error) {
	if !strings.Contains(doc, "<style") {
		return doc, nil
	}
	p, err := premailer.NewPremailerFromString(doc, premailer.NewOptions(premailer.WithKeepBangImportant(true)))
	if err != nil {
		return "", fmt.Errorf("inline css: %w", err)
	}
	out, err := p.Transform()
	if err != nil {
		return "", fmt.Errorf("inline css: %w", err)
	}
	out = strings.ReplaceAll(out, `<style data-premailer="ignore">`, "<style>")
	out = strings.ReplaceAll(out, `<style type="text/css">`, "<style>")
	return out, nil
}

// readTemplate returns the template name from overrideDir when it is there,
// else the embedded default for lang.
func readTemplate(lang, overrideDir, name string) (string, string, error) {
	if overrideDir != "" {
		p := filepath.Join(overrideDir, name)
		b, err := os.ReadFile(p)
		if err == nil {
			return string(b), p, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", p, err
		}
	}
	return readDefault(lang, name)
}

// readDefault returns the embedded template for lang: the language's own
// file when there is one, else the shared one.
func readDefault(lang, name string) (string, string, error) {
	p := path.Join(lang, name)
	b, err := fs.ReadFile(templates.FS, p)
	if errors.Is(err, fs.ErrNotExist) {
		p = name
		b, err = fs.ReadFile(templates.FS, p)
	}
	return string(b), "templates/" + p, err
}

// Export writes the default templates for lang into dir for editing; it
// refuses to overwrite files already there.
func Export(lang, dir string) ([]string, error) {
	lang = Lang(lang)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var written []string
	for _, name := range []string{SubjectFile, TextFile, LayoutFile, HTMLFile, LetterTextFile, LetterHTMLFile, "confirm.txt", "confirm.html"} {
		b, _, err := readDefault(lang, name)
		if err != nil {
			return written, err
		}
		p := filepath.Join(dir, name)
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return written, fmt.Errorf("export: %w", err)
		}
		_, err = f.WriteString(b)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return written, err
		}
		written = append(written, p)
	}
	return written, nil
}
