package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"syscall"
	"time"
)

// timeoutError is the cause Get gives its deadline, so that a request cut
// off by Options.Timeout says so in those words. It still matches
// context.DeadlineExceeded for callers that test for it.
type timeoutError struct{ after time.Duration }

func (e *timeoutError) Error() string   { return fmt.Sprintf("timed out after %s", e.after) }
func (e *timeoutError) Timeout() bool   { return true }
func (e *timeoutError) Unwrap() error   { return context.DeadlineExceeded }
func (e *timeoutError) Temporary() bool { return true }

// friendlyError replaces a network error's text with a sentence for people
// while keeping the original in the chain for errors.Is and errors.As.
type friendlyError struct {
	msg string
	err error
}

func (e *friendlyError) Error() string { return e.msg }
func (e *friendlyError) Unwrap() error { return e.err }

// describe turns an error from the HTTP client into one that reads well
// after "fetch <url>: ". ctx is the request's context, whose cause tells
// Get's own timeout apart from the caller cancelling.
func describe(ctx context.Context, err error) error {
	var timeout *timeoutError
	if cause := context.Cause(ctx); errors.As(cause, &timeout) {
		return timeout
	}
	if ctx.Err() != nil {
		// The caller's context ended; say why in its words.
		return context.Cause(ctx)
	}

	// *url.Error repeats the method and URL, which the caller already names.
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}

	var dnsErr *net.DNSError
	var unknownCA x509.UnknownAuthorityError
	var badHost x509.HostnameError
	var badCert x509.CertificateInvalidError
	var recordErr tls.RecordHeaderError
	var opErr *net.OpError
	switch {
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return &friendlyError{fmt.Sprintf("no such host %q (check the address, or the network's DNS)", dnsErr.Name), err}
		}
		return &friendlyError{fmt.Sprintf("cannot look up host %q: %s", dnsErr.Name, dnsErr.Err), err}
	case errors.Is(err, syscall.ECONNREFUSED):
		return &friendlyError{"connection refused: no server is listening at that address", err}
	case errors.Is(err, syscall.ECONNRESET):
		return &friendlyError{"the server closed the connection abruptly", err}
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return &friendlyError{"the server cannot be reached from this network", err}
	case errors.As(err, &unknownCA):
		return &friendlyError{"the server's TLS certificate is not signed by a known authority", err}
	case errors.As(err, &badHost):
		return &friendlyError{"the server's TLS certificate is for another host name: " + badHost.Error(), err}
	case errors.As(err, &badCert):
		return &friendlyError{"the server's TLS certificate is not valid: " + badCert.Error(), err}
	case errors.As(err, &recordErr):
		return &friendlyError{"the server does not speak HTTPS on that port (try http://)", err}
	case errors.As(err, &opErr) && opErr.Op == "dial" && opErr.Timeout():
		return &friendlyError{"could not connect: the server did not answer in time", err}
	}
	return err
}
