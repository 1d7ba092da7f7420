package catalog

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseJSON(t *testing.T) {
	rome := mustLoad(t, "Europe/Rome")
	got, err := Parse(readTestdata(t, "webinars.json"), JSON, Options{Location: rome, Source: "webinars.json"})
	if err != nil {
		t.Fatalf("Parse(webinars.json) = %v", err)
	}
	want := &Catalog{
		Series: "Energia Digitale",
		Webinars: []Webinar{
			{
				ID:       "newsletter-26434b1471",
				Title:    "Newsletter che si leggono",
				URL:      "https://example.org/webinar/newsletter",
				StartsAt: time.Date(2026, 11, 26, 18, 0, 0, 0, rome),
				Duration: 60 * time.Minute,
			},
			{
				ID:           "ed-seo",
				Title:        "SEO per piccoli siti",
				Speaker:      "Giulia Bianchi",
				Description:  "Come farsi trovare\nsenza pagare pubblicità.",
				URL:          "https://example.org/webinar/seo",
				RecordingURL: "https://example.org/registrazioni/seo",
				StartsAt:     time.Date(2026, 12, 10, 18, 0, 0, 0, rome),
				Duration:     90 * time.Minute,
			},
			{
				ID:        "ed-social",
				Title:     "Social senza ansia",
				StartsAt:  time.Date(2026, 12, 17, 18, 0, 0, 0, rome),
				Duration:  60 * time.Minute,
				Cancelled: true,
			},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse(webinars.json) =\n%+v\nwant\n%+v", got, want)
	}
	checkInvariants(t, got, rome)
}

func TestIDFromURLIsStable(t *testing.T) {
	// The derived id is stored: changing the derivation re-creates every
	// webinar without an id. This pins it.
	tests := []struct{ url, want string }{
		{"https://example.org/webinar/newsletter", "newsletter-26434b1471"},
		{"https://example.org/", "example-org-8198d1bac4"},
		{"https://example.org/w/Énergie_2026/", "nergie-2026-59cb1b40aa"},
	}
	for _, tt := range tests {
		if got := idFromURL(tt.url); got != tt.want {
			t.Errorf("idFromURL(%q) = %q; want %q", tt.url, got, tt.want)
		}
	}
}

func TestParseJSONErrors(t *testing.T) {
	const known = "(want id, title, speaker, starts_at, duration_minutes, url, recording_url, description, cancelled)"
	// wrap puts entries in a catalog; entries are one per line from line 3.
	wrap := func(entries ...string) string {
		return "{\"series\": \"S\",\n\"webinars\": [\n" + strings.Join(entries, ",\n") + "\n]}\n"
	}
	ok := `{"id": "ok", "title": "Fine", "starts_at": "2026-12-10T18:00:00+01:00"}`
	ok2 := `{"id": "ok2", "title": "Fine too", "starts_at": "2026-12-10T18:00:00+01:00"}`
	tests := []struct {
		name, in, want string
	}{
		{"empty", "  \n", `webinars.json: empty document: want {"series": …, "webinars": […]}`},
		{"syntax", wrap(ok, `{"title": "a",}`), `webinars.json:4:15: invalid character '}' looking for beginning of object key string`},
		{"truncated", "{\"webinars\": [\n", `webinars.json:1:15: unexpected end of JSON input`},
		{"trailing data", `{"webinars": []} {}`, `webinars.json:1:18: invalid character '{' after top-level value`},
		{"not an object", `[]`, `webinars.json: want an object {"series": …, "webinars": […]}, got []`},
		{"unknown top-level", `{"serie": "S", "webinars": []}`, `webinars.json: unknown field "serie" (want "series" and "webinars")`},
		{"no webinars", `{"series": "S"}`, `webinars.json: missing "webinars" (the list of webinars; [] for none)`},
		{"webinars null", `{"webinars": null}`, `webinars.json: webinars: want a list […], got null`},
		{"series not a string", `{"series": 3, "webinars": []}`, `webinars.json: series: want a string, got 3`},
		{"repeated top-level", `{"webinars": [], "webinars": []}`, `webinars.json: "webinars" appears twice`},
		{"entry not an object", wrap(ok, `"x"`), `webinars.json: webinar 2: want an object {"title": …}, got "x"`},
		{"unknown field", wrap(ok, ok2, `{"id": "ed-seo", "title": "SEO", "startsAt": "2026-12-10T18:00:00+01:00"}`),
			`webinars.json: webinar 3 ("ed-seo"): unknown field "startsAt" ` + known},
		{"unknown fields", wrap(`{"title": "SEO", "Speaker": "G", "date": "x"}`),
			`webinars.json: webinar 1 ("SEO"): unknown fields "Speaker", "date" ` + known},
		{"repeated field", wrap(`{"title": "SEO", "title": "SEO 2"}`), `webinars.json: webinar 1 ("SEO 2"): "title" appears twice`},
		{"starts_at not RFC 3339", wrap(ok, ok2, `{"id": "ed-seo", "title": "SEO", "starts_at": "10/12/2026"}`),
			`webinars.json: webinar 3 ("ed-seo"): starts_at: "10/12/2026" is not an RFC 3339 time (like 2026-12-10T18:00:00+01:00)`},
		{"starts_at without offset", wrap(`{"id": "a", "title": "A", "starts_at": "2026-12-10T18:00:00"}`),
			`webinars.json: webinar 1 ("a"): starts_at: "2026-12-10T18:00:00" is not an RFC 3339 time (like 2026-12-10T18:00:00+01:00)`},
		{"starts_at missing", wrap(`{"id": "a", "title": "A"}`), `webinars.json: webinar 1 ("a"): starts_at: required`},
		{"starts_at a number", wrap(`{"id": "a", "title": "A", "starts_at": 1765386000}`), `webinars.json: webinar 1 ("a"): starts_at: want a string, got 1765386000`},
		{"title missing", wrap(ok, `{"id": "ed-x", "starts_at": "2026-12-10T18:00:00+01:00"}`), `webinars.json: webinar 2 ("ed-x"): title: required`},
		{"title blank", wrap(`{"title": " \t", "starts_at": "2026-12-10T18:00:00+01:00"}`), `webinars.json: webinar 1: title: required`},
		{"duration zero", wrap(`{"id": "a", "title": "A", "starts_at": "2026-12-10T18:00:00+01:00", "duration_minutes": 0}`),
			`webinars.json: webinar 1 ("a"): duration_minutes: 0 is out of range (1 to 1440)`},
		{"duration too long", wrap(`{"id": "a", "title": "A", "starts_at": "2026-12-10T18:00:00+01:00", "duration_minutes": 1441}`),
			`webinars.json: webinar 1 ("a"): duration_minutes: 1441 is out of range (1 to 1440)`},
		{"duration a string", wrap(`{"id": "a", "title": "A", "starts_at": "2026-12-10T18:00:00+01:00", "duration_minutes": "60"}`),
			`webinars.json: webinar 1 ("a"): duration_minutes: want a whole number, got "60"`},
		{"duration fractional", wrap(`{"id": "a", "title": "A", "starts_at": "2026-12-10T18:00:00+01:00", "duration_minutes": 60.5}`),
			`webinars.json: webinar 1 ("a"): duration_minutes: want a whole number, got 60.5`},
		{"url relative", wrap(`{"id": "a", "title": "A", "starts_at": "2026-12-10T18:00:00+01:00", "url": "/webinar/a"}`),
			`webinars.json: webinar 1 ("a"): url: "/webinar/a" is not an absolute http(s) URL`},
		{"recording_url not http", wrap(`{"id": "a", "title": "A", "starts_at": "2026-12-10T18:00:00+01:00", "recording_url": "ftp://example.org/a.mp4"}`),
			`webinars.json: webinar 1 ("a"): recording_url: "ftp://example.org/a.mp4" is not an absolute http(s) URL`},
		{"cancelled a string", wrap(`{"id": "a", "title": "A", "starts_at": "2026-12-10T18:00:00+01:00", "cancelled": "yes"}`),
			`webinars.json: webinar 1 ("a"): cancelled: want true or false, got "yes"`},
		{"id with a space", wrap(`{"id": "ed seo", "title": "A", "starts_at": "2026-12-10T18:00:00+01:00"}`),
			`webinars.json: webinar 1 ("ed seo"): id: "ed seo" contains a space or a control character`},
		{"no id and no url", wrap(`{"title": "A", "starts_at": "2026-12-10T18:00:00+01:00"}`),
			`webinars.json: webinar 1 ("A"): id: required when there is no url to derive it from`},
		{"duplicate id", wrap(ok, `{"id": "b", "title": "B", "starts_at": "2026-12-10T18:00:00+01:00"}`, `{"id": "ok", "title": "Again", "starts_at": "2026-12-17T18:00:00+01:00"}`),
			`webinars.json: webinar 3 ("ok"): id: "ok" is already used by webinar 1`},
		{"duplicate derived id", wrap(`{"title": "A", "starts_at": "2026-12-10T18:00:00+01:00", "url": "https://example.org/webinar/a"}`, `{"title": "A again", "starts_at": "2026-12-17T18:00:00+01:00", "url": "https://example.org/webinar/a"}`),
			`webinars.json: webinar 2 ("A again"): url: the id derived from it, "a-fc69adabe1", is already used by webinar 1 (same url? give one of them an id)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.in), JSON, Options{Source: "webinars.json"})
			if err == nil {
				t.Fatalf("Parse(%q) = %+v; want error %q", tt.in, c, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("Parse(%q) = %v; want %v", tt.in, err, tt.want)
			}
		})
	}
}

func TestParseJSONEmptyList(t *testing.T) {
	c, err := Parse([]byte(`{"webinars": []}`), JSON, Options{})
	if err != nil || c.Series != "" || len(c.Webinars) != 0 {
		t.Errorf("Parse(empty list) = %+v, %v; want an empty catalog", c, err)
	}
}
