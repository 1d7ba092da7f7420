package mailer

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/emersion/go-msgauth/dkim"
)

// Signer adds DKIM signatures (RFC 6376, relaxed/relaxed, SHA-256) with an
// RSA or Ed25519 key. It is safe for concurrent use.
type Signer struct {
	domain   string
	selector string
	key      crypto.Signer
}

// minRSABits is RFC 8301's floor; verifiers ignore signatures by smaller keys.
const minRSABits = 1024

// NewSigner returns a Signer for d=domain, s=selector with the private key in
// keyPEM: RSA as PKCS#1 ("RSA PRIVATE KEY") or PKCS#8 ("PRIVATE KEY"), or
// Ed25519 as PKCS#8.
func NewSigner(domain, selector string, keyPEM []byte) (*Signer, error) {
	domain = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(domain), "."))
	if !isHostname(domain) || !strings.Contains(domain, ".") {
		return nil, fmt.Errorf("dkim domain %q: invalid", domain)
	}
	selector = strings.TrimSpace(selector)
	if !isHostname(selector) {
		return nil, fmt.Errorf("dkim selector %q: invalid", selector)
	}
	key, err := parsePrivateKey(keyPEM)
	if err != nil {
		return nil, fmt.Errorf("dkim key: %w", err)
	}
	return &Signer{domain: domain, selector: selector, key: key}, nil
}

func parsePrivateKey(keyPEM []byte) (crypto.Signer, error) {
	rest := keyPEM
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, errors.New("no PEM private key found")
		}
		var key any
		var err error
		switch block.Type {
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "ENCRYPTED PRIVATE KEY":
			return nil, errors.New("encrypted private keys are not supported; decrypt it first")
		case "EC PRIVATE KEY", "OPENSSH PRIVATE KEY":
			return nil, fmt.Errorf("%s: unsupported, use an RSA or Ed25519 key in PKCS#8 PEM", block.Type)
		default:
			continue // e.g. a certificate or EC PARAMETERS block in the same file
		}
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", block.Type, err)
		}
		switch k := key.(type) {
		case *rsa.PrivateKey:
			if bits := k.N.BitLen(); bits < minRSABits {
				return nil, fmt.Errorf("rsa key has %d bits, need at least %d (2048 recommended)", bits, minRSABits)
			}
			return k, nil
		case ed25519.PrivateKey:
			return k, nil
		default:
			return nil, fmt.Errorf("unsupported key type %T, use RSA or Ed25519", key)
		}
	}
}

// TXTRecord returns the DNS TXT record value to publish at
// "<selector>._domainkey.<domain>" for this key.
func (s *Signer) TXTRecord() string {
	switch pub := s.key.Public().(type) {
	case ed25519.PublicKey:
		return "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)
	default:
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			// Unreachable: NewSigner accepts only RSA and Ed25519 keys.
			panic(fmt.Sprintf("mailer: marshal dkim public key: %v", err))
		}
		return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)
	}
}

// signedHeaders lists the fields signed when present, in this order. Fields
// of the message not listed here (extra X- headers) are signed too.
var signedHeaders = []string{
	"From", "To", "Subject", "Date", "Message-ID", "List-Id", "List-Unsubscribe",
	"List-Unsubscribe-Post", "Reply-To", "MIME-Version", "Content-Type",
}

// overSigned are listed in h= once more than they occur (RFC 6376 §8.15): a
// verifier then treats an extra copy added in transit (a second From, or a
// Reply-To that was never there) as breaking the signature.
var overSigned = []string{"From", "To", "Subject", "Reply-To", "List-Unsubscribe", "List-Unsubscribe-Post"}

// sign returns msg with a DKIM-Signature header prepended.
func (s *Signer) sign(msg []byte) ([]byte, error) {
	ds, err := dkim.NewSigner(&dkim.SignOptions{
		Domain:                 s.domain,
		Selector:               s.selector,
		Signer:                 s.key,
		Hash:                   crypto.SHA256,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed,
		BodyCanonicalization:   dkim.CanonicalizationRelaxed,
		HeaderKeys:             headerKeys(msg),
	})
	if err != nil {
		return nil, fmt.Errorf("dkim sign: %w", err)
	}
	if _, err := ds.Write(msg); err != nil {
		ds.Close()
		return nil, fmt.Errorf("dkim sign: %w", err)
	}
	if err := ds.Close(); err != nil {
		return nil, fmt.Errorf("dkim sign: %w", err)
	}
	sig := ds.Signature()
	out := make([]byte, 0, len(sig)+len(msg))
	out = append(out, sig...)
	return append(out, msg...), nil
}

// headerKeys returns the h= list for msg: every field present (known ones
// first, in signedHeaders order), plus the over-signed names once more.
func headerKeys(msg []byte) []string {
	head := msg
	if i := bytes.Index(msg, []byte("\r\n\r\n")); i >= 0 {
		head = msg[:i+2]
	}
	count := map[string]int{} // by lower-case name
	var extra []string
	for line := range bytes.Lines(head) {
		if len(line) == 0 || line[0] == ' ' || line[0] == '\t' {
			continue
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			continue
		}
		name := string(bytes.TrimSpace(line[:colon]))
		lower := strings.ToLower(name)
		if count[lower] == 0 && !slices.ContainsFunc(signedHeaders, func(h string) bool {
			return strings.EqualFold(h, name)
		}) {
			extra = append(extra, name)
		}
		count[lower]++
	}
	keys := make([]string, 0, len(signedHeaders)+len(extra)+len(overSigned))
	for _, name := range append(signedHeaders[:len(signedHeaders):len(signedHeaders)], extra...) {
		for range count[strings.ToLower(name)] {
			keys = append(keys, name)
		}
	}
	return append(keys, overSigned...)
}
