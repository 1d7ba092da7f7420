package cli

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/dns/dnsmessage"

	"github.com/venerdi/venerdi/internal/mailer"
	"github.com/venerdi/venerdi/internal/smtptest"
)

// dnsServer is a real DNS server on 127.0.0.1 (UDP) answering TXT and NS
// questions from its maps and "no such domain" to the rest.
type dnsServer struct {
	txt map[string][]string // "example.it." → records
	ns  map[string]string   // "it." → a name server
	pc  net.PacketConn
}

func startDNS(t *testing.T, txt map[string][]string, ns map[string]string) *dnsServer {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &dnsServer{txt: txt, ns: ns, pc: pc}
	t.Cleanup(func() { pc.Close() })
	go s.serve()
	return s
}

func (s *dnsServer) serve() {
	buf := make([]byte, 1500)
	for {
		n, addr, err := s.pc.ReadFrom(buf)
		if err != nil {
			return
		}
		var p dnsmessage.Parser
		h, err := p.Start(buf[:n])
		if err != nil {
			continue
		}
		q, err := p.Question()
		if err != nil {
			continue
		}
		name := strings.ToLower(q.Name.String())
		b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionAvailable: true})
		b.EnableCompression()
		rh := dnsmessage.ResourceHeader{Name: q.Name, Class: dnsmessage.ClassINET, TTL: 60}
		recs, hasTXT := s.txt[name]
		host, hasNS := s.ns[name]
		if !hasTXT && !hasNS {
			b = dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RCode: dnsmessage.RCodeNameError})
		}
		b.StartQuestions()
		b.Question(q)
		b.StartAnswers()
		switch {
		case q.Type == dnsmessage.TypeTXT && hasTXT:
			for _, r := range recs {
				var parts []string // TXT strings are at most 255 bytes
				for len(r) > 255 {
					parts, r = append(parts, r[:255]), r[255:]
				}
				b.TXTResource(rh, dnsmessage.TXTResource{TXT: append(parts, r)})
			}
		case q.Type == dnsmessage.TypeNS && hasNS:
			b.NSResource(rh, dnsmessage.NSResource{NS: dnsmessage.MustNewName(host)})
		}
		msg, err := b.Finish()
		if err == nil {
			s.pc.WriteTo(msg, addr)
		}
	}
}

// resolver asks only this server.
func (s *dnsServer) resolver() *net.Resolver {
	addr := s.pc.LocalAddr().String()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", addr)
	}}
}

// deadResolver is DNS that cannot be reached at all.
func deadResolver(t *testing.T) *net.Resolver {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close() // nobody answers there
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr) // refused at once
	}}
}

// doctorSetup is a working installation: a feed and serve over HTTP, a relay
// that wants AUTH, the password in an owner-only file, a DKIM key whose
// public half is in DNS, SPF and DMARC published, a database made by venerdi.
type doctorSetup struct {
	t        *testing.T
	dir      string
	cfg      string
	db       string
	feedSrv  *httptest.Server
	smtp     *smtptest.Server
	dns      *dnsServer
	conf     map[string]string // extra [smtp] / [sources] lines, by key
	stopServ func()
}

func newDoctorSetup(t *testing.T) *doctorSetup {
	t.Helper()
	repo, _ := filepath.Abs(filepath.Join("..", ".."))
	s := &doctorSetup{t: t, dir: t.TempDir()}
	s.feedSrv = httptest.NewServer(http.FileServer(http.Dir(filepath.Join(repo, "testdata"))))
	t.Cleanup(s.feedSrv.Close)
	var err error
	s.smtp, err = smtptest.Start(smtptest.Options{Users: map[string]string{"news@example.it": "s3cret"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.smtp.Close() })

	_, key, _ := ed25519.GenerateKey(rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	s.write("dkim.pem", string(keyPEM))
	signer, err := mailer.NewSigner("example.it", "sel", keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	s.dns = startDNS(t, map[string][]string{
		"example.it.":                {"google-site-verification=abc", "v=spf1 ip4:127.0.0.1 -all"},
		"_dmarc.example.it.":         {"v=DMARC1; p=quarantine; adkim=r; rua=mailto:dmarc@example.it"},
		"sel._domainkey.example.it.": {signer.TXTRecord()},
	}, map[string]string{"it.": "a.dns.it."})
	old := doctorResolver
	doctorResolver = s.dns.resolver()
	t.Cleanup(func() { doctorResolver = old })
	s.write("smtp-password", "s3cret\n")

	// serve, for real, on a port of its own.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	listen := ln.Addr().String()
	ln.Close()
	s.cfg = filepath.Join(s.dir, "venerdi.toml")
	s.db = filepath.Join(s.dir, "venerdi.db")
	s.conf = map[string]string{
		"feeds":         fmt.Sprintf("[%q]", s.feedSrv.URL+"/blog/feed.xml"),
		"catalog":       fmt.Sprintf("%q", s.feedSrv.URL+"/webinars.json"),
		"password_file": `"smtp-password"`,
		"base_url":      fmt.Sprintf("%q", "http://"+listen),
	}
	s.writeConfig()
	if code, out := s.run("subscribers", "add", "anna@example.it"); code != 0 {
		t.Fatalf("subscribers add: exit %d: %s", code, out)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		var out bytes.Buffer
		Run(ctx, []string{"--config", s.cfg, "serve", "--listen", listen}, nil, &out, &out, nil)
	}()
	s.stopServ = func() { cancel(); <-done }
	t.Cleanup(s.stopServ)
	for i := 0; ; i++ {
		resp, err := http.Get("http://" + listen + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		if i == 100 {
			t.Fatalf("serve did not start: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return s
}

func (s *doctorSetup) write(name, body string) {
	s.t.Helper()
	if err := os.WriteFile(filepath.Join(s.dir, name), []byte(body), 0o600); err != nil {
		s.t.Fatal(err)
	}
}

func (s *doctorSetup) writeConfig() {
	s.t.Helper()
	c := s.conf
	s.write("venerdi.toml", fmt.Sprintf(`[site]
title = "Bottega Digitale"
url = "https://bottega.example.it"
timezone = "Europe/Rome"

[sources]
feeds = %s
catalog = %s

[mail]
from = "Bottega <news@example.it>"
list_id = "settimanale.example.it"
dkim_key_file = "dkim.pem"
dkim_selector = "sel"

[smtp]
host = "127.0.0.1"
port = %d
tls = "none"
username = "news@example.it"
password_file = %s

[web]
base_url = %s
`, c["feeds"], c["catalog"], s.smtp.Port, c["password_file"], c["base_url"]))
}

func (s *doctorSetup) run(args ...string) (int, string) {
	return s.runEnv(nil, args...)
}

func (s *doctorSetup) runEnv(env []string, args ...string) (int, string) {
	var out bytes.Buffer
	code := Run(context.Background(), append([]string{"--config", s.cfg, "--now", "2026-12-02T10:00:00+01:00"}, args...), nil, &out, &out, env)
	return code, out.String()
}

// line returns the report line of check name.
func line(out, mark, name string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, mark+" "+name+" ") {
			return l
		}
	}
	return ""
}

func TestDoctorGoodSetup(t *testing.T) {
	s := newDoctorSetup(t)
	code, out := s.run("doctor")
	if code != 0 {
		t.Fatalf("doctor on a good setup = exit %d:\n%s", code, out)
	}
	for _, want := range []struct{ name, has string }{
		{"config", "is valid, identity filled in"},
		{"database", "readable, schema"},
		{"database permissions", "owner-only (0600)"},
		{"disk space", "MB free"},
		{"token secret", "kept in the database"},
		{"feed " + s.feedSrv.URL + "/blog/feed.xml", "11 posts"},
		{"catalog " + s.feedSrv.URL + "/webinars.json", "valid json, 8 webinars"},
		{"smtp", fmt.Sprintf("127.0.0.1:%d answered, TLS none, AUTH accepted for news@example.it; no message sent", s.smtp.Port)},
		{"password under cron", "read from smtp.password_file " + filepath.Join(s.dir, "smtp-password")},
		{"dkim", "matches the record published at sel._domainkey.example.it"},
		{"spf", "example.it: v=spf1 ip4:127.0.0.1 -all"},
		{"dmarc", "_dmarc.example.it: v=DMARC1"},
		{"alignment", "DKIM d=example.it aligned"},
		{"web", "/healthz answers: venerdi serve is up"},
		{"next slot", "Fri 2026-12-04 09:00 CET (in 1d 23h)"},
		{"last issue", "none yet"},
	} {
		if l := line(out, "✓", want.name); !strings.Contains(l, want.has) {
			t.Errorf("doctor: no ✓ %s line with %q in:\n%s", want.name, want.has, out)
		}
	}
	if len(s.smtp.Messages()) != 0 {
		t.Errorf("doctor sent %d messages; want none", len(s.smtp.Messages()))
	}
	if strings.Contains(out, "s3cret") {
		t.Errorf("doctor printed the password:\n%s", out)
	}

	code, out = s.run("doctor", "--json")
	var rep struct {
		OK     bool `json:"ok"`
		Checks []struct {
			Name, Status, Detail, Fix string
		} `json:"checks"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 || !rep.OK || len(rep.Checks) < 16 {
		t.Errorf("doctor --json = exit %d, %+v, %v:\n%s", code, rep, err, out)
	}
}

// Each broken piece fails its own line, with its fix, and exit 1.
func TestDoctorFailures(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(s *doctorSetup)
		check  string // the ✗ line's name
		has    string
	}{
		{"wrong SMTP password", func(s *doctorSetup) { s.write("smtp-password", "hunter2\n") },
			"smtp", "authentication refused: smtp dial 127.0.0.1:"},
		{"unreachable feed", func(s *doctorSetup) {
			s.conf["feeds"] = `["http://127.0.0.1:1/feed.xml"]`
			s.writeConfig()
		}, "feed http://127.0.0.1:1/feed.xml", "unreachable"},
		{"corrupt database", func(s *doctorSetup) {
			s.stopServ()
			b, err := os.ReadFile(s.db)
			if err != nil || len(b) < 8192 {
				s.t.Fatalf("database: %d bytes, %v", len(b), err)
			}
			// Garble every page but the header page.
			for i := 4096; i < len(b); i++ {
				b[i] ^= 0x5a
			}
			os.Remove(s.db + "-wal")
			os.Remove(s.db + "-shm")
			os.WriteFile(s.db, b, 0o600)
		}, "database", "restore the last backup"},
		{"world-readable database", func(s *doctorSetup) { os.Chmod(s.db, 0o644) },
			"database permissions", "others can read it: DB is 0644"},
		{"serve down", func(s *doctorSetup) { s.stopServ() }, "web", "start 'venerdi serve'"},
		{"DKIM key not the published one", func(s *doctorSetup) {
			_, key, _ := ed25519.GenerateKey(rand.Reader)
			der, _ := x509.MarshalPKCS8PrivateKey(key)
			s.write("dkim.pem", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})))
		}, "dkim", "is not the one in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newDoctorSetup(t)
			tt.break_(s)
			code, out := s.run("doctor")
			want := strings.ReplaceAll(tt.has, "DB", s.db)
			if l := line(out, "✗", tt.check); code != ExitFailure || !strings.Contains(l, want) {
				t.Errorf("doctor with a %s = exit %d; want exit 1 and a ✗ %s line with %q:\n%s", tt.name, code, tt.check, want, out)
			}
			if !strings.Contains(out, "venerdi: doctor: ") {
				t.Errorf("doctor with a %s: no verdict on standard error:\n%s", tt.name, out)
			}
		})
	}
}

// Without DNS the mail checks are skipped with a note, and do not fail;
// a password only in this shell's environment is a warning.
func TestDoctorNoDNSAndEnvPassword(t *testing.T) {
	s := newDoctorSetup(t)
	doctorResolver = deadResolver(t)
	s.conf["password_file"] = `""`
	s.writeConfig()
	code, out := s.runEnv([]string{"VENERDI_SMTP_PASSWORD=s3cret", "VENERDI_DB=" + s.db}, "doctor")
	if code != 0 {
		t.Fatalf("doctor without DNS = exit %d:\n%s", code, out)
	}
	for _, name := range []string{"spf", "dmarc", "alignment", "dkim"} {
		if l := line(out, "-", name); !strings.Contains(l, "DNS cannot be queried here") {
			t.Errorf("doctor without DNS: no skipped %s line:\n%s", name, out)
		}
	}
	l := line(out, "!", "password under cron")
	if !strings.Contains(l, "only VENERDI_SMTP_PASSWORD of this shell holds it") || !strings.Contains(l, "VENERDI_DB of this shell will not be set") {
		t.Errorf("doctor with the password in the environment only: %q in:\n%s", l, out)
	}
	if line(out, "✓", "smtp") == "" || strings.Contains(out, "s3cret") {
		t.Errorf("doctor with the password in the environment: smtp not ✓, or the password printed:\n%s", out)
	}
}
