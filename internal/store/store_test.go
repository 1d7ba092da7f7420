package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/venerdi/venerdi/internal/catalog"
	"github.com/venerdi/venerdi/internal/feed"
)

var t0 = time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC)

func openTemp(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestMigrateFromZeroAndReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v.db")
	for i := 0; i < 2; i++ { // the second open must find nothing to do
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("Open #%d: %v", i+1, err)
		}
		v, err := s.SchemaVersion(ctx)
		if want, _ := fs.Glob(migrations, "migrations/*.sql"); err != nil || v != len(want) {
			t.Fatalf("SchemaVersion = %d, %v; want %d (one per migration)", v, err, len(want))
		}
		if _, err := s.AddSubscriber(ctx, "a@example.it", "", t0); err != nil && i == 0 {
			t.Fatal(err)
		}
		s.Close()
	}
}

func TestUpsertPostsIdentity(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	p := feed.Post{Key: "guid:1", GUID: "1", Link: "https://b.it/a", LinkKey: "https://b.it/a", Title: "A", Published: t0.Add(-time.Hour)}
	if r, err := s.UpsertPosts(ctx, "f", []feed.Post{p}, t0); err != nil || r.Added != 1 {
		t.Fatalf("first upsert = %+v, %v; want 1 added", r, err)
	}
	if r, _ := s.UpsertPosts(ctx, "f", []feed.Post{p}, t0); r.Added != 0 || r.Updated != 0 {
		t.Errorf("same post again = %+v; want no change", r)
	}
	edited := p
	edited.Title = "A, edited"
	if r, _ := s.UpsertPosts(ctx, "f", []feed.Post{edited}, t0); r.Updated != 1 {
		t.Errorf("edited post = %+v; want 1 updated", r)
	}
	moved := edited
	moved.Key, moved.GUID = "guid:new", "new" // the GUID changed, the link did not
	if r, _ := s.UpsertPosts(ctx, "f", []feed.Post{moved}, t0); r.Added != 0 {
		t.Errorf("post with a new GUID and the same link = %+v; want no new row", r)
	}
	if n, _ := s.CountPosts(ctx); n != 1 {
		t.Errorf("CountPosts = %d; want 1", n)
	}
	undated := feed.Post{Key: "link:x", Link: "https://b.it/x", LinkKey: "https://b.it/x", Title: "X"}
	s.UpsertPosts(ctx, "f", []feed.Post{undated}, t0)
	future := feed.Post{Key: "guid:f", GUID: "f", Title: "F", Published: t0.Add(24 * time.Hour)}
	s.UpsertPosts(ctx, "f", []feed.Post{future}, t0)

	got, _, err := s.PostsForIssue(ctx, t0.Add(-7*24*time.Hour), t0, 7*24*time.Hour, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("PostsForIssue = %d posts; want 2 (the future one waits)", len(got))
	}
	// Once in an issue, a post is never selected again, however it changes.
	is := &Issue{Week: "2026-W49", Subject: "s", HTML: "h", Text: "t", ComposedAt: t0, CutoffAt: t0}
	if err := s.CreateIssue(ctx, is, []Item{{Kind: ItemPost, Ref: itoa(got[0].ID)}, {Kind: ItemPost, Ref: itoa(got[1].ID)}}); err != nil {
		t.Fatal(err)
	}
	edited.Title = "edited after sending"
	s.UpsertPosts(ctx, "f", []feed.Post{edited}, t0.Add(time.Hour))
	later := t0.Add(2 * 24 * time.Hour)
	got, _, _ = s.PostsForIssue(ctx, t0, later, 7*24*time.Hour, 0)
	if len(got) != 1 || got[0].Title != "F" {
		t.Errorf("PostsForIssue after an issue = %v; want only the once-future post", got)
	}
	if err := s.CreateIssue(ctx, &Issue{Week: "2026-W49", ComposedAt: t0, CutoffAt: t0}, nil); !errors.Is(err, ErrIssueExists) {
		t.Errorf("second CreateIssue for a week = %v; want ErrIssueExists", err)
	}
}

func TestWebinarsRecordingsAndChanges(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	w := catalog.Webinar{ID: "w1", Title: "SEO", StartsAt: t0.Add(48 * time.Hour), Duration: time.Hour}
	if r, err := s.UpsertWebinars(ctx, []catalog.Webinar{w}, t0); err != nil || r.Added != 1 {
		t.Fatalf("UpsertWebinars = %+v, %v; want 1 added", r, err)
	}
	up, _ := s.UpcomingWebinars(ctx, t0, t0.Add(14*24*time.Hour))
	if len(up) != 1 {
		t.Fatalf("UpcomingWebinars = %d; want 1", len(up))
	}
	is := &Issue{Week: "2026-W49", ComposedAt: t0, CutoffAt: t0}
	s.CreateIssue(ctx, is, []Item{{Kind: ItemWebinar, Ref: "w1", StartsAt: w.StartsAt}})
	if ch, _ := s.WebinarChanges(ctx, t0); len(ch) != 0 {
		t.Errorf("WebinarChanges before a change = %d; want 0", len(ch))
	}
	w.StartsAt = w.StartsAt.Add(time.Hour)
	s.UpsertWebinars(ctx, []catalog.Webinar{w}, t0.Add(time.Hour))
	ch, _ := s.WebinarChanges(ctx, t0)
	if len(ch) != 1 || !ch[0].AnnouncedStart.Equal(t0.Add(48*time.Hour)) {
		t.Fatalf("WebinarChanges = %+v; want the move from the announced start", ch)
	}
	s.CreateIssue(ctx, &Issue{Week: "2026-W50", ComposedAt: t0.Add(time.Hour), CutoffAt: t0},
		[]Item{{Kind: ItemChange, Ref: "w1", StartsAt: w.StartsAt}})
	if ch, _ := s.WebinarChanges(ctx, t0); len(ch) != 0 {
		t.Errorf("WebinarChanges after reporting = %d; want 0 (reported once)", len(ch))
	}
	// A recording appearing later is new since the cut-off, once.
	w.RecordingURL = "https://r.it/w1"
	s.UpsertWebinars(ctx, []catalog.Webinar{w}, t0.Add(72*time.Hour))
	rec, _ := s.NewRecordings(ctx, t0, false, t0.Add(96*time.Hour))
	if len(rec) != 1 {
		t.Errorf("NewRecordings = %d; want 1", len(rec))
	}
}

func TestSubscribersAndLedger(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	res, err := s.ImportSubscribers(ctx, []ImportRow{{Email: "a@x.it", Name: "A"}, {Email: "b@x.it"}, {Email: "c@x.it"}}, "test", t0)
	if err != nil || res.Added != 3 {
		t.Fatalf("ImportSubscribers = %+v, %v; want 3 added", res, err)
	}
	s.SetSubscriberStatus(ctx, "c@x.it", Unsubscribed, t0)
	res, _ = s.ImportSubscribers(ctx, []ImportRow{{Email: "C@x.it"}}, "test", t0)
	if sub, _ := subscriberTx(ctx, s.db, `email = ?`, "c@x.it"); sub.Status != Unsubscribed || res.Kept != 1 {
		t.Errorf("import of an unsubscribed address: status %s, %+v; want unsubscribed, kept", sub.Status, res)
	}
	if _, err := s.AddSubscriber(ctx, "c@x.it", "", t0); !errors.Is(err, ErrUnsubscribed) {
		t.Errorf("AddSubscriber(unsubscribed) = %v; want ErrUnsubscribed", err)
	}
	is := &Issue{Week: "2026-W49", ComposedAt: t0, CutoffAt: t0}
	s.CreateIssue(ctx, is, nil)
	if n, _ := s.EnsureLedger(ctx, is.ID, t0); n != 2 {
		t.Fatalf("EnsureLedger = %d; want 2 active", n)
	}
	if n, _ := s.EnsureLedger(ctx, is.ID, t0); n != 0 {
		t.Errorf("EnsureLedger again = %d; want 0", n)
	}
	s.SetSubscriberStatus(ctx, "b@x.it", Unsubscribed, t0) // arrives mid-send
	rs, _, err := s.Claim(ctx, Claim{IssueID: is.ID, RunID: "r1", Limit: 10}, t0)
	if err != nil || len(rs) != 1 || rs[0].Email != "a@x.it" {
		t.Fatalf("Claim = %+v, %v; want only a@x.it", rs, err)
	}
	s.Record(ctx, is.ID, []Outcome{{SubscriberID: rs[0].SubscriberID, Status: LedgerSent, MessageID: "<m@x>"}}, t0)
	counts, _ := s.LedgerCounts(ctx, is.ID)
	if counts[LedgerSent] != 1 || counts[LedgerSkipped] != 1 {
		t.Errorf("LedgerCounts = %v; want 1 sent, 1 skipped", counts)
	}
	if rs, _, _ := s.Claim(ctx, Claim{IssueID: is.ID, RunID: "r1", Limit: 10}, t0); len(rs) != 0 {
		t.Errorf("Claim after all sent = %v; want none", rs)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestHistoryCounts(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	s.ImportSubscribers(ctx, []ImportRow{{Email: "a@x.it"}, {Email: "b@x.it"}}, "test", t0)
	for i, week := range []string{"2026-W49", "2026-W50"} {
		is := &Issue{Week: week, Subject: week, ComposedAt: t0.Add(time.Duration(i) * time.Hour), CutoffAt: t0}
		s.CreateIssue(ctx, is, nil)
		s.EnsureLedger(ctx, is.ID, t0)
		rs, _, _ := s.Claim(ctx, Claim{IssueID: is.ID, RunID: fmt.Sprint("r", i), Limit: 1 + i}, t0)
		for _, r := range rs {
			s.Record(ctx, is.ID, []Outcome{{SubscriberID: r.SubscriberID, Status: LedgerSent}}, t0)
		}
	}
	h, err := s.History(ctx, 10)
	if err != nil || len(h) != 2 {
		t.Fatalf("History = %v, %v; want 2 issues", h, err)
	}
	if h[0].Week != "2026-W50" || h[0].Counts[LedgerSent] != 2 || h[1].Counts[LedgerSent] != 1 || h[1].Counts[LedgerPending] != 1 {
		t.Errorf("History counts = %v (%s), %v (%s); want W50 2 sent, W49 1 sent 1 pending", h[0].Counts, h[0].Week, h[1].Counts, h[1].Week)
	}
}

// The database holds the list and the secret: nobody but its owner reads it.
func TestDatabaseIsOwnerOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v.db")
	os.WriteFile(path, nil, 0o644) // an older install's wider file
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.AddSubscriber(ctx, "a@example.it", "", t0); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			continue // -shm may be gone
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v; want 0600", filepath.Base(p), fi.Mode().Perm())
		}
	}
}
