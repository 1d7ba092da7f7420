package newsletter

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/venerdi/venerdi/internal/catalog"
	"github.com/venerdi/venerdi/internal/feed"
	"github.com/venerdi/venerdi/internal/fetch"
	"github.com/venerdi/venerdi/internal/store"
)

// SourceKind tells a blog feed from the webinar catalog.
type SourceKind string

// Source kinds.
const (
	FeedSource    SourceKind = "feed"
	CatalogSource SourceKind = "catalog"
)

// SourceReport is the outcome of gathering one source.
type SourceReport struct {
	Name        string // as configured
	Kind        SourceKind
	Items       int // posts or webinars in the document (0 when not modified)
	Added       int
	Updated     int
	NotModified bool
	Err         error
}

func (r SourceReport) String() string {
	switch {
	case r.Err != nil:
		return fmt.Sprintf("%s %s: %v", r.Kind, r.Name, r.Err)
	case r.NotModified:
		return fmt.Sprintf("%s %s: not modified", r.Kind, r.Name)
	}
	noun := "posts"
	if r.Kind == CatalogSource {
		noun = "webinars"
	}
	return fmt.Sprintf("%s %s: %d %s (%d new, %d updated)", r.Kind, r.Name, r.Items, noun, r.Added, r.Updated)
}

// GatherError lists the sources that failed; the others were stored.
type GatherError struct{ Failed []SourceReport }

func (e *GatherError) Error() string {
	lines := make([]string, len(e.Failed))
	for i, r := range e.Failed {
		lines[i] = r.String()
	}
	if len(lines) == 1 {
		return lines[0]
	}
	return fmt.Sprintf("%d sources failed:\n  %s", len(lines), strings.Join(lines, "\n  "))
}

// Gather fetches every feed and the catalog into the store. One failing
// source does not stop the others; the *GatherError returned names each
// failure, and what the others brought is kept.
func (n *Newsletter) Gather(ctx context.Context) ([]SourceReport, error) {
	opts := fetch.Options{
		UserAgent: fmt.Sprintf("venerdi/%s (+%s)", n.opts.Version, n.opts.Site.URL),
		Timeout:   n.opts.Sources.Timeout,
		MaxBytes:  n.opts.Sources.MaxBytes,
	}
	var reports []SourceReport
	for _, f := range n.opts.Sources.Feeds {
		reports = append(reports, n.gatherSource(ctx, FeedSource, f, opts))
	}
	if c := n.opts.Sources.Catalog; c != nil {
		reports = append(reports, n.gatherSource(ctx, CatalogSource, *c, opts))
	}
	var failed []SourceReport
	for _, r := range reports {
		n.rep.Verbosef("%s", r)
		if r.Err != nil {
			failed = append(failed, r)
		}
	}
	if ctx.Err() != nil {
		return reports, ctx.Err()
	}
	if len(failed) > 0 {
		return reports, &GatherError{failed}
	}
	return reports, nil
}

func (n *Newsletter) gatherSource(ctx context.Context, kind SourceKind, cfgSrc Source, opts fetch.Options) SourceReport {
	rep := SourceReport{Name: cfgSrc.Name, Kind: kind}
	now := n.now()
	src, err := n.st.Source(ctx, cfgSrc.Name)
	if err != nil {
		rep.Err = err
		return rep
	}
	// A source that moved for good is fetched at its new address; one that
	// never moved at its configured location, a relative path resolved.
	where := src.CurrentURL
	if where == cfgSrc.Name {
		where = cfgSrc.Location
	}
	res, err := fetch.Get(ctx, where, fetch.Validators{ETag: src.ETag, LastModified: src.LastModified}, opts)
	if errors.Is(err, fetch.ErrNotModified) {
		rep.NotModified = true
		src.LastError = ""
		if err := n.st.SaveSource(ctx, src, now); err != nil {
			rep.Err = err
		}
		return rep
	}
	if err == nil {
		if res.MovedTo != "" && res.MovedTo != src.CurrentURL {
			// Said once: from now on the stored URL is the new one.
			n.rep.Warnf("%s %s moved permanently to %s; using the new address (update venerdi.toml)", kind, cfgSrc.Name, res.MovedTo)
			src.CurrentURL = res.MovedTo
		}
		if kind == FeedSource {
			err = n.storeFeed(ctx, &rep, &src, res)
		} else {
			err = n.storeCatalog(ctx, &rep, res)
		}
		if err == nil {
			src.ETag, src.LastModified = res.Validators.ETag, res.Validators.LastModified
		}
	}
	if err != nil {
		rep.Err = err
		src.LastError = err.Error()
	} else {
		src.LastError = ""
	}
	if serr := n.st.SaveSource(ctx, src, now); serr != nil && rep.Err == nil {
		rep.Err = serr
	}
	return rep
}

func (n *Newsletter) storeFeed(ctx context.Context, rep *SourceReport, src *store.Source, res *fetch.Result) error {
	now := n.now()
	f, err := feed.Parse(res.Body, res.ContentType, res.FinalURL, now)
	if err != nil {
		return err
	}
	for _, w := range f.Warnings {
		n.rep.Verbosef("feed %s: %s", rep.Name, w)
	}
	src.Title = f.Title
	up, err := n.st.UpsertPosts(ctx, src.URL, f.Posts, now)
	if err != nil {
		return err
	}
	rep.Items, rep.Added, rep.Updated = len(f.Posts), up.Added, up.Updated
	return nil
}

// catalogFormat is the configured catalog format, else the one the
// fetched document's name (its final URL, else the configured name) and
// Content-Type tell.
func catalogFormat(configured string, res *fetch.Result, name string) (catalog.Format, error) {
	if configured != "" {
		return catalog.Format(configured), nil
	}
	return catalog.DetectFormat(cmp.Or(res.FinalURL, name), res.ContentType)
}

func (n *Newsletter) storeCatalog(ctx context.Context, rep *SourceReport, res *fetch.Result) error {
	now := n.now()
	format, err := catalogFormat(n.opts.Sources.CatalogFormat, res, rep.Name)
	if err != nil {
		return err
	}
	c, err := catalog.Parse(res.Body, format, catalog.Options{Location: n.opts.Site.Location, Now: now, Source: rep.Name})
	if err != nil {
		return err
	}
	for _, w := range c.Warnings {
		n.rep.Verbosef("catalog %s: %s", rep.Name, w)
	}
	up, err := n.st.UpsertWebinars(ctx, c.Webinars, now)
	if err != nil {
		return err
	}
	if c.Series != "" {
		if err := n.st.SetMeta(ctx, "series", c.Series); err != nil {
			return err
		}
	}
	rep.Items, rep.Added, rep.Updated = len(c.Webinars), up.Added, up.Updated
	return nil
}
