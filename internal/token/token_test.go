package token

import (
	"strings"
	"testing"
	"time"
)

func TestRoundTripAndTamper(t *testing.T) {
	secret := []byte("s3cret")
	tok := Make(secret, Unsubscribe, 42, "anna@example.it")
	if len(tok) != Len || len(Placeholder) != Len {
		t.Fatalf("len(Make()) = %d, len(Placeholder) = %d; want %d", len(tok), len(Placeholder), Len)
	}
	if id, err := ID(tok); err != nil || id != 42 {
		t.Fatalf("ID(Make()) = %d, %v; want 42", id, err)
	}
	if !Valid(secret, Unsubscribe, tok, 42, "Anna@example.it") {
		t.Fatal("Valid(Make()) = false; want true (case-insensitive address)")
	}
	other := Make(secret, Unsubscribe, 43, "anna@example.it")
	bad := []struct {
		name, secret, purpose, tok, email string
		id                                int64
	}{
		{"other secret", "other", Unsubscribe, tok, "anna@example.it", 42},
		{"other purpose", "s3cret", Confirm, tok, "anna@example.it", 42},
		{"other address", "s3cret", Unsubscribe, tok, "bob@example.it", 42},
		{"id edited", "s3cret", Unsubscribe, other[:11] + tok[11:], "anna@example.it", 43},
		{"truncated", "s3cret", Unsubscribe, tok[:20], "anna@example.it", 42},
		{"garbage", "s3cret", Unsubscribe, strings.Repeat("!", Len), "anna@example.it", 42},
	}
	for _, b := range bad {
		if Valid([]byte(b.secret), b.purpose, b.tok, b.id, b.email) {
			t.Errorf("Valid(%s) = true; want false", b.name)
		}
	}
}

// Tokens and the placeholder must only use characters that quoted-printable
// leaves as they are, so swapping one for the other keeps every byte offset.
func TestAlphabetIsQPLiteral(t *testing.T) {
	for _, s := range []string{Placeholder, Make([]byte("k"), Unsubscribe, 1<<62, "x@y.z")} {
		for _, c := range s {
			if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				t.Errorf("%q has %q; want base64url only", s, c)
			}
		}
	}
}

func TestCheckExpiring(t *testing.T) {
	secret := []byte("k")
	now := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	tok := MakeUntil(secret, Confirm, 42, "anna@example.it", now.Add(7*24*time.Hour))
	if len(tok) != ExpiringLen {
		t.Fatalf("len(MakeUntil) = %d; want %d", len(tok), ExpiringLen)
	}
	if id, err := ID(tok); err != nil || id != 42 {
		t.Fatalf("ID = %d, %v; want 42", id, err)
	}
	tamper := func(i int) string {
		b := []byte(tok)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	tests := []struct {
		name    string
		tok     string
		purpose string
		email   string
		now     time.Time
		want    error
	}{
		{"good", tok, Confirm, "anna@example.it", now, nil},
		{"address case", tok, Confirm, "Anna@Example.it", now, nil},
		{"last second", tok, Confirm, "anna@example.it", now.Add(7 * 24 * time.Hour), nil},
		{"expired", tok, Confirm, "anna@example.it", now.Add(7*24*time.Hour + time.Second), ErrExpired},
		{"wrong purpose", tok, Unsubscribe, "anna@example.it", now, ErrInvalid},
		{"other address", tok, Confirm, "bruno@example.it", now, ErrInvalid},
		{"expiry altered", tamper(14), Confirm, "anna@example.it", now, ErrInvalid},
		{"mac altered", tamper(40), Confirm, "anna@example.it", now, ErrInvalid},
		{"truncated", tok[:42], Confirm, "anna@example.it", now, ErrInvalid},
		{"empty", "", Confirm, "anna@example.it", now, ErrInvalid},
		{"not base64", strings.Repeat("*", ExpiringLen), Confirm, "anna@example.it", now, ErrInvalid},
		{"plain token for another purpose", Make(secret, Unsubscribe, 42, "anna@example.it"), Confirm, "anna@example.it", now, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Check(secret, tt.purpose, tt.tok, 42, tt.email, tt.now); err != tt.want {
				t.Errorf("Check(%q) = %v; want %v", tt.tok, err, tt.want)
			}
		})
	}
}
