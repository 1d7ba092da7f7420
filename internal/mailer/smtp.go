package mailer

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// TLS modes for SMTPConfig.TLS.
const (
	TLSStartTLS = "starttls" // plain connect, then STARTTLS; fail when not offered
	TLSImplicit = "tls"      // TLS from the first byte ("SMTPS", port 465)
	TLSNone     = "none"     // no encryption; for local relays and tests
)

// DefaultTimeout bounds each SMTP command and the dial when
// SMTPConfig.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// DefaultDataTimeout is the end-of-data wait of RFC 5321 section 4.5.3.2.6.
const DefaultDataTimeout = 10 * time.Minute

// SMTPConfig describes one SMTP relay.
type SMTPConfig struct {
	Host string
	// Port defaults to 587 for "starttls", 465 for "tls" and 25 for "none".
	Port     int
	Username string // AUTH is used when set (PLAIN, else LOGIN, else what the server offers)
	Password string
	// TLS is "starttls" (the default), "tls" or "none".
	TLS string
	// Timeout bounds the dial plus handshake, and each command of a send;
	// default DefaultTimeout.
	Timeout time.Duration
	// DataTimeout bounds the wait for the reply to the final "." of a
	// message; default DefaultDataTimeout. RFC 5321 section 4.5.3.2.6 gives
	// the server 10 minutes: it may be writing the message to its queue,
	// and a client that gives up sooner cannot know whether the message
	// went out.
	DataTimeout time.Duration
	// NoPipelining turns off RFC 2920 pipelining even where the relay
	// offers it (for a relay that advertises it and gets it wrong).
	NoPipelining bool
	// HELO is the name announced in EHLO; default the local host name.
	HELO string
	// InsecureSkipVerify disables certificate verification. Tests only.
	InsecureSkipVerify bool
}

func (cfg SMTPConfig) withDefaults() (SMTPConfig, error) {
	cfg.Host = strings.TrimSpace(cfg.Host)
	if cfg.Host == "" || strings.ContainsAny(cfg.Host, " \t\r\n/") {
		return cfg, fmt.Errorf("smtp host %q: invalid", cfg.Host)
	}
	switch cfg.TLS = strings.ToLower(strings.TrimSpace(cfg.TLS)); cfg.TLS {
	case "":
		cfg.TLS = TLSStartTLS
	case TLSStartTLS, TLSImplicit, TLSNone:
	default:
		return cfg, fmt.Errorf("smtp tls %q: must be starttls, tls or none", cfg.TLS)
	}
	if cfg.Port == 0 {
		cfg.Port = map[string]int{TLSStartTLS: 587, TLSImplicit: 465, TLSNone: 25}[cfg.TLS]
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return cfg, fmt.Errorf("smtp port %d: out of range", cfg.Port)
	}
	if cfg.Timeout < 0 {
		return cfg, fmt.Errorf("smtp timeout %v: negative", cfg.Timeout)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.DataTimeout < 0 {
		return cfg, fmt.Errorf("smtp data_timeout %v: negative", cfg.DataTimeout)
	}
	if cfg.DataTimeout == 0 {
		cfg.DataTimeout = DefaultDataTimeout
	}
	if strings.ContainsAny(cfg.HELO, " \t\r\n") {
		return cfg, fmt.Errorf("smtp helo %q: invalid", cfg.HELO)
	}
	return cfg, nil
}

// Conn is one authenticated SMTP connection that sends message after
// message. Its methods may be called from several goroutines but run one at
// a time; use several Conns for parallel sending.
type Conn struct {
	mu      sync.Mutex
	client  *smtp.Client
	nc      *interruptibleConn // the TCP connection under any TLS
	timeout time.Duration
	// dataTimeout bounds the wait for the end-of-data reply.
	dataTimeout time.Duration
	broken      bool // the session state is unknown; only Close is useful
	// user and pass are kept to redact them from any reply that echoes
	// them (some relays quote the AUTH line in later errors).
	user, pass string
	// pipelining: the relay offers PIPELINING (RFC 2920), so MAIL, RCPT
	// and DATA travel in one write and their replies come back together.
	pipelining bool
	mailParams string // " BODY=8BITMIME" when offered
	// pending is the envelope SendThen pipelined behind the last message,
	// its replies not read yet.
	pending *Envelope
}

// Dial connects to the relay, says EHLO, upgrades to TLS as configured and
// authenticates when a Username is set. It is built on go-mail's client
// (DialToSMTPClientWithContext), keeping its *smtp.Client for sending.
//
// A 5xx reply during the handshake (such as 535 for bad credentials) makes
// IsPermanent report true for the returned error. Error messages never
// contain the password.
func Dial(ctx context.Context, cfg SMTPConfig) (*Conn, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	tlsConf := &tls.Config{
		ServerName:         cfg.Host,
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: cfg.InsecureSkipVerify,
	}

	// go-mail's default dialer cannot tell us the connection when the
	// handshake fails after connecting (it returns only the error and leaks
	// the socket), nor let a cancelled ctx interrupt the handshake. Dialing
	// ourselves gives us the socket to close and to interrupt.
	var nc *interruptibleConn
	var stopWatch func() bool
	dial := func(dctx context.Context, network, address string) (net.Conn, error) {
		var d net.Dialer
		c, err := d.DialContext(dctx, network, address)
		if err != nil {
			return nil, err
		}
		nc = &interruptibleConn{Conn: c}
		stopWatch = nc.watch(ctx)
		if cfg.TLS != TLSImplicit {
			return nc, nil
		}
		tc := tls.Client(nc, tlsConf)
		if err := tc.HandshakeContext(dctx); err != nil {
			return nil, fmt.Errorf("tls handshake: %w", err)
		}
		// smtp.NewClient recognises *tls.Conn and treats the session as
		// encrypted, which PLAIN and LOGIN auth require.
		return tc, nil
	}

	opts := []gomail.Option{
		gomail.WithPort(cfg.Port),
		gomail.WithTimeout(cfg.Timeout),
		gomail.WithDialContextFunc(dial),
		gomail.WithTLSConfig(tlsConf),
		// Addresses are validated as ASCII, so SMTPUTF8 is never needed.
		gomail.WithoutSMTPUTF8(),
	}
	if cfg.HELO != "" {
		opts = append(opts, gomail.WithHELO(cfg.HELO))
	}
	switch cfg.TLS {
	case TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSImplicit:
		// With a custom dialer go-mail does no TLS itself; WithSSL only
		// stops it from attempting STARTTLS inside the TLS session.
		opts = append(opts, gomail.WithSSL(), gomail.WithTLSPolicy(gomail.NoTLS))
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if cfg.Username != "" {
		// Prefer PLAIN, then LOGIN: what relays reliably support. If the
		// server offers neither, go-mail falls back to auto-discovery
		// (SCRAM, CRAM-MD5…). The -NOENC variants are the only way go-mail
		// sends credentials without TLS, which "none" explicitly asks for.
		mechs := []gomail.SMTPAuthType{gomail.SMTPAuthPlain, gomail.SMTPAuthLogin}
		if cfg.TLS == TLSNone {
			mechs = []gomail.SMTPAuthType{gomail.SMTPAuthPlainNoEnc, gomail.SMTPAuthLoginNoEnc}
		}
		opts = append(opts,
			gomail.WithUsername(cfg.Username),
			gomail.WithPassword(cfg.Password),
			gomail.WithOpportunisticSMTPAuth(mechs...))
	}
	gc, err := gomail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp %s: %w", addr, err)
	}
	client, err := gc.DialToSMTPClientWithContext(ctx)
	if stopWatch != nil {
		stopWatch()
	}
	if err == nil && ctx.Err() != nil {
		err = context.Cause(ctx)
	}
	if err != nil {
		if nc != nil {
			nc.Close()
		}
		// Whether the cancellation surfaced as an i/o timeout (our
		// interruption) or as net's own "operation was canceled", callers
		// should be able to test for the context error.
		if cause := context.Cause(ctx); cause != nil && !errors.Is(err, cause) {
			err = fmt.Errorf("%w (%v)", cause, err)
		}
		// Redacted inside, so the classification survives the redaction.
		return nil, newDialError(addr, redact(err, cfg.Username, cfg.Password), nc != nil)
	}
	c := &Conn{client: client, nc: nc, timeout: cfg.Timeout, dataTimeout: cfg.DataTimeout,
		user: cfg.Username, pass: cfg.Password}
	c.pipelining, _ = client.Extension("PIPELINING")
	c.pipelining = c.pipelining && !cfg.NoPipelining
	if ok, _ := client.Extension("8BITMIME"); ok {
		c.mailParams = " BODY=8BITMIME"
	}
	return c, nil
}

// Send delivers raw to env.To in one transaction: MAIL FROM, RCPT TO, DATA.
// raw must have CRLF line endings (Message.Bytes does); dot-stuffing is done
// here.
//
// Failures are *SendError. A rejected message leaves the connection usable:
// Send issues RSET after any failed reply so the next message starts clean.
// When the connection is lost, times out, or ctx ends mid-transaction, the
// error reports ConnBroken and every later Send fails at once: the caller
// must Close and Dial again.
func (c *Conn) Send(ctx context.Context, env Envelope, raw []byte) error {
	return c.SendThen(ctx, env, raw, nil)
}

// SendThen is Send, and where the relay pipelines, next's envelope (MAIL,
// RCPT, DATA) goes out right behind this message's final ".", so its
// replies come back with this message's: one round trip per message
// instead of two. next's body is not sent: the caller records this
// message's outcome first, then calls Send (or SendThen) with next, which
// finds its envelope already answered. A connection whose pipelined
// envelope is not followed by its message (the run stopped, this message
// failed) is closed without its final ".", so the relay delivers nothing
// for it.
func (c *Conn) SendThen(ctx context.Context, env Envelope, raw []byte, next *Envelope) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.client == nil {
		return &SendError{ConnBroken: true, Msg: "connection closed", err: net.ErrClosed}
	}
	if c.broken {
		return &SendError{ConnBroken: true, Msg: "connection broken by an earlier failure, redial"}
	}
	if env.From != "" && !validAddrSpec(env.From) {
		return &SendError{Permanent: true, stage: StageMail, Scope: ScopeSession, Msg: fmt.Sprintf("%q: %v", env.From, ErrInvalidAddress), err: ErrInvalidAddress}
	}
	if !validAddrSpec(env.To) {
		return &SendError{Permanent: true, stage: StageRcpt, Scope: ScopeRecipient, Msg: fmt.Sprintf("%q: %v", env.To, ErrInvalidAddress), err: ErrInvalidAddress}
	}
	if err := ctx.Err(); err != nil {
		return err // nothing was sent; the connection is still fine
	}
	c.nc.resume()
	stop := c.nc.watch(ctx)
	defer stop()

	// The deadline is renewed before each step, so Timeout bounds every
	// command rather than the whole message. No NOOP probe first: a dead
	// connection shows up as ConnBroken on MAIL FROM just the same.
	text := c.client.Text
	switch {
	case c.pending != nil:
		if *c.pending != env {
			// A pipelined envelope is waiting for a different message.
			c.broken = true
			return &SendError{ConnBroken: true, Msg: "pipelined envelope not followed by its message, redial"}
		}
		c.pending = nil
		if err := c.envelopeReplies(ctx); err != nil {
			return err
		}
	case c.pipelining:
		c.writeEnvelope(env)
		c.extend()
		if err := text.W.Flush(); err != nil {
			return c.fail(ctx, StageMail, err)
		}
		if err := c.envelopeReplies(ctx); err != nil {
			return err
		}
	default:
		c.extend()
		if err := c.client.Mail("<" + env.From + ">"); err != nil {
			return c.fail(ctx, StageMail, err)
		}
		c.extend()
		if err := c.client.Rcpt("<" + env.To + ">"); err != nil {
			return c.fail(ctx, StageRcpt, err)
		}
		// DATA is spoken on go-mail's textproto connection directly: its
		// DotWriter stuffs byte by byte, a fifth of a send's CPU for a 30
		// KB message, where writeDotStuffed copies whole lines.
		c.extend()
		id, err := text.Cmd("DATA")
		if err == nil {
			text.StartResponse(id)
			_, _, err = text.ReadResponse(354)
			text.EndResponse(id)
		}
		if err != nil {
			return c.fail(ctx, StageData, err)
		}
	}
	c.extend()
	writeDotStuffed(text.W, raw)
	pipelined := next != nil && c.pipelining && validAddrSpec(next.To) && (next.From == "" || validAddrSpec(next.From))
	if pipelined {
		c.writeEnvelope(*next)
	}
	if err := text.W.Flush(); err != nil {
		return c.fail(ctx, StageData, err)
	}
	// The message is on the relay's side now: wait as long as RFC 5321
	// says, since giving up early is what makes a message arrive twice.
	_ = c.nc.SetDeadline(time.Now().Add(c.dataTimeout))
	if _, _, err := text.ReadResponse(250); err != nil {
		if pipelined {
			// next's transaction is open behind this reply; no RSET can
			// reach the relay now, so the connection goes.
			c.broken = true
		}
		return c.fail(ctx, StageEndOfData, err)
	}
	if pipelined {
		c.pending = next
	}
	return nil
}

// writeEnvelope buffers MAIL FROM, RCPT TO and DATA for env; the caller
// flushes. Addresses were validated (no CR or LF).
func (c *Conn) writeEnvelope(env Envelope) {
	w := c.client.Text.W
	w.WriteString("MAIL FROM:<" + env.From + ">" + c.mailParams + "\r\n")
	w.WriteString("RCPT TO:<" + env.To + ">\r\n")
	w.WriteString("DATA\r\n")
}

// envelopeReplies reads the replies to a pipelined MAIL FROM, RCPT TO and
// DATA (RFC 2920) in order: one round trip to the relay instead of three.
// Each reply is still checked and blamed on its own command, so a refused
// recipient or sender is classified exactly as without pipelining.
func (c *Conn) envelopeReplies(ctx context.Context) error {
	text := c.client.Text
	w := text.W
	c.extend()
	_, _, mailErr := text.ReadResponse(250)
	if mailErr != nil && !isReplyErr(mailErr) {
		return c.fail(ctx, StageMail, mailErr)
	}
	_, _, rcptErr := text.ReadResponse(25)
	if rcptErr != nil && !isReplyErr(rcptErr) {
		return c.fail(ctx, StageRcpt, rcptErr)
	}
	_, _, dataErr := text.ReadResponse(354)
	if dataErr != nil && !isReplyErr(dataErr) {
		return c.fail(ctx, StageData, dataErr)
	}
	if mailErr == nil && rcptErr == nil && dataErr == nil {
		return nil
	}
	if dataErr == nil {
		// The relay took DATA although an earlier command failed (RFC 2920
		// says it must not): end the empty message so the session stays
		// in step, and report the first refusal.
		w.WriteString(".\r\n")
		c.extend()
		if err := w.Flush(); err != nil {
			return c.fail(ctx, StageData, err)
		}
		if _, _, err := text.ReadResponse(0); err != nil && !isReplyErr(err) {
			return c.fail(ctx, StageData, err)
		}
	}
	switch {
	case mailErr != nil:
		return c.fail(ctx, StageMail, mailErr)
	case rcptErr != nil:
		return c.fail(ctx, StageRcpt, rcptErr)
	}
	return c.fail(ctx, StageData, dataErr)
}

// isReplyErr reports whether err is the relay's reply (a refusal), as
// opposed to the connection failing.
func isReplyErr(err error) bool {
	var tp *textproto.Error
	return errors.As(err, &tp)
}

func (c *Conn) extend() {
	_ = c.nc.SetDeadline(time.Now().Add(c.timeout))
}

// fail classifies err and, when the server merely refused, resets the
// transaction so the connection can carry the next message.
func (c *Conn) fail(ctx context.Context, stage string, err error) error {
	se := classify(err)
	se.stage = stage
	se.Scope = scopeOf(stage, se.Code, se.Enhanced)
	// No reply to the final ".": the relay may have queued the message.
	se.Uncertain = stage == StageEndOfData && se.Code == 0
	if len(c.pass) >= minRedactLen {
		se.Msg = redactText(se.Msg, c.user, c.pass)
		if se.err != nil && redactText(se.err.Error(), c.user, c.pass) != se.err.Error() {
			se.err = nil
		}
	}
	if se.ConnBroken && c.nc.wasInterrupted() && ctx.Err() != nil {
		se.Msg = "interrupted: " + context.Cause(ctx).Error()
		se.err = context.Cause(ctx)
	}
	if c.broken {
		se.ConnBroken = true // no RSET can help (see SendThen)
	}
	if !se.ConnBroken {
		c.extend()
		if rerr := c.client.Reset(); rerr != nil {
			se.ConnBroken = true
			se.Msg += fmt.Sprintf(" (rset failed: %v)", rerr)
		}
	}
	if se.ConnBroken {
		c.broken = true
	}
	return se
}

// Close says QUIT (unless the connection is already broken) and closes the
// connection. It is safe to call more than once.
func (c *Conn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.client == nil {
		return nil
	}
	client := c.client
	c.client = nil
	var err error
	if !c.broken && c.pending == nil {
		c.nc.resume()
		c.extend()
		if qerr := client.Quit(); qerr != nil {
			err = fmt.Errorf("smtp quit: %w", qerr)
		}
	}
	if cerr := c.nc.Close(); cerr != nil && !errors.Is(cerr, net.ErrClosed) && err == nil {
		err = fmt.Errorf("smtp close: %w", cerr)
	}
	return err
}

// SendError reports a failed delivery attempt.
type SendError struct {
	Code     int    // SMTP reply code; 0 when the server did not reply
	Enhanced string // enhanced status code (RFC 3463) such as "5.1.1", if given
	Msg      string // the server's text, or what went wrong locally
	// Permanent is set for 5xx replies and invalid addresses: retrying the
	// same message will fail again.
	Permanent bool
	// ConnBroken is set when the connection is unusable (network error,
	// timeout, 421, interrupted transaction): Close and redial before the
	// next message. It may accompany Permanent when a 5xx was followed by a
	// failed RSET.
	ConnBroken bool

	// Scope says what the refusal is about (see Scope); it decides whose
	// fault it is.
	Scope Scope
	// Uncertain is set when the connection failed after the whole message
	// was sent but before the relay answered: it may have been delivered.
	Uncertain bool

	stage string // SMTP step that failed: StageMail, StageRcpt, …
	err   error  // the underlying error, for errors.Is/As
}

// Stage is the SMTP step that failed: StageMail, StageRcpt, StageData or
// StageEndOfData.
func (e *SendError) Stage() string { return e.stage }

func (e *SendError) Error() string {
	var b strings.Builder
	b.WriteString("smtp ")
	if e.stage != "" {
		b.WriteString(e.stage)
		b.WriteString(": ")
	}
	if e.Code != 0 {
		b.WriteString(strconv.Itoa(e.Code))
		b.WriteByte(' ')
	}
	if e.Enhanced != "" {
		b.WriteString(e.Enhanced)
		b.WriteByte(' ')
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns the underlying error (a *textproto.Error, a network error,
// a context error or ErrInvalidAddress).
func (e *SendError) Unwrap() error { return e.err }

// IsPermanent reports whether err is a permanent failure: a *SendError with
// Permanent set, or a 5xx SMTP reply (for example 535 from Dial).
func IsPermanent(err error) bool {
	var se *SendError
	if errors.As(err, &se) {
		return se.Permanent
	}
	var tp *textproto.Error
	return errors.As(err, &tp) && tp.Code >= 500 && tp.Code < 600
}

// IsConnBroken reports whether err says the connection must be redialled.
func IsConnBroken(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.ConnBroken
}

// classify turns an error from go-mail's smtp client into a SendError.
// Server replies arrive as *textproto.Error (net/textproto's ReadResponse,
// also used by the client's own AUTH code); anything else is the transport
// failing under us.
func classify(err error) *SendError {
	var tp *textproto.Error
	if !errors.As(err, &tp) {
		return &SendError{Msg: err.Error(), ConnBroken: true, err: err}
	}
	enhanced, msg := splitReply(tp.Msg)
	se := &SendError{Code: tp.Code, Enhanced: enhanced, Msg: msg, err: err}
	switch {
	case tp.Code == 421:
		// "Service not available, closing transmission channel".
		se.ConnBroken = true
	case tp.Code >= 500 && tp.Code < 600:
		se.Permanent = true
	case tp.Code >= 400 && tp.Code < 500:
	default:
		// A 2xx/3xx where another reply was due: client and server are
		// out of step and nothing sent on this connection can be trusted.
		se.ConnBroken = true
	}
	return se
}

// splitReply takes the text of a (possibly multi-line) reply and returns the
// enhanced status code of its first line and the text without the codes.
func splitReply(text string) (enhanced, msg string) {
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		code, rest := cutEnhanced(strings.TrimSpace(line))
		if i == 0 {
			enhanced = code
		}
		lines[i] = rest
	}
	return enhanced, strings.Join(lines, " ")
}

// cutEnhanced splits "5.1.1 No such user" into "5.1.1" and "No such user".
func cutEnhanced(line string) (code, rest string) {
	field, after, _ := strings.Cut(line, " ")
	parts := strings.Split(field, ".")
	if len(parts) != 3 || len(parts[0]) != 1 || !strings.Contains("245", parts[0]) {
		return "", line
	}
	for _, p := range parts[1:] {
		if len(p) == 0 || len(p) > 3 || strings.Trim(p, "0123456789") != "" {
			return "", line
		}
	}
	return field, after
}

// minRedactLen is the shortest secret redact looks for: a shorter one
// matches ordinary text by chance (redacting "p" would mangle every message)
// and reveals next to nothing when it does leak.
const minRedactLen = 4

// redact removes the password, and the base64 forms AUTH PLAIN and LOGIN
// send it in, from err's message, in case a server or library echoes them.
func redact(err error, username, password string) error {
	if len(password) < minRedactLen {
		return err
	}
	msg := redactText(err.Error(), username, password)
	if msg == err.Error() {
		return err
	}
	// The wrapped chain still holds the secret, so it is dropped; only the
	// reply code survives, for IsPermanent.
	re := &redactedError{msg: msg}
	var tp *textproto.Error
	if errors.As(err, &tp) {
		re.reply = &textproto.Error{Code: tp.Code, Msg: "[redacted]"}
	}
	return re
}

// redactText removes the password and its AUTH PLAIN and LOGIN encodings
// from msg.
func redactText(msg, username, password string) string {
	if len(password) < minRedactLen {
		return msg
	}
	for _, s := range []string{
		password,
		base64.StdEncoding.EncodeToString([]byte(password)),
		base64.StdEncoding.EncodeToString([]byte("\x00" + username + "\x00" + password)),
	} {
		msg = strings.ReplaceAll(msg, s, "[redacted]")
	}
	return msg
}

// redactedError is an error whose text had a secret removed.
type redactedError struct {
	msg   string
	reply *textproto.Error // the server reply's code, without its text
}

func (e *redactedError) Error() string { return e.msg }

func (e *redactedError) Unwrap() error {
	if e.reply == nil {
		return nil
	}
	return e.reply
}

// interruptibleConn is the TCP connection under the SMTP session (and under
// TLS, whose deadlines are forwarded here). Once interrupted, every deadline
// set is replaced by one in the past, so a cancelled context stops a blocked
// read or write even if go-mail renews the deadline afterwards.
type interruptibleConn struct {
	net.Conn
	mu          sync.Mutex
	interrupted bool
}

// longAgo is a deadline that has always passed.
var longAgo = time.Unix(1, 0)

func (c *interruptibleConn) SetDeadline(t time.Time) error {
	return c.setDeadline(c.Conn.SetDeadline, t)
}

func (c *interruptibleConn) SetReadDeadline(t time.Time) error {
	return c.setDeadline(c.Conn.SetReadDeadline, t)
}

func (c *interruptibleConn) SetWriteDeadline(t time.Time) error {
	return c.setDeadline(c.Conn.SetWriteDeadline, t)
}

// setDeadline applies t with set, unless the connection was interrupted:
// then the deadline stays in the past, so no later call can revive it.
func (c *interruptibleConn) setDeadline(set func(time.Time) error, t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.interrupted {
		t = longAgo
	}
	return set(t)
}

func (c *interruptibleConn) interrupt() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.interrupted = true
	_ = c.Conn.SetDeadline(longAgo)
}

// resume clears an interruption from an earlier context, before a new
// operation under a new one.
func (c *interruptibleConn) resume() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.interrupted = false
}

func (c *interruptibleConn) wasInterrupted() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.interrupted
}

// watch interrupts the connection when ctx ends, until the returned stop is
// called. stop waits for a running interruption to finish, so no deadline
// change from this watch can land after it returns.
func (c *interruptibleConn) watch(ctx context.Context) (stop func() bool) {
	done := make(chan struct{})
	stopAfter := context.AfterFunc(ctx, func() {
		defer close(done)
		c.interrupt()
	})
	return func() bool {
		if stopAfter() {
			return false
		}
		<-done
		return true
	}
}

// writeDotStuffed buffers raw as SMTP DATA content (RFC 5321 section
// 4.5.2): every line that starts with "." gets one more, and the content
// ends with CRLF so that the terminating "." stands on a line of its own.
// The caller flushes.
func writeDotStuffed(w *bufio.Writer, raw []byte) {
	endsWithCRLF := bytes.HasSuffix(raw, []byte("\r\n"))
	if len(raw) > 0 && raw[0] == '.' {
		w.WriteByte('.')
	}
	for {
		i := bytes.Index(raw, []byte("\n."))
		if i < 0 {
			w.Write(raw)
			break
		}
		w.Write(raw[:i+1])
		w.WriteByte('.')
		raw = raw[i+1:]
	}
	if !endsWithCRLF {
		w.WriteString("\r\n")
	}
	w.WriteString(".\r\n")
}
