package cli_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/venerdi/venerdi/internal/cli"
	"github.com/venerdi/venerdi/internal/smtptest"
)

// smtpstall N: once N messages are in, the server holds every further
// DATA before accepting it (the client waits for its reply; nothing more
// arrives); "smtpstall 0" releases them unaccepted (451) and accepts again.
func cmdSMTPStall(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: smtpstall N")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	ts.Value("smtp").(*smtptest.Server).StallAfter(n)
}

// smtpheld: waits, up to 30 s, until the server holds a DATA (see
// smtpstall): a send is stuck mid-way, on the wire.
func cmdSMTPHeld(ts *testscript.TestScript, neg bool, args []string) {
	s := ts.Value("smtp").(*smtptest.Server)
	for deadline := time.Now().Add(30 * time.Second); s.Held() == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			ts.Fatalf("no DATA held after 30 s (%d messages in)", len(s.Messages()))
		}
	}
	ts.Logf("%d DATAs held, %d messages in", s.Held(), len(s.Messages()))
}

// ledger ISSUE STATUS N: waits, up to 30 s, until issue ISSUE's ledger has
// exactly N rows in STATUS, read by 'venerdi deliveries' on $WORK's
// config while another venerdi may be running.
func cmdLedger(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: ledger ISSUE STATUS N")
	}
	want, err := strconv.Atoi(args[2])
	ts.Check(err)
	got := -1
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var out, errOut bytes.Buffer
		code := cli.Run(context.Background(), []string{"--config", ts.MkAbs("venerdi.toml"), "deliveries", "--issue", args[0], "--status", args[1], "--json"},
			nil, &out, &errOut, nil)
		if code == 0 {
			got = strings.Count(out.String(), "\n")
			if got == want {
				return
			}
		}
		if time.Now().After(deadline) {
			ts.Fatalf("ledger of issue %s: %d rows %s after 30 s; want %d (%s)", args[0], got, args[1], want, errOut.String())
		}
	}
}

// mailonce N: N addresses got mail, and each exactly one message.
func cmdMailOnce(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: mailonce N")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	counts := map[string]int{}
	for _, m := range ts.Value("smtp").(*smtptest.Server).Messages() {
		for _, to := range m.To {
			counts[strings.ToLower(to)]++
		}
	}
	var twice []string
	for addr, c := range counts {
		if c != 1 {
			twice = append(twice, fmt.Sprintf("%s ×%d", addr, c))
		}
	}
	if len(counts) != want || len(twice) > 0 {
		ts.Fatalf("mailonce: %d addresses got mail (want %d); more than once: %v", len(counts), want, twice)
	}
}

// freeport VAR: sets $VAR to a free TCP port on 127.0.0.1.
func cmdFreePort(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: freeport VAR")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	ts.Setenv(args[0], strconv.Itoa(port))
}

// tlsproxy VAR TARGET: starts an HTTPS reverse proxy on 127.0.0.1 to
// TARGET (what terminates TLS in front of 'venerdi serve' in production)
// and sets $VAR to its URL. One-click needs it: RFC 8058 wants an https
// List-Unsubscribe URL, and venerdi offers one-click only for one.
func cmdTLSProxy(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: tlsproxy VAR TARGET")
	}
	target, err := url.Parse(args[1])
	ts.Check(err)
	p := httptest.NewTLSServer(httputil.NewSingleHostReverseProxy(target))
	ts.Defer(p.Close)
	ts.Setenv(args[0], p.URL)
}

var listUnsubscribeHTTPS = regexp.MustCompile(`<(https://[^>]+)>`)

// oneclick ADDR REGEXP: does what a mailbox provider's "unsubscribe"
// button does (RFC 8058) for the last message to ADDR that matches REGEXP:
// checks it offers one-click, and POSTs List-Unsubscribe=One-Click, with
// no cookie, to the URL of its List-Unsubscribe header, waiting up to 10 s
// for the server there to answer. The answer must be 200; its page goes
// to stdout. The proxy's test certificate is not checked.
func cmdOneClick(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: oneclick ADDR REGEXP")
	}
	re := regexp.MustCompile(args[1])
	var msg string
	for _, m := range ts.Value("smtp").(*smtptest.Server).Messages() {
		for _, to := range m.To {
			if strings.EqualFold(to, args[0]) {
				text, err := decodeMessage(m.Data)
				ts.Check(err)
				if re.MatchString(text) {
					msg = text
				}
			}
		}
	}
	if msg == "" {
		ts.Fatalf("no message to %s matches %q", args[0], args[1])
	}
	header := func(name string) string {
		m := regexp.MustCompile(`(?m)^` + name + `: (.*)$`).FindStringSubmatch(msg)
		if m == nil {
			ts.Fatalf("the message has no %s header", name)
		}
		return m[1]
	}
	if got := header("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
		ts.Fatalf("List-Unsubscribe-Post: %q; want List-Unsubscribe=One-Click", got)
	}
	m := listUnsubscribeHTTPS.FindStringSubmatch(header("List-Unsubscribe"))
	if m == nil {
		ts.Fatalf("List-Unsubscribe has no https URL")
	}
	u, err := url.Parse(m[1])
	ts.Check(err)
	ts.Logf("one-click POST %s", u.Redacted())
	client := &http.Client{Timeout: 10 * time.Second,
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	health := (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/healthz"}).String()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, err := client.Get(health)
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			ts.Fatalf("nothing answers at %s: %v", health, err)
		}
	}
	resp, err := client.Post(u.String(), "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	ts.Check(err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	ts.Check(err)
	fmt.Fprintf(ts.Stdout(), "%s", body)
	if (resp.StatusCode == http.StatusOK) == neg {
		ts.Fatalf("one-click POST answered %s", resp.Status)
	}
}
