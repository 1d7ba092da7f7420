package plaintext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"plain", "Un titolo", "Un titolo"},
		{"accents and symbols", "caffè · più", "caffè · più"},
		{"both ends", "  both ends  ", "both ends"},
		{"CR LF header injection", "Titolo\r\nBcc: spam@example.com", "Titolo Bcc: spam@example.com"},
		{"CR LF between spaces", "a \r\n b", "a b"},
		{"lone CR and LF", "a\rb\nc", "a b c"},
		{"tab VT FF", "a\tb\vc\fd", "a b c d"},
		{"tabs and runs of space", "\t a \t  b  ", "a b"},
		{"unicode separators", "uno\u2028due\u2029tre\u0085quattro", "uno due tre quattro"},
		{"no-break space is white space", "10\u00a0€ e\u00a0\u00a0basta\u00a0", "10 € e basta"},
		{"ideographic space", "中文\u3000测试", "中文 测试"},
		{"control characters", "a\x00b\x07c\x1bd\u0080e\u009ff", "abcdef"},
		{"DEL", "a\x7fb", "ab"},
		{"only controls", "\x00\x01\r\n", ""},
		{"BOM and invalid UTF-8", "\ufeffciao\xff\xfe mondo", "ciao mondo"},
		{"invalid UTF-8 inside a word", "bad\xffutf8", "badutf8"},
		{"truncated sequence", "caff\xc3", "caff"},
		{"replacement character", "caff\uFFFD e", "caff e"},
		{"format characters stay", "a\u200db", "a\u200db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Line(tt.in); got != tt.want {
				t.Errorf("Line(%q) = %q; want %q", tt.in, got, tt.want)
			}
			if got := isCleanLine(tt.in); got != (tt.in == tt.want) {
				t.Errorf("isCleanLine(%q) = %v; want %v", tt.in, got, tt.in == tt.want)
			}
		})
	}
}

func TestLineCleanDoesNotAllocate(t *testing.T) {
	const title = "Città, perché è così difficile trovare un caffè decente? ☕"
	if n := testing.AllocsPerRun(100, func() { _ = Line(title) }); n != 0 {
		t.Errorf("Line(%q) made %v allocations; want 0", title, n)
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		name string
		in   string
		n    int
		want string
	}{
		{"empty", "", 5, ""},
		{"exact fit", "abcde", 5, "abcde"},
		{"one over", "abcdef", 5, "abcd…"},
		{"accents fit", "àèìòù", 5, "àèìòù"},
		{"accents cut", "àèìòùx", 5, "àèìò…"},
		{"no dangling space", "abc def", 5, "abc…"},
		{"one rune budget", "abc", 1, "…"},
		{"zero budget", "abc", 0, ""},
		{"negative budget", "abc", -1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Truncate(tt.in, tt.n); got != tt.want {
				t.Errorf("Truncate(%q, %d) = %q; want %q", tt.in, tt.n, got, tt.want)
			}
		})
	}
}

func TestExcerpt(t *testing.T) {
	const italiano = "Città, perché è così difficile trovare un caffè decente all'aeroporto? " +
		"Però la qualità è migliorata: più scelta, più attenzione."
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"fits", "Breve e già finito.", 300, "Breve e già finito."},
		{"exact fit", "perché", 6, "perché"},
		{"collapses space", "  uno\n\n due\tTre  ", 300, "uno due Tre"},
		{"cut on a space", italiano, 20, "Città, perché è…"},
		{"cut inside a word backs off", italiano, 24, "Città, perché è così…"},
		{"trailing comma dropped", italiano, 8, "Città…"},
		{"accented word not split", "Però già più così", 10, "Però già…"},
		{"apostrophe word kept whole", "il caffè all'aeroporto costa", 25, "il caffè all'aeroporto…"},
		{"closing quote kept", `Disse «basta» e poi altro ancora`, 14, `Disse «basta»…`},
		{"one long word is hard cut", "Supercalifragilistichespiralidoso", 10, "Supercali…"},
		{"no spaces (CJK)", "简体中文测试简体中文测试", 6, "简体中文测…"},
		{"cleaned before counting", "a\x00\x00\x00b c", 4, "ab c"},
		{"zero max", "qualcosa", 0, ""},
		{"empty", "", 10, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Excerpt(tt.in, tt.max)
			if got != tt.want {
				t.Errorf("Excerpt(%q, %d) = %q; want %q", tt.in, tt.max, got, tt.want)
			}
			if n := utf8.RuneCountInString(got); n > tt.max || !utf8.ValidString(got) {
				t.Errorf("Excerpt(%q, %d) = %q: %d runes, valid UTF-8 %v; want at most %d, valid",
					tt.in, tt.max, got, n, utf8.ValidString(got), tt.max)
			}
		})
	}
}

func TestExcerptEveryLength(t *testing.T) {
	// Whatever the budget, the cut never splits a letter and never exceeds it.
	const text = "Perché l'estate è già finita? Così è la vita: più caldo, più zanzare, più gelati."
	for max := 1; max <= utf8.RuneCountInString(text)+1; max++ {
		got := Excerpt(text, max)
		if !utf8.ValidString(got) || utf8.RuneCountInString(got) > max {
			t.Fatalf("Excerpt(%q, %d) = %q; want valid UTF-8 of at most %d runes", text, max, got, max)
		}
		if got != text && !strings.HasSuffix(got, "…") {
			t.Fatalf("Excerpt(%q, %d) = %q; want a trailing ellipsis on a cut", text, max, got)
		}
	}
}

func TestBlock(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"plain", "Come farsi trovare\nsenza pagare pubblicità.", "Come farsi trovare\nsenza pagare pubblicità."},
		{"tabs kept", "uno\tdue", "uno\tdue"},
		{"CRLF", "uno\r\ndue\r\n\r\ntre", "uno\ndue\n\ntre"},
		{"lone CR", "uno\rdue", "uno\ndue"},
		{"CR CR LF", "uno\r\r\ndue", "uno\n\ndue"},
		{"other line breaks", "a\vb\fc\u0085d\u2028e\u2029f", "a\nb\nc\nd\ne\nf"},
		{"controls dropped", "a\x00b\x1bc\x7fd\u009fe", "abcde"},
		{"BOM and invalid UTF-8", "\ufeffciao\xff mondo\uFFFD", "ciao mondo"},
		{"trimmed", " \n\t Ogni giovedì. \r\n ", "Ogni giovedì."},
		{"inner spacing left alone", "a  b\n\n\nc", "a  b\n\n\nc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Block(tt.in); got != tt.want {
				t.Errorf("Block(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}
