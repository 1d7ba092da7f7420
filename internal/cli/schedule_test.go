package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestOnCalendar(t *testing.T) {
	tests := []struct {
		wd         time.Weekday
		hour, min  int
		zone, want string
	}{
		{time.Friday, 9, 0, "Europe/Rome", "Fri *-*-* 09:00:00 Europe/Rome"},
		{time.Monday, 7, 30, "America/New_York", "Mon *-*-* 07:30:00 America/New_York"},
		{time.Sunday, 23, 59, "Australia/Sydney", "Sun *-*-* 23:59:00 Australia/Sydney"},
		{time.Wednesday, 0, 5, "UTC", "Wed *-*-* 00:05:00 UTC"},
		{time.Saturday, 12, 0, "Asia/Kolkata", "Sat *-*-* 12:00:00 Asia/Kolkata"},
	}
	for _, tt := range tests {
		if got := onCalendar(tt.wd, tt.hour, tt.min, tt.zone); got != tt.want {
			t.Errorf("onCalendar(%v, %d, %d, %q) = %q; want %q", tt.wd, tt.hour, tt.min, tt.zone, got, tt.want)
		}
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/usr/local/bin/venerdi": "/usr/local/bin/venerdi",
		"/srv/my blog/v.toml":    "'/srv/my blog/v.toml'",
		"/srv/it's/v.toml":       `'/srv/it'\''s/v.toml'`,
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %q; want %q", in, got, want)
		}
	}
	if got := cronCommand("/srv/100%/venerdi"); got != `/srv/100\%/venerdi` {
		t.Errorf("cronCommand = %q; cron would cut the line at %%", got)
	}
}

// runSchedule runs `venerdi schedule ARGS` on a config with the given
// [digest] and [site] lines, the binary pinned to /opt/venerdi/venerdi.
func runSchedule(t *testing.T, conf string, args ...string) (code int, stdout, stderr string, cfgPath string) {
	t.Helper()
	dir := t.TempDir()
	cfgPath = filepath.Join(dir, "venerdi.toml")
	if err := os.WriteFile(cfgPath, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	old := executable
	executable = func() (string, error) { return "/opt/venerdi/venerdi", nil }
	t.Cleanup(func() { executable = old })
	var out, errOut bytes.Buffer
	code = Run(context.Background(), append([]string{"--config", cfgPath, "schedule"}, args...), nil, &out, &errOut, nil)
	return code, out.String(), errOut.String(), cfgPath
}

func TestScheduleAll(t *testing.T) {
	code, out, stderr, cfg := runSchedule(t, "[site]\ntimezone = \"Europe/Rome\"\n")
	if code != 0 {
		t.Fatalf("schedule = exit %d; stderr %q", code, stderr)
	}
	send := "/opt/venerdi/venerdi --config " + cfg + " send --if-due"
	for _, want := range []string{
		"# venerdi sends every Friday 09:00 Europe/Rome",
		"## systemd (recommended on Linux)",
		"    OnCalendar=Fri *-*-* 09:00:00 Europe/Rome\n",
		"    Persistent=true\n",
		"    Type=oneshot\n",
		"    ExecStart=" + send + "\n",
		"    WorkingDirectory=" + filepath.Dir(cfg) + "\n",
		"    WantedBy=timers.target\n",
		"## cron, any cron and any host time zone",
		"    */15 * * * * " + send + "\n",
		"NOT Debian or Ubuntu",
		"    CRON_TZ=Europe/Rome\n    0 9 * * fri " + send + "\n",
		"password_file = \"smtp-password\"",
		"smtp.password_file is not set yet",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("schedule output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "VENERDI_SMTP_PASSWORD=") {
		t.Errorf("schedule suggests a password in the environment:\n%s", out)
	}
}

func TestScheduleFormats(t *testing.T) {
	conf := "[site]\ntimezone = \"America/Sao_Paulo\"\n[digest]\nweekday = \"lunedì\"\ntime = \"07:45\"\n[smtp]\npassword_file = \"pw\"\n"
	tests := []struct {
		format string
		want   []string
		not    []string
	}{
		{"cron", []string{"*/15 * * * * /opt/venerdi/venerdi --config ", "password_file: good"}, []string{"[Timer]", "CRON_TZ="}},
		{"cron-tz", []string{"CRON_TZ=America/Sao_Paulo\n    45 7 * * mon /opt/venerdi/venerdi"}, []string{"*/15", "[Timer]"}},
		{"systemd", []string{"OnCalendar=Mon *-*-* 07:45:00 America/Sao_Paulo", "[Service]"}, []string{"*/15", "CRON_TZ"}},
	}
	for _, tt := range tests {
		code, out, stderr, _ := runSchedule(t, conf, "--format", tt.format)
		if code != 0 {
			t.Fatalf("schedule --format %s = exit %d; stderr %q", tt.format, code, stderr)
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("schedule --format %s lacks %q:\n%s", tt.format, w, out)
			}
		}
		for _, n := range tt.not {
			if strings.Contains(out, n) {
				t.Errorf("schedule --format %s has %q:\n%s", tt.format, n, out)
			}
		}
	}
	// One unit alone, ready to redirect into place: no headings.
	_, out, _, _ := runSchedule(t, conf, "--format", "systemd-timer")
	if !strings.HasPrefix(out, "[Unit]\n") || !strings.Contains(out, "\nOnCalendar=Mon *-*-* 07:45:00 America/Sao_Paulo\n") || !strings.Contains(out, "\nPersistent=true\n") {
		t.Errorf("schedule --format systemd-timer =\n%s", out)
	}
	_, out, _, _ = runSchedule(t, conf, "--format", "systemd-service")
	if !strings.HasPrefix(out, "[Unit]\n") || !strings.Contains(out, " send --if-due\n") || strings.Contains(out, "##") {
		t.Errorf("schedule --format systemd-service =\n%s", out)
	}
}

func TestScheduleUsage(t *testing.T) {
	code, _, stderr, _ := runSchedule(t, "", "--format", "crontab")
	if code != ExitUsage || !strings.Contains(stderr, `--format "crontab": use one of all, systemd`) {
		t.Errorf("schedule --format crontab = exit %d, %q; want exit 2 naming the choices", code, stderr)
	}
	code, _, stderr, _ = runSchedule(t, "[site]\ntimezone = \"Europe/Roma\"\n")
	if code != ExitFailure || !strings.Contains(stderr, "site.timezone") {
		t.Errorf("schedule with a bad zone = exit %d, %q; want exit 1 naming site.timezone", code, stderr)
	}
}

// A path with a space survives sh and systemd alike.
func TestScheduleQuotedPaths(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "my blog")
	os.MkdirAll(dir, 0o700)
	cfg := filepath.Join(dir, "venerdi.toml")
	os.WriteFile(cfg, nil, 0o600)
	old := executable
	executable = func() (string, error) { return "/opt/venerdi/venerdi", nil }
	defer func() { executable = old }()
	var out bytes.Buffer
	if code := Run(context.Background(), []string{"--config", cfg, "schedule"}, nil, &out, &out, nil); code != 0 {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	if !strings.Contains(out.String(), "--config '"+cfg+"' send --if-due") ||
		!strings.Contains(out.String(), `ExecStart=/opt/venerdi/venerdi --config "`+cfg+`" send --if-due`) {
		t.Errorf("paths with a space not quoted:\n%s", out.String())
	}
}
