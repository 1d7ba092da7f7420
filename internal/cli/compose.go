package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/venerdi/venerdi/internal/digest"
	"github.com/venerdi/venerdi/internal/schedule"
	"github.com/venerdi/venerdi/internal/store"
)

// recordingLookback is how far back the very first issue reports recordings.
const recordingLookback = 30 * 24 * time.Hour

// selection is what a new issue for now would carry, and the items to
// freeze with it.
type selection struct {
	input  digest.Input
	items  []store.Item
	cutoff time.Time // the previous issue's cut-off, or the first look-back
	first  bool
}

// selectIssue applies the selection rules (README: "What goes into an
// issue") to what is stored.
func (a *App) selectIssue(ctx context.Context, now time.Time) (*selection, error) {
	cfg, _ := a.Config()
	st, err := a.Store(ctx)
	if err != nil {
		return nil, err
	}
	loc := cfg.Location()
	lookback := time.Duration(cfg.Digest.FirstIssueDays) * 24 * time.Hour
	sel := &selection{cutoff: now.Add(-lookback), first: true}
	last, err := st.LastDigest(ctx)
	switch {
	case err == nil:
		sel.cutoff, sel.first = last.CutoffAt, false
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	series, err := st.Meta(ctx, "series")
	if err != nil {
		return nil, err
	}
	in := digest.Input{
		Site:     digest.Site{Title: cfg.Site.Title, URL: cfg.Site.URL},
		Lang:     cfg.Site.Language,
		Location: loc,
		Now:      now,
		Week:     schedule.WeekKey(now, loc),
		Series:   series,
	}
	posts, err := st.PostsForIssue(ctx, sel.cutoff, now, lookback)
	if err != nil {
		return nil, err
	}
	for _, p := range posts {
		in.Posts = append(in.Posts, p.Post)
		sel.items = append(sel.items, store.Item{Kind: "post", Ref: strconv.FormatInt(p.ID, 10)})
	}
	changes, err := st.WebinarChanges(ctx, now)
	if err != nil {
		return nil, err
	}
	changed := map[string]bool{}
	for _, c := range changes {
		changed[c.ID] = true
		in.Changes = append(in.Changes, digest.Change{Webinar: c.Webinar, AnnouncedStart: c.AnnouncedStart, AnnouncedCancelled: c.AnnouncedCancelled})
		sel.items = append(sel.items, store.Item{Kind: "change", Ref: c.ID, StartsAt: c.StartsAt, Cancelled: c.Cancelled})
	}
	upcoming, err := st.UpcomingWebinars(ctx, now, now.Add(time.Duration(cfg.Digest.UpcomingDays)*24*time.Hour))
	if err != nil {
		return nil, err
	}
	for _, w := range upcoming {
		if changed[w.ID] {
			continue // shown once, as a change
		}
		if !w.Announced {
			in.NewUpcoming++
		}
		in.Upcoming = append(in.Upcoming, w.Webinar)
		sel.items = append(sel.items, store.Item{Kind: "webinar", Ref: w.ID, StartsAt: w.StartsAt})
	}
	recSince := sel.cutoff
	if sel.first {
		recSince = now.Add(-recordingLookback)
	}
	recs, err := st.NewRecordings(ctx, recSince, sel.first, now)
	if err != nil {
		return nil, err
	}
	for _, w := range recs {
		in.OnDemand = append(in.OnDemand, w.Webinar)
		sel.items = append(sel.items, store.Item{Kind: "recording", Ref: w.ID})
	}
	sel.input = in
	return sel, nil
}

// render renders a selection with the configured templates.
func (a *App) render(sel *selection) (*digest.Rendered, error) {
	cfg, _ := a.Config()
	r, err := digest.NewRenderer(cfg.Site.Language, cfg.Path(cfg.Digest.Templates))
	if err != nil {
		return nil, err
	}
	return r.Render(digest.Build(&sel.input))
}

// errNothingNew is returned by compose when skip_empty holds the issue back.
type errNothingNew struct{ since time.Time }

func (e errNothingNew) Error() string {
	return "nothing new since " + e.since.Format("2006-01-02 15:04 MST")
}

// compose returns this week's issue: the frozen one when it exists, else a
// fresh one, rendered once and frozen. Two runs racing to compose the same
// week end up with the same issue: the loser reads the winner's.
func (a *App) compose(ctx context.Context, now time.Time, allowEmpty bool) (*store.Issue, bool, error) {
	cfg, _ := a.Config()
	st, err := a.Store(ctx)
	if err != nil {
		return nil, false, err
	}
	week := schedule.WeekKey(now, cfg.Location())
	if is, err := st.IssueByWeek(ctx, week); err == nil {
		return is, false, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, false, err
	}
	sel, err := a.selectIssue(ctx, now)
	if err != nil {
		return nil, false, err
	}
	if sel.input.Empty() && cfg.Digest.SkipEmpty && !allowEmpty {
		return nil, false, errNothingNew{sel.cutoff.In(cfg.Location())}
	}
	out, err := a.render(sel)
	if err != nil {
		return nil, false, err
	}
	is := &store.Issue{Week: week, Subject: out.Subject, HTML: out.HTML, Text: out.Text, ComposedAt: now, CutoffAt: now}
	err = st.CreateIssue(ctx, is, sel.items)
	if errors.Is(err, store.ErrIssueExists) {
		is, err = st.IssueByWeek(ctx, week)
		return is, false, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("freeze issue %s: %w", week, err)
	}
	a.logf("composed issue %s: %d posts, %d upcoming webinars, %d recordings, %d changes",
		week, len(sel.input.Posts), len(sel.input.Upcoming), len(sel.input.OnDemand), len(sel.input.Changes))
	return is, true, nil
}
