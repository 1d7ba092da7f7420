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

var enc = base64.RawURLEncoding

// Make returns the token for subscriber id with address email.
func Make(secret []byte, purpose string, id int64, email string) string {
	raw := make([]byte, 8, 24)
	binary.BigEndian.PutUint64(raw, uint64(id))
	return enc.EncodeToString(append(raw, mac(secret, purpose, id, email)...))
}

// ID returns the subscriber id a well-formed token names; the caller looks
// the address up and confirms the token with Valid.
func ID(tok string) (int64, error) {
	raw, err := enc.DecodeString(tok)
	if err != nil || len(raw) != 24 {
		return 0, ErrInvalid
	}
	return int64(binary.BigEndian.Uint64(raw)), nil
}

// Valid reports whether tok was made by Make(secret, purpose, id, email).
func Valid(secret []byte, purpose, tok string, id int64, email string) bool {
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
