// Package catalog reads the webinar catalog (JSON, CSV or iCalendar) into
// validated Webinars.
//
// JSON and CSV catalogs are written by the team, so they are read strictly:
// any invalid entry refuses the whole document with an error naming the
// source, the entry and the field. iCalendar catalogs usually come from a
// calendar application, so an event that cannot be used is skipped and
// reported in Catalog.Warnings instead; only a document that is not
// iCalendar at all is refused.
//
// # JSON
//
//	{"series": "Energia Digitale",
//	 "webinars": [{"id": "ed-seo", "title": "…", "speaker": "…",
//	               "starts_at": "2026-12-10T18:00:00+01:00", "duration_minutes": 60,
//	               "url": "https://…", "recording_url": "https://…",
//	               "description": "…", "cancelled": false}]}
//
// "webinars" is required ([] for none); title and starts_at (RFC 3339, with
// an offset) are required in each entry; duration_minutes defaults to 60
// and must be 1 to 1440; url and recording_url must be absolute http(s);
// id defaults to one derived from url, and is required without one. null
// counts as absent. Unknown or repeated keys are errors.
//
// # CSV
//
// A header row names the columns, in any order, with the JSON field names
// (title and starts_at required; case and surrounding spaces ignored); one
// webinar per row after it. starts_at may also be a local time in the site
// zone, "2026-12-10 18:00"; cancelled is true/false, yes/no or 1/0, empty
// for false. The file must be UTF-8; a BOM, blank rows and unnamed empty
// columns are tolerated. There is no series name.
//
// # iCalendar
//
// SUMMARY is the title, DESCRIPTION the description, URL the URL, the
// ORGANIZER's CN the speaker, X-WR-CALNAME the series, STATUS:CANCELLED
// marks a cancelled webinar (kept, so the digest can say so). DTEND or
// DURATION give the length, 60 minutes when absent, zero or negative.
// TZID names IANA zones, zones defined by a VTIMEZONE (Outlook's Windows
// names) or old Mozilla "/mozilla.org/…/Europe/Rome" names; floating times
// are read in X-WR-TIMEZONE, else in the site zone. All-day events start
// at midnight in the site zone and last whole days.
//
// A recurring event (RRULE, RDATE, EXDATE) becomes one Webinar per
// occurrence starting from Options.Now-90 days to Now+365 days, at most
// 1000 per event; a single event is kept whatever its date. A changed
// occurrence (RECURRENCE-ID) replaces the one it names and keeps its ID.
// IDs are the UID for a single event and UID@original start for an
// occurrence (20060102T150405Z in UTC, or 20060102 for all-day series).
// Events without a SUMMARY or with an unusable start, an unknown zone, or
// a rule that does not parse or repeats more often than daily are skipped
// with a warning.
package catalog
