package lock

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

func TestSecondAcquireNamesHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v.db.lock")
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
	path := filepath.Join(t.TempDir(), "v.db.lock")
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
