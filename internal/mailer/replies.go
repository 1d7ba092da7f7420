package mailer

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/textproto"
	"strings"
	"syscall"
)

// SMTP steps a SendError can come from.
const (
	StageMail      = "mail from"
	StageRcpt      = "rcpt to"
	StageData      = "data"
	StageEndOfData = "end of data"
)

// Scope is what a relay's refusal is about, and so whose fault it is. Only
// a refusal about the recipient says anything about a subscriber; every
// other one would be the same for the whole list, so it must never bounce
// anyone.
type Scope int

const (
	// ScopeTransport: no reply at all (the connection failed).
	ScopeTransport Scope = iota
	// ScopeRecipient: this address or mailbox (550 5.1.1 at RCPT, say).
	ScopeRecipient
	// ScopeMessage: this message, whoever it goes to (552 5.3.4, too big).
	ScopeMessage
	// ScopeSession: the sender, the login or the relay's policy (530 5.7.0
	// authentication required, 554 5.7.1 relay access denied).
	ScopeSession
)

func (s Scope) String() string {
	return [...]string{"transport", "recipient", "message", "session"}[s]
}

// scopeOf classifies a reply by the step it answered and its codes (RFC
// 5321 section 4.2, RFC 3463). A reply to anything but RCPT cannot be about
// the recipient; at RCPT the enhanced code decides when there is one, and
// the basic code (550, 551, 553: mailbox problems) when there is not.
func scopeOf(stage string, code int, enhanced string) Scope {
	if code == 0 {
		return ScopeTransport
	}
	class, subject, detail := splitEnhanced(enhanced)
	if subject == "6" || subject == "3" && detail == "4" || code == 552 && stage != StageRcpt {
		return ScopeMessage // content or size
	}
	if stage != StageRcpt {
		if stage == StageEndOfData || stage == StageData {
			if subject == "" || subject == "6" {
				return ScopeMessage
			}
		}
		return ScopeSession
	}
	if class != "" {
		switch subject {
		case "1": // addressing
			if detail == "7" || detail == "8" { // bad sender address
				return ScopeSession
			}
			return ScopeRecipient
		case "2": // mailbox
			return ScopeRecipient
		case "4": // routing: only "no answer from host" and "unable to route" name the recipient's domain
			if detail == "1" || detail == "4" {
				return ScopeRecipient
			}
			return ScopeSession
		}
		return ScopeSession // 5.3 system, 5.5 protocol, 5.7 policy (relay denied, auth required)
	}
	switch code {
	case 450, 451, 452, 550, 551, 552, 553:
		return ScopeRecipient
	}
	return ScopeSession // 530, 535, 554 with no enhanced code
}

func splitEnhanced(e string) (class, subject, detail string) {
	parts := strings.Split(e, ".")
	if len(parts) != 3 {
		return "", "", ""
	}
	return parts[0], parts[1], parts[2]
}

// IsRecipientRefusal reports whether err is a permanent refusal of the
// recipient itself: the only failure that may bounce a subscriber.
func IsRecipientRefusal(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.Permanent && se.Scope == ScopeRecipient
}

// IsUncertain reports whether err left the message's fate unknown: the
// connection failed after the final "." and before the relay answered.
func IsUncertain(err error) bool {
	var se *SendError
	return errors.As(err, &se) && se.Uncertain
}

// DialStage is the step of opening a session that failed.
type DialStage int

const (
	DialConnect DialStage = iota // reaching or greeting the relay
	DialTLS                      // STARTTLS or the TLS handshake
	DialAuth                     // logging in
)

// DialError is a failure to connect, greet, secure the session or log in,
// classified once, where it happens: its Stage, and whether it may go away
// by itself (Retryable).
type DialError struct {
	Addr  string
	Stage DialStage
	// Retryable: a timeout, a reset, a 4xx reply. A relay that does not
	// exist, refuses the connection, speaks TLS differently than
	// configured or refuses the login fails the same way for every
	// message, so waiting only delays the one line the author must read.
	Retryable bool
	err       error
}

func (e *DialError) Error() string { return "smtp dial " + e.Addr + ": " + e.err.Error() }
func (e *DialError) Unwrap() error { return e.err }

// newDialError classifies err from Dial; connected says the TCP connection
// was made (so the failure came later: greeting, TLS or login).
func newDialError(addr string, err error, connected bool) *DialError {
	e := &DialError{Addr: addr, err: err}
	var tp *textproto.Error
	isReply := errors.As(err, &tp)
	switch {
	case !connected:
		e.Stage = DialConnect
	case isTLSError(err):
		e.Stage = DialTLS
	case isReply && (tp.Code == 530 || tp.Code == 534 || tp.Code == 535 || tp.Code == 538 || tp.Code == 454),
		strings.Contains(err.Error(), "SMTP AUTH"), strings.Contains(err.Error(), "auth mechanism"):
		e.Stage = DialAuth
	}
	var dns *net.DNSError
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
	case isReply:
		e.Retryable = tp.Code >= 400 && tp.Code < 500
	case e.Stage != DialConnect:
		// TLS or login trouble without a temporary reply: configuration.
	case errors.As(err, &dns):
		e.Retryable = dns.IsTemporary || dns.IsTimeout
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
	case errors.As(err, &ne) && ne.Timeout():
		e.Retryable = true
	default:
		// EOF, a reset, anything unexpected: worth one more try.
		e.Retryable = true
	}
	return e
}

func isTLSError(err error) bool {
	var (
		rh   tls.RecordHeaderError
		cert *tls.CertificateVerificationError
		ua   x509.UnknownAuthorityError
		hn   x509.HostnameError
		ci   x509.CertificateInvalidError
		alrt tls.AlertError
	)
	if errors.As(err, &rh) || errors.As(err, &cert) || errors.As(err, &ua) || errors.As(err, &hn) || errors.As(err, &ci) || errors.As(err, &alrt) {
		return true
	}
	// go-mail reports a missing STARTTLS, and our dialer a failed
	// implicit-TLS handshake, as text only.
	msg := err.Error()
	return strings.Contains(msg, "STARTTLS") || strings.HasPrefix(msg, "tls handshake")
}

// IsRetryable reports whether err is a failure to dial that may go away
// by itself soon (see DialError.Retryable).
func IsRetryable(err error) bool {
	var de *DialError
	return errors.As(err, &de) && de.Retryable
}
