package newsletter

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/venerdi/venerdi/internal/store"
)

// A letter scheduled with --at is frozen at once and sent by the
// scheduler at its time, before the Friday slot, to the subscribers who
// get letters only; the subscriber who stopped the letters still gets the
// Friday digest.
func TestSchedulerSendsALetterAtItsTime(t *testing.T) {
	slot := friday(t)
	start := slot.Add(-3 * day) // the Tuesday before
	e := newSchedEnv(t, start, 3)
	var noLetters *store.Subscriber
	err := e.st.EachSubscriber(e.ctx, nil, func(s store.Subscriber) error {
		if s.Email == "s0@example.it" {
			noLetters = &s
		}
		return nil
	})
	if err != nil || noLetters == nil {
		t.Fatal(err)
	}
	if _, _, err := e.st.StopStream(e.ctx, noLetters.ID, store.StreamLetters, store.Consent{Source: "test"}, start); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "auguri.md")
	if err := os.WriteFile(path, []byte("---\nsubject: Auguri\n---\nCiao a tutti.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	at := start.Add(day + 2*time.Hour) // Wednesday
	rep, err := e.n.SendLetter(e.ctx, LetterOptions{Path: path, At: at})
	if err != nil || rep.Outcome != Scheduled || !rep.Issue.SendAt.Equal(at) {
		t.Fatalf("SendLetter --at = %+v, %v; want Scheduled at %s", rep, err, at)
	}
	if got := e.outbox(); got != 0 {
		t.Fatalf("%d messages before the letter's time; want none", got)
	}
	e.run(1)
	if len(e.waits) == 0 || !e.waits[0].Equal(at) {
		t.Fatalf("waits %v; want the letter's time %s first", e.waits, at)
	}
	if got := e.outbox(); got != 2 {
		t.Fatalf("%d messages after the letter's time; want 2 (s0 stopped the letters)", got)
	}
	// The same file again: already sent, nothing more.
	rep, err = e.n.SendLetter(e.ctx, LetterOptions{Path: path})
	if err != nil || rep.Outcome != AlreadySent || rep.SentTo != 2 {
		t.Fatalf("second SendLetter = %+v, %v; want AlreadySent to 2", rep, err)
	}
	// The Friday digest still reaches all three.
	e.at(slot)
	if _, err := e.n.Send(e.ctx, SendOptions{IfDue: true, NoFetch: true}); err != nil {
		t.Fatal(err)
	}
	if got := e.outbox(); got != 5 {
		t.Errorf("%d messages after the Friday slot; want 2 letters + 3 digests", got)
	}
	// A letter that fell due more than max_delay ago is skipped, once, with a warning.
	old := filepath.Join(t.TempDir(), "vecchia.md")
	os.WriteFile(old, []byte("---\nsubject: Vecchia\n---\nTardi.\n"), 0o644)
	if _, err := e.n.SendLetter(e.ctx, LetterOptions{Path: old, At: slot.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	e.said.lines = nil
	e.at(slot.Add(3 * day))
	e.n.Send(e.ctx, SendOptions{IfDue: true, NoFetch: true})
	e.n.Send(e.ctx, SendOptions{IfDue: true, NoFetch: true})
	warned := 0
	for _, s := range e.said.lines {
		if strings.Contains(s, "fell due") {
			warned++
		}
	}
	if warned != 1 || e.outbox() != 5 {
		t.Errorf("stale letter: %d warnings %q, %d messages; want one warning and nothing sent", warned, e.said.lines, e.outbox())
	}
}
