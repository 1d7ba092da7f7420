package cli

import (
	"context"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/venerdi/venerdi/internal/newsletter"
)

func newRunCmd(a *App) *cobra.Command {
	var o newsletter.SendOptions
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Built-in scheduler: send at every digest.weekday digest.time (for systemd, instead of cron)",
		Long: `Stay in the foreground and run 'venerdi send' at every digest.weekday at
digest.time in site.timezone (default Friday 09:00 Europe/Rome). A failed
send is logged on standard error (web.log_format, info level; -v adds debug)
and retried at the next slot; the ledger makes a rerun safe. Each slot is decided by the real clock (--now is not
used). Stop it with SIGTERM or Ctrl-C.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			a.now = time.Time{} // each slot is decided by the real time
			log := a.logger(cfg)
			nl, err := a.open(cmd.Context(), cfg, logReporter{log})
			if err != nil {
				return err
			}
			defer nl.Close()
			return runScheduler(cmd.Context(), log, nl, o)
		},
	}
	cmd.Flags().BoolVar(&o.Force, "force", false, "as for send")
	return cmd
}

func runScheduler(ctx context.Context, log *slog.Logger, nl *newsletter.Newsletter, o newsletter.SendOptions) error {
	for {
		next := nl.NextSlot(time.Now())
		log.Info("waiting for the next issue", "at", next.Format(time.RFC3339))
		select {
		case <-time.After(time.Until(next)):
		case <-ctx.Done():
			return nil
		}
		rep, err := nl.Send(ctx, o)
		if err != nil {
			log.Error("send failed; retrying at the next slot", "slot", next.Format(time.RFC3339), "err", err)
			continue
		}
		if rep.Attempted {
			s := rep.Summary
			log.Info("issue sent", "week", rep.Issue.Week, "sent", s.Sent, "bounced", s.Bounced, "failed", s.Failed, "skipped", s.Skipped)
		}
	}
}
