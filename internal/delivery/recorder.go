package delivery

import (
	"context"
	"time"

	"github.com/venerdi/venerdi/internal/store"
)

// recorder group-commits outcomes: each worker hands over its outcome and
// waits until it is durable, while the recorder writes whatever has queued
// up meanwhile in one transaction. So a crash can double at most the one
// message each connection had in flight, and the ledger costs one commit per
// batch, not per message.
type recorder struct {
	st      *store.Store
	issueID int64
	now     func() time.Time
	in      chan pending
	done    chan struct{}
}

type pending struct {
	out  store.Outcome
	done chan error
}

func newRecorder(st *store.Store, issueID int64, now func() time.Time) *recorder {
	return &recorder{st: st, issueID: issueID, now: now, in: make(chan pending, 256), done: make(chan struct{})}
}

// record blocks until outs are committed. It ignores cancellation on
// purpose: a message already sent must still reach the ledger.
func (r *recorder) record(outs ...store.Outcome) error {
	done := make(chan error, len(outs))
	for _, out := range outs {
		r.in <- pending{out: out, done: done}
	}
	var err error
	for range outs {
		if e := <-done; e != nil && err == nil {
			err = e
		}
	}
	return err
}

// loop runs until close(r.in), which Run does once every worker is done.
func (r *recorder) loop() {
	defer close(r.done)
	for p := range r.in {
		batch := []pending{p}
	more:
		for len(batch) < 512 {
			select {
			case p, ok := <-r.in:
				if !ok {
					break more
				}
				batch = append(batch, p)
			default:
				break more
			}
		}
		outs := make([]store.Outcome, len(batch))
		for i, p := range batch {
			outs[i] = p.out
		}
		err := r.st.Record(context.Background(), r.issueID, outs, r.now())
		for _, p := range batch {
			p.done <- err
		}
	}
}
