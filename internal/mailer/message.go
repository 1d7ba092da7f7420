package mailer

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"mime"
	"net/mail"
	"net/textproto"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	gomail "github.com/wneessen/go-mail"

	"github.com/venerdi/venerdi/internal/plaintext"
)

// Message is one personalised email of an issue. The zero value is not
// usable: From, To, Subject, Date and at least one of Text and HTML are
// required.
type Message struct {
	From    string // "Bottega Digitale <newsletter@bottega.example.it>"
	ReplyTo string // optional
	To      string // recipient address
	ToName  string // optional display name
	Subject string
	Text    string // text/plain part (UTF-8)
	HTML    string // text/html part (UTF-8)
	// ListID is the list identifier, e.g. "settimanale.bottega.example.it";
	// it is rendered with the From display name as phrase:
	// List-Id: Bottega Digitale <settimanale.bottega.example.it>.
	ListID string
	// Unsubscribe holds the List-Unsubscribe URIs (RFC 2369). They are
	// written http(s) first, then mailto, whatever the order given.
	Unsubscribe []string
	// OneClick adds List-Unsubscribe-Post: List-Unsubscribe=One-Click
	// (RFC 8058). That header is only valid next to an https URI, so it is
	// left out when Unsubscribe has only http or mailto URIs; OneClick
	// without any URI is an error.
	OneClick bool
	// MessageID is the Message-ID without or with angle brackets; when empty
	// a random one on the From domain is generated.
	MessageID string
	Date      time.Time
	// Headers are extra header fields such as X-Venerdi-Issue. Names must be
	// letters, digits and '-', values a single line; the fields this type
	// renders itself (From, Subject, Content-*, List-*, …) are refused.
	Headers map[string]string
}

// reservedHeaders are rendered by Bytes itself or by relays; letting Headers
// set them would duplicate or contradict a structural field.
var reservedHeaders = map[string]bool{
	"Bcc": true, "Cc": true, "Date": true, "Dkim-Signature": true, "From": true,
	"List-Id": true, "List-Unsubscribe": true, "List-Unsubscribe-Post": true,
	"Message-Id": true, "Mime-Version": true, "Received": true, "Reply-To": true,
	"Return-Path": true, "Sender": true, "Subject": true, "To": true,
}

const oneClickValue = "List-Unsubscribe=One-Click"

// maxURILength keeps a List-Unsubscribe line under SMTP's 998-octet line
// limit: go-mail folds header values only at spaces, and a URI has none.
const maxURILength = 900

// Bytes renders the message as RFC 5322 bytes with CRLF line endings: a
// multipart/alternative body (text/plain first, text/html last, both
// quoted-printable UTF-8; a single part when only one is set) and the headers From, To, Reply-To, Date,
// Subject (RFC 2047 encoded when not ASCII), Message-ID, MIME-Version,
// List-Id, List-Unsubscribe and List-Unsubscribe-Post. When signer is not
// nil a DKIM-Signature header is prepended.
//
// Subject and display names are made one line with plaintext.Line (CR, LF
// and other white space become single spaces, other control characters are
// dropped), so they can never start a new header line; malformed
// addresses, IDs, URIs and extra headers are reported as errors.
func (m *Message) Bytes(signer *Signer) ([]byte, error) {
	msg, err := m.build()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	// Quoted-printable grows UTF-8 text and HTML attributes ("=" → "=3D");
	// growing once up front saves the buffer's repeated doubling.
	buf.Grow(len(m.Text) + len(m.HTML) + (len(m.Text)+len(m.HTML))/5 + 2048)
	if _, err := msg.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("render message: %w", err)
	}
	if signer == nil {
		return buf.Bytes(), nil
	}
	return signer.sign(buf.Bytes())
}

// build validates m and turns it into a go-mail message.
func (m *Message) build() (*gomail.Msg, error) {
	from, err := parseAddress("from", m.From)
	if err != nil {
		return nil, err
	}
	from.Name = cleanName(from.Name)
	to, err := parseAddress("to", m.To)
	if err != nil {
		return nil, err
	}
	toName := cleanName(m.ToName)
	if toName == "" {
		toName = cleanName(to.Name)
	}
	var replyTo *mail.Address
	if m.ReplyTo != "" {
		if replyTo, err = parseAddress("reply-to", m.ReplyTo); err != nil {
			return nil, err
		}
		replyTo.Name = cleanName(replyTo.Name)
	}
	subject := cleanSubject(m.Subject)
	if subject == "" {
		return nil, errors.New("subject: empty")
	}
	if m.Date.IsZero() {
		return nil, errors.New("date: not set")
	}
	if m.Text == "" && m.HTML == "" {
		return nil, errors.New("body: no text and no html")
	}
	fromDomain := strings.ToLower(from.Address[strings.LastIndexByte(from.Address, '@')+1:])
	msgID, err := messageID(m.MessageID, fromDomain)
	if err != nil {
		return nil, err
	}
	var listID string
	if m.ListID != "" {
		if listID, err = formatListID(m.ListID, from.Name); err != nil {
			return nil, err
		}
	}
	unsub, oneClick, err := formatUnsubscribe(m.Unsubscribe, m.OneClick)
	if err != nil {
		return nil, err
	}
	extra, err := checkHeaders(m.Headers)
	if err != nil {
		return nil, err
	}

	// go-mail defaults to UTF-8 and quoted-printable for parts and RFC 2047
	// Q-encoding for non-ASCII header values; its default User-Agent would
	// only advertise the library.
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	msg.FromMailAddress(from)
	msg.ToMailAddress(&mail.Address{Name: toName, Address: to.Address})
	if replyTo != nil {
		msg.ReplyToMailAddress(replyTo)
	}
	// SetGenHeader Q-encodes values that are not plain ASCII. Everything
	// below except Subject and extra values is ASCII by construction, so it
	// is written verbatim; go-mail sorts these headers, keeping output stable.
	msg.Subject(subject)
	msg.SetDateWithValue(m.Date)
	msg.SetMessageIDWithValue(msgID)
	if listID != "" {
		msg.SetGenHeader("List-Id", listID)
	}
	if unsub != "" {
		msg.SetGenHeader(gomail.HeaderListUnsubscribe, unsub)
		if oneClick {
			msg.SetGenHeader(gomail.HeaderListUnsubscribePost, oneClickValue)
		}
	}
	for name, value := range extra {
		msg.SetGenHeader(gomail.Header(name), value)
	}

	switch {
	case m.Text != "" && m.HTML != "":
		// Order matters: clients show the last alternative they support,
		// so HTML goes last and plain text is the fallback.
		msg.SetBodyString(gomail.TypeTextPlain, m.Text)
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	case m.Text != "":
		msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	default:
		msg.SetBodyString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// Length caps for free text. go-mail folds header lines only at spaces, so
// one long unbroken ASCII word would make a line longer than the 998 octets
// RFC 5322 allows; these caps keep even a single word well under that.
// (Non-ASCII text is RFC 2047 encoded in words of at most 75 characters.)
const (
	maxSubjectRunes = 250
	maxNameRunes    = 100
	maxHeaderValue  = 900 // bytes; extra header values are refused beyond this
)

// cleanSubject is plaintext.Line plus the subject length cap.
func cleanSubject(s string) string {
	return plaintext.Truncate(plaintext.Line(s), maxSubjectRunes)
}

// cleanName is plaintext.Line plus the name length cap, for display names.
// go-mail writes addresses with net/mail's Address.String, which Q-encodes
// a non-ASCII name but leaves a backslash in it raw, and a backslash is not
// allowed in an encoded word in a phrase: the To header would no longer
// parse. So in that one case the backslash becomes a slash.
func cleanName(name string) string {
	name = plaintext.Truncate(plaintext.Line(name), maxNameRunes)
	if strings.IndexByte(name, '\\') >= 0 && !isASCII(name) {
		name = strings.ReplaceAll(name, `\`, "/")
	}
	return name
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// messageID returns the id-left@id-right of a Message-ID: the given one
// after validation, or a random one on domain.
func messageID(given, domain string) (string, error) {
	if given == "" {
		// 128 random bits; rand.Text is base32, so always a valid dot-atom.
		return rand.Text() + "@" + domain, nil
	}
	id := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(given), "<"), ">")
	at := strings.LastIndexByte(id, '@')
	if at <= 0 || !isDotAtom(id[:at]) || !isDotAtom(id[at+1:]) {
		return "", fmt.Errorf("message-id %q: invalid", given)
	}
	return id, nil
}

// formatListID renders the List-Id value (RFC 2919) with the display name,
// if any, as phrase.
func formatListID(listID, name string) (string, error) {
	id := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(listID), "<"), ">")
	if !isHostname(id) || !strings.Contains(id, ".") {
		return "", fmt.Errorf("list-id %q: invalid", listID)
	}
	if name == "" {
		return "<" + id + ">", nil
	}
	return formatPhrase(name) + " <" + id + ">", nil
}

// formatPhrase renders a display name as an RFC 5322 phrase in pure ASCII,
// following net/mail's Address.String: atoms as is, other printable ASCII as
// a quoted string, anything else as RFC 2047 encoded words (B-encoding when
// the name holds characters an encoded word in a phrase may not contain).
func formatPhrase(name string) string {
	ascii, atoms := true, true
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c < ' ' || c > '~' {
			ascii = false
			break
		}
		if c != ' ' && !isAtext(c) {
			atoms = false
		}
	}
	switch {
	case ascii && atoms:
		return name
	case ascii:
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(name) + `"`
	case strings.ContainsAny(name, "\"#$%&'(),.:;<>@[]^`{|}~"):
		return mime.BEncoding.Encode("utf-8", name)
	default:
		return mime.QEncoding.Encode("utf-8", name)
	}
}

// formatUnsubscribe validates the List-Unsubscribe URIs and renders them
// http(s) first, mailto after, as "<uri>, <uri>". post reports whether the
// one-click header may be added: RFC 8058 allows it only with an https URI,
// so with http or mailto URIs alone it is left out rather than failing the
// message (local setups serve unsubscribe pages over plain http).
func formatUnsubscribe(uris []string, oneClick bool) (value string, post bool, err error) {
	var web, mailto []string
	hasHTTPS := false
	for _, raw := range uris {
		u := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(raw), "<"), ">")
		if u == "" {
			continue
		}
		// Inside <…> only printable ASCII without spaces can stand; a '>'
		// would close the bracket early.
		if !isPrintableASCII(u) || strings.ContainsAny(u, "<>") || len(u) > maxURILength {
			return "", false, fmt.Errorf("unsubscribe %q: invalid uri", raw)
		}
		parsed, err := url.Parse(u)
		if err != nil {
			return "", false, fmt.Errorf("unsubscribe %q: invalid uri", raw)
		}
		switch strings.ToLower(parsed.Scheme) {
		case "https":
			hasHTTPS = true
			fallthrough
		case "http":
			if parsed.Host == "" {
				return "", false, fmt.Errorf("unsubscribe %q: no host", raw)
			}
			web = append(web, "<"+u+">")
		case "mailto":
			if parsed.Opaque == "" {
				return "", false, fmt.Errorf("unsubscribe %q: no address", raw)
			}
			mailto = append(mailto, "<"+u+">")
		default:
			return "", false, fmt.Errorf("unsubscribe %q: scheme must be https, http or mailto", raw)
		}
	}
	if oneClick && len(web)+len(mailto) == 0 {
		return "", false, errors.New("unsubscribe: one-click set but no uri given")
	}
	return strings.Join(append(web, mailto...), ", "), oneClick && hasHTTPS, nil
}

// checkHeaders validates the extra headers and returns them keyed by their
// canonical names.
func checkHeaders(h map[string]string) (map[string]string, error) {
	if len(h) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(h))
	for name, value := range h {
		if !validHeaderName(name) {
			return nil, fmt.Errorf("header %q: invalid name", name)
		}
		canon := textproto.CanonicalMIMEHeaderKey(name)
		if reservedHeaders[canon] || strings.HasPrefix(canon, "Content-") {
			return nil, fmt.Errorf("header %q: set by the mailer, not allowed as extra header", name)
		}
		if _, dup := out[canon]; dup {
			return nil, fmt.Errorf("header %q: given twice", canon)
		}
		if strings.ContainsFunc(value, func(r rune) bool {
			return r != '\t' && (r < ' ' || r == 0x7f || r == '\u2028' || r == '\u2029')
		}) {
			return nil, fmt.Errorf("header %q: value must be a single line without control characters", name)
		}
		if len(value) > maxHeaderValue {
			return nil, fmt.Errorf("header %q: value longer than %d bytes", name, maxHeaderValue)
		}
		out[canon] = plaintext.Line(value)
	}
	return out, nil
}

func validHeaderName(name string) bool {
	if name == "" || len(name) > 64 || name[0] == '-' {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
