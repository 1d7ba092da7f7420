package plaintext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestWrap(t *testing.T) {
	tests := []struct {
		name   string
		width  int
		indent string
		text   string
		want   string
	}{
		{"empty", 72, "  ", "", ""},
		{"blank", 72, "  ", " \n\t ", ""},
		{"short", 72, "  ", "Ciao a tutti.", "  Ciao a tutti."},
		{"exact fit", 12, "", "aaaaa bbbbbb", "aaaaa bbbbbb"},
		{"one over", 11, "", "aaaaa bbbbbb", "aaaaa\nbbbbbb"},
		{"indent counts", 14, "  ", "aaaaa bbbbbb", "  aaaaa bbbbbb"},
		{"indent counts over", 13, "  ", "aaaaa bbbbbb", "  aaaaa\n  bbbbbb"},
		{"runes not bytes", 12, "", "così perché", "così perché"},
		{"collapse", 72, "", "uno   due\ntre\r\nquattro", "uno due tre quattro"},
		{"paragraphs", 72, "> ", "uno\n\n\ndue", "> uno\n\n> due"},
		{"long word", 10, "  ", "vai su https://bottega.example.it/seo-locale ora", "  vai su\n  https://bottega.example.it/seo-locale\n  ora"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Wrap(tt.width, tt.indent, tt.text); got != tt.want {
				t.Errorf("Wrap(%d, %q, %q) = %q; want %q", tt.width, tt.indent, tt.text, got, tt.want)
			}
		})
	}
}

func TestWrapWidth(t *testing.T) {
	text := strings.Repeat("Il profilo dell'attività è la prima cosa che vede chi ti cerca su Google Maps. ", 20)
	got := Wrap(72, "   ", text)
	for i, line := range strings.Split(got, "\n") {
		if n := utf8.RuneCountInString(line); n > 72 {
			t.Errorf("line %d has %d runes; want at most 72: %q", i, n, line)
		}
		if !strings.HasPrefix(line, "   ") || strings.HasPrefix(line, "    ") {
			t.Errorf("line %d = %q; want exactly a three-space indent", i, line)
		}
	}
	if strings.Join(strings.Fields(got), " ") != strings.Join(strings.Fields(text), " ") {
		t.Errorf("Wrap changed the words")
	}
}
