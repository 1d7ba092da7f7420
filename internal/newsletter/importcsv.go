package newsletter

// Reading subscriber files for `venerdi subscribers import`.
//
// A file is read in three steps, each of which may refuse the whole file
// with an error naming it and a line:
//
//  1. Text. UTF-8, with or without a byte-order mark, is read as is; UTF-16
//     with a byte-order mark (Excel's "Unicode text") is decoded. A file that
//     is not UTF-8 is decoded as Windows-1252 only when that is almost
//     certainly what it is (see plausibleCP1252); otherwise it is refused,
//     because a wrong guess (Mac Roman "Niccolò" read as Windows-1252 is
//     "Niccol˜") corrupts the list for good, while a refusal costs the
//     author one "Save as CSV UTF-8".
//  2. Layout. The delimiter (',' ';' or tab) is the one the header line uses
//     most (Excel in an Italian locale writes ';'); a first line "sep=;" as
//     Excel writes it is honoured. Header names are compared without case,
//     accents, spaces or punctuation, so "E-mail", "Indirizzo email" and
//     "Email Address" all name the address column.
//  3. Rows. The columns other tools export (Mailchimp, MailPoet, listmonk,
//     Substack, Ghost, Buttondown, Keila) are recognised; an address that
//     tool did not mail (unsubscribed, cleaned, bounced, never confirmed)
//     is imported with a status that venerdi does not mail either, and the
//     opt-in time, when the export has one, becomes the consent time.
//
// Rows that cannot be read are reported by line and skipped; the rest are
// merged by address.

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/unicode/norm"

	"github.com/venerdi/venerdi/internal/plaintext"
	"github.com/venerdi/venerdi/internal/store"
)

// maxImportSize bounds what an import reads into memory: far more than any
// list a blog has.
const maxImportSize = 128 << 20

// readSubscribersCSV reads an import file. It returns the good rows, merged
// by address, and the bad ones; a file it cannot read at all is an error
// naming the file (name) and, where there is one, the line.
func readSubscribersCSV(r io.Reader, name string) ([]store.ImportRow, []RowError, error) {
	raw, err := io.ReadAll(io.LimitReader(r, maxImportSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(raw) > maxImportSize {
		return nil, nil, fmt.Errorf("%s: larger than %d MiB; split it and import the parts", name, maxImportSize>>20)
	}
	text, err := decodeText(raw)
	if err != nil {
		var te *textError
		if errors.As(err, &te) && te.line > 0 {
			return nil, nil, fmt.Errorf("%s:%d: %s", name, te.line, te.msg)
		}
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	comma, sepLine := sniffDelimiter(text)
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	// With a tab delimiter, TrimLeadingSpace would swallow empty fields
	// (the tab is white space); fields are trimmed one by one below anyway.
	cr.TrimLeadingSpace = comma != '\t'
	if sepLine {
		if _, err := cr.Read(); err != nil {
			return nil, nil, fmt.Errorf("%s: no header row: %w", name, err)
		}
	}
	header, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: no header row: %w", name, err)
	}
	headerLine, _ := cr.FieldPos(0)
	lay, err := newLayout(header)
	if err != nil {
		return nil, nil, fmt.Errorf("%s:%d: %w", name, headerLine, err)
	}

	var rows []store.ImportRow
	var bad []RowError
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				bad = append(bad, RowError{pe.Line, pe.Err.Error()})
				continue
			}
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if blankRecord(rec) {
			// Spreadsheets end their sheets with rows of bare delimiters.
			continue
		}
		row, msg := lay.row(rec)
		if msg != "" {
			bad = append(bad, RowError{line, msg})
			continue
		}
		key := strings.ToLower(row.Email)
		i, dup := seen[key]
		if !dup {
			seen[key] = len(rows)
			rows = append(rows, row)
			continue
		}
		// The same address twice (MailPoet writes one row per list): the
		// last name given wins, the most restrictive status wins (one
		// "unsubscribed" is enough), and the earliest opt-in is the consent.
		old := &rows[i]
		if row.Name != "" {
			old.Name = row.Name
		}
		old.Status = stricter(old.Status, row.Status)
		if !row.ConsentAt.IsZero() && (old.ConsentAt.IsZero() || row.ConsentAt.Before(old.ConsentAt)) {
			old.ConsentAt = row.ConsentAt
		}
	}
	return rows, bad, nil
}

// saveAsUTF8 is the advice every refused file gets.
const saveAsUTF8 = `save it as "CSV UTF-8" and import again`

// textError is a file that is not text venerdi can read; line is 0 when
// the whole file is at fault.
type textError struct {
	line int
	msg  string
}

func (e *textError) Error() string { return e.msg }

func notText(b []byte, off int, msg string) error {
	return &textError{line: lineAt(b, off), msg: msg + "; " + saveAsUTF8}
}

// decodeText turns the bytes of an import file into UTF-8 text, or says
// with a *textError why it will not.
func decodeText(raw []byte) (string, error) {
	switch {
	case bytes.HasPrefix(raw, []byte("PK\x03\x04")):
		return "", &textError{msg: "a ZIP archive (an Excel .xlsx or OpenDocument workbook?), not CSV text; " + saveAsUTF8}
	case bytes.HasPrefix(raw, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
		return "", &textError{msg: "an Excel .xls workbook, not CSV text; " + saveAsUTF8}
	}
	var text string
	switch {
	case bytes.HasPrefix(raw, []byte("\xef\xbb\xbf")):
		raw = raw[3:]
		if off := firstInvalidUTF8(raw); off >= 0 {
			return "", notText(raw, off, "not UTF-8 text, though it starts like UTF-8")
		}
		text = string(raw)
	case bytes.HasPrefix(raw, []byte("\xff\xfe")), bytes.HasPrefix(raw, []byte("\xfe\xff")):
		endian := xunicode.LittleEndian
		if raw[0] == 0xfe {
			endian = xunicode.BigEndian
		}
		dec, err := xunicode.UTF16(endian, xunicode.IgnoreBOM).NewDecoder().Bytes(raw[2:])
		if err != nil {
			return "", &textError{msg: fmt.Sprintf("not UTF-16 text (%v); %s", err, saveAsUTF8)}
		}
		// The decoder writes U+FFFD for what it cannot decode (a lone
		// surrogate, an odd last byte): refuse rather than import a name
		// with a hole in it.
		if i := bytes.IndexRune(dec, utf8.RuneError); i >= 0 {
			return "", notText(dec, i, "not UTF-16 text, though it starts like UTF-16")
		}
		text = string(dec)
	default:
		if i := bytes.IndexByte(raw, 0); i >= 0 {
			return "", notText(raw, i, "NUL bytes: not CSV text (UTF-16 without a byte-order mark?)")
		}
		off := firstInvalidUTF8(raw)
		switch {
		case off < 0:
			text = string(raw)
		case plausibleCP1252(raw):
			text = decodeCP1252(raw)
		default:
			return "", notText(raw, off, "not UTF-8 text")
		}
	}
	text = strings.TrimPrefix(text, "\ufeff")
	if i := strings.IndexByte(text, 0); i >= 0 {
		return "", notText([]byte(text), i, "NUL characters: not CSV text")
	}
	// Excel for old Macs ends lines with a bare CR, which encoding/csv
	// does not take for a line end.
	if !strings.Contains(text, "\n") && strings.Contains(text, "\r") {
		text = strings.ReplaceAll(text, "\r", "\n")
	}
	return text, nil
}

// firstInvalidUTF8 returns the offset of the first byte of b that is not
// part of valid UTF-8, or -1.
func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return -1
}

// lineAt returns the 1-based line of offset off in b, whose lines may end
// in LF, CRLF or (old Mac) a bare CR.
func lineAt(b []byte, off int) int {
	if bytes.IndexByte(b, '\n') < 0 {
		return bytes.Count(b[:off], []byte{'\r'}) + 1
	}
	return bytes.Count(b[:off], []byte{'\n'}) + 1
}

// Classes of the Windows-1252 bytes 0x80-0xff, by how plausible each is in
// a list of Italian (or any Western European) names and addresses.
const (
	cpBad      = iota // undefined, a C1 control, or too rare to bet on
	cpUpper           // À-Þ
	cpLower           // ß-ÿ
	cpFree            // may stand anywhere: ’ ´ (apostrophes), NBSP, ° ª º, €
	cpClosing         // ” »: not between two letters
	cpDetached        // ‘ “ « – — …: not right after a letter or digit
)

var cp1252Class = func() (c [256]byte) {
	for b := 0xc0; b <= 0xff; b++ {
		switch {
		case b == 0xd7 || b == 0xf7: // × ÷
		case b <= 0xde:
			c[b] = cpUpper
		default:
			c[b] = cpLower
		}
	}
	for _, b := range []byte{0x92, 0xb4, 0xa0, 0xb0, 0xaa, 0xba, 0x80} {
		c[b] = cpFree
	}
	for _, b := range []byte{0x94, 0xbb} {
		c[b] = cpClosing
	}
	for _, b := range []byte{0x91, 0x93, 0xab, 0x96, 0x97, 0x85} {
		c[b] = cpDetached
	}
	return c
}()

// plausibleCP1252 reports whether b, which is not valid UTF-8, is almost
// certainly Windows-1252 (or ISO-8859-1, its subset): what Excel for Windows
// writes for "CSV (delimitato dal separatore di elenco)". Any byte string is
// "valid" Windows-1252 but for five bytes, so validity alone proves nothing:
// a Mac Roman file (Excel for Mac) or a DOS one would decode without error
// into mojibake. The rules below accept what an Italian spreadsheet holds
// and refuse what the usual confusions produce:
//
//   - every byte above 0x7f is an accented Latin letter or one of a few
//     common signs (’ “ ” « » – — … € ° NBSP); Š Œ Ž ƒ ˆ ˜ • and the C1
//     range are refused (Mac Roman é, à, ò decode to them);
//   - no well-formed UTF-8 sequence appears (a file that mixes UTF-8 and
//     Windows-1252 rows is refused, not half-decoded);
//   - opening quotes and dashes do not follow a letter or digit, closing
//     quotes do not sit between letters (Mac Roman ì is “, DOS à is …);
//   - an accented capital does not follow the first letter of a word in
//     lower case ("DÕAngelo" is Mac Roman's D’Angelo) and an accented small
//     letter does not end a word in capitals ("NICCOLò").
func plausibleCP1252(b []byte) bool {
	letter := func(i int) bool {
		if i < 0 || i >= len(b) {
			return false
		}
		c := b[i]
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || cp1252Class[c] == cpUpper || cp1252Class[c] == cpLower
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c < 0x80 {
			continue
		}
		if r, n := utf8.DecodeRune(b[i:]); n > 1 && r != utf8.RuneError {
			return false
		}
		switch cp1252Class[c] {
		case cpBad:
			return false
		case cpClosing:
			if letter(i-1) && letter(i+1) {
				return false
			}
		case cpDetached:
			if letter(i-1) || i > 0 && b[i-1] >= '0' && b[i-1] <= '9' {
				return false
			}
		}
	}
	// Word shape: a word is a run of letters; apostrophes end it.
	for i := 0; i < len(b); {
		if !letter(i) {
			i++
			continue
		}
		j := i
		for j < len(b) && letter(j) {
			j++
		}
		if !plausibleWord(b[i:j]) {
			return false
		}
		i = j
	}
	return true
}

func plausibleWord(w []byte) bool {
	upper := func(c byte) bool { return c >= 'A' && c <= 'Z' || cp1252Class[c] == cpUpper }
	var nUpper, nLower int
	for _, c := range w {
		if upper(c) {
			nUpper++
		} else {
			nLower++
		}
	}
	for k, c := range w {
		switch cp1252Class[c] {
		case cpUpper:
			// "NiccolÒ" or "DÕAngelo": a capital inside a word that
			// has small letters.
			if k > 0 && nLower > 0 {
				return false
			}
		case cpLower:
			// "NICCOLò": a small letter in a word otherwise in capitals.
			if nLower == 1 && nUpper >= 2 {
				return false
			}
		}
	}
	return true
}

func decodeCP1252(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/8)
	for _, c := range b {
		if c < utf8.RuneSelf {
			sb.WriteByte(c)
			continue
		}
		sb.WriteRune(charmap.Windows1252.DecodeByte(c))
	}
	return sb.String()
}

// sniffDelimiter returns the delimiter of the header line: the one of ','
// ';' and tab it uses most outside quotes, ',' when it uses none. A first
// line "sep=X" (Excel's own hint) names it, and sepLine reports that line.
func sniffDelimiter(text string) (comma rune, sepLine bool) {
	first, _, _ := strings.Cut(text, "\n")
	first = strings.TrimRight(first, "\r")
	if len(first) == 5 && strings.EqualFold(first[:4], "sep=") {
		switch c := rune(first[4]); c {
		case ',', ';', '\t', '|':
			return c, true
		}
	}
	counts := map[rune]int{}
	quoted := false
	for _, c := range first {
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ',' || c == ';' || c == '\t'):
			counts[c]++
		}
	}
	comma = ','
	for _, c := range []rune{';', '\t'} {
		if counts[c] > counts[comma] {
			comma = c
		}
	}
	return comma, false
}

func blankRecord(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// headerKey reduces a column name to what identifies it: lower case, no
// accents, letters and digits only ("E-mail " → "email", "First Name" →
// "firstname", "OPTIN_TIME" → "optintime").
func headerKey(h string) string {
	var sb strings.Builder
	for _, r := range norm.NFD.String(h) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			sb.WriteRune(unicode.ToLower(r))
		}
	}
	return sb.String()
}

// Column names, as headerKey reduces them, by role; earlier names win.
var (
	addressColumns = []string{"email", "emailaddress", "indirizzoemail", "indirizzomail",
		"indirizzodiposta", "indirizzodipostaelettronica", "postaelettronica", "mail"}
	nameColumns  = []string{"name", "fullname", "nomeecognome", "cognomeenome", "nomecompleto", "nominativo"}
	firstColumns = []string{"firstname", "fname", "nome", "givenname"}
	lastColumns  = []string{"lastname", "lname", "cognome", "surname", "familyname"}
	// Columns whose value is a status word (statusWords).
	statusColumns = []string{"status", "globalstatus", "liststatus", "subscribertype",
		"statoglobale", "statolista", "statodellalista", "subscriptionstatus"}
	// Columns that say "true" when the address must not be mailed
	// (Substack) and "false" when it must not (Ghost).
	disabledColumns   = []string{"emaildisabled"}
	subscribedColumns = []string{"subscribedtoemails"}
	// Columns whose being filled in means unsubscribed, or bounced.
	unsubscribedAtColumns = []string{"unsubtime", "unsubscribedat", "unsubscribedon", "deletedat", "datadisiscrizione"}
	bouncedAtColumns      = []string{"cleantime", "bouncedat"}
	// Opt-in times, best first: a confirmation beats a request, which beats
	// the creation of the record.
	consentColumns = []string{"confirmtime", "confirmationtime", "confirmedat", "doubleoptinat",
		"optintime", "optinat", "subscriptiontime", "subscribedon", "subscribedat",
		"dataiscrizione", "datadiiscrizione", "creationdate", "createdat"}
)

// statusWords maps the status words of other tools, as headerKey reduces
// them, to what venerdi imports: "" (active), or a status venerdi does not
// mail. A word not here makes the row bad rather than risk mailing someone
// the old tool did not.
var statusWords = map[string]store.SubscriberStatus{
	// Mailed by the tool that exported them.
	"subscribed": "", "active": "", "enabled": "", "confirmed": "",
	"regular": "", "premium": "", "trialed": "", "unpaid": "", "gifted": "",
	"churning": "", "paused": "", "pastdue": "", "attivo": "", "iscritto": "",
	// Never confirmed, or not mailed for a reason the subscriber can undo
	// by confirming again: pending.
	"unconfirmed": store.Pending, "pending": store.Pending, "unactivated": store.Pending,
	"inactive": store.Pending, "disabled": store.Pending, "transactional": store.Pending,
	"nonsubscribed": store.Pending, "inattesa": store.Pending, "daconfermare": store.Pending,
	"nonconfermato": store.Pending,
	// Asked to leave, or removed by the list's owner.
	"unsubscribed": store.Unsubscribed, "blocklisted": store.Unsubscribed,
	"blacklisted": store.Unsubscribed, "removed": store.Unsubscribed, "spammy": store.Unsubscribed,
	"archived": store.Unsubscribed, "disiscritto": store.Unsubscribed, "cancellato": store.Unsubscribed,
	// Undeliverable.
	"bounced": store.Bounced, "cleaned": store.Bounced, "unreachable": store.Bounced,
	"undeliverable": store.Bounced, "nonrecapitabile": store.Bounced,
}

// boolWords are the ways exports and spreadsheets (Italian Excel writes
// VERO and FALSO) spell a boolean.
var boolWords = map[string]bool{
	"true": true, "t": true, "1": true, "yes": true, "y": true, "si": true, "vero": true,
	"false": false, "f": false, "0": false, "no": false, "n": false, "falso": false,
}

// layout is where a file keeps what venerdi reads.
type layout struct {
	header                   []string
	source                   string // the tool the columns point to, for messages; "" for none
	email, name, first, last int    // -1: absent
	status                   []int
	disabled, subscribed     []int
	unsubscribedAt           []int
	bouncedAt                []int
	consent                  []int
	streams                  int // venerdi's own export: the streams it gets; -1: absent
	// all is the status of every row: Mailchimp exports unsubscribed and
	// cleaned addresses as files of their own.
	all store.SubscriberStatus
}

func newLayout(header []string) (*layout, error) {
	cols := map[string]int{}
	for i, h := range header {
		header[i] = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		k := headerKey(header[i])
		if _, ok := cols[k]; !ok && k != "" {
			cols[k] = i
		}
	}
	first := func(names []string) int {
		for _, n := range names {
			if i, ok := cols[n]; ok {
				return i
			}
		}
		return -1
	}
	every := func(names []string) []int {
		var is []int
		for _, n := range names {
			if i, ok := cols[n]; ok {
				is = append(is, i)
			}
		}
		return is
	}
	has := func(names ...string) bool {
		for _, n := range names {
			if _, ok := cols[n]; !ok {
				return false
			}
		}
		return true
	}
	l := &layout{
		header:         header,
		email:          first(addressColumns),
		name:           first(nameColumns),
		first:          first(firstColumns),
		last:           first(lastColumns),
		status:         every(statusColumns),
		disabled:       every(disabledColumns),
		subscribed:     every(subscribedColumns),
		unsubscribedAt: every(unsubscribedAtColumns),
		bouncedAt:      every(bouncedAtColumns),
		consent:        every(consentColumns),
		streams:        first([]string{"streams"}),
	}
	if l.email < 0 {
		quoted := make([]string, len(header))
		for i, h := range header {
			quoted[i] = fmt.Sprintf("%q", h)
		}
		return nil, fmt.Errorf(`no address column ("email", "Email Address", "E-mail", "Indirizzo email") in the header; its columns are %s`,
			strings.Join(quoted, ", "))
	}
	mailchimp := has("emailaddress") && (has("memberrating") || has("optintime") || has("confirmtime") || has("leid") || has("euid"))
	switch {
	case mailchimp && has("unsubtime"):
		l.source, l.all = "Mailchimp unsubscribed", store.Unsubscribed
	case mailchimp && has("cleantime"):
		l.source, l.all = "Mailchimp cleaned", store.Bounced
	case mailchimp:
		l.source = "Mailchimp"
	case has("globalstatus") || has("liststatus") || has("statoglobale"):
		l.source = "MailPoet"
	case has("uuid", "attributes", "status"):
		l.source = "listmonk"
	case has("emaildisabled") || has("activesubscription"):
		l.source = "Substack"
	case has("subscribedtoemails"):
		l.source = "Ghost"
	case has("subscribertype"):
		l.source = "Buttondown"
	case has("email", "firstname", "lastname", "data", "status"):
		l.source = "Keila"
	}
	return l, nil
}

func (l *layout) field(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// column names column i for a message, with the export it belongs to.
func (l *layout) column(i int) string {
	if l.source == "" {
		return fmt.Sprintf("column %q", l.header[i])
	}
	return fmt.Sprintf("column %q of the %s export", l.header[i], l.source)
}

// row reads one record; msg says why it is bad.
func (l *layout) row(rec []string) (row store.ImportRow, msg string) {
	raw := l.field(rec, l.email)
	if raw == "" {
		return row, "no address"
	}
	addr, display, err := ParseAddress(raw)
	if err != nil {
		return row, err.Error()
	}
	// What the store keeps must read back as the same address: a quoted
	// local part ("a,b"@x.it) comes out of net/mail unquoted and would not.
	if again, _, err := ParseAddress(addr); err != nil || again != addr {
		return row, fmt.Sprintf("%q is not an email address venerdi can send to", raw)
	}
	row.Email = addr
	row.Name = cleanName(l.field(rec, l.name))
	if row.Name == "" {
		row.Name = cleanName(l.field(rec, l.first) + " " + l.field(rec, l.last))
	}
	if row.Name == "" {
		row.Name = cleanName(display)
	}

	row.Status = l.all
	for _, i := range l.status {
		v := l.field(rec, i)
		if v == "" {
			continue
		}
		st, ok := statusWords[headerKey(v)]
		if !ok {
			return row, fmt.Sprintf("%s: unknown status %q; the row is skipped rather than risk mailing it", l.column(i), v)
		}
		row.Status = stricter(row.Status, st)
	}
	for _, c := range []struct {
		cols []int
		when bool // the value that means "do not mail"
	}{{l.disabled, true}, {l.subscribed, false}} {
		for _, i := range c.cols {
			v := l.field(rec, i)
			if v == "" {
				continue
			}
			b, ok := boolWords[headerKey(v)]
			if !ok {
				return row, fmt.Sprintf("%s: %q is neither true nor false", l.column(i), v)
			}
			if b == c.when {
				row.Status = stricter(row.Status, store.Unsubscribed)
			}
		}
	}
	for _, i := range l.unsubscribedAt {
		if l.field(rec, i) != "" {
			row.Status = stricter(row.Status, store.Unsubscribed)
		}
	}
	for _, i := range l.bouncedAt {
		if l.field(rec, i) != "" {
			row.Status = stricter(row.Status, store.Bounced)
		}
	}
	for _, i := range l.consent {
		if t, ok := parseOptIn(l.field(rec, i)); ok {
			row.ConsentAt = t
			break
		}
	}
	if l.streams >= 0 {
		// venerdi's export: "digest,letters", one of them, or "" (none:
		// someone who stopped both is unsubscribed anyway).
		row.Streams = []store.Stream{}
		for _, f := range strings.FieldsFunc(l.field(rec, l.streams), func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
			st, err := ParseStream(strings.ToLower(f))
			if err != nil {
				return row, fmt.Sprintf("streams: %q is not a stream (use %s)", f, strings.Join(StreamNames(), ", "))
			}
			row.Streams = append(row.Streams, st)
		}
	}
	return row, ""
}

// cleanName makes a name safe to store and to put in a header: control
// characters and runs of white space (a cell with a line break in it)
// become one space; bidirectional overrides, which can make a name read
// as another in a terminal, and stray byte-order marks are dropped.
func cleanName(s string) string {
	// Bidirectional overrides could make a name display as another; they
	// have no place in a person's name, whatever its script.
	s = strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Bidi_Control, r) {
			return -1
		}
		return r
	}, s)
	return plaintext.Truncate(plaintext.Line(s), maxNameRunes)
}

// maxNameRunes bounds a subscriber's name, from a form or a file.
const maxNameRunes = 100

// statusRank orders statuses from the one that mails most to the one that
// mails least: merging two rows keeps the higher.
var statusRank = map[store.SubscriberStatus]int{
	"": 0, store.Active: 0, store.Pending: 1, store.Bounced: 2, store.Unsubscribed: 3,
}

func stricter(a, b store.SubscriberStatus) store.SubscriberStatus {
	if statusRank[b] > statusRank[a] {
		return b
	}
	return a
}

// optInLayouts are the time formats of the exports, tried in order. A time
// without a zone (Mailchimp, MailPoet, a spreadsheet) is read as UTC.
var optInLayouts = []string{
	time.RFC3339Nano,                      // Ghost, Substack, Buttondown
	"2006-01-02 15:04:05.999999999 -0700", // listmonk, after its zone name is cut
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05", // Mailchimp, MailPoet
	"2006-01-02T15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
	"2/1/2006 15:04:05", // Excel, Italian locale: day first
	"2/1/2006 15:04",
	"2/1/2006",
}

// parseOptIn reads an opt-in time. A value it cannot read is no opt-in
// time: the consent is then recorded at the time of the import, which is
// true, rather than at a guessed one.
func parseOptIn(v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, false
	}
	// listmonk writes Go's time.Time.String(): "2024-01-02 03:04:05.6 +0000 UTC".
	if f := strings.Fields(v); len(f) == 4 {
		v = strings.Join(f[:3], " ")
	}
	for _, layout := range optInLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			// Zero times and the like are placeholders, not opt-ins.
			if t.Year() < 1990 {
				return time.Time{}, false
			}
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
