// Package mailer owns everything between a rendered issue and the wire: MIME
// building and header hygiene (Message), DKIM signing (Signer), SMTP
// connections with error classification (Dial, Conn, SendError) and the
// outbox transport that writes .eml files instead of sending (Outbox).
//
// Messages are built with github.com/wneessen/go-mail and signed with
// github.com/emersion/go-msgauth/dkim: go-mail v0.8.1's own DKIM signer
// produces invalid signatures once the signed-header list is long, so the
// signature is computed over the bytes go-mail rendered instead.
//
// Nothing in this package retries or decides what a failure means for a
// subscriber; it only reports it precisely (IsPermanent, IsConnBroken) so the
// delivery loop can record the outcome and redial when needed.
package mailer

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
)

// Envelope is the SMTP envelope.
type Envelope struct {
	From string // reverse-path (bounce address); "" sends the null path <>
	To   string // the single recipient
}

// ErrInvalidAddress is wrapped by every error about a malformed email
// address, so the caller can mark a subscriber as undeliverable instead of
// retrying.
var ErrInvalidAddress = errors.New("invalid address")

// parseAddress parses s as an RFC 5322 address (optionally with a display
// name) and insists that the address part is plain ASCII dot-atom@domain,
// because that is what both the header and the SMTP envelope can carry
// without quoting or SMTPUTF8.
func parseAddress(field, s string) (*mail.Address, error) {
	a, err := mail.ParseAddress(s)
	if err != nil || !validAddrSpec(a.Address) {
		return nil, &addressError{field: field, value: s}
	}
	return a, nil
}

// addressError renders as `to "foo": invalid address`.
type addressError struct {
	field, value string
}

func (e *addressError) Error() string {
	return fmt.Sprintf("%s %q: %v", e.field, e.value, ErrInvalidAddress)
}

func (e *addressError) Unwrap() error { return ErrInvalidAddress }

// validAddrSpec accepts local@domain where local is a dot-atom and domain is
// a host name or an address literal. Quoted local parts and non-ASCII are
// refused: they would need quoting in the envelope or SMTPUTF8, and no real
// subscriber address needs them.
func validAddrSpec(addr string) bool {
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 || len(addr) > 254 {
		return false
	}
	local, domain := addr[:at], addr[at+1:]
	if len(local) > 64 || !isDotAtom(local) {
		return false
	}
	if strings.HasPrefix(domain, "[") && strings.HasSuffix(domain, "]") {
		for i := 1; i < len(domain)-1; i++ {
			c := domain[i]
			if c <= ' ' || c > '~' || c == '[' || c == ']' || c == '\\' {
				return false
			}
		}
		return len(domain) > 2
	}
	return isHostname(domain)
}

func isDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '.' && !isAtext(s[i]) {
			return false
		}
	}
	return true
}

func isAtext(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// isHostname reports whether s is dot-separated labels of letters, digits,
// '-' and '_' (underscore appears in DKIM selectors and some internal names).
func isHostname(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// CheckAddress says why addr (a bare local@domain, domain in ASCII) cannot
// be sent to with the rules Send applies, or returns nil when it can. It
// lets the front door refuse what the relay would never take, rather than
// bouncing it at the first send.
func CheckAddress(addr string) error {
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 {
		return errors.New("needs a local part, an @ and a domain")
	}
	local, domain := addr[:at], addr[at+1:]
	switch {
	case len(local) > 64:
		return fmt.Errorf("has a local part %d characters long; it may have 64", len(local))
	case len(addr) > 254:
		return fmt.Errorf("is %d characters long; an address may have 254", len(addr))
	case !isPrintableASCII(local):
		return errors.New("has a local part that is not plain ASCII (mail servers need SMTPUTF8 for that, which venerdi does not use)")
	case !isDotAtom(local):
		return errors.New("has a local part with characters or dots an address cannot have unquoted")
	}
	if !validAddrSpec(addr) {
		return fmt.Errorf("%q is not a valid domain", domain)
	}
	return nil
}
