package links

import (
	"net/url"
	"slices"
	"testing"
	"time"
)

func TestBuilder(t *testing.T) {
	b, err := New("https://news.example.it/lettera/", "mailto:leave@example.it")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ got, want string }{
		{b.Base(), "https://news.example.it/lettera"},
		{b.Unsubscribe("abc_-1"), "https://news.example.it/lettera/unsubscribe/abc_-1"},
		{b.Confirm("t0k"), "https://news.example.it/lettera/confirm/t0k"},
		{b.Subscribe(), "https://news.example.it/lettera/subscribe"},
		{b.Archive(), "https://news.example.it/lettera/archive"},
		{b.ArchiveFeed(), "https://news.example.it/lettera/archive/feed.xml"},
		{b.Issue("2026-W49"), "https://news.example.it/lettera/archive/2026-W49"},
		{b.Calendar("web 1/x"), "https://news.example.it/lettera/webinars/web%201%2Fx.ics"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q; want %q", tt.got, tt.want)
		}
	}
	got := b.ListUnsubscribe("T")
	want := []string{"https://news.example.it/lettera/unsubscribe/T", "mailto:leave@example.it?subject=unsubscribe%20T"}
	if !slices.Equal(got, want) {
		t.Errorf("ListUnsubscribe = %q; want %q", got, want)
	}
}

func TestNewRefuses(t *testing.T) {
	for _, base := range []string{"", "news.example.it", "ftp://x.it", "https://", "https://x.it/?a=1", "https://x.it/#f"} {
		if _, err := New(base, ""); err == nil {
			t.Errorf("New(%q) = nil error; want one", base)
		}
	}
	if _, err := New("https://x.it", "leave@x.it"); err == nil {
		t.Errorf("New with a bare address as mailto = nil error; want one")
	}
}

func TestTagUTM(t *testing.T) {
	u := UTM{Source: "newsletter", Medium: "email", Campaign: "2026-W49", Content: "utm fatti bene"}
	tests := []struct{ in, want string }{
		{"https://bottega.example.it/utm/", "https://bottega.example.it/utm/?utm_source=newsletter&utm_medium=email&utm_campaign=2026-W49&utm_content=utm+fatti+bene"},
		{"https://www.bottega.example.it/a?b=1#top", "https://www.bottega.example.it/a?b=1&utm_source=newsletter&utm_medium=email&utm_campaign=2026-W49&utm_content=utm+fatti+bene#top"},
		{"https://energiadigitale.example.it/webinar/", "https://energiadigitale.example.it/webinar/"},     // third party
		{"https://bottega.example.it/a?utm_source=x", "https://bottega.example.it/a?utm_source=x"},         // already tagged
		{"https://news.bottega.example.it/unsubscribe/T", "https://news.bottega.example.it/unsubscribe/T"}, // another host: serve's
		{"mailto:a@bottega.example.it", "mailto:a@bottega.example.it"},
	}
	for _, tt := range tests {
		got := TagUTM(tt.in, "bottega.example.it", u)
		if got != tt.want {
			t.Errorf("TagUTM(%q) = %q; want %q", tt.in, got, tt.want)
		}
		if again := TagUTM(got, "bottega.example.it", u); again != got {
			t.Errorf("TagUTM twice on %q = %q; want %q", tt.in, again, got)
		}
	}
	if got := Slug("https://bottega.example.it/2026/12/utm-fatti-bene/"); got != "utm-fatti-bene" {
		t.Errorf("Slug = %q; want utm-fatti-bene", got)
	}
}

func TestCalendarLinksInUTC(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	start := time.Date(2026, 12, 10, 18, 0, 0, 0, rome)
	e := Event{Title: "SEO locale", Start: start, End: start.Add(time.Hour), Location: "https://e.example/seo"}
	g, _ := url.Parse(GoogleCalendar(e))
	if got := g.Query().Get("dates"); got != "20261210T170000Z/20261210T180000Z" {
		t.Errorf("Google dates = %q; want 20261210T170000Z/20261210T180000Z", got)
	}
	o, _ := url.Parse(OutlookCalendar(e))
	if got := o.Query().Get("startdt") + " " + o.Query().Get("enddt"); got != "2026-12-10T17:00:00Z 2026-12-10T18:00:00Z" {
		t.Errorf("Outlook start/end = %q", got)
	}
}
