package newsletter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/venerdi/venerdi/internal/catalog"
	"github.com/venerdi/venerdi/internal/delivery"
	"github.com/venerdi/venerdi/internal/feed"
	"github.com/venerdi/venerdi/internal/fetch"
	"github.com/venerdi/venerdi/internal/links"
	"github.com/venerdi/venerdi/internal/mailer"
	"github.com/venerdi/venerdi/internal/schedule"
	"github.com/venerdi/venerdi/internal/store"
)

// CheckStatus is how one doctor check came out.
type CheckStatus string

// Check statuses. Only CheckFail makes the doctor's verdict a failure.
const (
	CheckOK   CheckStatus = "ok"
	CheckWarn CheckStatus = "warn" // works, but will bite: read the fix
	CheckFail CheckStatus = "fail"
	CheckSkip CheckStatus = "skip" // could not be checked here; Detail says why
)

// Check is one line of the doctor's report.
type Check struct {
	Name   string      // what was checked: "config", "smtp", "feed URL"…
	Status CheckStatus // ok, warn, fail, skip
	Detail string      // what was found
	Fix    string      // what to do about it; empty when ok
}

// DoctorReport is every check, in a fixed order.
type DoctorReport struct {
	Checks []Check
}

// Failed reports whether any check failed.
func (r *DoctorReport) Failed() bool {
	for _, c := range r.Checks {
		if c.Status == CheckFail {
			return true
		}
	}
	return false
}

// Resolver answers the DNS questions of the mail checks. *net.Resolver is
// one; tests point one at a DNS server of their own.
type Resolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
	LookupNS(ctx context.Context, name string) ([]*net.NS, error)
}

// PasswordSource says where the SMTP password comes from when venerdi runs
// with an empty environment, as cron and systemd start it.
type PasswordSource string

// Password sources, as the front end finds them.
const (
	PasswordNotNeeded PasswordSource = "not-needed" // no smtp.username, or no smtp.host
	PasswordFile      PasswordSource = "file"       // smtp.password_file
	PasswordConfig    PasswordSource = "config"     // smtp.password in the config file
	PasswordEnvOnly   PasswordSource = "env-only"   // only VENERDI_SMTP_PASSWORD of this shell
	PasswordMissing   PasswordSource = "missing"    // nowhere
)

// ConfigFacts are what the front end learnt reading its configuration:
// the core never reads it, so it is told.
type ConfigFacts struct {
	File string
	// Err is the validation error; nil when the config is valid. The other
	// checks then run on Options as far as they can.
	Err error
	// OptionsErr is why no Options could be built from it (an unreadable
	// secret or password file); the checks that need them are skipped.
	OptionsErr error
	// Password is where the password comes from under cron; PasswordFile
	// is the resolved smtp.password_file, PasswordFileErr why it cannot be
	// read.
	Password        PasswordSource
	PasswordFile    string
	PasswordFileErr error
	// EnvOnly names the VENERDI_* variables of this shell that change the
	// config: a scheduler's environment has none of them.
	EnvOnly []string
}

// DoctorOptions are the inputs of Doctor.
type DoctorOptions struct {
	Options Options
	DBPath  string
	Config  ConfigFacts
	// Resolver answers DNS; nil: the system's. Each lookup is bounded by
	// DNSTimeout (default 5s), and when the first cannot reach a server the
	// DNS checks are skipped with a note.
	Resolver   Resolver
	DNSTimeout time.Duration
	// NetTimeout bounds each feed, SMTP and HTTP check (default 15s).
	NetTimeout time.Duration
	// MinFree and WarnFree are the free-space thresholds of the database's
	// file system (default 50 MB and 500 MB).
	MinFree, WarnFree uint64
	Now               time.Time
}

// Doctor checks everything a scheduled send depends on, without sending a
// message or changing the database: the config, the database file, each
// source, the relay (connect, TLS, AUTH, QUIT), the password under cron,
// DKIM, SPF and DMARC of the From domain, serve's health check at the
// public URL, the signing secret, free disk space, the next slot and the
// last issue. The network checks run in parallel, each bounded in time.
func Doctor(ctx context.Context, o DoctorOptions) *DoctorReport {
	if o.Resolver == nil {
		o.Resolver = netResolver{}
	}
	if o.DNSTimeout <= 0 {
		o.DNSTimeout = 5 * time.Second
	}
	if o.NetTimeout <= 0 {
		o.NetTimeout = 15 * time.Second
	}
	if o.MinFree == 0 {
		o.MinFree = 50 << 20
	}
	if o.WarnFree == 0 {
		o.WarnFree = 500 << 20
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	d := &doctor{o: o}
	rep := &DoctorReport{}
	rep.Checks = append(rep.Checks, d.config())
	health, dbChecks := d.database(ctx)
	rep.Checks = append(rep.Checks, dbChecks...)
	rep.Checks = append(rep.Checks, d.disk())
	if o.Config.OptionsErr != nil {
		rep.Checks = append(rep.Checks, Check{Name: "other checks", Status: CheckSkip,
			Detail: fmt.Sprintf("skipped: %v", o.Config.OptionsErr), Fix: "fix the config first"})
		return rep
	}
	rep.Checks = append(rep.Checks, d.secret(health))

	// The network checks, in parallel, reported in this order.
	var jobs []func() []Check
	for _, f := range o.Options.Sources.Feeds {
		jobs = append(jobs, func() []Check { return []Check{d.source(ctx, FeedSource, f)} })
	}
	if c := o.Options.Sources.Catalog; c != nil {
		jobs = append(jobs, func() []Check { return []Check{d.source(ctx, CatalogSource, *c)} })
	}
	jobs = append(jobs,
		func() []Check { return []Check{d.smtp(ctx)} },
		func() []Check { return []Check{d.cronPassword()} },
		func() []Check { return d.mailDNS(ctx) },
		func() []Check { return []Check{d.web(ctx)} },
	)
	out := make([][]Check, len(jobs))
	var wg sync.WaitGroup
	for i, job := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = job()
		}()
	}
	wg.Wait()
	for _, cs := range out {
		rep.Checks = append(rep.Checks, cs...)
	}
	rep.Checks = append(rep.Checks, d.nextSlot(), d.lastIssue(health))
	return rep
}

type doctor struct{ o DoctorOptions }

func ok(name, format string, args ...any) Check {
	return Check{Name: name, Status: CheckOK, Detail: fmt.Sprintf(format, args...)}
}

func fail(name, fix, format string, args ...any) Check {
	return Check{Name: name, Status: CheckFail, Detail: fmt.Sprintf(format, args...), Fix: fix}
}

func warn(name, fix, format string, args ...any) Check {
	return Check{Name: name, Status: CheckWarn, Detail: fmt.Sprintf(format, args...), Fix: fix}
}

func skip(name, format string, args ...any) Check {
	return Check{Name: name, Status: CheckSkip, Detail: fmt.Sprintf(format, args...)}
}

func (d *doctor) config() Check {
	c := d.o.Config
	if c.Err != nil {
		msgs := strings.Split(c.Err.Error(), "\n")
		return fail("config", "edit "+c.File+"; 'venerdi config show' lists what is wrong, key by key",
			"%s: %s", c.File, strings.Join(msgs, "; "))
	}
	return ok("config", "%s is valid, identity filled in (%s)", c.File, d.o.Options.Mail.From)
}

// database checks the file without opening it for writing: it must not
// create, migrate or change what it examines.
func (d *doctor) database(ctx context.Context) (*store.Health, []Check) {
	p := d.o.DBPath
	fi, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, []Check{warn("database", "any command creates it: run 'venerdi fetch'; or check store.path and --db",
			"%s does not exist yet", p)}
	}
	if err != nil {
		return nil, []Check{fail("database", "check store.path and the folder's permissions", "%v", err)}
	}
	var checks []Check
	const restore = "restore the last backup (README, \"Backup and restore\"); 'venerdi backup' makes them"
	h, err := store.Inspect(ctx, p)
	switch {
	case err != nil:
		checks = append(checks, fail("database", restore, "%s cannot be read: %v", p, err))
	case len(h.Problems) > 0:
		checks = append(checks, fail("database", restore, "%s is damaged: integrity_check: %s", p, strings.Join(h.Problems, "; ")))
	case h.Schema > h.Known:
		checks = append(checks, fail("database", "upgrade venerdi", "%s has schema %d, newer than this venerdi knows (%d)", p, h.Schema, h.Known))
	case h.Schema < h.Known:
		checks = append(checks, warn("database", "the next command migrates it; take a 'venerdi backup' first",
			"%s has schema %d of %d, integrity ok", p, h.Schema, h.Known))
	default:
		checks = append(checks, ok("database", "%s readable, schema %d (migrated), integrity ok, %d KB", p, h.Schema, (fi.Size()+1023)/1024))
	}
	var wide []string
	for _, f := range []string{p, p + "-wal", p + "-shm"} {
		if fi, err := os.Stat(f); err == nil && fi.Mode().Perm()&0o077 != 0 {
			wide = append(wide, fmt.Sprintf("%s is %04o", f, fi.Mode().Perm()))
		}
	}
	if len(wide) > 0 {
		checks = append(checks, fail("database permissions", "chmod 600 "+p+"*  (it holds the list and the signing secret)",
			"others can read it: %s", strings.Join(wide, ", ")))
	} else {
		checks = append(checks, ok("database permissions", "owner-only (%04o)", fi.Mode().Perm()))
	}
	if err != nil {
		return nil, checks
	}
	return h, checks
}

func (d *doctor) disk() Check {
	dir := filepath.Dir(d.o.DBPath)
	free, err := freeBytes(dir)
	if err != nil {
		return skip("disk space", "cannot tell the free space of %s: %v", dir, err)
	}
	mb := free >> 20
	switch {
	case free < d.o.MinFree:
		return fail("disk space", "free some space: a send that cannot write its ledger stops", "%d MB free on %s", mb, dir)
	case free < d.o.WarnFree:
		return warn("disk space", "free some space before the next send", "%d MB free on %s", mb, dir)
	}
	return ok("disk space", "%d MB free on %s", mb, dir)
}

func (d *doctor) secret(h *store.Health) Check {
	s := d.o.Options.Secret
	switch {
	case s != "" && len(s) < 16:
		return warn("token secret", "use at least 32 random characters (openssl rand -hex 32 > secret; web.secret_file)",
			"web.secret is only %d characters", len(s))
	case s != "":
		return ok("token secret", "set in the config (web.secret or web.secret_file)")
	case h != nil && h.Secret:
		return ok("token secret", "generated once and kept in the database")
	case h == nil:
		return skip("token secret", "the database could not be read")
	}
	return warn("token secret", "nothing to do: it is generated at the first send or serve; or set web.secret_file",
		"not generated yet")
}

func (d *doctor) fetchOptions() fetch.Options {
	t := d.o.Options.Sources.Timeout
	if t <= 0 || t > d.o.NetTimeout {
		t = d.o.NetTimeout
	}
	return fetch.Options{
		UserAgent: fmt.Sprintf("venerdi/%s doctor (+%s)", d.o.Options.Version, d.o.Options.Site.URL),
		Timeout:   t,
		MaxBytes:  d.o.Options.Sources.MaxBytes,
	}
}

// source fetches and parses one feed or the catalog, storing nothing.
func (d *doctor) source(ctx context.Context, kind SourceKind, src Source) Check {
	name := string(kind) + " " + src.Name
	var fix string
	if kind == FeedSource {
		fix = "check the address in sources.feeds ('venerdi init --blog URL' finds a blog's feed)"
	} else {
		fix = "check sources.catalog and its format (README, \"The webinar catalog\")"
	}
	res, err := fetch.Get(ctx, src.Location, fetch.Validators{}, d.fetchOptions())
	if err != nil {
		return fail(name, fix, "unreachable: %v", err)
	}
	moved := ""
	if res.MovedTo != "" {
		moved = "; moved permanently to " + res.MovedTo + ": update the config"
	}
	if kind == FeedSource {
		f, err := feed.Parse(res.Body, res.ContentType, res.FinalURL, d.o.Now)
		if err != nil {
			return fail(name, fix, "not a feed: %v", err)
		}
		c := ok(name, "%d posts%s", len(f.Posts), moved)
		if moved != "" {
			c.Status, c.Fix = CheckWarn, "put the new address in sources.feeds"
		}
		return c
	}
	format, err := catalogFormat(d.o.Options.Sources.CatalogFormat, res, src.Name)
	if err != nil {
		return fail(name, "set sources.catalog_format (json, csv or ics)", "%v", err)
	}
	c, err := catalog.Parse(res.Body, format, catalog.Options{Location: d.o.Options.Site.Location, Now: d.o.Now, Source: src.Name})
	if err != nil {
		return fail(name, fix, "invalid: %v", err)
	}
	return ok(name, "valid %s, %d webinars, %d warnings%s", format, len(c.Webinars), len(c.Warnings), moved)
}

// smtp connects, says EHLO, upgrades to TLS and authenticates as a send
// would, then says QUIT: no MAIL FROM, no message.
func (d *doctor) smtp(ctx context.Context) Check {
	cfg := d.o.Options.Transport.SMTP
	if cfg.Host == "" {
		dir := d.o.Options.Transport.OutboxDir
		return skip("smtp", "smtp.host is empty: messages are written to %s, not sent", dir)
	}
	tlsMode := cfg.TLS
	if tlsMode == "" {
		tlsMode = mailer.TLSStartTLS
	}
	if cfg.Timeout <= 0 || cfg.Timeout > d.o.NetTimeout {
		cfg.Timeout = d.o.NetTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, d.o.NetTimeout)
	defer cancel()
	conn, err := mailer.Dial(ctx, cfg)
	if err != nil {
		msg := err.Error()
		switch {
		case cfg.Username != "" && mailer.IsPermanent(err):
			return fail("smtp", "check smtp.username and the password (smtp.password_file)", "authentication refused: %s", msg)
		case strings.Contains(msg, "tls") || strings.Contains(msg, "TLS") || strings.Contains(msg, "x509"):
			return fail("smtp", "check smtp.tls (starttls on 587, tls on 465) and the relay's certificate", "TLS (%s) failed: %s", tlsMode, msg)
		}
		return fail("smtp", "check smtp.host, smtp.port and the firewall", "%s", msg)
	}
	if err := conn.Close(); err != nil {
		return warn("smtp", "", "connected, but QUIT failed: %v", err)
	}
	auth := "no AUTH (smtp.username is empty)"
	if cfg.Username != "" {
		auth = "AUTH accepted for " + cfg.Username
	}
	return ok("smtp", "%s:%d answered, TLS %s, %s; no message sent", cfg.Host, portOf(cfg), tlsMode, auth)
}

func portOf(cfg mailer.SMTPConfig) int {
	if cfg.Port != 0 {
		return cfg.Port
	}
	switch cfg.TLS {
	case mailer.TLSImplicit:
		return 465
	case mailer.TLSNone:
		return 25
	}
	return 587
}

// cronPassword is about the scheduler's environment, where none of this
// shell's VENERDI_* variables exist.
func (d *doctor) cronPassword() Check {
	c := d.o.Config
	const name = "password under cron"
	const fix = "put the password in a file only you can read and set smtp.password_file (see 'venerdi schedule')"
	var note string
	if len(c.EnvOnly) > 0 {
		note = "; note: " + strings.Join(c.EnvOnly, ", ") + " of this shell will not be set under cron either"
	}
	switch c.Password {
	case PasswordNotNeeded:
		return ok(name, "no password needed (no smtp.host or smtp.username)%s", note)
	case PasswordFile:
		if c.PasswordFileErr != nil {
			return fail(name, "make smtp.password_file readable by the user the scheduler runs as", "%v", c.PasswordFileErr)
		}
		if fi, err := os.Stat(c.PasswordFile); err == nil && fi.Mode().Perm()&0o077 != 0 {
			return warn(name, "chmod 600 "+c.PasswordFile, "%s is readable by others (%04o)", c.PasswordFile, fi.Mode().Perm())
		}
		return ok(name, "read from smtp.password_file %s, owner-only%s", c.PasswordFile, note)
	case PasswordConfig:
		return warn(name, "move it to a file and set smtp.password_file, so the config can be shared",
			"smtp.password is written in the config file: reachable under cron%s", note)
	case PasswordEnvOnly:
		return warn(name, fix, "only VENERDI_SMTP_PASSWORD of this shell holds it: under cron or systemd it will not be there, and the send fails with 535%s", note)
	}
	return fail(name, fix, "smtp.username is set but no password is: not in smtp.password_file, smtp.password or VENERDI_SMTP_PASSWORD")
}

// web asks serve's health check at the public URL, as a mailbox provider
// following a List-Unsubscribe link would reach it.
func (d *doctor) web(ctx context.Context) Check {
	lb, err := links.New(d.o.Options.BaseURL, "")
	if err != nil {
		return fail("web", "set web.base_url to the public URL of venerdi serve", "%v", err)
	}
	u := lb.Health()
	ctx, cancel := context.WithTimeout(ctx, d.o.NetTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fail("web", "set web.base_url to the public URL of venerdi serve", "%v", err)
	}
	req.Header.Set("User-Agent", "venerdi-doctor/"+d.o.Options.Version)
	const fix = "start 'venerdi serve' and check the reverse proxy: every unsubscribe link points there"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fail("web", fix, "%s: %v", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64))
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != "ok" {
		return fail("web", fix, "%s answered %s, not venerdi serve's \"ok\"", u, resp.Status)
	}
	return ok("web", "%s answers: venerdi serve is up", u)
}

func (d *doctor) nextSlot() Check {
	r := d.o.Options.Rules
	loc := d.o.Options.Site.Location
	if loc == nil {
		loc = time.UTC
	}
	next := schedule.Next(d.o.Now, loc, r.Weekday, r.Hour, r.Minute)
	return ok("next slot", "%s (in %s)", next.Format("Mon 2006-01-02 15:04 MST"), roughly(next.Sub(d.o.Now)))
}

func (d *doctor) lastIssue(h *store.Health) Check {
	const name = "last issue"
	if h == nil {
		return skip(name, "the database could not be read")
	}
	is := h.LastIssue
	if is == nil {
		return ok(name, "none yet: the first send composes one")
	}
	loc := d.o.Options.Site.Location
	if loc == nil {
		loc = time.UTC
	}
	label := is.Week
	if label == "" {
		label = fmt.Sprintf("letter %d", is.ID)
	}
	c := h.LastCounts
	desc := fmt.Sprintf("%s composed %s, %s: %d sent, %d failed, %d bounced, %d pending", label,
		is.ComposedAt.In(loc).Format("2006-01-02 15:04"), is.Status,
		c[store.LedgerSent], c[store.LedgerFailed], c[store.LedgerBounced], c[store.LedgerPending]+c[store.LedgerSending])
	switch {
	case is.Status != store.IssueDone && schedule.Stale(is.ComposedAt, d.o.Now, d.o.Options.Rules.MaxDelay):
		return warn(name, "it will not be resumed: 'venerdi send --force' if its news still hold", "%s; older than digest.max_delay", desc)
	case c[store.LedgerFailed] > 0:
		return warn(name, "'venerdi deliveries --status failed' says why; 'venerdi send --retry-failed' retries", "%s", desc)
	}
	return ok(name, "%s", desc)
}

// roughly prints d in days and hours, or hours and minutes.
func roughly(d time.Duration) string {
	if d >= 24*time.Hour {
		return fmt.Sprintf("%dd %dh", int(d.Hours())/24, int(d.Hours())%24)
	}
	return fmt.Sprintf("%dh %dm", int(d.Hours()), int(d.Minutes())%60)
}

// fromDomain is the domain of the From address.
func (d *doctor) fromDomain() string { return delivery.DomainOf(d.o.Options.Mail.From) }
