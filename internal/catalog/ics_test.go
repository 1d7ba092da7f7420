package catalog

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
)

// icsNow is the fixed "now" of the iCalendar fixtures: the recurrence
// window runs from 2026-08-03 to 2027-11-01.
func icsNow(t testing.TB) time.Time {
	return time.Date(2026, 11, 1, 12, 0, 0, 0, mustLoad(t, "Europe/Rome"))
}

func parseFixture(t *testing.T, name string, loc *time.Location) *Catalog {
	t.Helper()
	c, err := Parse(readTestdata(t, name), ICS, Options{Location: loc, Now: icsNow(t), Source: name})
	if err != nil {
		t.Fatalf("Parse(%s) = %v", name, err)
	}
	checkInvariants(t, c, loc)
	return c
}

// brief is one line per webinar: enough to read a failing test at a glance.
func brief(w Webinar) string {
	s := fmt.Sprintf("%s %s %v %q", w.ID, w.StartsAt.Format("2006-01-02 15:04 MST"), w.Duration, w.Title)
	if w.AllDay {
		s += " all-day"
	}
	if w.Cancelled {
		s += " cancelled"
	}
	return s
}

func briefs(c *Catalog) []string {
	out := make([]string, len(c.Webinars))
	for i, w := range c.Webinars {
		out[i] = brief(w)
	}
	return out
}

func compareLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s =\n\t%s\nwant\n\t%s", what, strings.Join(got, "\n\t"), strings.Join(want, "\n\t"))
	}
}

func TestParseICSSeries(t *testing.T) {
	rome := mustLoad(t, "Europe/Rome")
	c := parseFixture(t, "series.ics", rome)
	if c.Series != "Energia Digitale" {
		t.Errorf("Parse(series.ics).Series = %q; want %q", c.Series, "Energia Digitale")
	}
	// Weekly from 15 October, 8 times: 29 October is excluded, 5 November
	// moved to Friday 6 (keeping its ID), 19 November cancelled but kept.
	// DST ends on 25 October: the UTC part of the IDs moves, 18:00 stays.
	compareLines(t, "Parse(series.ics)", briefs(c), []string{
		`ed-weekly@example.org@20261015T160000Z 2026-10-15 18:00 CEST 1h0m0s "Energia Digitale, dal vivo"`,
		`ed-weekly@example.org@20261022T160000Z 2026-10-22 18:00 CEST 1h0m0s "Energia Digitale, dal vivo"`,
		`ed-weekly@example.org@20261105T170000Z 2026-11-06 17:00 CET 1h30m0s "Energia Digitale, dal vivo (spostato al venerdì)"`,
		`ed-weekly@example.org@20261112T170000Z 2026-11-12 18:00 CET 1h0m0s "Energia Digitale, dal vivo"`,
		`ed-weekly@example.org@20261119T170000Z 2026-11-19 18:00 CET 1h0m0s "Energia Digitale, dal vivo" cancelled`,
		`ed-weekly@example.org@20261126T170000Z 2026-11-26 18:00 CET 1h0m0s "Energia Digitale, dal vivo"`,
		`ed-weekly@example.org@20261203T170000Z 2026-12-03 18:00 CET 1h0m0s "Energia Digitale, dal vivo"`,
	})
	want := Webinar{
		ID:          "ed-weekly@example.org@20261015T160000Z",
		Title:       "Energia Digitale, dal vivo",
		Speaker:     "Giulia Bianchi",
		Description: "Ogni giovedì alle 18.\nPortate le vostre domande; ci saranno risposte.",
		URL:         "https://example.org/live",
		StartsAt:    time.Date(2026, 10, 15, 18, 0, 0, 0, rome),
		Duration:    time.Hour,
	}
	if len(c.Webinars) > 0 && !reflect.DeepEqual(c.Webinars[0], want) {
		t.Errorf("Parse(series.ics).Webinars[0] = %+v; want %+v", c.Webinars[0], want)
	}
	if len(c.Warnings) != 0 {
		t.Errorf("Parse(series.ics).Warnings = %q; want none", c.Warnings)
	}
}

func TestParseICSZones(t *testing.T) {
	c := parseFixture(t, "zones.ics", mustLoad(t, "Europe/Rome"))
	compareLines(t, "Parse(zones.ics)", briefs(c), []string{
		// A zone only its VTIMEZONE defines, in summer and in winter.
		`outlook-summer@example.org 2026-07-15 18:00 CEST 1h30m0s "Outlook zone, summer"`,
		// Noon in New York is 18:00 in Rome.
		`new-york@example.org 2026-12-10 18:00 CET 1h0m0s "Noon in New York"`,
		`utc@example.org 2026-12-10 18:00 CET 1h0m0s "UTC"`,
		// Floating, no X-WR-TIMEZONE: the site zone.
		`floating@example.org 2026-12-11 18:00 CET 1h0m0s "Floating"`,
		`duration@example.org 2026-12-12 10:00 CET 2h30m0s "Duration"`,
		`backwards@example.org 2026-12-14 10:00 CET 1h0m0s "Ends before it starts"`,
		`outlook-winter@example.org 2026-12-15 18:00 CET 1h0m0s "Outlook zone, winter"`,
	})
	compareLines(t, "Parse(zones.ics).Warnings", c.Warnings, []string{
		`zones.ics: event 7 (UID "untitled@example.org"): no SUMMARY (title); skipped`,
		`zones.ics: event 8 ("Ends before it starts"): DTEND is before DTSTART; using 60 minutes`,
		`zones.ics: event 9 ("Somewhere else"): DTSTART: unknown time zone "Mars/Olympus_Mons" (not in the IANA database and no VTIMEZONE defines it); skipped`,
	})
}

func TestParseICSFloatingXWRTimezone(t *testing.T) {
	c := parseFixture(t, "floating.ics", mustLoad(t, "Europe/Rome"))
	compareLines(t, "Parse(floating.ics)", briefs(c), []string{
		`floating-ny@example.org 2026-12-10 18:00 CET 1h0m0s "Floating, read in X-WR-TIMEZONE"`,
	})
	if c.Series != "New York office" {
		t.Errorf("Parse(floating.ics).Series = %q; want %q", c.Series, "New York office")
	}
}

func TestParseICSAllDay(t *testing.T) {
	tests := []struct {
		loc  string
		want []string
	}{
		{"Europe/Rome", []string{
			`sportello@example.org@20261102 2026-11-02 00:00 CET 24h0m0s "Sportello" all-day`,
			// Moved from Monday 16 to Tuesday 17: same ID, the series' length.
			`sportello@example.org@20261116 2026-11-17 00:00 CET 24h0m0s "Sportello (di martedì)" all-day`,
			`sportello@example.org@20261123 2026-11-23 00:00 CET 24h0m0s "Sportello" all-day`,
			`sportello@example.org@20261130 2026-11-30 00:00 CET 24h0m0s "Sportello" all-day`,
			`conferenza@example.org 2026-12-10 00:00 CET 48h0m0s "Conferenza" all-day`,
		}},
		// Dates are the same days wherever the site is; only midnight moves.
		{"America/New_York", []string{
			`sportello@example.org@20261102 2026-11-02 00:00 EST 24h0m0s "Sportello" all-day`,
			`sportello@example.org@20261116 2026-11-17 00:00 EST 24h0m0s "Sportello (di martedì)" all-day`,
			`sportello@example.org@20261123 2026-11-23 00:00 EST 24h0m0s "Sportello" all-day`,
			`sportello@example.org@20261130 2026-11-30 00:00 EST 24h0m0s "Sportello" all-day`,
			`conferenza@example.org 2026-12-10 00:00 EST 48h0m0s "Conferenza" all-day`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.loc, func(t *testing.T) {
			c := parseFixture(t, "allday.ics", mustLoad(t, tt.loc))
			compareLines(t, "Parse(allday.ics)", briefs(c), tt.want)
		})
	}
}

func TestParseICSWindow(t *testing.T) {
	c := parseFixture(t, "window.ics", mustLoad(t, "Europe/Rome"))
	var forever, rdates []string
	var past int
	for _, w := range c.Webinars {
		switch {
		case strings.HasPrefix(w.ID, "forever@"):
			forever = append(forever, brief(w))
		case strings.HasPrefix(w.ID, "hpr@"):
			rdates = append(rdates, brief(w))
		case w.ID == "past@example.org":
			past++
		default:
			t.Errorf("unexpected webinar %s", brief(w))
		}
	}
	// Thursdays from 6 August 2026 (first after Now-90d) to 28 October
	// 2027 (last before Now+365d): 65 of them.
	if len(forever) != 65 {
		t.Errorf("Parse(window.ics): %d occurrences of the endless series; want 65", len(forever))
	} else {
		compareLines(t, "first and last", []string{forever[0], forever[64]}, []string{
			`forever@example.org@20260806T160000Z 2026-08-06 18:00 CEST 1h0m0s "Every Thursday, forever"`,
			`forever@example.org@20271028T160000Z 2027-10-28 18:00 CEST 1h0m0s "Every Thursday, forever"`,
		})
	}
	if past != 1 {
		t.Errorf("Parse(window.ics): single event of 2015 kept %d times; want 1 (single events ignore the window)", past)
	}
	compareLines(t, "RDATE occurrences", rdates, []string{
		`hpr@example.org@20261107T190000Z 2026-11-07 20:00 CET 2h0m0s "RDATE only"`,
		`hpr@example.org@20261205T190000Z 2026-12-05 20:00 CET 2h0m0s "RDATE only"`,
		`hpr@example.org@20270102T190000Z 2027-01-02 20:00 CET 2h0m0s "RDATE only"`,
		`hpr@example.org@20270206T190000Z 2027-02-06 20:00 CET 2h0m0s "RDATE only"`,
	})
}

// vcal wraps VEVENT lines in a calendar.
func vcal(lines ...string) string {
	return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\n" + strings.Join(lines, "\r\n") + "\r\nEND:VCALENDAR\r\n"
}

func TestParseICSGuards(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		webinars  int
		warnings  []string
		maxMillis int64
	}{
		{
			name: "capped instances",
			in: vcal("BEGIN:VEVENT", "UID:busy", "SUMMARY:Busy", "DTSTART:20260101T090000Z",
				"RRULE:FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16", "END:VEVENT"),
			webinars: 1000,
			warnings: []string{`cal.ics: event 1 ("Busy"): 3641 occurrences in the window; only the first 1000 are kept`},
		},
		{
			name: "sub-daily refused",
			in: vcal("BEGIN:VEVENT", "UID:h", "SUMMARY:Hourly", "DTSTART:20261101T000000Z",
				"RRULE:FREQ=HOURLY;INTERVAL=2;BYHOUR=1", "END:VEVENT"),
			warnings: []string{`cal.ics: event 1 ("Hourly"): RRULE: "FREQ=HOURLY;INTERVAL=2;BYHOUR=1": FREQ=HOURLY is not supported (at most daily); skipped`},
		},
		{
			name: "too long a walk",
			in: vcal("BEGIN:VEVENT", "UID:old", "SUMMARY:Since 1800", "DTSTART:18000101T090000Z",
				"RRULE:FREQ=DAILY", "END:VEVENT"),
			warnings: []string{`cal.ics: event 1 ("Since 1800"): RRULE: stopped after 50000 occurrences from 1800-01-01; later ones are missing`},
		},
		{
			// rrule-go finds no date and walks to year 9999; it must stay
			// a fraction of a second.
			name: "impossible rule",
			in: vcal("BEGIN:VEVENT", "UID:never", "SUMMARY:Never", "DTSTART:19000101T090000Z",
				"RRULE:FREQ=DAILY;BYSETPOS=2", "END:VEVENT"),
			maxMillis: 5000, // generous: this guards against a hang, not a slowdown
		},
		{
			name: "bad rule",
			in: vcal("BEGIN:VEVENT", "UID:bad", "SUMMARY:Bad", "DTSTART:20261101T090000Z",
				"RRULE:FREQ=SOMETIMES", "END:VEVENT"),
			warnings: []string{`cal.ics: event 1 ("Bad"): RRULE: "FREQ=SOMETIMES": undefined frequency: SOMETIMES; skipped`},
		},
		{
			name: "empty RRULE is no rule",
			in: vcal("BEGIN:VEVENT", "UID:once", "SUMMARY:Once", "DTSTART;VALUE=DATE:20261101",
				"DTEND;VALUE=DATE:20261101", "RRULE:", "END:VEVENT"),
			webinars: 1,
		},
		{
			name: "relative URL dropped",
			in: vcal("BEGIN:VEVENT", "UID:u", "SUMMARY:Relative", "DTSTART:20261101T090000Z",
				"URL:/c/calendar", "END:VEVENT"),
			webinars: 1,
			warnings: []string{`cal.ics: event 1 ("Relative"): URL: "/c/calendar" is not an absolute http(s) URL; ignored`},
		},
		{
			name: "duplicate UID keeps the higher SEQUENCE",
			in: vcal("BEGIN:VEVENT", "UID:d", "SEQUENCE:2", "SUMMARY:New", "DTSTART:20261101T090000Z", "END:VEVENT",
				"BEGIN:VEVENT", "UID:d", "SEQUENCE:1", "SUMMARY:Old", "DTSTART:20261101T090000Z", "END:VEVENT"),
			webinars: 1,
			warnings: []string{`cal.ics: event 2 ("Old"): same UID as event 1 ("New"); ignored in favour of it`},
		},
		{
			name: "orphan occurrence",
			in: vcal("BEGIN:VEVENT", "UID:o", "RECURRENCE-ID:20261105T170000Z", "SUMMARY:Invited once",
				"DTSTART:20261105T170000Z", "END:VEVENT"),
			webinars: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			c, err := Parse([]byte(tt.in), ICS, Options{Now: icsNow(t), Source: "cal.ics"})
			if err != nil {
				t.Fatalf("Parse(%q) = %v", tt.in, err)
			}
			if len(c.Webinars) != tt.webinars {
				t.Errorf("Parse(%q): %d webinars; want %d", tt.in, len(c.Webinars), tt.webinars)
			}
			compareLines(t, "Warnings", c.Warnings, tt.warnings)
			if took := time.Since(start).Milliseconds(); tt.maxMillis > 0 && took > tt.maxMillis {
				t.Errorf("Parse(%q) took %dms; want under %dms", tt.in, took, tt.maxMillis)
			}
			checkInvariants(t, c, time.UTC)
		})
	}
}

func TestParseICSOrphanID(t *testing.T) {
	in := vcal("BEGIN:VEVENT", "UID:o", "RECURRENCE-ID;TZID=Europe/Rome:20261105T180000", "SUMMARY:Invited once",
		"DTSTART;TZID=Europe/Rome:20261106T180000", "END:VEVENT")
	c, err := Parse([]byte(in), ICS, Options{Now: icsNow(t)})
	if err != nil || len(c.Webinars) != 1 || c.Webinars[0].ID != "o@20261105T170000Z" {
		t.Errorf("Parse(%q) = %+v, %v; want one webinar with ID o@20261105T170000Z", in, c, err)
	}
}

func TestParseICSErrors(t *testing.T) {
	nested := "BEGIN:VCALENDAR\n" + strings.Repeat("BEGIN:X\n", 20) + strings.Repeat("END:X\n", 20) + "END:VCALENDAR\n"
	longParams := "BEGIN:VCALENDAR\nX-A;P=\"" + strings.Repeat("x", 5000) + "\":v\nEND:VCALENDAR\n"
	tests := []struct {
		name, in, want string
		now            time.Time
	}{
		{"empty", "\r\n", `cal.ics: empty document: want an iCalendar file (BEGIN:VCALENDAR)`, icsNow(t)},
		{"not iCalendar", "<!DOCTYPE html>\n<html>Sign in</html>", `cal.ics: not an iCalendar document (it does not start with BEGIN:VCALENDAR)`, icsNow(t)},
		{"not a calendar", "BEGIN:VEVENT\nEND:VEVENT\n", `cal.ics: not an iCalendar document (it does not start with BEGIN:VCALENDAR)`, icsNow(t)},
		{"bad line", "BEGIN:VCALENDAR\nthis is not a property\nEND:VCALENDAR\n", `cal.ics: not a valid iCalendar document: malformed content line: missing colon`, icsNow(t)},
		{"mismatched END", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nEND:VTODO\nEND:VCALENDAR\n", `cal.ics: not a valid iCalendar document: malformed component: expected END property for "VEVENT", got "VTODO"`, icsNow(t)},
		{"truncated", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\n", `cal.ics: not a valid iCalendar document: unexpected end of file (is END:VCALENDAR missing?)`, icsNow(t)},
		{"go-ical would panic", "BEGIN:VCALENDAR\nDTSTART;TZID=Europe/Rome\nEND:VCALENDAR\n", `cal.ics: not a valid iCalendar document: malformed property parameters`, icsNow(t)},
		{"nested too deep", nested, `cal.ics:17: components nested more than 16 deep`, icsNow(t)},
		{"long parameters", longParams, `cal.ics:2: property name and parameters longer than 4096 bytes`, icsNow(t)},
		{"no now", vcal(), `cal.ics: cannot expand recurring events: Options.Now is not set`, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.in), ICS, Options{Now: tt.now, Source: "cal.ics"})
			if err == nil {
				t.Fatalf("Parse(%q) = %+v; want error %q", shorten(tt.in), c, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("Parse(%q) = %v; want %v", shorten(tt.in), err, tt.want)
			}
		})
	}
}

func TestResolveTZID(t *testing.T) {
	p := &icsParser{vtimezones: map[string]*ical.Component{}, zones: map[string]*zone{}, zoneErrs: map[string]error{}, scanLeft: maxScanTotal, deadline: time.Now().Add(time.Minute)}
	wall := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		tzid string
		want string // the instant of 2026-07-01 12:00 in that zone, or the error
	}{
		{"Europe/Rome", "2026-07-01T10:00:00Z"},
		{" America/New_York ", "2026-07-01T16:00:00Z"},
		{"/mozilla.org/20050126_1/Europe/Rome", "2026-07-01T10:00:00Z"},
		{"UTC", "2026-07-01T12:00:00Z"},
		// "Local" would be this machine's zone, not the calendar's.
		{"Local", `unknown time zone "Local" (not in the IANA database and no VTIMEZONE defines it)`},
		{"../../etc/passwd", `unknown time zone "../../etc/passwd" (not in the IANA database and no VTIMEZONE defines it)`},
	}
	for _, tt := range tests {
		var got string
		if z, err := p.resolveTZID(tt.tzid); err != nil {
			got = err.Error()
		} else {
			got = z.instant(wall).UTC().Format(time.RFC3339)
		}
		if got != tt.want {
			t.Errorf("resolveTZID(%q) at noon = %s; want %s", tt.tzid, got, tt.want)
		}
	}
}

func TestParseICSUnknownXWRTimezone(t *testing.T) {
	in := "BEGIN:VCALENDAR\r\nX-WR-TIMEZONE:Nowhere/Special\r\nBEGIN:VEVENT\r\nUID:f\r\nSUMMARY:F\r\nDTSTART:20261210T180000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	rome := mustLoad(t, "Europe/Rome")
	c, err := Parse([]byte(in), ICS, Options{Location: rome, Now: icsNow(t), Source: "cal.ics"})
	if err != nil {
		t.Fatal(err)
	}
	compareLines(t, "Parse(unknown X-WR-TIMEZONE)", briefs(c), []string{`f 2026-12-10 18:00 CET 1h0m0s "F"`})
	compareLines(t, "Warnings", c.Warnings, []string{
		`cal.ics: X-WR-TIMEZONE: unknown time zone "Nowhere/Special" (not in the IANA database and no VTIMEZONE defines it); floating times are read in Europe/Rome`,
	})
}

// The sample catalog ships as JSON and iCalendar; both must say the same,
// recordings (X-RECORDING-URL) included.
func TestSampleICSMatchesJSON(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	opts := Options{Location: rome, Now: time.Date(2026, 12, 4, 9, 0, 0, 0, rome)}
	read := func(name string, f Format) *Catalog {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		o := opts
		o.Source = name
		c, err := Parse(b, f, o)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	j, i := read("webinars.json", JSON), read("webinars.ics", ICS)
	if len(j.Webinars) != len(i.Webinars) || j.Series != i.Series {
		t.Fatalf("ics has %d webinars of %q; json %d of %q", len(i.Webinars), i.Series, len(j.Webinars), j.Series)
	}
	for k := range j.Webinars {
		a, b := j.Webinars[k], i.Webinars[k]
		if a.Title != b.Title || !a.StartsAt.Equal(b.StartsAt) || a.RecordingURL != b.RecordingURL || a.Speaker != b.Speaker || a.URL != b.URL {
			t.Errorf("webinar %d: ics %+v; json %+v", k, b, a)
		}
	}
}
