package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/venerdi/venerdi/internal/config"
	"github.com/venerdi/venerdi/internal/store"
)

// App carries what every command shares: streams, environment, global flags
// and, once loaded, the config and the store.
type App struct {
	Stdin    io.Reader
	Out, Err io.Writer
	Env      []string

	ConfigPath string
	DBPath     string
	NowFlag    string
	Verbose    bool

	cfg   *config.Config
	store *store.Store
	now   time.Time
}

func (a *App) getenv(k string) string {
	for i := len(a.Env) - 1; i >= 0; i-- {
		if name, v, ok := strings.Cut(a.Env[i], "="); ok && name == k {
			return v
		}
	}
	return ""
}

// logf prints progress details with -v only: cron wants silence on success.
func (a *App) logf(format string, args ...any) {
	if a.Verbose {
		fmt.Fprintf(a.Err, format+"\n", args...)
	}
}

// Config loads and validates the config once.
func (a *App) Config() (*config.Config, error) {
	if a.cfg != nil {
		return a.cfg, nil
	}
	path, explicit := a.ConfigPath, a.ConfigPath != ""
	if !explicit {
		path = a.getenv("VENERDI_CONFIG")
		explicit = path != ""
	}
	if path == "" {
		path = "venerdi.toml"
	}
	cfg, err := config.Load(path, explicit, a.Env)
	if err != nil {
		return nil, err
	}
	if cfg.File == "" {
		return nil, fmt.Errorf("no config file %s here: run 'venerdi init' to create one, or pass --config", path)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.File, err)
	}
	a.cfg = cfg
	return cfg, nil
}

// Now returns --now, or the real time.
func (a *App) Now() time.Time {
	if !a.now.IsZero() {
		return a.now
	}
	return time.Now()
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

// Store opens the database once.
func (a *App) Store(ctx context.Context) (*store.Store, error) {
	if a.store != nil {
		return a.store, nil
	}
	cfg, err := a.Config()
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, a.dbPath(cfg))
	if err != nil {
		return nil, err
	}
	a.store = st
	return st, nil
}

func (a *App) close() {
	if a.store != nil {
		a.store.Close()
		a.store = nil
	}
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
	root := &cobra.Command{
		Use:           "venerdi",
		Short:         "Weekly newsletter digest: blog posts + webinars, sent by email",
		Long:          rootLong,
		SilenceUsage:  true,
		SilenceErrors: true,
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
	}
	f := root.PersistentFlags()
	f.StringVar(&a.ConfigPath, "config", "", "config file (env VENERDI_CONFIG; default ./venerdi.toml)")
	f.StringVar(&a.DBPath, "db", "", "SQLite database (env VENERDI_DB; overrides store.path)")
	f.StringVar(&a.NowFlag, "now", "", "the moment date decisions are made against, RFC 3339 (default: now)")
	f.BoolVarP(&a.Verbose, "verbose", "v", false, "say what is happening (silent on success otherwise)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{err}
	})
	root.AddCommand(
		newInitCmd(a), newFetchCmd(a), newPreviewCmd(a), newSendCmd(a), newRunCmd(a),
		newSubscribersCmd(a), newHistoryCmd(a), newDeliveriesCmd(a), newConfigCmd(a),
		newTemplatesCmd(a), newVersionCmd(a),
	)
	return root
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

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
