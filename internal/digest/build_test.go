package digest

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/venerdi/venerdi/internal/catalog"
	"github.com/venerdi/venerdi/internal/feed"
	"github.com/venerdi/venerdi/internal/links"
)

const postHTML = `<p>Apri GA4 e trovi «Newsletter» e «newsletter» come sorgenti diverse. Ti suona familiare?</p>
<h2>Le regole che abbiamo adottato</h2>
<figure><img src="https://bottega.example.it/foto-1024x576.jpg" width="1024" height="576"><figcaption>Una didascalia da non leggere</figcaption></figure>
<p>Solo minuscole, sempre.</p>`

func TestBuildPostsAndLinks(t *testing.T) {
	rome, _ := time.LoadLocation("Europe/Rome")
	lb, _ := links.New("https://news.bottega.example.it", "")
	in := &Input{
		Site: Site{Title: "Bottega Digitale", URL: "https://bottega.example.it"}, Lang: "it", Location: rome,
		Now: time.Date(2026, 12, 4, 9, 0, 0, 0, rome), Week: "2026-W49", Links: lb,
		UTM: &links.UTM{Source: "newsletter", Medium: "email"},
		Posts: []feed.Post{{Title: "UTM fatti bene: una convenzione", Link: "https://bottega.example.it/2026/12/utm-fatti-bene/",
			ContentHTML: postHTML, ImageURL: "https://bottega.example.it/foto-1024x576.jpg", Excerpt: "from the feed"}},
		Upcoming: []catalog.Webinar{{ID: "ed-seo", Title: "SEO locale", Speaker: "Giulia", URL: "https://energiadigitale.example.it/seo/",
			StartsAt: time.Date(2026, 12, 10, 18, 0, 0, 0, rome), Duration: time.Hour}},
	}
	d := Build(in)
	p := d.Posts[0]
	if want := "Apri GA4 e trovi «Newsletter» e «newsletter» come sorgenti diverse. Ti suona familiare? Solo minuscole, sempre."; p.Excerpt != want {
		t.Errorf("Excerpt = %q; want the paragraphs only, %q", p.Excerpt, want)
	}
	if p.ImageAlt != "" || p.ImageWidth != ImageWidth || p.ImageHeight != 302 {
		t.Errorf("image alt %q, %dx%d; want no alt (the feed gives none) at %dx302", p.ImageAlt, p.ImageWidth, p.ImageHeight, ImageWidth)
	}
	if want := "https://bottega.example.it/2026/12/utm-fatti-bene/?utm_source=newsletter&utm_medium=email&utm_campaign=2026-W49&utm_content=utm-fatti-bene"; p.URL != want {
		t.Errorf("post URL = %q; want %q", p.URL, want)
	}
	if p.ShortTitle != "UTM fatti bene" {
		t.Errorf("ShortTitle = %q", p.ShortTitle)
	}
	w := d.Upcoming[0]
	if got := w.When + " " + w.Zone; got != "giovedì 10 dicembre, 18:00–19:00 ora italiana" {
		t.Errorf("webinar when = %q", got)
	}
	if w.URL != in.Upcoming[0].URL || !strings.HasPrefix(w.GoogleCalendarURL, "https://calendar.google.com/") ||
		!strings.HasPrefix(w.OutlookCalendarURL, "https://outlook.live.com/") || w.CalendarFileURL != "https://news.bottega.example.it/webinars/ed-seo.ics" {
		t.Errorf("webinar links: register %q, google %q, outlook %q, ics %q", w.URL, w.GoogleCalendarURL, w.OutlookCalendarURL, w.CalendarFileURL)
	}
	if d.WebVersionURL != "https://news.bottega.example.it/archive/2026-W49" || strings.Contains(d.UnsubscribeURL, "utm_") {
		t.Errorf("web version %q, unsubscribe %q", d.WebVersionURL, d.UnsubscribeURL)
	}
	if u, _ := url.Parse(d.SiteLink); u.Query().Get("utm_campaign") != "2026-W49" {
		t.Errorf("SiteLink = %q; want it tagged", d.SiteLink)
	}
	en := Build(&Input{Lang: "en", Location: rome, Now: in.Now, Upcoming: []catalog.Webinar{{Title: "x", StartsAt: time.Date(2027, 1, 14, 18, 0, 0, 0, rome), Duration: time.Hour, Cancelled: true}}})
	if got := en.Upcoming[0].When + " " + en.Upcoming[0].Zone; got != "Thursday 14 January 2027, 18:00–19:00 Rome time" {
		t.Errorf("en webinar when = %q", got)
	}
	if en.Upcoming[0].GoogleCalendarURL != "" {
		t.Error("a cancelled webinar has add-to-calendar links")
	}
}

func TestExcerptCutsOnSentenceOrWord(t *testing.T) {
	long := strings.Repeat("parola ", 30) + "fine della frase. " + strings.Repeat("altra ", 40)
	if got := excerpt(long, 300); !strings.HasSuffix(got, "fine della frase.") {
		t.Errorf("excerpt = %q; want it to end on the sentence", got)
	}
	words := strings.Repeat("parola ", 60)
	if got := excerpt(words, 100); !strings.HasSuffix(got, "parola…") || len([]rune(got)) > 100 {
		t.Errorf("excerpt = %q; want a cut between words with …", got)
	}
}
