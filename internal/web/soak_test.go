package web_test

import (
	"context"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/venerdi/venerdi/internal/newsletter"
	"github.com/venerdi/venerdi/internal/token"
	"github.com/venerdi/venerdi/internal/web"
)

// The soak's shape: 300 readers, 100 of whom leave during the burst, and
// 2,000 requests from 50 clients while the week's issue goes out.
const (
	soakReaders   = 300
	soakLeavers   = 100
	soakClients   = 50
	soakRequests  = 2000
	soakSubscribe = 300 // POST /subscribe, each a new address
	soakForm      = 600 // GET /subscribe
	soakArchive   = 500 // GET /archive
	soakHealth    = soakRequests - soakLeavers - soakSubscribe - soakForm - soakArchive
	soakSecret    = "soak-secret"
)

// `venerdi serve` keeps answering while cron's `venerdi send` delivers on
// the same SQLite file: two cores, as two processes would have, each with
// its own connection. Nothing fails, nothing waits long enough to hit
// "database is locked", every one-click unsubscribe sticks, and the ledger
// still says each reader got the issue exactly once (or, having left before
// their turn, was skipped).
func TestServeUnderBurstWhileSending(t *testing.T) {
	t.Run("default_rate_limit", testDefaultRateLimit)
	if testing.Short() {
		t.Skip("soak test: skipped with -short")
	}
	ctx := context.Background()
	now := mustTime(t, testNow)
	// The relay takes a while over each message, so the send lasts through
	// the burst; the form's own limit is lifted, every client being 127.0.0.1.
	s := newSite(t, siteOptions{Secret: soakSecret, SMTPDelay: 10 * time.Millisecond,
		Web: web.Options{SubscribeRate: rate.Inf}}, now)

	var csv strings.Builder
	csv.WriteString("email,name\n")
	for i := range soakReaders {
		fmt.Fprintf(&csv, "reader%03d@example.it,Reader %d\n", i, i)
	}
	if rep, err := s.NL.ImportSubscribers(ctx, strings.NewReader(csv.String()), "soak.csv"); err != nil || rep.Added != soakReaders {
		t.Fatalf("ImportSubscribers = %+v, %v; want %d added", rep, err, soakReaders)
	}
	var readers []newsletter.Subscriber
	if err := s.NL.EachSubscriber(ctx, newsletter.Active, func(sub newsletter.Subscriber) error {
		readers = append(readers, sub)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(readers) != soakReaders {
		t.Fatalf("%d active readers; want %d", len(readers), soakReaders)
	}
	leaving := map[string]bool{}
	var jobs []soakJob
	for i, sub := range readers {
		if i%3 != 0 || len(leaving) == soakLeavers {
			continue
		}
		leaving[sub.Email] = true
		tok := token.Make([]byte(soakSecret), token.Unsubscribe, sub.UID, sub.Email)
		jobs = append(jobs, soakJob{route: "POST /unsubscribe/{token}", method: http.MethodPost,
			url: s.NL.Links().Unsubscribe(tok), body: "List-Unsubscribe=One-Click", email: sub.Email})
	}
	var newcomers []string
	for i := range soakSubscribe {
		addr := fmt.Sprintf("newcomer%03d@example.org", i)
		newcomers = append(newcomers, addr)
		jobs = append(jobs, soakJob{route: "POST /subscribe", method: http.MethodPost, url: s.URL + "/subscribe",
			body: url.Values{"email": {addr}, "name": {"Newcomer"}, "wording": {web.ConsentWording}}.Encode()})
	}
	for range soakForm {
		jobs = append(jobs, soakJob{route: "GET /subscribe", method: http.MethodGet, url: s.URL + "/subscribe"})
	}
	for range soakArchive {
		jobs = append(jobs, soakJob{route: "GET /archive", method: http.MethodGet, url: s.URL + "/archive"})
	}
	for range soakHealth {
		jobs = append(jobs, soakJob{route: "GET /healthz", method: http.MethodGet, url: s.URL + "/healthz"})
	}
	rng := rand.New(rand.NewPCG(2026, 49))
	rng.Shuffle(len(jobs), func(i, j int) { jobs[i], jobs[j] = jobs[j], jobs[i] })

	// cron's send: a second core on the same file.
	sendLog := &syncBuffer{}
	sender, err := newsletter.Open(ctx, s.DB, s.Opts, func() time.Time { return now }, logReporter{sendLog})
	if err != nil {
		t.Fatal(err)
	}
	defer sender.Close()
	type sendResult struct {
		rep      *newsletter.SendReport
		err      error
		finished time.Time
	}
	sent := make(chan sendResult, 1)
	go func() {
		rep, err := sender.Send(ctx, newsletter.SendOptions{AllowEmpty: true, NoFetch: true})
		sent <- sendResult{rep, err, time.Now()}
	}()
	// Fire once the first messages are out, so the burst meets the send in
	// full flow.
	for deadline := time.Now().Add(30 * time.Second); len(s.SMTP.Messages()) == 0; time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the send delivered nothing in 30s\n%s", sendLog)
		}
	}

	client := &http.Client{
		Transport:     &http.Transport{MaxIdleConns: soakClients, MaxIdleConnsPerHost: soakClients},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       60 * time.Second,
	}
	defer client.CloseIdleConnections()
	queue := make(chan soakJob)
	results := make(chan soakResult, len(jobs))
	burstStart := time.Now()
	var wg sync.WaitGroup
	for range soakClients {
		wg.Go(func() {
			for j := range queue {
				results <- j.do(client)
			}
		})
	}
	for _, j := range jobs {
		queue <- j
	}
	close(queue)
	wg.Wait()
	close(results)
	burstEnd := time.Now()
	res := <-sent

	// What the clients saw.
	byRoute := map[string][]time.Duration{}
	overlapped := 0
	for r := range results {
		byRoute[r.route] = append(byRoute[r.route], r.took)
		if r.err != nil {
			t.Errorf("%s: %v", r.route, r.err)
			continue
		}
		if r.status != http.StatusOK {
			t.Errorf("%s = %d; want 200\n%s", r.route, r.status, r.body)
		}
		if r.done.Before(res.finished) {
			overlapped++
		}
	}
	t.Logf("burst: %d requests from %d clients in %s; the send ended %s after the burst began; %d answered before it ended",
		len(jobs), soakClients, burstEnd.Sub(burstStart).Round(time.Millisecond), res.finished.Sub(burstStart).Round(time.Millisecond), overlapped)
	if overlapped == 0 {
		t.Errorf("the send finished before any request was answered: the soak tested nothing (raise the SMTP delay)")
	}
	for _, route := range slices.Sorted(maps.Keys(byRoute)) {
		d := byRoute[route]
		slices.Sort(d)
		t.Logf("%-26s n=%4d  p50=%7s  p99=%7s  max=%7s", route, len(d), pct(d, 50), pct(d, 99), d[len(d)-1].Round(10*time.Microsecond))
	}

	// Nobody waited into a lock error, on either side.
	for name, log := range map[string]string{"serve": s.Log.String(), "send": sendLog.String()} {
		for _, bad := range []string{"database is locked", "SQLITE_BUSY", "level=ERROR"} {
			if strings.Contains(log, bad) {
				t.Errorf("the %s log says %q:\n%s", name, bad, log)
			}
		}
	}

	// The send.
	if res.err != nil {
		t.Fatalf("Send: %v\n%s", res.err, sendLog)
	}
	sum := res.rep.Summary
	if res.rep.Outcome != newsletter.Delivered || sum.Sent+sum.Skipped != soakReaders || sum.Failed+sum.Bounced != 0 {
		t.Errorf("Send = outcome %v, %+v; want delivered, sent + skipped = %d", res.rep.Outcome, sum, soakReaders)
	}
	t.Logf("send: %d sent, %d skipped (left before their turn) in %s", sum.Sent, sum.Skipped, res.rep.Elapsed.Round(time.Millisecond))

	// The ledger against the relay, reader by reader.
	_, ledger, err := s.NL.Deliveries(ctx, res.rep.Issue.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(ledger) != soakReaders {
		t.Errorf("ledger has %d rows; want %d", len(ledger), soakReaders)
	}
	for _, d := range ledger {
		got := s.SMTP.Count(d.Email)
		switch {
		case leaving[d.Email] && d.Status == newsletter.LedgerSent && got == 1:
		case leaving[d.Email] && d.Status == newsletter.LedgerSkipped && got == 0:
		case !leaving[d.Email] && d.Status == newsletter.LedgerSent && got == 1:
		default:
			t.Errorf("%s (leaving: %v): ledger %s, %d message(s) at the relay; want sent and 1, or (leaving) skipped and 0",
				d.Email, leaving[d.Email], d.Status, got)
		}
	}

	// Every one-click unsubscribe stuck; every newcomer is pending with one
	// confirmation.
	status := map[string]newsletter.SubscriberStatus{}
	if err := s.NL.EachSubscriber(ctx, "", func(sub newsletter.Subscriber) error {
		status[sub.Email] = sub.Status
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for addr := range leaving {
		if status[addr] != newsletter.Unsubscribed {
			t.Errorf("%s is %s after its one-click unsubscribe; want unsubscribed", addr, status[addr])
		}
	}
	for _, addr := range newcomers {
		if status[addr] != newsletter.Pending || s.SMTP.Count(addr) != 1 {
			t.Errorf("newcomer %s is %q with %d message(s); want pending with 1 confirmation", addr, status[addr], s.SMTP.Count(addr))
		}
	}
}

// With the default limit (5 at once, then one a minute) a sixth POST of
// the form from one address is refused with 429, and X-Forwarded-For from
// an untrusted peer does not get around it.
func testDefaultRateLimit(t *testing.T) {
	s := newSite(t, siteOptions{Secret: soakSecret}, mustTime(t, testNow))
	c := noRedirects(s.Server.Client())
	post := func(i int, xff string) *http.Response {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, s.URL+"/subscribe",
			strings.NewReader(url.Values{"email": {fmt.Sprintf("flood%d@example.org", i)}}.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	for i := 1; i <= 5; i++ {
		if resp := post(i, ""); resp.StatusCode != http.StatusOK {
			t.Fatalf("POST /subscribe #%d = %s; want 200", i, resp.Status)
		}
	}
	resp := post(6, "")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("POST /subscribe #6 = %s, Retry-After %q; want 429 with Retry-After", resp.Status, resp.Header.Get("Retry-After"))
	}
	if resp := post(7, "203.0.113.7"); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("POST /subscribe #7 with X-Forwarded-For from an untrusted peer = %s; want 429", resp.Status)
	}
	n := 0
	s.NL.EachSubscriber(context.Background(), "", func(newsletter.Subscriber) error { n++; return nil })
	if n != 5 || len(s.SMTP.Messages()) != 5 {
		t.Errorf("after 7 POSTs: %d subscribers, %d mails; want 5 and 5 (a refused request does nothing)", n, len(s.SMTP.Messages()))
	}
}

type soakJob struct {
	route, method, url, body string
	email                    string // the reader an unsubscribe is for
}

type soakResult struct {
	route  string
	status int
	body   string // kept for an unexpected status
	took   time.Duration
	done   time.Time
	err    error
}

// do sends the request as a mailbox provider or a browser without cookies
// would: a plain form post, no Origin.
func (j soakJob) do(c *http.Client) soakResult {
	r := soakResult{route: j.route}
	var body io.Reader
	if j.body != "" {
		body = strings.NewReader(j.body)
	}
	req, err := http.NewRequest(j.method, j.url, body)
	if err != nil {
		r.err = err
		return r
	}
	if j.body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		r.err, r.took, r.done = err, time.Since(start), time.Now()
		return r
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	r.took, r.done, r.status, r.err = time.Since(start), time.Now(), resp.StatusCode, err
	if r.status != http.StatusOK {
		r.body = string(b)
	}
	return r
}

// pct is the p-th percentile of sorted d (nearest rank).
func pct(d []time.Duration, p int) time.Duration {
	i := (len(d)*p + 99) / 100
	return d[max(i-1, 0)].Round(10 * time.Microsecond)
}
