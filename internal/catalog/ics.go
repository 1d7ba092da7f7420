package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/venerdi/venerdi/internal/plaintext"
)

// Limits that keep a hostile or broken calendar from hanging or exhausting
// a run. A weekly series over the 455-day window is about 65 instances, so
// they are far from anything real.
const (
	windowBefore = 90 * 24 * time.Hour
	windowAfter  = 365 * 24 * time.Hour

	maxInstancesPerEvent = 1000
	maxScanPerEvent      = 50000   // occurrences walked from DTSTART, most before the window
	maxScanTotal         = 2000000 // for the whole calendar, time zones included
	maxWebinars          = 20000
	expandDeadline       = 5 * time.Second // rrule-go walks to year 9999 looking for an impossible date

	maxNesting   = 16   // BEGIN depth; go-ical recurses once per level
	maxParamsLen = 4096 // bytes before a property's value; go-ical's param parsing is quadratic

	maxEventSpan = 366 * 24 * time.Hour
)

var errTooComplex = errors.New("recurrences too complex to expand")

// icsTime is a DTSTART, DTEND, RECURRENCE-ID, RDATE or EXDATE value.
type icsTime struct {
	wall time.Time // the clock (or calendar) reading, tagged UTC
	zone *zone     // nil for a date (all-day)
	utc  bool      // written with a trailing Z
}

func (t icsTime) isDate() bool { return t.zone == nil }

// eventData is what one VEVENT says about itself.
type eventData struct {
	title, speaker, desc, url string
	recording                 string // X-RECORDING-URL
	start                     icsTime
	dur                       time.Duration
	hasEnd                    bool // DTEND or DURATION was usable
	cancelled                 bool
}

// vevent is a VEVENT and where it is in the document, for messages.
type vevent struct {
	comp  *ical.Component
	n     int // 1-based among the VEVENTs
	uid   string
	seq   int
	label string
	rid   *ical.Prop // RECURRENCE-ID: a changed occurrence of a series
}

type icsParser struct {
	src      string
	loc      *time.Location // the site zone: all-day dates, results
	floating *zone          // X-WR-TIMEZONE or the site zone
	from, to time.Time      // the recurrence window

	vtimezones map[string]*ical.Component
	zones      map[string]*zone
	zoneErrs   map[string]error

	scanLeft int
	deadline time.Time
	warnings []string
}

// parseICS reads an iCalendar document (RFC 5545) into instances, one
// Webinar per occurrence of a recurring event.
//
// Decisions worth knowing:
//   - An event without a SUMMARY is skipped with a warning: a newsletter
//     entry with no title helps no reader, and "(untitled)" would be sent
//     to every subscriber.
//   - An event that cannot be placed in time (no or bad DTSTART, unknown
//     TZID, an RRULE that does not parse or repeats more often than daily)
//     is skipped with a warning rather than refusing the calendar: it is
//     usually someone else's calendar, and one odd event should not hide
//     the others.
//   - Recurring events produce the occurrences starting from Now-90 days to
//     Now+365 days; a single event is kept whatever its date (past webinars
//     still matter to the archive).
//   - A changed occurrence (RECURRENCE-ID) replaces the one it names and
//     keeps its ID; when it gives neither DTEND nor DURATION it keeps the
//     series' duration. RANGE=THISANDFUTURE is treated as this occurrence
//     only.
//   - IDs: the UID for a single event; UID@original start for an
//     occurrence, the start in UTC as 20060102T150405Z, or the date as
//     20060102 for all-day series (so the ID does not depend on the site
//     zone). An event without a UID gets "ics-" and a hash of its DTSTART
//     and SUMMARY.
func parseICS(data []byte, opts Options) (_ *Catalog, err error) {
	defer func() { err = oneLineErr(err) }()
	src := opts.source()
	if opts.Now.IsZero() {
		return nil, fmt.Errorf("%s: cannot expand recurring events: Options.Now is not set", src)
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%s: empty document: want an iCalendar file (BEGIN:VCALENDAR)", src)
	}
	if head := bytes.TrimLeft(data, " \t\r\n"); len(head) < 15 || !strings.EqualFold(string(head[:15]), "BEGIN:VCALENDAR") {
		// Typically an HTML login or error page served at the calendar's
		// URL; go-ical's complaint about it would be cryptic.
		return nil, fmt.Errorf("%s: not an iCalendar document (it does not start with BEGIN:VCALENDAR)", src)
	}
	if line, err := prescanICS(data); err != nil {
		return nil, fmt.Errorf("%s:%d: %v", src, line, err)
	}
	cal, err := decodeICS(data)
	if err != nil {
		return nil, fmt.Errorf("%s: not a valid iCalendar document: %v", src, err)
	}

	loc := opts.location()
	p := &icsParser{
		src:        src,
		loc:        loc,
		floating:   &zone{name: loc.String(), loc: loc},
		from:       opts.Now.Add(-windowBefore),
		to:         opts.Now.Add(windowAfter),
		vtimezones: map[string]*ical.Component{},
		zones:      map[string]*zone{},
		zoneErrs:   map[string]error{},
		scanLeft:   maxScanTotal,
		deadline:   time.Now().Add(expandDeadline),
	}
	cat, err := p.parse(cal)
	if errors.Is(err, errTooComplex) {
		return nil, fmt.Errorf("%s: %w (over %d occurrences or %s)", src, err, maxScanTotal, expandDeadline)
	}
	return cat, err
}

func (p *icsParser) parse(cal *ical.Calendar) (*Catalog, error) {
	cat := &Catalog{Series: plaintext.Line(unescapeText(propValue(cal.Component, "X-WR-CALNAME")))}

	for _, c := range cal.Children {
		if c.Name == ical.CompTimezone {
			// Some exporters repeat a VTIMEZONE; the first one wins.
			tzid := strings.TrimSpace(propValue(c, ical.PropTimezoneID))
			if _, dup := p.vtimezones[tzid]; !dup {
				p.vtimezones[tzid] = c
			}
		}
	}
	if x := strings.TrimSpace(propValue(cal.Component, "X-WR-TIMEZONE")); x != "" {
		z, err := p.resolveTZID(x)
		if err != nil {
			p.warnings = append(p.warnings, escapeControls(fmt.Sprintf("%s: X-WR-TIMEZONE: %v; floating times are read in %s", p.src, err, p.loc)))
		} else {
			p.floating = z
		}
	}

	var masters []*vevent
	masterOf := map[string]*vevent{}
	overrides := map[string][]*vevent{}
	var overrideUIDs []string
	n := 0
	for _, c := range cal.Children {
		if c.Name != ical.CompEvent {
			continue
		}
		n++
		ev := &vevent{comp: c, n: n, uid: strings.TrimSpace(propValue(c, ical.PropUID))}
		ev.seq, _ = strconv.Atoi(strings.TrimSpace(propValue(c, ical.PropSequence)))
		ev.label = eventLabel(n, c, ev.uid)
		if rid := c.Props.Get(ical.PropRecurrenceID); rid != nil && ev.uid != "" {
			ev.rid = rid
			if overrides[ev.uid] == nil {
				overrideUIDs = append(overrideUIDs, ev.uid)
			}
			overrides[ev.uid] = append(overrides[ev.uid], ev)
			continue
		}
		if ev.uid == "" {
			ev.uid = syntheticUID(c)
		}
		if prev := masterOf[ev.uid]; prev != nil {
			// Two events with one UID: the higher SEQUENCE is the newer
			// version; on a tie the later one in the file.
			if ev.seq >= prev.seq {
				p.warnf(prev, "same UID as %s, which replaces it", ev.label)
				*prev = *ev
			} else {
				p.warnf(ev, "same UID as %s; ignored in favour of it", prev.label)
			}
			continue
		}
		masterOf[ev.uid] = ev
		masters = append(masters, ev)
	}

	var out []Webinar
	for _, m := range masters {
		ws, err := p.expand(m, overrides[m.uid])
		if err != nil {
			return nil, err
		}
		out = append(out, ws...)
		if len(out) > maxWebinars {
			return nil, fmt.Errorf("%s: more than %d webinars; is this the right calendar?", p.src, maxWebinars)
		}
	}
	for _, uid := range overrideUIDs {
		if masterOf[uid] == nil {
			out = append(out, p.orphans(overrides[uid])...)
		}
	}

	// IDs must be unique for the store; a clash can only come from
	// duplicated events, so the first one is kept.
	seen := map[string]bool{}
	cat.Webinars = make([]Webinar, 0, len(out))
	for _, w := range out {
		if seen[w.ID] {
			p.warnings = append(p.warnings, fmt.Sprintf("%s: duplicate occurrence %q dropped", p.src, shorten(w.ID)))
			continue
		}
		seen[w.ID] = true
		cat.Webinars = append(cat.Webinars, w)
	}
	sortWebinars(cat.Webinars)
	cat.Warnings = p.warnings
	return cat, nil
}

// expand turns a master event and its changed occurrences into webinars.
func (p *icsParser) expand(m *vevent, ovs []*vevent) ([]Webinar, error) {
	d, err := p.readEvent(m)
	if err != nil {
		extra := ""
		if len(ovs) > 0 {
			extra = fmt.Sprintf(" with its %d changed occurrences", len(ovs))
		}
		p.warnf(m, "%v; skipped%s", err, extra)
		return nil, nil
	}
	allDay := d.start.isDate()

	rules := nonEmptyProps(m.comp, ical.PropRecurrenceRule)
	rdates := nonEmptyProps(m.comp, ical.PropRecurrenceDates)
	recurring := len(rules) > 0 || len(rdates) > 0
	occs := []icsTime{d.start}
	if recurring {
		occs, err = p.occurrences(m, d.start, rules, rdates)
		if errors.Is(err, errTooComplex) {
			return nil, err
		}
		if err != nil {
			p.warnf(m, "%v; skipped", err)
			return nil, nil
		}
		occs = p.exclude(m, allDay, occs)
		occs = slices.DeleteFunc(occs, func(t icsTime) bool { return !p.inWindow(p.at(t)) })
		if len(occs) > maxInstancesPerEvent {
			p.warnf(m, "%d occurrences in the window; only the first %d are kept", len(occs), maxInstancesPerEvent)
			occs = occs[:maxInstancesPerEvent]
		}
	}

	changed := p.readOverrides(ovs, allDay)
	used := map[string]bool{}
	var out []Webinar
	for _, occ := range occs {
		key := p.occurrenceKey(allDay, occ)
		id := m.uid
		if recurring {
			id += "@" + key
		}
		if ov, ok := changed[key]; ok {
			used[key] = true
			out = append(out, p.webinar(id, ov.data, ov.data.start, ov.duration(d.dur)))
			continue
		}
		out = append(out, p.webinar(id, d, occ, d.dur))
	}
	// A changed occurrence whose original is not among the occurrences
	// (outside the window, excluded, or not generated by the rule) still
	// counts when it, or what it replaces, falls in the window.
	for _, key := range sortedKeys(changed) {
		ov := changed[key]
		if used[key] || !p.inWindow(p.at(ov.data.start)) && !p.inWindow(p.at(ov.rid)) {
			continue
		}
		out = append(out, p.webinar(m.uid+"@"+key, ov.data, ov.data.start, ov.duration(d.dur)))
	}
	return out, nil
}

// override is a changed occurrence, read.
type override struct {
	ev   *vevent
	rid  icsTime
	data eventData
}

func (o *override) duration(series time.Duration) time.Duration {
	if o.data.hasEnd || o.data.start.isDate() != o.rid.isDate() {
		return o.data.dur
	}
	return series
}

// readOverrides reads a series' changed occurrences, keyed like the
// occurrences they replace.
func (p *icsParser) readOverrides(ovs []*vevent, allDay bool) map[string]*override {
	changed := map[string]*override{}
	for _, ev := range ovs {
		rid, d, ok := p.readChanged(ev)
		if !ok {
			continue
		}
		key := p.occurrenceKey(allDay, rid)
		if prev := changed[key]; prev != nil && prev.ev.seq > ev.seq {
			continue
		}
		changed[key] = &override{ev: ev, rid: rid, data: d}
	}
	return changed
}

// readChanged reads a changed occurrence and the RECURRENCE-ID it
// replaces; ok is false (with a warning) when either is unusable.
func (p *icsParser) readChanged(ev *vevent) (rid icsTime, d eventData, ok bool) {
	rid, err := p.parseTime(ev.rid.Value, ev.rid.Params)
	if err != nil {
		p.warnf(ev, "RECURRENCE-ID: %v; skipped", err)
		return rid, d, false
	}
	if d, err = p.readEvent(ev); err != nil {
		p.warnf(ev, "%v; skipped", err)
		return rid, d, false
	}
	return rid, d, true
}

// orphans handles changed occurrences whose series is not in the document
// (an invitation to one occurrence): each is a single event.
func (p *icsParser) orphans(ovs []*vevent) []Webinar {
	var out []Webinar
	for _, ev := range ovs {
		rid, d, ok := p.readChanged(ev)
		if !ok {
			continue
		}
		id := ev.uid + "@" + p.occurrenceKey(rid.isDate(), rid)
		out = append(out, p.webinar(id, d, d.start, d.dur))
	}
	return out
}

// exclude drops the occurrences named by EXDATE. An EXDATE is matched by
// instant, so it may be written in another zone than DTSTART (SabreDAV
// writes UTC); a date-only EXDATE on a timed series drops that whole day.
func (p *icsParser) exclude(m *vevent, allDay bool, occs []icsTime) []icsTime {
	keys, days := map[string]bool{}, map[string]bool{}
	for _, prop := range m.comp.Props.Values(ical.PropExceptionDates) {
		for _, v := range strings.Split(prop.Value, ",") {
			if strings.TrimSpace(v) == "" {
				continue
			}
			t, err := p.parseTime(v, prop.Params)
			if err != nil {
				p.warnf(m, "EXDATE: %v; ignored", err)
				continue
			}
			if !allDay && t.isDate() {
				days[p.dateOf(t).Format("20060102")] = true
			} else {
				keys[p.occurrenceKey(allDay, t)] = true
			}
		}
	}
	if len(keys) == 0 && len(days) == 0 {
		return occs
	}
	return slices.DeleteFunc(occs, func(t icsTime) bool {
		return keys[p.occurrenceKey(allDay, t)] || days[p.dateOf(t).Format("20060102")]
	})
}

func (p *icsParser) inWindow(t time.Time) bool {
	return !t.Before(p.from) && !t.After(p.to)
}

func (p *icsParser) webinar(id string, d eventData, start icsTime, dur time.Duration) Webinar {
	return Webinar{
		ID:           id,
		Title:        d.title,
		Speaker:      d.speaker,
		Description:  d.desc,
		URL:          d.url,
		RecordingURL: d.recording,
		StartsAt:     p.at(start).In(p.loc),
		Duration:     dur,
		AllDay:       start.isDate(),
		Cancelled:    d.cancelled,
	}
}

func (p *icsParser) warnf(ev *vevent, format string, args ...any) {
	p.warnings = append(p.warnings, escapeControls(fmt.Sprintf("%s: %s: %s", p.src, ev.label, fmt.Sprintf(format, args...))))
}

// spend accounts for n steps of recurrence expansion.
func (p *icsParser) spend(n int) error {
	p.scanLeft -= n
	if p.scanLeft < 0 || time.Now().After(p.deadline) {
		return errTooComplex
	}
	return nil
}
