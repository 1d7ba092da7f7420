package feed

import (
	"strings"
	"time"
)

// futureSlack is how far past "now" a date may lie before it is treated as
// wrong. A post dated next week is a scheduled post and keeps its date (the
// digest holds it back until then); one dated years ahead is a typo, and
// taking it at face value would hold the post back for good, so it counts
// as undated and goes out when first seen.
const futureSlack = 366 * 24 * time.Hour

// date returns the item's date in UTC: parsed as gofeed parsed it, else
// raw read with a few layouts gofeed does not know. It is the zero time when
// there is no date or it lies more than futureSlack after now.
func (c *converter) date(parsed *time.Time, raw string) time.Time {
	var t time.Time
	if parsed != nil {
		t = *parsed
	} else {
		t = parseLooseDate(raw)
	}
	if t.IsZero() || (!c.now.IsZero() && t.After(c.now.Add(futureSlack))) {
		return time.Time{}
	}
	return t.UTC()
}

// looseLayouts are ISO 8601 forms seen in the wild that lack seconds or a
// zone (JSON Feeds written by hand, static site generators). A missing zone
// is taken as UTC.
var looseLayouts = []string{
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
}

func parseLooseDate(raw string) time.Time {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return time.Time{}
	}
	for _, layout := range looseLayouts {
		if t, err := time.Parse(layout, raw); err == nil {
			return t
		}
	}
	return time.Time{}
}
