// Package plaintext owns turning untrusted text (feed titles and excerpts,
// catalog fields, rendered subjects, display names) into safe plain text:
// one line for subjects, headers and titles (Line), a block of lines for
// descriptions (Block), and a line cut to a length, either hard (Truncate)
// or on a word boundary (Excerpt).
//
// Every package that shows or sends outside text goes through these
// functions, so there is one set of rules for what survives: valid UTF-8,
// no control characters, and, for a line, never a CR or LF that could start
// a new header in an email.
package plaintext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Line returns s as one line of plain text, for a subject, a header value,
// a title or a name. Invalid UTF-8, U+FFFD (text an earlier decoder already
// lost) and byte-order marks are dropped; every run of white space (CR, LF
// and tab included, as well as the Unicode line and paragraph separators,
// NEL and no-break space) becomes one space; other C0 and C1 control
// characters are dropped; and the ends are trimmed.
//
// The result never contains CR or LF, so this is the header injection
// guard, not cosmetics: feed titles end up in subjects. Text that is already
// clean, the common case, is returned as it is without allocating.
func Line(s string) string {
	if isCleanLine(s) {
		return s
	}
	return cleanLine(s)
}

// cleanLine is Line without the fast path.
func cleanLine(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	pendingSpace := false
	for _, r := range s {
		switch {
		case r == utf8.RuneError, r == '\uFEFF':
			// Invalid bytes, replacement characters and stray byte-order
			// marks carry no text.
		case unicode.IsSpace(r):
			// IsSpace covers CR, LF, NEL, U+2028 and U+2029 too: a line
			// break between two words must still separate them.
			pendingSpace = b.Len() > 0
		case unicode.IsControl(r):
			// Other C0/C1 controls are dropped without a trace: they sit
			// inside words (a NUL, an escape) rather than between them.
		default:
			if pendingSpace {
				b.WriteByte(' ')
				pendingSpace = false
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isCleanLine reports whether cleanLine would return s unchanged, without
// building anything.
func isCleanLine(s string) bool {
	prevSpace := true // a leading space is not clean
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f || (c == ' ' && prevSpace) {
				return false
			}
			prevSpace = c == ' '
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || r == '\uFEFF' || unicode.IsSpace(r) || unicode.IsControl(r) {
			return false
		}
		prevSpace = false
		i += size
	}
	return !prevSpace || s == ""
}

// Truncate returns s cut to at most n runes, the last of which is "…" when
// something was cut, so a reader can tell. It counts runes rather than bytes
// so an accented letter is never split, and drops the white space the cut
// would leave before the "…". It cuts wherever the limit falls; use Excerpt
// to cut between words. s is expected to be a Line already.
func Truncate(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(s) <= n { // bytes ≥ runes: nothing to cut
		return s
	}
	i := 0
	for pos := range s {
		if i == n-1 {
			if utf8.RuneCountInString(s[pos:]) > 1 {
				return strings.TrimRightFunc(s[:pos], unicode.IsSpace) + "…"
			}
			return s
		}
		i++
	}
	return s
}

// Excerpt returns s as a Line cut on a word boundary so that the result,
// "…" included, is at most limit runes: runes, not bytes, so an accented
// letter is never split. Text that fits is returned whole, without "…".
// Punctuation the cut would leave dangling before the "…" is dropped,
// closing brackets and quotes excepted.
func Excerpt(s string, limit int) string {
	s = Line(s)
	if limit <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	// Keep room for the ellipsis.
	cut := byteOffset(s, limit-1)
	head := s[:cut]
	if r, _ := utf8.DecodeRuneInString(s[cut:]); r != ' ' {
		// The cut falls inside a word: go back to the last space, unless that
		// throws away more than half the budget (a URL, or a language written
		// without spaces), where a hard cut reads better than a stub.
		if i := strings.LastIndexByte(head, ' '); i > len(head)/2 {
			head = head[:i]
		}
	}
	head = strings.TrimRightFunc(head, func(r rune) bool {
		return unicode.IsSpace(r) || (unicode.IsPunct(r) && !strings.ContainsRune(`)]}»”’"'`, r))
	})
	return head + "…"
}

// byteOffset returns the byte index of the n-th rune of s (len(s) if s is
// shorter).
func byteOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// Block returns s as plain text that may span lines, for a description.
// Line breaks and tabs are kept, since they are how an author lays out a
// description; CRLF and the other ways of breaking a line (a lone CR, VT,
// FF, NEL, U+2028, U+2029) become LF, so readers of the result only need to
// know one. Like Line it drops invalid UTF-8, U+FFFD, byte-order marks and
// every other control character, and it trims white space from both ends.
// Runs of spaces and blank lines are left as written.
func Block(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		switch {
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case r == '\r':
			// CRLF is one break, not two.
			if i+1 >= len(s) || s[i+1] != '\n' {
				b.WriteByte('\n')
			}
		case r == '\v', r == '\f', r == '\u0085', r == '\u2028', r == '\u2029':
			b.WriteByte('\n')
		case r == utf8.RuneError, r == '\uFEFF', unicode.IsControl(r):
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}
