package mailer

import (
	"fmt"
	"strings"
	"testing"
)

// benchBodies returns an issue-sized HTML (~20 KB) and text (~5 KB) body
// with Italian text and attribute-heavy markup, the worst case for
// quoted-printable ("=" and accented letters are escaped).
func benchBodies() (html, text string) {
	var h, p strings.Builder
	h.WriteString(`<!doctype html><html lang="it"><head><meta charset="utf-8"><title>Bottega Digitale</title></head><body style="margin:0;padding:0;background:#f4f1ea">`)
	for i := 0; h.Len() < 20_000; i++ {
		fmt.Fprintf(&h, `<table role="presentation" width="100%%" cellpadding="0" cellspacing="0" style="max-width:600px;margin:0 auto"><tr><td style="padding:16px;font-family:Georgia,serif;color:#222">`+
			`<h2 style="font-size:20px;margin:0 0 8px"><a href="https://bottega.example.it/blog/articolo-%d?utm_source=newsletter&amp;utm_medium=email" style="color:#8a3b12;text-decoration:none">Perché il caffè del venerdì è più buono · parte %d</a></h2>`+
			`<p style="font-size:15px;line-height:1.5;margin:0">Città, novità e qualità: un viaggio tra botteghe artigiane, già aperte da più di cent'anni, dove si lavora così come una volta.</p></td></tr></table>`, i, i)
		if p.Len() < 5_000 {
			fmt.Fprintf(&p, "Perché il caffè del venerdì è più buono · parte %d\nhttps://bottega.example.it/blog/articolo-%d\nCittà, novità e qualità: un viaggio tra botteghe artigiane, già aperte da più di cent'anni.\n\n", i, i)
		}
	}
	h.WriteString(`</body></html>`)
	return h.String(), p.String()
}

func BenchmarkBytes(b *testing.B) {
	html, text := benchBodies()
	keys := dkimTestKeys(b)
	signers := []struct {
		name string
		pem  []byte
	}{
		{"unsigned", nil},
		{"dkim-rsa2048", keys[0].pem},
		{"dkim-ed25519", keys[2].pem},
	}
	for _, s := range signers {
		b.Run(s.name, func(b *testing.B) {
			var signer *Signer
			if s.pem != nil {
				var err error
				if signer, err = NewSigner(testDomain, testSelector, s.pem); err != nil {
					b.Fatal(err)
				}
			}
			m := testMessage("mario.rossi@example.com")
			m.HTML, m.Text = html, text
			raw, err := m.Bytes(signer)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Bytes(signer); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
