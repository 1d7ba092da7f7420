// Package delivery sends a frozen issue to every active subscriber exactly
// once, driven by the ledger in the store: claim a batch of rows, send each
// over a pool of connections, record each outcome before the connection takes
// its next message. A run that dies is resumed from the ledger by the next.
package delivery

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"net/mail"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/venerdi/venerdi/internal/mailer"
	"github.com/venerdi/venerdi/internal/store"
	"github.com/venerdi/venerdi/internal/token"
)

// Sender is one open transport: an SMTP connection or the outbox folder.
type Sender interface {
	Send(ctx context.Context, env mailer.Envelope, raw []byte) error
	Close() error
}

// Content is a frozen issue as it is sent: its subject and bodies, with
// token.Placeholder wherever a recipient's own token goes (the unsubscribe
// link, in practice).
type Content struct {
	Subject, HTML, Text string
}

// Links builds the List-Unsubscribe targets of a recipient's token; it is
// satisfied by *links.Builder, the one place links are made.
type Links interface {
	ListUnsubscribe(token string) []string
}

// Progress hears how a run advances: Start once with the number of
// recipients it will try, then Done after each outcome with how many are
// finished. It is called from several goroutines.
type Progress interface {
	Start(total int)
	Done(finished int)
}

// Options configure a run.
type Options struct {
	Issue   *store.Issue // the ledger to drive
	Content Content

	// Message headers.
	From    string
	ReplyTo string
	ListID  string
	Links   Links
	Secret  []byte
	Signer  *mailer.Signer

	// Transport.
	Dial        func(ctx context.Context) (Sender, error)
	Connections int
	Rate        float64 // messages per second across workers; 0: unlimited
	MaxPerHour  int     // 0: unlimited
	MaxAttempts int     // per recipient per run
	Backoff     time.Duration

	// RetryFailed also claims rows left failed by an earlier run.
	RetryFailed bool

	Now      func() time.Time
	Progress Progress // may be nil
}

// Summary counts what a run did.
type Summary struct {
	Sent, Failed, Bounced, Skipped int
	Total                          int // rows claimable when the run started
}

// ErrIncomplete is returned when some recipients could not be reached yet.
var ErrIncomplete = errors.New("kept in the ledger for the next run")

// Run delivers opts.Issue. It returns ErrIncomplete (wrapped with the count)
// when temporary failures remain; they stay in the ledger for the next run.
func Run(ctx context.Context, st *store.Store, opts Options) (Summary, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Connections < 1 {
		opts.Connections = 1
	}
	if opts.MaxAttempts < 1 {
		opts.MaxAttempts = 1
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 2 * time.Second
	}
	is := opts.Issue
	if _, err := st.EnsureLedger(ctx, is.ID, opts.Now()); err != nil {
		return Summary{}, fmt.Errorf("ledger: %w", err)
	}
	statuses := []store.LedgerStatus{store.LedgerPending, store.LedgerSending, store.LedgerFailed}
	if !opts.RetryFailed && is.Status == store.IssueDone {
		statuses = statuses[:2]
	}
	counts, err := st.LedgerCounts(ctx, is.ID)
	if err != nil {
		return Summary{}, err
	}
	var sum Summary
	for _, s := range statuses {
		sum.Total += counts[s]
	}
	if opts.Progress != nil {
		opts.Progress.Start(sum.Total)
	}
	if sum.Total == 0 {
		// Every row is settled: a run that died between its last record
		// and marking the issue done is finished here.
		if len(counts) > 0 && is.Status != store.IssueDone {
			return sum, st.SetIssueStatus(ctx, is.ID, store.IssueDone, opts.Now())
		}
		return sum, nil
	}
	composer, err := NewComposer(&opts)
	if err != nil {
		return sum, err
	}
	if err := st.SetIssueStatus(ctx, is.ID, store.IssueSending, opts.Now()); err != nil {
		return sum, err
	}
	domain := DomainOf(opts.From)
	var limiters []*rate.Limiter
	if opts.Rate > 0 {
		limiters = append(limiters, rate.NewLimiter(rate.Limit(opts.Rate), max(1, int(opts.Rate))))
	}
	if opts.MaxPerHour > 0 {
		// Burst 1: paced evenly, so no sliding hour ever exceeds the cap.
		limiters = append(limiters, rate.NewLimiter(rate.Limit(float64(opts.MaxPerHour)/3600), 1))
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan store.Recipient)
	rec := newRecorder(st, is.ID, opts.Now)
	go rec.loop()

	var claimErr error
	go func() {
		defer close(jobs)
		var after int64
		for {
			batch, last, err := st.Claim(ctx, is.ID, after, 64, statuses, opts.Now())
			if err != nil {
				if ctx.Err() == nil {
					claimErr = fmt.Errorf("claim recipients: %w", err)
				}
				cancel()
				return
			}
			if last == after {
				return
			}
			after = last
			for _, r := range batch {
				select {
				case jobs <- r:
				case <-ctx.Done():
					return
				}
			}
		}
	}()

	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for i := 0; i < opts.Connections; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := worker{opts: &opts, composer: composer, domain: domain, limiters: limiters}
			defer w.close()
			for r := range jobs {
				out, fatal := w.deliver(ctx, r)
				if fatal != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fatal
					}
					mu.Unlock()
					cancel()
				}
				if err := rec.record(out); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					cancel()
					return
				}
				mu.Lock()
				switch out.Status {
				case store.LedgerSent:
					sum.Sent++
				case store.LedgerBounced:
					sum.Bounced++
				case store.LedgerFailed:
					sum.Failed++
				}
				done := sum.Sent + sum.Bounced + sum.Failed
				mu.Unlock()
				if opts.Progress != nil {
					opts.Progress.Done(done)
				}
			}
		}()
	}
	wg.Wait()
	close(rec.in)
	<-rec.done
	interrupted := ctx.Err() != nil
	cancel()
	if claimErr != nil {
		return sum, claimErr
	}
	if firstErr != nil {
		return sum, firstErr
	}
	if interrupted && sum.Sent+sum.Bounced+sum.Failed < sum.Total {
		// Interrupted: rows still pending or sending are resumed next run.
		return sum, context.Canceled
	}
	counts, err = st.LedgerCounts(context.Background(), is.ID)
	if err != nil {
		return sum, err
	}
	sum.Skipped = counts[store.LedgerSkipped]
	if left := counts[store.LedgerPending] + counts[store.LedgerSending] + counts[store.LedgerFailed]; left > 0 {
		return sum, fmt.Errorf("%d recipient(s) not reached yet: %w (see 'venerdi deliveries --status failed')", left, ErrIncomplete)
	}
	if err := st.SetIssueStatus(context.Background(), is.ID, store.IssueDone, opts.Now()); err != nil {
		return sum, err
	}
	return sum, nil
}

// worker owns one connection and sends one message at a time.
type worker struct {
	opts     *Options
	composer *Composer
	domain   string
	limiters []*rate.Limiter
	conn     Sender
}

func (w *worker) close() {
	if w.conn != nil {
		w.conn.Close()
		w.conn = nil
	}
}

// deliver tries one recipient up to MaxAttempts times, redialling after a
// dropped connection and backing off exponentially, with jitter, after a
// temporary refusal. A relay that cannot be reached or refuses our login
// is no fault of the recipient: that is returned as fatal, to stop the run,
// and the recipient stays owed the message.
func (w *worker) deliver(ctx context.Context, r store.Recipient) (out store.Outcome, fatal error) {
	out = store.Outcome{SubscriberID: r.SubscriberID, MessageID: newMessageID(w.domain)}
	raw, err := w.composer.Message(r.UID, r.Email, r.Name, out.MessageID)
	if err != nil {
		// A message that cannot be built will not build next time either.
		out.Status, out.Error = store.LedgerBounced, err.Error()
		return out, nil
	}
	from := AddressOf(w.opts.From)
	for attempt := 1; ; attempt++ {
		for _, l := range w.limiters {
			if err := l.Wait(ctx); err != nil {
				out.Status, out.Error = store.LedgerFailed, "interrupted"
				return out, nil
			}
		}
		out.Attempts = attempt
		var dialErr *dialError
		err = w.send(ctx, mailer.Envelope{From: from, To: r.Email}, raw)
		switch {
		case err == nil:
			out.Status, out.Error = store.LedgerSent, ""
			return out, nil
		case errors.As(err, &dialErr) && mailer.IsPermanent(err):
			out.Status, out.Error = store.LedgerFailed, err.Error()
			return out, err
		case mailer.IsPermanent(err):
			out.Status, out.Error = store.LedgerBounced, err.Error()
			return out, nil
		}
		out.Status, out.Error = store.LedgerFailed, err.Error()
		if attempt >= w.opts.MaxAttempts || ctx.Err() != nil {
			if errors.As(err, &dialErr) {
				return out, err
			}
			return out, nil
		}
		d := w.opts.Backoff * time.Duration(math.Pow(2, float64(attempt-1)))
		d = d/2 + time.Duration(mrand.Int64N(int64(d))) // jitter: 0.5× to 1.5×
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return out, nil
		}
	}
}

// dialError is a failure to reach or log in to the relay.
type dialError struct{ err error }

func (e *dialError) Error() string { return "connect to relay: " + e.err.Error() }
func (e *dialError) Unwrap() error { return e.err }

func (w *worker) send(ctx context.Context, env mailer.Envelope, raw []byte) error {
	if w.conn == nil {
		c, err := w.opts.Dial(ctx)
		if err != nil {
			return &dialError{err}
		}
		w.conn = c
	}
	// A message already on its way is finished even when the run is being
	// stopped (SIGINT, SIGTERM): cutting the connection mid-DATA could leave
	// it delivered but unrecorded, and so sent twice. The relay's command
	// timeout still bounds the wait.
	err := w.conn.Send(context.WithoutCancel(ctx), env, raw)
	if err != nil && (mailer.IsConnBroken(err) || !isSendError(err)) {
		w.close()
	}
	return err
}

func isSendError(err error) bool {
	var se *mailer.SendError
	return errors.As(err, &se) && !se.ConnBroken
}

// Composer turns the frozen issue into each recipient's message. The issue
// is encoded once (mailer.Template); per recipient only the address, the
// unsubscribe token and the Message-ID change.
type Composer struct {
	opts *Options
	tpl  *mailer.Template
}

// NewComposer prepares opts.Issue for sending.
func NewComposer(opts *Options) (*Composer, error) {
	m := &mailer.Message{
		From:        opts.From,
		ReplyTo:     opts.ReplyTo,
		To:          "recipient@placeholder.invalid",
		Subject:     opts.Content.Subject,
		Text:        opts.Content.Text,
		HTML:        opts.Content.HTML,
		ListID:      opts.ListID,
		Unsubscribe: opts.Links.ListUnsubscribe(token.Placeholder),
		OneClick:    true,
		Date:        opts.Now(),
	}
	tpl, err := mailer.NewTemplate(m, token.Placeholder, opts.Signer)
	if err != nil {
		return nil, fmt.Errorf("issue %s: %w", opts.Issue.Week, err)
	}
	return &Composer{opts: opts, tpl: tpl}, nil
}

// Message renders the message for the subscriber with link id uid at email.
func (c *Composer) Message(uid int64, email, name, messageID string) ([]byte, error) {
	tok := token.Make(c.opts.Secret, token.Unsubscribe, uid, email)
	return c.tpl.Bytes(mailer.Personal{
		To:          email,
		ToName:      name,
		MessageID:   messageID,
		Date:        c.opts.Now(),
		Unsubscribe: c.opts.Links.ListUnsubscribe(tok),
		Token:       tok,
	})
}

func newMessageID(domain string) string {
	b := make([]byte, 12)
	rand.Read(b)
	return "<" + hex.EncodeToString(b) + "@" + domain + ">"
}

// AddressOf returns the bare address of a From header value.
func AddressOf(from string) string {
	if a, err := mail.ParseAddress(from); err == nil {
		return a.Address
	}
	return from
}

// DomainOf returns the domain of a From address, for Message-IDs and DKIM.
func DomainOf(from string) string {
	a := AddressOf(from)
	if i := strings.LastIndexByte(a, '@'); i >= 0 {
		return a[i+1:]
	}
	return "localhost"
}
