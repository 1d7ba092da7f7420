package newsletter

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	ical "github.com/emersion/go-ical"

	"github.com/venerdi/venerdi/internal/catalog"
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
