// Package schedule answers the calendar questions of a weekly newsletter:
// which issue week a moment belongs to, when the next slot is, and how old an
// issue is. Every function takes "now" as an argument so tests are exact.
package schedule

import (
	"fmt"
	"time"
)

// WeekKey returns the ISO week of t in loc, like "2026-W49". An issue is
// unique per week key, which is what stops a second run from sending the
// same week twice.
func WeekKey(t time.Time, loc *time.Location) string {
	y, w := t.In(loc).ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// Next returns the first moment strictly after now that falls on weekday at
// hour:min in loc. Wall-clock arithmetic via time.Date keeps 09:00 at 09:00
// across daylight-saving changes.
func Next(now time.Time, loc *time.Location, weekday time.Weekday, hour, min int) time.Time {
	n := now.In(loc)
	days := (int(weekday) - int(n.Weekday()) + 7) % 7
	t := time.Date(n.Year(), n.Month(), n.Day()+days, hour, min, 0, 0, loc)
	if !t.After(now) {
		t = time.Date(n.Year(), n.Month(), n.Day()+days+7, hour, min, 0, 0, loc)
	}
	return t
}

// Stale reports whether an issue composed at composed is older than maxAge
// at now; a zero maxAge disables the guard.
func Stale(composed, now time.Time, maxAge time.Duration) bool {
	return maxAge > 0 && now.Sub(composed) > maxAge
}

// Prev returns the last moment at or before now that falls on weekday at
// hour:min in loc: the slot a due-slot send is about.
func Prev(now time.Time, loc *time.Location, weekday time.Weekday, hour, min int) time.Time {
	n := now.In(loc)
	days := (int(n.Weekday()) - int(weekday) + 7) % 7
	t := time.Date(n.Year(), n.Month(), n.Day()-days, hour, min, 0, 0, loc)
	if t.After(now) {
		t = time.Date(n.Year(), n.Month(), n.Day()-days-7, hour, min, 0, 0, loc)
	}
	return t
}
