// Package newsletter is venerdi's application core: the one value every
// front end calls (the command line, `venerdi serve`, the scheduler). It owns
// the product's rules: what goes into an issue, when an issue is stale, who
// gets it, how a relay's answer is recorded, what an import may change.
// Front ends translate flags or requests into calls here and results into
// output; they never reach the store or the lower packages themselves.
//
// The model is miniflux's reader/handler.RefreshFeed: one entry point per
// operation, whoever asks for it.
package newsletter

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/venerdi/venerdi/internal/delivery"
	"github.com/venerdi/venerdi/internal/digest"
	"github.com/venerdi/venerdi/internal/links"
	"github.com/venerdi/venerdi/internal/mailer"
	"github.com/venerdi/venerdi/internal/store"
)

// Options are the settings the core runs on, as plain values: the front
// end builds them from its configuration (see cli), with relative paths
// already resolved.
type Options struct {
	Site    Site
	Sources Sources
	Rules   Rules
	Mail    Mail
	// BaseURL is the public URL of `venerdi serve`; every link in mail and
	// on pages is built from it.
	BaseURL string
	// Secret signs the tokens in links; empty means the one generated once
	// and kept in the database.
	Secret    string
	Transport Transport
	Sending   Sending
	// Templates is a folder of template overrides; empty: the built-in ones.
	Templates string
	// Version names venerdi in the User-Agent of its fetches.
	Version string
	// Issue shapes the rendered digest (digest.subject, [digest.utm]).
	Issue IssueOptions
}

// UTM is the campaign tagging of links to the blog.
type UTM = links.UTM

// IssueOptions shape the rendered digest.
type IssueOptions struct {
	// Subject is a text/template replacing subject.txt; empty keeps it.
	Subject string
	// UTM tags the links to Site.URL; nil: no tagging.
	UTM *links.UTM
}

// Site describes the blog.
type Site struct {
	Title    string
	URL      string
	Language string // "it" or "en"
	Location *time.Location
}

// Sources are where posts and webinars come from.
type Sources struct {
	Feeds []Source
	// Catalog is the webinar catalog; nil when there is none.
	Catalog       *Source
	CatalogFormat string // json | csv | ics; empty: by name or Content-Type
	MaxBytes      int64
	Timeout       time.Duration
}

// Source is one configured feed or catalog.
type Source struct {
	Name     string // as configured: the key its state is kept under
	Location string // the URL, or the path resolved against the config file
}

// Rules are the selection and schedule rules of the weekly digest.
type Rules struct {
	FirstIssueDays int           // how far back the very first issue looks
	UpcomingDays   int           // live webinars starting within this many days
	SkipEmpty      bool          // no issue in a week with nothing new
	MaxDelay       time.Duration // resuming an older issue needs Force
	Weekday        time.Weekday  // when the issue goes out
	Hour, Minute   int
	// AllowPartial sends the week's issue even when a source failed;
	// false holds it until every source answers.
	AllowPartial bool
	// MaxPosts caps the posts an issue lists, newest first; the rest are
	// counted and linked to the blog. 0: no cap.
	MaxPosts int
	// MaxHTMLBytes refuses to freeze an issue whose HTML is larger (Gmail
	// clips messages over 102 KB). 0: no cap.
	MaxHTMLBytes int
}

// Mail holds the identity every message carries.
type Mail struct {
	From    string
	ReplyTo string
	// ListID is the List-Id of the digest stream; ListIDLetters that of
	// the letters (each stream its own, so mailbox rules and one-click
	// unsubscribe apply per stream).
	ListID            string
	ListIDLetters     string
	UnsubscribeMailto string // optional mailto: List-Unsubscribe alternative
	DKIM              DKIM
	Address           string // the sender's postal address, for the footer
	// RequireAddress makes Compose refuse to freeze an issue without
	// Address: the command line sets it for a real send (smtp.host set).
	RequireAddress bool
}

// DKIM locates the signing key; an empty KeyFile means no signature.
type DKIM struct {
	KeyFile  string
	Selector string
	Domain   string // default: the From domain
}

// Transport says where messages go: an SMTP relay, or with SMTP.Host
// empty, .eml files in OutboxDir.
type Transport struct {
	SMTP      mailer.SMTPConfig
	OutboxDir string
}

// Sending paces delivery.
type Sending struct {
	Connections int
	Rate        float64 // messages per second across connections; 0: unlimited
	MaxPerHour  int     // 0: unlimited
	MaxAttempts int     // per recipient per run
	Backoff     time.Duration
	// BounceBreaker is how many permanent recipient refusals in a row stop
	// a run as the relay's fault; 0: never.
	BounceBreaker int
}

// Reporter hears what the core has to say while it works. The command line
// prints it (details only with -v); the long-running commands log it.
type Reporter interface {
	// Verbosef reports a detail of a run that went as it should.
	Verbosef(format string, args ...any)
	// Warnf reports something the author should act on, though the run
	// goes on (a feed that moved for good, say).
	Warnf(format string, args ...any)
	// Progress returns a meter for a long step, or nil for none.
	Progress(label string) Progress
}

// Progress hears how a delivery advances; it is called from several
// goroutines.
type Progress interface {
	Start(total int)
	Done(finished int)
}

// Newsletter is the application: built once per command from Options, the
// store and a clock.
type Newsletter struct {
	opts     Options
	st       *store.Store
	now      func() time.Time
	rep      Reporter
	links    *links.Builder
	secret   []byte
	signer   *mailer.Signer
	renderer *digest.Renderer
	confirm  *digest.ConfirmationRenderer
	letters  *digest.LetterRenderer
}

// Open opens the database at dbPath and builds the application on it; Close
// closes both.
func Open(ctx context.Context, dbPath string, opts Options, now func() time.Time, rep Reporter) (*Newsletter, error) {
	st, err := store.Open(ctx, dbPath)
	if err != nil {
		return nil, err
	}
	n, err := New(ctx, opts, st, now, rep)
	if err != nil {
		st.Close()
		return nil, err
	}
	return n, nil
}

// New builds the application on an open store. Everything a command may
// need is built here, once, so a bad key file or template is reported
// before anything is fetched or sent.
func New(ctx context.Context, opts Options, st *store.Store, now func() time.Time, rep Reporter) (*Newsletter, error) {
	if now == nil {
		now = time.Now
	}
	if rep == nil {
		rep = Quiet{}
	}
	if opts.Site.Location == nil {
		opts.Site.Location = time.UTC
	}
	n := &Newsletter{opts: opts, st: st, now: now, rep: rep}
	var err error
	if n.links, err = links.New(opts.BaseURL, opts.Mail.UnsubscribeMailto); err != nil {
		return nil, fmt.Errorf("base URL: %w", err)
	}
	secret := opts.Secret
	if secret == "" {
		if secret, err = st.Secret(ctx); err != nil {
			return nil, fmt.Errorf("signing secret: %w", err)
		}
	}
	n.secret = []byte(secret)
	if d := opts.Mail.DKIM; d.KeyFile != "" {
		key, err := os.ReadFile(d.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("dkim key: %w", err)
		}
		domain := d.Domain
		if domain == "" {
			domain = delivery.DomainOf(opts.Mail.From)
		}
		if n.signer, err = mailer.NewSigner(domain, d.Selector, key); err != nil {
			return nil, fmt.Errorf("dkim key %s: %w", d.KeyFile, err)
		}
	}
	if n.renderer, err = digest.NewRenderer(opts.Site.Language, opts.Templates); err != nil {
		return nil, err
	}
	if err = n.renderer.SetSubject(opts.Issue.Subject); err != nil {
		return nil, err
	}
	if n.confirm, err = digest.NewConfirmationRenderer(opts.Site.Language, opts.Templates); err != nil {
		return nil, err
	}
	if n.letters, err = digest.NewLetterRenderer(opts.Site.Language, opts.Templates); err != nil {
		return nil, err
	}
	return n, nil
}

// Site is the blog the newsletter belongs to, for front ends that show it.
func (n *Newsletter) Site() Site { return n.opts.Site }

// Templates is the author's template folder ("" for the built-in ones),
// where front ends look for their own overrides too.
func (n *Newsletter) Templates() string { return n.opts.Templates }

// Close closes the store.
func (n *Newsletter) Close() error { return n.st.Close() }

// Links returns the builder of every public link.
func (n *Newsletter) Links() *links.Builder { return n.links }

// Location is the site's time zone, in which dates are shown and weeks cut.
func (n *Newsletter) Location() *time.Location { return n.opts.Site.Location }

// Quiet is a Reporter that says nothing.
type Quiet struct{}

// Verbosef implements Reporter.
func (Quiet) Verbosef(string, ...any) {}

// Warnf implements Reporter.
func (Quiet) Warnf(string, ...any) {}

// Progress implements Reporter.
func (Quiet) Progress(string) Progress { return nil }

// ErrNotFound is returned when an issue or subscriber asked for does not
// exist.
var ErrNotFound = store.ErrNotFound

// isNotFound reports whether err means "no such row".
func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
