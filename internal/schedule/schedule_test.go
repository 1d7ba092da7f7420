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
