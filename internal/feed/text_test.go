package feed

import (
	"strings"
	"testing"
	"unicode/utf8"
)

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

func TestPlainLine(t *testing.T) {
	cdata := func(s string) bool { return s == "Tom &amp; Jerry" || s == "&#8220;Ciao&#8221;" }
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Un titolo", "Un titolo"},
		{"CR LF header injection", "Titolo\r\nBcc: spam@example.com", "Titolo Bcc: spam@example.com"},
		{"lone CR and LF", "a\rb\nc", "a b c"},
		{"control characters", "a\x00b\x07c\x1bd\u0080e\u009ff", "abcdef"},
		{"DEL", "a\x7fb", "ab"},
		{"unicode separators", "uno\u2028due\u2029tre\u0085quattro", "uno due tre quattro"},
		{"BOM and invalid UTF-8", "\ufeffciao\xff\xfe mondo", "ciao mondo"},
		{"tabs and runs of space", "\t a \t  b  ", "a b"},
		{"tags stripped", "<b>Grassetto</b> e <i>corsivo</i>", "Grassetto e corsivo"},
		{"script text dropped", "<script>alert(1)</script>Ciao", "Ciao"},
		{"entities in markup decoded", "<em>Tom &amp; Jerry</em>", "Tom & Jerry"},
		{"double-escaped text stays", "AT&amp;T", "AT&amp;T"},
		{"CDATA text decoded once", "Tom &amp; Jerry", "Tom & Jerry"},
		{"CDATA numeric references", "&#8220;Ciao&#8221;", "“Ciao”"},
		{"bare less-than is text", "x < y e y > z", "x < y e y > z"},
		{"block tags separate words", "<p>uno</p><p>due</p>", "uno due"},
		{"inline tags do not", "un<em>ico</em>", "unico"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := plainLine(tt.in, cdata); got != tt.want {
				t.Errorf("plainLine(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

// A heading or list item ends its sentence in the excerpt, so it does not
// run into the next words.
func TestExcerptSeparatesHeadings(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<p>Il metodo.</p><h2>Le regole</h2><p>Solo minuscole.</p>", "Il metodo. Le regole. Solo minuscole."},
		{"<h2>Perché?</h2><p>Ecco.</p>", "Perché? Ecco."},
		{"<ul><li>Un treppiede</li><li>Un microfono</li></ul>", "Un treppiede. Un microfono"},
		{"<p>un<em>ico</em> pezzo</p>", "unico pezzo"},
	}
	for _, tt := range tests {
		if got := htmlText(tt.in, -1); got != tt.want {
			t.Errorf("htmlText(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}
