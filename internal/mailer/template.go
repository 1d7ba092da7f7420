package mailer

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Template is an issue's message rendered once by go-mail, with holes for
// what differs per recipient: the To, Date, Message-ID and List-Unsubscribe
// headers, and the token inside the body's unsubscribe links. Quoted-
// printable encoding of a 30 KB issue costs far more than the rest of a
// send, so a list of 100,000 pays it once instead of 100,000 times.
//
// The body holes work because a token and its placeholder have the same
// length and use only characters quoted-printable leaves as they are: the
// encoded body, soft line breaks included, is byte for byte the same but
// for those characters, whose offsets are found once.
type Template struct {
	common     []byte // header fields shared by every recipient, CRLF-terminated
	body       []byte // the encoded MIME body (after the blank line)
	slots      []int  // body offsets of each placeholder character, occurrence by occurrence
	tokLen     int
	fromDomain string
	oneClick   bool
	signer     *Signer
}

// personalHeaders are rebuilt for each recipient.
var personalHeaders = []string{"To", "Date", "Message-Id", "List-Unsubscribe", "List-Unsubscribe-Post"}

// NewTemplate renders m once. m's Text and HTML carry placeholder wherever
// a recipient's token goes; m's To, Date, MessageID and Unsubscribe only
// need to be valid (they are replaced per recipient).
func NewTemplate(m *Message, placeholder string, signer *Signer) (*Template, error) {
	if placeholder == "" || strings.ContainsFunc(placeholder, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	}) {
		return nil, fmt.Errorf("template placeholder %q: use base64url characters only", placeholder)
	}
	raw, err := m.Bytes(nil)
	if err != nil {
		return nil, err
	}
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if end < 0 {
		return nil, errors.New("template: rendered message has no body")
	}
	t := &Template{body: raw[end+4:], tokLen: len(placeholder), signer: signer}
	from, _ := parseAddress("from", m.From)
	t.fromDomain = strings.ToLower(from.Address[strings.LastIndexByte(from.Address, '@')+1:])
	_, t.oneClick, _ = formatUnsubscribe(m.Unsubscribe, m.OneClick)
	t.common = dropFields(raw[:end+2], personalHeaders)
	t.slots = findSlots(t.body, []byte(placeholder))
	return t, nil
}

// Personal is what one recipient's copy says differently.
type Personal struct {
	To          string
	ToName      string
	MessageID   string // "" for a random one on the From domain
	Date        time.Time
	Unsubscribe []string // final URIs, token included
	Token       string   // goes where the placeholder was in the body
}

// Bytes renders the message for one recipient, DKIM-signed when the
// template has a signer.
func (t *Template) Bytes(p Personal) ([]byte, error) {
	if len(p.Token) != t.tokLen {
		return nil, fmt.Errorf("template token %q: want %d characters", p.Token, t.tokLen)
	}
	to, err := parseAddress("to", p.To)
	if err != nil {
		return nil, err
	}
	name := cleanName(p.ToName)
	if name == "" {
		name = cleanName(to.Name)
	}
	if p.Date.IsZero() {
		return nil, errors.New("date: not set")
	}
	id, err := messageID(p.MessageID, t.fromDomain)
	if err != nil {
		return nil, err
	}
	unsub, _, err := formatUnsubscribe(p.Unsubscribe, t.oneClick)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, 0, len(t.common)+len(t.body)+512)
	buf = appendField(buf, "To", addressField(name, to.Address))
	buf = appendField(buf, "Date", p.Date.Format(time.RFC1123Z))
	buf = appendField(buf, "Message-ID", "<"+id+">")
	if unsub != "" {
		buf = appendField(buf, "List-Unsubscribe", unsub)
		if t.oneClick {
			buf = appendField(buf, "List-Unsubscribe-Post", oneClickValue)
		}
	}
	buf = append(buf, t.common...)
	buf = append(buf, "\r\n"...)
	start := len(buf)
	buf = append(buf, t.body...)
	for i, off := range t.slots {
		buf[start+off] = p.Token[i%t.tokLen]
	}
	if t.signer == nil {
		return buf, nil
	}
	return t.signer.sign(buf)
}

func addressField(name, addr string) string {
	if name == "" {
		return "<" + addr + ">"
	}
	return formatPhrase(name) + " <" + addr + ">"
}

// appendField writes "Name: value" folded at spaces so that no line passes
// 78 characters where a space allows it (RFC 5322 section 2.2.3).
func appendField(buf []byte, name, value string) []byte {
	line := len(name) + 2
	buf = append(buf, name...)
	buf = append(buf, ": "...)
	for i, word := range strings.Split(value, " ") {
		if i > 0 {
			if line+1+len(word) > 78 {
				buf = append(buf, "\r\n "...)
				line = 1
			} else {
				buf = append(buf, ' ')
				line++
			}
		}
		buf = append(buf, word...)
		line += len(word)
	}
	return append(buf, "\r\n"...)
}

// dropFields returns a header block without the named fields (and their
// folded continuation lines).
func dropFields(head []byte, names []string) []byte {
	var out []byte
	skipping := false
	for line := range bytes.Lines(head) {
		if len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
			if !skipping {
				out = append(out, line...)
			}
			continue
		}
		skipping = false
		if colon := bytes.IndexByte(line, ':'); colon > 0 {
			for _, n := range names {
				if strings.EqualFold(string(line[:colon]), n) {
					skipping = true
				}
			}
		}
		if !skipping {
			out = append(out, line...)
		}
	}
	return out
}

// findSlots returns the offset in body of every character of every
// occurrence of ph, looking through quoted-printable soft line breaks
// ("=\r\n"), which may fall inside an occurrence.
func findSlots(body, ph []byte) []int {
	// view is body without soft breaks; at maps view offsets back to body.
	view := make([]byte, 0, len(body))
	at := make([]int, 0, len(body))
	for i := 0; i < len(body); i++ {
		if body[i] == '=' && i+2 < len(body) && body[i+1] == '\r' && body[i+2] == '\n' {
			i += 2
			continue
		}
		view = append(view, body[i])
		at = append(at, i)
	}
	var slots []int
	for from := 0; ; {
		i := bytes.Index(view[from:], ph)
		if i < 0 {
			return slots
		}
		for k := range ph {
			slots = append(slots, at[from+i+k])
		}
		from += i + len(ph)
	}
}
