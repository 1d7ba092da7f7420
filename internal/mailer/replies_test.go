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

func TestIsRetryable(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{&DialError{Addr: "x", err: &textproto.Error{Code: 421, Msg: "busy"}}, true},
		{&DialError{Addr: "x", err: &textproto.Error{Code: 535, Msg: "bad credentials"}}, false},
		{&DialError{Addr: "x", err: &net.DNSError{Err: "no such host", Name: "relay.invalid", IsNotFound: true}}, false},
		{&DialError{Addr: "x", err: &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}}, false},
		{&DialError{Addr: "x", err: errors.New(`STARTTLS mode set to: "TLSMandatory", but target host does not support STARTTLS`)}, false},
		{&DialError{Addr: "x", err: &net.OpError{Op: "read", Err: syscall.ECONNRESET}}, true},
		{fmt.Errorf("wrapped: %w", &DialError{Addr: "x", err: errors.New("EOF")}), true},
	} {
		if got := IsRetryable(c.err); got != c.want {
			t.Errorf("IsRetryable(%v) = %v; want %v", c.err, got, c.want)
		}
	}
}
