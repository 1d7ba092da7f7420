package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/venerdi/venerdi/internal/config"
	"github.com/venerdi/venerdi/internal/digest"
	"github.com/venerdi/venerdi/internal/schedule"
	"github.com/venerdi/venerdi/internal/store"
)

func newFetchCmd(a *App) *cobra.Command {
	return &cobra.Command{
		Use:   "fetch",
		Short: "Fetch the feeds and the catalog into the database (no email)",
		Long: `Fetch every feed in sources.feeds and the catalog in sources.catalog, with
conditional GET, and store what is new or changed. One failing source does
not stop the others; the exit status is 1 if any failed, and the message
names each one. With -v, one line per source.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := a.gather(cmd.Context())
			return err
		},
	}
}

func newHistoryCmd(a *App) *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:   "history",
		Short: "List past issues with what they carried and how delivery went",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.Config()
			if err != nil {
				return err
			}
			st, err := a.Store(cmd.Context())
			if err != nil {
				return err
			}
			hist, err := st.History(cmd.Context(), limit)
			if err != nil {
				return err
			}
			if len(hist) == 0 {
				fmt.Fprintln(a.Out, "no issues yet")
				return nil
			}
			w := tabwriter.NewWriter(a.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tWEEK\tCOMPOSED\tSTATUS\tPOSTS\tWEBINARS\tRECORDINGS\tSENT\tFAILED\tBOUNCED\tSUBJECT")
			for _, h := range hist {
				week := h.Week
				if week == "" {
					week = h.Kind
				}
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", h.ID, week,
					h.ComposedAt.In(cfg.Location()).Format("2006-01-02 15:04"), h.Status, h.Posts, h.Webinars, h.Recordings,
					h.Counts[store.LedgerSent], h.Counts[store.LedgerFailed], h.Counts[store.LedgerBounced], h.Subject)
			}
			return w.Flush()
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 20, "how many issues, newest first")
	return cmd
}

func newDeliveriesCmd(a *App) *cobra.Command {
	var issueID int64
	var status string
	cmd := &cobra.Command{
		Use:   "deliveries",
		Short: "List the ledger of an issue (default: the last), e.g. --status failed|bounced",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			st, err := a.Store(ctx)
			if err != nil {
				return err
			}
			var is *store.Issue
			if issueID > 0 {
				is, err = st.IssueByID(ctx, issueID)
			} else {
				is, err = st.LastIssue(ctx)
			}
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("no such issue")
			}
			if err != nil {
				return err
			}
			ds, err := st.Deliveries(ctx, is.ID, status)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(a.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "ISSUE\tADDRESS\tSTATUS\tATTEMPTS\tUPDATED\tERROR")
			for _, d := range ds {
				fmt.Fprintf(w, "%d\t%s\t%s\t%d\t%s\t%s\n", d.IssueID, d.Email, d.Status, d.Attempts,
					d.UpdatedAt.Format(time.RFC3339), d.Error)
			}
			return w.Flush()
		},
	}
	cmd.Flags().Int64Var(&issueID, "issue", 0, "issue ID (see 'venerdi history'); default the last")
	cmd.Flags().StringVar(&status, "status", "", "only rows with this status: pending, sending, sent, failed, bounced, skipped")
	return cmd
}

func newConfigCmd(a *App) *cobra.Command {
	cmd := &cobra.Command{Use: "config", Short: "Inspect the configuration"}
	cmd.AddCommand(&cobra.Command{
		Use:   "show",
		Short: "Print the effective configuration (file + environment), secrets masked",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.Config()
			if err != nil {
				return err
			}
			b, err := cfg.Masked()
			if err != nil {
				return err
			}
			fmt.Fprintf(a.Out, "# %s\n", cfg.File)
			_, err = a.Out.Write(b)
			return err
		},
	})
	return cmd
}

func newTemplatesCmd(a *App) *cobra.Command {
	cmd := &cobra.Command{Use: "templates", Short: "Work with the email templates"}
	cmd.AddCommand(&cobra.Command{
		Use:   "export DIR",
		Short: "Write the default templates of site.language to DIR for editing (then set digest.templates = DIR)",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.Config()
			if err != nil {
				return err
			}
			files, err := digest.Export(cfg.Site.Language, args[0])
			for _, f := range files {
				fmt.Fprintln(a.Out, f)
			}
			return err
		},
	})
	return cmd
}

func newVersionCmd(a *App) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  exactArgs(0),
		Run: func(cmd *cobra.Command, args []string) {
			v := Version
			if bi, ok := debug.ReadBuildInfo(); ok && v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
				v = bi.Main.Version
			}
			fmt.Fprintf(a.Out, "venerdi %s\n", v)
		},
	}
}

const initTemplate = `# venerdi configuration. Every key can be overridden by VENERDI_<SECTION>_<KEY>.
# Relative paths are resolved against this file's directory.

[site]
title = "Bottega Digitale"
url = "https://bottega.example.it"
language = "it"                 # it | en
timezone = "Europe/Rome"

[sources]
feeds = ["https://bottega.example.it/feed/"]   # URLs or local paths, one or more
catalog = "webinars.json"                      # URL or local path: .json, .csv or .ics
# catalog_format = "ics"                       # when the extension does not say
# max_bytes = 10485760                         # per source
# timeout = "30s"

[digest]
weekday = "friday"
time = "09:00"
first_issue_days = 7            # how far back the very first issue looks
upcoming_days = 14              # live webinars starting within this many days
skip_empty = true
# max_delay = "24h"             # resuming an older issue needs --force
# templates = "my-templates"    # override folder (venerdi templates export DIR)

[store]
path = "venerdi.db"

[mail]
from = "Bottega Digitale <newsletter@bottega.example.it>"
reply_to = ""
list_id = "settimanale.bottega.example.it"
unsubscribe_url = "https://news.bottega.example.it"   # base URL of the unsubscribe endpoint
unsubscribe_mailto = ""                                # optional mailto: alternative
# dkim_key_file = "dkim.pem"
# dkim_selector = "venerdi"
# dkim_domain = ""              # default: the From domain

[smtp]
host = ""                       # empty: write .eml files to [outbox] dir instead
port = 587
username = ""
password = ""                   # better: VENERDI_SMTP_PASSWORD, or password_file = "..."
tls = "starttls"                # starttls | tls (implicit, port 465) | none
# connections = 4
# rate = 0                      # messages per second, 0 = unlimited
# max_per_hour = 0
# max_attempts = 5
# backoff = "2s"

[outbox]
dir = "outbox"

[web]
secret = ""                     # token signing key; or secret_file; if unset, generated once and kept in the database
`

func newInitCmd(a *App) *cobra.Command {
	return &cobra.Command{
		Use:   "init",
		Short: "Write a commented venerdi.toml (to --config) to start from",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := a.ConfigPath
			if path == "" {
				path = "venerdi.toml"
			}
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if errors.Is(err, os.ErrExist) {
				return fmt.Errorf("%s already exists; not overwriting it", path)
			}
			if err != nil {
				return err
			}
			if _, err := f.WriteString(initTemplate); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			abs, _ := filepath.Abs(path)
			fmt.Fprintf(a.Out, "wrote %s: edit it, then run 'venerdi subscribers import FILE.csv' and 'venerdi preview'\n", abs)
			return nil
		},
	}
}

func newRunCmd(a *App) *cobra.Command {
	var o sendOptions
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Built-in scheduler: send at every digest.weekday digest.time (for systemd, instead of cron)",
		Long: `Stay in the foreground and run 'venerdi send' at every digest.weekday at
digest.time in site.timezone (default Friday 09:00 Europe/Rome). A failed
send is reported on standard error and retried at the next slot; the
ledger makes a rerun safe. Stop it with SIGTERM or Ctrl-C.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runScheduler(cmd.Context(), o)
		},
	}
	cmd.Flags().BoolVar(&o.Force, "force", false, "as for send")
	return cmd
}

func (a *App) runScheduler(ctx context.Context, o sendOptions) error {
	cfg, err := a.Config()
	if err != nil {
		return err
	}
	wd, _ := config.ParseWeekday(cfg.Digest.Weekday)
	h, m, _ := config.ParseClock(cfg.Digest.Time)
	for {
		next := schedule.Next(time.Now(), cfg.Location(), wd, h, m)
		a.logf("next issue at %s", next.Format(time.RFC3339))
		select {
		case <-time.After(time.Until(next)):
		case <-ctx.Done():
			return nil
		}
		a.now = time.Time{} // each slot decides by the real time
		if err := a.runSend(ctx, o); err != nil {
			fmt.Fprintf(a.Err, "venerdi: send at %s: %v\n", next.Format(time.RFC3339), err)
		}
	}
}
