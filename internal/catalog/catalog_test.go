package catalog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // tests must not depend on the machine's zoneinfo
)

func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("LoadLocation(%q): %v", name, err)
	}
	return loc
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestDetectFormat(t *testing.T) {
	tests := []struct {
		name, contentType string
		want              Format
	}{
		{"webinars.json", "", JSON},
		{"/srv/venerdi/Catalog.CSV", "", CSV},
		{"calendar.ics", "", ICS},
		{"calendar.ical", "", ICS},
		{`C:\venerdi\webinars.json`, "", JSON},
		{"https://example.org/feeds/basic.ics?key=abc.json", "text/plain", ICS},
		{"https://example.org/catalog", "application/json; charset=utf-8", JSON},
		{"https://example.org/catalog", "text/csv", CSV},
		{"https://example.org/catalog.php", "text/calendar;charset=UTF-8", ICS},
		{"https://example.org/catalog", "application/ld+json", JSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DetectFormat(tt.name, tt.contentType)
			if err != nil || got != tt.want {
				t.Errorf("DetectFormat(%q, %q) = %q, %v; want %q", tt.name, tt.contentType, got, err, tt.want)
			}
		})
	}
}

func TestDetectFormatUnknown(t *testing.T) {
	tests := []struct {
		name, contentType, want string
	}{
		{"https://example.org/catalog", "text/html", `https://example.org/catalog: unknown catalog format (no extension, content type "text/html"): name it .json, .csv or .ics, or serve it as application/json, text/csv or text/calendar`},
		{"webinars.xlsx", "", `webinars.xlsx: unknown catalog format (extension ".xlsx"): name it .json, .csv or .ics, or serve it as application/json, text/csv or text/calendar`},
	}
	for _, tt := range tests {
		got, err := DetectFormat(tt.name, tt.contentType)
		if err == nil || err.Error() != tt.want {
			t.Errorf("DetectFormat(%q, %q) = %q, %v; want error %q", tt.name, tt.contentType, got, err, tt.want)
		}
	}
}

func TestParseUnknownFormat(t *testing.T) {
	_, err := Parse([]byte("{}"), Format("xml"), Options{Source: "c.xml"})
	want := `c.xml: unknown catalog format "xml" (want json, csv or ics)`
	if err == nil || err.Error() != want {
		t.Errorf("Parse(xml) = %v; want %q", err, want)
	}
}

// checkInvariants holds for every catalog Parse returns, whatever the input.
func checkInvariants(t *testing.T, c *Catalog, loc *time.Location) {
	t.Helper()
	seen := map[string]bool{}
	for i, w := range c.Webinars {
		if w.ID == "" || seen[w.ID] {
			t.Errorf("webinar %d: ID %q empty or repeated", i, w.ID)
		}
		seen[w.ID] = true
		if w.Title == "" || strings.ContainsAny(w.Title, "\r\n") {
			t.Errorf("webinar %d: Title %q empty or not one line", i, w.Title)
		}
		if w.Duration <= 0 {
			t.Errorf("webinar %d: Duration %v", i, w.Duration)
		}
		if w.StartsAt.Location() != loc {
			t.Errorf("webinar %d: StartsAt in %v; want %v", i, w.StartsAt.Location(), loc)
		}
		if i > 0 {
			prev := c.Webinars[i-1]
			if w.StartsAt.Before(prev.StartsAt) || w.StartsAt.Equal(prev.StartsAt) && w.ID < prev.ID {
				t.Errorf("webinars %d and %d out of order", i-1, i)
			}
		}
	}
}
