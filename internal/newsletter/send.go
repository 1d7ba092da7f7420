package newsletter

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/venerdi/venerdi/internal/delivery"
	"github.com/venerdi/venerdi/internal/links"
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
	// AllowPartial sends the week's issue even when a source failed
	// (Rules.AllowPartial says the same for every send).
	AllowPartial bool
	// IfDue acts only when a send slot is due in the site's time zone and
	// its issue is not sent yet: the frequent cron line and the scheduler.
	// Otherwise it returns NotDue at once, fetching nothing.
	IfDue bool
}

// SendOutcome says how a send ended when it did not fail.
type SendOutcome int

// Send outcomes.
const (
	Delivered    SendOutcome = iota // the run delivered (or finished) the issue
	NothingNew                      // Rules.SkipEmpty held this week's issue back
	AlreadySent                     // this week's issue was done before this run
	NoRecipients                    // nobody to send to; nothing was composed
	NotDue                          // IfDue: no slot is due
	Missed                          // IfDue: the slot is older than Rules.MaxDelay; skipped
	Busy                            // IfDue: another run holds the database
	Scheduled                       // a letter frozen for later (LetterOptions.At)
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
	// Slot is the send slot an IfDue send was about; Next the one after.
	Slot, Next time.Time
	// Attempted says a delivery ran; DeliveryErr is how it ended.
	Attempted   bool
	DeliveryErr error
	// Letters are the scheduled letters an IfDue send delivered.
	Letters []*SendReport
}

// StaleError refuses to resume an issue composed more than Rules.MaxDelay
// ago: its "upcoming" webinars may be over.
type StaleError struct {
	Week     string
	Age      time.Duration
	MaxDelay time.Duration
}

func (e *StaleError) Error() string {
	if strings.HasPrefix(e.Week, "letter ") {
		return fmt.Sprintf("%s fell due %s ago (digest.max_delay is %s): it may be stale; 'venerdi letter send FILE --force' sends it anyway",
			e.Week, e.Age.Round(time.Minute), e.MaxDelay)
	}
	return fmt.Sprintf("issue %s was composed %s ago (digest.max_delay is %s): its news may be stale; pass --force to send it anyway",
		e.Week, e.Age.Round(time.Minute), e.MaxDelay)
}

// HeldError says the week's issue was not composed because a source did
// not answer: an issue without the week's posts (or webinars) is worse
// than one a little late. Nothing was frozen or sent.
type HeldError struct {
	Week   string
	Gather *GatherError
}

func (e *HeldError) Error() string {
	names := make([]string, len(e.Gather.Failed))
	for i, r := range e.Gather.Failed {
		names[i] = r.String()
	}
	return fmt.Sprintf("issue %s held until its sources answer (%s); nothing was composed or sent; the next send tries again, or 'send --allow-partial' sends without them",
		e.Week, strings.Join(names, "; "))
}

func (e *HeldError) Unwrap() error { return e.Gather }

// Send is the weekly job: gather the sources, compose this week's issue
// (once: it is frozen) and deliver it to every active subscriber who has not
// had it. Safe to repeat: a second send in the same week sends nothing, and
// a run that was killed resumes where it stopped. Only one send runs at a
// time on a database; another gets a *LockHeldError.
//
// Nothing is frozen unless it can go out: with nobody to send to, with a
// source that failed (a *HeldError, unless AllowPartial), or with a relay
// that refuses the login, the week's issue stays uncomposed. A delivery
// that fails comes back as a *DeliveryError saying what is left.
func (n *Newsletter) Send(ctx context.Context, o SendOptions) (*SendReport, error) {
	l, err := lock.Acquire(n.st.Path(), "send", time.Now())
	if err != nil {
		var held *lock.HeldError
		if o.IfDue && errors.As(err, &held) {
			// The cron line fires every few minutes; a long send is
			// still running, which is no news.
			n.rep.Verbosef("%v", err)
			return &SendReport{Outcome: Busy}, nil
		}
		return nil, err
	}
	defer l.Release()
	if l.TookOver {
		n.rep.Verbosef("took over the lock of a run that died")
	}
	rep := &SendReport{}
	if o.IfDue {
		// Letters scheduled with 'letter send --at' go out first: they
		// fell due at a moment of their own.
		letters, err := n.sendDueLetters(ctx)
		rep.Letters = letters
		if err != nil {
			return rep, err
		}
		due, err := n.due(ctx, rep)
		if err != nil || !due {
			return rep, err
		}
	}
	// The week is the slot's for a due-slot send (a Sunday 23:00 slot
	// caught up on Monday is still Sunday's issue), else the clock's.
	weekOf := n.now()
	if o.IfDue && !rep.Slot.IsZero() {
		weekOf = rep.Slot
	}
	week := n.Week(weekOf)
	frozen, err := n.st.IssueByWeek(ctx, week)
	switch {
	case err == nil:
		// Frozen already: the sources no longer matter for this week.
		return rep, n.resume(ctx, rep, frozen, o)
	case !isNotFound(err):
		return rep, err
	}
	subs, err := n.st.CountSubscribers(ctx)
	if err != nil {
		return rep, err
	}
	if subs[store.Active] == 0 {
		rep.Outcome = NoRecipients
		return rep, n.settle(ctx, rep, o)
	}
	if !o.NoFetch {
		_, err := n.Gather(ctx)
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		var ge *GatherError
		switch {
		case errors.As(err, &ge) && !o.AllowPartial && !n.opts.Rules.AllowPartial:
			return rep, &HeldError{Week: week, Gather: ge}
		case ge != nil:
			n.rep.Warnf("sending issue %s without what these sources hold: %v", week, err)
		case err != nil:
			return rep, err
		}
	}
	// A relay that refuses the login would refuse every message: find out
	// before the week's contents are fixed.
	if err := n.checkTransport(ctx); err != nil {
		return rep, err
	}
	c, err := n.compose(ctx, o.AllowEmpty, weekOf)
	var nothing *NothingNewError
	if errors.As(err, &nothing) {
		rep.Outcome, rep.Since = NothingNew, nothing.Since
		return rep, n.settle(ctx, rep, o)
	}
	if err != nil {
		return rep, err
	}
	if !c.Fresh {
		return rep, n.resume(ctx, rep, c.Issue, o)
	}
	rep.Issue = c.Issue
	return rep, n.deliver(ctx, rep, false)
}

// resume continues a frozen issue: done already, or stale, or sent on.
func (n *Newsletter) resume(ctx context.Context, rep *SendReport, is *Issue, o SendOptions) error {
	rep.Issue = is
	if is.Status == store.IssueDone {
		counts, err := n.st.LedgerCounts(ctx, is.ID)
		if err != nil {
			return err
		}
		rep.Outcome, rep.SentTo = AlreadySent, counts[store.LedgerSent]
		return nil
	}
	if err := n.staleGuard(is, o.Force); err != nil {
		return err
	}
	n.rep.Verbosef("resuming issue %s composed %s", issueName(is), is.ComposedAt.In(n.Location()).Format(time.RFC3339))
	// No transport check: the issue is frozen already, and delivery stops
	// at the first refused dial just the same, bouncing nobody.
	return n.deliver(ctx, rep, false)
}

// slotMeta remembers the last send slot settled by an IfDue send (sent,
// nothing new, or missed and said so), so each is acted on and reported
// once.
const slotMeta = "settled_slot"

// due decides whether an IfDue send acts now: a slot has passed in the
// site's time zone, its issue is not done, and it is within
// Rules.MaxDelay. A slot missed by more than that (the machine was off) is
// skipped, with one warning naming the next slot.
func (n *Newsletter) due(ctx context.Context, rep *SendReport) (bool, error) {
	r := n.opts.Rules
	now := n.now()
	loc := n.opts.Site.Location
	rep.Slot = schedule.Prev(now, loc, r.Weekday, r.Hour, r.Minute)
	rep.Next = schedule.Next(now, loc, r.Weekday, r.Hour, r.Minute)
	rep.Outcome = NotDue
	settled, err := n.st.Meta(ctx, slotMeta)
	if err != nil {
		return false, err
	}
	if settled == strconv.FormatInt(rep.Slot.Unix(), 10) {
		return false, nil
	}
	if is, err := n.st.IssueByWeek(ctx, n.Week(rep.Slot)); err == nil && is.Status == store.IssueDone {
		return false, n.st.SetMeta(ctx, slotMeta, strconv.FormatInt(rep.Slot.Unix(), 10))
	} else if err != nil && !isNotFound(err) {
		return false, err
	}
	if late := now.Sub(rep.Slot); r.MaxDelay > 0 && late > r.MaxDelay {
		if first, err := n.st.FirstJoined(ctx); err != nil {
			return false, err
		} else if settled == "" && (first.IsZero() || rep.Slot.Before(first)) {
			// Just installed: a slot from before anyone subscribed is no
			// missed issue, and no news.
			return false, n.st.SetMeta(ctx, slotMeta, strconv.FormatInt(rep.Slot.Unix(), 10))
		}
		rep.Outcome = Missed
		n.rep.Warnf("the issue due %s was not sent: %s late is past digest.max_delay (%s), so it is skipped; the next one goes out %s",
			rep.Slot.In(loc).Format("Mon 2 Jan 15:04 MST"), late.Round(time.Minute), r.MaxDelay, rep.Next.In(loc).Format("Mon 2 Jan 15:04 MST"))
		return false, n.st.SetMeta(ctx, slotMeta, strconv.FormatInt(rep.Slot.Unix(), 10))
	}
	rep.Outcome = Delivered
	return true, nil
}

// settle records that an IfDue send handled its slot without an issue
// (nothing new, nobody to send to), so the frequent cron line does not
// fetch again every few minutes, nor warn later that the slot was missed.
func (n *Newsletter) settle(ctx context.Context, rep *SendReport, o SendOptions) error {
	if !o.IfDue || rep.Slot.IsZero() {
		return nil
	}
	return n.st.SetMeta(ctx, slotMeta, strconv.FormatInt(rep.Slot.Unix(), 10))
}

// checkTransport opens the transport once, as the first message would,
// before an issue is frozen: an SMTP relay is dialled, greeted and logged
// in to, then left. (A frozen issue needs no check: delivery stops at the
// first refused dial.)
func (n *Newsletter) checkTransport(ctx context.Context) error {
	if n.opts.Transport.SMTP.Host == "" {
		return nil // the outbox folder is made when the first message goes out
	}
	c, err := n.dial(ctx)
	if err != nil {
		return n.relayError(nil, delivery.DialStop(err))
	}
	return c.Close()
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
	// A letter counts from when it fell due (--at), not from when it was
	// frozen.
	ref := is.ComposedAt
	if !is.SendAt.IsZero() {
		ref = is.SendAt
	}
	if force || !schedule.Stale(ref, now, n.opts.Rules.MaxDelay) {
		return nil
	}
	return &StaleError{Week: issueName(is), Age: now.Sub(ref), MaxDelay: n.opts.Rules.MaxDelay}
}

// deliver runs the ledger-driven send of rep.Issue into rep.
func (n *Newsletter) deliver(ctx context.Context, rep *SendReport, retry bool) error {
	opts := n.deliveryOptions(rep.Issue)
	opts.RetryFailed = retry
	if p := n.rep.Progress("sending " + issueName(rep.Issue)); p != nil {
		opts.Progress = p
	}
	start := time.Now()
	sum, err := delivery.Run(ctx, n.st, *opts)
	rep.Summary, rep.Elapsed = sum, time.Since(start)
	rep.Attempted = true
	if err == nil && sum.Total == 0 {
		rep.Outcome = NoRecipients
	}
	var stop *delivery.StopError
	switch {
	case err == nil:
	case errors.As(err, &stop):
		err = n.relayError(rep.Issue, stop)
	case errors.Is(err, delivery.ErrIncomplete), errors.Is(err, context.Canceled):
		err = n.deliveryError(rep.Issue, err)
	}
	rep.DeliveryErr = err
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
		ListID:      n.listID(is.Stream),
		Links:       n.links.ForStream(links.Stream(streamOf(is))),
		Secret:      n.secret,
		Signer:      n.signer,
		Connections: s.Connections,
		Rate:        s.Rate,
		MaxPerHour:  s.MaxPerHour,
		MaxAttempts: s.MaxAttempts,
		Backoff:     s.Backoff,
		// The core's 0 means "never"; delivery's 0 means its default.
		BounceBreaker: cmp.Or(s.BounceBreaker, -1),
		Now:           n.now,
		Dial:          n.dial,
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
	return is, n.sendTestCopy(ctx, is, to)
}

// streamOf is the stream is goes to; an issue frozen before streams
// existed is a digest.
func streamOf(is *Issue) Stream {
	if is.Stream == "" {
		return StreamDigest
	}
	return is.Stream
}

// listID is the List-Id of stream's messages.
func (n *Newsletter) listID(stream Stream) string {
	if stream == StreamLetters && n.opts.Mail.ListIDLetters != "" {
		return n.opts.Mail.ListIDLetters
	}
	return n.opts.Mail.ListID
}

// NextSlot returns the first send slot (Rules.Weekday at Rules.Hour:Minute
// in the site's time zone) after t.
func (n *Newsletter) NextSlot(t time.Time) time.Time {
	r := n.opts.Rules
	return schedule.Next(t, n.opts.Site.Location, r.Weekday, r.Hour, r.Minute)
}
