package digest

import (
	"strings"
	"testing"
	"time"
)

// A letter's footer follows its stream: a letter to the letters stream
// says the reader gets the letters and that unsubscribing stops them; one
// sent to the digest's stream (stream: digest) speaks of the Friday
// newsletter instead, in both parts and both languages.
func TestLetterFooterFollowsStream(t *testing.T) {
	for _, tc := range []struct {
		lang, stream string
		want, not    []string
	}{
		{"it", "letters", []string{"iscritti alle lettere di", "Non vuoi più ricevere le lettere?"}, []string{"newsletter settimanale di", "Le lettere restano"}},
		{"it", "", []string{"iscritti alle lettere di", "Non vuoi più ricevere le lettere?"}, []string{"Le lettere restano"}},
		{"it", "digest", []string{"iscritti alla newsletter settimanale di", "Non vuoi più ricevere la newsletter del venerdì? Le lettere restano, se vuoi."}, []string{"alle lettere di", "ricevere le lettere?"}},
		{"en", "letters", []string{"signed up for the letters of", "Don't want letters any more?"}, []string{"weekly newsletter of"}},
		{"en", "digest", []string{"signed up for the weekly newsletter of", "Don't want the Friday newsletter any more? The letters can stay"}, []string{"letters of", "want letters any more"}},
	} {
		t.Run(tc.lang+"/"+tc.stream, func(t *testing.T) {
			r, err := NewLetterRenderer(tc.lang, "")
			if err != nil {
				t.Fatal(err)
			}
			out, err := r.Render(&LetterInput{Site: Site{Title: "Bottega Digitale", URL: "https://bottega.example.it"}, Lang: tc.lang,
				Now: time.Date(2026, 12, 22, 9, 0, 0, 0, time.UTC), Subject: "Auguri", Stream: tc.stream,
				HTML: "<p>Ciao.</p>", Text: "Ciao.", Sender: "Bottega Digitale"})
			if err != nil {
				t.Fatal(err)
			}
			html := strings.ReplaceAll(out.HTML, "&#39;", "'")
			text := strings.Join(strings.Fields(out.Text), " ")
			for _, w := range tc.want {
				if !strings.Contains(html, w) || !strings.Contains(text, w) {
					t.Errorf("Render(stream %q, %s): footer lacks %q (html %v, text %v)", tc.stream, tc.lang, w, strings.Contains(html, w), strings.Contains(text, w))
				}
			}
			for _, n := range tc.not {
				if strings.Contains(html, n) || strings.Contains(text, n) {
					t.Errorf("Render(stream %q, %s): footer has %q", tc.stream, tc.lang, n)
				}
			}
		})
	}
}
