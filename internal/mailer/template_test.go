package mailer

import (
	"strings"
	"testing"
)

const testToken = "AAAAAAAAACpvYWJjZGVmZ2hpamtsbW5v" // any 32 base64url characters
const testPlaceholder = "VENERDIxTOKENxPLACEHOLDERxxxxxxx"

// A templated message must read exactly like one built from scratch with
// the token already in place, wherever the quoted-printable soft line
// breaks fall inside the token.
func TestTemplateMatchesBytes(t *testing.T) {
	for pad := 0; pad < 80; pad += 7 {
		prefix := strings.Repeat("è", pad) // non-ASCII shifts the encoded offsets
		link := "https://news.bottega.example.it/unsubscribe/"
		m := testMessage("x@placeholder.invalid")
		m.Text = "Ciao,\n" + prefix + link + testPlaceholder + " fine\n"
		m.HTML = `<p>` + prefix + `<a href="` + link + testPlaceholder + `">Annulla</a></p>`
		m.Unsubscribe = []string{link + testPlaceholder}
		tpl, err := NewTemplate(m, testPlaceholder, nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := 2 * len(testPlaceholder); len(tpl.slots) != want {
			t.Fatalf("pad %d: %d slots; want %d (one placeholder per part)", pad, len(tpl.slots), want)
		}
		got, err := tpl.Bytes(Personal{To: "anna@example.it", ToName: "Anna Bianchi", MessageID: "<m1@bottega.example.it>",
			Date: issueDate, Unsubscribe: []string{link + testToken}, Token: testToken})
		if err != nil {
			t.Fatal(err)
		}
		want := *m
		want.To, want.ToName, want.MessageID = "anna@example.it", "Anna Bianchi", "<m1@bottega.example.it>"
		want.Text = strings.ReplaceAll(m.Text, testPlaceholder, testToken)
		want.HTML = strings.ReplaceAll(m.HTML, testPlaceholder, testToken)
		want.Unsubscribe = []string{link + testToken}
		wantRaw, err := want.Bytes(nil)
		if err != nil {
			t.Fatal(err)
		}
		gh, gp := parseMessage(t, got)
		wh, wp := parseMessage(t, wantRaw)
		ga, _ := gh.AddressList("To")
		wa, _ := wh.AddressList("To")
		if len(ga) != 1 || len(wa) != 1 || *ga[0] != *wa[0] {
			t.Errorf("pad %d: To = %v; want %v", pad, ga, wa)
		}
		for _, h := range []string{"From", "Subject", "Date", "Message-Id", "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "X-Venerdi-Issue"} {
			if g, w := gh.Get(h), wh.Get(h); g != w {
				t.Errorf("pad %d: %s = %q; want %q", pad, h, g, w)
			}
		}
		if len(gp) != len(wp) {
			t.Fatalf("pad %d: %d parts; want %d", pad, len(gp), len(wp))
		}
		for i := range gp {
			if gp[i] != wp[i] {
				t.Errorf("pad %d: part %d = %+v; want %+v", pad, i, gp[i], wp[i])
			}
		}
		if strings.Contains(string(got), "PLACEHOLDER") {
			t.Errorf("pad %d: placeholder left in the message", pad)
		}
		checkWellFormed(t, got, &want)
	}
}

func TestTemplateSignsEachCopy(t *testing.T) {
	for _, k := range dkimTestKeys(t) {
		s, err := NewSigner(testDomain, testSelector, k.pem)
		if err != nil {
			t.Fatal(err)
		}
		m := testMessage("x@placeholder.invalid")
		m.Text += testPlaceholder
		tpl, err := NewTemplate(m, testPlaceholder, s)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := tpl.Bytes(Personal{To: "anna@example.it", Date: issueDate,
			Unsubscribe: []string{"https://b.it/u/" + testToken}, Token: testToken})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range verify(t, raw, k.record) {
			if v.Err != nil {
				t.Errorf("%s: DKIM verification of a templated copy: %v", k.name, v.Err)
			}
		}
	}
}

func TestTemplateRefusesBadInput(t *testing.T) {
	m := testMessage("x@placeholder.invalid")
	if _, err := NewTemplate(m, "has space", nil); err == nil {
		t.Error("NewTemplate with a non-base64url placeholder = nil error")
	}
	tpl, err := NewTemplate(m, testPlaceholder, nil)
	if err != nil {
		t.Fatal(err)
	}
	u := []string{"https://b.it/u/" + testToken}
	bad := []Personal{
		{To: "anna@example.it", Date: issueDate, Token: "short", Unsubscribe: u},
		{To: "not an address", Date: issueDate, Token: testToken, Unsubscribe: u},
		{To: "anna@example.it", Token: testToken, Unsubscribe: u},
		{To: "anna@example.it", Date: issueDate, Token: testToken},
		{To: "anna@example.it", ToName: "Anna\r\nBcc: evil@x.it", Date: issueDate, Token: testToken, Unsubscribe: u},
	}
	for i, p := range bad[:4] {
		if _, err := tpl.Bytes(p); err == nil {
			t.Errorf("Bytes(bad #%d) = nil error", i)
		}
	}
	raw, err := tpl.Bytes(bad[4])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "\r\nBcc:") {
		t.Error("a CR/LF in the recipient's name started a new header")
	}
}
