package config

import (
	"strings"
	"testing"
)

// A config without the sender's identity is refused, key by key: there are
// no sample defaults to send under.
func TestIdentityIsRequired(t *testing.T) {
	cfg, err := Load(write(t, "[sources]\nfeeds = [\"f.xml\"]\n"), true, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = cfg.Validate()
	for _, key := range []string{"site.title", "site.url", "mail.from", "mail.list_id", "web.base_url"} {
		if err == nil || !strings.Contains(err.Error(), key+":") {
			t.Errorf("Validate() = %v; want it to name %s", err, key)
		}
	}
}

// What init writes is a valid TOML file that Validate refuses until every
// placeholder is replaced, naming each one.
func TestStarterFilePlaceholders(t *testing.T) {
	cfg, err := Load(write(t, string(StarterFile(Starter{}))), true, nil)
	if err != nil {
		t.Fatalf("Load(starter) = %v", err)
	}
	err = cfg.Validate()
	for _, key := range []string{"site.title", "site.url", "mail.from", "mail.list_id", "web.base_url"} {
		if err == nil || !strings.Contains(err.Error(), key+": still holds the placeholder") {
			t.Errorf("Validate(starter) = %v; want a placeholder error for %s", err, key)
		}
	}
}

// With what discovery found, only the sender's name is left to fill in;
// a quote in a title cannot break the file.
func TestStarterFileFilled(t *testing.T) {
	body := StarterFile(Starter{Title: `Bottega "Digitale"`, URL: "https://www.bottega.example.it/",
		Feeds: []string{"https://www.bottega.example.it/feed/"}, Language: "en"})
	cfg, err := Load(write(t, string(body)), true, nil)
	if err != nil {
		t.Fatalf("Load = %v\n%s", err, body)
	}
	if cfg.Site.Title != `Bottega "Digitale"` || cfg.Site.Language != "en" || cfg.Sources.Feeds[0] != "https://www.bottega.example.it/feed/" {
		t.Errorf("starter read back as %+v %+v", cfg.Site, cfg.Sources)
	}
	if cfg.Mail.ListID != "settimanale.bottega.example.it" {
		t.Errorf("mail.list_id = %q; want one derived from the blog's host", cfg.Mail.ListID)
	}
	err = cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), "mail.from: still holds the placeholder") || strings.Contains(err.Error(), "site.") {
		t.Errorf("Validate = %v; want only mail.from's placeholder left", err)
	}
}
