package letter

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// unsafeURL is a script URL in an attribute.
var unsafeURL = regexp.MustCompile(`=\s*"?\s*(javascript|vbscript|data):`)

// FuzzParse feeds arbitrary files to the letter parser: it must never
// panic, every refusal is a *Error naming the file and a line inside it,
// and whatever it accepts has a subject on one line and a body free of
// scripts.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"---\nsubject: Ciao\n---\nbody\n",
		"---\nsubject: \"a: b\"\npreheader: p\nstream: digest\n---\n# T\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
		"---\nsubject: x\n  y: [\n---\n",
		"---\r\nsubject: x\r\n...\r\nbody <script>x</script> [l](javascript:alert(1))",
		"---\nsubject: &a x\nb: *a\n---\nb\n",
		"\ufeff---\nsubject: !!binary aGk=\n---\nb",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		l, err := Parse("f.md", src, site)
		if err != nil {
			var le *Error
			if !errors.As(err, &le) {
				t.Fatalf("error %v is not a *letter.Error", err)
			}
			// Lines as an editor counts them: CRLF, LF and a lone CR
			// (old Mac files) each end one.
			lines := strings.Count(normalise(src), "\n") + 1
			if le.File != "f.md" || le.Line < 0 || le.Line > lines+1 {
				t.Fatalf("error %v names line %d of a %d-line file", err, le.Line, lines)
			}
			return
		}
		if l.Subject == "" || strings.ContainsAny(l.Subject, "\r\n") || !utf8.ValidString(l.Subject) {
			t.Fatalf("subject %q", l.Subject)
		}
		if low := strings.ToLower(l.HTML); strings.Contains(low, "<script") || unsafeURL.MatchString(low) {
			t.Fatalf("unsafe HTML kept: %s", l.HTML)
		}
		if len(l.Hash) != 64 {
			t.Fatalf("hash %q", l.Hash)
		}
	})
}
