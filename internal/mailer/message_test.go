package mailer

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/venerdi/venerdi/internal/plaintext"
)

var issueDate = time.Date(2026, 12, 4, 9, 0, 0, 0, time.FixedZone("CET", 3600))

// testMessage is a realistic issue for one subscriber.
func testMessage(to string) *Message {
	return &Message{
		From:    "Bottega Digitale <newsletter@bottega.example.it>",
		To:      to,
		ToName:  "Mario Rossi",
		Subject: "Novità della settimana · 4 dicembre",
		Text:    "Ciao Mario,\n\nquesta settimana: perché il caffè è buono.\n\nA presto!\n",
		HTML:    `<html><body><p>Ciao Mario,</p><p>questa settimana: <a href="https://bottega.example.it/caffe">perché il caffè è buono</a>.</p></body></html>`,
		ListID:  "settimanale.bottega.example.it",
		Unsubscribe: []string{
			"mailto:disiscrivi@bottega.example.it?subject=unsubscribe",
			"https://bottega.example.it/disiscrivi?t=tok123",
		},
		OneClick: true,
		Date:     issueDate,
		Headers:  map[string]string{"X-Venerdi-Issue": "2026-W49"},
	}
}

// part is one decoded MIME part.
type part struct {
	ContentType string
	Encoding    string
	Body        string
}

// parseMessage parses raw with net/mail and mime/multipart, the way a
// receiving client would, and returns the header and the decoded parts.
func parseMessage(t *testing.T, raw []byte) (mail.Header, []part) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("ReadMessage: %v\n%s", err, raw)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	if !strings.HasPrefix(mediaType, "multipart/") {
		body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
		if err != nil {
			t.Fatal(err)
		}
		return msg.Header, []part{{msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), string(body)}}
	}
	if mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type = %q; want multipart/alternative", mediaType)
	}
	var parts []part
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		enc := p.Header.Get("Content-Transfer-Encoding")
		var r io.Reader = p
		if enc == "quoted-printable" {
			r = quotedprintable.NewReader(p)
		}
		body, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, part{p.Header.Get("Content-Type"), enc, string(body)})
	}
	return msg.Header, parts
}

// crlf converts LF line endings to the CRLF quoted-printable emits.
func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

// checkWellFormed asserts the structure every rendered message must have.
func checkWellFormed(t *testing.T, raw []byte, m *Message) {
	t.Helper()
	head, _, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok {
		t.Fatalf("no header/body separator:\n%s", raw)
	}
	for i, line := range strings.Split(string(head), "\r\n") {
		if len(line) > 998 {
			t.Errorf("header line %d is %d octets long", i, len(line))
		}
		for _, c := range []byte(line) {
			if c >= 0x80 || (c < 0x20 && c != '\t') {
				t.Fatalf("header line %d has raw byte %#x: %q", i, c, line)
			}
		}
	}
	if bytes.Contains(raw, []byte("\n")) && bytes.Count(raw, []byte("\n")) != bytes.Count(raw, []byte("\r\n")) {
		t.Errorf("bare LF in message")
	}

	h, parts := parseMessage(t, raw)
	for _, name := range []string{"From", "To", "Subject", "Date", "Message-Id", "Mime-Version"} {
		if n := len(h[name]); n != 1 {
			t.Errorf("%d %s headers; want 1", n, name)
		}
	}
	for _, name := range []string{"Bcc", "Cc"} {
		if _, ok := h[name]; ok {
			t.Errorf("unexpected %s header: %q", name, h[name])
		}
	}
	to, err := h.AddressList("To")
	if err != nil || len(to) != 1 {
		t.Fatalf("To = %v, %v; want exactly one address", to, err)
	}
	if want, _ := mail.ParseAddress(m.To); to[0].Address != want.Address {
		t.Errorf("To address = %q; want %q", to[0].Address, want.Address)
	}
	from, err := h.AddressList("From")
	if err != nil || len(from) != 1 {
		t.Fatalf("From = %v, %v; want one address", from, err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil {
		t.Fatalf("decode Subject %q: %v", h.Get("Subject"), err)
	}
	if want := cleanSubject(m.Subject); subject != want {
		t.Errorf("Subject decodes to %q; want %q", subject, want)
	}
	id := h.Get("Message-Id")
	fromDomain := from[0].Address[strings.LastIndexByte(from[0].Address, '@')+1:]
	if !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@"+fromDomain+">") && m.MessageID == "" {
		t.Errorf("Message-ID = %q; want <…@%s>", id, fromDomain)
	}
	if _, err := mail.ParseDate(h.Get("Date")); err != nil {
		t.Errorf("Date %q: %v", h.Get("Date"), err)
	}

	var wantParts []string
	if m.Text != "" {
		wantParts = append(wantParts, "text/plain")
	}
	if m.HTML != "" {
		wantParts = append(wantParts, "text/html")
	}
	if len(parts) != len(wantParts) {
		t.Fatalf("%d parts; want %v", len(parts), wantParts)
	}
	for i, p := range parts {
		mt, params, err := mime.ParseMediaType(p.ContentType)
		if err != nil || mt != wantParts[i] || !strings.EqualFold(params["charset"], "utf-8") {
			t.Errorf("part %d Content-Type = %q; want %s; charset=UTF-8", i, p.ContentType, wantParts[i])
		}
		if p.Encoding != "quoted-printable" {
			t.Errorf("part %d Content-Transfer-Encoding = %q; want quoted-printable", i, p.Encoding)
		}
		want := m.Text
		if mt == "text/html" {
			want = m.HTML
		}
		if p.Body != crlf(want) {
			t.Errorf("part %d body = %q; want %q", i, p.Body, crlf(want))
		}
	}
}

func TestBytesStructure(t *testing.T) {
	m := testMessage("mario@example.com")
	raw, err := m.Bytes(nil)
	if err != nil {
		t.Fatalf("Bytes() = %v", err)
	}
	checkWellFormed(t, raw, m)
	h, _ := parseMessage(t, raw)

	tests := []struct {
		header, want string
	}{
		{"List-Id", "Bottega Digitale <settimanale.bottega.example.it>"},
		// https first even though mailto was given first.
		{"List-Unsubscribe", "<https://bottega.example.it/disiscrivi?t=tok123>, <mailto:disiscrivi@bottega.example.it?subject=unsubscribe>"},
		{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"},
		{"Date", "Fri, 04 Dec 2026 09:00:00 +0100"},
		{"Mime-Version", "1.0"},
		{"X-Venerdi-Issue", "2026-W49"},
		{"Reply-To", ""},
		{"User-Agent", ""},
		{"X-Mailer", ""},
	}
	for _, tt := range tests {
		if got := h.Get(tt.header); got != tt.want {
			t.Errorf("%s = %q; want %q", tt.header, got, tt.want)
		}
	}
	to, _ := h.AddressList("To")
	if to[0].Name != "Mario Rossi" {
		t.Errorf("To name = %q; want %q", to[0].Name, "Mario Rossi")
	}
}

func TestBytesOptionalParts(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Message)
		want map[string]string // header → value
	}{
		{"reply-to", func(m *Message) { m.ReplyTo = "Redazione <redazione@bottega.example.it>" },
			map[string]string{"Reply-To": `"Redazione" <redazione@bottega.example.it>`}},
		{"text only", func(m *Message) { m.HTML = "" }, nil},
		{"html only", func(m *Message) { m.Text = "" }, nil},
		{"no list headers", func(m *Message) { m.ListID, m.Unsubscribe, m.OneClick = "", nil, false },
			map[string]string{"List-Id": "", "List-Unsubscribe": "", "List-Unsubscribe-Post": ""}},
		{"no one-click", func(m *Message) { m.OneClick = false },
			map[string]string{"List-Unsubscribe-Post": ""}},
		{"one-click without https uri", func(m *Message) { m.Unsubscribe = []string{"mailto:u@x.example", "http://x.example/u"} },
			map[string]string{"List-Unsubscribe": "<http://x.example/u>, <mailto:u@x.example>", "List-Unsubscribe-Post": ""}},
		{"list-id in brackets, no from name", func(m *Message) {
			m.From = "newsletter@bottega.example.it"
			m.ListID = "<settimanale.bottega.example.it>"
		}, map[string]string{"List-Id": "<settimanale.bottega.example.it>"}},
		{"list-id phrase with specials", func(m *Message) { m.From = `"Bottega \"Digitale\"" <newsletter@bottega.example.it>` },
			map[string]string{"List-Id": `"Bottega \"Digitale\"" <settimanale.bottega.example.it>`}},
		{"given message-id", func(m *Message) { m.MessageID = "<2026-W49.42@venerdi.bottega.example.it>" },
			map[string]string{"Message-Id": "<2026-W49.42@venerdi.bottega.example.it>"}},
		{"given message-id without brackets", func(m *Message) { m.MessageID = "abc@bottega.example.it" },
			map[string]string{"Message-Id": "<abc@bottega.example.it>"}},
		{"to with name in address", func(m *Message) { m.To, m.ToName = "Luigi <luigi@example.com>", "" }, nil},
		{"non-ascii extra header", func(m *Message) { m.Headers = map[string]string{"x-venerdi-tema": "caffè"} },
			map[string]string{"X-Venerdi-Tema": "=?UTF-8?q?caff=C3=A8?="}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testMessage("mario@example.com")
			tt.edit(m)
			raw, err := m.Bytes(nil)
			if err != nil {
				t.Fatalf("Bytes() = %v", err)
			}
			checkWellFormed(t, raw, m)
			h, _ := parseMessage(t, raw)
			for name, want := range tt.want {
				if got := h.Get(name); got != want {
					t.Errorf("%s = %q; want %q", name, got, want)
				}
			}
		})
	}
}

func TestBytesListIDNonASCIIName(t *testing.T) {
	m := testMessage("mario@example.com")
	m.From = "Bottega Digitàle · Roma <newsletter@bottega.example.it>"
	raw, err := m.Bytes(nil)
	if err != nil {
		t.Fatalf("Bytes() = %v", err)
	}
	checkWellFormed(t, raw, m)
	h, _ := parseMessage(t, raw)
	got, err := new(mime.WordDecoder).DecodeHeader(h.Get("List-Id"))
	if want := "Bottega Digitàle · Roma <settimanale.bottega.example.it>"; err != nil || got != want {
		t.Errorf("List-Id decodes to %q, %v; want %q", got, err, want)
	}
	from, _ := h.AddressList("From")
	if from[0].Name != "Bottega Digitàle · Roma" {
		t.Errorf("From name = %q", from[0].Name)
	}
}

func TestBytesSubjectEncoding(t *testing.T) {
	tests := []struct {
		name, subject, want string
	}{
		{"ascii", "Weekly digest", "Weekly digest"},
		{"italian", "Novità · settimana 49: perché sì", "Novità · settimana 49: perché sì"},
		{"long italian", strings.Repeat("Novità e perché · ", 12) + "fine", strings.Repeat("Novità e perché · ", 12) + "fine"},
		{"long ascii", strings.Repeat("word ", 40) + "end", strings.Repeat("word ", 40) + "end"},
		{"too long", strings.Repeat("parola ", 50), strings.Repeat("parola ", 35) + "paro…"},
		{"one huge word", strings.Repeat("x", 2000), strings.Repeat("x", 249) + "…"},
		{"emoji", "☕ Caffè del venerdì 🎉", "☕ Caffè del venerdì 🎉"},
		{"looks encoded", "=?utf-8?q?hi?= there", "hi there"},
		{"whitespace runs", "  Tanti\t\tspazi   qui  ", "Tanti spazi qui"},
		{"invalid utf-8", "caff\xe8", "caff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testMessage("mario@example.com")
			m.Subject = tt.subject
			raw, err := m.Bytes(nil)
			if err != nil {
				t.Fatalf("Bytes() = %v", err)
			}
			h, _ := parseMessage(t, raw)
			got, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
			if err != nil || got != tt.want {
				t.Errorf("Subject %q decodes to %q, %v; want %q", tt.subject, got, err, tt.want)
			}
			if tt.name != "looks encoded" {
				checkWellFormed(t, raw, m)
			}
		})
	}
}

func TestBytesHeaderInjection(t *testing.T) {
	const evil = "Hi\r\nBcc: evil@x"
	tests := []struct {
		name string
		edit func(*Message)
	}{
		{"subject crlf", func(m *Message) { m.Subject = evil }},
		{"subject lf", func(m *Message) { m.Subject = "Hi\nBcc: evil@x" }},
		{"subject cr", func(m *Message) { m.Subject = "Hi\rBcc: evil@x" }},
		{"subject crlf crlf body", func(m *Message) { m.Subject = "Hi\r\n\r\nBcc: evil@x" }},
		{"subject unicode separators", func(m *Message) { m.Subject = "Hi\u2028Bcc: evil@x\u0085Cc: y@x" }},
		{"subject nul and del", func(m *Message) { m.Subject = "Hi\x00\x7fBcc: evil@x" }},
		{"subject non-ascii and crlf", func(m *Message) { m.Subject = "Novità\r\nBcc: evil@x" }},
		{"to name", func(m *Message) { m.ToName = evil }},
		{"to name non-ascii", func(m *Message) { m.ToName = "Mària\r\nBcc: evil@x" }},
		{"extra header value tab", func(m *Message) { m.Headers = map[string]string{"X-Tab": "a\tb"} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testMessage("mario@example.com")
			tt.edit(m)
			raw, err := m.Bytes(nil)
			if err != nil {
				t.Fatalf("Bytes() = %v", err)
			}
			checkWellFormed(t, raw, m)
			h, _ := parseMessage(t, raw)
			if n := len(h["Subject"]); n != 1 {
				t.Errorf("%d Subject headers; want 1", n)
			}
			if _, ok := h["Bcc"]; ok {
				t.Errorf("Bcc header injected: %q", h["Bcc"])
			}
			head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
			if bytes.Contains(bytes.ToLower(head), []byte("\nbcc:")) {
				t.Errorf("a header line starts with Bcc:\n%s", head)
			}
		})
	}
}

func TestBytesErrors(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*Message)
		want    string
		address bool // errors.Is(err, ErrInvalidAddress)
	}{
		{"to not an address", func(m *Message) { m.To = "foo" }, `to "foo": invalid address`, true},
		{"to empty", func(m *Message) { m.To = "" }, `to "": invalid address`, true},
		{"to two addresses", func(m *Message) { m.To = "a@example.com, b@example.com" }, `to "a@example.com, b@example.com": invalid address`, true},
		{"to with crlf", func(m *Message) { m.To = "a@example.com\r\nBcc: evil@x" }, `to "a@example.com\r\nBcc: evil@x": invalid address`, true},
		{"to quoted local part", func(m *Message) { m.To = `"a b"@example.com` }, `to "\"a b\"@example.com": invalid address`, true},
		{"to non-ascii", func(m *Message) { m.To = "mària@example.com" }, `to "mària@example.com": invalid address`, true},
		{"from", func(m *Message) { m.From = "Bottega <newsletter>" }, `from "Bottega <newsletter>": invalid address`, true},
		{"from crlf in name", func(m *Message) { m.From = "Bottega\r\nBcc: x@y <n@bottega.example.it>" }, `from "Bottega\r\nBcc: x@y <n@bottega.example.it>": invalid address`, true},
		{"reply-to", func(m *Message) { m.ReplyTo = "redazione" }, `reply-to "redazione": invalid address`, true},
		{"subject empty", func(m *Message) { m.Subject = " \r\n " }, "subject: empty", false},
		{"date", func(m *Message) { m.Date = time.Time{} }, "date: not set", false},
		{"no body", func(m *Message) { m.Text, m.HTML = "", "" }, "body: no text and no html", false},
		{"message-id", func(m *Message) { m.MessageID = "no-at-sign" }, `message-id "no-at-sign": invalid`, false},
		{"message-id crlf", func(m *Message) { m.MessageID = "a@b\r\nBcc: x" }, `message-id "a@b\r\nBcc: x": invalid`, false},
		{"list-id crlf", func(m *Message) { m.ListID = "a.example\r\nBcc: x" }, `list-id "a.example\r\nBcc: x": invalid`, false},
		{"list-id one label", func(m *Message) { m.ListID = "settimanale" }, `list-id "settimanale": invalid`, false},
		{"unsubscribe scheme", func(m *Message) { m.Unsubscribe = []string{"ftp://x.example/u"} }, `unsubscribe "ftp://x.example/u": scheme must be https, http or mailto`, false},
		{"unsubscribe space", func(m *Message) { m.Unsubscribe = []string{"https://x.example/u v"} }, `unsubscribe "https://x.example/u v": invalid uri`, false},
		{"unsubscribe crlf", func(m *Message) { m.Unsubscribe = []string{"https://x.example/u\r\nBcc: x"} }, `unsubscribe "https://x.example/u\r\nBcc: x": invalid uri`, false},
		{"unsubscribe bracket", func(m *Message) { m.Unsubscribe = []string{"https://x.example/u>, <https://evil"} }, `unsubscribe "https://x.example/u>, <https://evil": invalid uri`, false},
		{"unsubscribe too long", func(m *Message) { m.Unsubscribe = []string{"https://x.example/" + strings.Repeat("a", 900)} }, "invalid uri", false},
		{"one-click without uris", func(m *Message) { m.Unsubscribe = nil }, "unsubscribe: one-click set but no uri given", false},
		{"header name", func(m *Message) { m.Headers = map[string]string{"X Bad": "v"} }, `header "X Bad": invalid name`, false},
		{"header name colon", func(m *Message) { m.Headers = map[string]string{"Bcc:": "v"} }, `header "Bcc:": invalid name`, false},
		{"header reserved", func(m *Message) { m.Headers = map[string]string{"bcc": "evil@x"} }, `header "bcc": set by the mailer, not allowed as extra header`, false},
		{"header content-*", func(m *Message) { m.Headers = map[string]string{"Content-Type": "text/plain"} }, `header "Content-Type": set by the mailer, not allowed as extra header`, false},
		{"header value crlf", func(m *Message) { m.Headers = map[string]string{"X-A": "v\r\nBcc: evil@x"} }, `header "X-A": value must be a single line without control characters`, false},
		{"header value too long", func(m *Message) { m.Headers = map[string]string{"X-A": strings.Repeat("v", 901)} }, `header "X-A": value longer than 900 bytes`, false},
		{"header twice", func(m *Message) { m.Headers = map[string]string{"X-A": "1", "x-a": "2"} }, `header "X-A": given twice`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testMessage("mario@example.com")
			tt.edit(m)
			raw, err := m.Bytes(nil)
			if err == nil {
				t.Fatalf("Bytes() = nil error; want %q\n%s", tt.want, raw)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Bytes() = %q; want %q", err, tt.want)
			}
			if got := errors.Is(err, ErrInvalidAddress); got != tt.address {
				t.Errorf("errors.Is(%q, ErrInvalidAddress) = %v; want %v", err, got, tt.address)
			}
		})
	}
}

func TestBytesMessageIDIsUnique(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		raw, err := testMessage("mario@example.com").Bytes(nil)
		if err != nil {
			t.Fatal(err)
		}
		h, _ := parseMessage(t, raw)
		id := h.Get("Message-Id")
		if seen[id] {
			t.Fatalf("Message-ID %s generated twice", id)
		}
		seen[id] = true
	}
}

func TestLongNamesStayUnderLineLimit(t *testing.T) {
	m := testMessage("mario@example.com")
	m.ToName = strings.Repeat("N", 3000)
	m.From = strings.Repeat("F", 3000) + " <newsletter@bottega.example.it>"
	raw, err := m.Bytes(nil)
	if err != nil {
		t.Fatalf("Bytes() = %v", err)
	}
	checkWellFormed(t, raw, m)
	h, _ := parseMessage(t, raw)
	to, _ := h.AddressList("To")
	if want := strings.Repeat("N", maxNameRunes-1) + "…"; to[0].Name != want {
		t.Errorf("To name = %q; want %q", to[0].Name, want)
	}
}

// FuzzBytesHeaders feeds arbitrary text to the free-text fields; whatever it
// is, the message must parse with exactly one Subject and To, and no Bcc.
func FuzzBytesHeaders(f *testing.F) {
	f.Add("Hi\r\nBcc: evil@x", "Eve\r\nBcc: evil@x", "v")
	f.Add("Novità · \u2028", "Mària", "caffè")
	f.Add("=?utf-8?q?=0D=0ABcc:_x?=", "\"quoted\" <x@y>", "a\tb")
	f.Add(strings.Repeat("x", 2000), strings.Repeat("é ", 100), "")
	f.Fuzz(func(t *testing.T, subject, toName, value string) {
		m := testMessage("mario@example.com")
		m.Subject, m.ToName = subject, toName
		m.Headers = map[string]string{"X-Fuzz": value}
		raw, err := m.Bytes(nil)
		if err != nil {
			if plaintext.Line(subject) == "" || len(value) > maxHeaderValue || strings.ContainsFunc(value, func(r rune) bool {
				return r != '\t' && (r < ' ' || r == 0x7f || r == '\u2028' || r == '\u2029')
			}) {
				return // refused as documented
			}
			t.Fatalf("Bytes() = %v", err)
		}
		h, _ := parseMessage(t, raw)
		if len(h["Subject"]) != 1 || len(h["To"]) != 1 || len(h["X-Fuzz"]) != 1 {
			t.Fatalf("Subject %d, To %d, X-Fuzz %d headers; want 1 each:\n%s", len(h["Subject"]), len(h["To"]), len(h["X-Fuzz"]), raw)
		}
		if _, ok := h["Bcc"]; ok {
			t.Fatalf("Bcc injected:\n%s", raw)
		}
		head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
		for line := range strings.SplitSeq(string(head), "\r\n") {
			if len(line) > 998 || strings.TrimSpace(line) == "" {
				t.Fatalf("bad header line (%d octets) %.80q", len(line), line)
			}
		}
		if to, err := h.AddressList("To"); err != nil || len(to) != 1 || to[0].Address != "mario@example.com" {
			t.Fatalf("To = %v, %v", to, err)
		}
	})
}
