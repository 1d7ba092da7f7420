package digest

import (
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/venerdi/venerdi/templates"
)

func rome(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatalf("LoadLocation: %v", err)
	}
	return loc
}

func TestLang(t *testing.T) {
	tests := []struct{ tag, want string }{
		{"it", Italian},
		{"IT", Italian},
		{"it-IT", Italian},
		{"it_CH", Italian},
		{"en", English},
		{"en-GB", English},
		{"", English},
		{"de", English},
		{"ita", English},
	}
	for _, tt := range tests {
		if got := Lang(tt.tag); got != tt.want {
			t.Errorf("Lang(%q) = %q; want %q", tt.tag, got, tt.want)
		}
	}
}

func TestLabels(t *testing.T) {
	it, en := Labels("it"), Labels("en")
	if got, want := slices.Sorted(maps.Keys(it)), slices.Sorted(maps.Keys(en)); !slices.Equal(got, want) {
		t.Fatalf("Labels(it) keys = %v; want the same as Labels(en) %v", got, want)
	}
	for _, lang := range []string{"it", "en"} {
		for k, v := range Labels(lang) {
			if strings.TrimSpace(v) == "" {
				t.Errorf("Labels(%q)[%q] is empty", lang, k)
			}
		}
	}
	if got, want := it["posts_heading"], "I post della settimana"; got != want {
		t.Errorf("Labels(it)[posts_heading] = %q; want %q", got, want)
	}
	if got, want := Labels("it-IT")["read_more"], "Leggi tutto"; got != want {
		t.Errorf("Labels(it-IT)[read_more] = %q; want %q", got, want)
	}
	if got, want := Labels("fr")["read_more"], "Read more"; got != want {
		t.Errorf("Labels(fr)[read_more] = %q; want %q (English fallback)", got, want)
	}

	// A caller changing its copy must not change the next caller's.
	it["posts_heading"] = "changed"
	if got := Labels("it")["posts_heading"]; got == "changed" {
		t.Errorf("Labels(it) returned a shared map")
	}
}

func TestFormatDate(t *testing.T) {
	loc := rome(t)
	tests := []struct {
		t    time.Time
		lang string
		want string
	}{
		{time.Date(2026, 12, 4, 9, 0, 0, 0, loc), "it", "4 dicembre 2026"},
		{time.Date(2026, 12, 4, 9, 0, 0, 0, loc), "en", "4 December 2026"},
		{time.Date(2027, 1, 1, 0, 0, 0, 0, loc), "it", "1º gennaio 2027"},
		{time.Date(2027, 1, 1, 0, 0, 0, 0, loc), "en", "1 January 2027"},
		{time.Date(2026, 8, 15, 12, 0, 0, 0, loc), "it-IT", "15 agosto 2026"},
		{time.Date(2026, 3, 31, 12, 0, 0, 0, loc), "it", "31 marzo 2026"},
		// The date is the one in t's location, not UTC's.
		{time.Date(2026, 12, 3, 23, 30, 0, 0, time.UTC).In(loc), "it", "4 dicembre 2026"},
		{time.Date(2026, 12, 3, 23, 30, 0, 0, time.UTC), "it", "3 dicembre 2026"},
	}
	for _, tt := range tests {
		if got := FormatDate(tt.t, tt.lang); got != tt.want {
			t.Errorf("FormatDate(%v, %q) = %q; want %q", tt.t, tt.lang, got, tt.want)
		}
	}
}

func TestFormatWhen(t *testing.T) {
	loc := rome(t)
	h := time.Hour
	tests := []struct {
		name   string
		start  time.Time
		d      time.Duration
		allDay bool
		lang   string
		want   string
	}{
		{"it", time.Date(2026, 12, 10, 18, 0, 0, 0, loc), h, false, "it", "giovedì 10 dicembre 2026, 18:00–19:00"},
		{"en", time.Date(2026, 12, 10, 18, 0, 0, 0, loc), h, false, "en", "Thursday 10 December 2026, 18:00–19:00"},
		{"lunch", time.Date(2026, 12, 15, 13, 0, 0, 0, loc), 90 * time.Minute, false, "it", "martedì 15 dicembre 2026, 13:00–14:30"},
		{"first of month", time.Date(2027, 1, 1, 9, 5, 0, 0, loc), h, false, "it", "venerdì 1º gennaio 2027, 09:05–10:05"},
		{"past midnight", time.Date(2026, 12, 31, 23, 30, 0, 0, loc), h, false, "en", "Thursday 31 December 2026, 23:30–00:30"},
		{"no duration", time.Date(2026, 12, 10, 18, 0, 0, 0, loc), 0, false, "it", "giovedì 10 dicembre 2026, 18:00"},
		{"two days", time.Date(2026, 12, 10, 9, 0, 0, 0, loc), 32 * h, false, "it", "giovedì 10 dicembre 2026, 09:00 – venerdì 11 dicembre 2026, 17:00"},
		{"all day it", time.Date(2026, 12, 8, 0, 0, 0, 0, loc), 24 * h, true, "it", "martedì 8 dicembre 2026"},
		{"all day en", time.Date(2026, 12, 8, 0, 0, 0, 0, loc), 24 * h, true, "en", "Tuesday 8 December 2026"},
		{"all day no duration", time.Date(2026, 12, 8, 0, 0, 0, 0, loc), 0, true, "it", "martedì 8 dicembre 2026"},
		{"all day span", time.Date(2026, 12, 8, 0, 0, 0, 0, loc), 72 * h, true, "it", "martedì 8 dicembre 2026 – giovedì 10 dicembre 2026"},
		// Times are read in start's own location: the caller converts.
		{"utc", time.Date(2026, 12, 10, 17, 0, 0, 0, time.UTC), h, false, "it", "giovedì 10 dicembre 2026, 17:00–18:00"},
		{"utc to rome", time.Date(2026, 12, 10, 17, 0, 0, 0, time.UTC).In(loc), h, false, "it", "giovedì 10 dicembre 2026, 18:00–19:00"},
		// Summer time: 16:00 UTC is 18:00 in Rome in October.
		{"cest", time.Date(2026, 10, 8, 16, 0, 0, 0, time.UTC).In(loc), h, false, "it", "giovedì 8 ottobre 2026, 18:00–19:00"},
		// The night the clocks go back lasts an hour longer.
		{"dst end", time.Date(2026, 10, 25, 1, 30, 0, 0, loc), 2 * h, false, "en", "Sunday 25 October 2026, 01:30–02:30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatWhen(tt.start, tt.d, tt.allDay, tt.lang); got != tt.want {
				t.Errorf("FormatWhen(%v, %v, %v, %q) = %q; want %q", tt.start, tt.d, tt.allDay, tt.lang, got, tt.want)
			}
		})
	}
}

func TestTextFuncs(t *testing.T) {
	f, ok := TextFuncs()["wrap"].(func(int, string, string) string)
	if !ok {
		t.Fatalf("TextFuncs()[wrap] = %T; want func(int, string, string) string", TextFuncs()["wrap"])
	}
	if got, want := f(5, "", "ab cd ef"), "ab cd\nef"; got != want {
		t.Errorf("wrap(5, \"\", \"ab cd ef\") = %q; want %q", got, want)
	}
}

// TestLabelsCoverTemplates checks that every label the default templates
// read (.T.key) exists, so a typo fails here rather than at send time.
func TestLabelsCoverTemplates(t *testing.T) {
	ref := regexp.MustCompile(`\.T\.([A-Za-z0-9_]+)`)
	used := 0
	err := fs.WalkDir(templates.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := fs.ReadFile(templates.FS, path)
		if err != nil {
			return err
		}
		if strings.HasPrefix(path, "web/") {
			return nil // the pages' words are package web's (its own test)
		}
		labels := Labels(strings.Split(path, "/")[0])
		if strings.HasPrefix(path, "confirm.") {
			labels = ConfirmationLabels("it")
		}
		for _, m := range ref.FindAllStringSubmatch(string(src), -1) {
			used++
			if _, ok := labels[m[1]]; !ok {
				t.Errorf("%s uses .T.%s; Labels has no such key", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if used == 0 {
		t.Fatal("found no .T.key references in the default templates")
	}
}

func TestFormatSlot(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	slot := time.Date(2026, 12, 11, 9, 0, 0, 0, rome)
	for lang, want := range map[string]string{"it": "venerdì 11 dicembre alle 9:00", "en": "Friday 11 December at 9:00"} {
		if got := FormatSlot(slot, lang); got != want {
			t.Errorf("FormatSlot(%v, %s) = %q; want %q", slot, lang, got, want)
		}
	}
}

func TestConfirmationLabelsMatch(t *testing.T) {
	it, en := ConfirmationLabels("it"), ConfirmationLabels("en")
	for k := range it {
		if en[k] == "" {
			t.Errorf("confirmation label %q has no English", k)
		}
	}
	for k := range en {
		if it[k] == "" {
			t.Errorf("confirmation label %q has no Italian", k)
		}
	}
}
