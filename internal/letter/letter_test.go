package letter

import (
	"errors"
	"strings"
	"testing"
)

var site = Options{SiteURL: "https://bottega.example.it", Lang: "it"}

func TestParse(t *testing.T) {
	src := "---\nsubject: \"Auguri: il 2027\"\npreheader: Tre novità\n---\n# Ciao\n\nUn \"saluto\" e [i webinar](/webinar/) e ![foto](img/a.jpg).\n\n<script>alert(1)</script>\n"
	l, err := Parse("auguri.md", []byte(src), site)
	if err != nil {
		t.Fatal(err)
	}
	if l.Subject != "Auguri: il 2027" || l.Preheader != "Tre novità" || l.Stream != StreamLetters {
		t.Errorf("Parse = %q, %q, %q; want the front matter's subject, preheader and the letters stream", l.Subject, l.Preheader, l.Stream)
	}
	for _, want := range []string{`<h1>Ciao</h1>`, `«saluto»`, `href="https://bottega.example.it/webinar/"`, `src="https://bottega.example.it/img/a.jpg"`} {
		if !strings.Contains(l.HTML, want) {
			t.Errorf("HTML lacks %s:\n%s", want, l.HTML)
		}
	}
	if strings.Contains(l.HTML, "script") || strings.Contains(l.HTML, "raw HTML") {
		t.Errorf("HTML keeps the raw HTML:\n%s", l.HTML)
	}
	if !strings.Contains(l.Text, "i webinar [1]") || len(l.TextLinks) == 0 || l.TextLinks[0] != "https://bottega.example.it/webinar/" {
		t.Errorf("Text lacks the numbered link:\n%s\nlinks %q", l.Text, l.TextLinks)
	}
	l2, _ := Parse("other-name.md", []byte(strings.ReplaceAll(src, "\n", "\r\n")), site)
	if l2 == nil || l2.Hash != l.Hash {
		t.Errorf("the same letter with CRLF line ends hashes differently")
	}
	l3, _ := Parse("auguri.md", []byte(src+"\nP.S.\n"), site)
	if l3 == nil || l3.Hash == l.Hash {
		t.Errorf("an edited letter hashes the same")
	}
	en, _ := Parse("a.md", []byte(src), Options{SiteURL: site.SiteURL, Lang: "en"})
	if en == nil || !strings.Contains(en.HTML, "“saluto”") {
		t.Errorf("English quotes missing")
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		line      int
		want      string
	}{
		{"no front matter", "# Ciao\n", 1, "no front matter"},
		{"unclosed", "---\nsubject: x\n# Ciao\n", 1, "not closed"},
		{"no subject", "---\npreheader: x\n---\nbody\n", 1, `no "subject:"`},
		{"empty front matter", "---\n---\nbody\n", 1, `no "subject:"`},
		{"empty subject", "---\npreheader: x\nsubject: \"\"\n---\nbody\n", 3, "subject is empty"},
		{"bad yaml", "---\nsubject: x\npreheader: [unclosed\n---\nbody\n", -1, "front matter"},
		{"bad indent", "---\nsubject: x\n  preheader: y\n---\nbody\n", -1, "front matter"},
		{"unknown key", "---\nsubject: x\nsubjet: y\n---\nbody\n", 3, `unknown key "subjet"`},
		{"twice", "---\nsubject: x\nsubject: y\n---\nbody\n", 3, "twice"},
		{"list", "---\nsubject: [a, b]\n---\nbody\n", 2, "one line of text"},
		{"bad stream", "---\nsubject: x\nstream: news\n---\nbody\n", 3, `stream "news"`},
		{"no body", "---\nsubject: x\n---\n\n", 4, "no body"},
		{"not a map", "---\n- a\n---\nbody\n", 2, "key: value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("l.md", []byte(tc.src), site)
			var le *Error
			if !errors.As(err, &le) {
				t.Fatalf("Parse(%q) = %v; want a *letter.Error", tc.src, err)
			}
			// -1: yaml's own syntax errors, whose line is yaml's (within
			// the front matter, sometimes the line before the mistake).
			lineOK := le.Line == tc.line || tc.line == -1 && le.Line >= 2 && le.Line <= 3
			if le.File != "l.md" || !lineOK || !strings.Contains(le.Msg, tc.want) {
				t.Errorf("Parse(%q) = %v; want l.md:%d: …%s…", tc.src, err, tc.line, tc.want)
			}
		})
	}
}

func TestText(t *testing.T) {
	got, links := Text(`<h2>Titolo</h2><p>Vai su <a href="https://x.it">https://x.it</a> o <a href="https://y.it">qui</a>.</p><ol><li>uno</li><li>due</li></ol>`)
	want := "Titolo\n======\n\nVai su https://x.it o qui [1].\n\n1. uno\n2. due"
	if got != want || len(links) != 1 || links[0] != "https://y.it" {
		t.Errorf("Text = %q, %q; want %q, [https://y.it]", got, links, want)
	}
}
