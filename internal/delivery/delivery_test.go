package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/venerdi/venerdi/internal/delivery"
	"github.com/venerdi/venerdi/internal/links"
	"github.com/venerdi/venerdi/internal/mailer"
	"github.com/venerdi/venerdi/internal/smtptest"
	"github.com/venerdi/venerdi/internal/store"
	"github.com/venerdi/venerdi/internal/token"
)

var now = time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC)

// fixture is a real SQLite file with n subscribers and a frozen issue, and
// a real SMTP server on 127.0.0.1.
type fixture struct {
	st    *store.Store
	smtp  *smtptest.Server
	issue *store.Issue
	n     int
}

func newFixture(t *testing.T, n int) *fixture { return newFixtureTB(t, n) }

func newFixtureTB(t testing.TB, n int) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rows := make([]store.ImportRow, n)
	for i := range rows {
		rows[i] = store.ImportRow{Email: fmt.Sprintf("s%04d@example.it", i)}
	}
	if _, err := st.ImportSubscribers(ctx, rows, "test", now); err != nil {
		t.Fatal(err)
	}
	is := &store.Issue{Week: "2026-W49", Subject: "I post della settimana · 4 dicembre 2026",
		HTML: `<p>Ciao</p><a href="` + testLinks.Unsubscribe(token.Placeholder) + `">Annulla</a>`,
		Text: "Ciao\nAnnulla: " + testLinks.Unsubscribe(token.Placeholder) + "\n", ComposedAt: now, CutoffAt: now}
	if err := st.CreateIssue(ctx, is, nil); err != nil {
		t.Fatal(err)
	}
	srv, err := smtptest.Start(smtptest.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return &fixture{st: st, smtp: srv, issue: is, n: n}
}

func (f *fixture) options() delivery.Options {
	cfg := mailer.SMTPConfig{Host: "127.0.0.1", Port: f.smtp.Port, TLS: "none", Timeout: 5 * time.Second}
	return delivery.Options{
		Issue: f.issue, Content: delivery.Content{Subject: f.issue.Subject, HTML: f.issue.HTML, Text: f.issue.Text},
		From: "Bottega <news@bottega.example.it>", ListID: "l.bottega.example.it",
		Links: testLinks, Secret: []byte("k"),
		Dial: func(ctx context.Context) (delivery.Sender, error) {
			c, err := mailer.Dial(ctx, cfg)
			if err != nil {
				return nil, err
			}
			return c, nil
		},
		Connections: 4, MaxAttempts: 8, Backoff: time.Millisecond,
		Now: func() time.Time { return now },
	}
}

// exactlyOnce checks every subscriber got exactly one message.
func (f *fixture) exactlyOnce(t *testing.T, except map[string]bool) {
	t.Helper()
	for i := 0; i < f.n; i++ {
		addr := fmt.Sprintf("s%04d@example.it", i)
		want := 1
		if except[addr] {
			want = 0
		}
		if got := f.smtp.Count(addr); got != want {
			t.Errorf("messages to %s = %d; want %d", addr, got, want)
		}
	}
}

func TestRunDeliversOnceAndRerunSendsNothing(t *testing.T) {
	f := newFixture(t, 60)
	sum, err := delivery.Run(context.Background(), f.st, f.options())
	if err != nil || sum.Sent != 60 {
		t.Fatalf("Run = %+v, %v; want 60 sent", sum, err)
	}
	f.exactlyOnce(t, nil)
	if c := f.smtp.Connections(); c > 4 {
		t.Errorf("connections = %d; want at most 4 (reused)", c)
	}
	// Each message is personal: its own To and its own unsubscribe token.
	m := f.smtp.Messages()[0]
	if !strings.Contains(string(m.Data), "https://news.bottega.example.it/unsubscribe/") ||
		strings.Contains(string(m.Data), token.Placeholder) {
		t.Error("message lacks its personal unsubscribe link")
	}
	sum, err = delivery.Run(context.Background(), f.st, f.options())
	if err != nil || sum.Sent != 0 || len(f.smtp.Messages()) != 60 {
		t.Fatalf("second Run = %+v, %v (%d messages); want nothing sent", sum, err, len(f.smtp.Messages()))
	}
}

func TestRandom451AndDroppedConnections(t *testing.T) {
	f := newFixture(t, 80)
	f.smtp.Random451(0.3)
	f.smtp.DropEvery(9) // the connection dies half-way through every 9th DATA
	sum, err := delivery.Run(context.Background(), f.st, f.options())
	// From the client's side a drop during DATA looks like one after the
	// final ".": the message may have arrived, so it is not retried by the
	// same run but left unknown for the next.
	if !errors.Is(err, delivery.ErrIncomplete) || sum.Sent+sum.Unknown != 80 || sum.Unknown == 0 {
		t.Fatalf("Run = %+v, %v; want 80 sent or unknown, some unknown, ErrIncomplete", sum, err)
	}
	f.smtp.DropEvery(0)
	again, err := delivery.Run(context.Background(), f.st, f.options())
	if err != nil || again.Sent != sum.Unknown {
		t.Fatalf("second Run = %+v, %v; want the %d unknown sent", again, err, sum.Unknown)
	}
	f.exactlyOnce(t, nil)
}

func TestPermanentFailureBounces(t *testing.T) {
	f := newFixture(t, 10)
	f.smtp.Reply("s0003@example.it", 550)
	sum, err := delivery.Run(context.Background(), f.st, f.options())
	if err != nil || sum.Sent != 9 || sum.Bounced != 1 {
		t.Fatalf("Run = %+v, %v; want 9 sent, 1 bounced", sum, err)
	}
	f.exactlyOnce(t, map[string]bool{"s0003@example.it": true})
	var bounced []string
	f.st.EachSubscriber(context.Background(), []store.SubscriberStatus{store.Bounced}, func(s store.Subscriber) error {
		bounced = append(bounced, s.Email)
		return nil
	})
	if len(bounced) != 1 || bounced[0] != "s0003@example.it" {
		t.Errorf("bounced subscribers = %v; want the 550 address alone", bounced)
	}
	ds, _ := f.st.Deliveries(context.Background(), f.issue.ID, store.LedgerBounced)
	if len(ds) != 1 || !strings.Contains(ds[0].Error, "550") {
		t.Errorf("bounced deliveries = %+v; want one with the 550 reply", ds)
	}
}

func TestTemporaryFailureStaysForNextRun(t *testing.T) {
	f := newFixture(t, 5)
	f.smtp.Reply("s0001@example.it", 451)
	opts := f.options()
	opts.MaxAttempts = 3
	sum, err := delivery.Run(context.Background(), f.st, opts)
	if !errors.Is(err, delivery.ErrIncomplete) || sum.Sent != 4 || sum.Failed != 1 {
		t.Fatalf("Run = %+v, %v; want 4 sent, 1 failed, ErrIncomplete", sum, err)
	}
	ds, _ := f.st.Deliveries(context.Background(), f.issue.ID, store.LedgerFailed)
	if len(ds) != 1 || ds[0].Attempts != 3 {
		t.Errorf("failed deliveries = %+v; want s0001 with its attempts recorded", ds)
	}
	f.smtp.Reply("s0001@example.it", 0) // the relay recovers
	sum, err = delivery.Run(context.Background(), f.st, opts)
	if err != nil || sum.Sent != 1 {
		t.Fatalf("next Run = %+v, %v; want the failed one sent", sum, err)
	}
	f.exactlyOnce(t, nil)
}

func TestCancelledRunResumes(t *testing.T) {
	f := newFixture(t, 200)
	ctx, cancel := context.WithCancel(context.Background())
	opts := f.options()
	opts.Progress = progressFunc(func(done int) {
		if done == 50 {
			cancel()
		}
	})
	if _, err := delivery.Run(ctx, f.st, opts); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted Run = %v; want context.Canceled", err)
	}
	if got := len(f.smtp.Messages()); got >= 200 {
		t.Fatalf("interrupted run sent %d; want fewer than 200", got)
	}
	opts.Progress = nil
	if _, err := delivery.Run(context.Background(), f.st, opts); err != nil {
		t.Fatal(err)
	}
	f.exactlyOnce(t, nil)
}

// A relay that cannot be reached is no subscriber's fault: the run stops
// with an error naming the relay, and nobody is marked bounced.
func TestUnreachableRelayStopsRun(t *testing.T) {
	f := newFixture(t, 20)
	opts := f.options()
	opts.MaxAttempts = 2
	opts.Dial = func(ctx context.Context) (delivery.Sender, error) {
		c, err := mailer.Dial(ctx, mailer.SMTPConfig{Host: "127.0.0.1", Port: 1, TLS: "none", Timeout: time.Second})
		if err != nil {
			return nil, err
		}
		return c, nil
	}
	sum, err := delivery.Run(context.Background(), f.st, opts)
	if err == nil || !strings.Contains(err.Error(), "connect to relay") {
		t.Fatalf("Run = %v; want an error about the relay", err)
	}
	if sum.Bounced != 0 || sum.Sent != 0 {
		t.Errorf("Run = %+v; want nothing sent or bounced", sum)
	}
	counts, _ := f.st.LedgerCounts(context.Background(), f.issue.ID)
	if counts[store.LedgerSent]+counts[store.LedgerBounced] != 0 {
		t.Errorf("ledger = %v; want every row still owed", counts)
	}
}

// smtp.max_per_hour paces sends evenly: at 20 a second (72,000 an hour),
// 11 messages cannot take less than half a second. (A lower bound only: a
// slow machine makes it longer, never shorter.)
func TestMaxPerHourPaces(t *testing.T) {
	f := newFixture(t, 11)
	opts := f.options()
	opts.MaxPerHour = 72000
	start := time.Now()
	if _, err := delivery.Run(context.Background(), f.st, opts); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 450*time.Millisecond {
		t.Errorf("11 messages at 20/s took %v; want at least 500ms", d)
	}
	f.exactlyOnce(t, nil)
}

var testLinks = func() *links.Builder {
	b, err := links.New("https://news.bottega.example.it", "")
	if err != nil {
		panic(err)
	}
	return b
}()

// progressFunc calls a function after each outcome.
type progressFunc func(done int)

func (f progressFunc) Start(int)     {}
func (f progressFunc) Done(done int) { f(done) }
