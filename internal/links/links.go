// Package links builds every public URL venerdi hands out, in mail and on
// web pages alike: unsubscribe, confirm, the web version of an issue, the
// archive and its feed, a webinar's calendar file, and the add-to-calendar
// links of Google Calendar and Outlook.com; it also tags links to the blog
// with UTM parameters (TagUTM), never its own. The routes `venerdi
// serve` answers are declared here too, so a link and the handler that
// answers it cannot drift apart.
package links

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Routes, as net/http patterns relative to the base URL. The web package
// mounts its handlers on exactly these.
const (
	SubscribeRoute   = "/subscribe"
	ConfirmRoute     = "/confirm/{token}"
	UnsubscribeRoute = "/unsubscribe/{token}"
	ArchiveRoute     = "/archive"
	IssueRoute       = "/archive/{issue}"
	ArchiveFeedRoute = "/archive/feed.xml"
	CalendarRoute    = "/webinars/{id}"
	// HealthRoute answers "ok" while serve runs: what venerdi doctor and
	// monitoring probe.
	HealthRoute = "/healthz"
)

// Builder makes absolute links from the public base URL of `venerdi serve`.
type Builder struct {
	base   string // scheme://host/prefix, no trailing slash
	mailto string // optional mailto: target for List-Unsubscribe
}

// New returns a Builder for base, which must be an absolute http(s) URL; it
// may carry a path prefix when serve runs behind a proxy
// ("https://example.it/newsletter"). mailto is an optional
// "mailto:leave@example.it" alternative for List-Unsubscribe.
func New(base, mailto string) (*Builder, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute http(s) URL", base)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q: a base URL takes no query or fragment", base)
	}
	if mailto != "" && !strings.HasPrefix(mailto, "mailto:") {
		return nil, fmt.Errorf("%q is not a mailto: URL", mailto)
	}
	return &Builder{base: strings.TrimRight(u.String(), "/"), mailto: mailto}, nil
}

// Base returns the base URL, without a trailing slash.
func (b *Builder) Base() string { return b.base }

// Unsubscribe is the personal one-click unsubscribe page for tok.
func (b *Builder) Unsubscribe(tok string) string {
	return b.base + "/unsubscribe/" + url.PathEscape(tok)
}

// ListUnsubscribe returns the List-Unsubscribe targets for tok, the https
// one first (RFC 8058 one-click needs it), then the mailto one if any.
func (b *Builder) ListUnsubscribe(tok string) []string {
	out := []string{b.Unsubscribe(tok)}
	if b.mailto != "" {
		out = append(out, b.mailto+"?subject=unsubscribe%20"+url.QueryEscape(tok))
	}
	return out
}

// Confirm is the double opt-in confirmation page for tok.
func (b *Builder) Confirm(tok string) string {
	return b.base + "/confirm/" + url.PathEscape(tok)
}

// Subscribe is the subscription form.
func (b *Builder) Subscribe() string { return b.base + SubscribeRoute }

// Health is serve's health check, as the world reaches it.
func (b *Builder) Health() string { return b.base + HealthRoute }

// Archive is the list of past issues.
func (b *Builder) Archive() string { return b.base + ArchiveRoute }

// ArchiveFeed is the RSS feed of past issues.
func (b *Builder) ArchiveFeed() string { return b.base + ArchiveFeedRoute }

// Issue is the web version of an issue, by its key (the ISO week of a
// digest, e.g. "2026-W49", or a letter's slug).
func (b *Builder) Issue(key string) string {
	return b.base + "/archive/" + url.PathEscape(key)
}

// Calendar is the .ics file of one webinar.
func (b *Builder) Calendar(webinarID string) string {
	return b.base + "/webinars/" + url.PathEscape(webinarID) + ".ics"
}

// UTM is the campaign tagging of links to the author's own site. Empty
// values are left out; Campaign and Content are usually filled per issue
// and per post by the caller.
type UTM struct {
	Source, Medium, Campaign, Content string
}

// TagUTM adds u's utm_* parameters to raw when raw points at siteHost (the
// blog's own host, compared without a leading "www."), and returns raw
// unchanged otherwise: third-party links, venerdi serve's links
// (unsubscribe, web version, calendar files) and anything unparsable keep
// their exact bytes. A link that already carries any utm_ parameter is left
// as it is, so tagging twice changes nothing.
func TagUTM(raw, siteHost string, u UTM) string {
	p, err := url.Parse(raw)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || siteHost == "" ||
		!sameHost(p.Hostname(), siteHost) {
		return raw
	}
	q := p.Query()
	for k := range q {
		if strings.HasPrefix(strings.ToLower(k), "utm_") {
			return raw
		}
	}
	var add []string
	for _, kv := range [][2]string{{"utm_source", u.Source}, {"utm_medium", u.Medium}, {"utm_campaign", u.Campaign}, {"utm_content", u.Content}} {
		if kv[1] != "" {
			add = append(add, kv[0]+"="+url.QueryEscape(kv[1]))
		}
	}
	if len(add) == 0 {
		return raw
	}
	// Append to the query as written, rather than re-encoding it: the
	// author's own parameters keep their order and spelling.
	if p.RawQuery != "" {
		p.RawQuery += "&"
	}
	p.RawQuery += strings.Join(add, "&")
	return p.String()
}

func sameHost(a, b string) bool {
	a, b = strings.TrimPrefix(strings.ToLower(a), "www."), strings.TrimPrefix(strings.ToLower(b), "www.")
	return a == b
}

// Slug is the last non-empty path segment of a post's URL ("utm-fatti-bene"
// for https://blog.example/2026/12/utm-fatti-bene/), or "" when it has none.
func Slug(raw string) string {
	p, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	segs := strings.Split(strings.Trim(p.Path, "/"), "/")
	s, _ := url.PathUnescape(segs[len(segs)-1])
	return s
}

// Event is what an add-to-calendar link needs to know about a webinar.
type Event struct {
	Title, Details, Location string
	Start, End               time.Time
	AllDay                   bool
}

// GoogleCalendar is the "add to Google Calendar" link for e, with its
// times in UTC (the Z form), so no zone database is involved. An all-day
// event carries dates, the end exclusive.
func GoogleCalendar(e Event) string {
	q := url.Values{}
	q.Set("action", "TEMPLATE")
	q.Set("text", e.Title)
	if e.AllDay {
		q.Set("dates", e.Start.Format("20060102")+"/"+e.End.Format("20060102"))
	} else {
		const f = "20060102T150405Z"
		q.Set("dates", e.Start.UTC().Format(f)+"/"+e.End.UTC().Format(f))
	}
	if e.Details != "" {
		q.Set("details", e.Details)
	}
	if e.Location != "" {
		q.Set("location", e.Location)
	}
	return "https://calendar.google.com/calendar/render?" + q.Encode()
}

// OutlookCalendar is the "add to Outlook.com" link for e (the personal
// Outlook on the web; work accounts open it too after signing in).
func OutlookCalendar(e Event) string {
	q := url.Values{}
	q.Set("path", "/calendar/action/compose")
	q.Set("rru", "addevent")
	q.Set("subject", e.Title)
	if e.AllDay {
		q.Set("allday", "true")
		q.Set("startdt", e.Start.Format("2006-01-02"))
		q.Set("enddt", e.End.Format("2006-01-02"))
	} else {
		q.Set("startdt", e.Start.UTC().Format("2006-01-02T15:04:05Z"))
		q.Set("enddt", e.End.UTC().Format("2006-01-02T15:04:05Z"))
	}
	if e.Details != "" {
		q.Set("body", e.Details)
	}
	if e.Location != "" {
		q.Set("location", e.Location)
	}
	return "https://outlook.live.com/calendar/0/deeplink/compose?" + q.Encode()
}

// Stream is one of a subscriber's streams (the weekly digest, the
// letters), as links carry it.
type Stream string

// StreamParam is the query parameter an unsubscribe link names its
// message's stream with, so the page (and an RFC 8058 one-click POST)
// knows which stream "unsubscribe" means.
const StreamParam = "stream"

// UnsubscribeStream is the unsubscribe page for tok, from a message of
// stream.
func (b *Builder) UnsubscribeStream(tok string, stream Stream) string {
	u := b.Unsubscribe(tok)
	if stream != "" {
		u += "?" + StreamParam + "=" + url.QueryEscape(string(stream))
	}
	return u
}

// ForStream returns the List-Unsubscribe targets of a message of stream:
// the one-click URL names the stream, so a mailbox provider's
// "unsubscribe" stops that stream only.
func (b *Builder) ForStream(stream Stream) *StreamLinks { return &StreamLinks{b: b, stream: stream} }

// StreamLinks builds the List-Unsubscribe targets of one stream's
// messages.
type StreamLinks struct {
	b      *Builder
	stream Stream
}

// ListUnsubscribe returns the List-Unsubscribe targets for tok, the https
// one (naming the stream) first, then the mailto one if any.
func (s *StreamLinks) ListUnsubscribe(tok string) []string {
	out := s.b.ListUnsubscribe(tok)
	out[0] = s.b.UnsubscribeStream(tok, s.stream)
	return out
}
