package cli_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/dkim"
)

// With mail.dkim_* set, every message that reaches the relay carries a
// signature that go-msgauth verifies, covering the headers providers check.
func TestSendSignsWithDKIM(t *testing.T) {
	dir, srv := crashSite(t, 3)
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	os.WriteFile(filepath.Join(dir, "dkim.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
	cfg, _ := os.ReadFile(filepath.Join(dir, "venerdi.toml"))
	cfg = bytes.Replace(cfg, []byte("[smtp]"), []byte("dkim_key_file = \"dkim.pem\"\ndkim_selector = \"v2026\"\n[smtp]"), 1)
	os.WriteFile(filepath.Join(dir, "venerdi.toml"), cfg, 0o644)

	if code := venerdiInProcess(t, dir, "--now", crashNow, "send"); code != 0 {
		t.Fatalf("send = exit %d", code)
	}
	msgs := srv.Messages()
	if len(msgs) != 3 {
		t.Fatalf("%d messages; want 3", len(msgs))
	}
	record := "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)
	for _, m := range msgs {
		vs, err := dkim.VerifyWithOptions(bytes.NewReader(m.Data), &dkim.VerifyOptions{
			LookupTXT: func(domain string) ([]string, error) {
				if domain != "v2026._domainkey.bottega.example.it" {
					return nil, fmt.Errorf("no record for %s", domain)
				}
				return []string{record}, nil
			},
		})
		if err != nil || len(vs) != 1 || vs[0].Err != nil {
			t.Fatalf("DKIM verify of the message to %v = %v, %+v", m.To, err, vs)
		}
		signed := strings.ToLower(strings.Join(vs[0].HeaderKeys, ":"))
		for _, h := range []string{"from", "to", "subject", "date", "message-id", "list-id", "list-unsubscribe", "list-unsubscribe-post"} {
			if !strings.Contains(":"+signed+":", ":"+h+":") {
				t.Errorf("signature does not cover %s (h=%s)", h, signed)
			}
		}
	}
}
