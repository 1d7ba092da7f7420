package catalog

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"
)

// Recurrences are expanded on wall-clock readings ("10:00 every Monday")
// tagged UTC, and only then placed in their zone. That keeps rrule-go away
// from zone arithmetic (a weekly 10:00 stays 10:00 across a DST change) and
// lets zones defined only by a VTIMEZONE work like IANA ones.

// zone turns wall-clock readings into instants and back.
type zone struct {
	name string
	loc  *time.Location // from the IANA database (or UTC, or the site zone)
	// When loc is nil the zone comes from a VTIMEZONE: offsets change at
	// the transitions, sorted by instant.
	tr []transition
}

type transition struct {
	at         time.Time // UTC instant of the change
	offsetFrom int       // seconds east of UTC before it
	offsetTo   int       // seconds east of UTC after it
}

var utcZone = &zone{name: "UTC", loc: time.UTC}

// wall returns t's clock reading in z, tagged UTC.
func (z *zone) wall(t time.Time) time.Time {
	if z.loc != nil {
		y, mo, d := t.In(z.loc).Date()
		h, mi, s := t.In(z.loc).Clock()
		return time.Date(y, mo, d, h, mi, s, 0, time.UTC)
	}
	return t.UTC().Add(time.Duration(z.offsetAt(t)) * time.Second)
}

// instant returns the moment the clocks in z show wall. In a gap or an
// overlap of a VTIMEZONE zone the answer is one of the plausible ones.
func (z *zone) instant(wall time.Time) time.Time {
	y, mo, d := wall.Date()
	h, mi, s := wall.Clock()
	if z.loc != nil {
		return time.Date(y, mo, d, h, mi, s, 0, z.loc)
	}
	guess := z.offsetAt(wall)
	t := wall.Add(-time.Duration(guess) * time.Second)
	if off := z.offsetAt(t); off != guess {
		t = wall.Add(-time.Duration(off) * time.Second)
	}
	return t.UTC()
}

func (z *zone) offsetAt(t time.Time) int {
	i := sort.Search(len(z.tr), func(i int) bool { return z.tr[i].at.After(t) })
	if i == 0 {
		return z.tr[0].offsetFrom
	}
	return z.tr[i-1].offsetTo
}

// maxOnsets bounds the transitions taken from one STANDARD or DAYLIGHT
// rule; Exchange starts its rules in 1601, which is 600 years of yearly
// transitions to reach 2200.
const maxOnsets = 2000

// lastZoneYear is where VTIMEZONE rules stop being expanded.
const lastZoneYear = 2200

// loadIANA loads a zone from the IANA database, refusing names that
// time.LoadLocation would map to this machine's zone rather than the
// calendar's.
func loadIANA(name string) (*time.Location, bool) {
	if name == "" || strings.EqualFold(name, "Local") {
		return nil, false
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, false
	}
	return loc, true
}

// resolveTZID finds the zone a TZID parameter names. The IANA database is
// preferred to the calendar's own VTIMEZONE: it has the full history, while
// exported VTIMEZONEs are often one rule guessed from today's. A VTIMEZONE
// is used for names the database lacks ("W. Europe Standard Time").
func (p *icsParser) resolveTZID(tzid string) (*zone, error) {
	tzid = strings.TrimSpace(tzid)
	if z, ok := p.zones[tzid]; ok {
		return z, nil
	}
	if err, ok := p.zoneErrs[tzid]; ok {
		return nil, err
	}
	z, err := p.buildZone(tzid)
	if err != nil {
		p.zoneErrs[tzid] = err
		return nil, err
	}
	p.zones[tzid] = z
	return z, nil
}

func (p *icsParser) buildZone(tzid string) (*zone, error) {
	if loc, ok := loadIANA(tzid); ok {
		return &zone{name: tzid, loc: loc}, nil
	}
	vtz := p.vtimezones[tzid]
	if vtz != nil {
		if lic := vtz.Props.Get("X-LIC-LOCATION"); lic != nil {
			if loc, ok := loadIANA(strings.TrimSpace(lic.Value)); ok {
				return &zone{name: tzid, loc: loc}, nil
			}
		}
		return p.zoneFromVTimezone(tzid, vtz)
	}
	// Old Mozilla calendars prefix IANA names: "/mozilla.org/20050126_1/Europe/Rome".
	for i := 0; strings.HasPrefix(tzid, "/") && i < len(tzid); i++ {
		if tzid[i] == '/' {
			if loc, ok := loadIANA(tzid[i+1:]); ok {
				return &zone{name: tzid, loc: loc}, nil
			}
		}
	}
	return nil, fmt.Errorf("unknown time zone %q (not in the IANA database and no VTIMEZONE defines it)", shorten(tzid))
}

// zoneFromVTimezone builds a zone from the STANDARD and DAYLIGHT
// observances of a VTIMEZONE.
func (p *icsParser) zoneFromVTimezone(tzid string, vtz *ical.Component) (*zone, error) {
	z := &zone{name: tzid}
	for _, obs := range vtz.Children {
		if obs.Name != "STANDARD" && obs.Name != "DAYLIGHT" {
			continue
		}
		from, err1 := parseUTCOffset(propValue(obs, "TZOFFSETFROM"))
		to, err2 := parseUTCOffset(propValue(obs, "TZOFFSETTO"))
		start, err3 := parseWall(propValue(obs, ical.PropDateTimeStart))
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, fmt.Errorf("time zone %q: invalid %s observance", shorten(tzid), obs.Name)
		}
		onsets := []time.Time{start}
		for _, prop := range obs.Props.Values(ical.PropRecurrenceRule) {
			walls, err := p.zoneRuleOnsets(prop.Value, start, from)
			if err != nil {
				return nil, fmt.Errorf("time zone %q: %s RRULE: %v", shorten(tzid), obs.Name, err)
			}
			onsets = append(onsets, walls...)
		}
		for _, prop := range obs.Props.Values(ical.PropRecurrenceDates) {
			for _, v := range strings.Split(prop.Value, ",") {
				if w, err := parseWall(v); err == nil {
					onsets = append(onsets, w)
				}
			}
		}
		for _, w := range onsets {
			// Onsets are written in the local time in force before them.
			at := w.Add(-time.Duration(from) * time.Second)
			z.tr = append(z.tr, transition{at: at, offsetFrom: from, offsetTo: to})
		}
	}
	if len(z.tr) == 0 {
		return nil, fmt.Errorf("time zone %q: VTIMEZONE has no STANDARD or DAYLIGHT observance", shorten(tzid))
	}
	sort.SliceStable(z.tr, func(i, j int) bool { return z.tr[i].at.Before(z.tr[j].at) })
	return z, nil
}

// zoneRuleOnsets expands an observance's RRULE up to lastZoneYear.
func (p *icsParser) zoneRuleOnsets(value string, start time.Time, from int) ([]time.Time, error) {
	opt, rawUntil, err := parseRRule(value)
	if err != nil {
		return nil, err
	}
	opt.Dtstart = start
	if !opt.Until.IsZero() && strings.HasSuffix(rawUntil, "Z") {
		opt.Until = opt.Until.Add(time.Duration(from) * time.Second)
	}
	limit := time.Date(lastZoneYear, 1, 1, 0, 0, 0, 0, time.UTC)
	if opt.Until.IsZero() || opt.Until.After(limit) {
		opt.Until = limit
	}
	r, err := newRRule(opt)
	if err != nil {
		return nil, err
	}
	var out []time.Time
	next := r.Iterator()
	for len(out) < maxOnsets {
		t, ok := next()
		if !ok {
			break
		}
		if err := p.spend(1); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// parseUTCOffset reads a TZOFFSETFROM/TZOFFSETTO value: +HHMM or +HHMMSS.
func parseUTCOffset(s string) (int, error) {
	s = strings.TrimSpace(s)
	if len(s) != 5 && len(s) != 7 || s[0] != '+' && s[0] != '-' {
		return 0, fmt.Errorf("invalid UTC offset %q", s)
	}
	parts := []string{s[1:3], s[3:5]}
	if len(s) == 7 {
		parts = append(parts, s[5:7])
	}
	secs := 0
	for i, unit := range []int{3600, 60, 1}[:len(parts)] {
		n, err := strconv.Atoi(parts[i])
		if err != nil || n < 0 || n > 59 {
			return 0, fmt.Errorf("invalid UTC offset %q", s)
		}
		secs += n * unit
	}
	if s[0] == '-' {
		secs = -secs
	}
	return secs, nil
}

// parseWall reads a date or a date-time as a clock reading tagged UTC,
// ignoring any zone: what VTIMEZONE observances need.
func parseWall(s string) (time.Time, error) {
	s = strings.TrimSuffix(strings.ToUpper(strings.TrimSpace(s)), "Z")
	switch len(s) {
	case len("20060102"):
		return time.Parse("20060102", s)
	case len("20060102T150405"):
		return time.Parse("20060102T150405", s)
	}
	return time.Time{}, fmt.Errorf("%q is not a date or a date-time", shorten(s))
}

func propValue(c *ical.Component, name string) string {
	if p := c.Props.Get(name); p != nil {
		return p.Value
	}
	return ""
}
