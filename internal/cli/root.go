package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/venerdi/venerdi/internal/config"
	"github.com/venerdi/venerdi/internal/newsletter"
)

// App carries what every command shares: input, environment, the global
// flags and the printer. Each command loads the config and opens the core
// itself, once (see open).
type App struct {
	Stdin io.Reader
	Env   []string
	out   *printer

	ConfigPath string
	DBPath     string
	NowFlag    string
	now        time.Time // parsed --now; zero: the real time
}

func (a *App) getenv(k string) string {
	for i := len(a.Env) - 1; i >= 0; i-- {
		if name, v, ok := strings.Cut(a.Env[i], "="); ok && name == k {
			return v
		}
	}
	return ""
}

// configPath is --config, else VENERDI_CONFIG, else ./venerdi.toml; explicit
// says whether the user named it (then it must exist).
func (a *App) configPath() (path string, explicit bool) {
	path, explicit = a.ConfigPath, a.ConfigPath != ""
	if !explicit {
		path = a.getenv("VENERDI_CONFIG")
		explicit = path != ""
	}
	if path == "" {
		path = "venerdi.toml"
	}
	return path, explicit
}

// readConfig loads the config without validating it.
func (a *App) readConfig() (*config.Config, error) {
	path, explicit := a.configPath()
	cfg, err := config.Load(path, explicit, a.Env)
	if err != nil {
		return nil, err
	}
	if cfg.File == "" {
		return nil, fmt.Errorf("no config file %s here: run 'venerdi init' to create one, or pass --config", path)
	}
	return cfg, nil
}

// loadConfig loads and validates the config.
func (a *App) loadConfig() (*config.Config, error) {
	cfg, err := a.readConfig()
	if err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.File, err)
	}
	return cfg, nil
}

// clock is --now when given, else the real time.
func (a *App) clock() func() time.Time {
	if t := a.now; !t.IsZero() {
		return func() time.Time { return t }
	}
	return time.Now
}

// dbPath is --db, else VENERDI_DB, else store.path from the config.
func (a *App) dbPath(cfg *config.Config) string {
	switch {
	case a.DBPath != "":
		return a.DBPath
	case a.getenv("VENERDI_DB") != "":
		return a.getenv("VENERDI_DB")
	}
	return cfg.Path(cfg.Store.Path)
}

// open builds the application core from cfg on the database, reporting
// to rep (the printer when nil). The caller closes it.
func (a *App) open(ctx context.Context, cfg *config.Config, rep newsletter.Reporter) (*newsletter.Newsletter, error) {
	opts, err := coreOptions(cfg)
	if err != nil {
		return nil, err
	}
	if rep == nil {
		rep = a.out
	}
	return newsletter.Open(ctx, a.dbPath(cfg), opts, a.clock(), rep)
}

// withCore loads the config and runs fn on the core, opened for this
// command only.
func (a *App) withCore(ctx context.Context, fn func(context.Context, *newsletter.Newsletter) error) error {
	cfg, err := a.loadConfig()
	if err != nil {
		return err
	}
	nl, err := a.open(ctx, cfg, nil)
	if err != nil {
		return err
	}
	defer nl.Close()
	return fn(ctx, nl)
}

// coreOptions translates the config into the core's options: paths resolved
// against the config file, secrets read from their files.
func coreOptions(cfg *config.Config) (newsletter.Options, error) {
	wd, _ := config.ParseWeekday(cfg.Digest.Weekday) // validated
	h, m, _ := config.ParseClock(cfg.Digest.Time)
	secret, err := cfg.WebSecret()
	if err != nil {
		return newsletter.Options{}, err
	}
	opts := newsletter.Options{
		Site: newsletter.Site{Title: cfg.Site.Title, URL: cfg.Site.URL, Language: cfg.Site.Language, Location: cfg.Location()},
		Sources: newsletter.Sources{
			CatalogFormat: cfg.Sources.CatalogFormat,
			MaxBytes:      cfg.Sources.MaxBytes,
			Timeout:       cfg.Sources.Timeout.Duration,
		},
		Rules: newsletter.Rules{
			FirstIssueDays: cfg.Digest.FirstIssueDays,
			UpcomingDays:   cfg.Digest.UpcomingDays,
			SkipEmpty:      cfg.Digest.SkipEmpty,
			MaxDelay:       cfg.Digest.MaxDelay.Duration,
			Weekday:        wd, Hour: h, Minute: m,
			AllowPartial: cfg.Digest.AllowPartial,
			MaxPosts:     cfg.Digest.MaxPosts,
			MaxHTMLBytes: cfg.Digest.MaxHTMLBytes,
		},
		Mail: newsletter.Mail{
			From:              cfg.Mail.From,
			ReplyTo:           cfg.Mail.ReplyTo,
			ListID:            cfg.Mail.ListID,
			ListIDLetters:     cfg.LettersListID(),
			UnsubscribeMailto: cfg.Mail.UnsubscribeMailto,
			DKIM: newsletter.DKIM{
				KeyFile:  cfg.Path(cfg.Mail.DKIMKeyFile),
				Selector: cfg.Mail.DKIMSelector,
				Domain:   cfg.Mail.DKIMDomain,
			},
			Address:        cfg.Mail.Address,
			RequireAddress: cfg.SMTP.Host != "", // a real send (README: mail.address)
		},
		Issue:     newsletter.IssueOptions{Subject: cfg.Digest.Subject},
		BaseURL:   cfg.PublicURL(),
		Secret:    secret,
		Templates: cfg.Path(cfg.Digest.Templates),
		Sending: newsletter.Sending{
			Connections:   cfg.SMTP.Connections,
			Rate:          cfg.SMTP.Rate,
			MaxPerHour:    cfg.SMTP.MaxPerHour,
			MaxAttempts:   cfg.SMTP.MaxAttempts,
			Backoff:       cfg.SMTP.Backoff.Duration,
			BounceBreaker: cfg.SMTP.BounceBreaker,
		},
		Version: version(),
	}
	for _, f := range cfg.Sources.Feeds {
		opts.Sources.Feeds = append(opts.Sources.Feeds, newsletter.Source{Name: f, Location: cfg.Path(f)})
	}
	if c := cfg.Sources.Catalog; c != "" {
		opts.Sources.Catalog = &newsletter.Source{Name: c, Location: cfg.Path(c)}
	}
	if u := cfg.Digest.UTM; u.Enabled {
		opts.Issue.UTM = &newsletter.UTM{Source: u.Source, Medium: u.Medium, Campaign: u.Campaign, Content: u.Content}
	}
	opts.Transport.OutboxDir = cfg.Path(cfg.Outbox.Dir)
	if cfg.SMTP.Host != "" {
		password, err := cfg.SMTPPassword()
		if err != nil {
			return newsletter.Options{}, err
		}
		opts.Transport.SMTP.Host = cfg.SMTP.Host
		opts.Transport.SMTP.Port = cfg.SMTP.Port
		opts.Transport.SMTP.Username = cfg.SMTP.Username
		opts.Transport.SMTP.Password = password
		opts.Transport.SMTP.TLS = cfg.SMTP.TLS
		opts.Transport.SMTP.Timeout = cfg.SMTP.Timeout.Duration
		opts.Transport.SMTP.DataTimeout = cfg.SMTP.DataTimeout.Duration
		opts.Transport.SMTP.NoPipelining = !cfg.SMTP.Pipelining
	}
	return opts, nil
}

const rootLong = `venerdi builds and sends a weekly newsletter digest: the week's blog posts,
the upcoming webinars and the new on-demand recordings, one email per
subscriber, never twice.

Every setting in venerdi.toml can be overridden by an environment variable
VENERDI_<SECTION>_<KEY>, e.g. VENERDI_SMTP_PASSWORD or VENERDI_SITE_LANGUAGE.

Exit codes:
  0  success (including "nothing new this week")
  1  failure (the message says what and where)
  2  usage error (unknown flag or command, bad argument)
  3  another venerdi run holds the lock on this database`

func newRootCmd(a *App) *cobra.Command {
	root := groupCmd(&cobra.Command{
		Use:   "venerdi",
		Short: "Weekly newsletter digest: blog posts + webinars, sent by email",
		Long:  rootLong,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if a.NowFlag != "" {
				t, err := time.Parse(time.RFC3339, a.NowFlag)
				if err != nil {
					return usageError{fmt.Errorf("--now %q: use RFC 3339, like 2026-12-04T09:00:00+01:00", a.NowFlag)}
				}
				a.now = t
			}
			return nil
		},
	})
	root.SilenceUsage, root.SilenceErrors = true, true
	root.Version = version()
	root.SetVersionTemplate("venerdi {{.Version}}\n")
	root.Flags().Bool("version", false, "print the version and exit")
	f := root.PersistentFlags()
	f.StringVar(&a.ConfigPath, "config", "", "config file (env VENERDI_CONFIG; default ./venerdi.toml)")
	f.StringVar(&a.DBPath, "db", "", "SQLite database (env VENERDI_DB; overrides store.path)")
	f.StringVar(&a.NowFlag, "now", "", "the moment date decisions are made against, RFC 3339 (default: now)")
	f.BoolVarP(&a.out.verbose, "verbose", "v", false, "say what is happening (silent on success otherwise)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{err}
	})
	root.AddCommand(
		newInitCmd(a), newFetchCmd(a), newPreviewCmd(a), newSendCmd(a), newRunCmd(a), newServeCmd(a),
		newLetterCmd(a), newSubscribersCmd(a), newHistoryCmd(a), newDeliveriesCmd(a), newConfigCmd(a),
		newTemplatesCmd(a), newVersionCmd(a), newScheduleCmd(a), newBackupCmd(a), newDoctorCmd(a),
	)
	return root
}

// groupCmd makes cmd a command that only holds subcommands: run bare it
// prints its help; run with an unknown subcommand it is a usage error, by
// type, with cobra's suggestions.
func groupCmd(cmd *cobra.Command) *cobra.Command {
	cmd.Args = func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return nil
		}
		msg := fmt.Sprintf("unknown command %q for %q", args[0], c.CommandPath())
		if s := c.SuggestionsFor(args[0]); len(s) > 0 {
			msg += "; did you mean " + strings.Join(s, " or ") + "?"
		}
		return usageError{fmt.Errorf("%s", msg)}
	}
	cmd.RunE = func(c *cobra.Command, args []string) error { return c.Help() }
	return cmd
}

// exactArgs wraps cobra.ExactArgs so a wrong count is a usage error.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.ExactArgs(n)(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}
