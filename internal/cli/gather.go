package cli

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/venerdi/venerdi/internal/catalog"
	"github.com/venerdi/venerdi/internal/config"
	"github.com/venerdi/venerdi/internal/feed"
	"github.com/venerdi/venerdi/internal/fetch"
	"github.com/venerdi/venerdi/internal/store"
)

// sourceReport is the outcome of gathering one source.
type sourceReport struct {
	Name     string // as configured
	Kind     string // feed | catalog
	Items    int    // posts or webinars in the document (0 when not modified)
	Added    int
	Updated  int
	Unmodded bool
	Err      error
}

func (r sourceReport) String() string {
	switch {
	case r.Err != nil:
		return fmt.Sprintf("%s %s: %v", r.Kind, r.Name, r.Err)
	case r.Unmodded:
		return fmt.Sprintf("%s %s: not modified", r.Kind, r.Name)
	}
	noun := "posts"
	if r.Kind == "catalog" {
		noun = "webinars"
	}
	return fmt.Sprintf("%s %s: %d %s (%d new, %d updated)", r.Kind, r.Name, r.Items, noun, r.Added, r.Updated)
}

// gatherError lists the sources that failed; the others were stored.
type gatherError struct{ failed []sourceReport }

func (e *gatherError) Error() string {
	lines := make([]string, len(e.failed))
	for i, r := range e.failed {
		lines[i] = r.String()
	}
	if len(lines) == 1 {
		return lines[0]
	}
	return fmt.Sprintf("%d sources failed:\n  %s", len(lines), strings.Join(lines, "\n  "))
}

// gather fetches every feed and the catalog into the store. One failing
// source does not stop the others; the error returned names each failure.
func (a *App) gather(ctx context.Context) ([]sourceReport, error) {
	cfg, err := a.Config()
	if err != nil {
		return nil, err
	}
	st, err := a.Store(ctx)
	if err != nil {
		return nil, err
	}
	opts := fetch.Options{
		UserAgent: fmt.Sprintf("venerdi/%s (+%s)", Version, cfg.Site.URL),
		Timeout:   cfg.Sources.Timeout.Duration,
		MaxBytes:  cfg.Sources.MaxBytes,
	}
	var reports []sourceReport
	for _, f := range cfg.Sources.Feeds {
		reports = append(reports, a.gatherSource(ctx, st, cfg, "feed", f, opts))
	}
	if cfg.Sources.Catalog != "" {
		reports = append(reports, a.gatherSource(ctx, st, cfg, "catalog", cfg.Sources.Catalog, opts))
	}
	var failed []sourceReport
	for _, r := range reports {
		a.logf("%s", r)
		if r.Err != nil {
			failed = append(failed, r)
		}
	}
	if ctx.Err() != nil {
		return reports, ctx.Err()
	}
	if len(failed) > 0 {
		return reports, &gatherError{failed}
	}
	return reports, nil
}

func (a *App) gatherSource(ctx context.Context, st *store.Store, cfg *config.Config, kind, name string, opts fetch.Options) sourceReport {
	rep := sourceReport{Name: name, Kind: kind}
	now := a.Now()
	src, err := st.Source(ctx, name)
	if err != nil {
		rep.Err = err
		return rep
	}
	res, err := fetch.Get(ctx, cfg.Path(src.CurrentURL), src.Validators, opts)
	if errors.Is(err, fetch.ErrNotModified) {
		rep.Unmodded = true
		src.LastError = ""
		if err := st.SaveSource(ctx, src, now); err != nil {
			rep.Err = err
		}
		return rep
	}
	if err == nil {
		if res.MovedTo != "" && res.MovedTo != src.CurrentURL {
			// Said once: from now on the stored URL is the new one.
			fmt.Fprintf(a.Err, "venerdi: %s %s moved permanently to %s; using the new address (update venerdi.toml)\n", kind, name, res.MovedTo)
			src.CurrentURL = res.MovedTo
		}
		if kind == "feed" {
			err = a.storeFeed(ctx, st, &rep, &src, res, now)
		} else {
			err = a.storeCatalog(ctx, st, cfg, &rep, res, now)
		}
		if err == nil {
			src.Validators = res.Validators
		}
	}
	if err != nil {
		rep.Err = err
		src.LastError = err.Error()
	} else {
		src.LastError = ""
	}
	if serr := st.SaveSource(ctx, src, now); serr != nil && rep.Err == nil {
		rep.Err = serr
	}
	return rep
}

func (a *App) storeFeed(ctx context.Context, st *store.Store, rep *sourceReport, src *store.Source, res *fetch.Result, now time.Time) error {
	base := res.FinalURL
	f, err := feed.Parse(res.Body, res.ContentType, base, now)
	if err != nil {
		return err
	}
	src.Title = f.Title
	up, err := st.UpsertPosts(ctx, src.URL, f.Posts, now)
	if err != nil {
		return err
	}
	rep.Items, rep.Added, rep.Updated = len(f.Posts), up.Added, up.Updated
	return nil
}

func (a *App) storeCatalog(ctx context.Context, st *store.Store, cfg *config.Config, rep *sourceReport, res *fetch.Result, now time.Time) error {
	format := catalog.Format(cfg.Sources.CatalogFormat)
	if format == "" {
		name := res.FinalURL
		if name == "" {
			name = rep.Name
		}
		if u, err := url.Parse(name); err == nil && u.Path != "" {
			name = path.Base(u.Path)
		}
		var err error
		if format, err = catalog.DetectFormat(name, res.ContentType); err != nil {
			return err
		}
	}
	c, err := catalog.Parse(res.Body, format, catalog.Options{Location: cfg.Location(), Now: now, Source: rep.Name})
	if err != nil {
		return err
	}
	for _, w := range c.Warnings {
		a.logf("catalog %s: %s", rep.Name, w)
	}
	up, err := st.UpsertWebinars(ctx, c.Webinars, now)
	if err != nil {
		return err
	}
	if c.Series != "" {
		if err := st.SetMeta(ctx, "series", c.Series); err != nil {
			return err
		}
	}
	rep.Items, rep.Added, rep.Updated = len(c.Webinars), up.Added, up.Updated
	return nil
}
