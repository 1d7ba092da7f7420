package schedule

import (
	"testing"
	"time"
)

func TestWeekKey(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	tests := []struct {
		in   string
		want string
	}{
		{"2026-12-04T09:00:00+01:00", "2026-W49"},
		// Sunday 23:30 UTC is already Monday in Rome: the Rome week wins.
		{"2026-12-06T23:30:00Z", "2026-W50"},
		// ISO years differ from calendar years at the edges.
		{"2027-01-01T12:00:00+01:00", "2026-W53"},
	}
	for _, tt := range tests {
		at, _ := time.Parse(time.RFC3339, tt.in)
		if got := WeekKey(at, rome); got != tt.want {
			t.Errorf("WeekKey(%s) = %s; want %s", tt.in, got, tt.want)
		}
	}
}

func TestNext(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	tests := []struct {
		now  string
		want string
	}{
		{"2026-12-02T10:00:00+01:00", "2026-12-04T09:00:00+01:00"},
		{"2026-12-04T09:00:00+01:00", "2026-12-11T09:00:00+01:00"}, // exactly at the slot: the next one
		{"2026-12-04T08:59:00+01:00", "2026-12-04T09:00:00+01:00"},
		{"2027-03-25T12:00:00+01:00", "2027-03-26T09:00:00+01:00"},
		{"2027-03-26T10:00:00+01:00", "2027-04-02T09:00:00+02:00"}, // across the DST change
	}
	for _, tt := range tests {
		now, _ := time.Parse(time.RFC3339, tt.now)
		want, _ := time.Parse(time.RFC3339, tt.want)
		if got := Next(now, rome, time.Friday, 9, 0); !got.Equal(want) {
			t.Errorf("Next(%s) = %s; want %s", tt.now, got, want)
		}
	}
}

func TestStale(t *testing.T) {
	c := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	if Stale(c, c.Add(23*time.Hour), 24*time.Hour) {
		t.Error("Stale(23h, 24h) = true; want false")
	}
	if !Stale(c, c.Add(25*time.Hour), 24*time.Hour) {
		t.Error("Stale(25h, 24h) = false; want true")
	}
	if Stale(c, c.Add(1000*time.Hour), 0) {
		t.Error("Stale with max 0 = true; want false")
	}
}

// The slot is Friday 09:00 on the wall clock of the site's zone on either
// side of every daylight-saving change of 2026 and 2027, in Europe/Rome
// (last Sunday of March and of October) and in a southern-hemisphere zone,
// Australia/Sydney (first Sunday of April and of October).
func TestPrevNextAcrossDaylightSaving(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	sydney, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		loc        *time.Location
		now        string
		prev, next string
	}{
		// Rome 2026: CET → CEST on Sunday 29 March, back on Sunday 25 October.
		{"rome spring 2026 week", rome, "2026-03-29T12:00:00+02:00", "2026-03-27T09:00:00+01:00", "2026-04-03T09:00:00+02:00"},
		{"rome spring 2026 just before the change", rome, "2026-03-29T01:59:00+01:00", "2026-03-27T09:00:00+01:00", "2026-04-03T09:00:00+02:00"},
		{"rome spring 2026 slot minus a minute", rome, "2026-04-03T08:59:00+02:00", "2026-03-27T09:00:00+01:00", "2026-04-03T09:00:00+02:00"},
		{"rome spring 2026 at the slot", rome, "2026-04-03T09:00:00+02:00", "2026-04-03T09:00:00+02:00", "2026-04-10T09:00:00+02:00"},
		{"rome autumn 2026 week", rome, "2026-10-25T12:00:00+01:00", "2026-10-23T09:00:00+02:00", "2026-10-30T09:00:00+01:00"},
		{"rome autumn 2026 in the repeated hour", rome, "2026-10-25T02:30:00+01:00", "2026-10-23T09:00:00+02:00", "2026-10-30T09:00:00+01:00"},
		{"rome autumn 2026 slot plus 5 minutes", rome, "2026-10-30T09:05:00+01:00", "2026-10-30T09:00:00+01:00", "2026-11-06T09:00:00+01:00"},
		// Rome 2027: 28 March and 31 October.
		{"rome spring 2027 week", rome, "2027-03-28T12:00:00+02:00", "2027-03-26T09:00:00+01:00", "2027-04-02T09:00:00+02:00"},
		{"rome spring 2027 30 hours late", rome, "2027-03-27T15:00:00+01:00", "2027-03-26T09:00:00+01:00", "2027-04-02T09:00:00+02:00"},
		{"rome autumn 2027 week", rome, "2027-10-31T12:00:00+01:00", "2027-10-29T09:00:00+02:00", "2027-11-05T09:00:00+01:00"},
		{"rome autumn 2027 UTC Friday 08:30 is after the CET slot", rome, "2027-11-05T08:30:00Z", "2027-11-05T09:00:00+01:00", "2027-11-12T09:00:00+01:00"},
		// Sydney 2026: AEDT → AEST on Sunday 5 April, AEST → AEDT on Sunday 4 October.
		{"sydney autumn 2026 week", sydney, "2026-04-05T12:00:00+10:00", "2026-04-03T09:00:00+11:00", "2026-04-10T09:00:00+10:00"},
		{"sydney autumn 2026 in the repeated hour", sydney, "2026-04-05T02:30:00+10:00", "2026-04-03T09:00:00+11:00", "2026-04-10T09:00:00+10:00"},
		{"sydney spring 2026 week", sydney, "2026-10-04T12:00:00+11:00", "2026-10-02T09:00:00+10:00", "2026-10-09T09:00:00+11:00"},
		// Sydney 2027: 4 April and 3 October.
		{"sydney autumn 2027 week", sydney, "2027-04-04T12:00:00+10:00", "2027-04-02T09:00:00+11:00", "2027-04-09T09:00:00+10:00"},
		{"sydney spring 2027 week", sydney, "2027-10-03T12:00:00+11:00", "2027-10-01T09:00:00+10:00", "2027-10-08T09:00:00+11:00"},
		{"sydney spring 2027 Thursday 23:00 UTC is Friday 10:00 there", sydney, "2027-10-07T23:00:00Z", "2027-10-08T09:00:00+11:00", "2027-10-15T09:00:00+11:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now := mustTime(t, tt.now)
			if got, want := Prev(now, tt.loc, time.Friday, 9, 0), mustTime(t, tt.prev); !got.Equal(want) {
				t.Errorf("Prev(%s) = %s; want %s", tt.now, got, want)
			}
			if got, want := Next(now, tt.loc, time.Friday, 9, 0), mustTime(t, tt.next); !got.Equal(want) {
				t.Errorf("Next(%s) = %s; want %s", tt.now, got, want)
			}
		})
	}
}

// Prev and Next agree with each other every quarter of an hour through 2026
// and 2027, for slots that fall on a daylight-saving change itself (a
// Sunday 02:30 that does not exist in spring and happens twice in autumn)
// as well as the usual Friday 09:00: Prev(now) ≤ now < Next(now), the two
// are consecutive slots (Next(Prev(now)) is Next(now)), and the slot falls
// on its weekday.
func TestPrevNextConsistent(t *testing.T) {
	for _, zone := range []string{"Europe/Rome", "Australia/Sydney"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		for _, slot := range []struct {
			day       time.Weekday
			hour, min int
		}{{time.Friday, 9, 0}, {time.Sunday, 2, 30}, {time.Sunday, 3, 0}} {
			bad := 0
			for now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC); now.Year() < 2028 && bad < 5; now = now.Add(15 * time.Minute) {
				p, n := Prev(now, loc, slot.day, slot.hour, slot.min), Next(now, loc, slot.day, slot.hour, slot.min)
				switch {
				case p.After(now) || !n.After(now):
					t.Errorf("%s %v %02d:%02d at %s: Prev %s, Next %s; want Prev ≤ now < Next", zone, slot.day, slot.hour, slot.min, now.In(loc), p.In(loc), n.In(loc))
				case !Next(p, loc, slot.day, slot.hour, slot.min).Equal(n):
					t.Errorf("%s %v %02d:%02d at %s: Next(Prev = %s) = %s; want Next = %s", zone, slot.day, slot.hour, slot.min, now.In(loc), p.In(loc), Next(p, loc, slot.day, slot.hour, slot.min).In(loc), n.In(loc))
				case p.In(loc).Weekday() != slot.day || n.In(loc).Weekday() != slot.day:
					t.Errorf("%s %v %02d:%02d at %s: Prev %s, Next %s fall on another day", zone, slot.day, slot.hour, slot.min, now.In(loc), p.In(loc), n.In(loc))
				case n.Sub(p) < 167*time.Hour || n.Sub(p) > 169*time.Hour:
					t.Errorf("%s %v %02d:%02d at %s: Prev %s and Next %s are %s apart; want a week", zone, slot.day, slot.hour, slot.min, now.In(loc), p.In(loc), n.In(loc), n.Sub(p))
				default:
					continue
				}
				bad++
			}
		}
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}
