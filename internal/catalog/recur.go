package catalog

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/teambition/rrule-go"
)

// maxInterval bounds INTERVAL: rrule-go adds it to a month counter that
// would overflow, and no series repeats every 10000 days.
const maxInterval = 10000

// occurrences lists the starts of a recurring event: DTSTART, the RRULE
// occurrences and the RDATEs, on DTSTART's clock, sorted and without
// repeats. go-ical's RecurrenceSet is not used: it reads RDATE from the
// EXDATE property, ignores RDATE without RRULE and does not split
// comma-separated lists.
func (p *icsParser) occurrences(ev *vevent, start icsTime, rules, rdates []ical.Prop) ([]icsTime, error) {
	// Walls are compared on start's clock; a day of margin either side
	// absorbs offsets, and inWindow has the final word.
	fromWall := p.wallIn(start, p.from).Add(-24 * time.Hour)
	toWall := p.wallIn(start, p.to).Add(24 * time.Hour)

	walls := []time.Time{start.wall}
	for _, rule := range rules {
		opt, rawUntil, err := parseRRule(rule.Value)
		if err != nil {
			return nil, fmt.Errorf("RRULE: %v", err)
		}
		opt.Dtstart = start.wall
		if !opt.Until.IsZero() {
			opt.Until = p.untilWall(start, opt.Until, rawUntil)
		}
		// COUNT still counts from DTSTART; the clamp only stops the walk
		// once it is past the window.
		if opt.Until.IsZero() || opt.Until.After(toWall) {
			opt.Until = toWall
		}
		r, err := newRRule(opt)
		if err != nil {
			return nil, fmt.Errorf("RRULE: %v", err)
		}
		next := r.Iterator()
		for scanned := 0; ; scanned++ {
			if scanned == maxScanPerEvent {
				p.warnf(ev, "RRULE: stopped after %d occurrences from %s; later ones are missing", maxScanPerEvent, start.wall.Format("2006-01-02"))
				break
			}
			t, ok := next()
			if !ok {
				break
			}
			if err := p.spend(1); err != nil {
				return nil, err
			}
			if !t.Before(fromWall) {
				walls = append(walls, t)
			}
		}
	}
	for _, prop := range rdates {
		for _, v := range strings.Split(prop.Value, ",") {
			if strings.TrimSpace(v) == "" {
				continue
			}
			t, err := p.parseTime(v, prop.Params)
			if err != nil {
				p.warnf(ev, "RDATE: %v; ignored", err)
				continue
			}
			if start.isDate() {
				walls = append(walls, p.dateOf(t))
			} else {
				walls = append(walls, start.zone.wall(p.at(t)))
			}
		}
	}
	slices.SortFunc(walls, func(a, b time.Time) int { return a.Compare(b) })
	walls = slices.CompactFunc(walls, func(a, b time.Time) bool { return a.Equal(b) })

	out := make([]icsTime, len(walls))
	for i, w := range walls {
		out[i] = icsTime{wall: w, zone: start.zone, utc: start.utc}
	}
	return out, nil
}

// wallIn is instant t on start's clock (for all-day series, the site's).
func (p *icsParser) wallIn(start icsTime, t time.Time) time.Time {
	if start.isDate() {
		return (&zone{loc: p.loc}).wall(t)
	}
	return start.zone.wall(t)
}

// untilWall puts UNTIL on start's clock. RFC 5545 wants UNTIL in UTC when
// DTSTART has a zone and a date when DTSTART is a date, but calendars mix
// them: a UTC UNTIL is converted, and a date UNTIL on a timed series
// includes that whole day.
func (p *icsParser) untilWall(start icsTime, until time.Time, raw string) time.Time {
	switch {
	case strings.HasSuffix(raw, "Z"):
		if start.isDate() {
			return p.dateOf(icsTime{wall: until, zone: utcZone, utc: true})
		}
		return start.zone.wall(until)
	case len(raw) == len("20060102") && !start.isDate():
		return until.Add(24*time.Hour - time.Second)
	}
	return until
}

// parseRRule reads an RRULE value for rrule-go, which wants upper case and
// no empty parts, and refuses what it would loop on. rawUntil is UNTIL as
// written, since rrule-go's parse loses whether it was UTC.
func parseRRule(value string) (opt *rrule.ROption, rawUntil string, err error) {
	s := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(value)), "RRULE:")
	var parts []string
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if u, ok := strings.CutPrefix(part, "UNTIL="); ok {
			rawUntil = u
		}
		parts = append(parts, part)
	}
	opt, err = rrule.StrToROption(strings.Join(parts, ";"))
	if err != nil {
		return nil, "", fmt.Errorf("%q: %v", shorten(value), err)
	}
	// rrule-go can loop forever on sub-daily rules whose BYHOUR, BYMINUTE
	// or BYSECOND the interval never reaches, and a webinar series does
	// not repeat within a day anyway.
	if opt.Freq > rrule.DAILY {
		return nil, "", fmt.Errorf("%q: FREQ=%s is not supported (at most daily)", shorten(value), opt.Freq)
	}
	if opt.Interval > maxInterval {
		return nil, "", fmt.Errorf("%q: INTERVAL above %d", shorten(value), maxInterval)
	}
	// rrule-go computes a whole period (a year, for YEARLY) at once, as
	// days × BYHOUR × BYMINUTE × BYSECOND, repeats included: a few long
	// lists would build hundreds of millions of times before the first
	// one is returned.
	lists := []*[]int{&opt.Bysetpos, &opt.Bymonth, &opt.Bymonthday, &opt.Byyearday, &opt.Byweekno,
		&opt.Byhour, &opt.Byminute, &opt.Bysecond, &opt.Byeaster}
	for _, l := range lists {
		*l = dedupe(*l)
		if len(*l) > maxByValues {
			return nil, "", fmt.Errorf("%q: more than %d values in a BY list", shorten(value), maxByValues)
		}
	}
	opt.Byweekday = dedupe(opt.Byweekday)
	// rrule-go indexes out of range on these instead of ignoring them.
	if len(opt.Byeaster) > 0 {
		return nil, "", fmt.Errorf("%q: BYEASTER is not part of RFC 5545", shorten(value))
	}
	if opt.Freq == rrule.MONTHLY || opt.Freq == rrule.YEARLY && len(opt.Bymonth) > 0 {
		for _, wd := range opt.Byweekday {
			if wd.N() < -5 || wd.N() > 5 {
				return nil, "", fmt.Errorf("%q: BYDAY=%s: a month has at most 5 of each weekday", shorten(value), wd)
			}
		}
	}
	if n := max(len(opt.Byhour), 1) * max(len(opt.Byminute), 1) * max(len(opt.Bysecond), 1); n > maxTimesPerDay {
		return nil, "", fmt.Errorf("%q: more than %d start times a day", shorten(value), maxTimesPerDay)
	}
	return opt, rawUntil, nil
}

// Bounds on RRULE lists; see parseRRule. BYMONTHDAY needs up to 62 values
// (1 to 31 and -1 to -31).
const (
	maxByValues    = 62
	maxTimesPerDay = 24
)

func dedupe[T comparable](l []T) []T {
	seen := make(map[T]bool, len(l))
	out := l[:0]
	for _, v := range l {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// newRRule builds a rule once its DTSTART is set. rrule-go takes year 0 for
// "no year yet" and indexes empty tables when a rule starts then.
func newRRule(opt *rrule.ROption) (*rrule.RRule, error) {
	if opt.Dtstart.Year() < 1 {
		return nil, fmt.Errorf("DTSTART %s is before year 1", opt.Dtstart.Format("20060102"))
	}
	return rrule.NewRRule(*opt)
}
