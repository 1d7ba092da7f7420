package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/venerdi/venerdi/internal/config"
	"github.com/venerdi/venerdi/internal/newsletter"
)

type doctorOptions struct {
	JSON bool
}

const doctorLong = `Check everything a scheduled send depends on, one line each with what to
do when it is not right:

the config (valid, identity filled in); the database (readable, migrated,
PRAGMA integrity_check, owner-only permissions); free disk space; the token
secret; each feed and the catalog (reachable, parseable); the SMTP relay
(connect, TLS as configured, AUTH accepted, then QUIT: no message is sent);
the password as cron or systemd will find it, with an empty environment;
the DKIM key against its published DNS record; SPF and DMARC of the From
domain and their alignment (skipped with a note when DNS cannot be
queried); serve's health check at web.base_url; the next slot and the last
issue.

Nothing is sent and the database is opened read-only. Exit 1 when any
check fails (warnings do not fail), so it can run from monitoring; --json
prints one object: {"ok": bool, "checks": [{"name", "status" (ok, warn,
fail, skip), "detail", "fix"}]}.`

// doctorResolver answers the DNS checks; nil is the system's. Tests point
// it at a DNS server of their own.
var doctorResolver newsletter.Resolver

func newDoctorCmd(a *App) *cobra.Command {
	var o doctorOptions
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check config, database, sources, relay, password, DNS, serve and disk; exit 1 on a failure",
		Long:  doctorLong,
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDoctor(cmd.Context(), a, o)
		},
	}
	cmd.Flags().BoolVar(&o.JSON, "json", false, "print the report as one JSON object, for monitoring")
	return cmd
}

// errDoctor is the verdict of a report with failures: exit 1, the report
// already says what.
type errDoctor struct{ failed int }

func (e errDoctor) Error() string {
	if e.failed == 1 {
		return "doctor: 1 check failed"
	}
	return fmt.Sprintf("doctor: %d checks failed", e.failed)
}

func runDoctor(ctx context.Context, a *App, o doctorOptions) error {
	cfg, err := a.readConfig()
	var rep *newsletter.DoctorReport
	if err != nil {
		rep = &newsletter.DoctorReport{Checks: []newsletter.Check{{Name: "config", Status: newsletter.CheckFail,
			Detail: err.Error(), Fix: "pass --config, or create one with 'venerdi init'"}}}
	} else {
		rep = newsletter.Doctor(ctx, a.doctorOptions(cfg))
	}
	if o.JSON {
		if err := printDoctorJSON(a.out, rep); err != nil {
			return err
		}
	} else {
		printDoctor(a.out, rep)
	}
	if n := countStatus(rep, newsletter.CheckFail); n > 0 {
		return errDoctor{n}
	}
	return nil
}

// doctorOptions gathers what only the front end knows: the config's
// validity, the core options, and the environment a scheduler will give.
func (a *App) doctorOptions(cfg *config.Config) newsletter.DoctorOptions {
	do := newsletter.DoctorOptions{DBPath: a.dbPath(cfg), Resolver: doctorResolver, Now: a.clock()()}
	do.Config.File = cfg.File
	if err := cfg.Validate(); err != nil {
		do.Config.Err = err
	}
	opts, err := coreOptions(cfg)
	if err != nil {
		do.Config.OptionsErr = err
	}
	do.Options = opts
	do.Config.Password, do.Config.PasswordFile, do.Config.PasswordFileErr = a.cronPassword(cfg)
	for _, kv := range a.Env {
		// Names only: values may be secrets.
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "VENERDI_") &&
			name != "VENERDI_SMTP_PASSWORD" && !slices.Contains(do.Config.EnvOnly, name) {
			do.Config.EnvOnly = append(do.Config.EnvOnly, name)
		}
	}
	slices.Sort(do.Config.EnvOnly)
	return do
}

// cronPassword loads the config again as cron would run venerdi: with no
// VENERDI_* variables at all, and tells where the password comes from.
func (a *App) cronPassword(cfg *config.Config) (newsletter.PasswordSource, string, error) {
	if cfg.SMTP.Host == "" || cfg.SMTP.Username == "" {
		return newsletter.PasswordNotNeeded, "", nil
	}
	bare, err := config.Load(cfg.File, true, nil)
	if err != nil {
		return newsletter.PasswordMissing, "", err
	}
	switch {
	case bare.SMTP.Password != "":
		return newsletter.PasswordConfig, "", nil
	case bare.SMTP.PasswordFile != "":
		file := bare.Path(bare.SMTP.PasswordFile)
		if abs, err := filepath.Abs(file); err == nil {
			file = abs
		}
		pw, err := bare.SMTPPassword()
		if err == nil && pw == "" {
			err = fmt.Errorf("smtp.password_file %s is empty", file)
		}
		return newsletter.PasswordFile, file, err
	case cfg.SMTP.Password != "" || cfg.SMTP.PasswordFile != "":
		return newsletter.PasswordEnvOnly, "", nil
	}
	return newsletter.PasswordMissing, "", nil
}

var doctorMarks = map[newsletter.CheckStatus]string{
	newsletter.CheckOK: "✓", newsletter.CheckWarn: "!", newsletter.CheckFail: "✗", newsletter.CheckSkip: "-",
}

func printDoctor(p *printer, rep *newsletter.DoctorReport) {
	width := 0
	for _, c := range rep.Checks {
		width = max(width, utf8.RuneCountInString(c.Name))
	}
	for _, c := range rep.Checks {
		line := fmt.Sprintf("%s %-*s  %s", doctorMarks[c.Status], width, c.Name, c.Detail)
		if c.Fix != "" && c.Status != newsletter.CheckOK {
			line += " → " + c.Fix
		}
		p.Printf("%s", line)
	}
	p.Printf("%d ok, %d warnings, %d failed, %d skipped", countStatus(rep, newsletter.CheckOK),
		countStatus(rep, newsletter.CheckWarn), countStatus(rep, newsletter.CheckFail), countStatus(rep, newsletter.CheckSkip))
}

// checkJSON is one check of doctor --json; its field names are a contract.
type checkJSON struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Detail string `json:"detail"`
	Fix    string `json:"fix"`
}

func printDoctorJSON(p *printer, rep *newsletter.DoctorReport) error {
	out := struct {
		OK     bool        `json:"ok"`
		Checks []checkJSON `json:"checks"`
	}{OK: !rep.Failed(), Checks: []checkJSON{}}
	for _, c := range rep.Checks {
		out.Checks = append(out.Checks, checkJSON{c.Name, string(c.Status), c.Detail, c.Fix})
	}
	return p.JSON(out)
}

func countStatus(rep *newsletter.DoctorReport, s newsletter.CheckStatus) int {
	n := 0
	for _, c := range rep.Checks {
		if c.Status == s {
			n++
		}
	}
	return n
}
