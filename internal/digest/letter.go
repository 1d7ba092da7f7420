package digest

import (
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"slices"
	texttemplate "text/template"
	"time"

	"github.com/venerdi/venerdi/internal/links"
	"github.com/venerdi/venerdi/internal/plaintext"
)

// Letter template files, the same in the embedded defaults and in an
// override directory.
const (
	LetterHTMLFile = "letter.html"
	LetterTextFile = "letter.txt"
)

// LetterData is what letter.html and letter.txt receive. Field names are
// part of the template contract: add fields, never rename them.
type LetterData struct {
	Site      Site
	Lang      string
	Subject   string
	Preheader string // the front matter's preheader; may be ""
	Date      string // the day it is sent, long form in Lang
	// Stream is the stream the letter goes to: "letters" or "digest".
	Stream string
	// Why and UnsubscribeIntro are the footer's words for Stream: why the
	// reader gets this mail, and what the unsubscribe link stops.
	Why              string
	UnsubscribeIntro string
	// Body is the letter's HTML, sanitised: safe to embed.
	Body htmltemplate.HTML
	// BodyText is the letter as plain text, each link's text followed by
	// [n]; Links are those links (UTM-tagged where they go to the blog).
	BodyText string
	Links    []string
	// UnsubscribeURL is personal: UnsubscribePlaceholder in a frozen
	// letter.
	UnsubscribeURL string
	T              map[string]string
	SiteLink       string // Site.URL with the UTM tags
	WebVersionURL  string
	Sender         string
	Address        string
}

// LetterInput is what a letter is rendered from.
type LetterInput struct {
	Site      Site
	Lang      string
	Location  *time.Location
	Now       time.Time
	Subject   string
	Preheader string
	// Stream is the stream the letter goes to ("letters", the default, or
	// "digest"); the footer's wording follows it.
	Stream string
	HTML   string // sanitised body
	Text   string // its plain-text twin, links marked [n]
	// TextLinks are the links Text numbers, in order.
	TextLinks []string
	// Key names the letter in the web archive; with Links, the web
	// version link.
	Key     string
	Links   *links.Builder
	UTM     *links.UTM // Campaign empty: the archive key
	Sender  string
	Address string
}

// LetterRenderer renders letters in one language.
type LetterRenderer struct {
	lang     string
	text     *texttemplate.Template
	html     *htmltemplate.Template
	htmlName string
}

// NewLetterRenderer loads letter.html and letter.txt, from overrideDir
// when they are there, else the embedded defaults.
func NewLetterRenderer(lang, overrideDir string) (*LetterRenderer, error) {
	r := &LetterRenderer{lang: Lang(lang)}
	src, name, err := readTemplate(r.lang, overrideDir, LetterTextFile)
	if err == nil {
		r.text, err = texttemplate.New(name).Funcs(TextFuncs()).Option("missingkey=error").Parse(src)
	}
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	if r.html, r.htmlName, err = parseHTMLPage(r.lang, overrideDir, LetterHTMLFile); err != nil {
		return nil, err
	}
	return r, nil
}

// Render renders in with the unsubscribe link left as
// UnsubscribePlaceholder; the HTML's CSS is inlined as the digest's.
func (r *LetterRenderer) Render(in *LetterInput) (*Rendered, error) {
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}
	d := &LetterData{
		Site: in.Site, Lang: r.lang, Subject: plaintext.Line(in.Subject), Preheader: plaintext.Line(in.Preheader),
		Date:     FormatDate(in.Now.In(loc), r.lang),
		Body:     htmltemplate.HTML(in.HTML), // sanitised by the caller (letter.Parse)
		BodyText: in.Text, Links: slices.Clone(in.TextLinks), UnsubscribeURL: UnsubscribePlaceholder, T: Labels(r.lang),
		SiteLink: in.Site.URL, Sender: in.Sender, Address: in.Address, Stream: in.Stream,
	}
	if d.Stream == "" {
		d.Stream = "letters"
	}
	d.Why, d.UnsubscribeIntro = d.T["letter_why"], d.T["letter_unsubscribe_intro"]
	if d.Stream == "digest" {
		d.Why, d.UnsubscribeIntro = d.T["why"], d.T["letter_digest_unsubscribe_intro"]
	}
	if d.Sender == "" {
		d.Sender = in.Site.Title
	}
	if in.UTM != nil {
		u := *in.UTM
		if u.Campaign == "" {
			u.Campaign = in.Key
		}
		host := ""
		if p, err := url.Parse(in.Site.URL); err == nil {
			host = p.Hostname()
		}
		d.SiteLink = links.TagUTM(in.Site.URL, host, u)
		// The letter's own links to the blog are tagged as the digest's
		// are; third-party and serve links keep their exact bytes.
		tag := func(raw string) string { return links.TagUTM(raw, host, u) }
		d.Body = htmltemplate.HTML(tagBodyLinks(in.HTML, tag))
		for i, l := range d.Links {
			d.Links[i] = tag(l)
		}
	}
	if in.Links != nil && in.Key != "" {
		d.WebVersionURL = in.Links.Issue(in.Key)
	}
	text, html := bounded(MaxOutput), bounded(MaxOutput)
	if err := r.text.Execute(text, d); err != nil {
		return nil, fmt.Errorf("render letter text: %s: %w", r.text.Name(), err)
	}
	if err := r.html.Execute(html, d); err != nil {
		return nil, fmt.Errorf("render letter html: %s: %w", r.htmlName, err)
	}
	inlined, err := Inline(html.String())
	if err != nil {
		return nil, fmt.Errorf("render letter html: %s: %w", r.htmlName, err)
	}
	return &Rendered{Subject: d.Subject, HTML: inlined, Text: text.String()}, nil
}
