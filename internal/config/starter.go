package config

import (
	"bytes"
	"net/url"
	"strings"
	"text/template"
)

// Placeholder marks the values `venerdi init` cannot know; Validate refuses
// a config that still holds one, so nothing goes out under a made-up name.
const Placeholder = "REPLACE-ME"

// Starter is what `venerdi init` knows of the blog; empty fields are
// written as placeholders.
type Starter struct {
	Title    string
	URL      string // the blog's home page
	Feeds    []string
	Language string // "it" or "en"; default "it"
}

// StarterFile returns a commented venerdi.toml for s.
func StarterFile(s Starter) []byte {
	host := ""
	if u, err := url.Parse(s.URL); err == nil {
		host = strings.TrimPrefix(u.Hostname(), "www.")
	}
	d := map[string]any{
		"Title": orPlaceholder(s.Title, Placeholder+": your blog's name"),
		"URL":   orPlaceholder(s.URL, "https://"+Placeholder+".example"),
		"Lang":  orPlaceholder(s.Language, "it"),
		"Feeds": s.Feeds,
		"From":  Placeholder + " <newsletter@" + orPlaceholder(host, Placeholder+".example") + ">",
		"List":  "settimanale." + orPlaceholder(host, Placeholder+".example"),
		"Base":  "https://news." + orPlaceholder(host, Placeholder+".example"),
	}
	if len(s.Feeds) == 0 {
		d["Feeds"] = []string{"https://" + Placeholder + ".example/feed/"}
	}
	var b bytes.Buffer
	if err := starterTemplate.Execute(&b, d); err != nil {
		panic(err) // the template is ours and its data fixed
	}
	return b.Bytes()
}

func orPlaceholder(v, p string) string {
	if strings.TrimSpace(v) == "" {
		return p
	}
	return v
}

// tomlString quotes s as a TOML basic string.
func tomlString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	return `"` + r.Replace(s) + `"`
}

var starterTemplate = template.Must(template.New("venerdi.toml").Funcs(template.FuncMap{"q": tomlString}).Parse(
	`# venerdi configuration. Every key can be overridden by VENERDI_<SECTION>_<KEY>.
# Relative paths are resolved against this file's directory.
# Values marked ` + Placeholder + ` must be replaced before venerdi will run.

[site]
title = {{q .Title}}
url = {{q .URL}}
language = {{q .Lang}}                 # it | en
timezone = "Europe/Rome"

[sources]
feeds = [{{range $i, $f := .Feeds}}{{if $i}}, {{end}}{{q $f}}{{end}}]   # URLs or local paths, one or more
# catalog = "webinars.json"                    # URL or local path: .json, .csv or .ics
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
# subject = ""                  # text/template for the subject; empty: the lead post and the count

# [digest.utm]                  # campaign tags on links to site.url only
# enabled = true
# source = "newsletter"
# medium = "email"
# campaign = ""                 # empty: the week key, e.g. 2026-W49
# content = ""                  # empty: the post's slug

[store]
path = "venerdi.db"

[mail]
from = {{q .From}}
reply_to = ""
list_id = {{q .List}}
list_id_letters = ""            # List-Id of the letters; empty: list_id with "lettere" for its first label
unsubscribe_mailto = ""         # optional mailto: List-Unsubscribe alternative
# dkim_key_file = "dkim.pem"
# dkim_selector = "venerdi"
# dkim_domain = ""              # default: the From domain
# address = "Via Roma 1, 40121 Bologna BO, Italia"   # postal address in the footer; required once smtp.host is set

[smtp]
host = ""                       # empty: write .eml files to [outbox] dir instead
port = 587
username = ""
# password: never here. Set VENERDI_SMTP_PASSWORD, or password_file = "/path/to/file" (mode 0600)
tls = "starttls"                # starttls | tls (implicit, port 465) | none
# connections = 4
# rate = 0                      # messages per second, 0 = unlimited
# max_per_hour = 0
# max_attempts = 5
# backoff = "2s"

[outbox]
dir = "outbox"

[web]
base_url = {{q .Base}}   # public URL of 'venerdi serve': every link in mail and pages starts here
listen = "127.0.0.1:8080"       # where serve listens (behind your reverse proxy); --listen overrides
# trusted_proxies = ["127.0.0.1"]   # whose X-Forwarded-For to believe
# log_format = "text"           # text | json
# secret_file = "secret"        # token signing key (mode 0600); if unset, generated once and kept in the database
`))
