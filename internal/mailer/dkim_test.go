package mailer

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-msgauth/dkim"
)

const (
	testDomain   = "bottega.example.it"
	testSelector = "venerdi2026"
)

// testKey is a generated key with its PEM encoding and the DNS record a
// verifier would find, built here independently of Signer.TXTRecord.
type testKey struct {
	name   string
	pem    []byte
	record string
}

var (
	testKeysOnce sync.Once
	testKeys     []testKey
)

// dkimTestKeys generates RSA 2048 (as PKCS#1 and PKCS#8) and Ed25519 keys
// once per test binary: RSA generation is slow.
func dkimTestKeys(t testing.TB) []testKey {
	t.Helper()
	testKeysOnce.Do(func() {
		rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		rsaPub, err := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
		if err != nil {
			panic(err)
		}
		rsaPKCS8, err := x509.MarshalPKCS8PrivateKey(rsaKey)
		if err != nil {
			panic(err)
		}
		edPub, edKey, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			panic(err)
		}
		edPKCS8, err := x509.MarshalPKCS8PrivateKey(edKey)
		if err != nil {
			panic(err)
		}
		rsaRecord := "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(rsaPub)
		testKeys = []testKey{
			{"rsa2048-pkcs1", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)}), rsaRecord},
			{"rsa2048-pkcs8", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: rsaPKCS8}), rsaRecord},
			{"ed25519-pkcs8", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: edPKCS8}),
				"v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(edPub)},
		}
	})
	return testKeys
}

// verify runs go-msgauth's verifier on raw with a resolver that knows only
// the test selector's record.
func verify(t *testing.T, raw []byte, record string) []*dkim.Verification {
	t.Helper()
	want := testSelector + "._domainkey." + testDomain
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{
		LookupTXT: func(domain string) ([]string, error) {
			if domain != want {
				return nil, fmt.Errorf("no TXT record for %s", domain)
			}
			return []string{record}, nil
		},
	})
	if err != nil {
		t.Fatalf("dkim.Verify: %v", err)
	}
	if len(vs) != 1 {
		t.Fatalf("%d DKIM signatures; want 1", len(vs))
	}
	return vs
}

func TestSignerVerifies(t *testing.T) {
	for _, key := range dkimTestKeys(t) {
		t.Run(key.name, func(t *testing.T) {
			s, err := NewSigner(testDomain, testSelector, key.pem)
			if err != nil {
				t.Fatalf("NewSigner: %v", err)
			}
			if got := s.TXTRecord(); got != key.record {
				t.Errorf("TXTRecord() = %q; want %q", got, key.record)
			}
			m := testMessage("mario@example.com")
			m.ReplyTo = "redazione@bottega.example.it"
			raw, err := m.Bytes(s)
			if err != nil {
				t.Fatalf("Bytes(signer) = %v", err)
			}
			if !bytes.HasPrefix(raw, []byte("DKIM-Signature: ")) {
				t.Fatalf("message does not start with DKIM-Signature:\n%.300s", raw)
			}
			checkWellFormed(t, raw, m)

			v := verify(t, raw, key.record)[0]
			if v.Err != nil {
				t.Fatalf("verification error: %v\n%s", v.Err, raw)
			}
			if v.Domain != testDomain {
				t.Errorf("d= %q; want %q", v.Domain, testDomain)
			}
			for _, h := range []string{
				"From", "To", "Subject", "Date", "Message-ID", "List-Id", "List-Unsubscribe",
				"List-Unsubscribe-Post", "MIME-Version", "Content-Type", "Reply-To", "X-Venerdi-Issue",
			} {
				if !slices.ContainsFunc(v.HeaderKeys, func(k string) bool { return strings.EqualFold(k, h) }) {
					t.Errorf("h= %v does not include %s", v.HeaderKeys, h)
				}
			}
			sig := string(raw[:bytes.Index(raw, []byte("\r\nDate:"))])
			for _, tag := range []string{"c=relaxed/relaxed", "s=" + testSelector, "d=" + testDomain} {
				if !strings.Contains(sig, tag) {
					t.Errorf("signature lacks %s:\n%s", tag, sig)
				}
			}
		})
	}
}

func TestSignerDetectsTampering(t *testing.T) {
	key := dkimTestKeys(t)[0]
	s, err := NewSigner(testDomain, testSelector, key.pem)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := testMessage("mario@example.com").Bytes(s)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		tamper func(*testing.T, []byte) []byte
	}{
		{"subject changed", func(t *testing.T, b []byte) []byte {
			out := bytes.Replace(b, []byte("della_settimana"), []byte("della_settimane"), 1)
			if h, _ := parseMessage(t, out); !strings.Contains(h.Get("Subject"), "settimane") {
				t.Fatalf("Subject not tampered: %q", h.Get("Subject"))
			}
			return out
		}},
		{"second subject added", func(t *testing.T, b []byte) []byte {
			i := bytes.Index(b, []byte("\r\nDate:"))
			return slices.Concat(b[:i+2], []byte("Subject: Offerta imperdibile\r\n"), b[i+2:])
		}},
		{"reply-to added", func(t *testing.T, b []byte) []byte {
			i := bytes.Index(b, []byte("\r\nDate:"))
			return slices.Concat(b[:i+2], []byte("Reply-To: evil@example.net\r\n"), b[i+2:])
		}},
		{"body changed", func(t *testing.T, b []byte) []byte {
			return bytes.Replace(b, []byte("Ciao Mario"), []byte("Ciao Luigi"), 1)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tampered := tt.tamper(t, bytes.Clone(raw))
			if bytes.Equal(tampered, raw) {
				t.Fatal("tampering changed nothing")
			}
			if v := verify(t, tampered, key.record)[0]; v.Err == nil {
				t.Errorf("tampered message still verifies")
			}
		})
	}
	// Folding whitespace is what relaxed canonicalisation forgives.
	refolded := bytes.Replace(raw, []byte("List-Unsubscribe-Post: "), []byte("List-Unsubscribe-Post:   "), 1)
	if v := verify(t, refolded, key.record)[0]; v.Err != nil {
		t.Errorf("whitespace change broke relaxed verification: %v", v.Err)
	}
}

func TestNewSignerErrors(t *testing.T) {
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecPKCS8, _ := x509.MarshalPKCS8PrivateKey(ecKey)
	ecSEC1, _ := x509.MarshalECPrivateKey(ecKey)
	// Go refuses to make keys under 1024 bits unless told to.
	t.Setenv("GODEBUG", "rsa1024min=0")
	smallRSA, err := rsa.GenerateKey(rand.Reader, 512)
	if err != nil {
		t.Fatal(err)
	}
	good := dkimTestKeys(t)[2].pem
	tests := []struct {
		name, domain, selector string
		key                    []byte
		want                   string
	}{
		{"empty key", testDomain, testSelector, nil, "dkim key: no PEM private key found"},
		{"not pem", testDomain, testSelector, []byte("hello"), "dkim key: no PEM private key found"},
		{"certificate only", testDomain, testSelector, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}), "no PEM private key found"},
		{"garbage pkcs8", testDomain, testSelector, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}}), "dkim key: parse PRIVATE KEY:"},
		{"garbage pkcs1", testDomain, testSelector, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: []byte{1, 2, 3}}), "dkim key: parse RSA PRIVATE KEY:"},
		{"ecdsa pkcs8", testDomain, testSelector, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecPKCS8}), "unsupported key type *ecdsa.PrivateKey"},
		{"ecdsa sec1", testDomain, testSelector, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: ecSEC1}), "EC PRIVATE KEY: unsupported"},
		{"encrypted", testDomain, testSelector, pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{1}}), "encrypted private keys are not supported"},
		{"small rsa", testDomain, testSelector, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(smallRSA)}), "rsa key has 512 bits, need at least 1024"},
		{"bad domain", "bottega example", testSelector, good, `dkim domain "bottega example": invalid`},
		{"single-label domain", "bottega", testSelector, good, `dkim domain "bottega": invalid`},
		{"bad selector", testDomain, "a;b=c", good, `dkim selector "a;b=c": invalid`},
		{"empty selector", testDomain, "", good, `dkim selector "": invalid`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewSigner(tt.domain, tt.selector, tt.key)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewSigner(%q, %q, …) = %v; want error containing %q", tt.domain, tt.selector, err, tt.want)
			}
		})
	}
}

func TestSignerConcurrentUse(t *testing.T) {
	key := dkimTestKeys(t)[2]
	s, err := NewSigner(testDomain, testSelector, key.pem)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	raws := make([][]byte, 8)
	for i := range raws {
		wg.Go(func() {
			raws[i], _ = testMessage(fmt.Sprintf("u%d@example.com", i)).Bytes(s)
		})
	}
	wg.Wait()
	for i, raw := range raws {
		if v := verify(t, raw, key.record)[0]; v.Err != nil {
			t.Errorf("message %d: %v", i, v.Err)
		}
	}
}

func TestHeaderKeys(t *testing.T) {
	msg := []byte("Subject: a\r\nX-Custom: 1\r\nFrom: a@b.example\r\n folded\r\nTo: c@d.example\r\nMessage-ID: <x@y>\r\n\r\nBody: not a header\r\n")
	got := headerKeys(msg)
	want := []string{"From", "To", "Subject", "Message-ID", "X-Custom", "From", "To", "Subject", "Reply-To", "List-Unsubscribe", "List-Unsubscribe-Post"}
	if !slices.Equal(got, want) {
		t.Errorf("headerKeys() = %v; want %v", got, want)
	}
}
