package catalog

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The fuzz targets call the format parsers directly rather than Parse, whose
// recover would turn a crash into an error and hide it from the fuzzer.

func addSeeds(f *testing.F, pattern string) {
	f.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

func checkOneLine(t *testing.T, what, s string) {
	t.Helper()
	if strings.ContainsAny(s, "\r\n") {
		t.Errorf("%s %q: want one line", what, s)
	}
}

func FuzzParseJSON(f *testing.F) {
	addSeeds(f, filepath.Join("testdata", "*.json"))
	f.Add([]byte(`{"webinars": [{"title": "A", "starts_at": "2026-12-10T18:00:00+01:00", "url": "https://e.org/a", "duration_minutes": 1440, "cancelled": false}]}`))
	f.Add([]byte(`{"series": null, "webinars": [{"id": "x", "title": "B", "starts_at": "2026-12-10T18:00:00Z", "speaker": null}, 1]}`))
	rome := mustLoad(f, "Europe/Rome")
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseJSON(data, Options{Location: rome, Source: "f.json"})
		if err != nil {
			checkOneLine(t, "error", err.Error())
			if !strings.HasPrefix(err.Error(), "f.json") {
				t.Errorf("error %q does not name the source", err)
			}
			return
		}
		checkInvariants(t, c, rome)
		checkValidated(t, c)
	})
}

func FuzzParseCSV(f *testing.F) {
	addSeeds(f, filepath.Join("testdata", "*.csv"))
	f.Add([]byte("title,starts_at,duration_minutes,url,cancelled\nA,2026-12-10 18:00,90,https://e.org/a,yes\n"))
	f.Add([]byte("\xef\xbb\xbfid,title,starts_at,\r\na,\"A, \"\"quoted\"\"\",2026-12-10T18:00:00+01:00,\r\n,,,\r\n"))
	rome := mustLoad(f, "Europe/Rome")
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseCSV(data, Options{Location: rome, Source: "f.csv"})
		if err != nil {
			checkOneLine(t, "error", err.Error())
			if !strings.HasPrefix(err.Error(), "f.csv") {
				t.Errorf("error %q does not name the source", err)
			}
			return
		}
		checkInvariants(t, c, rome)
		checkValidated(t, c)
	})
}

func FuzzParseICS(f *testing.F) {
	addSeeds(f, filepath.Join("testdata", "*.ics"))
	addSeeds(f, filepath.Join(corpusDir, "*.ics")) // when present
	// Rule parts mutate into the cases rrule-go mishandles (see
	// testdata/fuzz/FuzzParseICS), so give the fuzzer many to start from.
	var rules strings.Builder
	for i, r := range []string{
		"FREQ=MONTHLY;BYDAY=-1FR", "FREQ=MONTHLY;BYDAY=2TU;BYSETPOS=1", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1",
		"FREQ=YEARLY;BYWEEKNO=1,53;BYDAY=MO", "FREQ=YEARLY;BYYEARDAY=100,-1", "FREQ=WEEKLY;WKST=SU;BYDAY=MO,WE;COUNT=5",
		"FREQ=DAILY;BYHOUR=9,14;BYMINUTE=30;UNTIL=20270101", "FREQ=WEEKLY;INTERVAL=2;UNTIL=20261231T230000Z",
	} {
		fmt.Fprintf(&rules, "BEGIN:VEVENT\r\nUID:r%d\r\nSUMMARY:r\r\nDTSTART;TZID=Custom:20260105T100000\r\nRRULE:%s\r\nEXDATE:20260112T090000Z,20260119\r\nRDATE;VALUE=DATE:20260301\r\nEND:VEVENT\r\n", i, r)
	}
	f.Add([]byte("BEGIN:VCALENDAR\r\nX-WR-TIMEZONE:Europe/Rome\r\nBEGIN:VTIMEZONE\r\nTZID:Custom\r\n" +
		"BEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n" +
		"BEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRDATE:20260329T020000,20270328T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU;UNTIL=20250330T010000Z\r\nEND:DAYLIGHT\r\n" +
		"END:VTIMEZONE\r\n" + rules.String() + "END:VCALENDAR\r\n"))
	rome := mustLoad(f, "Europe/Rome")
	now := icsNow(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		c, err := parseICS(data, Options{Location: rome, Now: now, Source: "f.ics"})
		if took := time.Since(start); took > 30*time.Second {
			t.Errorf("parseICS took %v", took)
		}
		if err != nil {
			checkOneLine(t, "error", err.Error())
			if !strings.HasPrefix(err.Error(), "f.ics") {
				t.Errorf("error %q does not name the source", err)
			}
			return
		}
		checkInvariants(t, c, rome)
		for _, w := range c.Warnings {
			checkOneLine(t, "warning", w)
		}
		for _, w := range c.Webinars {
			if w.URL != "" && !strings.HasPrefix(strings.ToLower(w.URL), "http") {
				t.Errorf("webinar %q: URL %q", w.ID, w.URL)
			}
			if w.Duration > maxEventSpan {
				t.Errorf("webinar %q: Duration %v", w.ID, w.Duration)
			}
		}
	})
}

// checkValidated holds for JSON and CSV catalogs, which are validated
// strictly.
func checkValidated(t *testing.T, c *Catalog) {
	t.Helper()
	for _, w := range c.Webinars {
		if w.Duration < time.Minute || w.Duration > maxDuration*time.Minute {
			t.Errorf("webinar %q: Duration %v", w.ID, w.Duration)
		}
		for _, u := range []string{w.URL, w.RecordingURL} {
			if u != "" {
				if _, err := httpURL(u); err != nil {
					t.Errorf("webinar %q: %v", w.ID, err)
				}
			}
		}
		if w.AllDay || len(c.Warnings) > 0 {
			t.Errorf("webinar %q: AllDay or warnings in a JSON/CSV catalog", w.ID)
		}
	}
}
