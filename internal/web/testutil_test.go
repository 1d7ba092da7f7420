package web_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // tests must not depend on the machine's zoneinfo

	"github.com/venerdi/venerdi/internal/mailer"
	"github.com/venerdi/venerdi/internal/newsletter"
	"github.com/venerdi/venerdi/internal/smtptest"
	"github.com/venerdi/venerdi/internal/web"
)

// Shared by the browser test and the soak test: a real SQLite file, the
// core on it, an SMTP server on 127.0.0.1 and the web server on a real
// listener whose URL is the public base URL, so every link in mail points
// at it.

// testNow is the sample issue's slot, as `venerdi --now` gives it in the
// CLI tests: Friday 4 December 2026, 09:00 in Rome (ISO week 2026-W49).
const testNow = "2026-12-04T09:00:00+01:00"

func rome(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return at.In(rome(t))
}

// clock is the injected "now" a test moves by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// syncBuffer is a bytes.Buffer safe for the many goroutines of a server's
// log.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// logReporter hears the core and writes what it says into a buffer.
type logReporter struct{ w io.Writer }

func (r logReporter) Verbosef(format string, args ...any) {
	fmt.Fprintf(r.w, "verbose: "+format+"\n", args...)
}

func (r logReporter) Warnf(format string, args ...any) {
	fmt.Fprintf(r.w, "warning: "+format+"\n", args...)
}

func (logReporter) Progress(string) newsletter.Progress { return nil }

// siteOptions choose what a test site is made of.
type siteOptions struct {
	TLS       bool          // serve https (RFC 8058 one-click needs an https List-Unsubscribe)
	Sources   bool          // the sample feed and catalog of the repository's testdata
	SMTPDelay time.Duration // how long the SMTP server takes to accept a message
	Secret    string
	Web       web.Options // Log is filled in
}

// testSite is a running site.
type testSite struct {
	URL    string // the public base URL: the web server's
	DB     string
	Clock  *clock
	NL     *newsletter.Newsletter
	Opts   newsletter.Options
	SMTP   *smtptest.Server
	Server *httptest.Server
	Web    *web.Server
	Log    *syncBuffer // the web server's slog output and the core's reports
}

// coreOptions are the core's options for a site at base, like the sample
// venerdi.toml of the repository's testdata.
func coreOptions(t testing.TB, base string, smtpPort int, secret string, sources bool) newsletter.Options {
	opts := newsletter.Options{
		Site: newsletter.Site{Title: "Bottega Digitale", URL: "https://bottega.example.it", Language: "it", Location: rome(t)},
		Sources: newsletter.Sources{
			MaxBytes: 10 << 20,
			Timeout:  10 * time.Second,
		},
		Rules: newsletter.Rules{FirstIssueDays: 7, UpcomingDays: 14, SkipEmpty: true, MaxDelay: 24 * time.Hour,
			Weekday: time.Friday, Hour: 9},
		Mail: newsletter.Mail{
			From:   "Bottega Digitale <newsletter@bottega.example.it>",
			ListID: "settimanale.bottega.example.it",
		},
		BaseURL: base,
		Secret:  secret,
		Transport: newsletter.Transport{SMTP: mailer.SMTPConfig{Host: "127.0.0.1", Port: smtpPort, TLS: "none",
			Timeout: 10 * time.Second}},
		Sending: newsletter.Sending{Connections: 4, MaxAttempts: 3, Backoff: 50 * time.Millisecond},
		Version: "test",
	}
	if sources {
		abs := func(p string) string {
			a, err := filepath.Abs(filepath.Join("..", "..", "testdata", p))
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		opts.Sources.Feeds = []newsletter.Source{{Name: "blog/feed.xml", Location: abs("blog/feed.xml")}}
		opts.Sources.Catalog = &newsletter.Source{Name: "webinars.json", Location: abs("webinars.json")}
	}
	return opts
}

// newSite starts the SMTP server, opens the core on a fresh database with
// the web server's URL as its base URL, and serves it.
func newSite(t *testing.T, o siteOptions, now time.Time) *testSite {
	t.Helper()
	ctx := context.Background()
	s := &testSite{DB: filepath.Join(t.TempDir(), "venerdi.db"), Clock: &clock{t: now}, Log: &syncBuffer{}}
	var err error
	if s.SMTP, err = smtptest.Start(smtptest.Options{Delay: o.SMTPDelay}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.SMTP.Close() })

	// Listen first: the core needs the public URL before the handler exists.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	scheme := "http"
	if o.TLS {
		scheme = "https"
	}
	s.URL = scheme + "://" + ln.Addr().String()

	s.Opts = coreOptions(t, s.URL, s.SMTP.Port, o.Secret, o.Sources)
	if s.NL, err = newsletter.Open(ctx, s.DB, s.Opts, s.Clock.Now, logReporter{s.Log}); err != nil {
		ln.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { s.NL.Close() })

	wo := o.Web
	wo.Log = slog.New(slog.NewTextHandler(s.Log, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if s.Web, err = web.New(s.NL, wo); err != nil {
		ln.Close()
		t.Fatal(err)
	}
	s.Server = httptest.NewUnstartedServer(s.Web.Handler())
	s.Server.Listener.Close()
	s.Server.Listener = ln
	s.Server.Config.ErrorLog = slog.NewLogLogger(wo.Log.Handler(), slog.LevelWarn)
	if o.TLS {
		s.Server.StartTLS()
	} else {
		s.Server.Start()
	}
	t.Cleanup(s.Server.Close)
	if s.Server.URL != s.URL {
		t.Fatalf("server URL %s; want %s", s.Server.URL, s.URL)
	}
	return s
}

// subscriber returns the subscriber with address email.
func (s *testSite) subscriber(t *testing.T, email string) newsletter.Subscriber {
	t.Helper()
	var found *newsletter.Subscriber
	err := s.NL.EachSubscriber(context.Background(), "", func(sub newsletter.Subscriber) error {
		if strings.EqualFold(sub.Email, email) {
			found = &sub
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found == nil {
		t.Fatalf("no subscriber %s", email)
	}
	return *found
}

// parsedMail is a message as a mail client reads it: headers, and the text
// and HTML parts decoded.
type parsedMail struct {
	Header mail.Header
	Text   string
	HTML   string
}

// parseMail reads raw, walking multipart bodies and undoing
// quoted-printable and base64.
func parseMail(t *testing.T, raw []byte) *parsedMail {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("read message: %v\n%s", err, raw)
	}
	pm := &parsedMail{Header: m.Header}
	if err := pm.walk(m.Header, m.Body); err != nil {
		t.Fatalf("read message body: %v\n%s", err, raw)
	}
	return pm
}

// partHeader is what mail.Header and a part's textproto.MIMEHeader share.
type partHeader interface{ Get(string) string }

func (pm *parsedMail) walk(h partHeader, body io.Reader) error {
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain"
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Errorf("content-type %q: %w", ct, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			// multipart.Reader undoes quoted-printable itself (and drops the
			// header); base64 is left to decode.
			if err := pm.walk(p.Header, p); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body) // it skips line breaks
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	switch mt {
	case "text/plain":
		pm.Text += string(b)
	case "text/html":
		pm.HTML += string(b)
	}
	return nil
}

// mailsTo returns the messages that arrived for addr, parsed.
func mailsTo(t *testing.T, srv *smtptest.Server, addr string) []*parsedMail {
	t.Helper()
	var out []*parsedMail
	for _, m := range srv.Messages() {
		for _, to := range m.To {
			if strings.EqualFold(to, addr) {
				out = append(out, parseMail(t, m.Data))
			}
		}
	}
	return out
}

// isDigest tells an issue (it carries List-Unsubscribe) from a
// confirmation mail.
func isDigest(m *parsedMail) bool { return m.Header.Get("List-Unsubscribe") != "" }

// noRedirects is a client that reports a redirect instead of following it.
func noRedirects(c *http.Client) *http.Client {
	cc := *c
	cc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	cc.Jar = nil
	return &cc
}
