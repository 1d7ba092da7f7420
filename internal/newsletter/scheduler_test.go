package newsletter

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/venerdi/venerdi/internal/mailer"
	"github.com/venerdi/venerdi/internal/smtptest"
	"github.com/venerdi/venerdi/internal/store"
)

// schedEnv drives Schedule with the scenario's clock: each wait moves the
// clock to its target, and the run stops after maxWaits waits.
type schedEnv struct {
	*selEnv
	waits  []time.Time
	events []SchedulerEvent
	said   *recorder
}

func newSchedEnv(t *testing.T, start time.Time, subscribers int) *schedEnv {
	e := &schedEnv{selEnv: newSelEnv(t), said: &recorder{}}
	e.n.rep = e.said
	e.at(start)
	for i := 0; i < subscribers; i++ {
		if _, err := e.st.AddSubscriber(e.ctx, fmt.Sprintf("s%d@example.it", i), "", start.Add(-week)); err != nil {
			t.Fatal(err)
		}
	}
	// Something new for the first slot, seen the day before.
	first := friday(t)
	e.seenPosts(first.Add(-day), post("g1", "https://blog.example.it/uno", "Uno", first.Add(-day)))
	return e
}

func (e *schedEnv) run(maxWaits int) {
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	err := e.n.Schedule(ctx, SchedulerOptions{
		GatherLead: 15 * time.Minute,
		Wait: func(ctx context.Context, t time.Time) error {
			e.waits = append(e.waits, t)
			if len(e.waits) > maxWaits {
				cancel()
				return ctx.Err()
			}
			e.at(t)
			return nil
		},
		Event: func(ev SchedulerEvent) { e.events = append(e.events, ev) },
	})
	if err != nil {
		e.t.Fatalf("Schedule = %v", err)
	}
}

func (e *schedEnv) outbox() int {
	names, _ := os.ReadDir(e.n.opts.Transport.OutboxDir)
	n := 0
	for _, d := range names {
		if strings.HasSuffix(d.Name(), ".eml") {
			n++
		}
	}
	return n
}

// Started three hours after the slot (the machine was off), the scheduler
// catches the issue up at once, then waits for the next Friday: the
// sources 15 minutes before, the send on the minute.
func TestSchedulerCatchesUpALateStart(t *testing.T) {
	slot := friday(t)
	e := newSchedEnv(t, slot.Add(3*time.Hour), 3)
	e.run(2)
	if got := e.outbox(); got != 3 {
		t.Fatalf("%d messages after a start 3 hours late; want the issue to all 3", got)
	}
	next := slot.Add(week)
	if len(e.waits) < 2 || !e.waits[0].Equal(next.Add(-15*time.Minute)) || !e.waits[1].Equal(next) {
		t.Errorf("waits %v; want the next Friday 08:45 (fetch) then 09:00 (send)", e.waits)
	}
}

// Started 30 hours late, past digest.max_delay: the slot is skipped with
// one warning naming the next, and nothing is sent until then.
func TestSchedulerSkipsASlotPastMaxDelay(t *testing.T) {
	slot := friday(t)
	e := newSchedEnv(t, slot.Add(30*time.Hour), 2)
	e.run(0)
	if got := e.outbox(); got != 0 {
		t.Errorf("%d messages 30 hours late; want none", got)
	}
	warned := 0
	for _, s := range e.said.lines {
		if strings.HasPrefix(s, "warning: ") && strings.Contains(s, "max_delay") && strings.Contains(s, "Fri 16 Jan 09:00") {
			warned++
		}
	}
	if warned != 1 {
		t.Errorf("warnings %q; want one naming Fri 16 Jan 09:00", e.said.lines)
	}
	// A restart a few minutes later says nothing more.
	e.said.lines = nil
	e.waits = nil
	e.at(e.now.Add(10 * time.Minute))
	e.run(0)
	for _, s := range e.said.lines {
		if strings.HasPrefix(s, "warning: ") {
			t.Errorf("a restart warned again: %q", s)
		}
	}
}

// A stop (SIGTERM) in the middle of a send ends the scheduler after the
// message on its way is recorded; the next start finishes the issue and
// nobody gets it twice.
func TestSchedulerStopMidSendThenResume(t *testing.T) {
	srv, err := smtptest.Start(smtptest.Options{Delay: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	slot := friday(t)
	e := newSchedEnv(t, slot.Add(time.Minute), 30)
	e.n.opts.Transport = Transport{SMTP: mailer.SMTPConfig{Host: "127.0.0.1", Port: srv.Port, TLS: mailer.TLSNone, Timeout: 5 * time.Second}}
	e.n.opts.Sending.Connections = 2
	ctx, cancel := context.WithCancel(e.ctx)
	var accepted atomic.Int32
	srv.OnAccept(func() {
		if accepted.Add(1) == 5 {
			cancel() // SIGTERM arrives mid-send
		}
	})
	wait := func(ctx context.Context, t time.Time) error { return context.Canceled }
	if err := e.n.Schedule(ctx, SchedulerOptions{Wait: wait}); err != nil {
		t.Fatalf("Schedule = %v; want a clean stop", err)
	}
	first := len(srv.Messages())
	if first == 0 || first >= 30 {
		t.Fatalf("%d messages before the stop; want the send cut short", first)
	}
	srv.OnAccept(nil)
	if err := e.n.Schedule(e.ctx, SchedulerOptions{Wait: wait}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 30; i++ {
		if got := srv.Count(fmt.Sprintf("s%d@example.it", i)); got != 1 {
			t.Errorf("s%d got %d copies; want 1", i, got)
		}
	}
	is, err := e.st.IssueByWeek(e.ctx, e.n.Week(slot))
	if err != nil || is.Status != store.IssueDone {
		t.Errorf("issue = %+v, %v; want done", is, err)
	}
}

// Installed on a Friday morning: last week's slot, from before anyone
// subscribed, is no missed issue, and nothing is said about it.
func TestIfDueOnAFreshInstallIsSilent(t *testing.T) {
	slot := friday(t)
	e := newSelEnv(t)
	r := &recorder{}
	e.n.rep = r
	e.at(slot.Add(-time.Minute))
	if _, err := e.st.AddSubscriber(e.ctx, "anna@example.it", "", slot.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	rep, err := e.n.Send(e.ctx, SendOptions{IfDue: true})
	if err != nil || rep.Outcome != NotDue || len(r.lines) != 0 {
		t.Errorf("Send(IfDue) a minute before the first slot = %+v, %v, said %q; want NotDue, silent", rep, err, r.lines)
	}
}

// A Sunday 23:00 slot caught up after midnight is still that Sunday's
// issue: the next Sunday's slot then sends its own issue, instead of
// finding its week already "sent".
func TestIfDueCatchUpAfterMidnightKeepsTheSlotsWeek(t *testing.T) {
	e := newSelEnv(t)
	e.n.opts.Rules.Weekday, e.n.opts.Rules.Hour = time.Sunday, 23
	sunday := time.Date(2026, time.January, 11, 23, 0, 0, 0, rome(t))
	if _, err := e.st.AddSubscriber(e.ctx, "anna@example.it", "", sunday.Add(-week)); err != nil {
		t.Fatal(err)
	}
	e.seenPosts(sunday.Add(-day), post("g1", "https://blog.example.it/uno", "Uno", sunday.Add(-day)))
	e.at(sunday.Add(2 * time.Hour)) // Monday 01:00: the machine was off at 23:00
	rep, err := e.n.Send(e.ctx, SendOptions{IfDue: true})
	if err != nil || rep.Issue == nil || rep.Issue.Week != e.n.Week(sunday) {
		t.Fatalf("catch-up = %+v, %v; want the issue of %s", rep, err, e.n.Week(sunday))
	}
	next := sunday.Add(week)
	e.seenPosts(next.Add(-day), post("g2", "https://blog.example.it/due", "Due", next.Add(-day)))
	e.at(next.Add(5 * time.Minute))
	rep, err = e.n.Send(e.ctx, SendOptions{IfDue: true})
	if err != nil || rep.Outcome != Delivered || rep.Issue == nil || rep.Issue.Week != e.n.Week(next) || rep.Summary.Sent != 1 {
		t.Fatalf("next Sunday = %+v, %v; want its own issue %s sent", rep, err, e.n.Week(next))
	}
}

// The dry run counts who would get the digest: not a subscriber who
// stopped it (and gets the letters only).
func TestDryRunCountsTheDigestsRecipients(t *testing.T) {
	e := newSelEnv(t)
	for _, a := range []string{"anna@example.it", "bruno@example.it"} {
		if _, err := e.st.AddSubscriber(e.ctx, a, "", e.now.Add(-week)); err != nil {
			t.Fatal(err)
		}
	}
	var brunoID int64
	e.st.EachSubscriber(e.ctx, nil, func(s store.Subscriber) error {
		if s.Email == "bruno@example.it" {
			brunoID = s.ID
		}
		return nil
	})
	if _, _, err := e.st.StopStream(e.ctx, brunoID, store.StreamDigest, store.Consent{Source: "test"}, e.now); err != nil {
		t.Fatal(err)
	}
	e.seenPosts(e.now.Add(-day), post("g1", "https://blog.example.it/uno", "Uno", e.now.Add(-day)))
	p, err := e.n.DryRun(e.ctx, SendOptions{NoFetch: true})
	if err != nil || p.Active != 1 {
		t.Fatalf("DryRun = %+v, %v; want 1 recipient of the digest", p, err)
	}
}
