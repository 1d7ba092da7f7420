package catalog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// corpusDir holds real-world calendars (from the test suites of
// python-recurring-ical-events and icalevents), shared between checkouts.
var corpusDir = filepath.Join("..", "..", "..", "shared", "corpus", "calendars")

// corpusCase is what one corpus file must give. Each file gets a Now near
// its own events (they span 2013 to 2023), so expansion is exercised
// rather than every series falling outside the window. A file that must be
// refused sets err to a piece of the expected one-line message.
type corpusCase struct {
	now      string // Options.Now, a date at noon in Europe/Rome
	webinars int
	warnings int
	err      string
}

var corpus = map[string]corpusCase{
	"Germany_Holidays.ics":                               {now: "2019-06-01", webinars: 34},
	"daylight_saving_time.ics":                           {now: "2019-03-01", webinars: 407},
	"discourse_no_dtend.ics":                             {now: "2019-03-01", webinars: 4, warnings: 4}, // URL:/c/machbar/calendar is relative
	"duration.ics":                                       {now: "2018-01-01", webinars: 3},
	"each_week_but_one_deleted.ics":                      {now: "2019-03-01", webinars: 7}, // COUNT=8 less an EXDATE written in UTC
	"end_before_start_event.ics":                         {now: "2019-03-01", webinars: 1, warnings: 1},
	"fablab_cottbus.ics":                                 {now: "2019-03-01", webinars: 42},
	"issue_18_cancel_status.ics":                         {now: "2020-01-15", webinars: 3}, // one of them cancelled
	"issue_201_mixed_datetime_and_date.ics":              {now: "2023-07-01", webinars: 1},
	"issue_28_rrule_with_UTC_endinginZ.ics":              {now: "2020-05-01", webinars: 26},
	"issue_48_dst.ics":                                   {now: "2020-12-01", webinars: 802},
	"issue_61_time_zone_error.ics":                       {now: "2021-12-01", webinars: 1},
	"issue_62_moved_event.ics":                           {now: "2021-12-01", webinars: 13},
	"issue_86_x_wr_timezone_without_time_zone_in_dt.ics": {now: "2021-09-01", webinars: 1},
	"machbar_16_feb_2019.ics":                            {now: "2019-02-16", webinars: 402},
	"no_events.ics":                                      {now: "2019-03-01", webinars: 0},
	"one_event.ics":                                      {now: "2019-03-01", webinars: 1},
	"rdate_hackerpublicradio.ics":                        {now: "2013-08-01", webinars: 12},
}

func TestCorpus(t *testing.T) {
	entries, err := os.ReadDir(corpusDir)
	if os.IsNotExist(err) {
		t.Skipf("no calendar corpus at %s; it is shared between checkouts, not part of the repository", corpusDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	rome := mustLoad(t, "Europe/Rome")
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() {
			continue
		}
		t.Run(name, func(t *testing.T) {
			want, ok := corpus[name]
			if !ok {
				t.Fatalf("no expectation for %s: add it to the corpus map", name)
			}
			data, err := os.ReadFile(filepath.Join(corpusDir, name))
			if err != nil {
				t.Fatal(err)
			}
			day, err := time.ParseInLocation("2006-01-02", want.now, rome)
			if err != nil {
				t.Fatal(err)
			}
			opts := Options{Location: rome, Now: day.Add(12 * time.Hour), Source: name}

			type result struct {
				c   *Catalog
				err error
			}
			done := make(chan result, 1)
			go func() {
				c, err := Parse(data, ICS, opts)
				done <- result{c, err}
			}()
			var r result
			select {
			case r = <-done:
			case <-time.After(20 * time.Second):
				t.Fatalf("Parse(%s) did not finish in 20s", name)
			}

			if want.err != "" {
				if r.err == nil || !strings.Contains(r.err.Error(), want.err) || !strings.HasPrefix(r.err.Error(), name+":") || strings.Contains(r.err.Error(), "\n") {
					t.Errorf("Parse(%s) = %v; want a one-line error naming the file and containing %q", name, r.err, want.err)
				}
				return
			}
			if r.err != nil {
				t.Fatalf("Parse(%s) = %v; want %d webinars", name, r.err, want.webinars)
			}
			if len(r.c.Webinars) != want.webinars {
				t.Errorf("Parse(%s): %d webinars; want %d", name, len(r.c.Webinars), want.webinars)
			}
			if len(r.c.Warnings) != want.warnings {
				t.Errorf("Parse(%s): %d warnings; want %d:\n%s", name, len(r.c.Warnings), want.warnings, strings.Join(r.c.Warnings, "\n"))
			}
			for _, w := range r.c.Warnings {
				if !strings.HasPrefix(w, name+": ") || strings.Contains(w, "\n") {
					t.Errorf("warning %q: want one line naming %s", w, name)
				}
			}
			checkInvariants(t, r.c, rome)
		})
	}
}

// TestCorpusDetails pins what the corpus files are about, beyond counts.
func TestCorpusDetails(t *testing.T) {
	if _, err := os.Stat(corpusDir); os.IsNotExist(err) {
		t.Skipf("no calendar corpus at %s", corpusDir)
	}
	rome := mustLoad(t, "Europe/Rome")
	parse := func(name, now string) *Catalog {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(corpusDir, name))
		if err != nil {
			t.Fatal(err)
		}
		day, _ := time.ParseInLocation("2006-01-02", now, rome)
		c, err := Parse(data, ICS, Options{Location: rome, Now: day, Source: name})
		if err != nil {
			t.Fatalf("Parse(%s) = %v", name, err)
		}
		return c
	}

	c := parse("issue_18_cancel_status.ics", "2020-01-15")
	compareLines(t, "Parse(issue_18_cancel_status.ics)", briefs(c), []string{
		`b65c2b5b-b785-4edc-9560-e0379036d1f2@20200128T210000Z 2020-01-28 22:00 CET 1h0m0s "one is cancelled"`,
		`b65c2b5b-b785-4edc-9560-e0379036d1f2@20200129T210000Z 2020-01-29 22:00 CET 1h0m0s "one is cancelled" cancelled`,
		`b65c2b5b-b785-4edc-9560-e0379036d1f2@20200130T210000Z 2020-01-30 22:00 CET 1h0m0s "one is cancelled"`,
	})

	// The occurrence of 31 December moved to the 17th keeps its ID.
	c = parse("issue_62_moved_event.ics", "2021-12-01")
	compareLines(t, "Parse(issue_62_moved_event.ics)[:3]", briefs(c)[:3], []string{
		`38m812jicsrer5gorh3mlp7qhc@google.com@20211126T203000Z 2021-11-26 21:30 CET 1h0m0s "Karaoke"`,
		`38m812jicsrer5gorh3mlp7qhc@google.com@20211231T203000Z 2021-12-17 21:30 CET 1h0m0s "Karaoke"`,
		`38m812jicsrer5gorh3mlp7qhc@google.com@20220128T203000Z 2022-01-28 21:30 CET 1h0m0s "Karaoke"`,
	})

	// Floating time in X-WR-TIMEZONE Europe/Brussels.
	c = parse("issue_86_x_wr_timezone_without_time_zone_in_dt.ics", "2021-09-01")
	compareLines(t, "Parse(issue_86…)", briefs(c), []string{
		`match_1025179 2021-09-16 21:00 CEST 1h45m0s "Summary"`,
	})

	// All-day events moved by one day, with RECURRENCE-IDs written as
	// midnight in a Windows zone and an UNTIL in UTC.
	c = parse("issue_28_rrule_with_UTC_endinginZ.ics", "2020-05-01")
	var black []string
	for _, w := range c.Webinars {
		if w.Title == "Refuse black bin" {
			black = append(black, w.StartsAt.Format("01-02"))
		}
	}
	compareLines(t, "black bin days", black, strings.Fields("04-02 04-17 04-30 05-14 05-29 06-11 06-25 07-09 07-23 08-06 08-20 09-04 09-17"))
}
