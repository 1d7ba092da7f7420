package digest

import (
	"html/template"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/venerdi/venerdi/internal/catalog"
	"github.com/venerdi/venerdi/internal/feed"
	"github.com/venerdi/venerdi/internal/links"
	"github.com/venerdi/venerdi/internal/plaintext"
)

// Change is a webinar whose time or state differs from what an earlier
// issue announced.
type Change struct {
	catalog.Webinar
	AnnouncedStart     time.Time
	AnnouncedCancelled bool
}

// Input is what an issue is built from; the caller has already chosen it.
type Input struct {
	Site     Site
	Lang     string
	Location *time.Location
	Now      time.Time
	Week     string
	Series   string
	Posts    []feed.Post
	// MorePosts counts posts left out by a cap (see Data.MorePosts).
	MorePosts int
	Upcoming  []catalog.Webinar
	OnDemand  []catalog.Webinar
	Changes   []Change
	// NewUpcoming counts the Upcoming webinars no earlier issue announced.
	NewUpcoming int

	// Links builds the links to `venerdi serve` (web version, calendar
	// files); nil leaves them out.
	Links *links.Builder
	// UTM tags the links to Site.URL's host; nil: no tagging. An empty
	// Campaign is the week key, an empty Content the post's slug.
	UTM *links.UTM
	// Sender is the name the footer gives for who sends the newsletter
	// (the From display name); empty: Site.Title.
	Sender string
	// Address is the sender's postal address for the footer; may be "".
	Address string
}

// Empty reports whether there is nothing new to tell subscribers: webinars
// that an earlier issue already announced are a reminder, not news.
func (in *Input) Empty() bool {
	return len(in.Posts) == 0 && len(in.OnDemand) == 0 && len(in.Changes) == 0 && in.NewUpcoming == 0
}

// ImageWidth is the width, in CSS pixels, at which the default template
// shows a post's image: the 600 px column less its padding.
const ImageWidth = 536

// Build turns an Input into the template data model, with the unsubscribe
// URL left as UnsubscribePlaceholder.
func Build(in *Input) *Data {
	lang := Lang(in.Lang)
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}
	now := in.Now.In(loc)
	host := ""
	if u, err := url.Parse(in.Site.URL); err == nil {
		host = u.Hostname()
	}
	tag := func(raw, content string) string {
		if in.UTM == nil {
			return raw
		}
		u := *in.UTM
		if u.Campaign == "" {
			u.Campaign = in.Week
		}
		if u.Content == "" {
			u.Content = content
		}
		return links.TagUTM(raw, host, u)
	}
	d := &Data{
		Site:           in.Site,
		Lang:           lang,
		Week:           in.Week,
		MorePosts:      in.MorePosts,
		Date:           FormatDate(now, lang),
		ShortDate:      formatDayMonth(now, lang),
		Series:         in.Series,
		UnsubscribeURL: UnsubscribePlaceholder,
		T:              Labels(lang),
		SiteLink:       tag(in.Site.URL, ""),
		Sender:         in.Sender,
		Address:        in.Address,
	}
	if d.Sender == "" {
		d.Sender = in.Site.Title
	}
	if in.Links != nil {
		d.WebVersionURL = in.Links.Issue(in.Week)
	}
	for _, p := range in.Posts {
		c := readContent(p.ContentHTML, p.ImageURL)
		excerpt := c.excerpt
		if excerpt == "" {
			excerpt = p.Excerpt
		}
		slug := links.Slug(p.Link)
		v := Post{
			Title:      p.Title,
			URL:        tag(p.Link, slug),
			Author:     p.Author,
			Date:       FormatDate(p.Published.In(loc), lang),
			Excerpt:    excerpt,
			Content:    template.HTML(p.ContentHTML), // sanitised by package feed before it was stored
			ImageURL:   p.ImageURL,
			ImageAlt:   c.imageAlt,
			FeedTitle:  p.FeedTitle,
			Categories: p.Categories,
			Slug:       slug,
			RawURL:     p.Link,
			ShortTitle: shortTitle(p.Title),
		}
		if p.ImageURL != "" {
			v.ImageWidth = ImageWidth
			if c.imageW > 0 && c.imageH > 0 {
				v.ImageHeight = (ImageWidth*c.imageH + c.imageW/2) / c.imageW
			}
		}
		d.Posts = append(d.Posts, v)
	}
	for _, w := range in.Upcoming {
		d.Upcoming = append(d.Upcoming, webinar(w, loc, lang, now, in.Links))
	}
	for _, w := range in.OnDemand {
		d.OnDemand = append(d.OnDemand, webinar(w, loc, lang, now, in.Links))
	}
	for _, c := range in.Changes {
		v := webinar(c.Webinar, loc, lang, now, in.Links)
		if !c.StartsAt.Equal(c.AnnouncedStart) && !c.AnnouncedStart.IsZero() {
			v.Moved = true
			v.OldWhen = formatWebinarWhen(c.AnnouncedStart.In(loc), c.Duration, c.AllDay, lang, now)
		}
		d.Changes = append(d.Changes, v)
	}
	return d
}

func webinar(w catalog.Webinar, loc *time.Location, lang string, now time.Time, lb *links.Builder) Webinar {
	v := Webinar{
		ID:           w.ID,
		Title:        w.Title,
		Speaker:      w.Speaker,
		Description:  w.Description,
		URL:          w.URL,
		RecordingURL: w.RecordingURL,
		When:         formatWebinarWhen(w.StartsAt.In(loc), w.Duration, w.AllDay, lang, now),
		Duration:     int(w.Duration / time.Minute),
		AllDay:       w.AllDay,
		Cancelled:    w.Cancelled,
	}
	if !w.AllDay {
		v.Zone = ZoneName(loc, lang)
	}
	if w.Cancelled || w.RecordingURL != "" {
		return v // nothing to put in a calendar
	}
	ev := CalendarEvent(w, loc)
	v.GoogleCalendarURL = links.GoogleCalendar(ev)
	v.OutlookCalendarURL = links.OutlookCalendar(ev)
	if lb != nil && w.ID != "" {
		v.CalendarFileURL = lb.Calendar(w.ID)
	}
	return v
}

// CalendarEvent is w as the add-to-calendar links carry it: the same start
// and end as the .ics file `venerdi serve` answers with (an all-day event
// is its day in loc, end exclusive).
func CalendarEvent(w catalog.Webinar, loc *time.Location) links.Event {
	start := w.StartsAt.In(loc)
	ev := links.Event{Title: w.Title, Location: w.URL, Start: start, End: start.Add(w.Duration), AllDay: w.AllDay}
	if w.AllDay {
		ev.End = start.AddDate(0, 0, 1)
	}
	var details []string
	if w.Speaker != "" {
		details = append(details, w.Speaker)
	}
	if w.Description != "" {
		details = append(details, w.Description)
	}
	if w.URL != "" {
		details = append(details, w.URL)
	}
	ev.Details = strings.Join(details, "\n\n")
	return ev
}

// shortTitle is a title's head before its subtitle, "UTM fatti bene" for
// "UTM fatti bene: una convenzione di naming", when the head is long enough
// to stand alone; else the title, cut between words to fit a subject line.
func shortTitle(t string) string {
	for _, sep := range []string{": ", " – ", " — ", " - "} {
		if head, _, ok := strings.Cut(t, sep); ok && utf8.RuneCountInString(head) >= 8 {
			return head
		}
	}
	return plaintext.Excerpt(t, 60)
}
