// Package links builds every public URL venerdi hands out, in mail and on
// web pages alike: unsubscribe, confirm, the web version of an issue, the
// archive and its feed, a webinar's calendar file. The routes `venerdi
// serve` answers are declared here too, so a link and the handler that
// answers it cannot drift apart.
package links

import (
	"fmt"
	"net/url"
	"strings"
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
