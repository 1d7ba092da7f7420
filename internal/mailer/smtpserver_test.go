package mailer

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"
)

// This file is a small in-process SMTP server (github.com/emersion/go-smtp
// on 127.0.0.1) for the transport tests: it records what arrives and can be
// told to refuse, drop or stall chosen recipients.

// serverOptions configure newTestServer.
type serverOptions struct {
	startTLS    bool              // offer STARTTLS (self-signed certificate)
	implicitTLS bool              // TLS from the first byte
	users       map[string]string // require AUTH with these username → password
	mechs       []string          // AUTH mechanisms to offer; default PLAIN
}

// received is one message as the server got it.
type received struct {
	From string
	To   []string
	Data []byte
	TLS  bool // the session was encrypted
	Auth string
}

type testServer struct {
	host string
	port int
	cert *x509.Certificate

	mu         sync.Mutex
	msgs       []received
	sessions   int
	replies    map[string]*gosmtp.SMTPError // recipient → refusal at RCPT
	drop       map[string]bool              // recipient → drop the connection mid-DATA
	stall      map[string]bool              // recipient → never answer DATA
	transcript bytes.Buffer

	release chan struct{} // closed at cleanup to free stalled sessions
}

func newTestServer(t *testing.T, opts serverOptions) *testServer {
	t.Helper()
	ts := &testServer{
		replies: map[string]*gosmtp.SMTPError{},
		drop:    map[string]bool{},
		stall:   map[string]bool{},
		release: make(chan struct{}),
	}
	be := gosmtp.BackendFunc(func(c *gosmtp.Conn) (gosmtp.Session, error) {
		ts.mu.Lock()
		ts.sessions++
		ts.mu.Unlock()
		return &testSession{ts: ts, opts: opts, conn: c}, nil
	})
	srv := gosmtp.NewServer(be)
	srv.Domain = "mx.test"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.Debug = lockedWriter{&ts.mu, &ts.transcript}
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	// go-smtp refuses AUTH without TLS unless told otherwise; the
	// plain-text tests need it, the TLS tests prove it happens after TLS.
	srv.AllowInsecureAuth = !opts.startTLS && !opts.implicitTLS

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if opts.startTLS || opts.implicitTLS {
		cert := selfSignedCert(t)
		ts.cert = cert.Leaf
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		if opts.implicitTLS {
			l = tls.NewListener(l, srv.TLSConfig)
			srv.TLSConfig = nil // no STARTTLS inside TLS
		}
	}
	addr := l.Addr().(*net.TCPAddr)
	ts.host, ts.port = "127.0.0.1", addr.Port
	go srv.Serve(l)
	t.Cleanup(func() {
		close(ts.release)
		srv.Close()
	})
	return ts
}

// config returns a client configuration for this server.
func (ts *testServer) config(mode string) SMTPConfig {
	return SMTPConfig{
		Host:               ts.host,
		Port:               ts.port,
		TLS:                mode,
		Timeout:            5 * time.Second,
		HELO:               "client.test",
		InsecureSkipVerify: true,
	}
}

func (ts *testServer) messages() []received {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]received(nil), ts.msgs...)
}

func (ts *testServer) sessionCount() int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.sessions
}

// commands returns the SMTP command verbs the client sent, in order
// (message content excluded).
func (ts *testServer) commands() []string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	var cmds []string
	inData := false
	for line := range strings.SplitSeq(ts.transcript.String(), "\r\n") {
		switch {
		case inData:
			if line == "." {
				inData = false
			}
		case strings.HasPrefix(line, "354 "):
			inData = true
		default:
			verb, _, _ := strings.Cut(line, " ")
			verb, _, _ = strings.Cut(verb, ":")
			switch strings.ToUpper(verb) {
			case "EHLO", "HELO", "MAIL", "RCPT", "DATA", "RSET", "NOOP", "QUIT", "STARTTLS", "AUTH":
				cmds = append(cmds, strings.ToUpper(verb))
			}
		}
	}
	return cmds
}

func (ts *testServer) refuse(rcpt string, code int, enhanced gosmtp.EnhancedCode, msg string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.replies[rcpt] = &gosmtp.SMTPError{Code: code, EnhancedCode: enhanced, Message: msg}
}

func (ts *testServer) dropDuringData(rcpt string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.drop[rcpt] = true
}

func (ts *testServer) stallDuringData(rcpt string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.stall[rcpt] = true
}

type testSession struct {
	ts   *testServer
	opts serverOptions
	conn *gosmtp.Conn
	user string
	from string
	to   []string
}

func (s *testSession) AuthMechanisms() []string {
	if s.opts.users == nil {
		return nil
	}
	if s.opts.mechs != nil {
		return s.opts.mechs
	}
	return []string{sasl.Plain}
}

func (s *testSession) Auth(mech string) (sasl.Server, error) {
	check := func(username, password string) error {
		if want, ok := s.opts.users[username]; !ok || want != password {
			return gosmtp.ErrAuthFailed
		}
		s.user = username
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(identity, username, password string) error {
			return check(username, password)
		}), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	}
	return nil, gosmtp.ErrAuthUnknownMechanism
}

func (s *testSession) Mail(from string, _ *gosmtp.MailOptions) error {
	if s.opts.users != nil && s.user == "" {
		return gosmtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *testSession) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	s.ts.mu.Lock()
	refusal := s.ts.replies[to]
	s.ts.mu.Unlock()
	if refusal != nil {
		return refusal
	}
	s.to = append(s.to, to)
	return nil
}

func (s *testSession) Data(r io.Reader) error {
	s.ts.mu.Lock()
	drop, stall := false, false
	for _, to := range s.to {
		drop = drop || s.ts.drop[to]
		stall = stall || s.ts.stall[to]
	}
	s.ts.mu.Unlock()
	if drop {
		// Read a little so the client is mid-transfer, then hang up.
		io.CopyN(io.Discard, r, 512)
		s.conn.Close()
		return errors.New("dropped")
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if stall {
		<-s.ts.release
		return errors.New("released")
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.ts.mu.Lock()
	s.ts.msgs = append(s.ts.msgs, received{From: s.from, To: s.to, Data: data, TLS: isTLS, Auth: s.user})
	s.ts.mu.Unlock()
	return nil
}

func (s *testSession) Reset() {
	s.from, s.to = "", nil
}

func (s *testSession) Logout() error { return nil }

// loginServer is the server side of AUTH LOGIN, which go-sasl only has as a
// client.
type loginServer struct {
	check    func(username, password string) error
	step     int
	username string
}

func (l *loginServer) Next(response []byte) (challenge []byte, done bool, err error) {
	switch l.step {
	case 0:
		l.step++
		if len(response) > 0 { // initial response carries the username
			l.username = string(response)
			l.step++
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 1:
		l.step++
		l.username = string(response)
		return []byte("Password:"), false, nil
	default:
		return nil, true, l.check(l.username, string(response))
	}
}

// lockedWriter serialises the server's debug output with the recorder.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (lw lockedWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	return lw.w.Write(p)
}

// selfSignedCert makes a throwaway certificate for 127.0.0.1 and localhost.
func selfSignedCert(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "mx.test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}
