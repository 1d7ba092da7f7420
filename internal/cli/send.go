package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/venerdi/venerdi/internal/newsletter"
)

type sendOptions struct {
	newsletter.SendOptions
	DryRun      bool
	To          string
	RetryFailed bool
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
			return a.withCore(cmd.Context(), func(ctx context.Context, nl *newsletter.Newsletter) error {
				return runSend(ctx, a.out, nl, o)
			})
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

func runSend(ctx context.Context, p *printer, nl *newsletter.Newsletter, o sendOptions) error {
	switch {
	case o.To != "":
		addr, _, err := newsletter.ParseAddress(o.To)
		if err != nil {
			return usageError{fmt.Errorf("--to: %w", err)}
		}
		_, err = nl.SendTest(ctx, addr)
		return err
	case o.DryRun:
		return runDryRun(ctx, p, nl, o)
	case o.RetryFailed:
		rep, err := nl.RetryFailed(ctx, o.Force)
		reportDelivery(p, rep, err)
		return err
	}
	rep, err := nl.Send(ctx, o.SendOptions)
	if rep == nil {
		return err
	}
	switch {
	case rep.Outcome == newsletter.NothingNew:
		p.Printf("%s: no issue this week", (&newsletter.NothingNewError{Since: rep.Since}).Error())
	case rep.Outcome == newsletter.AlreadySent:
		p.Printf("issue %s was already sent on %s to %d subscribers; nothing to send",
			rep.Issue.Week, rep.Issue.FinishedAt.In(nl.Location()).Format("2006-01-02 15:04"), rep.SentTo)
	default:
		reportDelivery(p, rep, err)
	}
	return err
}

// reportDelivery prints the one line a delivery run earns: on standard
// error when it failed, with -v when it went well.
func reportDelivery(p *printer, rep *newsletter.SendReport, err error) {
	if rep == nil || !rep.Attempted {
		return
	}
	s := rep.Summary
	line := fmt.Sprintf("issue %s: %d sent, %d bounced, %d failed, %d skipped in %s",
		rep.Issue.Week, s.Sent, s.Bounced, s.Failed, s.Skipped, rep.Elapsed.Round(time.Millisecond))
	switch {
	case rep.DeliveryErr != nil:
		p.Notef("%s", line)
	case rep.Outcome == newsletter.NoRecipients:
		p.Printf("issue %s has no recipient left to send to", rep.Issue.Week)
	default:
		p.Verbosef("%s", line)
	}
}

// runDryRun fetches, then shows what a send would do without composing,
// freezing or sending anything.
func runDryRun(ctx context.Context, p *printer, nl *newsletter.Newsletter, o sendOptions) error {
	var gatherErr error
	if !o.NoFetch {
		_, gatherErr = nl.Gather(ctx)
	}
	plan, err := nl.DryRun(ctx, o.AllowEmpty)
	if err != nil {
		return errors.Join(gatherErr, err)
	}
	switch {
	case plan.Frozen != nil:
		is := plan.Frozen
		p.Printf("dry run: issue %s (%q) is frozen (%s); %d sent so far, %d active subscribers still to get it",
			is.Week, is.Subject, is.Status, plan.SentSoFar, plan.Left)
	case plan.NothingNew != nil:
		p.Printf("dry run: %s: no issue this week", plan.NothingNew)
	default:
		c := plan.Counts
		p.Printf("dry run: would send %q to %d active subscribers: %d posts, %d upcoming webinars, %d recordings, %d changes",
			plan.Subject, plan.Active, c.Posts, c.Upcoming, c.Recordings, c.Changes)
		for _, t := range plan.Posts {
			p.Printf("  post     %s", t)
		}
		for _, t := range plan.Upcoming {
			p.Printf("  webinar  %s", t)
		}
		for _, t := range plan.Recordings {
			p.Printf("  on demand %s", t)
		}
	}
	return gatherErr
}
