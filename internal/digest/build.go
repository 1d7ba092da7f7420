package digest

import (
	"html/template"
	"time"

	"github.com/venerdi/venerdi/internal/catalog"
	"github.com/venerdi/venerdi/internal/feed"
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
	Upcoming []catalog.Webinar
	OnDemand []catalog.Webinar
	Changes  []Change
	// NewUpcoming counts the Upcoming webinars no earlier issue announced.
	NewUpcoming int
}

// Empty reports whether there is nothing new to tell subscribers: webinars
// that an earlier issue already announced are a reminder, not news.
func (in *Input) Empty() bool {
	return len(in.Posts) == 0 && len(in.OnDemand) == 0 && len(in.Changes) == 0 && in.NewUpcoming == 0
}

// Build turns an Input into the template data model, with the unsubscribe
// URL left as UnsubscribePlaceholder.
func Build(in *Input) *Data {
	lang := Lang(in.Lang)
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}
	d := &Data{
		Site:           in.Site,
		Lang:           lang,
		Week:           in.Week,
		Date:           FormatDate(in.Now.In(loc), lang),
		Series:         in.Series,
		UnsubscribeURL: UnsubscribePlaceholder,
		T:              Labels(lang),
	}
	for _, p := range in.Posts {
		d.Posts = append(d.Posts, Post{
			Title:      p.Title,
			URL:        p.Link,
			Author:     p.Author,
			Date:       FormatDate(p.Published.In(loc), lang),
			Excerpt:    p.Excerpt,
			Content:    template.HTML(p.ContentHTML), // sanitised by package feed before it was stored
			ImageURL:   p.ImageURL,
			ImageAlt:   p.Title,
			FeedTitle:  p.FeedTitle,
			Categories: p.Categories,
		})
	}
	for _, w := range in.Upcoming {
		d.Upcoming = append(d.Upcoming, webinar(w, loc, lang))
	}
	for _, w := range in.OnDemand {
		d.OnDemand = append(d.OnDemand, webinar(w, loc, lang))
	}
	for _, c := range in.Changes {
		v := webinar(c.Webinar, loc, lang)
		if !c.StartsAt.Equal(c.AnnouncedStart) && !c.AnnouncedStart.IsZero() {
			v.Moved = true
			v.OldWhen = FormatWhen(c.AnnouncedStart.In(loc), c.Duration, c.AllDay, lang)
		}
		d.Changes = append(d.Changes, v)
	}
	return d
}

func webinar(w catalog.Webinar, loc *time.Location, lang string) Webinar {
	return Webinar{
		Title:        w.Title,
		Speaker:      w.Speaker,
		Description:  w.Description,
		URL:          w.URL,
		RecordingURL: w.RecordingURL,
		When:         FormatWhen(w.StartsAt.In(loc), w.Duration, w.AllDay, lang),
		Duration:     int(w.Duration / time.Minute),
		AllDay:       w.AllDay,
		Cancelled:    w.Cancelled,
	}
}
