package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/venerdi/venerdi/internal/newsletter"
	"github.com/venerdi/venerdi/internal/token"
	"github.com/venerdi/venerdi/internal/web"
)

var siteZone, _ = time.LoadLocation("Europe/Rome")

// fixture is a core on a real SQLite file, mail to an outbox folder, and
// the web server on a real listener at the base URL the links use.
type fixture struct {
	t      *testing.T
	log    *bytes.Buffer // the server's log
	nl     *newsletter.Newsletter
	srv    *httptest.Server
	outbox string
	now    time.Time
}

const secret = "test-secret"

func newFixture(t *testing.T, mod func(*web.Options)) *fixture {
	t.Helper()
	dir := t.TempDir()
	f := &fixture{t: t, outbox: filepath.Join(dir, "outbox"), now: time.Date(2026, 12, 1, 10, 0, 0, 0, siteZone)}
	// The listener comes first: its address is the base URL of every link.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String() + "/news"
	opts := newsletter.Options{
		Site:    newsletter.Site{Title: "Bottega Digitale", URL: "https://bottega.example.it", Language: "it", Location: siteZone},
		Rules:   newsletter.Rules{FirstIssueDays: 7, UpcomingDays: 14, SkipEmpty: false, MaxDelay: 24 * time.Hour, Weekday: time.Friday, Hour: 9},
		Mail:    newsletter.Mail{From: "Bottega Digitale <newsletter@bottega.example.it>", ListID: "settimanale.bottega.example.it"},
		BaseURL: base, Secret: secret,
		Transport: newsletter.Transport{OutboxDir: f.outbox},
		Sending:   newsletter.Sending{Connections: 1, MaxAttempts: 1},
	}
	nl, err := newsletter.Open(context.Background(), filepath.Join(dir, "v.db"), opts, func() time.Time { return f.now }, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nl.Close() })
	f.log = &bytes.Buffer{}
	wo := web.Options{Log: slog.New(slog.NewTextHandler(f.log, nil)), SubscribeRate: rate.Inf, Now: func() time.Time { return f.now }}
	if mod != nil {
		mod(&wo)
	}
	s, err := web.New(nl, wo)
	if err != nil {
		t.Fatal(err)
	}
	f.nl = nl
	f.srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: s.Handler()}}
	f.srv.Start()
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) url(p string) string { return f.srv.URL + "/news" + p }

// do sends a request without following redirects and returns the status
// and body.
func (f *fixture) do(req *http.Request) (*http.Response, string) {
	f.t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (f *fixture) get(p string) (*http.Response, string) {
	req, _ := http.NewRequest("GET", f.url(p), nil)
	return f.do(req)
}

func (f *fixture) postForm(p string, v url.Values, hdr ...string) (*http.Response, string) {
	req, _ := http.NewRequest("POST", f.url(p), strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return f.do(req)
}

func (f *fixture) status(email string) newsletter.SubscriberStatus {
	f.t.Helper()
	var st newsletter.SubscriberStatus = "absent"
	f.nl.EachSubscriber(context.Background(), "", func(s newsletter.Subscriber) error {
		if strings.EqualFold(s.Email, email) {
			st = s.Status
		}
		return nil
	})
	return st
}

func (f *fixture) uid(email string) int64 {
	var uid int64
	f.nl.EachSubscriber(context.Background(), "", func(s newsletter.Subscriber) error {
		if strings.EqualFold(s.Email, email) {
			uid = s.UID
		}
		return nil
	})
	return uid
}

// mails returns the decoded messages in the outbox.
func (f *fixture) mails() []string {
	f.t.Helper()
	files, _ := filepath.Glob(filepath.Join(f.outbox, "*.eml"))
	var out []string
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.t.Fatal(err)
		}
		dec, _ := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(b)))
		out = append(out, string(dec))
	}
	return out
}

var confirmLink = regexp.MustCompile(`http://[^\s"<>]+/confirm/[A-Za-z0-9_-]+`)

// subscribe fills in the form and returns the confirmation link mailed.
func (f *fixture) subscribe(email string) string {
	f.t.Helper()
	before := len(f.mails())
	resp, body := f.postForm("/subscribe", url.Values{"email": {email}, "name": {"Anna"}, "wording": {web.ConsentWording}})
	if resp.StatusCode != 200 || !strings.Contains(body, "Controlla la posta") {
		f.t.Fatalf("POST /subscribe = %d %q; want 200 and the check-your-inbox page", resp.StatusCode, body)
	}
	m := f.mails()
	if len(m) != before+1 {
		f.t.Fatalf("%d confirmation mails; want %d", len(m), before+1)
	}
	l := confirmLink.FindString(m[len(m)-1])
	if l == "" {
		f.t.Fatalf("no confirmation link in:\n%s", m[len(m)-1])
	}
	return strings.TrimPrefix(l, f.srv.URL+"/news")
}

func TestDoubleOptIn(t *testing.T) {
	f := newFixture(t, nil)
	resp, body := f.get("/subscribe")
	if resp.StatusCode != 200 || !strings.Contains(body, `name="email"`) || !strings.Contains(body, `<html lang="it">`) {
		t.Fatalf("GET /subscribe = %d; want the form in Italian:\n%s", resp.StatusCode, body)
	}
	link := f.subscribe("anna@example.it")
	if got := f.status("anna@example.it"); got != newsletter.Pending {
		t.Fatalf("after the form: %s; want pending", got)
	}
	mail := f.mails()[0]
	for _, want := range []string{"Subject: Conferma l'iscrizione a Bottega Digitale", "Auto-Submitted: auto-generated"} {
		if !strings.Contains(mail, want) {
			t.Errorf("confirmation mail lacks %q", want)
		}
	}
	if strings.Contains(mail, "List-Unsubscribe") {
		t.Error("a confirmation mail carries List-Unsubscribe; it is not a list message")
	}
	// A GET, as a link scanner makes, shows a button and changes nothing.
	for i := 0; i < 2; i++ {
		resp, body = f.get(link)
		if resp.StatusCode != 200 || !strings.Contains(body, `<form method="post"`) || !strings.Contains(body, "anna@example.it") {
			t.Fatalf("GET %s = %d; want the page with a button:\n%s", link, resp.StatusCode, body)
		}
	}
	if got := f.status("anna@example.it"); got != newsletter.Pending {
		t.Fatalf("after GET of the confirmation link: %s; want still pending", got)
	}
	for i := 0; i < 2; i++ { // idempotent
		resp, body = f.postForm(link, nil)
		if resp.StatusCode != 200 || !strings.Contains(body, "Iscrizione confermata") || !strings.Contains(body, "venerdì 4 dicembre alle 9:00") {
			t.Fatalf("POST %s #%d = %d; want confirmed, next issue Friday:\n%s", link, i+1, resp.StatusCode, body)
		}
	}
	if got := f.status("anna@example.it"); got != newsletter.Active {
		t.Fatalf("after confirming: %s; want active", got)
	}
	// The answer to the form is the same for an active address, and it
	// sends nothing more.
	resp, body = f.postForm("/subscribe", url.Values{"email": {"anna@example.it"}})
	if resp.StatusCode != 200 || !strings.Contains(body, "Controlla la posta") || len(f.mails()) != 1 {
		t.Errorf("subscribing an active address = %d, %d mails; want the same page and no mail", resp.StatusCode, len(f.mails()))
	}
}

func TestConfirmationMailLimits(t *testing.T) {
	f := newFixture(t, nil)
	f.subscribe("bruno@example.it")
	// Within ten minutes: the same answer, no second mail.
	f.postForm("/subscribe", url.Values{"email": {"bruno@example.it"}})
	if n := len(f.mails()); n != 1 {
		t.Fatalf("%d mails after two requests in a minute; want 1", n)
	}
	// At most three a day, however they are spread.
	for i := 0; i < 5; i++ {
		f.now = f.now.Add(11 * time.Minute)
		f.postForm("/subscribe", url.Values{"email": {"bruno@example.it"}})
	}
	if n := len(f.mails()); n != 3 {
		t.Fatalf("%d mails in a day; want 3", n)
	}
	f.now = f.now.Add(24 * time.Hour)
	f.subscribe("bruno@example.it")
}

func TestExpiredConfirmation(t *testing.T) {
	f := newFixture(t, nil)
	link := f.subscribe("carla@example.it")
	f.now = f.now.Add(newsletter.ConfirmValidity + time.Minute)
	for _, method := range []string{"GET", "POST"} {
		req, _ := http.NewRequest(method, f.url(link), nil)
		resp, body := f.do(req)
		if resp.StatusCode != 400 || !strings.Contains(body, "Link scaduto") {
			t.Errorf("%s expired link = %d; want 400 and the expired page:\n%s", method, resp.StatusCode, body)
		}
	}
	if got := f.status("carla@example.it"); got != newsletter.Pending {
		t.Errorf("after an expired confirmation: %s; want pending", got)
	}
}

func TestBadTokens(t *testing.T) {
	f := newFixture(t, nil)
	link := f.subscribe("dario@example.it")
	f.postForm(link, nil)
	good := strings.TrimPrefix(link, "/confirm/")
	uid := f.uid("dario@example.it")
	unsub := token.Make([]byte(secret), token.Unsubscribe, uid, "dario@example.it")
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	bad := map[string]string{
		"forged":                token.Make([]byte("other secret"), token.Unsubscribe, uid, "dario@example.it"),
		"truncated":             unsub[:len(unsub)-1],
		"altered":               flip(unsub, 20),
		"too long":              unsub + "A",
		"empty-ish":             "x",
		"not base64":            strings.Repeat("!", token.Len),
		"wrong purpose":         good, // a confirmation token used to unsubscribe
		"for another address":   token.Make([]byte(secret), token.Unsubscribe, uid, "mallory@example.it"),
		"unknown subscriber":    token.Make([]byte(secret), token.Unsubscribe, uid+1, "dario@example.it"),
		"row id, not link id":   token.Make([]byte(secret), token.Unsubscribe, 1, "dario@example.it"),
		"percent-encoded slash": "a%2Fb",
	}
	for name, tok := range bad {
		t.Run(name, func(t *testing.T) {
			for _, method := range []string{"GET", "POST"} {
				req, _ := http.NewRequest(method, f.url("/unsubscribe/"+tok), strings.NewReader("List-Unsubscribe=One-Click"))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				resp, body := f.do(req)
				if resp.StatusCode != 400 {
					t.Errorf("%s /unsubscribe/%s = %d; want 400:\n%s", method, tok, resp.StatusCode, body)
				}
			}
			if got := f.status("dario@example.it"); got != newsletter.Active {
				t.Fatalf("after a bad token: %s; want active", got)
			}
		})
	}
	// An unsubscribe token cannot confirm.
	resp, _ := f.postForm("/confirm/"+unsub, nil)
	if resp.StatusCode != 400 {
		t.Errorf("POST /confirm/<unsubscribe token> = %d; want 400", resp.StatusCode)
	}
}

// Mailbox providers POST the List-Unsubscribe URL cold: no cookies, no
// Origin, an RFC 8058 body in either encoding, or none.
func TestOneClickUnsubscribe(t *testing.T) {
	f := newFixture(t, nil)
	for i, body := range []string{"urlencoded", "multipart", "empty", "page button"} {
		addr := []string{"e1@example.it", "e2@example.it", "e3@example.it", "e4@example.it"}[i]
		f.postForm(f.subscribe(addr), nil)
		tok := token.Make([]byte(secret), token.Unsubscribe, f.uid(addr), addr)
		p := "/unsubscribe/" + tok
		resp, _ := f.get(p)
		if resp.StatusCode != 200 || f.status(addr) != newsletter.Active {
			t.Fatalf("GET %s = %d, %s; want the page and still active", body, resp.StatusCode, f.status(addr))
		}
		build := func() *http.Request {
			var req *http.Request
			switch body {
			case "urlencoded":
				req, _ = http.NewRequest("POST", f.url(p), strings.NewReader("List-Unsubscribe=One-Click"))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			case "multipart":
				var b bytes.Buffer
				mw := multipart.NewWriter(&b)
				mw.WriteField("List-Unsubscribe", "One-Click")
				mw.Close()
				req, _ = http.NewRequest("POST", f.url(p), &b)
				req.Header.Set("Content-Type", mw.FormDataContentType())
			case "empty":
				req, _ = http.NewRequest("POST", f.url(p), nil)
			case "page button":
				req, _ = http.NewRequest("POST", f.url(p), strings.NewReader("List-Unsubscribe=One-Click"))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Origin", f.srv.URL)
				req.Header.Set("Sec-Fetch-Site", "same-origin")
			}
			return req
		}
		resp, page := f.do(build())
		if resp.StatusCode != 200 || resp.Header.Get("Location") != "" || !strings.Contains(page, "Iscrizione annullata") {
			t.Errorf("POST %s = %d (Location %q); want 200, no redirect:\n%s", body, resp.StatusCode, resp.Header.Get("Location"), page)
		}
		if !strings.Contains(page, f.url("/subscribe")) {
			t.Errorf("POST %s: the page does not offer to subscribe again", body)
		}
		if got := f.status(addr); got != newsletter.Unsubscribed {
			t.Errorf("after POST %s: %s; want unsubscribed", body, got)
		}
		// Again, as providers retry: still 200, still unsubscribed.
		if resp, _ := f.do(build()); resp.StatusCode != 200 || f.status(addr) != newsletter.Unsubscribed {
			t.Errorf("second POST %s = %d, %s; want 200, unsubscribed", body, resp.StatusCode, f.status(addr))
		}
	}
	// Leaving is not final: a new double opt-in brings the address back,
	// and nothing short of it does.
	f.now = f.now.Add(time.Hour)
	link := f.subscribe("e1@example.it")
	if got := f.status("e1@example.it"); got != newsletter.Unsubscribed {
		t.Fatalf("after the form: %s; want still unsubscribed until confirmed", got)
	}
	f.postForm(link, nil)
	if got := f.status("e1@example.it"); got != newsletter.Active {
		t.Fatalf("after confirming again: %s; want active", got)
	}
}

func TestSubscribeFormAbuse(t *testing.T) {
	f := newFixture(t, nil)
	// Honeypot: the same answer, nothing stored, nothing sent.
	resp, body := f.postForm("/subscribe", url.Values{"email": {"bot@example.it"}, "website": {"http://spam"}})
	if resp.StatusCode != 200 || !strings.Contains(body, "Controlla la posta") || f.status("bot@example.it") != "absent" || len(f.mails()) != 0 {
		t.Errorf("honeypot = %d, %s, %d mails; want 200 and nothing done", resp.StatusCode, f.status("bot@example.it"), len(f.mails()))
	}
	// A bad address: the form again, with the error, the value kept.
	resp, body = f.postForm("/subscribe", url.Values{"email": {"not an address"}})
	if resp.StatusCode != 400 || !strings.Contains(body, "non sembra un indirizzo") || !strings.Contains(body, `value="not an address"`) {
		t.Errorf("bad address = %d; want 400 and the form with the error:\n%s", resp.StatusCode, body)
	}
	// Header injection through the form goes nowhere.
	resp, _ = f.postForm("/subscribe", url.Values{"email": {"eve@example.it\r\nBcc: all@example.it"}})
	if resp.StatusCode != 400 || len(f.mails()) != 0 {
		t.Errorf("address with CRLF = %d, %d mails; want 400 and none", resp.StatusCode, len(f.mails()))
	}
	// A body over the limit is refused.
	resp, _ = f.postForm("/subscribe", url.Values{"email": {"big@example.it"}, "name": {strings.Repeat("x", 64<<10)}})
	if resp.StatusCode < 400 || f.status("big@example.it") != "absent" {
		t.Errorf("64 KB body = %d; want a 4xx", resp.StatusCode)
	}
	// Cross-site POSTs from a browser are refused, except from the blog.
	resp, _ = f.postForm("/subscribe", url.Values{"email": {"x1@example.it"}}, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
	if resp.StatusCode != 403 {
		t.Errorf("cross-site POST = %d; want 403", resp.StatusCode)
	}
	resp, _ = f.postForm("/subscribe", url.Values{"email": {"x2@example.it"}}, "Origin", "https://bottega.example.it", "Sec-Fetch-Site", "cross-site")
	if resp.StatusCode != 200 || f.status("x2@example.it") != newsletter.Pending {
		t.Errorf("POST from the blog's own form = %d, %s; want 200, pending", resp.StatusCode, f.status("x2@example.it"))
	}
}

func TestSubscribeRateLimitPerIP(t *testing.T) {
	_, proxy, _ := net.ParseCIDR("127.0.0.1/32")
	limit := func(o *web.Options) { o.SubscribeRate, o.SubscribeBurst = rate.Every(time.Minute), 5 }
	f := newFixture(t, func(o *web.Options) { limit(o); o.TrustedProxies = []*net.IPNet{proxy} })
	post := func(ip string) int {
		resp, _ := f.postForm("/subscribe", url.Values{"email": {"rl@example.it"}}, "X-Forwarded-For", ip)
		return resp.StatusCode
	}
	for i := 1; i <= 5; i++ {
		if got := post("203.0.113.7"); got != 200 {
			t.Fatalf("request %d from one IP = %d; want 200", i, got)
		}
	}
	if got := post("203.0.113.7"); got != 429 {
		t.Errorf("6th request from one IP = %d; want 429", got)
	}
	if got := post("203.0.113.8"); got != 200 {
		t.Errorf("another IP = %d; want 200", got)
	}
	// Without a trusted proxy, X-Forwarded-For is ignored: a client cannot
	// dodge the limit by inventing addresses.
	g := newFixture(t, limit)
	for i := 0; i < 6; i++ {
		resp, _ := g.postForm("/subscribe", url.Values{"email": {"rl@example.it"}}, "X-Forwarded-For", "198.51.100."+string(rune('1'+i)))
		if i == 5 && resp.StatusCode != 429 {
			t.Errorf("6th request with a made-up X-Forwarded-For = %d; want 429", resp.StatusCode)
		}
	}
}

func TestClientIP(t *testing.T) {
	_, proxy, _ := net.ParseCIDR("10.0.0.0/8")
	trusted := []*net.IPNet{proxy}
	tests := []struct{ remote, xff, want string }{
		{"203.0.113.5:4000", "", "203.0.113.5"},
		{"203.0.113.5:4000", "1.2.3.4", "203.0.113.5"},             // not from the proxy: ignored
		{"10.0.0.2:4000", "198.51.100.9", "198.51.100.9"},          // from the proxy
		{"10.0.0.2:4000", "6.6.6.6, 198.51.100.9", "198.51.100.9"}, // a forged first hop is not believed
		{"10.0.0.2:4000", "198.51.100.9, 10.0.0.3", "198.51.100.9"},
		{"10.0.0.2:4000", "garbage", "10.0.0.2"},
	}
	for _, tt := range tests {
		if got := web.ClientIP(tt.remote, tt.xff, trusted); got != tt.want {
			t.Errorf("ClientIP(%q, %q) = %q; want %q", tt.remote, tt.xff, got, tt.want)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t, nil)
	for _, p := range []string{"/subscribe", "/archive", "/unsubscribe/x", "/nope"} {
		resp, _ := f.get(p)
		h := resp.Header
		for name, want := range map[string]string{
			"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY",
		} {
			if h.Get(name) != want {
				t.Errorf("GET %s: %s = %q; want %q", p, name, h.Get(name), want)
			}
		}
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("GET %s: CSP %q", p, csp)
		}
	}
	if resp, _ := f.get("/nope"); resp.StatusCode != 404 {
		t.Errorf("GET /nope = %d; want 404", resp.StatusCode)
	}
	// The prefix of the base URL may be stripped by the proxy or passed on.
	req, _ := http.NewRequest("GET", f.srv.URL+"/healthz", nil)
	if resp, body := f.do(req); resp.StatusCode != 200 || strings.TrimSpace(body) != "ok" {
		t.Errorf("GET /healthz without the prefix = %d %q", resp.StatusCode, body)
	}
	if resp, _ := f.get("/healthz"); resp.StatusCode != 200 {
		t.Errorf("GET /news/healthz = %d", resp.StatusCode)
	}
	for _, p := range []string{"", "/"} {
		if resp, _ := f.get(p); resp.StatusCode != 302 || resp.Header.Get("Location") != f.url("/archive") {
			t.Errorf("GET /news%s = %d to %q; want a redirect to the archive", p, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	if resp, _ := f.get("/assets/site.css"); resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") {
		t.Errorf("GET /assets/site.css = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

func TestArchiveAndCalendar(t *testing.T) {
	f := newFixture(t, nil)
	resp, body := f.get("/archive")
	if resp.StatusCode != 200 || !strings.Contains(body, "Non è ancora uscito") {
		t.Errorf("empty archive = %d:\n%s", resp.StatusCode, body)
	}
	// One subscriber, one issue sent (an empty week is allowed here).
	if _, _, err := f.nl.AddSubscriber(context.Background(), "fede@example.it", "Fede"); err != nil {
		t.Fatal(err)
	}
	f.now = time.Date(2026, 12, 4, 9, 0, 0, 0, siteZone)
	if _, err := f.nl.Send(context.Background(), newsletter.SendOptions{NoFetch: true, AllowEmpty: true}); err != nil {
		t.Fatal(err)
	}
	resp, body = f.get("/archive")
	if resp.StatusCode != 200 || !strings.Contains(body, f.url("/archive/2026-W49")) || !strings.Contains(body, "4 dicembre 2026") {
		t.Errorf("archive = %d; want the issue of 2026-W49:\n%s", resp.StatusCode, body)
	}
	resp, body = f.get("/archive/2026-W49")
	if resp.StatusCode != 200 || strings.Contains(body, "unsubscribe.venerdi.invalid") || strings.Contains(body, "/unsubscribe/") {
		t.Errorf("web version = %d; want no personal unsubscribe link in it", resp.StatusCode)
	}
	if !strings.Contains(body, f.url("/subscribe")) {
		t.Error("web version does not link the subscription form")
	}
	if resp, _ := f.get("/archive/2026-W50"); resp.StatusCode != 404 {
		t.Errorf("an issue not sent = %d; want 404", resp.StatusCode)
	}
	resp, body = f.get("/archive/feed.xml")
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "rss") || !strings.Contains(body, "<link>"+f.url("/archive/2026-W49")+"</link>") {
		t.Errorf("feed = %d %s:\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if resp, _ := f.get("/webinars/nope.ics"); resp.StatusCode != 404 {
		t.Errorf("unknown webinar = %d; want 404", resp.StatusCode)
	}
}

// A relay that cannot take the confirmation mail is not the subscriber's
// fault: they get the error page, and their next try is not held back by
// the per-address limits.
func TestConfirmationMailFailure(t *testing.T) {
	f := newFixture(t, nil)
	// The outbox path is a file: every send fails.
	if err := os.WriteFile(f.outbox, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	resp, body := f.postForm("/subscribe", url.Values{"email": {"gina@example.it"}})
	if resp.StatusCode != 500 || !strings.Contains(body, "Qualcosa è andato storto") {
		t.Fatalf("POST /subscribe with the relay down = %d; want 500 and the error page:\n%s", resp.StatusCode, body)
	}
	os.Remove(f.outbox)
	f.subscribe("gina@example.it") // at once: a mail arrives
}

// The log names routes, statuses and durations, also behind the path
// prefix, and never an address or a token.
func TestLogHoldsNoPersonalData(t *testing.T) {
	f := newFixture(t, nil)
	link := f.subscribe("hugo@example.it")
	f.get(link)
	f.postForm(link, nil)
	f.get("/nope")
	logs := f.log.String()
	for _, want := range []string{`route="POST /subscribe" status=200`, `route="GET /confirm/{token}" status=200`,
		`route="POST /confirm/{token}" status=200`, `status=404`} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %s:\n%s", want, logs)
		}
	}
	tok := strings.TrimPrefix(link, "/confirm/")
	for _, secretBit := range []string{"hugo", tok, "/news/confirm/"} {
		if strings.Contains(logs, secretBit) {
			t.Errorf("log shows %q:\n%s", secretBit, logs)
		}
	}
}
