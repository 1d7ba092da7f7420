package lock

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// newDB makes an empty file to lock, as the store would have created it.
func newDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "v.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSecondAcquireNamesHolder(t *testing.T) {
	path := newDB(t)
	now := time.Unix(1780000000, 0)
	l, err := Acquire(path, "send", now)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(path, "send", now)
	var held *HeldError
	if !errors.As(err, &held) || held.PID != os.Getpid() || held.Command != "send" || !held.Started.Equal(now) {
		t.Fatalf("second Acquire = %v; want HeldError naming PID %d", err, os.Getpid())
	}
	l.Release()
	l2, err := Acquire(path, "send", now)
	if err != nil {
		t.Fatalf("Acquire after Release = %v", err)
	}
	l2.Release()
}

// A holder killed with SIGKILL leaves its line in the file, but the kernel
// drops its flock: the next run takes over.
func TestDeadHolderIsTakenOver(t *testing.T) {
	if os.Getenv("LOCK_HELPER") != "" {
		if _, err := Acquire(os.Getenv("LOCK_HELPER"), "send", time.Now()); err != nil {
			os.Exit(2)
		}
		os.Stdout.WriteString("locked\n")
		time.Sleep(time.Minute)
		return
	}
	path := newDB(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestDeadHolderIsTakenOver$")
	cmd.Env = append(os.Environ(), "LOCK_HELPER="+path)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 7)
	if _, err := out.Read(buf); err != nil || string(buf) != "locked\n" {
		t.Fatalf("helper said %q, %v", buf, err)
	}
	if _, err := Acquire(path, "send", time.Now()); err == nil {
		t.Fatal("Acquire while the helper lives = nil; want HeldError")
	}
	cmd.Process.Kill()
	cmd.Wait()
	l, err := Acquire(path, "send", time.Now())
	if err != nil {
		t.Fatalf("Acquire after the holder died = %v", err)
	}
	if !l.TookOver {
		t.Error("TookOver = false; want true")
	}
	l.Release()
}

// The lock is the database file's, not a path's: a second run reaching the
// same file through a symlink, or after the holder file was deleted, is
// refused.
func TestLockFollowsTheFileNotThePath(t *testing.T) {
	path := newDB(t)
	link := filepath.Join(t.TempDir(), "other.db")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	l, err := Acquire(path, "send", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	var held *HeldError
	if _, err := Acquire(link, "send", time.Now()); !errors.As(err, &held) || held.PID != os.Getpid() {
		t.Fatalf("Acquire through a symlink = %v; want HeldError naming this process", err)
	}
	os.Remove(path + ".lock")
	if _, err := Acquire(path, "send", time.Now()); !errors.As(err, &held) {
		t.Fatalf("Acquire after the holder file was deleted = %v; want HeldError", err)
	}
	if fi, err := os.Stat(path + ".lock"); err == nil && fi.Mode().Perm() != 0o600 {
		t.Errorf("holder file mode %v; want 0600", fi.Mode().Perm())
	}
}

// Another process is refused too, through the symlink, with the holder
// file deleted: the flock is on the file both reach.
func TestOtherProcessRefusedThroughSymlink(t *testing.T) {
	if p := os.Getenv("LOCK_TRY"); p != "" {
		if _, err := Acquire(p, "send", time.Now()); err != nil {
			os.Stdout.WriteString("refused\n")
			return
		}
		os.Stdout.WriteString("acquired\n")
		return
	}
	path := newDB(t)
	link := filepath.Join(t.TempDir(), "other.db")
	os.Symlink(path, link)
	l, err := Acquire(path, "send", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	os.Remove(path + ".lock")
	cmd := exec.Command(os.Args[0], "-test.run=^TestOtherProcessRefusedThroughSymlink$")
	cmd.Env = append(os.Environ(), "LOCK_TRY="+link)
	out, err := cmd.Output()
	if err != nil || !strings.HasPrefix(string(out), "refused") {
		t.Fatalf("second process: %q, %v; want refused", out, err)
	}
}
