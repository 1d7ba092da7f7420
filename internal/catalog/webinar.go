package catalog

import "time"

// Webinar is one session of the series, live or on demand.
type Webinar struct {
	ID           string // stable; derived from URL (or UID+start for .ics) when absent
	Title        string // plain text, one line
	Speaker      string // plain text, one line; "" when unknown
	Description  string // plain text
	URL          string // absolute http(s) or ""
	RecordingURL string // set: available on demand
	StartsAt     time.Time
	Duration     time.Duration // default 60 minutes
	AllDay       bool          // dated, not timed (iCalendar all-day events)
	Cancelled    bool
}

// Catalog is a parsed catalog document.
type Catalog struct {
	Series   string
	Webinars []Webinar // sorted by StartsAt, then ID
	// Warnings describe what was skipped or adjusted while reading an
	// iCalendar document (an event without a title, an end before its start),
	// one line each, naming the source and the event. JSON and CSV catalogs
	// never have warnings: their problems are errors.
	Warnings []string
}

// Format names a catalog encoding.
type Format string

// The catalog encodings Parse understands.
const (
	JSON Format = "json"
	CSV  Format = "csv"
	ICS  Format = "ics"
)
