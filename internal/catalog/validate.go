package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/venerdi/venerdi/internal/plaintext"
)

// Field names of the JSON and CSV formats, in documentation order.
const (
	fieldID           = "id"
	fieldTitle        = "title"
	fieldSpeaker      = "speaker"
	fieldStartsAt     = "starts_at"
	fieldDuration     = "duration_minutes"
	fieldURL          = "url"
	fieldRecordingURL = "recording_url"
	fieldDescription  = "description"
	fieldCancelled    = "cancelled"
)

var knownFields = []string{
	fieldID, fieldTitle, fieldSpeaker, fieldStartsAt, fieldDuration,
	fieldURL, fieldRecordingURL, fieldDescription, fieldCancelled,
}

const (
	defaultDuration = 60 * time.Minute
	maxDuration     = 1440 // minutes: a webinar longer than a day is a typo
	maxIDLen        = 200
)

// entry is one webinar as written in a JSON or CSV catalog, before
// validation. Strings are as written; validate trims them.
type entry struct {
	ID, Title, Speaker, StartsAt, URL, RecordingURL, Description string
	Duration                                                     *int // nil: default
	Cancelled                                                    bool
}

// label names an entry in error messages: its position, and its id or title
// when it has one, so the author can find it.
func (e *entry) label(n int) string {
	if id := strings.TrimSpace(e.ID); id != "" {
		return fmt.Sprintf("webinar %d (%q)", n, id)
	}
	if t := plaintext.Line(e.Title); t != "" {
		return fmt.Sprintf("webinar %d (%q)", n, t)
	}
	return fmt.Sprintf("webinar %d", n)
}

// fieldError says what is wrong with one field of an entry. The caller adds
// where the entry is.
type fieldError struct {
	Field string
	Msg   string
}

func (e *fieldError) Error() string { return e.Field + ": " + e.Msg }

// timeParser turns a starts_at value into a time; the formats differ in what
// they accept.
type timeParser func(s string) (time.Time, error)

// validate checks an entry and builds its Webinar. derived reports that the
// ID was derived from the URL, for the duplicate message.
func validate(e entry, parseStart timeParser, loc *time.Location) (w Webinar, derived bool, ferr *fieldError) {
	w.Title = plaintext.Line(e.Title)
	if w.Title == "" {
		return w, false, &fieldError{fieldTitle, "required"}
	}
	w.Speaker = plaintext.Line(e.Speaker)
	w.Description = plaintext.Block(e.Description)

	start := strings.TrimSpace(e.StartsAt)
	if start == "" {
		return w, false, &fieldError{fieldStartsAt, "required"}
	}
	t, err := parseStart(start)
	if err != nil {
		return w, false, &fieldError{fieldStartsAt, err.Error()}
	}
	w.StartsAt = t.In(loc)

	w.Duration = defaultDuration
	if e.Duration != nil {
		if d := *e.Duration; d < 1 || d > maxDuration {
			return w, false, &fieldError{fieldDuration, fmt.Sprintf("%d is out of range (1 to %d)", d, maxDuration)}
		}
		w.Duration = time.Duration(*e.Duration) * time.Minute
	}

	if w.URL, err = httpURL(e.URL); err != nil {
		return w, false, &fieldError{fieldURL, err.Error()}
	}
	if w.RecordingURL, err = httpURL(e.RecordingURL); err != nil {
		return w, false, &fieldError{fieldRecordingURL, err.Error()}
	}
	w.Cancelled = e.Cancelled

	w.ID = strings.TrimSpace(e.ID)
	switch {
	case w.ID != "":
		if msg := checkID(w.ID); msg != "" {
			return w, false, &fieldError{fieldID, msg}
		}
	case w.URL != "":
		w.ID, derived = idFromURL(w.URL), true
	default:
		// An id made up from the title or the time would change when either
		// is corrected, and the store would see a new webinar.
		return w, false, &fieldError{fieldID, "required when there is no url to derive it from"}
	}
	return w, derived, nil
}

func checkID(id string) string {
	if len(id) > maxIDLen {
		return fmt.Sprintf("%q is longer than %d bytes", shorten(id), maxIDLen)
	}
	for _, r := range id {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return fmt.Sprintf("%q contains a space or a control character", id)
		}
	}
	return ""
}

// idFromURL derives a short, stable, readable id from a webinar URL: the last
// path segment as a slug, plus a hash of the whole URL so two webinars on
// the same platform with the same slug stay apart.
func idFromURL(u string) string {
	sum := sha256.Sum256([]byte(u))
	hash := hex.EncodeToString(sum[:])[:10]
	var seg string
	if pu, err := url.Parse(u); err == nil {
		parts := strings.Split(strings.Trim(pu.Path, "/"), "/")
		seg = parts[len(parts)-1]
		if seg == "" {
			seg = pu.Hostname()
		}
	}
	slug := slugify(seg, 40)
	if slug == "" {
		return "w-" + hash
	}
	return slug + "-" + hash
}

func slugify(s string, max int) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
		if b.Len() >= max {
			break
		}
	}
	return b.String()
}

// httpURL checks an optional URL: empty, or absolute http(s) with a host.
func httpURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || (!strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https")) || u.Host == "" {
		return "", fmt.Errorf("%q is not an absolute http(s) URL", s)
	}
	return s, nil
}

// parseRFC3339 is the JSON starts_at parser: an offset is required, so the
// instant never depends on the reader's time zone.
func parseRFC3339(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time (like 2026-12-10T18:00:00+01:00)", s)
	}
	return t, nil
}

// localLayouts are the offset-less times a CSV catalog may use; spreadsheets
// make writing an offset awkward.
var localLayouts = []string{
	"2006-01-02 15:04",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04",
	"2006-01-02T15:04:05",
}

// localTimeParser is the CSV starts_at parser: RFC 3339, or a local time in
// loc.
func localTimeParser(loc *time.Location) timeParser {
	return func(s string) (time.Time, error) {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t, nil
		}
		for _, layout := range localLayouts {
			if t, err := time.ParseInLocation(layout, s, loc); err == nil {
				return t, nil
			}
		}
		return time.Time{}, fmt.Errorf("%q is not a time like 2026-12-10T18:00:00+01:00 or 2026-12-10 18:00 (%s)", s, loc)
	}
}

// parseBool reads a CSV cancelled cell.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "false", "f", "no", "n", "0":
		return false, nil
	case "true", "t", "yes", "y", "1":
		return true, nil
	}
	return false, fmt.Errorf("%q is not true or false", s)
}

// parseMinutes reads a CSV duration_minutes cell.
func parseMinutes(s string) (*int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return nil, fmt.Errorf("%q is not a whole number of minutes", s)
	}
	return &n, nil
}

// oneLineErr keeps error messages on one line: values are quoted where
// they are shown, but library messages can carry a raw control character
// from the input.
func oneLineErr(err error) error {
	if err == nil || !strings.ContainsFunc(err.Error(), unicode.IsControl) {
		return err
	}
	return errors.New(escapeControls(err.Error()))
}

// escapeControls writes control characters as Go escapes (\r, \x00).
func escapeControls(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// shorten quotes a value for an error message without flooding the terminal.
func shorten(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
