// Package token makes and checks the signed tokens carried by unsubscribe
// and confirmation links: a subscriber id and an HMAC over the id, the
// address and the purpose, so nobody can unsubscribe someone else by editing
// a URL, and a token stops working if the address behind the id changes.
//
// Every token is exactly Len characters of base64url. The fixed length is
// what lets the sender encode an issue's body once and drop each
// recipient's token into the same byte positions (see mailer.Template).
package token

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"time"
)

// Purposes a token can be made for; a token for one is refused for another.
const (
	Unsubscribe = "unsubscribe"
	Confirm     = "confirm"
)

// Len is the length of every token.
const Len = 32 // base64url of 8 bytes of id + 16 bytes of MAC

// Placeholder has the length and alphabet of a token; a frozen body carries
// it where each recipient's token goes.
const Placeholder = "VENERDIxTOKENxPLACEHOLDERxxxxxxx"

// ErrInvalid is returned for a token that is malformed or not signed by us.
var ErrInvalid = errors.New("invalid token")

// ErrExpired is returned for a well-signed token past its expiry.
var ErrExpired = errors.New("expired token")

// ExpiringLen is the length of a token made by MakeUntil.
const ExpiringLen = 43 // base64url of 8 bytes of id + 8 of expiry + 16 of MAC

var enc = base64.RawURLEncoding

// Make returns the token for subscriber id with address email.
func Make(secret []byte, purpose string, id int64, email string) string {
	raw := make([]byte, 8, 24)
	binary.BigEndian.PutUint64(raw, uint64(id))
	return enc.EncodeToString(append(raw, mac(secret, purpose, id, email)...))
}

// MakeUntil returns a token for subscriber id with address email that
// Check refuses after until (confirmation links expire).
func MakeUntil(secret []byte, purpose string, id int64, email string, until time.Time) string {
	raw := make([]byte, 16, 32)
	binary.BigEndian.PutUint64(raw, uint64(id))
	binary.BigEndian.PutUint64(raw[8:], uint64(until.Unix()))
	return enc.EncodeToString(append(raw, macUntil(secret, purpose, id, email, until.Unix())...))
}

// ID returns the subscriber id a well-formed token (of either kind) names;
// the caller looks the address up and checks the token with Check.
func ID(tok string) (int64, error) {
	if len(tok) != Len && len(tok) != ExpiringLen {
		return 0, ErrInvalid
	}
	raw, err := enc.DecodeString(tok)
	if err != nil || (len(raw) != 24 && len(raw) != 32) {
		return 0, ErrInvalid
	}
	return int64(binary.BigEndian.Uint64(raw)), nil
}

// Check reports whether tok was made for purpose, subscriber id and email,
// by Make or by MakeUntil with an expiry after now: nil, ErrInvalid or
// ErrExpired. The MAC is compared in constant time, and checked before the
// expiry, so an altered expiry reads as invalid.
func Check(secret []byte, purpose, tok string, id int64, email string, now time.Time) error {
	if len(tok) == Len {
		if Valid(secret, purpose, tok, id, email) {
			return nil
		}
		return ErrInvalid
	}
	raw, err := enc.DecodeString(tok)
	if err != nil || len(tok) != ExpiringLen || len(raw) != 32 || int64(binary.BigEndian.Uint64(raw)) != id {
		return ErrInvalid
	}
	until := int64(binary.BigEndian.Uint64(raw[8:]))
	if !hmac.Equal(raw[16:], macUntil(secret, purpose, id, email, until)) {
		return ErrInvalid
	}
	if now.Unix() > until {
		return ErrExpired
	}
	return nil
}

// Valid reports whether tok was made by Make(secret, purpose, id, email).
func Valid(secret []byte, purpose, tok string, id int64, email string) bool {
	if len(tok) != Len {
		return false
	}
	raw, err := enc.DecodeString(tok)
	if err != nil || len(raw) != 24 || int64(binary.BigEndian.Uint64(raw)) != id {
		return false
	}
	return hmac.Equal(raw[8:], mac(secret, purpose, id, email))
}

// mac is truncated to 128 bits: ample against forgery, and short links
// matter in plain-text email.
func mac(secret []byte, purpose string, id int64, email string) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(purpose))
	h.Write([]byte{0})
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(id))
	h.Write(b[:])
	h.Write([]byte(strings.ToLower(email)))
	return h.Sum(nil)[:16]
}

// macUntil is mac with the expiry bound in: a distinct purpose string keeps
// the two kinds of token from ever validating as each other.
func macUntil(secret []byte, purpose string, id int64, email string, until int64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(until))
	return mac(secret, purpose+"\x00until\x00"+string(b[:]), id, email)
}
