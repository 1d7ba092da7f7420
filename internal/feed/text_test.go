package feed

import "testing"

func TestPlainLine(t *testing.T) {
	cdata := func(s string) bool { return s == "Tom &amp; Jerry" || s == "&#8220;Ciao&#8221;" }
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Un titolo", "Un titolo"},
		{"CR LF header injection", "Titolo\r\nBcc: spam@example.com", "Titolo Bcc: spam@example.com"},
		{"tags stripped", "<b>Grassetto</b> e <i>corsivo</i>", "Grassetto e corsivo"},
		{"script text dropped", "<script>alert(1)</script>Ciao", "Ciao"},
		{"entities in markup decoded", "<em>Tom &amp; Jerry</em>", "Tom & Jerry"},
		{"double-escaped text stays", "AT&amp;T", "AT&amp;T"},
		{"CDATA text decoded once", "Tom &amp; Jerry", "Tom & Jerry"},
		{"CDATA numeric references", "&#8220;Ciao&#8221;", "“Ciao”"},
		{"bare less-than is text", "x < y e y > z", "x < y e y > z"},
		{"block tags separate words", "<p>uno</p><p>due</p>", "uno due"},
		{"inline tags do not", "un<em>ico</em>", "unico"},
		{"nor removed or unknown inline tags", "un<font>ico</font> e un<blink>ico</blink>", "unico e unico"},
		{"self-closing iframe hides nothing", `Prima<iframe src="x" /> <b>dopo</b>`, "Prima dopo"},
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
