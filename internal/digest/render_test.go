package digest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/venerdi/venerdi/internal/feed"
)

func sampleData(lang string) *Data {
	rome, _ := time.LoadLocation("Europe/Rome")
	return Build(&Input{
		Site: Site{Title: "Bottega Digitale", URL: "https://bottega.example.it"}, Lang: lang, Location: rome,
		Now: time.Date(2026, 12, 4, 9, 0, 0, 0, rome), Week: "2026-W49",
	})
}

func TestRenderBothLanguages(t *testing.T) {
	for lang, subject := range map[string]string{"it": "4 dicembre", "en": "4 December"} {
		r, err := NewRenderer(lang, "")
		if err != nil {
			t.Fatal(err)
		}
		out, err := r.Render(sampleData(lang))
		if err != nil {
			t.Fatalf("Render(%s): %v", lang, err)
		}
		if !strings.Contains(out.Subject, subject) || !strings.Contains(out.HTML, `lang="`+lang+`"`) {
			t.Errorf("Render(%s) subject %q / html lang missing", lang, out.Subject)
		}
		if !strings.Contains(out.Text, UnsubscribePlaceholder) || !strings.Contains(out.HTML, UnsubscribePlaceholder) {
			t.Errorf("Render(%s): no unsubscribe link in both parts", lang)
		}
	}
}

// An override folder replaces the defaults file by file; Export writes the
// defaults out and refuses to overwrite.
func TestOverrideAndExport(t *testing.T) {
	dir := t.TempDir()
	files, err := Export("it", dir)
	if err != nil || len(files) != 8 {
		t.Fatalf("Export = %v, %v; want 8 files (the layout, digest, letter and confirmation)", files, err)
	}
	if _, err := Export("it", dir); err == nil {
		t.Error("second Export overwrote the files; want an error")
	}
	os.WriteFile(filepath.Join(dir, SubjectFile), []byte("Novità di {{.Site.Title}}\r\nBcc: x@y.z"), 0o644)
	os.Remove(filepath.Join(dir, TextFile)) // falls back to the default
	r, err := NewRenderer("it", dir)
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.Render(sampleData("it"))
	if err != nil {
		t.Fatal(err)
	}
	if out.Subject != "Novità di Bottega Digitale Bcc: x@y.z" {
		t.Errorf("Subject = %q; want the override on one line", out.Subject)
	}
	if !strings.Contains(out.Text, "Bottega Digitale") {
		t.Error("text part missing: the default should fill in for the removed override")
	}
	os.WriteFile(filepath.Join(dir, HTMLFile), []byte("{{.NoSuchField}}"), 0o644)
	if r, err := NewRenderer("it", dir); err == nil {
		if _, err := r.Render(sampleData("it")); err == nil || !strings.Contains(err.Error(), "NoSuchField") {
			t.Errorf("Render with a broken override = %v; want an error naming the field", err)
		}
	}
}

// An author's override may use a <style> block and classes: the rules are
// inlined when the issue is rendered, and only media queries (and what
// cannot be inlined) stay in <style>. The conditional comments for Outlook
// come only from the fixed list behind mso; a name not on it is an error
// that names the file and line.
func TestOverrideStylesAreInlined(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, HTMLFile), []byte(`<!doctype html>
<html lang="{{.Lang}}"><head><style>
.title { color: #123456; font-size: 20px; }
@media (prefers-color-scheme: dark) { .title { color: #fedcba !important; } }
</style></head>
<body>{{mso "ghost-open"}}<h1 class="title">{{.Site.Title}}</h1>{{mso "ghost-close"}}</body></html>`), 0o644)
	r, err := NewRenderer("it", dir)
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.Render(sampleData("it"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<h1 class="title" style="color:#123456;font-size:20px">`, `prefers-color-scheme: dark`, `<!--[if mso]><table role="presentation" width="600"`} {
		if !strings.Contains(out.HTML, want) {
			t.Errorf("rendered override lacks %q:\n%s", want, out.HTML)
		}
	}
	if strings.Contains(out.HTML, ".title { color: #123456") {
		t.Errorf("the inlined rule is still in <style>:\n%s", out.HTML)
	}
	os.WriteFile(filepath.Join(dir, HTMLFile), []byte("<p>\n{{mso .Site.Title}}</p>"), 0o644)
	r, err = NewRenderer("it", dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Render(sampleData("it"))
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, HTMLFile)+":2") || !strings.Contains(err.Error(), "use one of") {
		t.Errorf("Render with {{mso .Site.Title}} = %v; want an error naming %s:2 and the snippets", err, HTMLFile)
	}
}

// The default subject names the lead post (its title up to the colon) and
// how many more there are; digest.subject replaces it, and its errors
// name the key.
func TestSubject(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	post := func(title string) feed.Post { return feed.Post{Title: title, Link: "https://bottega.example.it/x/"} }
	tests := []struct {
		lang  string
		posts []feed.Post
		want  string
	}{
		{"it", []feed.Post{post("UTM fatti bene: una convenzione"), post("b"), post("c"), post("d")}, "UTM fatti bene, e altri 3 post · 4 dicembre"},
		{"it", []feed.Post{post("UTM fatti bene: una convenzione"), post("b")}, "UTM fatti bene, e un altro post · 4 dicembre"},
		{"en", []feed.Post{post("A short one")}, "A short one · 4 December"},
		{"en", []feed.Post{post("UTM done right: a naming convention"), post("b"), post("c")}, "UTM done right, and 2 more posts · 4 December"},
	}
	for _, tt := range tests {
		r, err := NewRenderer(tt.lang, "")
		if err != nil {
			t.Fatal(err)
		}
		out, err := r.Render(Build(&Input{Lang: tt.lang, Location: rome, Now: time.Date(2026, 12, 4, 9, 0, 0, 0, rome), Posts: tt.posts}))
		if err != nil {
			t.Fatal(err)
		}
		if out.Subject != tt.want {
			t.Errorf("subject (%s, %d posts) = %q; want %q", tt.lang, len(tt.posts), out.Subject, tt.want)
		}
	}
	r, _ := NewRenderer("it", "")
	if err := r.SetSubject("{{.Site.Title}} · {{.ShortDate}}"); err != nil {
		t.Fatal(err)
	}
	if out, err := r.Render(sampleData("it")); err != nil || out.Subject != "Bottega Digitale · 4 dicembre" {
		t.Errorf("digest.subject = %q, %v; want Bottega Digitale · 4 dicembre", out.Subject, err)
	}
	r.SetSubject("{{.Nope}}")
	if _, err := r.Render(sampleData("it")); err == nil || !strings.Contains(err.Error(), SubjectKey) {
		t.Errorf("a broken digest.subject renders with %v; want an error naming %s", err, SubjectKey)
	}
}
