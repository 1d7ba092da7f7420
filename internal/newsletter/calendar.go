package newsletter

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"time"

	ical "github.com/emersion/go-ical"

	"github.com/venerdi/venerdi/internal/digest"
)

// WebinarCalendar returns one webinar as an RFC 5545 calendar file, its
// times in the site's time zone with the VTIMEZONE that defines it, for the
// email's add-to-calendar link. ErrNotFound for an unknown id.
func (n *Newsletter) WebinarCalendar(ctx context.Context, id string) ([]byte, error) {
	w, err := n.st.Webinar(ctx, id)
	if err != nil {
		return nil, err
	}
	loc := n.Location()
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropProductID, "-//venerdi//webinars//IT")
	cal.Props.SetText(ical.PropMethod, "PUBLISH")
	ev := ical.NewEvent()
	host := "venerdi.invalid"
	if u, err := url.Parse(n.opts.Site.URL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	ev.Props.SetText(ical.PropUID, w.ID+"@"+host)
	ev.Props.SetDateTime(ical.PropDateTimeStamp, n.now().UTC())
	// The same event the email's Google and Outlook links carry: one
	// start, end and text for every way to add it to a calendar.
	ce := digest.CalendarEvent(w.Webinar, loc)
	ev.Props.SetText(ical.PropSummary, ce.Title)
	if ce.Details != "" {
		ev.Props.SetText(ical.PropDescription, ce.Details)
	}
	if w.URL != "" {
		setRaw(ev.Props, ical.PropURL, w.URL)
		ev.Props.SetText(ical.PropLocation, ce.Location)
	}
	if ce.AllDay {
		ev.Props.SetDate(ical.PropDateTimeStart, ce.Start)
		ev.Props.SetDate(ical.PropDateTimeEnd, ce.End)
	} else {
		ev.Props.SetDateTime(ical.PropDateTimeStart, ce.Start)
		ev.Props.SetDateTime(ical.PropDateTimeEnd, ce.End)
		if loc != time.UTC {
			cal.Children = append(cal.Children, vtimezone(loc, ce.Start))
		}
	}
	if w.Cancelled {
		ev.SetStatus(ical.EventCancelled)
	} else {
		ev.SetStatus(ical.EventConfirmed)
	}
	cal.Children = append(cal.Children, ev.Component)
	var b bytes.Buffer
	if err := ical.NewEncoder(&b).Encode(cal); err != nil {
		return nil, fmt.Errorf("webinar %s: calendar: %w", id, err)
	}
	return b.Bytes(), nil
}

// vtimezone describes loc around t: its offset changes in t's year (one
// STANDARD or DAYLIGHT observance each, RFC 5545 §3.6.5), read from Go's
// zone database (Time.ZoneBounds) rather than written by hand for one zone.
func vtimezone(loc *time.Location, t time.Time) *ical.Component {
	tz := ical.NewComponent(ical.CompTimezone)
	tz.Props.SetText(ical.PropTimezoneID, loc.String())
	year := time.Date(t.Year(), 1, 1, 0, 0, 0, 0, loc)
	var changes []time.Time
	for _, end := year.ZoneBounds(); !end.IsZero() && end.Year() == t.Year(); _, end = end.ZoneBounds() {
		changes = append(changes, end)
	}
	add := func(at time.Time, from int) {
		name, to := at.Zone()
		kind := ical.CompTimezoneStandard
		if to > from {
			kind = ical.CompTimezoneDaylight
		}
		o := ical.NewComponent(kind)
		// DTSTART is local time before the change, with no zone (RFC 5545).
		local := at.Add(time.Duration(from) * time.Second).UTC()
		setRaw(o.Props, ical.PropDateTimeStart, local.Format("20060102T150405"))
		setRaw(o.Props, ical.PropTimezoneOffsetFrom, offset(from))
		setRaw(o.Props, ical.PropTimezoneOffsetTo, offset(to))
		o.Props.SetText(ical.PropTimezoneName, name)
		tz.Children = append(tz.Children, o)
	}
	_, off := year.Zone()
	if len(changes) == 0 {
		add(year, off)
		return tz
	}
	for _, c := range changes {
		_, before := c.Add(-time.Second).Zone()
		add(c, before)
	}
	return tz
}

// setRaw sets a property in its default value type (a URI, a UTC offset):
// SetText would mark it VALUE=TEXT, which calendars then misread.
func setRaw(props ical.Props, name, value string) {
	props.Set(&ical.Prop{Name: name, Params: ical.Params{}, Value: value})
}

func offset(sec int) string {
	sign := '+'
	if sec < 0 {
		sign, sec = '-', -sec
	}
	return fmt.Sprintf("%c%02d%02d", sign, sec/3600, sec/60%60)
}
