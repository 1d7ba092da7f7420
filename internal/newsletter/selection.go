package newsletter

import (
	"context"
	"strconv"
	"time"

	"github.com/venerdi/venerdi/internal/digest"
	"github.com/venerdi/venerdi/internal/schedule"
	"github.com/venerdi/venerdi/internal/store"
)

// recordingLookback is how far back the very first issue reports recordings.
const recordingLookback = 30 * 24 * time.Hour

// selection is what a new issue composed at now would carry, and the items
// to freeze with it.
type selection struct {
	input  digest.Input
	items  []store.Item
	cutoff time.Time // the previous issue's cut-off, or the first look-back
	first  bool
}

// Counts tells how much an issue carries.
type Counts struct {
	Posts, Upcoming, Recordings, Changes int
}

func (s *selection) counts() Counts {
	in := &s.input
	return Counts{Posts: len(in.Posts), Upcoming: len(in.Upcoming), Recordings: len(in.OnDemand), Changes: len(in.Changes)}
}

// selectIssue applies the selection rules (README: "What goes into an
// issue") to what is stored:
//   - posts published after the previous issue's cut-off (the first issue
//     looks back Rules.FirstIssueDays), up to now, never twice; a post that
//     turns up late with an old date still goes out once, within the
//     look-back; a post dated in the future waits for its date;
//   - live webinars starting within Rules.UpcomingDays, each announced as
//     new once and then listed as a reminder;
//   - recordings that appeared since the previous issue (the first issue
//     looks back 30 days);
//   - webinars an earlier issue announced that have since moved or been
//     cancelled, reported once, as a change rather than as upcoming.
func (n *Newsletter) selectIssue(ctx context.Context, now time.Time) (*selection, error) {
	loc := n.opts.Site.Location
	lookback := time.Duration(n.opts.Rules.FirstIssueDays) * 24 * time.Hour
	sel := &selection{cutoff: now.Add(-lookback), first: true}
	last, err := n.st.LastDigest(ctx)
	switch {
	case err == nil:
		sel.cutoff, sel.first = last.CutoffAt, false
	case !isNotFound(err):
		return nil, err
	}
	series, err := n.st.Meta(ctx, "series")
	if err != nil {
		return nil, err
	}
	in := digest.Input{
		Site:     digest.Site{Title: n.opts.Site.Title, URL: n.opts.Site.URL},
		Lang:     n.opts.Site.Language,
		Location: loc,
		Now:      now,
		Week:     schedule.WeekKey(now, loc),
		Series:   series,
	}
	// Newest first, at most Rules.MaxPosts: a flood of items (a feed that
	// changed its dates, a new feed's archive) cannot push the week's
	// posts out, make a message too big to send, or fill the memory.
	posts, total, err := n.st.PostsForIssue(ctx, sel.cutoff, now, lookback, n.opts.Rules.MaxPosts)
	if err != nil {
		return nil, err
	}
	in.MorePosts = total - len(posts)
	for _, p := range posts {
		in.Posts = append(in.Posts, p.Post)
		sel.items = append(sel.items, store.Item{Kind: store.ItemPost, Ref: strconv.FormatInt(p.ID, 10)})
	}
	changes, err := n.st.WebinarChanges(ctx, now)
	if err != nil {
		return nil, err
	}
	changed := map[string]bool{}
	for _, c := range changes {
		changed[c.ID] = true
		in.Changes = append(in.Changes, digest.Change{Webinar: c.Webinar, AnnouncedStart: c.AnnouncedStart, AnnouncedCancelled: c.AnnouncedCancelled})
		sel.items = append(sel.items, store.Item{Kind: store.ItemChange, Ref: c.ID, StartsAt: c.StartsAt, Cancelled: c.Cancelled})
	}
	upcoming, err := n.st.UpcomingWebinars(ctx, now, now.Add(time.Duration(n.opts.Rules.UpcomingDays)*24*time.Hour))
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
		sel.items = append(sel.items, store.Item{Kind: store.ItemWebinar, Ref: w.ID, StartsAt: w.StartsAt})
	}
	recSince := sel.cutoff
	if sel.first {
		recSince = now.Add(-recordingLookback)
	}
	recs, err := n.st.NewRecordings(ctx, recSince, sel.first, now)
	if err != nil {
		return nil, err
	}
	for _, w := range recs {
		in.OnDemand = append(in.OnDemand, w.Webinar)
		sel.items = append(sel.items, store.Item{Kind: store.ItemRecording, Ref: w.ID})
	}
	sel.input = in
	return sel, nil
}

// render renders a selection with the configured templates.
func (n *Newsletter) render(sel *selection) (*digest.Rendered, error) {
	return n.renderer.Render(digest.Build(n.issueInput(sel)))
}
