package web_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/venerdi/venerdi/internal/newsletter"
	"github.com/venerdi/venerdi/internal/token"
	"github.com/venerdi/venerdi/internal/web"
)

var screenshots = flag.Bool("screenshots", false, "write the browser test's screenshots to testdata/screenshots")

// The widths every page is checked and photographed at: a phone and a
// desktop.
const (
	phoneWidth   = 375
	desktopWidth = 1280
)

// A reader's whole life on the list, in a real browser: the form, the
// confirmation mail, the page that asks for the confirming click, the first
// issue, the archive, and the way out twice, as a mailbox provider's
// one-click POST and as the page's button. Each page is checked for what a
// phone and a screen reader need and photographed at both widths.
func TestSubscribeToUnsubscribeInChromium(t *testing.T) {
	execPath, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not on PATH (.ci/run installs it)")
	}
	ctx := context.Background()
	// Wednesday evening: the week's issue goes out on Friday at 9:00.
	s := newSite(t, siteOptions{TLS: true, Sources: true, Secret: "browser-test-secret"},
		mustTime(t, "2026-12-02T18:30:00+01:00"))
	b := newBrowser(t, execPath, s.URL)
	const addr = "ada.lovelace@example.it"

	// The archive before the first issue.
	b.open("archive-empty", s.URL+"/archive", http.StatusOK)
	b.check("archive-empty", pageWant{h1: "Numeri precedenti", text: "Non è ancora uscito nessun numero"})

	// The form.
	b.open("subscribe", s.URL+"/subscribe", http.StatusOK)
	b.check("subscribe", pageWant{h1: "Iscriviti alla newsletter"})
	b.do(chromedp.SendKeys(chromedp.ID("email"), addr), chromedp.SendKeys(chromedp.ID("name"), "Ada"))
	b.submit("subscribe", "button[type=submit]", http.StatusOK)
	b.check("check-inbox", pageWant{h1: "Controlla la posta", text: "riceverai un'email con un link per confermare"})
	sub := s.subscriber(t, addr)
	if sub.Status != newsletter.Pending || sub.Name != "Ada" || sub.Consent.Source != "web form" ||
		sub.Consent.IP != "127.0.0.1" || sub.Consent.Wording != web.ConsentWording {
		t.Errorf("after the form: %s is %s, name %q, consent %+v; want pending, Ada, web form from 127.0.0.1 with wording %s",
			addr, sub.Status, sub.Name, sub.Consent, web.ConsentWording)
	}

	// The confirmation mail.
	mails := mailsTo(t, s.SMTP, addr)
	if len(mails) != 1 || isDigest(mails[0]) {
		t.Fatalf("after the form %s got %d messages; want 1 confirmation", addr, len(mails))
	}
	confirmRE := regexp.MustCompile(regexp.QuoteMeta(s.URL) + `/confirm/[A-Za-z0-9_-]{43}`)
	link := confirmRE.FindString(mails[0].Text)
	if link == "" {
		t.Fatalf("no %s/confirm/ link in the confirmation's text:\n%s", s.URL, mails[0].Text)
	}
	if !strings.Contains(mails[0].HTML, link) {
		t.Errorf("the confirmation's HTML lacks the text's link %s", link)
	}

	// Following the link only asks; a link scanner's GET (twice) confirms
	// nothing.
	b.open("confirm", link, http.StatusOK)
	b.check("confirm", pageWant{h1: "Conferma l'iscrizione", text: addr})
	b.open("confirm", link, http.StatusOK)
	if st := s.subscriber(t, addr).Status; st != newsletter.Pending {
		t.Fatalf("after GET %s the subscriber is %s; want still pending (a GET must not change state)", link, st)
	}
	b.submit("confirm", "button[type=submit]", http.StatusOK)
	// The next slot after Wednesday evening is this Friday.
	b.check("confirmed", pageWant{h1: "Iscrizione confermata", text: "Il prossimo numero arriva venerdì 4 dicembre alle 9:00."})
	sub = s.subscriber(t, addr)
	if sub.Status != newsletter.Active || sub.Consent.Source != "confirmation link" || sub.Consent.Wording != web.ConsentWording {
		t.Errorf("after the click: %s is %s, consent %+v; want active, confirmed by the link with wording %s",
			addr, sub.Status, sub.Consent, web.ConsentWording)
	}

	// Friday's send, with the sample feed and catalog gathered; a second
	// reader shows the week after's send does run.
	const other = "grace.hopper@example.it"
	if _, _, err := s.NL.AddSubscriber(ctx, other, "Grace"); err != nil {
		t.Fatal(err)
	}
	s.Clock.Set(mustTime(t, testNow))
	rep, err := s.NL.Send(ctx, newsletter.SendOptions{})
	if err != nil {
		t.Fatalf("Send at %s: %v\n%s", testNow, err, s.Log)
	}
	if rep.Outcome != newsletter.Delivered || rep.Summary.Sent != 2 {
		t.Fatalf("Send at %s = outcome %v, %+v; want delivered to 2", testNow, rep.Outcome, rep.Summary)
	}
	var digest *parsedMail
	for _, m := range mailsTo(t, s.SMTP, addr) {
		if isDigest(m) {
			if digest != nil {
				t.Fatalf("%s got the issue twice", addr)
			}
			digest = m
		}
	}
	if digest == nil {
		t.Fatalf("%s got no issue", addr)
	}
	unsub := httpsUnsubscribe(t, digest.Header.Get("List-Unsubscribe"))
	if got := digest.Header.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post = %q; want List-Unsubscribe=One-Click", got)
	}
	if !strings.HasPrefix(unsub, s.URL+"/unsubscribe/") {
		t.Fatalf("List-Unsubscribe https URL %s is not under the base URL %s", unsub, s.URL)
	}

	// The archive and the web version of the issue.
	b.open("archive", s.URL+"/archive", http.StatusOK)
	b.check("archive", pageWant{h1: "Numeri precedenti", text: rep.Issue.Subject})
	b.submit("archive", `a[href$="/archive/`+rep.Issue.Week+`"]`, http.StatusOK)
	// A post of the sample feed's week.
	b.checkIssue("issue", "UTM fatti bene: una convenzione di naming per tutta l’agenzia")

	// The way out. Following the link (as a scanner would) only asks.
	b.open("unsubscribe", unsub, http.StatusOK)
	b.check("unsubscribe", pageWant{h1: "Annulla l'iscrizione", text: addr})
	b.check("unsubscribe", pageWant{h1: "Annulla l'iscrizione", text: "Non inviatemi più la newsletter del venerdì"})
	b.check("unsubscribe", pageWant{h1: "Annulla l'iscrizione", text: "Cancellami da tutto"})
	if st := s.subscriber(t, addr).Status; st != newsletter.Active {
		t.Fatalf("after GET of the unsubscribe link the subscriber is %s; want still active", st)
	}

	// A mailbox provider's one-click POST (RFC 8058): cold, no cookies, no
	// Origin or Sec-Fetch-* headers, never following a redirect. It stops
	// the stream of the message it came with, the digest; the letters go
	// on.
	provider := noRedirects(s.Server.Client())
	form := "List-Unsubscribe=One-Click"
	oneClick(t, provider, unsub, "application/x-www-form-urlencoded", strings.NewReader(form))
	if sub := s.subscriber(t, addr); sub.Status != newsletter.Active || fmt.Sprint(sub.Streams) != "[letters]" {
		t.Fatalf("after the one-click POST from a digest the subscriber is %s with streams %v; want active with [letters]", sub.Status, sub.Streams)
	}
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	mw.WriteField("List-Unsubscribe", "One-Click")
	mw.Close()
	oneClick(t, provider, unsub, mw.FormDataContentType(), &mp)

	// The page's "stop everything", clicked after the fact.
	b.submit("unsubscribe", `button[value="all"]`, http.StatusOK)
	b.check("unsubscribed", pageWant{h1: "Iscrizione annullata", text: "non riceverai più la newsletter"})
	if st := s.subscriber(t, addr).Status; st != newsletter.Unsubscribed {
		t.Fatalf("after the button the subscriber is %s; want unsubscribed", st)
	}

	// The week after: the issue goes to the other reader only.
	s.Clock.Set(mustTime(t, testNow).AddDate(0, 0, 7))
	rep, err = s.NL.Send(ctx, newsletter.SendOptions{AllowEmpty: true, NoFetch: true})
	if err != nil {
		t.Fatalf("Send a week later: %v\n%s", err, s.Log)
	}
	if rep.Summary.Sent != 1 {
		t.Errorf("Send a week later = %+v; want sent to 1 (%s)", rep.Summary, other)
	}
	digests := 0
	for _, m := range mailsTo(t, s.SMTP, addr) {
		if isDigest(m) {
			digests++
		}
	}
	if digests != 1 {
		t.Errorf("%s got %d issues; want 1 (none after unsubscribing)", addr, digests)
	}
	if n := len(mailsTo(t, s.SMTP, other)); n != 2 {
		t.Errorf("%s got %d issues; want 2", other, n)
	}
	if strings.Contains(s.Log.String(), "level=ERROR") {
		t.Errorf("the server logged errors:\n%s", s.Log)
	}

	// Two more looks at what the flow above only grazes; each a subtest, so
	// that a failure names itself.
	b.sub(t, "long_address_wraps", func(t *testing.T) {
		// Real addresses run long (name.surname@office.institution.example):
		// the pages that show one must wrap it on a phone.
		const long = "mariagiovanna.bianchirossi@amministrazionecomunale.example.it"
		if err := s.NL.Subscribe(ctx, newsletter.SubscribeRequest{Email: long, IP: "127.0.0.1", Source: "web form"}); err != nil {
			t.Fatal(err)
		}
		mails := mailsTo(t, s.SMTP, long)
		if len(mails) != 1 {
			t.Fatalf("%s got %d messages; want 1 confirmation", long, len(mails))
		}
		link := confirmRE.FindString(mails[0].Text)
		if link == "" {
			t.Fatalf("no confirmation link in:\n%s", mails[0].Text)
		}
		sub := s.subscriber(t, long)
		unsub := s.NL.Links().Unsubscribe(token.Make([]byte(s.Opts.Secret), token.Unsubscribe, sub.UID, sub.Email))
		for _, p := range []struct{ name, link string }{{"long-address-confirm", link}, {"long-address-unsubscribe", unsub}} {
			b.open(p.name, p.link, http.StatusOK)
			b.layout(p.name) // the address is in the page's text
			b.quiet(p.name, nil)
		}
	})
	b.sub(t, "web_version_labels_its_form_link", func(t *testing.T) {
		// The web version swaps each reader's unsubscribe link for the
		// subscription form; the link's words must not promise the other.
		b.open("issue", s.URL+"/archive/"+rep.Issue.Week, http.StatusOK)
		type anchor struct{ Text, Href string }
		links := run(b, chromedp.Evaluate[[]anchor](`[...document.querySelectorAll('a')].map(a => ({Text: a.textContent.trim(), Href: a.href}))`))
		for _, a := range links {
			if a.Href == s.URL+"/subscribe" && strings.Contains(strings.ToLower(a.Text), "annulla") {
				t.Errorf("the web version's link to the subscription form %s reads %q (an unsubscribe label)", a.Href, a.Text)
			}
		}
		b.takeMessages() // the remote images, checked above
	})
	t.Logf("screenshots in %s", b.shotDir)
}

// sub runs fn as a subtest of t with the browser reporting to it.
func (b *browser) sub(t *testing.T, name string, fn func(t *testing.T)) {
	t.Run(name, func(st *testing.T) {
		b.t = st
		defer func() { b.t = t }()
		fn(st)
	})
}

// httpsUnsubscribe returns the https target of a List-Unsubscribe value.
func httpsUnsubscribe(t *testing.T, v string) string {
	t.Helper()
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(f), "<"), ">")
		if strings.HasPrefix(f, "https://") {
			return f
		}
	}
	t.Fatalf("List-Unsubscribe %q has no https URL", v)
	return ""
}

// oneClick POSTs body to link as a mailbox provider does and wants 200 with
// no redirect.
func oneClick(t *testing.T, c *http.Client, link, contentType string, body io.Reader) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, link, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", "GoogleImageProxy")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Location") != "" {
		t.Errorf("one-click POST (%s) = %s, Location %q; want 200 and no redirect", contentType, resp.Status, resp.Header.Get("Location"))
	}
}

// browser is one Chromium tab and what its console said.
type browser struct {
	t       *testing.T
	ctx     context.Context
	origin  string
	shotDir string

	mu       sync.Mutex
	messages []consoleLine
}

type consoleLine struct {
	source, level, text, url string
}

func (l consoleLine) String() string {
	return fmt.Sprintf("%s %s: %s (%s)", l.source, l.level, l.text, l.url)
}

func newBrowser(t *testing.T, execPath, origin string) *browser {
	t.Helper()
	b := &browser{t: t, origin: origin, shotDir: t.TempDir()}
	if *screenshots {
		b.shotDir = filepath.Join("testdata", "screenshots")
		if err := os.MkdirAll(b.shotDir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// The site is served over https (one-click unsubscribe needs it)
		// with httptest's self-signed certificate.
		chromedp.IgnoreCertErrors,
		chromedp.UserDataDir(t.TempDir()),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithListener(b.listen))
	t.Cleanup(func() { cancel(); cancelAlloc() })
	b.ctx = ctx
	// The first Do starts the browser, which lives as long as its context:
	// so no timeout here.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return b
}

// listen runs in the tab's read loop: it must only record.
func (b *browser) listen(ev any) {
	var l consoleLine
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeWarning &&
			ev.Type != runtime.ConsoleAPICalledTypeAssert {
			return
		}
		var args []string
		for _, a := range ev.Args {
			args = append(args, string(a.Value)+a.Description)
		}
		l = consoleLine{"console", string(ev.Type), strings.Join(args, " "), ""}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		l = consoleLine{"exception", "error", d.Text, d.URL}
		if d.Exception != nil {
			l.text += " " + d.Exception.Description
		}
	case *cdplog.EventEntryAdded:
		e := ev.Entry
		if e.Level != cdplog.EntryLevelError && e.Level != cdplog.EntryLevelWarning {
			return
		}
		l = consoleLine{string(e.Source), string(e.Level), e.Text, e.URL}
	default:
		return
	}
	b.mu.Lock()
	b.messages = append(b.messages, l)
	b.mu.Unlock()
}

// takeMessages returns what the console said since the last call.
func (b *browser) takeMessages() []consoleLine {
	b.mu.Lock()
	defer b.mu.Unlock()
	m := b.messages
	b.messages = nil
	return m
}

func (b *browser) timeout() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, 30*time.Second)
}

func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := b.timeout()
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatal(err)
	}
}

func run[T any](b *browser, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := b.timeout()
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatal(err)
	}
	return v
}

// open navigates to link and wants status.
func (b *browser) open(name, link string, status int) {
	b.t.Helper()
	resp := run(b, chromedp.NavigateResponse(link))
	if resp.Status != int64(status) {
		b.t.Fatalf("%s: GET %s = %d; want %d", name, link, resp.Status, status)
	}
}

// submit clicks sel (a submit button or a link), waits for the page it
// leads to and wants status.
func (b *browser) submit(name, sel string, status int) {
	b.t.Helper()
	ctx, cancel := b.timeout()
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("%s: click %s: %v", name, sel, err)
	}
	if resp.Status != int64(status) {
		b.t.Fatalf("%s: click %s = %d %s; want %d", name, sel, resp.Status, resp.URL, status)
	}
}

// pageFacts are what a page's checks read in the browser.
type pageFacts struct {
	Lang        string   `json:"lang"`
	H1          []string `json:"h1"`
	ScrollWidth int      `json:"scrollWidth"`
	InnerWidth  int      `json:"innerWidth"`
	Unlabelled  []string `json:"unlabelled"`
	CSSRules    int      `json:"cssRules"`
	Text        string   `json:"text"`
}

const factsJS = `(() => {
	const d = document.documentElement;
	const fields = [...document.querySelectorAll('input:not([type=hidden]), select, textarea')];
	let rules = 0;
	for (const s of document.styleSheets) { try { rules += s.cssRules.length } catch (e) {} }
	return {
		lang: d.getAttribute('lang') || '',
		h1: [...document.querySelectorAll('h1')].map(h => h.textContent.trim()),
		scrollWidth: d.scrollWidth,
		innerWidth: window.innerWidth,
		unlabelled: fields.filter(f => !(f.labels && f.labels.length) && !f.getAttribute('aria-label') &&
			!f.getAttribute('aria-labelledby')).map(f => f.name || f.id || f.type),
		cssRules: rules,
		text: document.body ? document.body.innerText : '',
	};
})()`

// pageWant is what a page must say.
type pageWant struct {
	h1   string
	text string // a phrase of the page's text
}

// check checks the page in the tab at both widths (and at the phone's in
// dark mode), photographs it, and wants a silent console. It leaves the
// tab at the phone's width.
func (b *browser) check(name string, want pageWant) {
	b.t.Helper()
	f := b.layout(name)
	if f.Lang != "it" {
		b.t.Errorf("%s: <html lang=%q>; want it", name, f.Lang)
	}
	if len(f.H1) != 1 || f.H1[0] != want.h1 {
		b.t.Errorf("%s: h1 = %q; want one, %q", name, f.H1, want.h1)
	}
	if len(f.Unlabelled) > 0 {
		b.t.Errorf("%s: fields without a label: %q", name, f.Unlabelled)
	}
	if f.CSSRules == 0 {
		b.t.Errorf("%s: the stylesheet did not load (blocked by the CSP?)", name)
	}
	if want.text != "" && !strings.Contains(f.Text, want.text) {
		b.t.Errorf("%s: the page does not say %q:\n%s", name, want.text, f.Text)
	}
	b.quiet(name, nil)
}

// checkIssue checks the web version of an issue: the email's own HTML.
// Its remote images, which this machine cannot fetch, may fail to load.
func (b *browser) checkIssue(name, post string) {
	b.t.Helper()
	f := b.layout(name)
	if f.Lang != "it" {
		b.t.Errorf("%s: <html lang=%q>; want it", name, f.Lang)
	}
	if len(f.H1) != 1 || f.H1[0] != "Bottega Digitale" {
		b.t.Errorf("%s: h1 = %q; want one, the site's name", name, f.H1)
	}
	if !strings.Contains(f.Text, post) {
		b.t.Errorf("%s: the page does not show the post %q:\n%s", name, post, f.Text)
	}
	// Each reader's own link must not leak onto a public page.
	if html := run(b, chromedp.OuterHTML(chromedp.CSS("html"))); strings.Contains(html, "/unsubscribe/") {
		b.t.Errorf("%s: the web version carries a personal unsubscribe link", name)
	}
	b.quiet(name, func(l consoleLine) bool {
		u, err := url.Parse(l.url)
		return l.source == "network" && err == nil && u.Host != "" && !strings.HasPrefix(l.url, b.origin)
	})
}

// layout photographs the page at both widths and in dark mode, and wants
// no sideways scrolling on the phone, whose facts it returns.
func (b *browser) layout(name string) pageFacts {
	b.t.Helper()
	b.facts(desktopWidth, false)
	b.shoot(fmt.Sprintf("%s-%d", name, desktopWidth))
	b.facts(phoneWidth, true)
	b.shoot(fmt.Sprintf("%s-%d-dark", name, phoneWidth))
	f := b.facts(phoneWidth, false)
	b.shoot(fmt.Sprintf("%s-%d", name, phoneWidth))
	if f.ScrollWidth > phoneWidth {
		// With mobile emulation the viewport widens to the content, so
		// compare with the phone's width, not innerWidth.
		b.t.Errorf("%s at %d px: scrollWidth %d > %d: the page scrolls sideways", name, phoneWidth, f.ScrollWidth, phoneWidth)
	}
	return f
}

// facts sets the viewport (and the color scheme) and reads the page.
func (b *browser) facts(width int, dark bool) pageFacts {
	b.t.Helper()
	scheme := "light"
	if dark {
		scheme = "dark"
	}
	vp := chromedp.EmulateViewport(int64(width), 900)
	if width == phoneWidth {
		vp = chromedp.EmulateViewport(int64(width), 812, chromedp.EmulateMobile, chromedp.EmulatePortrait)
	}
	b.do(vp, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
		return err
	}))
	return run(b, chromedp.Evaluate[pageFacts](factsJS))
}

// shoot writes a full-page screenshot.
func (b *browser) shoot(name string) {
	b.t.Helper()
	png := run(b, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(b.shotDir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// quiet wants no console error or warning (a CSP violation is one) since
// the last check, but those allowed says may be.
func (b *browser) quiet(name string, allowed func(consoleLine) bool) {
	b.t.Helper()
	for _, l := range b.takeMessages() {
		// Browsers ask every site for /favicon.ico; it has none, and the 404
		// is the browser's noise, not the page's.
		if strings.HasSuffix(l.url, "/favicon.ico") || (allowed != nil && allowed(l)) {
			continue
		}
		b.t.Errorf("%s: the console said %s", name, l)
	}
}
