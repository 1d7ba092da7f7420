package newsletter

import (
	"context"
	"time"
)

// SchedulerOptions tune Schedule.
type SchedulerOptions struct {
	// GatherLead is how long before a slot the sources are fetched, so the
	// issue goes out on the minute (digest.gather_lead); 0: no early fetch.
	GatherLead time.Duration
	// RetryEvery is how soon a send that failed (a source that did not
	// answer, a relay that refused) is tried again while its slot is
	// still within Rules.MaxDelay; default 5 minutes.
	RetryEvery time.Duration
	// Wait sleeps until t or until ctx ends. Nil: the real clock. Tests
	// inject one that moves the Newsletter's clock instead.
	Wait func(ctx context.Context, t time.Time) error
	// Event hears what the scheduler does, for the log.
	Event func(SchedulerEvent)
}

// SchedulerEventKind names what a SchedulerEvent reports.
type SchedulerEventKind int

// What the scheduler reports.
const (
	EventWaiting  SchedulerEventKind = iota // sleeping until At
	EventGathered                           // fetched ahead of a slot (Err if it failed)
	EventSent                               // a send ended well (Report says how)
	EventFailed                             // a send failed (Err); retried at At
	EventStopped                            // ctx ended; Schedule returns
)

// SchedulerEvent is one thing the scheduler did or is about to do.
type SchedulerEvent struct {
	Kind   SchedulerEventKind
	At     time.Time   // waiting: until when
	Report *SendReport // sent, failed
	Err    error       // gathered (may be nil), failed
}

// Schedule is the long-running scheduler of 'venerdi run' and 'serve
// --scheduler': the same due-slot logic as 'send --if-due' (so a slot
// missed while the process was down is caught up within Rules.MaxDelay,
// and skipped with a warning past it), a fetch GatherLead before each
// slot, and a retry every RetryEvery of a send that failed. It returns nil
// when ctx ends; a send in progress is finished first (the ledger makes
// the stop safe either way).
func (n *Newsletter) Schedule(ctx context.Context, o SchedulerOptions) error {
	if o.RetryEvery <= 0 {
		o.RetryEvery = 5 * time.Minute
	}
	if o.Wait == nil {
		o.Wait = sleepUntil
	}
	event := func(e SchedulerEvent) {
		if o.Event != nil {
			o.Event(e)
		}
	}
	gathered := time.Time{} // when the early fetch last succeeded
	for {
		opts := SendOptions{IfDue: true, NoFetch: !gathered.IsZero() && n.now().Sub(gathered) < o.GatherLead+time.Minute}
		rep, err := n.Send(ctx, opts)
		if ctx.Err() != nil {
			event(SchedulerEvent{Kind: EventStopped})
			return nil
		}
		var retryAt time.Time
		switch {
		case err != nil:
			retryAt = n.now().Add(o.RetryEvery)
			event(SchedulerEvent{Kind: EventFailed, Report: rep, Err: err, At: retryAt})
		case rep != nil && rep.Outcome != NotDue && rep.Outcome != Busy && rep.Outcome != Missed:
			event(SchedulerEvent{Kind: EventSent, Report: rep})
			gathered = time.Time{}
		}
		if rep != nil {
			for _, l := range rep.Letters {
				event(SchedulerEvent{Kind: EventSent, Report: l})
			}
		}
		now := n.now()
		next := n.NextSlot(now)
		// A letter scheduled with 'letter send --at' wakes the scheduler
		// at its own time.
		if at, err := n.NextLetter(ctx, now); err == nil && !at.IsZero() && at.Before(next) && (retryAt.IsZero() || at.Before(retryAt)) {
			next = at
			retryAt = at // no early fetch for a letter
		}
		if !retryAt.IsZero() && !retryAt.After(next) {
			next = retryAt
		} else if early := next.Add(-o.GatherLead); o.GatherLead > 0 && early.After(now) {
			event(SchedulerEvent{Kind: EventWaiting, At: early})
			if err := o.Wait(ctx, early); err != nil {
				event(SchedulerEvent{Kind: EventStopped})
				return nil
			}
			_, gerr := n.Gather(ctx)
			if gerr == nil {
				gathered = n.now()
			}
			event(SchedulerEvent{Kind: EventGathered, Err: gerr})
		}
		event(SchedulerEvent{Kind: EventWaiting, At: next})
		if err := o.Wait(ctx, next); err != nil {
			event(SchedulerEvent{Kind: EventStopped})
			return nil
		}
	}
}

// sleepUntil waits for the real clock to reach t. It re-checks the clock
// every minute, so a machine that was suspended wakes up on time.
func sleepUntil(ctx context.Context, t time.Time) error {
	for {
		d := time.Until(t)
		if d <= 0 {
			return nil
		}
		timer := time.NewTimer(min(d, time.Minute))
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-timer.C:
		}
	}
}
