// Package config owns venerdi's settings: the struct, its defaults, loading
// (defaults < TOML file < VENERDI_* environment) and validation. Only the cli
// package reads it; everything else takes plain option structs.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Config is the whole of venerdi.toml. The toml tags are the contract: add
// keys, never rename them.
type Config struct {
	Site    Site    `toml:"site"`
	Sources Sources `toml:"sources"`
	Digest  Digest  `toml:"digest"`
	Store   Store   `toml:"store"`
	Mail    Mail    `toml:"mail"`
	SMTP    SMTP    `toml:"smtp"`
	Outbox  Outbox  `toml:"outbox"`
	Web     Web     `toml:"web"`

	// Dir is the directory of the config file; relative paths in the file
	// are resolved against it so cron can run venerdi from anywhere.
	Dir string `toml:"-"`
	// File is the path the config was read from ("" when none existed).
	File string `toml:"-"`
}

// Site describes the blog.
type Site struct {
	Title    string `toml:"title"`
	URL      string `toml:"url"`
	Language string `toml:"language"`
	Timezone string `toml:"timezone"`
}

// Sources are where posts and webinars come from.
type Sources struct {
	Feeds         []string `toml:"feeds"`
	Catalog       string   `toml:"catalog"`
	CatalogFormat string   `toml:"catalog_format"` // json | csv | ics; empty: by extension or Content-Type
	MaxBytes      int64    `toml:"max_bytes"`      // per source; default 10 MB
	Timeout       Duration `toml:"timeout"`        // whole request; default 30s
}

// Digest holds the selection and schedule rules.
type Digest struct {
	Weekday        string   `toml:"weekday"`
	Time           string   `toml:"time"`
	FirstIssueDays int      `toml:"first_issue_days"`
	UpcomingDays   int      `toml:"upcoming_days"`
	SkipEmpty      bool     `toml:"skip_empty"`
	MaxDelay       Duration `toml:"max_delay"` // resuming an older issue needs --force
	Templates      string   `toml:"templates"` // override directory; empty: built-in only
	// Subject is a text/template for the subject line (fields of
	// digest.Data); empty: the template's subject.txt.
	Subject string `toml:"subject"`
	UTM     UTM    `toml:"utm"`
	// Bounds, so no feed or template can make an issue too big to send.
	MaxPosts     int `toml:"max_posts"`      // newest first; the rest linked to the blog
	MaxHTMLBytes int `toml:"max_html_bytes"` // refuse to freeze a larger issue
	// AllowPartial sends the issue even when a source failed; false holds
	// it until every source answers.
	AllowPartial bool `toml:"allow_partial"`
	// GatherLead is how long before the slot 'venerdi run' fetches the
	// sources, so the issue goes out on the minute.
	GatherLead Duration `toml:"gather_lead"`
}

// UTM is [digest.utm]: campaign tagging of the links to the blog itself.
type UTM struct {
	Enabled  bool   `toml:"enabled"`
	Source   string `toml:"source"`
	Medium   string `toml:"medium"`
	Campaign string `toml:"campaign"` // empty: the week key, e.g. 2026-W49
	Content  string `toml:"content"`  // empty: the post's slug
}

// Store locates the database.
type Store struct {
	Path string `toml:"path"`
}

// Mail holds the headers every message carries.
type Mail struct {
	From    string `toml:"from"`
	ReplyTo string `toml:"reply_to"`
	ListID  string `toml:"list_id"`
	// ListIDLetters is the List-Id of the letters stream; empty: derived
	// from ListID (see LettersListID).
	ListIDLetters     string `toml:"list_id_letters"`
	UnsubscribeURL    string `toml:"unsubscribe_url"`
	UnsubscribeMailto string `toml:"unsubscribe_mailto"`
	DKIMKeyFile       string `toml:"dkim_key_file"`
	DKIMSelector      string `toml:"dkim_selector"`
	DKIMDomain        string `toml:"dkim_domain"`
	// Address is the sender's postal address shown in every footer; the
	// core requires it to compose an issue for the list over smtp.host (a
	// real send), not for the outbox demo, previews or test copies.
	Address string `toml:"address"`
}

// SMTP is the relay. An empty Host means "write .eml files to the outbox".
type SMTP struct {
	Host         string   `toml:"host"`
	Port         int      `toml:"port"`
	Username     string   `toml:"username"`
	Password     string   `toml:"password"`
	PasswordFile string   `toml:"password_file"`
	TLS          string   `toml:"tls"`
	Connections  int      `toml:"connections"`
	Rate         float64  `toml:"rate"`         // messages per second, all workers; 0: unlimited
	MaxPerHour   int      `toml:"max_per_hour"` // 0: unlimited
	MaxAttempts  int      `toml:"max_attempts"`
	Backoff      Duration `toml:"backoff"` // first retry delay, doubled each time
	Timeout      Duration `toml:"timeout"`
	// DataTimeout is the wait for the reply to the end of a message; RFC
	// 5321 gives the relay 10 minutes.
	DataTimeout Duration `toml:"data_timeout"`
	// BounceBreaker: this many permanent recipient refusals in a row stop
	// the send as the relay's fault, bouncing nobody; 0 turns it off.
	BounceBreaker int `toml:"bounce_breaker"`
	// Pipelining sends each message's envelope in one round trip where the
	// relay offers PIPELINING (RFC 2920); false for a relay that gets it
	// wrong.
	Pipelining bool `toml:"pipelining"`
}

// Outbox is the folder transport used when no SMTP host is set.
type Outbox struct {
	Dir string `toml:"dir"`
}

// Web configures `venerdi serve` and the links every message carries.
type Web struct {
	// BaseURL is the public URL of serve; every link in mail and pages is
	// built from it. Empty: mail.unsubscribe_url, which it supersedes.
	BaseURL string `toml:"base_url"`
	Listen  string `toml:"listen"` // default 127.0.0.1:8080
	// TrustedProxies are CIDRs or addresses whose X-Forwarded-For is
	// believed (the reverse proxy in front of serve).
	TrustedProxies []string `toml:"trusted_proxies"`
	Secret         string   `toml:"secret"`
	SecretFile     string   `toml:"secret_file"`
	LogFormat      string   `toml:"log_format"` // text | json
}

// PublicURL is web.base_url, else mail.unsubscribe_url.
func (c *Config) PublicURL() string {
	if c.Web.BaseURL != "" {
		return c.Web.BaseURL
	}
	return c.Mail.UnsubscribeURL
}

// Proxies parses web.trusted_proxies (validated by Validate).
func (c *Config) Proxies() []*net.IPNet {
	var out []*net.IPNet
	for _, p := range c.Web.TrustedProxies {
		if n, err := parseCIDR(p); err == nil {
			out = append(out, n)
		}
	}
	return out
}

func parseCIDR(s string) (*net.IPNet, error) {
	if !strings.Contains(s, "/") {
		ip := net.ParseIP(s)
		if ip == nil {
			return nil, fmt.Errorf("%q is not an address or CIDR", s)
		}
		bits := 128
		if ip.To4() != nil {
			ip, bits = ip.To4(), 32
		}
		return &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)}, nil
	}
	_, n, err := net.ParseCIDR(s)
	if err != nil {
		return nil, fmt.Errorf("%q is not an address or CIDR", s)
	}
	return n, nil
}

// Duration is a time.Duration that reads "24h" or "90s" from TOML and env.
type Duration struct{ time.Duration }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration (like 30s, 24h)", b)
	}
	d.Duration = v
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Default returns the settings used where the file and env say nothing.
func Default() Config {
	return Config{
		// No title, URL or addresses: the sender's identity has no sensible
		// default, and a borrowed one would go out to real subscribers.
		Site:    Site{Language: "it", Timezone: "Europe/Rome"},
		Sources: Sources{MaxBytes: 10 << 20, Timeout: Duration{30 * time.Second}},
		Digest: Digest{Weekday: "friday", Time: "09:00", FirstIssueDays: 7, UpcomingDays: 14,
			SkipEmpty: true, MaxDelay: Duration{24 * time.Hour},
			MaxPosts: 12, MaxHTMLBytes: 102_000, GatherLead: Duration{15 * time.Minute},
			UTM: UTM{Enabled: true, Source: "newsletter", Medium: "email"}},
		Store: Store{Path: "venerdi.db"},
		SMTP: SMTP{Port: 587, TLS: "starttls", Connections: 4, MaxAttempts: 5, Backoff: Duration{2 * time.Second}, Timeout: Duration{30 * time.Second},
			DataTimeout: Duration{10 * time.Minute}, BounceBreaker: 20, Pipelining: true},
		Outbox: Outbox{Dir: "outbox"},
		Web:    Web{Listen: "127.0.0.1:8080", LogFormat: "text"},
	}
}

// Load reads path (a missing file is an error only when mustExist) and then
// applies VENERDI_<SECTION>_<KEY> variables from env.
func Load(path string, mustExist bool, env []string) (*Config, error) {
	cfg := Default()
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	cfg.Dir = filepath.Dir(abs)
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		cfg.File = path
		if err := decode(data, path, &cfg); err != nil {
			return nil, err
		}
	case errors.Is(err, os.ErrNotExist) && !mustExist:
		cwd, _ := os.Getwd()
		cfg.Dir = cwd
	default:
		return nil, fmt.Errorf("config: %w", err)
	}
	if err := applyEnv(&cfg, env); err != nil {
		return nil, err
	}
	return &cfg, nil
}

func decode(data []byte, path string, cfg *Config) error {
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(cfg)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return fmt.Errorf("%s:%d: %s", path, perr.Position.Line, perr.Message)
		}
		return fmt.Errorf("%s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return fmt.Errorf("%s: unknown key %s (see `venerdi config show` for the valid keys)", path, strings.Join(keys, ", "))
	}
	return nil
}

// EnvName returns the variable that overrides section.key.
func EnvName(section, key string) string {
	return "VENERDI_" + strings.ToUpper(section) + "_" + strings.ToUpper(key)
}

// applyEnv walks the sections by their toml tags so that every key, present
// and future, is overridable without a hand-kept list.
func applyEnv(cfg *Config, env []string) error {
	vars := map[string]string{}
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "VENERDI_") {
			vars[k] = v
		}
	}
	root := reflect.ValueOf(cfg).Elem()
	for i := 0; i < root.NumField(); i++ {
		section := root.Type().Field(i).Tag.Get("toml")
		if section == "" || section == "-" {
			continue
		}
		sv := root.Field(i)
		for j := 0; j < sv.NumField(); j++ {
			key := sv.Type().Field(j).Tag.Get("toml")
			if sub := sv.Field(j); sub.Kind() == reflect.Struct && sub.Type() != reflect.TypeFor[Duration]() {
				// A nested table ([digest.utm]): VENERDI_DIGEST_UTM_SOURCE.
				for k := 0; k < sub.NumField(); k++ {
					name := EnvName(section, key+"_"+sub.Type().Field(k).Tag.Get("toml"))
					if val, ok := vars[name]; ok {
						if err := setField(sub.Field(k), val); err != nil {
							return fmt.Errorf("%s: %w", name, err)
						}
					}
				}
				continue
			}
			name := EnvName(section, key)
			val, ok := vars[name]
			if !ok {
				continue
			}
			if err := setField(sv.Field(j), val); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
	}
	return nil
}

func setField(f reflect.Value, val string) error {
	if u, ok := f.Addr().Interface().(interface{ UnmarshalText([]byte) error }); ok {
		return u.UnmarshalText([]byte(val))
	}
	switch f.Kind() {
	case reflect.String:
		f.SetString(val)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(strings.TrimSpace(val), 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", val)
		}
		f.SetInt(n)
	case reflect.Float64:
		n, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", val)
		}
		f.SetFloat(n)
	case reflect.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(val))
		if err != nil {
			return fmt.Errorf("%q is not true or false", val)
		}
		f.SetBool(b)
	case reflect.Slice:
		var list []string
		for _, s := range strings.Split(val, ",") {
			if s = strings.TrimSpace(s); s != "" {
				list = append(list, s)
			}
		}
		f.Set(reflect.ValueOf(list))
	default:
		return fmt.Errorf("cannot be set from the environment")
	}
	return nil
}

// Validate checks every value a run depends on and names the key at fault.
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...)))
	}
	for _, f := range []struct{ key, val string }{
		{"site.title", c.Site.Title}, {"site.url", c.Site.URL}, {"mail.from", c.Mail.From},
		{"mail.list_id", c.Mail.ListID}, {"mail.unsubscribe_url", c.Mail.UnsubscribeURL}, {"web.base_url", c.Web.BaseURL},
	} {
		if strings.Contains(f.val, Placeholder) {
			bad(f.key, "still holds the placeholder %q written by 'venerdi init': put your own value there", f.val)
		}
	}
	if strings.TrimSpace(c.Site.Title) == "" {
		bad("site.title", "must be set: it names the newsletter in every issue")
	}
	if u, err := url.Parse(c.Site.URL); err != nil || u.Scheme == "" || u.Host == "" {
		bad("site.url", "%q is not an absolute URL", c.Site.URL)
	}
	if c.Site.Language != "it" && c.Site.Language != "en" {
		bad("site.language", "%q: use it or en", c.Site.Language)
	}
	if _, err := time.LoadLocation(c.Site.Timezone); err != nil {
		bad("site.timezone", "%q is not a time zone (like Europe/Rome)", c.Site.Timezone)
	}
	if len(c.Sources.Feeds) == 0 {
		bad("sources.feeds", "at least one feed is needed")
	}
	switch c.Sources.CatalogFormat {
	case "", "json", "csv", "ics":
	default:
		bad("sources.catalog_format", "%q: use json, csv or ics", c.Sources.CatalogFormat)
	}
	if c.Sources.MaxBytes <= 0 {
		bad("sources.max_bytes", "must be positive")
	}
	if _, err := ParseWeekday(c.Digest.Weekday); err != nil {
		bad("digest.weekday", "%v", err)
	}
	if _, _, err := ParseClock(c.Digest.Time); err != nil {
		bad("digest.time", "%v", err)
	}
	if c.Digest.FirstIssueDays < 1 {
		bad("digest.first_issue_days", "must be at least 1")
	}
	if c.Digest.UpcomingDays < 1 {
		bad("digest.upcoming_days", "must be at least 1")
	}
	if c.Store.Path == "" {
		bad("store.path", "must not be empty")
	}
	if a, err := mail.ParseAddress(c.Mail.From); err != nil || !strings.Contains(a.Address, "@") {
		bad("mail.from", "%q is not an address (like Bottega <news@example.it>)", c.Mail.From)
	}
	if c.Mail.ReplyTo != "" {
		if _, err := mail.ParseAddress(c.Mail.ReplyTo); err != nil {
			bad("mail.reply_to", "%q is not an address", c.Mail.ReplyTo)
		}
	}
	if c.Mail.ListID == "" || strings.ContainsAny(c.Mail.ListID, " <>\r\n") {
		bad("mail.list_id", "%q: use a dotted name like settimanale.example.it", c.Mail.ListID)
	}
	if strings.ContainsAny(c.Mail.ListIDLetters, " <>\r\n") || c.Mail.ListIDLetters != "" && c.Mail.ListIDLetters == c.Mail.ListID {
		bad("mail.list_id_letters", "%q: use a dotted name like lettere.example.it, other than mail.list_id", c.Mail.ListIDLetters)
	}
	if c.Web.BaseURL == "" && c.Mail.UnsubscribeURL == "" {
		bad("web.base_url", "must be set: the public URL of venerdi serve, where every link in mail points (mail.unsubscribe_url is the older name)")
	} else if c.Web.BaseURL != "" {
		if u, err := url.Parse(c.Web.BaseURL); err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			bad("web.base_url", "%q is not an http(s) URL without query or fragment", c.Web.BaseURL)
		}
	} else if u, err := url.Parse(c.Mail.UnsubscribeURL); err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
		bad("mail.unsubscribe_url", "%q is not an http(s) URL (or set web.base_url, the public URL of venerdi serve)", c.Mail.UnsubscribeURL)
	}
	if _, _, err := net.SplitHostPort(c.Web.Listen); err != nil {
		bad("web.listen", "%q: use host:port, like 127.0.0.1:8080", c.Web.Listen)
	}
	for _, p := range c.Web.TrustedProxies {
		if _, err := parseCIDR(p); err != nil {
			bad("web.trusted_proxies", "%v", err)
		}
	}
	switch c.Web.LogFormat {
	case "text", "json":
	default:
		bad("web.log_format", "%q: use text or json", c.Web.LogFormat)
	}
	if c.Mail.UnsubscribeMailto != "" && !strings.HasPrefix(c.Mail.UnsubscribeMailto, "mailto:") {
		bad("mail.unsubscribe_mailto", "%q must start with mailto:", c.Mail.UnsubscribeMailto)
	}
	if (c.Mail.DKIMKeyFile != "") != (c.Mail.DKIMSelector != "") {
		bad("mail.dkim_selector", "dkim_key_file and dkim_selector go together")
	}
	switch c.SMTP.TLS {
	case "starttls", "tls", "none":
	default:
		bad("smtp.tls", "%q: use starttls, tls or none", c.SMTP.TLS)
	}
	if c.SMTP.Host != "" && (c.SMTP.Port < 1 || c.SMTP.Port > 65535) {
		bad("smtp.port", "%d is not a port", c.SMTP.Port)
	}
	if c.SMTP.Connections < 1 || c.SMTP.Connections > 64 {
		bad("smtp.connections", "%d: use 1 to 64", c.SMTP.Connections)
	}
	if c.SMTP.Rate < 0 {
		bad("smtp.rate", "must not be negative")
	}
	if c.SMTP.MaxPerHour < 0 {
		bad("smtp.max_per_hour", "must not be negative")
	}
	if c.SMTP.MaxAttempts < 1 {
		bad("smtp.max_attempts", "must be at least 1")
	}
	if strings.ContainsAny(c.Digest.UTM.Source+c.Digest.UTM.Medium+c.Digest.UTM.Campaign+c.Digest.UTM.Content, "\r\n") {
		bad("digest.utm", "values must be one line")
	}
	if c.SMTP.Host == "" && c.Outbox.Dir == "" {
		bad("outbox.dir", "must be set when smtp.host is empty")
	}
	for _, d := range []struct {
		key string
		d   Duration
	}{
		{"sources.timeout", c.Sources.Timeout}, {"digest.max_delay", c.Digest.MaxDelay}, {"smtp.backoff", c.SMTP.Backoff},
		{"smtp.timeout", c.SMTP.Timeout}, {"smtp.data_timeout", c.SMTP.DataTimeout}, {"digest.gather_lead", c.Digest.GatherLead},
	} {
		if d.d.Duration < 0 {
			bad(d.key, "%s is negative", d.d.Duration)
		}
	}
	if c.SMTP.Timeout.Duration > 0 && c.SMTP.Timeout.Duration < time.Second {
		bad("smtp.timeout", "%s is too short for a relay to answer: use at least 1s", c.SMTP.Timeout.Duration)
	}
	if c.SMTP.DataTimeout.Duration > 0 && c.SMTP.DataTimeout.Duration < time.Minute {
		bad("smtp.data_timeout", "%s: a relay may take minutes to accept a message (RFC 5321 allows 10m); use at least 1m, giving up sooner is what sends copies twice", c.SMTP.DataTimeout.Duration)
	}
	if c.SMTP.MaxAttempts > 100 {
		bad("smtp.max_attempts", "%d: use 1 to 100", c.SMTP.MaxAttempts)
	}
	if c.SMTP.BounceBreaker < 0 {
		bad("smtp.bounce_breaker", "must not be negative (0 turns it off)")
	}
	if c.Digest.MaxPosts < 0 || c.Digest.MaxPosts > 500 {
		bad("digest.max_posts", "%d: use 1 to 500 (0: no cap)", c.Digest.MaxPosts)
	}
	if c.Digest.MaxHTMLBytes < 0 || c.Digest.MaxHTMLBytes > 0 && c.Digest.MaxHTMLBytes < 10_000 {
		bad("digest.max_html_bytes", "%d: use at least 10000 (0: no cap; Gmail clips messages over 102000)", c.Digest.MaxHTMLBytes)
	}
	if c.Digest.FirstIssueDays > 366 {
		bad("digest.first_issue_days", "%d: use 1 to 366", c.Digest.FirstIssueDays)
	}
	if c.Digest.UpcomingDays > 366 {
		bad("digest.upcoming_days", "%d: use 1 to 366", c.Digest.UpcomingDays)
	}
	return errors.Join(errs...)
}

// Path resolves a path from the config against the config file's directory.
func (c *Config) Path(p string) string {
	if p == "" || filepath.IsAbs(p) || strings.Contains(p, "://") {
		return p
	}
	return filepath.Join(c.Dir, p)
}

// Location returns the site's time zone (validated by Validate).
func (c *Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.Site.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// SMTPPassword returns the password from the key, the file, in that order.
// VENERDI_SMTP_PASSWORD already landed in the key through applyEnv.
func (c *Config) SMTPPassword() (string, error) {
	if c.SMTP.Password != "" {
		return c.SMTP.Password, nil
	}
	if c.SMTP.PasswordFile != "" {
		b, err := os.ReadFile(c.Path(c.SMTP.PasswordFile))
		if err != nil {
			return "", fmt.Errorf("smtp.password_file: %w", err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	return "", nil
}

// WebSecret returns the signing secret from the key or the file; "" means
// the caller should use the one generated and kept in the database.
func (c *Config) WebSecret() (string, error) {
	if c.Web.Secret != "" {
		return c.Web.Secret, nil
	}
	if c.Web.SecretFile != "" {
		b, err := os.ReadFile(c.Path(c.Web.SecretFile))
		if err != nil {
			return "", fmt.Errorf("web.secret_file: %w", err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	return "", nil
}

// ParseWeekday reads an English or Italian weekday name.
func ParseWeekday(s string) (time.Weekday, error) {
	names := map[string]time.Weekday{
		"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
		"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
		"domenica": time.Sunday, "lunedì": time.Monday, "martedì": time.Tuesday, "mercoledì": time.Wednesday,
		"giovedì": time.Thursday, "venerdì": time.Friday, "sabato": time.Saturday,
	}
	if d, ok := names[strings.ToLower(strings.TrimSpace(s))]; ok {
		return d, nil
	}
	return 0, fmt.Errorf("%q is not a weekday (like friday)", s)
}

// ParseClock reads "09:00".
func ParseClock(s string) (hour, min int, err error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, 0, fmt.Errorf("%q is not a time of day (like 09:00)", s)
	}
	return t.Hour(), t.Minute(), nil
}

// Masked returns the config as TOML with secrets replaced by "********".
func (c *Config) Masked() ([]byte, error) {
	cp := *c
	if cp.SMTP.Password != "" {
		cp.SMTP.Password = "********"
	}
	if cp.Web.Secret != "" {
		cp.Web.Secret = "********"
	}
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(cp); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// LettersListID is the List-Id of the letters stream: mail.list_id_letters,
// else mail.list_id with its first label ("settimanale", "weekly",
// "newsletter", "news") replaced by "lettere" (Italian) or "letters",
// else "lettere." or "letters." before all of mail.list_id.
func (c *Config) LettersListID() string {
	if c.Mail.ListIDLetters != "" {
		return c.Mail.ListIDLetters
	}
	word := "lettere"
	if c.Site.Language == "en" {
		word = "letters"
	}
	id := c.Mail.ListID
	if first, rest, ok := strings.Cut(id, "."); ok && strings.Contains(rest, ".") {
		switch strings.ToLower(first) {
		case "settimanale", "weekly", "newsletter", "news", "digest":
			return word + "." + rest
		}
	}
	return word + "." + id
}
