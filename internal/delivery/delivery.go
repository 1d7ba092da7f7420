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

	// BounceBreaker is how many permanent recipient refusals in a row stop
	// the run as the relay's fault; 0: DefaultBounceBreaker, < 0: never.
	BounceBreaker int
	// ConnFailures is how many connection failures in a row stop the run;
	// 0: DefaultConnFailures.
	ConnFailures int

	Now      func() time.Time
	Progress Progress // may be nil
}

// Summary counts what a run did.
type Summary struct {
	Sent, Failed, Bounced, Skipped int
	// Unknown counts messages whose fate the relay never told: the
	// connection failed after the final ".".
	Unknown int
	// Released counts rows given back untried when the run stopped.
	Released int
	Total    int // rows claimable when the run started
}

// ErrIncomplete is returned when some recipients could not be reached yet.
var ErrIncomplete = errors.New("kept in the ledger for the next run")

// Default thresholds of the run's circuit breakers.
const (
	// DefaultBounceBreaker: this many recipients refused permanently in a
	// row, with no message accepted in between, is the relay's doing (a
	// lost login that it reports as "user unknown", a wrong smarthost), not
	// twenty dead addresses; the run stops before bouncing anyone.
	DefaultBounceBreaker = 20
	// DefaultConnFailures: this many connection-level failures in a row,
	// across all connections, means the relay is down for everyone.
	DefaultConnFailures = 5
)

// StopKind says why a run stopped before its end.
type StopKind int

// Reasons a run stops at once, each the same for every recipient.
const (
	StopConnect StopKind = iota // the relay cannot be reached or greeted
	StopTLS                     // TLS is not what was configured
	StopAuth                    // the login was refused or is missing
	StopSender                  // the relay refuses the sender (MAIL FROM)
	StopPolicy                  // the relay refuses to relay (554 5.7.1 at RCPT)
	StopMessage                 // the relay refuses the message (size, content)
	StopBreaker                 // too many permanent refusals in a row
	StopDown                    // too many connection failures in a row
)

// StopError stops a run: the relay's answer is the same whoever the
// recipient, so nobody is bounced and the issue stays resumable.
type StopError struct {
	Kind StopKind
	Err  error // the relay's reply or the connection's failure
	// Count is how many refusals or failures in a row tripped a breaker.
	Count int
}

func (e *StopError) Error() string {
	switch e.Kind {
	case StopBreaker:
		return fmt.Sprintf("the relay refused %d recipients in a row (last: %v)", e.Count, e.Err)
	case StopDown:
		return fmt.Sprintf("%d connection failures in a row (last: %v)", e.Count, e.Err)
	}
	return e.Err.Error()
}

func (e *StopError) Unwrap() error { return e.Err }

// Run delivers opts.Issue. It returns ErrIncomplete (wrapped with the count)
// when temporary failures remain; they stay in the ledger for the next run.
// A *StopError means the relay, not the recipients, is at fault: the run
// stopped at once and bounced nobody.
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
	if opts.BounceBreaker == 0 {
		opts.BounceBreaker = DefaultBounceBreaker
	}
	if opts.ConnFailures <= 0 {
		opts.ConnFailures = DefaultConnFailures
	}
	is := opts.Issue
	if _, err := st.EnsureLedger(ctx, is.ID, opts.Now()); err != nil {
		return Summary{}, fmt.Errorf("ledger: %w", err)
	}
	// A done issue is only topped up (joiners), unless failures are
	// retried on purpose.
	r := &run{opts: &opts, st: st, runID: newRunID(), retryFailed: opts.RetryFailed || is.Status != store.IssueDone}
	var err error
	if r.sum.Total, err = st.Outstanding(ctx, is.ID, r.retryFailed); err != nil {
		return Summary{}, err
	}
	if opts.Progress != nil {
		opts.Progress.Start(r.sum.Total)
	}
	if r.composer, err = NewComposer(&opts); err != nil {
		return r.sum, err
	}
	if r.sum.Total > 0 {
		if err := st.MarkSending(ctx, is.ID); err != nil {
			return r.sum, err
		}
	}
	for {
		if r.sum.Total > 0 {
			if err := r.pass(ctx); err != nil {
				return r.sum, err
			}
		}
		left, err := st.Outstanding(context.Background(), is.ID, true)
		if err != nil {
			return r.sum, err
		}
		if left > 0 {
			return r.sum, fmt.Errorf("%d recipient(s) not reached yet: %w (see 'venerdi deliveries --status failed')", left, ErrIncomplete)
		}
		if !r.retryFailed {
			break // done before this run, and stays so
		}
		// Whoever is active when the issue is marked done gets it: a
		// subscriber who joined during the send is added and sent now.
		added, err := st.FinishIssue(context.Background(), is.ID, opts.Now())
		if err != nil {
			return r.sum, err
		}
		if added == 0 {
			break
		}
		r.sum.Total += added
		if opts.Progress != nil {
			opts.Progress.Start(r.sum.Total)
		}
	}
	counts, err := st.LedgerCounts(context.Background(), is.ID)
	if err != nil {
		return r.sum, err
	}
	r.sum.Skipped = counts[store.LedgerSkipped]
	return r.sum, nil
}

// run is one delivery run: its id in the ledger, its counts and breakers.
type run struct {
	opts        *Options
	st          *store.Store
	runID       string
	retryFailed bool
	composer    *Composer

	mu  sync.Mutex
	sum Summary
	// streak holds this run's permanent recipient refusals since the last
	// accepted message, recorded as failed until a later acceptance shows
	// the relay is fine (then they are bounced) or the breaker trips (then
	// nobody is).
	streak    []store.Outcome
	connFails int // connection-level failures in a row, across workers
}

// pass claims and sends every claimable row once.
func (r *run) pass(ctx context.Context) error {
	opts := r.opts
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
	rec := newRecorder(r.st, opts.Issue.ID, opts.Now)
	go rec.loop()

	var claimErr error
	go func() {
		defer close(jobs)
		c := store.Claim{IssueID: opts.Issue.ID, RunID: r.runID, Limit: 64, Failed: r.retryFailed}
		for {
			batch, last, err := r.st.Claim(ctx, c, opts.Now())
			if err != nil {
				if ctx.Err() == nil {
					claimErr = fmt.Errorf("claim recipients: %w", err)
				}
				cancel()
				return
			}
			if last == c.After {
				return
			}
			c.After = last
			for _, rc := range batch {
				select {
				case jobs <- rc:
				case <-ctx.Done():
					return
				}
			}
		}
	}()

	var firstErr error
	stop := func(err error) {
		r.mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		r.mu.Unlock()
		cancel()
	}
	var wg sync.WaitGroup
	for i := 0; i < opts.Connections; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := worker{run: r, opts: opts, composer: r.composer, domain: domain, limiters: limiters}
			defer w.close()
			// next is the job taken ahead, so its envelope can travel behind
			// this message's final "." (see mailer.Conn.SendThen).
			var next *store.Recipient
			more := true
			for {
				var rc store.Recipient
				if next != nil {
					rc, next = *next, nil
				} else if rc, more = <-jobs; !more {
					break
				}
				if ctx.Err() != nil {
					continue // stopping: the row stays claimed by a dead run, for the next
				}
				if more {
					select {
					case r2, ok := <-jobs:
						if ok {
							next = &r2
						}
						more = ok
					default:
					}
				}
				out, fatal := w.deliver(ctx, rc, next)
				outs, tripped := r.settle(out)
				if tripped != nil && fatal == nil {
					fatal = tripped
				}
				if fatal != nil {
					stop(fatal)
				}
				if err := rec.record(outs...); err != nil {
					stop(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	interrupted := ctx.Err() != nil
	if firstErr == nil && !interrupted {
		// The run ended normally: a short streak of refusals at its end is
		// what it looks like, dead addresses.
		if outs := r.flushStreak(); len(outs) > 0 {
			if err := rec.record(outs...); err != nil {
				firstErr = err
			}
		}
	}
	close(rec.in)
	<-rec.done
	cancel()
	switch {
	case claimErr != nil:
		return claimErr
	case firstErr != nil:
		return firstErr
	case interrupted:
		// Interrupted: rows still pending or sending are resumed next run.
		return context.Canceled
	}
	return nil
}

// settle counts out and runs the breakers on it. It returns the outcomes to
// record (a success also bounces the refusals held before it) and, when the
// bounce breaker trips, the error that stops the run.
func (r *run) settle(out store.Outcome) ([]store.Outcome, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	outs := []store.Outcome{out}
	var tripped error
	switch out.Status {
	case store.LedgerSent:
		r.sum.Sent++
		outs = append(outs, r.flushLocked()...)
	case store.LedgerBounced:
		if r.opts.BounceBreaker < 0 {
			r.sum.Bounced++
			break
		}
		// Held as failed until the relay proves itself on someone else.
		r.streak = append(r.streak, out)
		out.Status = store.LedgerFailed
		outs[0] = out
		r.sum.Failed++
		if len(r.streak) >= r.opts.BounceBreaker {
			tripped = &StopError{Kind: StopBreaker, Count: len(r.streak), Err: errors.New(out.Error)}
			r.streak = nil
		}
	case store.LedgerFailed:
		r.sum.Failed++
	case store.LedgerUnknown:
		r.sum.Unknown++
	case store.LedgerPending:
		r.sum.Released++
	}
	if r.opts.Progress != nil && out.Status != store.LedgerPending {
		r.opts.Progress.Done(r.sum.Sent + r.sum.Bounced + r.sum.Failed + r.sum.Unknown)
	}
	return outs, tripped
}

func (r *run) flushStreak() []store.Outcome {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.flushLocked()
}

// flushLocked bounces the held refusals.
func (r *run) flushLocked() []store.Outcome {
	outs := r.streak
	r.streak = nil
	r.sum.Bounced += len(outs)
	r.sum.Failed -= len(outs)
	return outs
}

// connResult feeds the "relay down for everyone" breaker: ok resets it, a
// failure counts towards it.
func (r *run) connResult(ok bool, err error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ok {
		r.connFails = 0
		return nil
	}
	r.connFails++
	if r.connFails >= r.opts.ConnFailures {
		return &StopError{Kind: StopDown, Count: r.connFails, Err: err}
	}
	return nil
}

// worker owns one connection and sends one message at a time.
type worker struct {
	run      *run
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
// temporary refusal. What it decides, by what the relay's reply is about:
//
//   - accepted: sent;
//   - refused permanently at RCPT for this address: bounced (held by the
//     run's breaker until another message is accepted);
//   - refused for a reason that is the same for everyone (the login, the
//     sender, relaying, the message's size), or a relay that cannot be
//     reached, secured or logged in to: the run stops (fatal), the row
//     is given back untried and nobody is bounced;
//   - no reply to the final ".": unknown, not retried by this run;
//   - temporary: retried, then failed, for the next run.
func (w *worker) deliver(ctx context.Context, r store.Recipient, next *store.Recipient) (out store.Outcome, fatal error) {
	out = store.Outcome{SubscriberID: r.SubscriberID, MessageID: newMessageID(w.domain)}
	raw, err := w.composer.Message(r.UID, r.Email, r.Name, out.MessageID)
	if err != nil {
		// A message that cannot be built will not build next time either.
		out.Status, out.Error = store.LedgerBounced, err.Error()
		return out, nil
	}
	from := AddressOf(w.opts.From)
	release := func(err error) (store.Outcome, error) {
		out.Status, out.Error, out.Attempts = store.LedgerPending, err.Error(), 0
		return out, err
	}
	for attempt := 1; ; attempt++ {
		for _, l := range w.limiters {
			if err := l.Wait(ctx); err != nil {
				out.Status, out.Error, out.Attempts = store.LedgerPending, "interrupted", 0
				return out, nil
			}
		}
		out.Attempts = attempt
		var dialErr *dialError
		var then *mailer.Envelope
		if next != nil {
			then = &mailer.Envelope{From: from, To: next.Email}
		}
		err = w.send(ctx, mailer.Envelope{From: from, To: r.Email}, raw, then)
		switch {
		case err == nil:
			w.run.connResult(true, nil)
			out.Status, out.Error = store.LedgerSent, ""
			return out, nil
		case errors.As(err, &dialErr) && ctx.Err() != nil:
			// The run is stopping; this dial was cut short, not refused.
			out.Status, out.Error, out.Attempts = store.LedgerPending, "interrupted", 0
			return out, nil
		case errors.As(err, &dialErr):
			if !mailer.IsRetryable(err) {
				return release(DialStop(err))
			}
			if stop := w.run.connResult(false, err); stop != nil {
				return release(stop)
			}
		case mailer.IsUncertain(err):
			out.Status, out.Error = store.LedgerUnknown, err.Error()
			if stop := w.run.connResult(false, err); stop != nil {
				return out, stop
			}
			return out, nil
		case mailer.IsRecipientRefusal(err):
			w.run.connResult(true, nil)
			out.Status, out.Error = store.LedgerBounced, err.Error()
			return out, nil
		case mailer.IsPermanent(err):
			return release(&StopError{Kind: refusalKind(err), Err: err})
		case mailer.IsConnBroken(err) && !isReply(err):
			if stop := w.run.connResult(false, err); stop != nil {
				return release(stop)
			}
		default:
			w.run.connResult(true, nil) // a temporary reply: the relay is there
		}
		out.Status, out.Error = store.LedgerFailed, err.Error()
		if attempt >= w.opts.MaxAttempts || ctx.Err() != nil {
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

// DialStop is the StopError for a failure to open the transport: what
// the mailer says it was about (connect, TLS, login).
func DialStop(err error) *StopError {
	kind := StopConnect
	var de *mailer.DialError
	if errors.As(err, &de) {
		switch de.Stage {
		case mailer.DialTLS:
			kind = StopTLS
		case mailer.DialAuth:
			kind = StopAuth
		}
	}
	return &StopError{Kind: kind, Err: err}
}

// refusalKind names what a permanent refusal that is not about the
// recipient was about.
func refusalKind(err error) StopKind {
	var se *mailer.SendError
	if !errors.As(err, &se) {
		return StopConnect
	}
	switch {
	case se.Scope == mailer.ScopeMessage:
		return StopMessage
	case se.Enhanced == "5.7.0" || se.Code == 530 || se.Code == 535:
		return StopAuth
	case se.Stage() == mailer.StageMail:
		return StopSender
	case se.Stage() == mailer.StageRcpt:
		return StopPolicy
	}
	return StopMessage
}

// isReply reports whether err carries a reply from the relay (a 421, say)
// rather than a dead connection.
func isReply(err error) bool {
	var se *mailer.SendError
	return errors.As(err, &se) && se.Code != 0
}

// dialError is a failure to reach or log in to the relay.
type dialError struct{ err error }

func (e *dialError) Error() string { return "connect to relay: " + e.err.Error() }
func (e *dialError) Unwrap() error { return e.err }

// thenSender is a Sender that can pipeline the next envelope behind a
// message (*mailer.Conn).
type thenSender interface {
	SendThen(ctx context.Context, env mailer.Envelope, raw []byte, next *mailer.Envelope) error
}

func (w *worker) send(ctx context.Context, env mailer.Envelope, raw []byte, next *mailer.Envelope) error {
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
	var err error
	if ts, ok := w.conn.(thenSender); ok && next != nil {
		err = ts.SendThen(context.WithoutCancel(ctx), env, raw, next)
	} else {
		err = w.conn.Send(context.WithoutCancel(ctx), env, raw)
	}
	if err != nil && (mailer.IsConnBroken(err) || !isSendError(err)) {
		w.close()
	}
	return err
}

func isSendError(err error) bool {
	var se *mailer.SendError
	return errors.As(err, &se) && !se.ConnBroken
}

func newRunID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
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
