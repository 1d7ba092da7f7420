package digest

import (
	"strings"
	"testing"

	"github.com/venerdi/venerdi/internal/links"
)

// A letter's links to the blog get the UTM tags, once; a third-party or a
// venerdi serve link, and everything around the links, keep their bytes.
func TestTagBodyLinks(t *testing.T) {
	u := links.UTM{Source: "newsletter", Medium: "email", Campaign: "auguri-1234"}
	tag := func(raw string) string { return links.TagUTM(raw, "bottega.example.it", u) }
	in := `<p>Il <a href="https://bottega.example.it/corsi/?a=1&amp;b=2" rel="noopener">corso</a>, ` +
		`<a href="https://www.youtube.com/@bottega">YouTube</a>, <a href="https://news.bottega.example.it/archive">archivio</a> ` +
		`e <a href="https://bottega.example.it/?utm_source=x">già taggato</a> &amp; basta.</p>`
	got := tagBodyLinks(in, tag)
	want := `<p>Il <a href="https://bottega.example.it/corsi/?a=1&amp;b=2&amp;utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=auguri-1234" rel="noopener">corso</a>, ` +
		`<a href="https://www.youtube.com/@bottega">YouTube</a>, <a href="https://news.bottega.example.it/archive">archivio</a> ` +
		`e <a href="https://bottega.example.it/?utm_source=x">già taggato</a> &amp; basta.</p>`
	if got != want {
		t.Errorf("tagBodyLinks:\n got %s\nwant %s", got, want)
	}
	if again := tagBodyLinks(got, tag); again != got {
		t.Errorf("tagging twice changed the HTML:\n%s", again)
	}
}

// A rendered letter tags its own links to the blog, in both parts, with
// the letter's archive key as the campaign; third-party links stay as they
// are.
func TestLetterRenderTagsTheBlogsLinks(t *testing.T) {
	r, err := NewLetterRenderer("it", "")
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.Render(&LetterInput{
		Site: Site{Title: "Bottega", URL: "https://bottega.example.it"}, Subject: "Auguri",
		HTML:      `<div class="p">Il <a href="https://bottega.example.it/corsi/">corso</a> e <a href="https://www.youtube.com/@b">YouTube</a>.</div>`,
		Text:      "Il corso [1] e YouTube [2].",
		TextLinks: []string{"https://bottega.example.it/corsi/", "https://www.youtube.com/@b"},
		Key:       "auguri-1234",
		UTM:       &links.UTM{Source: "newsletter", Medium: "email"},
	})
	if err != nil {
		t.Fatal(err)
	}
	tagged := "https://bottega.example.it/corsi/?utm_source=newsletter&utm_medium=email&utm_campaign=auguri-1234"
	for part, body := range map[string]string{"html": strings.ReplaceAll(out.HTML, "&amp;", "&"), "text": out.Text} {
		if !strings.Contains(body, tagged) {
			t.Errorf("%s part lacks the tagged blog link %s", part, tagged)
		}
		if strings.Contains(body, "youtube.com/@b?utm") {
			t.Errorf("%s part tags a third-party link", part)
		}
	}
	if !strings.Contains(out.Text, "[1] "+tagged+"\n[2] https://www.youtube.com/@b") {
		t.Errorf("text part's link list:\n%s", out.Text)
	}
}
