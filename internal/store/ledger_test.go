package store

import (
	"context"
	"fmt"
	"testing"
)

func ledgerFixture(t *testing.T, emails ...string) (*Store, *Issue) {
	t.Helper()
	ctx := context.Background()
	s := openTemp(t)
	var rows []ImportRow
	for _, e := range emails {
		rows = append(rows, ImportRow{Email: e})
	}
	if _, err := s.ImportSubscribers(ctx, rows, "test", t0); err != nil {
		t.Fatal(err)
	}
	is := &Issue{Week: "2026-W49", ComposedAt: t0, CutoffAt: t0}
	if err := s.CreateIssue(ctx, is, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EnsureLedger(ctx, is.ID, t0); err != nil {
		t.Fatal(err)
	}
	return s, is
}

// A run never claims the rows its own workers hold, but takes over those a
// dead run left sending.
func TestClaimSkipsOwnRunsRows(t *testing.T) {
	ctx := context.Background()
	s, is := ledgerFixture(t, "a@x.it", "b@x.it")
	rs, _, _ := s.Claim(ctx, Claim{IssueID: is.ID, RunID: "live", Limit: 10}, t0)
	if len(rs) != 2 {
		t.Fatalf("first claim = %d rows; want 2", len(rs))
	}
	if again, _, _ := s.Claim(ctx, Claim{IssueID: is.ID, RunID: "live", Limit: 10}, t0); len(again) != 0 {
		t.Errorf("same run claimed its own rows again: %v", again)
	}
	if later, _, _ := s.Claim(ctx, Claim{IssueID: is.ID, RunID: "next", Limit: 10}, t0); len(later) != 2 {
		t.Errorf("a later run took over %d of the dead run's rows; want 2", len(later))
	}
}

// An unknown outcome is retried once, by a later run, and then settles.
func TestUnknownRetriedOnceByALaterRun(t *testing.T) {
	ctx := context.Background()
	s, is := ledgerFixture(t, "a@x.it")
	claim := func(run string) []Recipient {
		rs, _, err := s.Claim(ctx, Claim{IssueID: is.ID, RunID: run, Limit: 10, Failed: true}, t0)
		if err != nil {
			t.Fatal(err)
		}
		return rs
	}
	rs := claim("r1")
	s.Record(ctx, is.ID, []Outcome{{SubscriberID: rs[0].SubscriberID, Status: LedgerUnknown, Attempts: 1}}, t0)
	if got := claim("r1"); len(got) != 0 {
		t.Fatalf("the run that lost the reply claimed the row again")
	}
	if n, _ := s.Outstanding(ctx, is.ID, true); n != 1 {
		t.Errorf("Outstanding after one unknown = %d; want 1", n)
	}
	rs = claim("r2")
	if len(rs) != 1 {
		t.Fatalf("a later run claimed %d unknown rows; want 1", len(rs))
	}
	s.Record(ctx, is.ID, []Outcome{{SubscriberID: rs[0].SubscriberID, Status: LedgerUnknown, Attempts: 1}}, t0)
	if got := claim("r3"); len(got) != 0 {
		t.Errorf("a row unknown twice was claimed a third time")
	}
	if n, _ := s.Outstanding(ctx, is.ID, true); n != 0 {
		t.Errorf("Outstanding after two unknowns = %d; want 0", n)
	}
}

// FinishIssue adds whoever became active before marking the issue done.
func TestFinishIssueAddsLateJoiners(t *testing.T) {
	ctx := context.Background()
	s, is := ledgerFixture(t, "a@x.it")
	s.AddSubscriber(ctx, "late@x.it", "", t0)
	if n, err := s.FinishIssue(ctx, is.ID, t0); err != nil || n != 1 {
		t.Fatalf("FinishIssue = %d, %v; want 1 added", n, err)
	}
	if got, _ := s.IssueByID(ctx, is.ID); got.Status == IssueDone {
		t.Error("issue marked done although a row was just added")
	}
	if n, err := s.FinishIssue(ctx, is.ID, t0); err != nil || n != 0 {
		t.Fatalf("FinishIssue again = %d, %v; want 0", n, err)
	}
	if got, _ := s.IssueByID(ctx, is.ID); got.Status != IssueDone {
		t.Errorf("issue status %s; want done", got.Status)
	}
}

func TestUnbounceByIssue(t *testing.T) {
	ctx := context.Background()
	s, is := ledgerFixture(t, "a@x.it", "b@x.it")
	rs, _, _ := s.Claim(ctx, Claim{IssueID: is.ID, RunID: "r", Limit: 10}, t0)
	s.Record(ctx, is.ID, []Outcome{
		{SubscriberID: rs[0].SubscriberID, Status: LedgerBounced},
		{SubscriberID: rs[1].SubscriberID, Status: LedgerSent},
	}, t0)
	got, err := s.Unbounce(ctx, is.ID, t0, t0)
	if err != nil || len(got) != 1 || got[0] != "a@x.it" {
		t.Fatalf("Unbounce = %v, %v; want [a@x.it]", got, err)
	}
	counts, _ := s.LedgerCounts(ctx, is.ID)
	if counts[LedgerFailed] != 1 || counts[LedgerBounced] != 0 {
		t.Errorf("ledger after unbounce %v; want the bounce back to failed", counts)
	}
	if c, _ := s.CountSubscribers(ctx); c[Active] != 2 {
		t.Errorf("subscribers %v; want both active", c)
	}
}

// An import carrying streams (an export read back) gives each new address
// exactly those streams.
func TestImportCarriesStreams(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	if _, err := s.ImportSubscribers(ctx, []ImportRow{
		{Email: "anna@x.it", Streams: []Stream{StreamDigest}},
		{Email: "bruno@x.it", Streams: []Stream{StreamDigest, StreamLetters}},
	}, "test", t0); err != nil {
		t.Fatal(err)
	}
	got := map[string][]Stream{}
	s.EachSubscriber(ctx, nil, func(sub Subscriber) error {
		got[sub.Email] = sub.Streams
		return nil
	})
	if fmt.Sprint(got["anna@x.it"]) != "[digest]" || fmt.Sprint(got["bruno@x.it"]) != "[digest letters]" {
		t.Errorf("streams after import: %v; want anna [digest], bruno [digest letters]", got)
	}
}
