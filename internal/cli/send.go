package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/venerdi/venerdi/internal/delivery"
	"github.com/venerdi/venerdi/internal/lock"
	"github.com/venerdi/venerdi/internal/mailer"
	"github.com/venerdi/venerdi/internal/schedule"
	"github.com/venerdi/venerdi/internal/store"
)

type sendOptions struct {
	DryRun      bool
	To          string
	AllowEmpty  bool
	Force       bool
	RetryFailed bool
	NoFetch     bool
}

const sendLong = `Send this week's issue: fetch the sources, compose the issue (once: it is
frozen in the database), and deliver it to every active subscriber that has
not had it yet. Safe to rerun: a second send in the same week sends nothing,
and a run that was killed resumes where it stopped.

With smtp.host empty, messages are written as .eml files to outbox.dir.

A run that finds nothing new since the last issue exits 0 saying so
(digest.skip_empty; --allow-empty sends anyway). Resuming an issue composed
more than digest.max_delay ago needs --force.`

func newSendCmd(a *App) *cobra.Command {
	var o sendOptions
	cmd := &cobra.Command{
		Use:   "send",
		Short: "Fetch, compose and deliver this week's issue (the cron job)",
		Long:  sendLong,
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runSend(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.DryRun, "dry-run", false, "fetch and show what would be sent; send, compose and record nothing")
	f.StringVar(&o.To, "to", "", "send a test copy of this week's issue to ADDR only; the ledger is untouched")
	f.BoolVar(&o.AllowEmpty, "allow-empty", false, "send even when nothing is new")
	f.BoolVar(&o.Force, "force", false, "resume (or --retry-failed) an issue older than digest.max_delay")
	f.BoolVar(&o.RetryFailed, "retry-failed", false, "retry the temporary failures of the last issue (no fetch, no compose)")
	f.BoolVar(&o.NoFetch, "no-fetch", false, "use what is stored; do not fetch the sources first")
	return cmd
}

func (a *App) runSend(ctx context.Context, o sendOptions) error {
	cfg, err := a.Config()
	if err != nil {
		return err
	}
	if o.To != "" {
		return a.sendTest(ctx, o.To)
	}
	if o.DryRun {
		return a.dryRun(ctx, o)
	}
	// The lock comes before the database is even opened, so a second run
	// touches nothing.
	l, err := lock.Acquire(a.dbPath(cfg)+".lock", "send", time.Now())
	if err != nil {
		return err
	}
	defer l.Release()
	if l.TookOver {
		a.logf("took over the lock of a run that died")
	}
	st, err := a.Store(ctx)
	if err != nil {
		return err
	}

	if o.RetryFailed {
		is, err := st.LastIssue(ctx)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no issue has been composed yet: nothing to retry")
		}
		if err != nil {
			return err
		}
		if err := a.staleGuard(is, o.Force); err != nil {
			return err
		}
		return a.deliver(ctx, is, true)
	}

	var gatherErr error
	if !o.NoFetch {
		_, gatherErr = a.gather(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	now := a.Now()
	is, fresh, err := a.compose(ctx, now, o.AllowEmpty)
	var nothing errNothingNew
	if errors.As(err, &nothing) {
		fmt.Fprintf(a.Out, "%s: no issue this week\n", nothing.Error())
		return gatherErr
	}
	if err != nil {
		return errors.Join(gatherErr, err)
	}
	if is.Status == "done" {
		counts, err := st.LedgerCounts(ctx, is.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.Out, "issue %s was already sent on %s to %d subscribers; nothing to send\n",
			is.Week, is.FinishedAt.In(cfg.Location()).Format("2006-01-02 15:04"), counts[store.LedgerSent])
		return gatherErr
	}
	if !fresh {
		if err := a.staleGuard(is, o.Force); err != nil {
			return errors.Join(gatherErr, err)
		}
	}
	if !fresh {
		a.logf("resuming issue %s composed %s", is.Week, is.ComposedAt.In(cfg.Location()).Format(time.RFC3339))
	}
	return errors.Join(gatherErr, a.deliver(ctx, is, false))
}

// staleGuard refuses to resume an issue composed more than
// digest.max_delay ago unless forced: its "upcoming" webinars may be over.
func (a *App) staleGuard(is *store.Issue, force bool) error {
	cfg, _ := a.Config()
	now := a.Now()
	if force || !schedule.Stale(is.ComposedAt, now, cfg.Digest.MaxDelay.Duration) {
		return nil
	}
	return fmt.Errorf("issue %s was composed %s ago (digest.max_delay is %s): its news may be stale; pass --force to send it anyway",
		is.Week, now.Sub(is.ComposedAt).Round(time.Minute), cfg.Digest.MaxDelay.Duration)
}

// deliver runs the ledger-driven send of is and reports the outcome.
func (a *App) deliver(ctx context.Context, is *store.Issue, retry bool) error {
	st, _ := a.Store(ctx)
	opts, err := a.deliveryOptions(ctx, is)
	if err != nil {
		return err
	}
	opts.RetryFailed = retry
	var bar *progressbar.ProgressBar
	if isTerminal(a.Err) {
		opts.Start = func(total int) {
			bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(a.Err),
				progressbar.OptionSetDescription("sending "+is.Week), progressbar.OptionShowCount(),
				progressbar.OptionShowIts(), progressbar.OptionSetItsString("msg"), progressbar.OptionSetPredictTime(true),
				progressbar.OptionClearOnFinish(), progressbar.OptionThrottle(100*time.Millisecond))
		}
		opts.Progress = func(done int) { bar.Set(done) }
	}
	start := time.Now()
	sum, err := delivery.Run(ctx, st, *opts)
	if bar != nil {
		bar.Finish()
	}
	line := fmt.Sprintf("issue %s: %d sent, %d bounced, %d failed, %d skipped in %s",
		is.Week, sum.Sent, sum.Bounced, sum.Failed, sum.Skipped, time.Since(start).Round(time.Millisecond))
	if err != nil {
		fmt.Fprintln(a.Err, line)
		return err
	}
	if sum.Total == 0 {
		fmt.Fprintf(a.Out, "issue %s has no recipient left to send to\n", is.Week)
		return nil
	}
	a.logf("%s", line)
	return nil
}

// sendTest sends this week's issue (frozen, or rendered now without
// freezing) to one address, outside the ledger.
func (a *App) sendTest(ctx context.Context, to string) error {
	is, err := a.issueForPreview(ctx)
	if err != nil {
		return err
	}
	opts, err := a.deliveryOptions(ctx, is)
	if err != nil {
		return err
	}
	msgID := "<test." + strings.ReplaceAll(is.Week, "-", ".") + "." + fmt.Sprint(time.Now().UnixNano()) + "@" + delivery.DomainOf(opts.From) + ">"
	c, err := delivery.NewComposer(opts)
	if err != nil {
		return err
	}
	raw, err := c.Message(0, to, "", msgID)
	if err != nil {
		return err
	}
	conn, err := opts.Dial(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.Send(ctx, mailer.Envelope{From: delivery.AddressOf(opts.From), To: to}, raw); err != nil {
		return fmt.Errorf("test send to %s: %w", to, err)
	}
	a.logf("test copy of %q sent to %s", is.Subject, to)
	return nil
}

// dryRun fetches, then shows what a send would do without composing,
// freezing or sending anything.
func (a *App) dryRun(ctx context.Context, o sendOptions) error {
	var gatherErr error
	if !o.NoFetch {
		_, gatherErr = a.gather(ctx)
	}
	st, err := a.Store(ctx)
	if err != nil {
		return err
	}
	cfg, _ := a.Config()
	now := a.Now()
	subs, err := st.CountSubscribers(ctx)
	if err != nil {
		return err
	}
	if is, err := st.IssueByWeek(ctx, schedule.WeekKey(now, cfg.Location())); err == nil {
		counts, _ := st.LedgerCounts(ctx, is.ID)
		left := subs[store.Active] - counts[store.LedgerSent] - counts[store.LedgerBounced] - counts[store.LedgerSkipped]
		fmt.Fprintf(a.Out, "dry run: issue %s (%q) is frozen (%s); %d sent so far, %d active subscribers still to get it\n",
			is.Week, is.Subject, is.Status, counts[store.LedgerSent], max(left, 0))
		return gatherErr
	}
	sel, err := a.selectIssue(ctx, now)
	if err != nil {
		return errors.Join(gatherErr, err)
	}
	if sel.input.Empty() && cfg.Digest.SkipEmpty && !o.AllowEmpty {
		fmt.Fprintf(a.Out, "dry run: %s: no issue this week\n", errNothingNew{sel.cutoff.In(cfg.Location())}.Error())
		return gatherErr
	}
	out, err := a.render(sel)
	if err != nil {
		return errors.Join(gatherErr, err)
	}
	fmt.Fprintf(a.Out, "dry run: would send %q to %d active subscribers: %d posts, %d upcoming webinars, %d recordings, %d changes\n",
		out.Subject, subs[store.Active], len(sel.input.Posts), len(sel.input.Upcoming), len(sel.input.OnDemand), len(sel.input.Changes))
	for _, p := range sel.input.Posts {
		fmt.Fprintf(a.Out, "  post     %s\n", p.Title)
	}
	for _, w := range sel.input.Upcoming {
		fmt.Fprintf(a.Out, "  webinar  %s\n", w.Title)
	}
	for _, w := range sel.input.OnDemand {
		fmt.Fprintf(a.Out, "  on demand %s\n", w.Title)
	}
	return gatherErr
}
