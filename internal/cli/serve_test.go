package cli_test

import (
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// venerdi serve answers on --listen beside a send on the same database,
// logs without addresses or tokens, and stops cleanly on SIGTERM.
func TestServeCommand(t *testing.T) {
	dir, _ := crashSite(t, 20)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd, out := venerdiProcess(dir, "-v", "serve", "--listen", addr)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var resp *http.Response
	for i := 0; i < 100; i++ {
		if resp, err = http.Get("http://" + addr + "/healthz"); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("serve never answered: %v\n%s", err, out)
	}
	resp.Body.Close()
	// A send on the same database while serve runs.
	if code := venerdiInProcess(t, dir, "--now", crashNow, "send"); code != 0 {
		t.Fatalf("send beside serve = exit %d", code)
	}
	resp, err = http.Get("http://" + addr + "/archive")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "/archive/2026-W") {
		t.Fatalf("GET /archive = %d; want the issue just sent:\n%s", resp.StatusCode, body)
	}
	http.Post("http://"+addr+"/subscribe", "application/x-www-form-urlencoded", strings.NewReader("email=secret-person%40example.it"))
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve after SIGTERM: %v\n%s", err, out)
		}
	case <-time.After(25 * time.Second):
		t.Fatalf("serve did not stop within 25 s of SIGTERM\n%s", out)
	}
	logs := out.String()
	for _, want := range []string{"serving", "route=\"GET /healthz\"", "route=\"POST /subscribe\"", "shutting down"} {
		if !strings.Contains(logs, want) {
			t.Errorf("serve log lacks %q:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, "secret-person") || strings.Contains(logs, "database is locked") {
		t.Errorf("serve log shows an address or a lock error:\n%s", logs)
	}
}

// serve --scheduler runs the scheduler of 'venerdi run' beside the web
// server and stops both on SIGTERM. The slot is set three days from today,
// so nothing is due whatever day the test runs.
func TestServeWithScheduler(t *testing.T) {
	dir, _ := crashSite(t, 3)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	weekday := strings.ToLower(time.Now().Add(3 * 24 * time.Hour).Weekday().String())
	cmd, out := venerdiProcess(dir, "-v", "serve", "--scheduler", "--log-format", "json", "--listen", addr)
	cmd.Env = append(cmd.Env, "VENERDI_DIGEST_WEEKDAY="+weekday)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	for i := 0; i < 100; i++ {
		if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
			resp.Body.Close()
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The scheduler's first look (nothing due) takes milliseconds; the log
	// is read only after the process ends.
	time.Sleep(500 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve --scheduler after SIGTERM: %v\n%s", err, out)
	}
	logs := out.String()
	for _, want := range []string{`"scheduler":true`, `"msg":"waiting"`, `"msg":"scheduler stopped"`, `"msg":"shutting down: finishing requests in flight"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %s:\n%s", want, logs)
		}
	}
}

// venerdi run: the scheduler in the foreground, silent but for its log,
// stopping cleanly on SIGTERM. The slot is three days from today, so
// nothing is due whatever day the test runs.
func TestRunCommandStopsOnSIGTERM(t *testing.T) {
	dir, _ := crashSite(t, 3)
	weekday := strings.ToLower(time.Now().Add(3 * 24 * time.Hour).Weekday().String())
	cmd, out := venerdiProcess(dir, "-v", "run", "--log-format", "json")
	cmd.Env = append(cmd.Env, "VENERDI_DIGEST_WEEKDAY="+weekday)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	time.Sleep(500 * time.Millisecond) // its first look (nothing due) takes milliseconds
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("run after SIGTERM: %v\n%s", err, out)
	}
	logs := out.String()
	for _, want := range []string{`"msg":"waiting"`, `"msg":"scheduler stopped"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("run's log lacks %s:\n%s", want, logs)
		}
	}
	if strings.Contains(logs, `"level":"ERROR"`) || strings.Contains(logs, `"level":"WARN"`) {
		t.Errorf("nothing due, yet run logged a problem:\n%s", logs)
	}
}
