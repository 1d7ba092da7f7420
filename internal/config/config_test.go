package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const minimal = `[site]
title = "Bottega Digitale"
url = "https://bottega.example.it"
[sources]
feeds = ["feed.xml"]
[mail]
from = "Bottega <news@bottega.example.it>"
list_id = "l.bottega.example.it"
unsubscribe_url = "https://news.bottega.example.it"
`

func write(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "venerdi.toml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadDefaultsFileEnv(t *testing.T) {
	p := write(t, minimal+"[smtp]\nport = 2525\n")
	cfg, err := Load(p, true, []string{
		"VENERDI_SMTP_HOST=relay.example.it",
		"VENERDI_SOURCES_FEEDS=a.xml, https://b.it/feed",
		"VENERDI_DIGEST_MAX_DELAY=36h",
		"VENERDI_DIGEST_SKIP_EMPTY=false",
		"VENERDI_SMTP_RATE=12.5",
		"VENERDI_MAIL_ADDRESS=Via Roma 1, 40121 Bologna",
		"HOME=/root",
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"smtp.port (file)", cfg.SMTP.Port, 2525},
		{"smtp.host (env)", cfg.SMTP.Host, "relay.example.it"},
		{"sources.feeds (env list)", strings.Join(cfg.Sources.Feeds, "|"), "a.xml|https://b.it/feed"},
		{"digest.max_delay (env duration)", cfg.Digest.MaxDelay.Duration, 36 * time.Hour},
		{"digest.skip_empty (env bool)", cfg.Digest.SkipEmpty, false},
		{"smtp.rate (env float)", cfg.SMTP.Rate, 12.5},
		{"site.timezone (default)", cfg.Site.Timezone, "Europe/Rome"},
		{"smtp.connections (default)", cfg.SMTP.Connections, 4},
		{"store path resolved", cfg.Path(cfg.Store.Path), filepath.Join(filepath.Dir(p), "venerdi.db")},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v; want %v", c.name, c.got, c.want)
		}
	}
}

func TestLoadErrorsNameTheProblem(t *testing.T) {
	tests := []struct {
		name, body string
		env        []string
		want       string
	}{
		{"unknown key", minimal + "[digest]\nskip_emtpy = true\n", nil, "unknown key digest.skip_emtpy"},
		{"syntax", minimal + "[smtp\n", nil, "to end table name"},
		{"bad env number", minimal, []string{"VENERDI_SMTP_PORT=abc"}, `VENERDI_SMTP_PORT: "abc" is not a whole number`},
		{"bad env duration", minimal, []string{"VENERDI_DIGEST_MAX_DELAY=soon"}, "VENERDI_DIGEST_MAX_DELAY"},
	}
	for _, tt := range tests {
		_, err := Load(write(t, tt.body), true, tt.env)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Load = %v; want an error containing %q", tt.name, err, tt.want)
		}
	}
}

func TestValidateNamesEachKey(t *testing.T) {
	cfg, err := Load(write(t, strings.Replace(minimal, "[site]\n", "[site]\nlanguage = \"fr\"\ntimezone = \"Mars/Olympus\"\n", 1)+`[smtp]
tls = "sometimes"
connections = 0
`), true, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = cfg.Validate()
	for _, key := range []string{"site.language", "site.timezone", "smtp.tls", "smtp.connections"} {
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("Validate() = %v; want it to name %s", err, key)
		}
	}
}

func TestSecretsComeFromFilesAndAreMasked(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "pw"), []byte("hunter2\n"), 0o600)
	p := filepath.Join(dir, "venerdi.toml")
	os.WriteFile(p, []byte(minimal+"[smtp]\npassword_file = \"pw\"\n[web]\nsecret = \"s3cr3t\"\n"), 0o600)
	cfg, err := Load(p, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if pw, err := cfg.SMTPPassword(); err != nil || pw != "hunter2" {
		t.Errorf("SMTPPassword() = %q, %v; want hunter2 from the file", pw, err)
	}
	cfg.SMTP.Password = "from-env"
	out, _ := cfg.Masked()
	if strings.Contains(string(out), "from-env") || strings.Contains(string(out), "s3cr3t") {
		t.Errorf("Masked() shows a secret:\n%s", out)
	}
}

func TestMissingFile(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "nope.toml"), true, nil); err == nil {
		t.Error("Load(missing, mustExist) = nil error")
	}
	cfg, err := Load(filepath.Join(t.TempDir(), "nope.toml"), false, nil)
	if err != nil || cfg.File != "" {
		t.Errorf("Load(missing, optional) = %+v, %v; want defaults", cfg, err)
	}
}

// [digest.utm] is on by default and its nested keys are overridable from
// the environment too. (mail.address is checked by the core, when an issue
// is composed for a real send.)
func TestUTM(t *testing.T) {
	cfg, err := Load(write(t, minimal+"[digest.utm]\ncampaign = \"natale\"\n"), true, []string{"VENERDI_DIGEST_UTM_MEDIUM=mail", "VENERDI_DIGEST_UTM_ENABLED=false"})
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Errorf("Validate() of the outbox demo without mail.address = %v; want nil", err)
	}
	want := UTM{Enabled: false, Source: "newsletter", Medium: "mail", Campaign: "natale"}
	if cfg.Digest.UTM != want {
		t.Errorf("digest.utm = %+v; want %+v", cfg.Digest.UTM, want)
	}
}

// The bounds and the scheduler's lead have defaults: a config that says
// nothing about them still caps an issue and fetches ahead of the slot.
func TestDefaultBounds(t *testing.T) {
	d := Default()
	if d.Digest.MaxPosts != 12 || d.Digest.MaxHTMLBytes != 102_000 || d.Digest.GatherLead.Duration != 15*time.Minute ||
		d.SMTP.DataTimeout.Duration != 10*time.Minute || d.SMTP.BounceBreaker != 20 {
		t.Errorf("defaults: max_posts %d, max_html_bytes %d, gather_lead %v, data_timeout %v, bounce_breaker %d; want 12, 102000, 15m, 10m, 20",
			d.Digest.MaxPosts, d.Digest.MaxHTMLBytes, d.Digest.GatherLead.Duration, d.SMTP.DataTimeout.Duration, d.SMTP.BounceBreaker)
	}
}
