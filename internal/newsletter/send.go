package newsletter

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/venerdi/venerdi/internal/delivery"
	"github.com/venerdi/venerdi/internal/lock"
	"github.com/venerdi/venerdi/internal/mailer"
	"github.com/venerdi/venerdi/internal/schedule"
	"github.com/venerdi/venerdi/internal/store"
)

// SendOptions are the choices of one send.
type SendOptions struct {
	AllowEmpty bool // send even when nothing is new
	Force      bool // resume an issue older than Rules.MaxDelay
	NoFetch    bool // use what is stored; gather nothing first
}

// SendOutcome says how a send ended when it did not fail.
type SendOutcome int

// Send outcomes.
const (
	Delivered    SendOutcome = iota // the run delivered (or finished) the issue
	NothingNew                      // Rules.SkipEmpty held this week's issue back
	AlreadySent                     // this week's issue was done before this run
	NoRecipients                    // the ledger had nobody left to send to
)

// SendReport tells what a send did. It comes back with an error too, as
// far as the run got.
type SendReport struct {
	Outcome SendOutcome
	Issue   *Issue
	Summary Summary       // this run's deliveries
	Elapsed time.Duration // of the delivery
	Since   time.Time     // NothingNew: the cut-off nothing came after
	SentTo  int           // AlreadySent: how many got it
	// Attempted says a delivery ran; DeliveryErr is how it ended, apart
	// from any gathering error.
	Attempted   bool
	DeliveryErr error
}

// StaleError refuses to resume an issue composed more than Rules.MaxDelay
// ago: its "upcoming" webinars may be over.
type StaleError struct {
	Week     string
	Age      time.Duration
	MaxDelay time.Duration
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("issue %s was composed %s ago (digest.max_delay is %s): its news may be stale; pass --force to send it anyway",
		e.Week, e.Age.Round(time.Minute), e.MaxDelay)
}

// Send is the weekly job: gather the sources, compose this week's issue
// (once: it is frozen) and deliver it to every active subscriber who has not
// had it. Safe to repeat: a second send in the same week sends nothing, and
// a run that was killed resumes where it stopped. Only one send runs at a
// time on a database; another gets a *LockHeldError.
//
// A source that fails does not stop the send: the issue goes out with what
// is stored, and the gathering error is returned joined to the outcome.
func (n *Newsletter) Send(ctx context.Context, o SendOptions) (*SendReport, error) {
	l, err := lock.Acquire(n.st.Path(), "send", time.Now())
	if err != nil {
		return nil, err
	}
	defer l.Release()
	if l.TookOver {
		n.rep.Verbosef("took over the lock of a run that died")
	}
	rep := &SendReport{}
	var gatherErr error
	if !o.NoFetch {
		_, gatherErr = n.Gather(ctx)
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
	}
	c, err := n.Compose(ctx, o.AllowEmpty)
	var nothing *NothingNewError
	if errors.As(err, &nothing) {
		rep.Outcome, rep.Since = NothingNew, nothing.Since
		return rep, gatherErr
	}
	if err != nil {
		return rep, errors.Join(gatherErr, err)
	}
	rep.Issue = c.Issue
	is := c.Issue
	if is.Status == store.IssueDone {
		counts, err := n.st.LedgerCounts(ctx, is.ID)
		if err != nil {
			return rep, err
		}
		rep.Outcome, rep.SentTo = AlreadySent, counts[store.LedgerSent]
		return rep, gatherErr
	}
	if !c.Fresh {
		if err := n.staleGuard(is, o.Force); err != nil {
			return rep, errors.Join(gatherErr, err)
		}
		n.rep.Verbosef("resuming issue %s composed %s", is.Week, is.ComposedAt.In(n.Location()).Format(time.RFC3339))
	}
	return rep, errors.Join(gatherErr, n.deliver(ctx, rep, false))
}

// RetryFailed retries the temporary failures of the last issue, without
// gathering or composing.
func (n *Newsletter) RetryFailed(ctx context.Context, force bool) (*SendReport, error) {
	l, err := lock.Acquire(n.st.Path(), "send", time.Now())
	if err != nil {
		return nil, err
	}
	defer l.Release()
	is, err := n.st.LastIssue(ctx)
	if isNotFound(err) {
		return nil, errors.New("no issue has been composed yet: nothing to retry")
	}
	if err != nil {
		return nil, err
	}
	if err := n.staleGuard(is, force); err != nil {
		return nil, err
	}
	rep := &SendReport{Issue: is}
	return rep, n.deliver(ctx, rep, true)
}

func (n *Newsletter) staleGuard(is *Issue, force bool) error {
	now := n.now()
	if force || !schedule.Stale(is.ComposedAt, now, n.opts.Rules.MaxDelay) {
		return nil
	}
	return &StaleError{Week: is.Week, Age: now.Sub(is.ComposedAt), MaxDelay: n.opts.Rules.MaxDelay}
}

// deliver runs the ledger-driven send of rep.Issue into rep.
func (n *Newsletter) deliver(ctx context.Context, rep *SendReport, retry bool) error {
	opts := n.deliveryOptions(rep.Issue)
	opts.RetryFailed = retry
	if p := n.rep.Progress("sending " + rep.Issue.Week); p != nil {
		opts.Progress = p
	}
	start := time.Now()
	sum, err := delivery.Run(ctx, n.st, *opts)
	rep.Summary, rep.Elapsed = sum, time.Since(start)
	rep.Attempted, rep.DeliveryErr = true, err
	if err == nil && sum.Total == 0 {
		rep.Outcome = NoRecipients
	}
	return err
}

// deliveryOptions are the delivery settings of is.
func (n *Newsletter) deliveryOptions(is *Issue) *delivery.Options {
	s := n.opts.Sending
	opts := &delivery.Options{
		Issue:       is,
		Content:     n.content(is),
		From:        n.opts.Mail.From,
		ReplyTo:     n.opts.Mail.ReplyTo,
		ListID:      n.opts.Mail.ListID,
		Links:       n.links,
		Secret:      n.secret,
		Signer:      n.signer,
		Connections: s.Connections,
		Rate:        s.Rate,
		MaxPerHour:  s.MaxPerHour,
		MaxAttempts: s.MaxAttempts,
		Backoff:     s.Backoff,
		Now:         n.now,
		Dial:        n.dial,
	}
	if n.opts.Transport.SMTP.Host == "" {
		opts.Connections = 1 // a folder needs no pool
	}
	return opts
}

// dial opens the transport every message goes out by, digests and
// confirmation mails alike: the SMTP relay, or with none configured the
// outbox folder (created when the first message goes out, so a preview
// leaves no empty folder behind).
func (n *Newsletter) dial(ctx context.Context) (delivery.Sender, error) {
	t := n.opts.Transport
	if t.SMTP.Host == "" {
		return mailer.NewOutbox(t.OutboxDir)
	}
	c, err := mailer.Dial(ctx, t.SMTP)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// SendTest sends this week's issue (frozen, or rendered now without
// freezing) to one address, outside the ledger: a test never fixes the
// week's contents nor counts as anyone's copy.
func (n *Newsletter) SendTest(ctx context.Context, to string) (*Issue, error) {
	is, err := n.Preview(ctx)
	if err != nil {
		return nil, err
	}
	opts := n.deliveryOptions(is)
	msgID := "<test." + strings.ReplaceAll(is.Week, "-", ".") + "." + fmt.Sprint(time.Now().UnixNano()) + "@" + delivery.DomainOf(opts.From) + ">"
	c, err := delivery.NewComposer(opts)
	if err != nil {
		return nil, err
	}
	raw, err := c.Message(0, to, "", msgID)
	if err != nil {
		return nil, err
	}
	conn, err := opts.Dial(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if err := conn.Send(ctx, mailer.Envelope{From: delivery.AddressOf(opts.From), To: to}, raw); err != nil {
		return nil, fmt.Errorf("test send to %s: %w", to, err)
	}
	n.rep.Verbosef("test copy of %q sent to %s", is.Subject, to)
	return is, nil
}

// NextSlot returns the first send slot (Rules.Weekday at Rules.Hour:Minute
// in the site's time zone) after t.
func (n *Newsletter) NextSlot(t time.Time) time.Time {
	r := n.opts.Rules
	return schedule.Next(t, n.opts.Site.Location, r.Weekday, r.Hour, r.Minute)
}
