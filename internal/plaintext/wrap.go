package plaintext

import (
	"strings"
	"unicode/utf8"
)

// Wrap re-flows text into lines of at most width characters (runes), each
// starting with indent, breaking only between words; a word longer than the
// line (a long URL) gets a line of its own and is never split. Runs of
// spaces and single line breaks become one space; a blank line starts a new
// paragraph, kept as a blank line. The result has no trailing newline.
func Wrap(width int, indent, text string) string {
	var b strings.Builder
	room := width - utf8.RuneCountInString(indent)
	for i, para := range paragraphs(text) {
		if i > 0 {
			b.WriteString("\n\n")
		}
		n := 0 // runes on the current line, indent excluded
		for j, w := range para {
			wl := utf8.RuneCountInString(w)
			switch {
			case j == 0:
				b.WriteString(indent)
			case n+1+wl > room:
				b.WriteString("\n")
				b.WriteString(indent)
				n = 0
			default:
				b.WriteString(" ")
				n++
			}
			b.WriteString(w)
			n += wl
		}
	}
	return b.String()
}

// paragraphs splits text on blank lines into paragraphs of words, dropping
// empty ones.
func paragraphs(text string) [][]string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	var out [][]string
	var cur []string
	for line := range strings.SplitSeq(text, "\n") {
		words := strings.Fields(line)
		if len(words) == 0 {
			if len(cur) > 0 {
				out = append(out, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, words...)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}
