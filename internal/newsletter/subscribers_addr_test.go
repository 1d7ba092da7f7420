package newsletter

import (
	"errors"
	"strings"
	"testing"
)

// Addresses are checked at the door with the rules the mailer applies, so
// nothing is stored only to bounce at the first send.
func TestParseAddressAtTheDoor(t *testing.T) {
	for _, c := range []struct {
		in, want, reason string
	}{
		{"Anna <anna@example.it>", "anna@example.it", ""},
		{"user@müller.de", "user@xn--mller-kva.de", ""},
		{"Anna@Müller.DE", "Anna@xn--mller-kva.de", ""},
		{strings.Repeat("a", 300) + "@example.it", "", "local part 300 characters long"},
		{"x@-bad-.it", "", "domain"},
		{"jürgen@example.de", "", "not plain ASCII"},
		{"a..b@example.it", "", "not an email address"},
	} {
		got, _, err := ParseAddress(c.in)
		if c.reason == "" {
			if err != nil || got != c.want {
				t.Errorf("ParseAddress(%q) = %q, %v; want %q", c.in, got, err, c.want)
			}
			continue
		}
		if !errors.Is(err, ErrBadAddress) || !strings.Contains(err.Error(), c.reason) {
			t.Errorf("ParseAddress(%q) = %q, %v; want ErrBadAddress saying %q", c.in, got, err, c.reason)
		}
	}
}
