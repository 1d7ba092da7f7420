// Package web is the subscriber's side of venerdi, served by `venerdi
// serve`: subscribe (double opt-in), confirm, one-click unsubscribe
// (RFC 8058), the archive of past issues and its feed, and webinar calendar
// files. Handlers are adapters: each turns a request into one call on the
// application core (internal/newsletter) and its result into a page.
//
// A GET never changes state: link scanners and mailbox providers fetch
// every link in a message, so confirming and unsubscribing take a POST.
package web

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/venerdi/venerdi/internal/digest"
	"github.com/venerdi/venerdi/internal/links"
	"github.com/venerdi/venerdi/internal/newsletter"
	"github.com/venerdi/venerdi/internal/token"
	"github.com/venerdi/venerdi/templates"
)

// ConsentWording is the version of the subscribe form's consent text; it
// is recorded with each consent, so change it whenever the text changes.
const ConsentWording = "2026-12-v1"

// Options configure the server. The site's name, address, language and
// template folder come from the core.
type Options struct {
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed; from anyone else the header is ignored.
	TrustedProxies []*net.IPNet
	// SubscribeRate and SubscribeBurst limit POST /subscribe per client IP.
	SubscribeRate  rate.Limit
	SubscribeBurst int
	Log            *slog.Logger
	Now            func() time.Time // the limiter's clock; default time.Now
}

// Server answers the subscriber's requests.
type Server struct {
	nl    *newsletter.Newsletter
	opts  Options
	links *links.Builder
	site  newsletter.Site
	lang  string
	pages pages
	css   []byte
	log   *slog.Logger

	mu       sync.Mutex
	limiters map[string]*visitor
}

type visitor struct {
	lim  *rate.Limiter
	seen time.Time
}

// maxBody bounds every request body: the forms are a few hundred bytes.
const maxBody = 32 << 10

// New builds the server on the core.
func New(nl *newsletter.Newsletter, opts Options) (*Server, error) {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.SubscribeRate == 0 {
		opts.SubscribeRate, opts.SubscribeBurst = rate.Every(time.Minute), 5
	}
	site := nl.Site()
	lang := digest.Lang(site.Language)
	p, err := loadPages(nl.Templates()) // the author's overrides in its web/
	if err != nil {
		return nil, fmt.Errorf("web pages: %w", err)
	}
	css, err := fs.ReadFile(templates.FS, "web/site.css")
	if err != nil {
		return nil, err
	}
	return &Server{nl: nl, opts: opts, links: nl.Links(), site: site, lang: lang, pages: p, css: css, log: opts.Log,
		limiters: map[string]*visitor{}}, nil
}

// Handler returns the server's routes, wrapped in the security headers,
// the body limit and the request log. Requests may come with or without the
// base URL's path prefix, so a proxy may strip it or pass it on.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	csrf := http.NewCrossOriginProtection()
	if o := origin(s.site.URL); o != "" {
		// The README's snippet posts the form from the blog itself.
		csrf.AddTrustedOrigin(o)
	}
	mux.HandleFunc("GET "+links.HealthRoute, s.healthz)
	mux.HandleFunc("GET /assets/site.css", s.stylesheet)
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("GET "+links.SubscribeRoute, s.subscribeForm)
	mux.Handle("POST "+links.SubscribeRoute, csrf.Handler(http.HandlerFunc(s.subscribe)))
	mux.HandleFunc("GET "+links.ConfirmRoute, s.askPage(token.Confirm, "confirm_title", "confirm_text", "confirm_button", ".", s.links.Confirm))
	mux.Handle("POST "+links.ConfirmRoute, csrf.Handler(http.HandlerFunc(s.confirm)))
	mux.HandleFunc("GET "+links.UnsubscribeRoute, s.unsubscribePage)
	// No CSRF check and no cookies: mailbox providers POST one-click
	// unsubscribes cold (RFC 8058), and the token is the authority.
	mux.HandleFunc("POST "+links.UnsubscribeRoute, s.unsubscribe)
	mux.HandleFunc("GET "+links.ArchiveRoute, s.archive)
	mux.HandleFunc("GET "+links.ArchiveFeedRoute, s.archiveFeed)
	mux.HandleFunc("GET "+links.IssueRoute, s.issue)
	mux.HandleFunc("GET "+links.CalendarRoute, s.calendar)
	// The bare base URL is the archive: past issues, with the way to subscribe.
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, s.links.Archive(), http.StatusFound)
	})
	mux.HandleFunc("/", s.notFound)
	// The prefix goes first: the log reads the route pattern the mux sets on
	// the request it is handed, which must be the one the log holds.
	return s.stripPrefix(s.logged(s.secured(mux)))
}

func origin(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Scheme == "" || p.Host == "" {
		return ""
	}
	return p.Scheme + "://" + p.Host
}

func (s *Server) stripPrefix(h http.Handler) http.Handler {
	prefix := ""
	if u, err := url.Parse(s.links.Base()); err == nil {
		prefix = strings.TrimRight(u.Path, "/")
	}
	if prefix == "" {
		return h
	}
	stripped := http.StripPrefix(prefix, h) // keeps an escaped path escaped
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == prefix:
			http.Redirect(w, r, s.links.Archive(), http.StatusFound)
		case strings.HasPrefix(r.URL.Path, prefix+"/"):
			stripped.ServeHTTP(w, r)
		default:
			h.ServeHTTP(w, r)
		}
	})
}

// secured adds the security headers every answer carries and bounds the
// request body.
func (s *Server) secured(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		// Links carry tokens in their path: never hand them to another site.
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		h.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// logged logs each request by its route pattern, never its path: paths
// carry tokens, and tokens and addresses stay out of logs.
func (s *Server) logged(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" {
			route = r.Method + " (unmatched)"
		}
		lvl := slog.LevelInfo
		if sw.status >= 500 {
			lvl = slog.LevelError
		}
		s.log.Log(r.Context(), lvl, "request", "route", route, "status", sw.status, "ms", time.Since(start).Milliseconds())
	})
}

func (s *Server) clientIP(r *http.Request) string {
	return ClientIP(r.RemoteAddr, r.Header.Get("X-Forwarded-For"), s.opts.TrustedProxies)
}

// ClientIP returns the client's address for a request from remote
// (host:port) carrying X-Forwarded-For value xff. The header is believed
// only when remote is a trusted proxy, and then only back to the first hop
// that is not a trusted proxy itself.
func ClientIP(remote, xff string, trusted []*net.IPNet) string {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	isTrusted := func(s string) bool {
		ip := net.ParseIP(s)
		for _, n := range trusted {
			if ip != nil && n.Contains(ip) {
				return true
			}
		}
		return false
	}
	if xff == "" || !isTrusted(host) {
		return host
	}
	hops := strings.Split(xff, ",")
	for i := len(hops) - 1; i >= 0; i-- {
		h := strings.TrimSpace(hops[i])
		if net.ParseIP(h) == nil {
			return host
		}
		if !isTrusted(h) {
			return h
		}
		host = h
	}
	return host
}

// allow applies the per-IP limit on subscription requests.
func (s *Server) allow(ip string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now()
	if len(s.limiters) > 10000 {
		for k, v := range s.limiters {
			if now.Sub(v.seen) > time.Hour {
				delete(s.limiters, k)
			}
		}
	}
	v := s.limiters[ip]
	if v == nil {
		v = &visitor{lim: rate.NewLimiter(s.opts.SubscribeRate, s.opts.SubscribeBurst)}
		s.limiters[ip] = v
	}
	v.seen = now
	return v.lim.AllowN(now, 1)
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprintln(w, "ok")
}

func (s *Server) stylesheet(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write(s.css)
}

func (s *Server) message(w http.ResponseWriter, r *http.Request, status int, titleKey string, p *page) {
	if p == nil {
		p = &page{}
	}
	p.Title = labels[s.lang][titleKey]
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "message.html", p)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.message(w, r, http.StatusNotFound, "not_found_title", &page{Paragraphs: []string{labels[s.lang]["not_found_text"]}})
}

// fail answers an unexpected error: logged (without the request's path),
// and a plain page for the visitor.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	s.log.Error("request failed", "route", r.Pattern, "err", err)
	s.message(w, r, http.StatusInternalServerError, "error_title", &page{Paragraphs: []string{labels[s.lang]["error_text"]}})
}

// badLink answers a link that is forged, cut, altered or expired: a plain
// 400 page, and nothing changed.
func (s *Server) badLink(w http.ResponseWriter, r *http.Request, err error) {
	t := labels[s.lang]
	if errors.Is(err, newsletter.ErrExpiredLink) {
		s.message(w, r, http.StatusBadRequest, "expired_link_title", &page{Paragraphs: []string{t["expired_link_text"]},
			Links: []link{{s.links.Subscribe(), t["subscribe"]}}})
		return
	}
	s.message(w, r, http.StatusBadRequest, "bad_link_title", &page{Paragraphs: []string{t["bad_link_text"]}})
}

// failed answers err, if there is one, and reports whether it did: a link
// the core refused gets the 400 page, something that is not there the 404
// one, anything else the 500 one.
func (s *Server) failed(w http.ResponseWriter, r *http.Request, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, newsletter.ErrBadLink), errors.Is(err, newsletter.ErrExpiredLink):
		s.badLink(w, r, err)
	case errors.Is(err, newsletter.ErrNotFound):
		s.notFound(w, r)
	default:
		s.fail(w, r, err)
	}
	return true
}
