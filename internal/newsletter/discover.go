package newsletter

import (
	"context"
	"fmt"
	"time"

	"github.com/venerdi/venerdi/internal/feed"
	"github.com/venerdi/venerdi/internal/fetch"
)

// Discovered is what `venerdi init --blog` proposes for a new config.
type Discovered struct {
	Title    string
	URL      string
	Language string   // "it" or "en"; "" when the page says neither
	Feeds    []string // the blog's feed of posts, when one was found
	Notes    []string // what the author should check or fill in by hand
}

// Discover reads a blog's home page (or its feed, if that is the address
// given) and proposes the site's title, address, language and feed. Of the
// feeds a page advertises, the first feed of posts is taken (comments feeds
// never; a second format of the same posts would only repeat them). A feed
// guessed from WordPress's conventions is fetched and parsed before it is
// proposed.
func Discover(ctx context.Context, blogURL, version string) (*Discovered, error) {
	opts := fetch.Options{UserAgent: "venerdi/" + version, Timeout: 30 * time.Second, MaxBytes: 10 << 20}
	res, err := fetch.Get(ctx, blogURL, fetch.Validators{}, opts)
	if err != nil {
		return nil, fmt.Errorf("--blog: %w", err)
	}
	page := res.FinalURL
	if page == "" {
		page = blogURL
	}
	d, err := feed.Discover(res.Body, res.ContentType, page)
	if err != nil {
		return nil, fmt.Errorf("--blog %s: %w", blogURL, err)
	}
	out := &Discovered{Title: d.Title, URL: d.URL}
	switch d.Language {
	case "it", "en":
		out.Language = d.Language
	case "":
	default:
		out.Notes = append(out.Notes, fmt.Sprintf("the blog is in %q; venerdi writes issues in it or en (site.language)", d.Language))
	}
	for _, f := range d.Feeds {
		if f.Comments {
			continue
		}
		if f.Guessed {
			if err := checkFeed(ctx, f.URL, opts); err != nil {
				out.Notes = append(out.Notes, fmt.Sprintf("the page links to no feed and %s does not answer with one (%v): put the blog's feed in sources.feeds", f.URL, err))
				break
			}
		}
		out.Feeds = []string{f.URL}
		break
	}
	if len(d.Feeds) == 0 {
		out.Notes = append(out.Notes, fmt.Sprintf("%s links to no feed: put the blog's feed in sources.feeds", page))
	}
	if out.Title == "" {
		out.Notes = append(out.Notes, fmt.Sprintf("%s gives no site name: put one in site.title", page))
	}
	return out, nil
}

func checkFeed(ctx context.Context, u string, opts fetch.Options) error {
	res, err := fetch.Get(ctx, u, fetch.Validators{}, opts)
	if err != nil {
		return err
	}
	_, err = feed.Parse(res.Body, res.ContentType, res.FinalURL, time.Now())
	return err
}
