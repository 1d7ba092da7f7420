package plaintext

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// seeds are the inputs every target starts from: header injection attempts,
// every kind of white space and control character, and broken UTF-8.
var seeds = []string{
	"",
	"Un titolo",
	"Titolo\r\nBcc: spam@example.com",
	"Hi\r\n\r\nBcc: evil@x",
	"  uno\n\n due\tTre  ",
	"uno\u2028due\u2029tre\u0085quattro",
	"a\x00b\x07c\x1bd\u0080e\u009ff\x7f",
	"\ufeffciao\xff\xfe mondo\uFFFD",
	"caff\xc3 \xe8\xa0",
	"10\u00a0€\u3000中文\u200d",
	"a\vb\fc\r\rd\r\n",
	"Città, perché è così difficile trovare un caffè decente all'aeroporto?",
	"Disse «basta» e poi altro ancora",
	"Supercalifragilistichespiralidoso",
	"简体中文测试简体中文测试",
}

// checkLine fails unless s is what Line promises: valid UTF-8 with no
// control characters (so no CR or LF), words separated by single spaces,
// nothing at either end.
func checkLine(t *testing.T, what, s string) {
	t.Helper()
	switch {
	case !utf8.ValidString(s):
		t.Fatalf("%s = %q; want valid UTF-8", what, s)
	case strings.ContainsFunc(s, unicode.IsControl):
		t.Fatalf("%s = %q; want no control characters", what, s)
	case strings.ContainsFunc(s, func(r rune) bool { return r != ' ' && unicode.IsSpace(r) }):
		t.Fatalf("%s = %q; want no white space but single spaces", what, s)
	case strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") || strings.Contains(s, "  "):
		t.Fatalf("%s = %q; want no leading, trailing or double spaces", what, s)
	case strings.ContainsAny(s, "\uFEFF\uFFFD"):
		t.Fatalf("%s = %q; want no byte-order mark or replacement character", what, s)
	}
}

func FuzzLine(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Line(s)
		checkLine(t, "Line(s)", got)
		if again := Line(got); again != got {
			t.Fatalf("Line(%q) = %q; want it unchanged", got, again)
		}
		// The fast path must agree with the slow one.
		if clean := isCleanLine(s); clean != (cleanLine(s) == s) {
			t.Fatalf("isCleanLine(%q) = %v; cleanLine gives %q", s, clean, cleanLine(s))
		}
		// Cutting a clean line keeps it clean.
		runes := utf8.RuneCountInString(got)
		for _, n := range []int{1, 2, 5, runes - 1, runes} {
			cut := Truncate(got, n)
			checkLine(t, "Truncate(Line(s))", cut)
			if c := utf8.RuneCountInString(cut); c > max(n, 0) {
				t.Fatalf("Truncate(%q, %d) = %q: %d runes; want at most %d", got, n, cut, c, n)
			}
			if n > 0 && cut != got && !(strings.HasSuffix(cut, "…") && strings.HasPrefix(got, strings.TrimSuffix(cut, "…"))) {
				t.Fatalf("Truncate(%q, %d) = %q; want a prefix of it ending in …", got, n, cut)
			}
		}
	})
}

func FuzzExcerpt(f *testing.F) {
	for _, s := range seeds {
		for _, limit := range []int{0, 1, 6, 20, 300} {
			f.Add(s, limit)
		}
	}
	f.Fuzz(func(t *testing.T, s string, limit int) {
		got := Excerpt(s, limit)
		if n := utf8.RuneCountInString(got); n > max(limit, 0) {
			t.Fatalf("Excerpt(%q, %d) = %q: %d runes; want at most %d", s, limit, got, n, limit)
		}
		checkLine(t, "Excerpt(s)", got)
		line := Line(s)
		if limit <= 0 {
			if got != "" {
				t.Fatalf("Excerpt(%q, %d) = %q; want \"\"", s, limit, got)
			}
			return
		}
		if got == line {
			return
		}
		if !strings.HasSuffix(got, "…") || !strings.HasPrefix(line, strings.TrimSuffix(got, "…")) {
			t.Fatalf("Excerpt(%q, %d) = %q; want %q or a prefix of it ending in …", s, limit, got, line)
		}
	})
}

func FuzzBlock(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Block(s)
		switch {
		case !utf8.ValidString(got):
			t.Fatalf("Block(%q) = %q; want valid UTF-8", s, got)
		case strings.ContainsFunc(got, func(r rune) bool { return r != '\n' && r != '\t' && unicode.IsControl(r) }):
			t.Fatalf("Block(%q) = %q; want no control characters but LF and tab", s, got)
		case strings.ContainsAny(got, "\u2028\u2029\uFEFF\uFFFD"):
			t.Fatalf("Block(%q) = %q; want no line separators, byte-order marks or replacement characters", s, got)
		case got != strings.TrimSpace(got):
			t.Fatalf("Block(%q) = %q; want it trimmed", s, got)
		}
		if again := Block(got); again != got {
			t.Fatalf("Block(%q) = %q; want it unchanged", got, again)
		}
		// A block read as one line says what the text read as one line says.
		if a, b := Line(got), Line(s); a != b {
			t.Fatalf("Line(Block(%q)) = %q; want Line of it, %q", s, a, b)
		}
	})
}
