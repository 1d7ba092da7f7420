package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/venerdi/venerdi/internal/newsletter"
)

const letterLong = `Letters are the occasional mails beside the Friday digest: a Markdown file
with a YAML front matter, sent to the same list with the same guarantees
(frozen once, a ledger per recipient, resumed after a crash, one run at a
time, the relay's refusals stopping the run).

  ---
  subject: "Auguri da Bottega"          # required
  preheader: "Tre novità per il 2027"   # optional: the inbox's preview line
  stream: letters                       # letters (default) or digest
  ---
  Cari lettori, …

The Markdown is CommonMark with GFM tables, autolinks and strikethrough,
and the typographer («…» in Italian); relative links and images resolve
against site.url; raw HTML is dropped and the rest sanitised as the feed's
posts are. The layout is the digest's (templates letter.html, letter.txt;
'venerdi templates export'); the footer's wording and its unsubscribe link
follow the stream (a letter with "stream: digest" speaks of the Friday
newsletter).

A letter is identified by its content: sending the same file again sends
nothing and says when it went out; a file edited after a send is a new
letter only with --again. Each stream has its own List-Id (mail.list_id for
the digest, mail.list_id_letters for the letters) and one-click unsubscribe
stops only the stream of the message.`

func newLetterCmd(a *App) *cobra.Command {
	cmd := groupCmd(&cobra.Command{
		Use:   "letter",
		Short: "Preview and send a Markdown letter to the list, beside the digest",
		Long:  letterLong,
	})
	cmd.AddCommand(newLetterPreviewCmd(a), newLetterSendCmd(a))
	return cmd
}

func newLetterPreviewCmd(a *App) *cobra.Command {
	return renderCmd(a, &cobra.Command{
		Use:   "preview FILE.md",
		Short: "Render a letter without sending or freezing it",
		Long: `Render the letter FILE.md as subscribers would get it and print it or write
it to --out. Nothing is sent and nothing is recorded. A letter already sent
shows as it was frozen.`,
		Args: exactArgs(1),
	}, func(ctx context.Context, nl *newsletter.Newsletter, args []string, f newsletter.Format) ([]byte, error) {
		return nl.PreviewLetter(ctx, args[0], f)
	})
}

// writeOut writes body to standard output, or to the file out.
func writeOut(p *printer, out string, body []byte) error {
	if out == "" {
		_, err := p.Write(body)
		return err
	}
	if err := os.WriteFile(out, body, 0o644); err != nil {
		return err
	}
	p.Verbosef("wrote %s (%d bytes)", out, len(body))
	return nil
}

type letterSendOptions struct {
	newsletter.LetterOptions
	DryRun bool
	To     string
	At     string
}

func newLetterSendCmd(a *App) *cobra.Command {
	var o letterSendOptions
	cmd := &cobra.Command{
		Use:   "send FILE.md",
		Short: "Send a letter to every active subscriber of its stream",
		Long: `Send the letter FILE.md to every active subscriber who gets its stream
(front matter "stream:", default letters). Safe to rerun: the same file
sends nothing the second time and says when it went out; a run that was
killed resumes where it stopped (the same command resumes it, and a
stopped run's error says so). A file edited after it was sent is
refused (exit 1) unless --again, which sends it as a new letter.

--at schedules it: the letter is frozen now and sent when its time comes by
'venerdi send --if-due' (the cron line) or the scheduler ('venerdi run',
'serve --scheduler'); one that fell due more than digest.max_delay ago is
skipped with a warning (--force sends it anyway). --at takes RFC 3339
(2026-12-24T09:00:00+01:00) or "2026-12-24 09:00" in site.timezone.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Path = args[0]
			return a.withCore(cmd.Context(), func(ctx context.Context, nl *newsletter.Newsletter) error {
				if o.At != "" {
					t, err := nl.ParseTime(o.At)
					if err != nil {
						return usageError{fmt.Errorf("--at: %w", err)}
					}
					o.LetterOptions.At = t
				}
				return runLetterSend(ctx, a.out, nl, o)
			})
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.DryRun, "dry-run", false, "show what would be sent, and to how many; send, freeze and record nothing")
	f.StringVar(&o.To, "to", "", "send a test copy to ADDR only; the ledger is untouched")
	f.StringVar(&o.At, "at", "", `send at TIME (RFC 3339, or "2026-12-24 09:00" in site.timezone) via send --if-due or the scheduler`)
	f.BoolVar(&o.Again, "again", false, "send a file edited since it was sent as a new letter")
	f.BoolVar(&o.Force, "force", false, "resume a letter that fell due more than digest.max_delay ago")
	return cmd
}

func runLetterSend(ctx context.Context, p *printer, nl *newsletter.Newsletter, o letterSendOptions) error {
	loc := nl.Location()
	switch {
	case o.To != "":
		addr, _, err := newsletter.ParseAddress(o.To)
		if err != nil {
			return usageError{fmt.Errorf("--to: %w", err)}
		}
		_, err = nl.SendLetterTest(ctx, o.Path, addr)
		return err
	case o.DryRun:
		plan, err := nl.DryRunLetter(ctx, o.Path)
		if err != nil {
			return err
		}
		switch {
		case plan.Frozen != nil:
			p.Printf("dry run: letter %s (%q) is frozen (%s); %d sent so far", newsletter.IssueKey(plan.Frozen), plan.Subject, plan.Frozen.Status, plan.SentSoFar)
		case plan.Changed != nil && !o.Again:
			p.Printf("dry run: %s was sent before as letter %d and has changed since: only --again would send it", o.Path, plan.Changed.ID)
		default:
			p.Printf("dry run: would send %q to %d active subscribers of the %s stream", plan.Subject, plan.Recipients, plan.Stream)
		}
		return nil
	}
	rep, err := nl.SendLetter(ctx, o.LetterOptions)
	if rep == nil {
		return err
	}
	switch rep.Outcome {
	case newsletter.Scheduled:
		p.Printf("letter %s (%q) scheduled for %s; 'venerdi send --if-due' or the scheduler sends it then",
			newsletter.IssueKey(rep.Issue), rep.Issue.Subject, rep.Issue.SendAt.In(loc).Format("Mon 2 Jan 2006 15:04 MST"))
	default:
		reportDelivery(p, p.Printf, nl, "letter", rep, err)
	}
	return err
}
