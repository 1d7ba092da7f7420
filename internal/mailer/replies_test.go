package mailer

import (
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"syscall"
	"testing"
)

// Only a permanent refusal at RCPT that names the mailbox bounces anyone;
// the same codes at any other step are the session's or the message's.
func TestScopeOf(t *testing.T) {
	for _, c := range []struct {
		stage    string
		code     int
		enhanced string
		want     Scope
	}{
		{StageRcpt, 550, "5.1.1", ScopeRecipient},
		{StageRcpt, 550, "", ScopeRecipient},
		{StageRcpt, 553, "5.1.3", ScopeRecipient},
		{StageRcpt, 550, "5.2.1", ScopeRecipient},
		{StageRcpt, 554, "5.7.1", ScopeSession}, // relay access denied
		{StageRcpt, 554, "", ScopeSession},
		{StageRcpt, 550, "5.1.8", ScopeSession}, // bad sender's system address
		{StageRcpt, 530, "5.7.0", ScopeSession},
		{StageMail, 530, "5.7.0", ScopeSession}, // authentication required
		{StageMail, 550, "5.1.1", ScopeSession},
		{StageMail, 552, "5.3.4", ScopeMessage},
		{StageEndOfData, 552, "", ScopeMessage},
		{StageEndOfData, 554, "5.6.0", ScopeMessage},
		{StageEndOfData, 550, "5.7.1", ScopeSession},
		{StageData, 554, "", ScopeMessage},
		{StageEndOfData, 0, "", ScopeTransport},
	} {
		if got := scopeOf(c.stage, c.code, c.enhanced); got != c.want {
			t.Errorf("scopeOf(%s, %d, %q) = %v; want %v", c.stage, c.code, c.enhanced, got, c.want)
		}
	}
}

// Dial failures are classified once, where they happen: their stage, and
// whether retrying can help.
func TestDialErrorClassification(t *testing.T) {
	for _, c := range []struct {
		err       error
		connected bool
		stage     DialStage
		retry     bool
	}{
		{&textproto.Error{Code: 421, Msg: "busy"}, true, DialConnect, true},
		{&textproto.Error{Code: 554, Msg: "go away"}, true, DialConnect, false},
		{&textproto.Error{Code: 535, Msg: "bad credentials"}, true, DialAuth, false},
		{&textproto.Error{Code: 454, Msg: "auth temporarily unavailable"}, true, DialAuth, true},
		{redact(&textproto.Error{Code: 535, Msg: "no AGZvbwBzM2NyZXQtcHc="}, "foo", "s3cret-pw"), true, DialAuth, false},
		{&net.DNSError{Err: "no such host", Name: "relay.invalid", IsNotFound: true}, false, DialConnect, false},
		{&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, false, DialConnect, false},
		{&net.OpError{Op: "dial", Err: syscall.ECONNRESET}, false, DialConnect, true},
		{errors.New(`STARTTLS mode set to: "TLSMandatory", but target host does not support STARTTLS`), true, DialTLS, false},
		{fmt.Errorf("tls handshake: %w", errors.New("remote error")), true, DialTLS, false},
		{errors.New("EOF"), true, DialConnect, true},
	} {
		e := newDialError("x:25", c.err, c.connected)
		if e.Stage != c.stage || e.Retryable != c.retry {
			t.Errorf("newDialError(%v, connected %v) = stage %d, retryable %v; want %d, %v", c.err, c.connected, e.Stage, e.Retryable, c.stage, c.retry)
		}
		if wrapped := fmt.Errorf("wrapped: %w", e); IsRetryable(wrapped) != c.retry {
			t.Errorf("IsRetryable(wrapped %v) = %v", c.err, !c.retry)
		}
	}
}
