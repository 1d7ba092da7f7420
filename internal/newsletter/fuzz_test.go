package newsletter

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/venerdi/venerdi/internal/store"
)

// FuzzImportCSV feeds readSubscribersCSV arbitrary files: it must not
// panic, and whatever rows it returns must be safe to store and to mail.
func FuzzImportCSV(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "import", "*"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		"email,name\nanna@example.it,Anna\n",
		"sep=;\nE-mail;Nome;Cognome;Stato globale\nanna@example.it;Anna;Neri;unsubscribed\n",
		"email\tstatus\tcreated_at\nanna@example.it\tenabled\t2023-01-02 03:04:05 +0000 UTC\n",
		"email;name\r\nanna@example.it;Niccol\xf2\r\n",
		"\xff\xfee\x00m\x00a\x00i\x00l\x00\n\x00",
		"email,name\n\"a\"\"b\"@x.it,\"unterminated\n",
	} {
		f.Add([]byte(s))
	}
	valid := map[store.SubscriberStatus]bool{"": true, store.Pending: true, store.Unsubscribed: true, store.Bounced: true}
	f.Fuzz(func(t *testing.T, in []byte) {
		rows, bad, err := readSubscribersCSV(bytes.NewReader(in), "fuzz.csv")
		if err != nil {
			if rows != nil || bad != nil {
				t.Fatalf("readSubscribersCSV(%q) returned rows or bad rows with error %v", in, err)
			}
			if !strings.HasPrefix(err.Error(), "fuzz.csv:") {
				t.Fatalf("readSubscribersCSV(%q) error %q does not name the file", in, err)
			}
			return
		}
		seen := map[string]bool{}
		for _, r := range rows {
			addr, _, err := ParseAddress(r.Email)
			if err != nil || addr != r.Email {
				t.Fatalf("readSubscribersCSV(%q) row address %q: ParseAddress = %q, %v", in, r.Email, addr, err)
			}
			key := strings.ToLower(r.Email)
			if seen[key] {
				t.Fatalf("readSubscribersCSV(%q) returned %q twice", in, r.Email)
			}
			seen[key] = true
			if !utf8.ValidString(r.Name) {
				t.Fatalf("readSubscribersCSV(%q) row name %q is not UTF-8", in, r.Name)
			}
			if strings.IndexFunc(r.Name, unicode.IsControl) >= 0 || r.Name != strings.TrimSpace(r.Name) {
				t.Fatalf("readSubscribersCSV(%q) row name %q has control characters or outer spaces", in, r.Name)
			}
			if !valid[r.Status] {
				t.Fatalf("readSubscribersCSV(%q) row status %q", in, r.Status)
			}
			if !r.ConsentAt.IsZero() && r.ConsentAt.Location().String() != "UTC" {
				t.Fatalf("readSubscribersCSV(%q) consent time %v is not UTC", in, r.ConsentAt)
			}
		}
		for _, b := range bad {
			if b.Line < 1 || b.Msg == "" {
				t.Fatalf("readSubscribersCSV(%q) bad row %+v", in, b)
			}
		}
	})
}
