package token

import "testing"

func TestRoundTripAndTamper(t *testing.T) {
	secret := []byte("s3cret")
	tok := Make(secret, Unsubscribe, "anna@example.it")
	if got, err := Check(secret, Unsubscribe, tok); err != nil || got != "anna@example.it" {
		t.Fatalf("Check(Make()) = %q, %v; want anna@example.it", got, err)
	}
	bad := []struct{ name, secret, purpose, tok string }{
		{"other secret", "other", Unsubscribe, tok},
		{"other purpose", "s3cret", Confirm, tok},
		{"other address", "s3cret", Unsubscribe, Make(secret, Unsubscribe, "bob@example.it")[:10] + tok[10:]},
		{"no dot", "s3cret", Unsubscribe, "abc"},
		{"garbage", "s3cret", Unsubscribe, "!!.!!"},
	}
	for _, b := range bad {
		if _, err := Check([]byte(b.secret), b.purpose, b.tok); err != ErrInvalid {
			t.Errorf("Check(%s) = %v; want ErrInvalid", b.name, err)
		}
	}
}
