// Package fetch gets a source's bytes from a URL or a local path, politely
// (conditional GET, a User-Agent that names venerdi) and safely (timeouts and
// a size cap). It knows nothing about what the bytes mean.
package fetch

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// ErrNotModified is returned by Get when the server answered 304: the
// caller's stored copy is current and there is nothing to parse.
var ErrNotModified = errors.New("not modified")

// ErrTooLarge is returned when a body exceeds Options.MaxBytes.
var ErrTooLarge = errors.New("too large")

// Validators are the conditional-GET values remembered per source.
type Validators struct {
	ETag         string
	LastModified string
}

// Options tune one Get call. The zero value is usable: defaults are applied.
type Options struct {
	UserAgent      string        // default "venerdi"
	ConnectTimeout time.Duration // default 10s
	Timeout        time.Duration // whole request, body included; default 30s
	MaxBytes       int64         // default 10 MB
}

// Result is what a successful Get returns.
type Result struct {
	Body        []byte
	ContentType string // the Content-Type header, "" for local files
	Validators  Validators
	// FinalURL is the URL the body came from after redirects.
	FinalURL string
	// MovedTo is set when a permanent redirect (301, 308) was followed:
	// the caller should store this URL in place of the configured one.
	MovedTo string
}

// StatusError reports an HTTP answer other than 2xx or 304.
type StatusError struct {
	URL    string // the URL Get was asked for
	Status int
}

// Error names the URL and the status, with a word on what it usually means
// for a feed: "fetch https://x/feed: HTTP 404 Not Found (nothing at this
// address; check the URL)".
func (e *StatusError) Error() string {
	msg := fmt.Sprintf("fetch %s: HTTP %d", e.URL, e.Status)
	if text := http.StatusText(e.Status); text != "" {
		msg += " " + text
	}
	if hint := statusHint(e.Status); hint != "" {
		msg += " (" + hint + ")"
	}
	return msg
}

// Temporary reports whether trying again later may succeed: a server error
// or a request to slow down, as opposed to a missing or forbidden feed.
func (e *StatusError) Temporary() bool {
	return e.Status >= 500 || e.Status == http.StatusTooManyRequests || e.Status == http.StatusRequestTimeout
}

func statusHint(status int) string {
	switch {
	case status == http.StatusNotFound:
		return "nothing at this address; check the URL"
	case status == http.StatusGone:
		return "the feed was removed for good"
	case status == http.StatusUnauthorized, status == http.StatusForbidden:
		return "the server refuses to give the feed to venerdi"
	case status == http.StatusTooManyRequests:
		return "the server asks to fetch less often"
	case status >= 500:
		return "a problem on the server's side; it may pass"
	}
	return ""
}
