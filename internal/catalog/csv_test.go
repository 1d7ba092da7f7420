package catalog

import (
	"reflect"
	"testing"
	"time"
)

func TestParseCSV(t *testing.T) {
	rome := mustLoad(t, "Europe/Rome")
	got, err := Parse(readTestdata(t, "webinars.csv"), CSV, Options{Location: rome, Source: "webinars.csv"})
	if err != nil {
		t.Fatalf("Parse(webinars.csv) = %v", err)
	}
	want := &Catalog{
		Webinars: []Webinar{
			{
				ID:       "newsletter-26434b1471",
				Title:    "Newsletter che si leggono",
				URL:      "https://example.org/webinar/newsletter",
				StartsAt: time.Date(2026, 11, 26, 18, 0, 0, 0, rome),
				Duration: 60 * time.Minute,
			},
			{
				ID:          "ed-seo",
				Title:       "SEO per piccoli siti",
				Speaker:     "Giulia Bianchi",
				Description: `Come farsi trovare, "davvero".`,
				URL:         "https://example.org/webinar/seo",
				StartsAt:    time.Date(2026, 12, 10, 18, 0, 0, 0, rome),
				Duration:    90 * time.Minute,
			},
			{
				ID:        "ed-social",
				Title:     "Social senza ansia",
				StartsAt:  time.Date(2026, 12, 17, 17, 0, 0, 0, rome),
				Duration:  60 * time.Minute,
				Cancelled: true,
			},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse(webinars.csv) =\n%+v\nwant\n%+v", got, want)
	}
	checkInvariants(t, got, rome)
}

func TestParseCSVLocalTimeUsesLocation(t *testing.T) {
	ny := mustLoad(t, "America/New_York")
	in := "title,starts_at,id\nA,2026-07-01 12:00,a\nB,2026-07-01T12:00:00+02:00,b\n"
	c, err := Parse([]byte(in), CSV, Options{Location: ny})
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Time{
		time.Date(2026, 7, 1, 6, 0, 0, 0, ny), // +02:00 is written out: the zone does not matter
		time.Date(2026, 7, 1, 12, 0, 0, 0, ny),
	}
	for i, w := range c.Webinars {
		if !w.StartsAt.Equal(want[i]) {
			t.Errorf("Parse(%q): webinar %d starts %v; want %v", in, i, w.StartsAt, want[i])
		}
	}
}

func TestParseCSVErrors(t *testing.T) {
	const header = "id,title,starts_at,duration_minutes,url,cancelled\n"
	const ok = "ok,Fine,2026-12-10 18:00,,,\n"
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", `webinars.csv: empty file: want a header row like id,title,speaker,starts_at,duration_minutes,url,recording_url,description,cancelled`},
		{"unknown column", "title,startsat\n", `webinars.csv:1:7: unknown column "startsat" (want id, title, speaker, starts_at, duration_minutes, url, recording_url, description, cancelled)`},
		{"missing column", "id,title\nx,X\n", `webinars.csv:1: missing column "starts_at" (the header is "id,title")`},
		{"repeated column", "title,starts_at,Title\n", `webinars.csv:1:17: column "title" appears twice (columns 1 and 3)`},
		{"bad starts_at", header + ok + "ed-seo,SEO,10/12/2026,,,\n",
			`webinars.csv:3:12: webinar 2 ("ed-seo"): starts_at: "10/12/2026" is not a time like 2026-12-10T18:00:00+01:00 or 2026-12-10 18:00 (UTC)`},
		{"title missing", header + ok + "\n" + "x,,2026-12-10 18:00,,,\n", `webinars.csv:4:3: webinar 2 ("x"): title: required`},
		{"duration not a number", header + "a,A,2026-12-10 18:00,1h,,\n", `webinars.csv:2:22: webinar 1 ("a"): duration_minutes: "1h" is not a whole number of minutes`},
		{"duration out of range", header + "a,A,2026-12-10 18:00,0,,\n", `webinars.csv:2:22: webinar 1 ("a"): duration_minutes: 0 is out of range (1 to 1440)`},
		{"cancelled unclear", header + "a,A,2026-12-10 18:00,,,forse\n", `webinars.csv:2:24: webinar 1 ("a"): cancelled: "forse" is not true or false`},
		{"bad url", header + "a,A,2026-12-10 18:00,,example.org/a,\n", `webinars.csv:2:23: webinar 1 ("a"): url: "example.org/a" is not an absolute http(s) URL`},
		{"no id and no url", "title,starts_at\nA,2026-12-10 18:00\n", `webinars.csv:2: webinar 1 ("A"): id: required when there is no url to derive it from`},
		{"duplicate id", header + ok + "b,B,2026-12-10 18:00,,,\n" + "ok,Again,2026-12-17 18:00,,,\n",
			`webinars.csv:4:1: webinar 3 ("ok"): id: "ok" is already used by webinar 1 on line 2`},
		{"wrong field count", header + ok + "a,A, 2026-12-10 18:00,60,https://example.org/a,no,extra\n",
			`webinars.csv:3: wrong number of fields: the header has 6 (a comma inside a value needs "quotes")`},
		{"bare quote", header + "a,A \"quoted\",2026-12-10 18:00,,,\n", `webinars.csv:2:5: bare " in non-quoted-field`},
		{"not UTF-8", header + ok + "a,Caf\xe9,2026-12-10 18:00,,,\n", `webinars.csv:3: not valid UTF-8 (save the file as "CSV UTF-8")`},
		{"value in unnamed column", "title,starts_at,\nA,2026-12-10 18:00,oops\n", `webinars.csv:2:20: value "oops" in column 3, which has no name in the header`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.in), CSV, Options{Source: "webinars.csv"})
			if err == nil {
				t.Fatalf("Parse(%q) = %+v; want error %q", tt.in, c, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("Parse(%q) = %v; want %v", tt.in, err, tt.want)
			}
		})
	}
}

func TestParseCSVHeaderOnly(t *testing.T) {
	c, err := Parse([]byte("title,starts_at\r\n"), CSV, Options{})
	if err != nil || len(c.Webinars) != 0 {
		t.Errorf("Parse(header only) = %+v, %v; want an empty catalog", c, err)
	}
}
