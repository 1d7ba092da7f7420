package newsletter

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/venerdi/venerdi/internal/store"
)

// A database restored from a backup taken before its issue went out never
// sends that issue again: the backup says "composed, nobody served", and the
// stale guard refuses to resume an issue older than digest.max_delay.
func TestRestoredBackupNeverResendsAnOldIssue(t *testing.T) {
	e := newSelEnv(t)
	if _, _, err := e.n.AddSubscriber(e.ctx, "anna@example.it", "Anna"); err != nil {
		t.Fatal(err)
	}
	e.seenPosts(e.now.Add(-time.Hour), post("g1", "https://blog.example.it/1", "Il primo post", e.now.Add(-2*day)))
	e.compose()
	backup := filepath.Join(t.TempDir(), "before-send.db")
	if _, err := e.n.Backup(e.ctx, backup, false); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	fi, err := os.Stat(backup)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode = %v; want 0600", fi.Mode().Perm())
	}
	rep, err := e.n.Send(e.ctx, SendOptions{NoFetch: true})
	if err != nil || rep.Summary.Sent != 1 {
		t.Fatalf("Send before the disaster = %+v, %v; want one sent", rep, err)
	}

	// The disaster: the database is lost and the backup restored, the
	// next day. The send that runs then must not mail Anna the issue she
	// already had.
	restored := filepath.Join(t.TempDir(), "venerdi.db")
	b, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(restored, b, 0o600); err != nil {
		t.Fatal(err)
	}
	outbox := t.TempDir()
	opts := e.n.opts
	opts.Transport.OutboxDir = outbox
	later := e.now.Add(30 * time.Hour) // Saturday 15:00: the same week
	n, err := Open(e.ctx, restored, opts, func() time.Time { return later }, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	last, err := n.st.LastIssue(e.ctx)
	if err != nil || last.Status == store.IssueDone {
		t.Fatalf("restored last issue = %+v, %v; want the composed, unsent one", last, err)
	}
	rep, err = n.Send(e.ctx, SendOptions{NoFetch: true})
	var stale *StaleError
	if !errors.As(err, &stale) {
		t.Errorf("Send on the restored database = %+v, %v; want a *StaleError", rep, err)
	}
	if files, _ := os.ReadDir(outbox); len(files) != 0 {
		t.Errorf("the restored database sent %d messages; want none", len(files))
	}
	// RetryFailed goes through the same guard.
	if _, err := n.RetryFailed(e.ctx, false); !errors.As(err, &stale) {
		t.Errorf("RetryFailed on the restored database = %v; want a *StaleError", err)
	}
}

func TestBackupRefusesToOverwrite(t *testing.T) {
	e := newSelEnv(t)
	dest := filepath.Join(t.TempDir(), "b.db")
	if err := os.WriteFile(dest, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := e.n.Backup(e.ctx, dest, false); !errors.Is(err, ErrBackupExists) {
		t.Errorf("Backup onto an existing file = %v; want ErrBackupExists", err)
	}
	if b, _ := os.ReadFile(dest); string(b) != "keep me" {
		t.Errorf("the refused backup changed the file: %q", b)
	}
	if _, err := e.n.Backup(e.ctx, dest, true); err != nil {
		t.Fatalf("Backup with overwrite: %v", err)
	}
	if fi, _ := os.Stat(dest); fi.Mode().Perm() != 0o600 {
		t.Errorf("overwritten backup mode = %v; want 0600", fi.Mode().Perm())
	}
	if _, err := e.n.Backup(e.ctx, e.st.Path(), true); err == nil {
		t.Error("Backup onto the live database succeeded")
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(dest), ".*.tmp"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
}

// A backup taken while another process writes is a sound database holding
// a prefix of the writes: never a torn page, never a half transaction.
func TestBackupWhileWriting(t *testing.T) {
	e := newSelEnv(t)
	ctx := context.Background()
	// A second handle, as serve or a send in another process would hold.
	w, err := store.Open(ctx, e.st.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := w.AddSubscriber(ctx, fmt.Sprintf("s%d@example.it", i), "", time.Now()); err != nil {
				t.Errorf("writer: %v", err)
				return
			}
		}
	}()
	dir := t.TempDir()
	for i := range 5 {
		dest := filepath.Join(dir, fmt.Sprintf("b%d.db", i))
		if _, err := e.n.Backup(ctx, dest, false); err != nil {
			t.Fatalf("Backup %d while writing: %v", i, err)
		}
		h, err := store.Inspect(ctx, dest)
		if err != nil || len(h.Problems) > 0 || h.Schema != h.Known {
			t.Fatalf("backup %d: %+v, %v; want a sound, migrated database", i, h, err)
		}
	}
	close(stop)
	wg.Wait()
}
