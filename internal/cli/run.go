package cli

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/venerdi/venerdi/internal/config"
	"github.com/venerdi/venerdi/internal/newsletter"
)

const runLong = `Stay in the foreground and send each issue when it is due: every
digest.weekday at digest.time in site.timezone (default Friday 09:00
Europe/Rome), fetching the sources digest.gather_lead before (default 15m)
so the issue goes out on the minute. It follows the same rules as
'send --if-due': a slot missed while it was not running is caught up
within digest.max_delay and skipped with a warning past it; a send that
fails (a source that did not answer, a relay that refused) is retried
every 5 minutes until then. The ledger makes every retry safe.

Logs go to standard error (--log-format, default web.log_format: text or
json) at info level; -v adds debug. Each slot is decided by the real clock
(--now is not used). SIGTERM or Ctrl-C stops it; a message on its way is
finished and recorded first. 'venerdi serve --scheduler' runs the same
scheduler inside the web server, for one process doing both.`

func newRunCmd(a *App) *cobra.Command {
	var logFormat string
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Built-in scheduler: send each issue when due (for systemd or a container, instead of cron)",
		Long:  runLong,
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			if err := setLogFormat(cfg, logFormat); err != nil {
				return err
			}
			a.now = time.Time{} // each slot is decided by the real time
			log := a.logger(cfg)
			nl, err := a.open(cmd.Context(), cfg, logReporter{log})
			if err != nil {
				return err
			}
			defer nl.Close()
			return nl.Schedule(cmd.Context(), schedulerOptions(cfg, log))
		},
	}
	addLogFormatFlag(cmd, &logFormat)
	return cmd
}

func addLogFormatFlag(cmd *cobra.Command, v *string) {
	cmd.Flags().StringVar(v, "log-format", "", "text or json (default web.log_format)")
	cmd.RegisterFlagCompletionFunc("log-format", cobra.FixedCompletions([]string{"text", "json"}, cobra.ShellCompDirectiveNoFileComp))
}

// setLogFormat applies --log-format over the config's web.log_format.
func setLogFormat(cfg *config.Config, f string) error {
	switch f {
	case "":
	case "text", "json":
		cfg.Web.LogFormat = f
	default:
		return usageError{fmt.Errorf("--log-format %q: use text or json", f)}
	}
	return nil
}

// schedulerOptions are the scheduler's settings and its log lines.
func schedulerOptions(cfg *config.Config, log *slog.Logger) newsletter.SchedulerOptions {
	return newsletter.SchedulerOptions{
		GatherLead: cfg.Digest.GatherLead.Duration,
		Event:      func(e newsletter.SchedulerEvent) { logSchedulerEvent(log, e) },
	}
}

func logSchedulerEvent(log *slog.Logger, e newsletter.SchedulerEvent) {
	switch e.Kind {
	case newsletter.EventWaiting:
		log.Debug("waiting", "until", e.At.Format(time.RFC3339))
	case newsletter.EventGathered:
		if e.Err != nil {
			log.Warn("early fetch failed; the send fetches again at the slot", "err", e.Err)
		} else {
			log.Info("sources fetched ahead of the slot")
		}
	case newsletter.EventFailed:
		log.Error("send failed", "err", e.Err, "retry_at", e.At.Format(time.RFC3339))
	case newsletter.EventSent:
		rep := e.Report
		switch {
		case rep.Outcome == newsletter.NothingNew:
			log.Info("nothing new: no issue this week")
		case rep.Outcome == newsletter.NoRecipients:
			log.Info("no active subscriber: no issue sent")
		case rep.Outcome == newsletter.AlreadySent:
			log.Info("issue already sent", "week", rep.Issue.Week)
		case rep.Issue != nil:
			s := rep.Summary
			log.Info("issue sent", "week", rep.Issue.Week, "sent", s.Sent, "bounced", s.Bounced, "failed", s.Failed, "skipped", s.Skipped)
		}
	case newsletter.EventStopped:
		log.Info("scheduler stopped")
	}
}

// runSchedulerBeside runs the scheduler until ctx ends, for serve.
func runSchedulerBeside(ctx context.Context, nl *newsletter.Newsletter, o newsletter.SchedulerOptions) <-chan error {
	done := make(chan error, 1)
	go func() { done <- nl.Schedule(ctx, o) }()
	return done
}
