package catalog

// Reading the properties of one VEVENT: dates, durations, text.

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/venerdi/venerdi/internal/plaintext"
)

// readEvent reads the properties of one VEVENT. An error means the event
// cannot be used; lesser problems become warnings.
func (p *icsParser) readEvent(ev *vevent) (eventData, error) {
	c := ev.comp
	var d eventData
	d.title = plaintext.Line(unescapeText(propValue(c, ical.PropSummary)))
	if d.title == "" {
		return d, errors.New("no SUMMARY (title)")
	}
	startProp := c.Props.Get(ical.PropDateTimeStart)
	if startProp == nil {
		return d, errors.New("no DTSTART")
	}
	var err error
	if d.start, err = p.parseTime(startProp.Value, startProp.Params); err != nil {
		return d, fmt.Errorf("DTSTART: %v", err)
	}
	d.dur, d.hasEnd = p.duration(ev, d.start)

	d.desc = plaintext.Block(unescapeText(propValue(c, ical.PropDescription)))
	if org := c.Props.Get(ical.PropOrganizer); org != nil {
		d.speaker = plaintext.Line(org.Params.Get(ical.ParamCommonName))
	}
	if u := strings.TrimSpace(propValue(c, ical.PropURL)); u != "" {
		if d.url, err = httpURL(u); err != nil {
			p.warnf(ev, "URL: %v; ignored", err)
		}
	}
	// iCalendar has no property for a recording; X-RECORDING-URL is ours
	// (documented in the README), so a platform's export can carry it.
	if u := strings.TrimSpace(propValue(c, "X-RECORDING-URL")); u != "" {
		if d.recording, err = httpURL(u); err != nil {
			p.warnf(ev, "X-RECORDING-URL: %v; ignored", err)
		}
	}
	switch strings.ToUpper(strings.TrimSpace(propValue(c, ical.PropStatus))) {
	case "CANCELLED", "CANCELED":
		d.cancelled = true
	}
	return d, nil
}

// duration works out how long an event lasts from DTEND or DURATION. ok is
// false when neither was usable and the default applies.
func (p *icsParser) duration(ev *vevent, start icsTime) (d time.Duration, ok bool) {
	def := defaultDuration
	if start.isDate() {
		def = 24 * time.Hour
	}
	c := ev.comp
	if endProp := c.Props.Get(ical.PropDateTimeEnd); endProp != nil {
		end, err := p.parseTime(endProp.Value, endProp.Params)
		switch {
		case err != nil:
			p.warnf(ev, "DTEND: %v; using %s", err, human(def))
			return def, false
		case start.isDate():
			d = p.dateOf(end).Sub(start.wall)
		default:
			d = p.at(end).Sub(p.at(start))
		}
		if d < 0 {
			p.warnf(ev, "DTEND is before DTSTART; using %s", human(def))
			return def, false
		}
	} else if durProp := c.Props.Get(ical.PropDuration); durProp != nil {
		var err error
		if d, err = durProp.Duration(); err != nil {
			p.warnf(ev, "DURATION: %v; using %s", strings.TrimPrefix(err.Error(), "ical: "), human(def))
			return def, false
		}
		if d < 0 {
			p.warnf(ev, "DURATION is negative; using %s", human(def))
			return def, false
		}
	}
	switch {
	case d == 0:
		// Zero-length events are common (Google's "reminders", all-day
		// events with DTEND equal to DTSTART); the default reads better.
		return def, false
	case d > maxEventSpan:
		p.warnf(ev, "lasts %s; using %s", human(d), human(def))
		return def, false
	case start.isDate():
		// All-day events last whole days.
		days := (d + 24*time.Hour - 1) / (24 * time.Hour)
		return days * 24 * time.Hour, true
	}
	return d, true
}

// parseTime reads one date or date-time value with its parameters.
func (p *icsParser) parseTime(v string, params ical.Params) (icsTime, error) {
	v = strings.ToUpper(strings.TrimSpace(v))
	if i := strings.IndexByte(v, '/'); i >= 0 {
		v = v[:i] // a PERIOD (RDATE): only the start matters
	}
	switch {
	case len(v) == len("20060102"):
		t, err := time.Parse("20060102", v)
		if err != nil {
			break
		}
		return icsTime{wall: t}, nil
	case len(v) == len("20060102T150405Z") && v[15] == 'Z':
		t, err := time.Parse("20060102T150405", v[:15])
		if err != nil {
			break
		}
		return icsTime{wall: t, zone: utcZone, utc: true}, nil
	case len(v) == len("20060102T150405"):
		t, err := time.Parse("20060102T150405", v)
		if err != nil {
			break
		}
		z := p.floating
		if tzid := params.Get(ical.PropTimezoneID); tzid != "" {
			if z, err = p.resolveTZID(tzid); err != nil {
				return icsTime{}, err
			}
		}
		return icsTime{wall: t, zone: z}, nil
	}
	return icsTime{}, fmt.Errorf("%q is not a date (20060102) or a date-time (20060102T150405)", shorten(v))
}

// at is the instant a value stands for: all-day dates begin at midnight in
// the site zone.
func (p *icsParser) at(t icsTime) time.Time {
	if t.isDate() {
		y, m, d := t.wall.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, p.loc)
	}
	return t.zone.instant(t.wall)
}

// dateOf is the calendar date of a value, tagged UTC. A UTC date-time is
// dated in the calendar's zone (X-WR-TIMEZONE, else the site's); others by
// their own clock.
func (p *icsParser) dateOf(t icsTime) time.Time {
	w := t.wall
	if t.utc {
		// Exchange writes all-day EXDATEs and UNTILs as the UTC instant of
		// midnight in the calendar's zone.
		w = p.floating.wall(p.at(t))
	}
	y, m, d := w.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// occurrenceKey identifies an occurrence of a series: the date for all-day
// series, the UTC start otherwise.
func (p *icsParser) occurrenceKey(allDay bool, t icsTime) string {
	if allDay {
		return p.dateOf(t).Format("20060102")
	}
	return p.at(t).UTC().Format("20060102T150405Z")
}

// eventLabel names an event in messages: its position, and its title (or,
// without one, its UID) so the author can find it.
func eventLabel(n int, c *ical.Component, uid string) string {
	if s := plaintext.Line(unescapeText(propValue(c, ical.PropSummary))); s != "" {
		return fmt.Sprintf("event %d (%q)", n, shorten(s))
	}
	if uid != "" {
		return fmt.Sprintf("event %d (UID %q)", n, shorten(uid))
	}
	return fmt.Sprintf("event %d", n)
}

// syntheticUID stands in for a missing UID; it changes only when the start
// or the title does.
func syntheticUID(c *ical.Component) string {
	sum := sha256.Sum256([]byte(propValue(c, ical.PropDateTimeStart) + "\n" + propValue(c, ical.PropSummary)))
	return "ics-" + hex.EncodeToString(sum[:8])
}

// unescapeText undoes RFC 5545 TEXT escaping. go-ical's Prop.Text is not
// used: it stops at the first unescaped comma (common in real SUMMARYs)
// and fails on unknown escapes, which are kept here as the bare character.
func unescapeText(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			if s[i] == 'n' || s[i] == 'N' {
				b.WriteByte('\n')
			} else {
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// nonEmptyProps returns the values of a property, skipping empty ones
// (calendarlabs.com writes "RRULE:" on events that do not repeat).
func nonEmptyProps(c *ical.Component, name string) []ical.Prop {
	var out []ical.Prop
	for _, p := range c.Props.Values(name) {
		if strings.TrimSpace(p.Value) != "" {
			out = append(out, p)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// human prints a duration the way a calendar user thinks of it.
func human(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		if d == 24*time.Hour {
			return "1 day"
		}
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	case d%time.Minute == 0:
		return fmt.Sprintf("%d minutes", d/time.Minute)
	}
	return d.String()
}
