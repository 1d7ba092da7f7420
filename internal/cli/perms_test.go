package cli_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// venerdiUmask runs venerdi in its own process under umask 000, as a
// careless crontab or a container might start it.
func venerdiUmask(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("/bin/sh", append([]string{"-c", `umask 000 && exec "$0" "$@"`, os.Args[0], "--config", filepath.Join(dir, "venerdi.toml")}, args...)...)
	cmd.Env = append(os.Environ(), "GO_WANT_VENERDI_MAIN=1")
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("venerdi %v: %v\n%s", args, err, &out)
	}
}

// The database (it holds the list and the token secret), its WAL files,
// the lock's holder file, the outbox folder and its messages, and a backup
// are owner-only whatever the umask. Before issue 8 the database and lock
// were world-readable under a permissive umask.
func TestFilesOwnerOnlyWhateverTheUmask(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh to set the umask")
	}
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "blog", "feed.xml"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "feed.xml"), b, 0o644)
	os.WriteFile(filepath.Join(dir, "venerdi.toml"), []byte(`[site]
title = "Bottega Digitale"
url = "https://bottega.example.it"
[sources]
feeds = ["feed.xml"]
[mail]
from = "Bottega Digitale <newsletter@bottega.example.it>"
list_id = "settimanale.bottega.example.it"
unsubscribe_url = "https://news.bottega.example.it"
address = "Bottega Digitale srl, Via Roma 1, 40121 Bologna"
[outbox]
dir = "out/box"
`), 0o644)
	venerdiUmask(t, dir, "subscribers", "add", "anna@example.it")
	venerdiUmask(t, dir, "--now", crashNow, "send")
	venerdiUmask(t, dir, "backup", filepath.Join(dir, "copy.db"))

	check := func(path string, want os.FileMode) {
		t.Helper()
		fi, err := os.Stat(path)
		if err != nil {
			t.Error(err)
			return
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("%s is %#o; want %#o", filepath.Base(path), got, want)
		}
	}
	check(filepath.Join(dir, "venerdi.db"), 0o600)
	check(filepath.Join(dir, "venerdi.db.lock"), 0o600)
	check(filepath.Join(dir, "copy.db"), 0o600)
	for _, side := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(filepath.Join(dir, "venerdi.db"+side)); err == nil {
			check(filepath.Join(dir, "venerdi.db"+side), 0o600)
		}
	}
	check(filepath.Join(dir, "out"), 0o700)
	check(filepath.Join(dir, "out", "box"), 0o700)
	emls, _ := filepath.Glob(filepath.Join(dir, "out", "box", "*.eml"))
	if len(emls) != 1 {
		t.Fatalf("outbox holds %d messages; want 1", len(emls))
	}
	check(emls[0], 0o600)

	// A database and lock file made wider by hand (or by an older
	// version) are narrowed by the next run.
	os.Chmod(filepath.Join(dir, "venerdi.db"), 0o644)
	os.Chmod(filepath.Join(dir, "venerdi.db.lock"), 0o666)
	venerdiUmask(t, dir, "--now", crashNow, "send")
	check(filepath.Join(dir, "venerdi.db"), 0o600)
	check(filepath.Join(dir, "venerdi.db.lock"), 0o600)
}

// The -wal and -shm files a live run keeps beside the database are
// owner-only too, under umask 000 (they exist only while a run has the
// database open, so this looks during a slow send).
func TestWALOwnerOnlyWhateverTheUmask(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh to set the umask")
	}
	dir, srv := crashSite(t, 40)
	srv.ReplyLate(20 * time.Millisecond)
	cmd := exec.Command("/bin/sh", "-c", `umask 000 && exec "$0" "$@"`, os.Args[0], "--config", filepath.Join(dir, "venerdi.toml"), "--now", crashNow, "send")
	cmd.Env = append(os.Environ(), "GO_WANT_VENERDI_MAIN=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); len(srv.Messages()) < 4; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the send sent nothing: %s", &out)
		}
	}
	for _, side := range []string{"-wal", "-shm"} {
		fi, err := os.Stat(filepath.Join(dir, "venerdi.db"+side))
		if err != nil {
			t.Errorf("during the send: %v", err)
			continue
		}
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("venerdi.db%s is %#o during a send under umask 000; want 0600", side, got)
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("send: %v\n%s", err, &out)
	}
}
