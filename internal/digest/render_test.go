package digest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func sampleData(lang string) *Data {
	rome, _ := time.LoadLocation("Europe/Rome")
	return Build(&Input{
		Site: Site{Title: "Bottega Digitale", URL: "https://bottega.example.it"}, Lang: lang, Location: rome,
		Now: time.Date(2026, 12, 4, 9, 0, 0, 0, rome), Week: "2026-W49",
	})
}

func TestRenderBothLanguages(t *testing.T) {
	for lang, subject := range map[string]string{"it": "4 dicembre 2026", "en": "4 December 2026"} {
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
	if err != nil || len(files) != 5 {
		t.Fatalf("Export = %v, %v; want 5 files (digest and confirmation)", files, err)
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
