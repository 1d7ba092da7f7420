package cli

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/venerdi/venerdi/internal/config"
)

// Schedule formats for --format.
const (
	schedAll            = "all"
	schedSystemd        = "systemd"
	schedSystemdService = "systemd-service"
	schedSystemdTimer   = "systemd-timer"
	schedCron           = "cron"
	schedCronTZ         = "cron-tz"
)

var scheduleFormats = []string{schedAll, schedSystemd, schedSystemdService, schedSystemdTimer, schedCron, schedCronTZ}

// executable is the path of the running binary, the one the units and the
// crontab line run; a variable so tests can pin it.
var executable = os.Executable

const scheduleLong = `Print how to run venerdi every digest.weekday at digest.time in
site.timezone, for the scheduler of this machine. Nothing is installed: copy
what you need.

systemd: a .service and a .timer (OnCalendar in the site's zone,
Persistent=true), the recommended way on Linux.

cron: a crontab line right on every cron whatever the host's time zone
(Debian's and Ubuntu's cron ignore CRON_TZ): every 15 minutes, 'send
--if-due' acts only when a slot is due in the site's zone and not yet sent,
and otherwise exits 0 at once, silently.

cron-tz: one line at the slot itself, for crons that honour CRON_TZ (cronie:
Fedora, RHEL, Arch), labelled as such.

Then how to give the scheduler the SMTP password: smtp.password_file, never
the crontab or the unit. Paths are absolute: this binary and the config
file. --format systemd-service and systemd-timer print one unit file alone,
to redirect into place.`

type scheduleOptions struct {
	Format string
	// Binary, Config and DB are absolute paths; DB is empty unless the
	// database was chosen outside the config (--db, VENERDI_DB).
	Binary, Config, DB string
	User               string // who the service runs as; empty: not set
	Weekday            time.Weekday
	Hour, Minute       int
	Zone               string
	PasswordFile       bool // smtp.password_file is set
}

func newScheduleCmd(a *App) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "schedule",
		Short: "Print the systemd timer or the crontab line that sends at every digest slot",
		Long:  scheduleLong,
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkEnum("--format", format, scheduleFormats); err != nil {
				return err
			}
			cfg, err := a.readConfig()
			if err != nil {
				return err
			}
			o, err := a.scheduleOptions(cfg)
			if err != nil {
				return err
			}
			o.Format = format
			if strings.Contains(o.Binary, string(filepath.Separator)+"go-build") {
				a.out.Warnf("%s is a temporary 'go run' binary: install venerdi (make install, or go install ./cmd/venerdi) and run schedule with that one", o.Binary)
			}
			_, err = a.out.Write([]byte(renderSchedule(o)))
			return err
		},
	}
	cmd.Flags().StringVar(&format, "format", schedAll, "what to print: "+strings.Join(scheduleFormats, ", "))
	completeEnum(cmd, "format", scheduleFormats)
	return cmd
}

// scheduleOptions reads what the units need from the config. Only the
// schedule keys must be valid: the units can be set up before the rest.
func (a *App) scheduleOptions(cfg *config.Config) (scheduleOptions, error) {
	wd, err := config.ParseWeekday(cfg.Digest.Weekday)
	if err != nil {
		return scheduleOptions{}, fmt.Errorf("%s: digest.weekday: %w", cfg.File, err)
	}
	h, m, err := config.ParseClock(cfg.Digest.Time)
	if err != nil {
		return scheduleOptions{}, fmt.Errorf("%s: digest.time: %w", cfg.File, err)
	}
	if _, err := time.LoadLocation(cfg.Site.Timezone); err != nil || cfg.Site.Timezone == "" {
		return scheduleOptions{}, fmt.Errorf("%s: site.timezone: %q is not a time zone (like Europe/Rome)", cfg.File, cfg.Site.Timezone)
	}
	bin, err := executable()
	if err != nil {
		return scheduleOptions{}, fmt.Errorf("find venerdi's own path: %w", err)
	}
	if b, err := filepath.EvalSymlinks(bin); err == nil {
		bin = b
	}
	conf, err := filepath.Abs(cfg.File)
	if err != nil {
		return scheduleOptions{}, err
	}
	o := scheduleOptions{Binary: bin, Config: conf, Weekday: wd, Hour: h, Minute: m,
		Zone: cfg.Site.Timezone, PasswordFile: cfg.SMTP.PasswordFile != ""}
	// A database named by --db or VENERDI_DB must be named in the units
	// too: the scheduler's environment has neither.
	if a.DBPath != "" || a.getenv("VENERDI_DB") != "" {
		if o.DB, err = filepath.Abs(a.dbPath(cfg)); err != nil {
			return scheduleOptions{}, err
		}
	}
	if u, err := user.Current(); err == nil {
		o.User = u.Username
	}
	return o, nil
}

// onCalendar is systemd's calendar expression for the slot, in the site's
// zone: systemd converts at every firing, so 09:00 stays 09:00 across
// daylight-saving changes whatever the host's zone.
func onCalendar(wd time.Weekday, hour, min int, zone string) string {
	return fmt.Sprintf("%s *-*-* %02d:%02d:00 %s", wd.String()[:3], hour, min, zone)
}

// command is the send the schedulers run, quoted for sh.
func (o scheduleOptions) command() string { return o.argv(shellQuote) }

// argv is the send the schedulers run, its paths quoted with quote (sh's
// or systemd's rules).
func (o scheduleOptions) argv(quote func(string) string) string {
	args := []string{quote(o.Binary), "--config", quote(o.Config)}
	if o.DB != "" {
		args = append(args, "--db", quote(o.DB))
	}
	return strings.Join(append(args, "send", "--if-due"), " ")
}

// shellQuote quotes s for sh when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// cronCommand escapes the % that cron turns into newlines.
func cronCommand(cmd string) string { return strings.ReplaceAll(cmd, "%", `\%`) }

// unitQuote quotes a path for ExecStart= and WorkingDirectory= when it holds
// a space or a specifier character.
func unitQuote(s string) string {
	s = strings.ReplaceAll(s, "%", "%%")
	if strings.ContainsAny(s, " \t\"'\\") {
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
	}
	return s
}

func (o scheduleOptions) slot() string {
	return fmt.Sprintf("%s %02d:%02d %s", o.Weekday, o.Hour, o.Minute, o.Zone)
}

func (o scheduleOptions) service() string {
	var b strings.Builder
	fmt.Fprintf(&b, `[Unit]
Description=venerdi: send the weekly digest when its slot (%s) is due
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
`, o.slot())
	if o.User != "" && o.User != "root" {
		fmt.Fprintf(&b, "User=%s\n", o.User)
	}
	fmt.Fprintf(&b, "WorkingDirectory=%s\nExecStart=%s\n", unitQuote(filepath.Dir(o.Config)), o.argv(unitQuote))
	b.WriteString(`# Exit 3 means another venerdi run holds the lock: not a failure of this one.
SuccessExitStatus=3
NoNewPrivileges=yes
PrivateTmp=yes
`)
	return b.String()
}

func (o scheduleOptions) timer() string {
	return fmt.Sprintf(`[Unit]
Description=venerdi weekly digest, %s

[Timer]
OnCalendar=%s
# A slot missed while the machine was off fires at the next boot; the
# service's send --if-due still sends only within digest.max_delay.
Persistent=true

[Install]
WantedBy=timers.target
`, o.slot(), onCalendar(o.Weekday, o.Hour, o.Minute, o.Zone))
}

func (o scheduleOptions) cron() string {
	return fmt.Sprintf("*/15 * * * * %s\n", cronCommand(o.command()))
}

func (o scheduleOptions) cronTZ() string {
	return fmt.Sprintf("CRON_TZ=%s\n%d %d * * %s %s\n", o.Zone, o.Minute, o.Hour,
		strings.ToLower(o.Weekday.String()[:3]), cronCommand(o.command()))
}

func (o scheduleOptions) password() string {
	state := "smtp.password_file is not set yet in this config."
	if o.PasswordFile {
		state = "This config sets smtp.password_file: good."
	}
	return fmt.Sprintf(`cron and systemd start venerdi with an almost empty environment: a
VENERDI_SMTP_PASSWORD exported in your shell is not there, and the first
scheduled send fails with "535 authentication failed". Keep the password in
a file only the sending user can read, and name it in the config:

    install -m 600 /dev/null %s
    $EDITOR %s              # the password, on one line
    # in %s:
    [smtp]
    password_file = "smtp-password"

Never put the password in the crontab or in the unit: both are readable by
others (ps, systemctl show). %s
'venerdi doctor' checks that the password is reachable under cron.
`, shellQuote(filepath.Join(filepath.Dir(o.Config), "smtp-password")),
		shellQuote(filepath.Join(filepath.Dir(o.Config), "smtp-password")), o.Config, state)
}

// renderSchedule is the text venerdi schedule prints for o.Format.
func renderSchedule(o scheduleOptions) string {
	switch o.Format {
	case schedSystemdService:
		return o.service()
	case schedSystemdTimer:
		return o.timer()
	}
	var b strings.Builder
	section := func(title string) { fmt.Fprintf(&b, "\n## %s\n\n", title) }
	indent := func(s string) {
		for _, l := range strings.SplitAfter(strings.TrimSuffix(s, "\n"), "\n") {
			if strings.TrimSpace(l) == "" {
				b.WriteString("\n")
			} else {
				b.WriteString("    " + l)
			}
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "# venerdi sends every %s (digest.weekday, digest.time, site.timezone).\n", o.slot())
	all := o.Format == schedAll
	if all || o.Format == schedSystemd {
		section("systemd (recommended on Linux)")
		b.WriteString("/etc/systemd/system/venerdi.service:\n\n")
		indent(o.service())
		b.WriteString("\n/etc/systemd/system/venerdi.timer:\n\n")
		indent(o.timer())
		b.WriteString(`
Then: systemctl daemon-reload && systemctl enable --now venerdi.timer
Check: systemctl list-timers venerdi.timer; journalctl -u venerdi.service
(venerdi schedule --format systemd-service > venerdi.service writes one file.)
`)
	}
	if all || o.Format == schedCron {
		section("cron, any cron and any host time zone (crontab -e)")
		indent(o.cron())
		fmt.Fprintf(&b, `
Every 15 minutes, send --if-due looks at the clock in %s: when a slot
is due and its issue not yet sent it sends (catching up a slot missed while
the machine was off, within digest.max_delay, and retrying an issue held back
by a source that did not answer); otherwise it exits 0 at once, printing
nothing, so cron mails you only when something went wrong.
`, o.Zone)
	}
	if all || o.Format == schedCronTZ {
		section("cron with CRON_TZ: cronie only (Fedora, RHEL, Arch; NOT Debian or Ubuntu, whose cron ignores it)")
		indent(o.cronTZ())
		fmt.Fprintf(&b, `
One run at the slot itself, in %s. A cron that ignores CRON_TZ runs it
at that hour of the host's zone instead; when in doubt, use the line above.
`, o.Zone)
	}
	section("The SMTP password under a scheduler")
	b.WriteString(o.password())
	return b.String()
}

// checkEnum makes a value outside valid a usage error naming the choices.
func checkEnum(flag, v string, valid []string) error {
	for _, s := range valid {
		if v == s {
			return nil
		}
	}
	return usageError{fmt.Errorf("%s %q: use one of %s", flag, v, strings.Join(valid, ", "))}
}

// completeEnum offers valid as the shell completions of flag.
func completeEnum(cmd *cobra.Command, flag string, valid []string) {
	cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(valid, cobra.ShellCompDirectiveNoFileComp))
}
