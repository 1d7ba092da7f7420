package catalog

import (
	"cmp"
	"fmt"
	"mime"
	"net/url"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Options tell Parse how to read one document.
type Options struct {
	// Location is the site's time zone (Europe/Rome in practice). CSV times
	// without an offset, iCalendar floating times (when the calendar names no
	// X-WR-TIMEZONE) and iCalendar all-day dates are placed in it, and every
	// returned StartsAt is expressed in it. Nil means UTC.
	Location *time.Location
	// Now anchors iCalendar recurrence expansion: occurrences of a recurring
	// event are produced from Now-90 days to Now+365 days. Required for
	// iCalendar documents, unused otherwise.
	Now time.Time
	// Source is the file name or URL used in error messages; "catalog" when
	// empty.
	Source string
}

func (o Options) source() string {
	if o.Source == "" {
		return "catalog"
	}
	return o.Source
}

func (o Options) location() *time.Location {
	if o.Location == nil {
		return time.UTC
	}
	return o.Location
}

// Parse reads a catalog document in format f.
//
// It never panics: a failure inside a parsing library is returned as an
// error naming the source.
func Parse(data []byte, f Format, opts Options) (c *Catalog, err error) {
	src := opts.source()
	defer func() {
		// A last resort: the parsers guard their inputs, but the libraries
		// underneath are not ours, and one bad calendar must not take the
		// whole run down.
		if r := recover(); r != nil {
			c, err = nil, fmt.Errorf("%s: cannot read %s catalog: internal error: %v", src, f, r)
		}
	}()
	switch f {
	case JSON:
		return parseJSON(data, opts)
	case CSV:
		return parseCSV(data, opts)
	case ICS:
		return parseICS(data, opts)
	}
	return nil, fmt.Errorf("%s: unknown catalog format %q (want json, csv or ics)", src, f)
}

// DetectFormat chooses the format of a catalog from the extension of name
// (a file path or a URL, whose path is used) and, when the extension says
// nothing, from contentType (an HTTP Content-Type, "" for local files).
// The extension wins because servers often send iCalendar and CSV files as
// text/plain or application/octet-stream.
func DetectFormat(name, contentType string) (Format, error) {
	p := name
	if u, err := url.Parse(name); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		p = path.Clean("/" + u.Path)
	} else {
		p = filepath.ToSlash(p)
	}
	ext := strings.ToLower(path.Ext(p))
	switch ext {
	case ".json":
		return JSON, nil
	case ".csv":
		return CSV, nil
	case ".ics", ".ical", ".icalendar":
		return ICS, nil
	}
	if contentType != "" {
		mt, _, err := mime.ParseMediaType(contentType)
		if err == nil {
			switch {
			case mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json"):
				return JSON, nil
			case mt == "text/csv" || mt == "application/csv":
				return CSV, nil
			case mt == "text/calendar" || mt == "application/ics":
				return ICS, nil
			}
		}
	}
	var got []string
	if ext != "" {
		got = append(got, fmt.Sprintf("extension %q", ext))
	} else {
		got = append(got, "no extension")
	}
	if contentType != "" {
		got = append(got, fmt.Sprintf("content type %q", contentType))
	}
	return "", fmt.Errorf("%s: unknown catalog format (%s): name it .json, .csv or .ics, or serve it as application/json, text/csv or text/calendar",
		name, strings.Join(got, ", "))
}

// sortWebinars puts webinars in the order Catalog.Webinars promises.
func sortWebinars(ws []Webinar) {
	slices.SortStableFunc(ws, func(a, b Webinar) int {
		if c := a.StartsAt.Compare(b.StartsAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}
