package cli

import (
	"context"
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
more than digest.max_delay ago needs --force.

Nothing is composed unless it can go out: a feed or catalog that does not
answer holds the week's issue (exit 1; the next send tries again;
--allow-partial or digest.allow_partial sends without it), and so do an
empty list and a relay that refuses the login. A refusal that is the
relay's, not a subscriber's (530 at MAIL FROM, 554 5.7.1 relay denied,
552 message too big, a relay that cannot be reached) stops the send at
once, bounces nobody and names the setting to check.

--if-due is for the frequent cron line and systemd timer ('venerdi
schedule'): it acts only when a send slot (digest.weekday, digest.time in
site.timezone) has passed and its issue is not sent yet, and otherwise
exits 0 at once, silently, fetching nothing. A slot missed by more than
digest.max_delay is skipped with one warning naming the next slot.`

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
	f.BoolVar(&o.AllowPartial, "allow-partial", false, "send even when a feed or the catalog did not answer (default: hold the issue)")
	f.BoolVar(&o.IfDue, "if-due", false, "act only when a send slot is due and unsent; otherwise exit 0 silently (for cron)")
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
		if rep != nil {
			reportDelivery(p, p.Printf, nl, "issue", rep, err)
		}
		return err
	}
	rep, err := nl.Send(ctx, o.SendOptions)
	if rep == nil {
		return err
	}
	// The frequent cron line (--if-due) is silent unless -v.
	say := p.Printf
	if o.IfDue {
		say = p.Verbosef
	}
	switch rep.Outcome {
	case newsletter.NotDue, newsletter.Busy, newsletter.Missed: // Missed warned already
		if rep.Outcome == newsletter.NotDue && !rep.Next.IsZero() {
			p.Verbosef("no issue due; the next one goes out %s", rep.Next.In(nl.Location()).Format("Mon 2 Jan 15:04 MST"))
		}
	case newsletter.NothingNew:
		say("%s: no issue this week", (&newsletter.NothingNewError{Since: rep.Since}).Error())
	default:
		reportDelivery(p, say, nl, "issue", rep, err)
	}
	return err
}

// reportDelivery prints how a send of an issue or a letter (noun) ended
// when it did not fail: already sent, nobody to send to, or with -v the
// run's counts. A failure is the error itself, one line with the counts
// (newsletter.DeliveryError), printed by main.
func reportDelivery(p *printer, say func(string, ...any), nl *newsletter.Newsletter, noun string, rep *newsletter.SendReport, err error) {
	name := ""
	if is := rep.Issue; is != nil {
		name = newsletter.IssueKey(is)
		if noun == "letter" {
			// A letter has no week to recognise it by; its subject does.
			name += fmt.Sprintf(" (%q)", is.Subject)
		}
	}
	switch {
	case rep.Outcome == newsletter.AlreadySent:
		say("%s %s was already sent on %s to %d subscribers; nothing to send",
			noun, name, rep.Issue.FinishedAt.In(nl.Location()).Format("2006-01-02 15:04"), rep.SentTo)
	case rep.Outcome == newsletter.NoRecipients && rep.Issue == nil:
		p.Printf("no active subscriber gets this %s: nothing composed or sent", noun)
	case rep.Outcome == newsletter.NoRecipients:
		p.Printf("%s %s has no recipient left to send to", noun, name)
	case rep.Attempted && err == nil:
		s := rep.Summary
		p.Verbosef("%s %s: %d sent, %d bounced, %d failed, %d skipped in %s",
			noun, newsletter.IssueKey(rep.Issue), s.Sent, s.Bounced, s.Failed, s.Skipped, rep.Elapsed.Round(time.Millisecond))
	}
}

// runDryRun shows what a send would do without composing, freezing or
// sending anything.
// A source that failed makes it say what the send would do (hold the
// issue: exit 1, as the send would) after what the issue would carry.
func runDryRun(ctx context.Context, p *printer, nl *newsletter.Newsletter, o sendOptions) error {
	plan, err := nl.DryRun(ctx, o.SendOptions)
	if err != nil {
		return err
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
	if plan.Held != nil {
		return plan.Held
	}
	return nil
}
