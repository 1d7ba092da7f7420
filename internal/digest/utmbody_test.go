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
	text := "Link:\n[1] https://bottega.example.it/corsi/\n[2] https://www.youtube.com/@bottega\n"
	if got := tagTextLinks(text, tag); !strings.Contains(got, "[1] https://bottega.example.it/corsi/?utm_source=newsletter&utm_medium=email&utm_campaign=auguri-1234\n[2] https://www.youtube.com/@bottega\n") {
		t.Errorf("tagTextLinks = %q", got)
	}
}
