package mailer

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
)

const bounce = "bounce@bottega.example.it"

// dial connects to ts or fails the test; the Conn is closed at cleanup.
func dial(t *testing.T, cfg SMTPConfig) *Conn {
	t.Helper()
	c, err := Dial(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Dial(%s:%d, tls=%s) = %v", cfg.Host, cfg.Port, cfg.TLS, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// render builds the test message for to.
func render(t *testing.T, to string) []byte {
	t.Helper()
	m := testMessage(to)
	// Lines that start with a dot must survive SMTP dot-stuffing.
	m.Text += ".\n..due punti\n.un punto\n"
	raw, err := m.Bytes(nil)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func send(t *testing.T, c *Conn, to string) ([]byte, error) {
	t.Helper()
	raw := render(t, to)
	return raw, c.Send(context.Background(), Envelope{From: bounce, To: to}, raw)
}

func asSendError(t *testing.T, err error) *SendError {
	t.Helper()
	var se *SendError
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is not a *SendError", err, err)
	}
	return se
}

func count(cmds []string, verb string) int {
	n := 0
	for _, c := range cmds {
		if c == verb {
			n++
		}
	}
	return n
}

func TestConnSendsSeveralMessages(t *testing.T) {
	ts := newTestServer(t, serverOptions{})
	c := dial(t, ts.config(TLSNone))

	recipients := []string{"anna@example.com", "bruno@example.com", "carla@example.com"}
	var raws [][]byte
	for _, to := range recipients {
		raw, err := send(t, c, to)
		if err != nil {
			t.Fatalf("Send(%s) = %v", to, err)
		}
		raws = append(raws, raw)
	}
	if err := c.Close(); err != nil {
		t.Errorf("Close() = %v", err)
	}

	got := ts.messages()
	if len(got) != len(recipients) {
		t.Fatalf("server received %d messages; want %d", len(got), len(recipients))
	}
	for i, msg := range got {
		if msg.From != bounce || !slices.Equal(msg.To, []string{recipients[i]}) {
			t.Errorf("message %d envelope = %s → %v; want %s → %s", i, msg.From, msg.To, bounce, recipients[i])
		}
		if !bytes.Equal(msg.Data, raws[i]) {
			t.Errorf("message %d arrived altered:\n%s\nwant:\n%s", i, msg.Data, raws[i])
		}
		m := testMessage(recipients[i])
		m.Text += ".\n..due punti\n.un punto\n"
		checkWellFormed(t, msg.Data, m)
		h, _ := parseMessage(t, msg.Data)
		for _, name := range []string{"List-Unsubscribe", "List-Unsubscribe-Post", "List-Id"} {
			if h.Get(name) == "" {
				t.Errorf("message %d has no %s", i, name)
			}
		}
	}
	if n := ts.sessionCount(); n != 1 {
		t.Errorf("%d SMTP sessions; want all messages over 1", n)
	}
	cmds := ts.commands()
	for verb, want := range map[string]int{"EHLO": 1, "MAIL": 3, "RCPT": 3, "DATA": 3, "NOOP": 0, "RSET": 0, "QUIT": 1} {
		if n := count(cmds, verb); n != want {
			t.Errorf("%d %s commands; want %d (commands: %v)", n, verb, want, cmds)
		}
	}
}

func TestConnRefusedRecipient(t *testing.T) {
	tests := []struct {
		name       string
		code       int
		enhanced   gosmtp.EnhancedCode
		permanent  bool
		connBroken bool
	}{
		{"550 permanent", 550, gosmtp.EnhancedCode{5, 1, 1}, true, false},
		{"451 temporary", 451, gosmtp.EnhancedCode{4, 7, 1}, false, false},
		{"421 closing", 421, gosmtp.EnhancedCode{4, 3, 2}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, serverOptions{})
			ts.refuse("nobody@example.com", tt.code, tt.enhanced, "Mailbox says no")
			c := dial(t, ts.config(TLSNone))

			if _, err := send(t, c, "anna@example.com"); err != nil {
				t.Fatalf("Send(anna) = %v", err)
			}
			_, err := send(t, c, "nobody@example.com")
			se := asSendError(t, err)
			wantEnhanced := fmt.Sprintf("%d.%d.%d", tt.enhanced[0], tt.enhanced[1], tt.enhanced[2])
			if se.Code != tt.code || se.Enhanced != wantEnhanced || se.Msg != "Mailbox says no" ||
				se.Permanent != tt.permanent || se.ConnBroken != tt.connBroken {
				t.Errorf("Send(nobody) = %+v; want Code %d, Enhanced %s, Msg %q, Permanent %v, ConnBroken %v",
					*se, tt.code, wantEnhanced, "Mailbox says no", tt.permanent, tt.connBroken)
			}
			if IsPermanent(err) != tt.permanent || IsConnBroken(err) != tt.connBroken {
				t.Errorf("IsPermanent, IsConnBroken = %v, %v; want %v, %v", IsPermanent(err), IsConnBroken(err), tt.permanent, tt.connBroken)
			}
			want := fmt.Sprintf("smtp rcpt to: %d %s Mailbox says no", tt.code, wantEnhanced)
			if err.Error() != want {
				t.Errorf("Error() = %q; want %q", err, want)
			}

			_, err = send(t, c, "bruno@example.com")
			if tt.connBroken {
				if !IsConnBroken(err) {
					t.Errorf("Send after %d = %v; want ConnBroken", tt.code, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Send(bruno) after a refusal = %v; want the connection still usable", err)
			}
			if got := ts.messages(); len(got) != 2 || got[1].To[0] != "bruno@example.com" {
				t.Errorf("received %d messages; want anna and bruno", len(got))
			}
			cmds := ts.commands()
			if n := count(cmds, "RSET"); n != 1 {
				t.Errorf("%d RSET; want 1 after the refusal (commands: %v)", n, cmds)
			}
			if n := ts.sessionCount(); n != 1 {
				t.Errorf("%d sessions; want 1", n)
			}
		})
	}
}

func TestConnDroppedMidData(t *testing.T) {
	ts := newTestServer(t, serverOptions{})
	ts.dropDuringData("drop@example.com")
	c := dial(t, ts.config(TLSNone))

	_, err := send(t, c, "drop@example.com")
	se := asSendError(t, err)
	if !se.ConnBroken || se.Permanent || se.Code != 0 {
		t.Errorf("Send(drop) = %+v; want ConnBroken, not Permanent, no code", *se)
	}
	if !IsConnBroken(err) || IsPermanent(err) {
		t.Errorf("IsConnBroken, IsPermanent = %v, %v; want true, false", IsConnBroken(err), IsPermanent(err))
	}

	// The broken Conn refuses at once, without touching the network.
	start := time.Now()
	if _, err := send(t, c, "anna@example.com"); !IsConnBroken(err) {
		t.Errorf("Send on a broken Conn = %v; want ConnBroken", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("Close() on a broken Conn = %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Send+Close on a broken Conn took %v", d)
	}

	// Redialling is the cure.
	c = dial(t, ts.config(TLSNone))
	if _, err := send(t, c, "anna@example.com"); err != nil {
		t.Fatalf("Send after redial = %v", err)
	}
	if got := ts.messages(); len(got) != 1 {
		t.Errorf("received %d messages; want 1", len(got))
	}
}

func TestConnTimeouts(t *testing.T) {
	t.Run("command timeout", func(t *testing.T) {
		ts := newTestServer(t, serverOptions{})
		ts.stallDuringData("slow@example.com")
		cfg := ts.config(TLSNone)
		cfg.Timeout = 300 * time.Millisecond
		cfg.DataTimeout = 300 * time.Millisecond
		c := dial(t, cfg)
		start := time.Now()
		_, err := send(t, c, "slow@example.com")
		if !IsConnBroken(err) || !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("Send(slow) = %v; want ConnBroken wrapping os.ErrDeadlineExceeded", err)
		}
		// The whole message was sent and no reply came: it may have been
		// delivered, and the error says so.
		if !IsUncertain(err) {
			t.Errorf("Send(slow) = %v; want an uncertain outcome", err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("Send(slow) took %v; want about the 300ms timeout", d)
		}
	})
	t.Run("context deadline", func(t *testing.T) {
		ts := newTestServer(t, serverOptions{})
		ts.stallDuringData("slow@example.com")
		cfg := ts.config(TLSNone) // 5s command timeout
		cfg.DataTimeout = 5 * time.Second
		c := dial(t, cfg)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := c.Send(ctx, Envelope{From: bounce, To: "slow@example.com"}, render(t, "slow@example.com"))
		if !IsConnBroken(err) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Send(slow, 200ms ctx) = %v; want ConnBroken wrapping context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("Send(slow) took %v; want about 200ms", d)
		}
	})
	t.Run("cancelled before sending", func(t *testing.T) {
		ts := newTestServer(t, serverOptions{})
		c := dial(t, ts.config(TLSNone))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := c.Send(ctx, Envelope{From: bounce, To: "anna@example.com"}, render(t, "anna@example.com")); !errors.Is(err, context.Canceled) || IsConnBroken(err) {
			t.Errorf("Send(cancelled ctx) = %v; want context.Canceled, connection intact", err)
		}
		// An expired context from an earlier call leaves the Conn usable.
		if _, err := send(t, c, "anna@example.com"); err != nil {
			t.Errorf("Send after a cancelled one = %v", err)
		}
	})
	t.Run("server never greets", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				defer c.Close()
			}
		}()
		cfg := SMTPConfig{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, TLS: TLSNone, Timeout: 300 * time.Millisecond}
		start := time.Now()
		if _, err := Dial(context.Background(), cfg); err == nil {
			t.Error("Dial to a silent server = nil error")
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("Dial took %v; want about the 300ms timeout", d)
		}

		cfg.Timeout = 10 * time.Second
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start = time.Now()
		if _, err := Dial(ctx, cfg); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Dial(200ms ctx) = %v; want context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("Dial(200ms ctx) took %v", d)
		}

		ctx, cancel = context.WithCancel(context.Background())
		cancel()
		if _, err := Dial(ctx, cfg); !errors.Is(err, context.Canceled) {
			t.Errorf("Dial(cancelled ctx) = %v; want context.Canceled", err)
		}
	})
}

func TestConnAuth(t *testing.T) {
	const user, pass = "bottega", "s3gr3t0-Pa55!"
	users := map[string]string{user: pass}
	tests := []struct {
		name     string
		opts     serverOptions
		mode     string
		username string
		password string
		wantErr  string // Dial error; "" for success
	}{
		{"plain", serverOptions{users: users}, TLSNone, user, pass, ""},
		{"login only", serverOptions{users: users, mechs: []string{"LOGIN"}}, TLSNone, user, pass, ""},
		{"plain after starttls", serverOptions{users: users, startTLS: true}, TLSStartTLS, user, pass, ""},
		{"plain over implicit tls", serverOptions{users: users, implicitTLS: true}, TLSImplicit, user, pass, ""},
		{"wrong password", serverOptions{users: users}, TLSNone, user, "wrong-" + pass, "535"},
		{"wrong password after starttls", serverOptions{users: users, startTLS: true}, TLSStartTLS, user, "wrong-" + pass, "535"},
		{"server without auth", serverOptions{}, TLSNone, user, pass, "does not support SMTP AUTH"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, tt.opts)
			cfg := ts.config(tt.mode)
			cfg.Username, cfg.Password = tt.username, tt.password
			c, err := Dial(context.Background(), cfg)
			if tt.wantErr != "" {
				if err == nil {
					c.Close()
					t.Fatalf("Dial() = nil error; want %q", tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("Dial() = %q; want it to mention %q", err, tt.wantErr)
				}
				for _, secret := range []string{tt.password, base64.StdEncoding.EncodeToString([]byte(tt.password))} {
					if strings.Contains(err.Error(), secret) {
						t.Errorf("Dial() error reveals the password: %q", err)
					}
				}
				if tt.wantErr == "535" && !IsPermanent(err) {
					t.Errorf("IsPermanent(%v) = false; want true for 535", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Dial() = %v", err)
			}
			defer c.Close()
			if _, err := send(t, c, "anna@example.com"); err != nil {
				t.Fatalf("Send() = %v", err)
			}
			got := ts.messages()
			if len(got) != 1 || got[0].Auth != user {
				t.Fatalf("received %+v; want one message from authenticated %q", got, user)
			}
			if wantTLS := tt.mode != TLSNone; got[0].TLS != wantTLS {
				t.Errorf("session TLS = %v; want %v", got[0].TLS, wantTLS)
			}
		})
	}

	t.Run("no credentials for a server that wants them", func(t *testing.T) {
		ts := newTestServer(t, serverOptions{users: users})
		c := dial(t, ts.config(TLSNone))
		_, err := send(t, c, "anna@example.com")
		if se := asSendError(t, err); se.Code != 502 || !se.Permanent {
			t.Errorf("Send() = %+v; want a permanent 502", *se)
		}
	})
}

func TestConnTLS(t *testing.T) {
	t.Run("starttls", func(t *testing.T) {
		ts := newTestServer(t, serverOptions{startTLS: true})
		c := dial(t, ts.config(TLSStartTLS))
		for _, to := range []string{"anna@example.com", "bruno@example.com"} {
			if _, err := send(t, c, to); err != nil {
				t.Fatalf("Send(%s) = %v", to, err)
			}
		}
		c.Close()
		got := ts.messages()
		if len(got) != 2 || !got[0].TLS || !got[1].TLS {
			t.Fatalf("received %d messages, TLS %v; want 2 over TLS", len(got), got)
		}
		if cmds := ts.commands(); count(cmds, "STARTTLS") != 1 {
			t.Errorf("commands %v; want one STARTTLS", cmds)
		}
	})
	t.Run("implicit tls", func(t *testing.T) {
		ts := newTestServer(t, serverOptions{implicitTLS: true})
		c := dial(t, ts.config(TLSImplicit))
		if _, err := send(t, c, "anna@example.com"); err != nil {
			t.Fatalf("Send() = %v", err)
		}
		if got := ts.messages(); len(got) != 1 || !got[0].TLS {
			t.Fatalf("received %+v; want one message over TLS", got)
		}
	})

	failures := []struct {
		name   string
		opts   serverOptions
		mode   string
		verify bool // verify the certificate
		want   string
	}{
		{"starttls not offered", serverOptions{}, TLSStartTLS, false, "does not support STARTTLS"},
		{"starttls untrusted certificate", serverOptions{startTLS: true}, TLSStartTLS, true, "certificate"},
		{"implicit tls untrusted certificate", serverOptions{implicitTLS: true}, TLSImplicit, true, "certificate"},
		{"implicit tls to a plain server", serverOptions{}, TLSImplicit, false, "tls handshake"},
	}
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTestServer(t, tt.opts)
			cfg := ts.config(tt.mode)
			cfg.InsecureSkipVerify = !tt.verify
			cfg.Timeout = 2 * time.Second
			cfg.Username, cfg.Password = "bottega", "s3gr3t0"
			c, err := Dial(context.Background(), cfg)
			if err == nil {
				c.Close()
				t.Fatalf("Dial() = nil error; want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Dial() = %q; want it to mention %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "s3gr3t0") {
				t.Errorf("Dial() error reveals the password: %q", err)
			}
			if msgs := ts.messages(); len(msgs) != 0 {
				t.Errorf("server received %d messages", len(msgs))
			}
		})
	}
}

func TestConnInvalidEnvelope(t *testing.T) {
	ts := newTestServer(t, serverOptions{})
	c := dial(t, ts.config(TLSNone))
	for _, env := range []Envelope{
		{From: bounce, To: "foo"},
		{From: bounce, To: "a@example.com\r\nRCPT TO:<b@example.com>"},
		{From: "bounce", To: "a@example.com"},
	} {
		err := c.Send(context.Background(), env, []byte("x\r\n"))
		if !IsPermanent(err) || IsConnBroken(err) || !errors.Is(err, ErrInvalidAddress) {
			t.Errorf("Send(%+v) = %v; want permanent ErrInvalidAddress", env, err)
		}
	}
	if cmds := ts.commands(); count(cmds, "MAIL") != 0 || count(cmds, "RCPT") != 0 {
		t.Errorf("commands %v; want none for invalid envelopes", cmds)
	}
	// The null reverse-path is allowed.
	if err := c.Send(context.Background(), Envelope{To: "anna@example.com"}, render(t, "anna@example.com")); err != nil {
		t.Fatalf("Send(null sender) = %v", err)
	}
	if got := ts.messages(); len(got) != 1 || got[0].From != "" {
		t.Errorf("received %+v; want one message with the null sender", got)
	}
}

func TestConnCloseTwice(t *testing.T) {
	ts := newTestServer(t, serverOptions{})
	c := dial(t, ts.config(TLSNone))
	if err := c.Close(); err != nil {
		t.Errorf("Close() = %v", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close() = %v", err)
	}
	if _, err := send(t, c, "anna@example.com"); !IsConnBroken(err) {
		t.Errorf("Send after Close = %v; want ConnBroken", err)
	}
}

func TestSMTPConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  SMTPConfig
		want string
	}{
		{"no host", SMTPConfig{}, `smtp host "": invalid`},
		{"host with space", SMTPConfig{Host: "mail example.com"}, `smtp host "mail example.com": invalid`},
		{"tls mode", SMTPConfig{Host: "localhost", TLS: "ssl"}, `smtp tls "ssl": must be starttls, tls or none`},
		{"port", SMTPConfig{Host: "localhost", Port: 70000}, "smtp port 70000: out of range"},
		{"timeout", SMTPConfig{Host: "localhost", Timeout: -time.Second}, "smtp timeout -1s: negative"},
		{"helo", SMTPConfig{Host: "localhost", HELO: "a\r\nb"}, `smtp helo "a\r\nb": invalid`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Dial(context.Background(), tt.cfg); err == nil || err.Error() != tt.want {
				t.Errorf("Dial(%+v) = %v; want %q", tt.cfg, err, tt.want)
			}
		})
	}

	defaults := []struct {
		mode string
		port int
	}{{"", 587}, {"STARTTLS", 587}, {TLSImplicit, 465}, {TLSNone, 25}}
	for _, d := range defaults {
		cfg, err := SMTPConfig{Host: "mail.example.com", TLS: d.mode}.withDefaults()
		if err != nil || cfg.Port != d.port || cfg.Timeout != DefaultTimeout {
			t.Errorf("withDefaults(TLS %q) = port %d, timeout %v, %v; want %d, %v", d.mode, cfg.Port, cfg.Timeout, err, d.port, DefaultTimeout)
		}
	}
}

func TestDialConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	_, err = Dial(context.Background(), SMTPConfig{Host: "127.0.0.1", Port: port, TLS: TLSNone, Timeout: time.Second})
	if err == nil || !strings.HasPrefix(err.Error(), fmt.Sprintf("smtp dial 127.0.0.1:%d: ", port)) {
		t.Errorf("Dial(closed port) = %v; want smtp dial 127.0.0.1:%d: …", err, port)
	}
}

func TestClassify(t *testing.T) {
	timeout := &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
	tests := []struct {
		name string
		err  error
		want SendError
	}{
		{"550 with enhanced code", &textproto.Error{Code: 550, Msg: "5.1.1 No such user"},
			SendError{Code: 550, Enhanced: "5.1.1", Msg: "No such user", Permanent: true}},
		{"552 without enhanced code", &textproto.Error{Code: 552, Msg: "Message too big"},
			SendError{Code: 552, Msg: "Message too big", Permanent: true}},
		{"451 temporary", &textproto.Error{Code: 451, Msg: "4.7.1 Greylisted, try later"},
			SendError{Code: 451, Enhanced: "4.7.1", Msg: "Greylisted, try later"}},
		{"421 closing", &textproto.Error{Code: 421, Msg: "4.4.5 Too busy"},
			SendError{Code: 421, Enhanced: "4.4.5", Msg: "Too busy", ConnBroken: true}},
		{"multi-line", &textproto.Error{Code: 554, Msg: "5.7.1 Rejected by policy\n5.7.1 see https://x.example/why"},
			SendError{Code: 554, Enhanced: "5.7.1", Msg: "Rejected by policy see https://x.example/why", Permanent: true}},
		{"text looking like a code", &textproto.Error{Code: 550, Msg: "5.1 is not a code"},
			SendError{Code: 550, Msg: "5.1 is not a code", Permanent: true}},
		{"unexpected 354", &textproto.Error{Code: 354, Msg: "go ahead"},
			SendError{Code: 354, Msg: "go ahead", ConnBroken: true}},
		{"wrapped reply", fmt.Errorf("SMTP AUTH failed: %w", &textproto.Error{Code: 535, Msg: "5.7.8 Authentication failed"}),
			SendError{Code: 535, Enhanced: "5.7.8", Msg: "Authentication failed", Permanent: true}},
		{"eof", io.EOF, SendError{Msg: "EOF", ConnBroken: true}},
		{"timeout", timeout, SendError{Msg: timeout.Error(), ConnBroken: true}},
		{"protocol error", textproto.ProtocolError("short response: 2"), SendError{Msg: "short response: 2", ConnBroken: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classify(tt.err)
			if got.Code != tt.want.Code || got.Enhanced != tt.want.Enhanced || got.Msg != tt.want.Msg ||
				got.Permanent != tt.want.Permanent || got.ConnBroken != tt.want.ConnBroken {
				t.Errorf("classify(%v) = %+v; want %+v", tt.err, *got, tt.want)
			}
			if !errors.Is(got, tt.err) {
				t.Errorf("classify(%v) does not wrap the original error", tt.err)
			}
		})
	}
}

func TestIsPermanentOnOtherErrors(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("boom"), false},
		{fmt.Errorf("smtp dial x: %w", &textproto.Error{Code: 535, Msg: "no"}), true},
		{fmt.Errorf("smtp dial x: %w", &textproto.Error{Code: 454, Msg: "later"}), false},
		{fmt.Errorf("wrapped: %w", &SendError{Permanent: true}), true},
	}
	for _, tt := range tests {
		if got := IsPermanent(tt.err); got != tt.want {
			t.Errorf("IsPermanent(%v) = %v; want %v", tt.err, got, tt.want)
		}
	}
}

func TestRedact(t *testing.T) {
	const user, pass = "bottega", "hunter2-long"
	plain := base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + pass))
	tests := []struct {
		name      string
		err       error
		permanent bool
	}{
		{"password", errors.New("server said: bad password hunter2-long"), false},
		{"base64 password", errors.New("echo: " + base64.StdEncoding.EncodeToString([]byte(pass))), false},
		{"plain response", fmt.Errorf("auth: %w", &textproto.Error{Code: 535, Msg: "bad " + plain}), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := redact(tt.err, user, pass)
			if strings.Contains(got.Error(), pass) || strings.Contains(got.Error(), plain) || !strings.Contains(got.Error(), "[redacted]") {
				t.Errorf("redact(%q) = %q", tt.err, got)
			}
			if IsPermanent(got) != tt.permanent {
				t.Errorf("IsPermanent(redact(%q)) = %v; want %v", tt.err, IsPermanent(got), tt.permanent)
			}
		})
	}
	clean := errors.New("dial tcp: connection refused")
	if got := redact(clean, user, pass); got != clean {
		t.Errorf("redact(%q) = %q; want it unchanged", clean, got)
	}
	// A one-letter password would otherwise turn every "p" into [redacted].
	if got := redact(clean, user, "p"); got != clean {
		t.Errorf("redact(%q, short password) = %q; want it unchanged", clean, got)
	}
}
