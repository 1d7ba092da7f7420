package newsletter

import (
	"bytes"
	"errors"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	ical "github.com/emersion/go-ical"

	"github.com/venerdi/venerdi/internal/catalog"
	"github.com/venerdi/venerdi/internal/digest"
	"github.com/venerdi/venerdi/internal/links"
)

// A webinar's .ics names its time zone and carries the VTIMEZONE that
// defines it, so a calendar shows 18:00 in Rome whatever its own zone.
func TestWebinarCalendar(t *testing.T) {
	e := newSelEnv(t)
	start := time.Date(2026, 12, 10, 18, 0, 0, 0, rome(t))
	w := catalog.Webinar{ID: "ga4-base", Title: "GA4 per chi parte da zero", Speaker: "Marta Greco",
		Description: "Eventi, conversioni e report.", URL: "https://webinar.example.it/ga4",
		StartsAt: start, Duration: time.Hour}
	if _, err := e.st.UpsertWebinars(e.ctx, []catalog.Webinar{w}, e.now); err != nil {
		t.Fatal(err)
	}
	b, err := e.n.WebinarCalendar(e.ctx, "ga4-base")
	if err != nil {
		t.Fatal(err)
	}
	cal, err := ical.NewDecoder(bytes.NewReader(b)).Decode()
	if err != nil {
		t.Fatalf("the .ics does not parse: %v\n%s", err, b)
	}
	events := cal.Events()
	if len(events) != 1 {
		t.Fatalf("%d events; want 1", len(events))
	}
	got, err := events[0].DateTimeStart(nil)
	if err != nil || !got.Equal(start) || got.Location().String() != "Europe/Rome" {
		t.Errorf("DTSTART = %v (%v), %v; want %v in Europe/Rome", got, got.Location(), err, start)
	}
	end, _ := events[0].DateTimeEnd(nil)
	if !end.Equal(start.Add(time.Hour)) {
		t.Errorf("DTEND = %v; want an hour after the start", end)
	}
	text := string(b)
	for _, want := range []string{"BEGIN:VTIMEZONE", "TZID:Europe/Rome", "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0100",
		"TZOFFSETTO:+0200", "BEGIN:STANDARD", "DTSTART:20261025T030000", "DTSTART:20260329T020000",
		"SUMMARY:GA4 per chi parte da zero", "UID:ga4-base@blog.example.it", "STATUS:CONFIRMED"} {
		if !strings.Contains(text, want) {
			t.Errorf(".ics lacks %q:\n%s", want, text)
		}
	}
	if _, err := e.n.WebinarCalendar(e.ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("WebinarCalendar(unknown) = %v; want ErrNotFound", err)
	}
}

// The email's Google Calendar and Outlook.com links and the .ics that serve
// answers its calendar link with carry the same start and end in UTC, on
// either side of a daylight-saving change and across one. The .ics times
// are turned into UTC with the file's own VTIMEZONE, as a calendar does.
func TestCalendarLinksAgreeAcrossDST(t *testing.T) {
	e := newSelEnv(t)
	loc := rome(t)
	webinars := []catalog.Webinar{
		{ID: "before", Title: "Prima", StartsAt: time.Date(2027, 3, 25, 18, 0, 0, 0, loc), Duration: time.Hour},
		{ID: "after", Title: "Dopo", StartsAt: time.Date(2027, 4, 1, 18, 0, 0, 0, loc), Duration: time.Hour},
		{ID: "across-spring", Title: "Notte di marzo", StartsAt: time.Date(2027, 3, 28, 1, 30, 0, 0, loc), Duration: 2 * time.Hour},
		{ID: "across-autumn", Title: "Notte di ottobre", StartsAt: time.Date(2026, 10, 24, 23, 0, 0, 0, loc), Duration: 5 * time.Hour},
	}
	if _, err := e.st.UpsertWebinars(e.ctx, webinars, e.now); err != nil {
		t.Fatal(err)
	}
	lb, _ := links.New("https://news.example.it", "")
	d := digest.Build(&digest.Input{Lang: "it", Location: loc, Now: e.now, Upcoming: webinars, Links: lb})
	for i, w := range webinars {
		t.Run(w.ID, func(t *testing.T) {
			wantStart, wantEnd := w.StartsAt.UTC(), w.StartsAt.Add(w.Duration).UTC()
			v := d.Upcoming[i]
			g, _ := url.Parse(v.GoogleCalendarURL)
			gs, ge, _ := strings.Cut(g.Query().Get("dates"), "/")
			const zf = "20060102T150405Z"
			if gs != wantStart.Format(zf) || ge != wantEnd.Format(zf) {
				t.Errorf("Google dates = %s/%s; want %s/%s", gs, ge, wantStart.Format(zf), wantEnd.Format(zf))
			}
			o, _ := url.Parse(v.OutlookCalendarURL)
			if ost, oet := o.Query().Get("startdt"), o.Query().Get("enddt"); ost != wantStart.Format(time.RFC3339) || oet != wantEnd.Format(time.RFC3339) {
				t.Errorf("Outlook = %s – %s; want %s – %s", ost, oet, wantStart.Format(time.RFC3339), wantEnd.Format(time.RFC3339))
			}
			if want := "https://news.example.it/webinars/" + w.ID + ".ics"; v.CalendarFileURL != want {
				t.Errorf("calendar file link = %q; want %q", v.CalendarFileURL, want)
			}
			b, err := e.n.WebinarCalendar(e.ctx, w.ID)
			if err != nil {
				t.Fatal(err)
			}
			cal, err := ical.NewDecoder(bytes.NewReader(b)).Decode()
			if err != nil {
				t.Fatal(err)
			}
			ev := cal.Events()[0]
			start, end := icsUTC(t, cal, ev.Props.Get(ical.PropDateTimeStart)), icsUTC(t, cal, ev.Props.Get(ical.PropDateTimeEnd))
			if !start.Equal(wantStart) || !end.Equal(wantEnd) {
				t.Errorf(".ics = %s – %s UTC; want %s – %s\n%s", start, end, wantStart, wantEnd, b)
			}
		})
	}
}

// icsUTC turns a DTSTART/DTEND with a TZID into UTC using only the
// calendar's VTIMEZONE: the observance that last began before the local
// time gives the offset (before the year's first change, the year's last
// observance still holds).
func icsUTC(t *testing.T, cal *ical.Calendar, p *ical.Prop) time.Time {
	t.Helper()
	local, err := time.Parse("20060102T150405", p.Value)
	if err != nil {
		t.Fatalf("%s: %v", p.Value, err)
	}
	tzid := p.Params.Get(ical.ParamTimezoneID)
	type obs struct {
		from time.Time
		to   int
	}
	var all []obs
	for _, c := range cal.Children {
		if c.Name != ical.CompTimezone || c.Props.Get(ical.PropTimezoneID).Value != tzid {
			continue
		}
		for _, o := range c.Children {
			from, _ := time.Parse("20060102T150405", o.Props.Get(ical.PropDateTimeStart).Value)
			all = append(all, obs{from, parseOffset(t, o.Props.Get(ical.PropTimezoneOffsetTo).Value)})
		}
	}
	if len(all) == 0 {
		t.Fatalf("no VTIMEZONE %q in the .ics", tzid)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].from.Before(all[j].from) })
	off := all[len(all)-1].to
	for _, o := range all {
		if !local.Before(o.from) {
			off = o.to
		}
	}
	return local.Add(-time.Duration(off) * time.Second).UTC()
}

func parseOffset(t *testing.T, s string) int {
	t.Helper()
	v, err := time.Parse("-0700", s)
	if err != nil {
		t.Fatalf("offset %q: %v", s, err)
	}
	_, off := v.Zone()
	return off
}
