package cli_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// waitForLock waits until the run with pid has written itself into the
// lock's holder file, that is, holds the lock.
func waitForLock(t *testing.T, lockFile string, pid int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if b, _ := os.ReadFile(lockFile); strings.HasPrefix(string(b), fmt.Sprint(pid)+" ") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the first send never took the lock")
		}
	}
}

// While a send is live, a second send that reaches the same database by
// another path (a symlink, a hard link) or after the lock file was deleted
// is refused with exit 3, and nobody gets a message twice. Before issue 8
// the lock followed the path: such a run doubled 1,805 of 2,000 messages.
func TestSecondRunByAnotherPathIsRefused(t *testing.T) {
	const n = 120
	for _, c := range []struct {
		name string
		// pid: the refusal names the live run's PID. Only the holder file
		// beside the real database says it, so a run through a hard link,
		// or after the file was deleted, can only say "another venerdi run".
		pid bool
		// ifDue: the second run is the frequent cron line, which finds a
		// live send no news: exit 0, silent.
		ifDue bool
		// second prepares the way the second run reaches the database
		// and returns the --db it passes ("" for the config's own).
		second func(t *testing.T, dir string) string
	}{
		{"symlink", true, false, func(t *testing.T, dir string) string {
			other := t.TempDir()
			link := filepath.Join(other, "alias.db")
			if err := os.Symlink(filepath.Join(dir, "venerdi.db"), link); err != nil {
				t.Fatal(err)
			}
			return link
		}},
		{"relative symlinked folder", true, false, func(t *testing.T, dir string) string {
			other := t.TempDir()
			if err := os.Symlink(dir, filepath.Join(other, "site")); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(other, "site", ".", "venerdi.db")
		}},
		{"hard link", false, false, func(t *testing.T, dir string) string {
			link := filepath.Join(dir, "hard.db")
			if err := os.Link(filepath.Join(dir, "venerdi.db"), link); err != nil {
				t.Fatal(err)
			}
			return link
		}},
		{"lock file deleted", false, false, func(t *testing.T, dir string) string {
			if err := os.Remove(filepath.Join(dir, "venerdi.db.lock")); err != nil {
				t.Fatal(err)
			}
			return ""
		}},
		{"if-due through a symlink", false, true, func(t *testing.T, dir string) string {
			link := filepath.Join(t.TempDir(), "alias.db")
			if err := os.Symlink(filepath.Join(dir, "venerdi.db"), link); err != nil {
				t.Fatal(err)
			}
			return link
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir, srv := crashSite(t, n)
			// 120 messages over 4 connections, each answered 25 ms late:
			// the first run lasts about 0.8 s.
			srv.ReplyLate(25 * time.Millisecond)
			if code := venerdiInProcess(t, dir, "--now", crashNow, "fetch"); code != 0 {
				t.Fatal("fetch failed")
			}
			a, outA := venerdiProcess(dir, "--now", crashNow, "send")
			if err := a.Start(); err != nil {
				t.Fatal(err)
			}
			waitForLock(t, filepath.Join(dir, "venerdi.db.lock"), a.Process.Pid)
			// Let the first run claim and send some rows first.
			for deadline := time.Now().Add(10 * time.Second); len(srv.Messages()) < 8; time.Sleep(5 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("the first send sent nothing: %s", outA)
				}
			}
			args := []string{"--now", crashNow, "send"}
			if c.ifDue {
				args = append(args, "--if-due")
			}
			if db := c.second(t, dir); db != "" {
				args = append([]string{"--db", db}, args...)
			}
			b, outB := venerdiProcess(dir, args...)
			errB := b.Run()
			if a.ProcessState != nil {
				t.Fatal("the first send ended before the second started: make it slower")
			}
			switch code := b.ProcessState.ExitCode(); {
			case c.ifDue && (code != 0 || outB.Len() > 0):
				t.Errorf("second send --if-due = exit %d (%v), %q; want exit 0, silent", code, errB, outB)
			case !c.ifDue && code != 3:
				t.Errorf("second send = exit %d (%v); want 3\n%s", code, errB, outB)
			}
			if !c.ifDue && !strings.Contains(outB.String(), "already running on this database") || c.pid && !strings.Contains(outB.String(), fmt.Sprintf("PID %d", a.Process.Pid)) {
				t.Errorf("second send said %q; want it to name the live run's PID %d", outB, a.Process.Pid)
			}
			if err := a.Wait(); err != nil {
				t.Fatalf("first send: %v\n%s", err, outA)
			}
			if got := len(srv.Messages()); got != n {
				t.Errorf("messages = %d; want %d", got, n)
			}
			for i := 0; i < n; i++ {
				if c := srv.Count(fmt.Sprintf("s%04d@example.it", i)); c != 1 {
					t.Errorf("s%04d got %d messages; want 1", i, c)
				}
			}
		})
	}
}
