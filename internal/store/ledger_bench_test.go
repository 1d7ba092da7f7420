package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// BenchmarkLedgerRecord4 is the ledger's cost per message as a send with 4
// connections pays it: a claim of 64 rows, then group commits of 4
// outcomes.
func BenchmarkLedgerRecord4(b *testing.B) {
	if s := os.Getenv("BENCH_STEP"); s != "" {
		benchStep, _ = strconv.Atoi(s)
	}
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "v.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	rows := make([]ImportRow, b.N)
	for i := range rows {
		rows[i] = ImportRow{Email: fmt.Sprintf("s%07d@example.it", i)}
	}
	if _, err := s.ImportSubscribers(ctx, rows, "bench", t0); err != nil {
		b.Fatal(err)
	}
	is := &Issue{Week: "2026-W49", ComposedAt: t0, CutoffAt: t0}
	s.CreateIssue(ctx, is, nil)
	s.EnsureLedger(ctx, is.ID, t0)
	if os.Getenv("BENCH_NOINDEX") != "" {
		s.db.Exec("DROP INDEX deliveries_status")
	}
	b.ResetTimer()
	c := Claim{IssueID: is.ID, RunID: "bench", Limit: 64}
	for {
		batch, last, err := s.Claim(ctx, c, t0)
		if err != nil {
			b.Fatal(err)
		}
		if last == c.After {
			break
		}
		c.After = last
		step := benchStep
		for i := 0; i < len(batch); i += step {
			var outs []Outcome
			for _, r := range batch[i:min(i+step, len(batch))] {
				outs = append(outs, Outcome{SubscriberID: r.SubscriberID, Status: LedgerSent, MessageID: "<0123456789abcdef01234567@bottega.example.it>", Attempts: 1})
			}
			if err := s.Record(ctx, is.ID, outs, t0); err != nil {
				b.Fatal(err)
			}
		}
	}
}

var benchStep = 4
