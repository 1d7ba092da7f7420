package digest

import "html/template"

// Data is what every template (subject, HTML, text) receives. Field names are
// part of the template contract: authors' overrides rely on them, so add
// fields, never rename them.
type Data struct {
	Site   Site
	Lang   string // "it" or "en"
	Week   string // ISO week key, e.g. "2026-W49"
	Date   string // the issue date, long form in Lang, e.g. "4 dicembre 2026"
	Series string // the webinar series name from the catalog
	Posts  []Post
	// MorePosts counts the week's posts left out by digest.max_posts; the
	// issue links them to the blog.
	MorePosts int
	Upcoming  []Webinar // live webinars, soonest first
	OnDemand  []Webinar // recordings new since the previous issue
	Changes   []Webinar // announced webinars that moved or were cancelled
	// UnsubscribeURL is personal: in a frozen issue it holds a placeholder
	// that the sender replaces for each recipient.
	UnsubscribeURL string
	T              map[string]string // translated labels for Lang (see i18n.go)

	ShortDate     string // the issue date without the year, e.g. "4 dicembre"
	SiteLink      string // Site.URL with the UTM tags, for links to the blog
	WebVersionURL string // the issue on `venerdi serve`; "" when unknown
	Sender        string // who sends it (the From name, else Site.Title)
	Address       string // the sender's postal address (mail.address); may be ""
}

// Site describes the blog.
type Site struct {
	Title string
	URL   string
}

// Post is a post as the templates see it.
type Post struct {
	Title      string
	URL        string
	Author     string
	Date       string        // long form in Lang, e.g. "27 novembre 2026"
	Excerpt    string        // plain text
	Content    template.HTML // sanitised HTML, safe to embed
	ImageURL   string
	ImageAlt   string
	FeedTitle  string
	Categories []string

	ShortTitle  string // the title before its first colon or dash ("UTM fatti bene"), for the subject
	Slug        string // the last segment of the post's URL path
	RawURL      string // the post's URL without UTM tags (URL has them when on)
	ImageWidth  int    // the width to show ImageURL at (ImageWidth), 0 without image
	ImageHeight int    // ImageWidth scaled by the image's declared ratio; 0 when the feed does not say
}

// Webinar is a webinar as the templates see it.
type Webinar struct {
	Title        string
	Speaker      string
	Description  string
	URL          string
	RecordingURL string
	When         string // e.g. "giovedì 10 dicembre, 18:00–19:00" (the year only when not the issue's)
	Duration     int    // minutes
	AllDay       bool
	Cancelled    bool
	Moved        bool   // start time changed since it was announced
	OldWhen      string // the announced time, when Moved

	ID   string
	Zone string // the time zone When is in, e.g. "ora italiana", "Rome time"; "" for all-day events
	// Add-to-calendar links, all carrying the same start and end in UTC;
	// empty for cancelled webinars and recordings. CalendarFileURL is the
	// .ics that `venerdi serve` answers with.
	GoogleCalendarURL  string
	OutlookCalendarURL string
	CalendarFileURL    string
}
