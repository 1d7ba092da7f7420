package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults applied to zero Options fields.
const (
	DefaultUserAgent      = "venerdi"
	DefaultConnectTimeout = 10 * time.Second
	DefaultTimeout        = 30 * time.Second
	DefaultMaxBytes       = 10 << 20
	// MaxRedirects is how many redirects Get follows before giving up.
	MaxRedirects = 5
)

// accept prefers feed types but takes anything: plenty of servers label
// feeds text/xml, text/html or application/octet-stream.
const accept = "application/rss+xml, application/atom+xml, application/feed+json, " +
	"application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"

// Get returns the bytes at src, which is an http or https URL, a file:// URL
// or a local path.
//
// Over HTTP it makes a conditional GET with prev (so an unchanged feed costs
// the server a 304, which Get reports as an error wrapping ErrNotModified),
// follows up to MaxRedirects redirects, and gives up after opts.Timeout for
// the whole exchange, body included, so a server that trickles bytes cannot
// hold a run hostage. Any answer other than 2xx or 304 is a *StatusError.
// A body longer than opts.MaxBytes is an error wrapping ErrTooLarge, for
// local files too. Every error names src (with any password in it masked).
func Get(ctx context.Context, src string, prev Validators, opts Options) (*Result, error) {
	opts = opts.withDefaults()
	u, local, err := classify(src)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", src, err)
	}
	if local != "" {
		return readLocal(ctx, src, local, opts)
	}
	// Errors name the source, but never a password in it.
	return getHTTP(ctx, u.Redacted(), u, prev, opts)
}

func (o Options) withDefaults() Options {
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = DefaultConnectTimeout
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	return o
}

// classify returns src as an http(s) URL, or as a local path.
func classify(src string) (u *url.URL, path string, err error) {
	if strings.TrimSpace(src) == "" {
		return nil, "", errors.New("no source given")
	}
	u, err = url.Parse(src)
	switch {
	case err != nil, u.Scheme == "", len(u.Scheme) == 1:
		// Not a URL: a path (a one-letter "scheme" is a Windows drive).
		return nil, src, nil
	case u.Scheme == "http", u.Scheme == "https":
		if u.Host == "" {
			return nil, "", errors.New("the URL has no host")
		}
		return u, "", nil
	case u.Scheme == "file":
		if u.Host != "" && u.Host != "localhost" {
			return nil, "", fmt.Errorf("file URL names another host %q", u.Host)
		}
		path = u.Path
		if path == "" {
			path = u.Opaque
		}
		if path == "" {
			return nil, "", errors.New("file URL has no path")
		}
		return nil, path, nil
	}
	return nil, "", fmt.Errorf("unsupported scheme %q (use http, https, file or a path)", u.Scheme)
}

func getHTTP(ctx context.Context, src string, u *url.URL, prev Validators, opts Options) (*Result, error) {
	timeout := &timeoutError{after: opts.Timeout}
	ctx, cancel := context.WithTimeoutCause(ctx, opts.Timeout, timeout)
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", src, err)
	}
	req.Header.Set("User-Agent", opts.UserAgent)
	req.Header.Set("Accept", accept)
	if prev.ETag != "" {
		req.Header.Set("If-None-Match", prev.ETag)
	}
	if prev.LastModified != "" {
		req.Header.Set("If-Modified-Since", prev.LastModified)
	}

	client, transport := newClient(opts)
	defer transport.CloseIdleConnections()
	moved := &movedTracker{}
	client.CheckRedirect = moved.check

	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", src, describe(ctx, err))
	}
	defer resp.Body.Close()

	switch {
	case resp.StatusCode == http.StatusNotModified:
		return nil, fmt.Errorf("fetch %s: %w", src, ErrNotModified)
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return nil, &StatusError{URL: src, Status: resp.StatusCode}
	}
	if resp.ContentLength > opts.MaxBytes {
		return nil, tooLarge(src, opts.MaxBytes)
	}
	body, err := readCapped(resp.Body, opts.MaxBytes)
	if errors.Is(err, ErrTooLarge) {
		return nil, tooLarge(src, opts.MaxBytes)
	}
	if err != nil {
		return nil, fmt.Errorf("fetch %s: reading the body: %w", src, describe(ctx, err))
	}

	final := resp.Request.URL.String()
	res := &Result{
		Body:        body,
		ContentType: resp.Header.Get("Content-Type"),
		Validators: Validators{
			ETag:         resp.Header.Get("ETag"),
			LastModified: resp.Header.Get("Last-Modified"),
		},
		FinalURL: final,
	}
	if moved.to != "" && moved.to != u.String() {
		res.MovedTo = moved.to
	}
	return res, nil
}

// newClient returns a client whose dialer gives up on connecting after
// opts.ConnectTimeout. The overall deadline comes from the request context.
// Accept-Encoding is left to the transport, which then asks for gzip and
// decompresses transparently (so MaxBytes caps the decompressed size).
func newClient(opts Options) (*http.Client, *http.Transport) {
	dialer := &net.Dialer{Timeout: opts.ConnectTimeout, KeepAlive: 30 * time.Second}
	transport := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         dialer.DialContext,
		TLSHandshakeTimeout: opts.ConnectTimeout,
		ForceAttemptHTTP2:   true,
		MaxIdleConns:        2,
		IdleConnTimeout:     30 * time.Second,
	}
	return &http.Client{Transport: transport}, transport
}

// movedTracker follows redirects and remembers where the source has
// permanently moved. Only an unbroken run of permanent redirects from the
// start counts: in "301 to A, then 302 to B" the source moved to A, and B is
// only where A happens to point today, so storing B would be wrong.
type movedTracker struct {
	to     string
	broken bool
}

func (m *movedTracker) check(req *http.Request, via []*http.Request) error {
	if len(via) > MaxRedirects {
		return fmt.Errorf("stopped after %d redirects", MaxRedirects)
	}
	if m.broken || req.Response == nil {
		return nil
	}
	switch req.Response.StatusCode {
	case http.StatusMovedPermanently, http.StatusPermanentRedirect:
		m.to = req.URL.String()
	default:
		m.broken = true
	}
	return nil
}

// readCapped reads r to the end, or returns ErrTooLarge as soon as it has
// seen more than limit bytes: reading one byte past the cap tells a body
// that is exactly at the cap from one that goes on.
func readCapped(r io.Reader, limit int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > limit {
		return nil, ErrTooLarge
	}
	return body, nil
}

// tooLarge is the error for a body over the cap, naming both.
func tooLarge(src string, limit int64) error {
	return fmt.Errorf("fetch %s: %w: more than %s", src, ErrTooLarge, formatBytes(limit))
}

// formatBytes writes n the way a person would: "10 MB", "512 KB", "300 bytes".
func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
