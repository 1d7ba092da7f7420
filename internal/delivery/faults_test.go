package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/venerdi/venerdi/internal/delivery"
	"github.com/venerdi/venerdi/internal/mailer"
	"github.com/venerdi/venerdi/internal/smtptest"
	"github.com/venerdi/venerdi/internal/store"
)

// These are the relay's mistakes delivery promises to survive (README:
// "Delivery guarantees"), each against a real SMTP server on 127.0.0.1
// scripted to misbehave.

// withSMTP returns f's options dialling cfg as changed by edit.
func (f *fixture) withSMTP(edit func(*mailer.SMTPConfig)) delivery.Options {
	opts := f.options()
	cfg := mailer.SMTPConfig{Host: "127.0.0.1", Port: f.smtp.Port, TLS: "none", Timeout: 5 * time.Second}
	edit(&cfg)
	opts.Dial = func(ctx context.Context) (delivery.Sender, error) {
		c, err := mailer.Dial(ctx, cfg)
		if err != nil {
			return nil, err
		}
		return c, nil
	}
	return opts
}

// nobodyBounced checks the list is intact and every row still owed.
func (f *fixture) nobodyBounced(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	counts, _ := f.st.CountSubscribers(ctx)
	if counts[store.Active] != f.n || counts[store.Bounced] != 0 {
		t.Errorf("subscribers %v; want all %d active", counts, f.n)
	}
	if n, _ := f.st.Outstanding(ctx, f.issue.ID, true); n != f.n {
		t.Errorf("outstanding rows %d; want all %d still owed", n, f.n)
	}
}

func TestRelayRefusalsStopTheRunAndBounceNobody(t *testing.T) {
	for _, c := range []struct {
		name, stage   string
		code          int
		enhanced, msg string
		kind          delivery.StopKind
	}{
		{"530 at MAIL FROM", smtptest.AtMail, 530, "5.7.0", "Authentication required", delivery.StopAuth},
		{"554 5.7.1 at every RCPT", smtptest.AtRcpt, 554, "5.7.1", "Relay access denied", delivery.StopPolicy},
		{"552 at end of data", smtptest.AtData, 552, "5.3.4", "Message size exceeds fixed limit", delivery.StopMessage},
		{"550 5.1.7 sender at MAIL", smtptest.AtMail, 550, "5.1.7", "Bad sender address syntax", delivery.StopSender},
	} {
		for _, pipelined := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/pipelining=%v", c.name, pipelined), func(t *testing.T) {
				relayRefusal(t, c.stage, c.code, c.enhanced, c.msg, c.kind, pipelined)
			})
		}
	}
}

// relayRefusal has the relay refuse every command at stage, with and
// without pipelining, and checks the run stops bouncing nobody, then sends
// everyone once when the relay is fixed.
func relayRefusal(t *testing.T, stage string, code int, enhanced, msg string, kind delivery.StopKind, pipelined bool) {
	f := newFixture(t, 50)
	f.smtp.FailAt(stage, code, enhanced, msg)
	opts := f.withSMTP(func(cfg *mailer.SMTPConfig) { cfg.NoPipelining = !pipelined })
	_, err := delivery.Run(context.Background(), f.st, opts)
	var stop *delivery.StopError
	if !errors.As(err, &stop) || stop.Kind != kind || !strings.Contains(err.Error(), msg) {
		t.Fatalf("Run = %v; want a StopError of kind %d naming %q", err, kind, msg)
	}
	f.nobodyBounced(t)
	f.smtp.FailAt(stage, 0, "", "")
	if sum, err := delivery.Run(context.Background(), f.st, opts); err != nil || sum.Sent != 50 {
		t.Fatalf("Run after the fix = %+v, %v; want 50 sent", sum, err)
	}
	f.exactlyOnce(t, nil)
}

// Real 550 5.1.1 refusals among good recipients bounce those alone.
func TestOnlyRefusedRecipientsBounce(t *testing.T) {
	f := newFixture(t, 50)
	dead := map[string]bool{}
	for _, i := range []int{3, 17, 18, 30, 49} {
		addr := fmt.Sprintf("s%04d@example.it", i)
		dead[addr] = true
		f.smtp.Reply(addr, 550)
	}
	sum, err := delivery.Run(context.Background(), f.st, f.options())
	if err != nil || sum.Sent != 45 || sum.Bounced != 5 {
		t.Fatalf("Run = %+v, %v; want 45 sent, 5 bounced", sum, err)
	}
	f.exactlyOnce(t, dead)
	counts, _ := f.st.CountSubscribers(context.Background())
	if counts[store.Bounced] != 5 {
		t.Errorf("bounced subscribers %d; want 5", counts[store.Bounced])
	}
}

// A relay that answers "user unknown" for everyone (a wrong smarthost, a
// lost login reported badly) trips the breaker: the run stops and bounces
// nobody.
func TestBounceBreakerHoldsAMassRefusal(t *testing.T) {
	f := newFixture(t, 50)
	for i := 0; i < 50; i++ {
		f.smtp.Reply(fmt.Sprintf("s%04d@example.it", i), 550)
	}
	_, err := delivery.Run(context.Background(), f.st, f.options())
	var stop *delivery.StopError
	if !errors.As(err, &stop) || stop.Kind != delivery.StopBreaker || stop.Count != delivery.DefaultBounceBreaker {
		t.Fatalf("Run = %v; want the bounce breaker tripped after %d", err, delivery.DefaultBounceBreaker)
	}
	f.nobodyBounced(t)
}

// RFC 5321 gives the end-of-data reply 10 minutes: a reply later than the
// command timeout is waited for, so nobody gets a second copy.
func TestLateEndOfDataReplyIsWaitedFor(t *testing.T) {
	f := newFixture(t, 8)
	f.smtp.ReplyLate(1500 * time.Millisecond)
	opts := f.withSMTP(func(c *mailer.SMTPConfig) { c.Timeout = 500 * time.Millisecond })
	sum, err := delivery.Run(context.Background(), f.st, opts)
	if err != nil || sum.Sent != 8 {
		t.Fatalf("Run = %+v, %v; want 8 sent", sum, err)
	}
	f.exactlyOnce(t, nil)
}

// A reply later still than smtp.data_timeout leaves the outcome unknown:
// not retried by the run, retried at most once by a later one. However
// many runs follow, nobody gets more than two copies.
func TestLostEndOfDataReplyAtMostOneExtraCopy(t *testing.T) {
	f := newFixture(t, 8)
	f.smtp.ReplyLate(700 * time.Millisecond)
	opts := f.withSMTP(func(c *mailer.SMTPConfig) {
		c.Timeout = time.Second
		c.DataTimeout = 200 * time.Millisecond
	})
	for run := 0; run < 4; run++ {
		delivery.Run(context.Background(), f.st, opts)
	}
	for i := 0; i < f.n; i++ {
		addr := fmt.Sprintf("s%04d@example.it", i)
		if got := f.smtp.Count(addr); got < 1 || got > 2 {
			t.Errorf("messages to %s = %d; want 1 or 2 (one extra copy at most)", addr, got)
		}
	}
	if n, _ := f.st.Outstanding(context.Background(), f.issue.ID, true); n != 0 {
		t.Errorf("outstanding rows after 4 runs = %d; want 0 (unknown retried once, then settled)", n)
	}
}

// Whoever subscribes while the issue is going out gets it in the same run.
func TestJoinersDuringTheSendGetTheIssue(t *testing.T) {
	f := newFixture(t, 40)
	ctx := context.Background()
	var once sync.Once
	var joined []string
	f.smtp.OnAccept(func() {
		once.Do(func() {
			for i := 0; i < 5; i++ {
				addr := fmt.Sprintf("late%d@example.it", i)
				if _, err := f.st.AddSubscriber(ctx, addr, "", now); err != nil {
					t.Error(err)
				}
				joined = append(joined, addr)
			}
		})
	})
	sum, err := delivery.Run(ctx, f.st, f.options())
	if err != nil || sum.Sent != 45 {
		t.Fatalf("Run = %+v, %v; want 45 sent (40 and the 5 who joined)", sum, err)
	}
	for _, addr := range joined {
		if got := f.smtp.Count(addr); got != 1 {
			t.Errorf("messages to %s (joined mid-send) = %d; want 1", addr, got)
		}
	}
	if is, _ := f.st.IssueByID(ctx, f.issue.ID); is.Status != store.IssueDone {
		t.Errorf("issue status %s; want done", is.Status)
	}
}

// A relay that cannot be reached, or refuses the login, stops the run at
// the first try: retrying per recipient cannot fix it.
func TestUnreachableRelayOrRefusedLoginFailsFast(t *testing.T) {
	t.Run("connection refused", func(t *testing.T) {
		f := newFixture(t, 30)
		l, _ := net.Listen("tcp", "127.0.0.1:0")
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		opts := f.withSMTP(func(c *mailer.SMTPConfig) { c.Port = port })
		opts.Backoff = time.Second // a retry would show in the elapsed time
		start := time.Now()
		_, err := delivery.Run(context.Background(), f.st, opts)
		var stop *delivery.StopError
		if !errors.As(err, &stop) || stop.Kind != delivery.StopConnect {
			t.Fatalf("Run = %v; want StopConnect", err)
		}
		if d := time.Since(start); d > 900*time.Millisecond {
			t.Errorf("Run took %v; want it to stop at the first refusal", d)
		}
		f.nobodyBounced(t)
	})
	t.Run("STARTTLS not offered", func(t *testing.T) {
		f := newFixture(t, 30)
		opts := f.withSMTP(func(c *mailer.SMTPConfig) { c.TLS = mailer.TLSStartTLS })
		opts.Backoff = time.Second
		start := time.Now()
		_, err := delivery.Run(context.Background(), f.st, opts)
		var stop *delivery.StopError
		if !errors.As(err, &stop) || stop.Kind != delivery.StopTLS {
			t.Fatalf("Run = %v; want StopTLS", err)
		}
		if d := time.Since(start); d > 900*time.Millisecond {
			t.Errorf("Run took %v; want it to stop at the first refusal", d)
		}
		f.nobodyBounced(t)
	})
	t.Run("login refused", func(t *testing.T) {
		f := newFixture(t, 30)
		srv, err := smtptest.Start(smtptest.Options{Users: map[string]string{"news": "right"}})
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		opts := f.withSMTP(func(c *mailer.SMTPConfig) {
			c.Port, c.Username, c.Password = srv.Port, "news", "wrong-password"
		})
		opts.Backoff = time.Second
		_, err = delivery.Run(context.Background(), f.st, opts)
		var stop *delivery.StopError
		if !errors.As(err, &stop) || stop.Kind != delivery.StopAuth {
			t.Fatalf("Run = %v; want StopAuth", err)
		}
		if strings.Contains(err.Error(), "wrong-password") {
			t.Errorf("error %q shows the password", err)
		}
		if c := srv.Connections(); c > 4 {
			t.Errorf("%d connections; want at most one per worker", c)
		}
		f.nobodyBounced(t)
	})
}
