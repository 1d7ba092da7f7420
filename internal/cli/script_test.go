package cli_test

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/venerdi/venerdi/internal/cli"
	"github.com/venerdi/venerdi/internal/smtptest"
)

func TestMain(m *testing.M) {
	// Tests that need venerdi as a separate process (to kill it, or to run
	// two at once) re-execute this binary with GO_WANT_VENERDI_MAIN=1.
	if os.Getenv("GO_WANT_VENERDI_MAIN") == "1" {
		os.Exit(cli.Main())
	}
	testscript.Main(m, map[string]func(){
		"venerdi": func() { os.Exit(cli.Main()) },
	})
}

// TestScripts runs the end-to-end scripts in testdata/script. Each gets a
// real HTTP server for feeds ($FEED, serving $WORK/www with ETags) and a
// real SMTP server ($SMTP_PORT) on 127.0.0.1, and $REPO for sample data.
func TestScripts(t *testing.T) {
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:   "testdata/script",
		Setup: func(env *testscript.Env) error { return setupScript(env, repo) },
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"mailcount": cmdMailCount,
			"mailgrep":  cmdMailGrep,
			"smtpreply": cmdSMTPReply,
			"httphits":  cmdHTTPHits,
			"smtpfail":  cmdSMTPFail,
			"bigfeed":   cmdBigFeed,
			"filesize":  cmdFileSize,
			"maxrss":    cmdMaxRSS,
			"smtplate":  cmdSMTPLate,
			"smtpauth":  cmdSMTPAuth,
			"smtpstall": cmdSMTPStall,
			"smtpheld":  cmdSMTPHeld,
			"ledger":    cmdLedger,
			"mailonce":  cmdMailOnce,
			"freeport":  cmdFreePort,
			"oneclick":  cmdOneClick,
			"tlsproxy":  cmdTLSProxy,
		},
	})
}

// feedServer serves files with strong ETags so conditional GET is exercised
// as a real server would, and counts answers by path and status.
type feedServer struct {
	dir  string
	mu   sync.Mutex
	hits map[string]int // "GET /feed.xml 304" → count
}

func (f *feedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &statusRecorder{ResponseWriter: w, status: 200}
	defer func() {
		f.mu.Lock()
		f.hits[fmt.Sprintf("%s %d", r.URL.Path, rec.status)]++
		f.mu.Unlock()
	}()
	p := filepath.Join(f.dir, filepath.FromSlash(filepath.Clean("/"+r.URL.Path)))
	// www/X.moved holds the path X has moved to for good (301).
	if to, err := os.ReadFile(p + ".moved"); err == nil {
		rec.status = http.StatusMovedPermanently
		http.Redirect(rec, r, strings.TrimSpace(string(to)), http.StatusMovedPermanently)
		return
	}
	b, err := os.ReadFile(p)
	if err != nil {
		http.NotFound(rec, r)
		return
	}
	rec.Header().Set("ETag", fmt.Sprintf(`"%x"`, sha256.Sum256(b)))
	http.ServeContent(rec, r, filepath.Base(p), time.Time{}, bytes.NewReader(b))
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func setupScript(env *testscript.Env, repo string) error {
	fs := &feedServer{dir: filepath.Join(env.WorkDir, "www"), hits: map[string]int{}}
	hs := httptest.NewServer(fs)
	env.Defer(hs.Close)
	smtp, err := smtptest.Start(smtptest.Options{Dir: filepath.Join(env.WorkDir, "mail")})
	if err != nil {
		return err
	}
	env.Defer(func() { smtp.Close() })
	env.Values["feed"] = fs
	env.Values["smtp"] = smtp
	env.Setenv("FEED", hs.URL)
	env.Setenv("SMTP_PORT", strconv.Itoa(smtp.Port))
	env.Setenv("REPO", repo)
	env.Setenv("TZ", "Europe/Rome")
	return nil
}

// mailcount ADDR|* N: exactly N messages reached ADDR (or in all, with *).
func cmdMailCount(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: mailcount ADDR|* N")
	}
	s := ts.Value("smtp").(*smtptest.Server)
	want, _ := strconv.Atoi(args[1])
	got := len(s.Messages())
	if args[0] != "*" {
		got = s.Count(args[0])
	}
	if (got == want) == neg {
		ts.Fatalf("mailcount %s = %d; want %d", args[0], got, want)
	}
}

// mailgrep ADDR REGEXP: the last message to ADDR, headers plus decoded text
// and HTML parts, matches REGEXP.
func cmdMailGrep(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: mailgrep ADDR REGEXP")
	}
	s := ts.Value("smtp").(*smtptest.Server)
	var last []byte
	for _, m := range s.Messages() {
		for _, to := range m.To {
			if strings.EqualFold(to, args[0]) {
				last = m.Data
			}
		}
	}
	if last == nil {
		ts.Fatalf("no message to %s", args[0])
	}
	text, err := decodeMessage(last)
	ts.Check(err)
	re := regexp.MustCompile(args[1])
	if re.MatchString(text) == neg {
		ts.Logf("message:\n%s", text)
		ts.Fatalf("mailgrep %s %q: match = %v", args[0], args[1], !neg)
	}
}

// smtpreply ADDR CODE: RCPT TO ADDR answers CODE from now on (0 clears).
func cmdSMTPReply(ts *testscript.TestScript, neg bool, args []string) {
	code, _ := strconv.Atoi(args[1])
	ts.Value("smtp").(*smtptest.Server).Reply(args[0], code)
}

// httphits PATH STATUS N: the feed server answered PATH with STATUS N times.
func cmdHTTPHits(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: httphits PATH STATUS N")
	}
	f := ts.Value("feed").(*feedServer)
	want, _ := strconv.Atoi(args[2])
	f.mu.Lock()
	got := f.hits[args[0]+" "+args[1]]
	f.mu.Unlock()
	if (got == want) == neg {
		ts.Fatalf("httphits %s %s = %d; want %d", args[0], args[1], got, want)
	}
}

// smtpfail STAGE CODE [ENHANCED [TEXT...]]: every command at STAGE (mail,
// rcpt or data, the reply to the final ".") answers CODE from now on, with
// the enhanced code and text given; CODE 0 clears it.
func cmdSMTPFail(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: smtpfail STAGE CODE [ENHANCED [TEXT...]]")
	}
	code, err := strconv.Atoi(args[1])
	ts.Check(err)
	var enhanced, text string
	if len(args) > 2 {
		enhanced = args[2]
	}
	if len(args) > 3 {
		text = strings.Join(args[3:], " ")
	}
	ts.Value("smtp").(*smtptest.Server).FailAt(args[0], code, enhanced, text)
}

// bigfeed FILE N: write an RSS feed of N posts to FILE, the newest published
// on Thursday 3 December 2026 and one a minute before each other, so a week's
// issue made on Friday 4 December 2026 has all of them to choose from.
func cmdBigFeed(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: bigfeed FILE N")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Bottega Digitale</title><link>https://bottega.example.it</link><description>Tanti post</description>
`)
	newest := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "<item><title>Post numero %d</title><link>https://bottega.example.it/p/%d/</link><guid>p%d</guid><pubDate>%s</pubDate><description>Il post %d.</description></item>\n",
			i, i, i, newest.Add(-time.Duration(i)*time.Second*3).Format(time.RFC1123Z), i)
	}
	b.WriteString("</channel></rss>\n")
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), b.Bytes(), 0o644))
}

// filesize FILE MAX: FILE holds at most MAX bytes (and, negated, more).
func cmdFileSize(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: filesize FILE MAX")
	}
	max, err := strconv.Atoi(args[1])
	ts.Check(err)
	fi, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	ts.Logf("%s: %d bytes", args[0], fi.Size())
	if (fi.Size() <= int64(max)) == neg {
		ts.Fatalf("%s is %d bytes; want at most %d", args[0], fi.Size(), max)
	}
}

// smtplate DURATION: the server accepts each message and only then, after
// DURATION, answers the final "." (0 answers at once again).
func cmdSMTPLate(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: smtplate DURATION")
	}
	d, err := time.ParseDuration(args[0])
	ts.Check(err)
	ts.Value("smtp").(*smtptest.Server).ReplyLate(d)
}

// smtpauth USER PASSWORD: the server requires AUTH PLAIN as USER with
// PASSWORD before MAIL FROM; "smtpauth off" stops requiring it.
func cmdSMTPAuth(ts *testscript.TestScript, neg bool, args []string) {
	s := ts.Value("smtp").(*smtptest.Server)
	switch {
	case len(args) == 1 && args[0] == "off":
		s.RequireAuth(nil)
	case len(args) == 2:
		s.RequireAuth(map[string]string{args[0]: args[1]})
	default:
		ts.Fatalf("usage: smtpauth USER PASSWORD | smtpauth off")
	}
}

// maxrss MB: the last command, run under GNU time -f 'maxrss %M KB', peaked
// at no more than MB megabytes of resident memory. The figure is logged.
func cmdMaxRSS(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: maxrss MB")
	}
	max, err := strconv.Atoi(args[0])
	ts.Check(err)
	m := regexp.MustCompile(`(?m)^maxrss (\d+) KB$`).FindStringSubmatch(ts.ReadFile("stderr"))
	if m == nil {
		ts.Fatalf("no 'maxrss N KB' line in stderr")
	}
	kb, _ := strconv.Atoi(m[1])
	ts.Logf("peak RSS %d KB (%.1f MB)", kb, float64(kb)/1024)
	if (kb <= max*1024) == neg {
		ts.Fatalf("peak RSS %d KB; want at most %d MB", kb, max)
	}
}

// decodeMessage renders a message as its headers (RFC 2047 decoded) and the
// decoded bodies of its parts, so scripts can grep what a reader sees.
func decodeMessage(raw []byte) (string, error) {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return "", err
	}
	var b strings.Builder
	dec := new(mime.WordDecoder)
	for k, vs := range m.Header {
		for _, v := range vs {
			d, err := dec.DecodeHeader(v)
			if err != nil {
				d = v
			}
			fmt.Fprintf(&b, "%s: %s\n", k, d)
		}
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		return "", err
	}
	if !strings.HasPrefix(mt, "multipart/") {
		body, err := decodePart(m.Body, m.Header.Get("Content-Transfer-Encoding"))
		b.WriteString(body)
		return b.String(), err
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "\n--- part %s\n", p.Header.Get("Content-Type"))
		body, err := decodePart(p, p.Header.Get("Content-Transfer-Encoding"))
		if err != nil {
			return "", err
		}
		b.WriteString(body)
	}
	return b.String(), nil
}

func decodePart(r io.Reader, cte string) (string, error) {
	if strings.EqualFold(cte, "quoted-printable") {
		r = quotedprintable.NewReader(r)
	}
	b, err := io.ReadAll(r)
	return string(b), err
}
