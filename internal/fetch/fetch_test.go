package fetch

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const feedBody = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>`

func get(t *testing.T, src string, prev Validators, opts Options) (*Result, error) {
	t.Helper()
	return Get(context.Background(), src, prev, opts)
}

func TestGetConditionalETag(t *testing.T) {
	var gotUA []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotUA = append(gotUA, r.Header.Get("User-Agent"))
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		fmt.Fprint(w, feedBody)
	}))
	defer srv.Close()

	res, err := get(t, srv.URL, Validators{}, Options{})
	if err != nil {
		t.Fatalf("Get(%q) error = %v; want nil", srv.URL, err)
	}
	if string(res.Body) != feedBody || res.Validators.ETag != `"v1"` || res.ContentType != "application/rss+xml; charset=utf-8" {
		t.Errorf("Get(%q) = body %q, ETag %q, type %q; want the feed, \"v1\", rss+xml",
			srv.URL, res.Body, res.Validators.ETag, res.ContentType)
	}
	if res.FinalURL != srv.URL || res.MovedTo != "" {
		t.Errorf("Get(%q) FinalURL, MovedTo = %q, %q; want %q, \"\"", srv.URL, res.FinalURL, res.MovedTo, srv.URL)
	}

	_, err = get(t, srv.URL, res.Validators, Options{UserAgent: "venerdi/1.0 (+https://example.org)"})
	if !errors.Is(err, ErrNotModified) {
		t.Fatalf("Get(%q, ETag) error = %v; want ErrNotModified", srv.URL, err)
	}
	if !strings.Contains(err.Error(), srv.URL) {
		t.Errorf("Get(%q) error %q does not name the URL", srv.URL, err)
	}
	want := []string{"venerdi", "venerdi/1.0 (+https://example.org)"}
	if strings.Join(gotUA, "|") != strings.Join(want, "|") {
		t.Errorf("User-Agent sent = %q; want %q", gotUA, want)
	}
}

func TestGetConditionalLastModified(t *testing.T) {
	const stamp = "Fri, 05 Jun 2026 09:00:00 GMT"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-Modified-Since") == stamp {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Last-Modified", stamp)
		fmt.Fprint(w, feedBody)
	}))
	defer srv.Close()

	res, err := get(t, srv.URL, Validators{}, Options{})
	if err != nil {
		t.Fatalf("Get(%q) error = %v; want nil", srv.URL, err)
	}
	if res.Validators.LastModified != stamp || res.Validators.ETag != "" {
		t.Errorf("Get(%q) validators = %+v; want LastModified %q only", srv.URL, res.Validators, stamp)
	}
	if _, err := get(t, srv.URL, res.Validators, Options{}); !errors.Is(err, ErrNotModified) {
		t.Errorf("Get(%q, Last-Modified) error = %v; want ErrNotModified", srv.URL, err)
	}
}

func TestGetGzip(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			t.Errorf("Accept-Encoding = %q; want gzip offered", r.Header.Get("Accept-Encoding"))
		}
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		fmt.Fprint(zw, feedBody)
		zw.Close()
	}))
	defer srv.Close()

	res, err := get(t, srv.URL, Validators{}, Options{})
	if err != nil {
		t.Fatalf("Get(%q) error = %v; want nil", srv.URL, err)
	}
	if string(res.Body) != feedBody {
		t.Errorf("Get(%q) body = %q; want the decompressed feed", srv.URL, res.Body)
	}
}

func TestGetGzipBombIsCapped(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		zw.Write(make([]byte, 1<<20)) // 1 MB of zeros compresses to about 1 KB
		zw.Close()
	}))
	defer srv.Close()

	_, err := get(t, srv.URL, Validators{}, Options{MaxBytes: 64 << 10})
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("Get(%q) of a gzip bomb error = %v; want ErrTooLarge", srv.URL, err)
	}
}

func TestGetStatusErrors(t *testing.T) {
	tests := []struct {
		status    int
		words     string
		temporary bool
	}{
		{http.StatusNotFound, "HTTP 404 Not Found", false},
		{http.StatusGone, "HTTP 410 Gone (the feed was removed for good)", false},
		{http.StatusForbidden, "HTTP 403 Forbidden", false},
		{http.StatusInternalServerError, "HTTP 500 Internal Server Error", true},
		{http.StatusServiceUnavailable, "HTTP 503 Service Unavailable", true},
		{http.StatusTooManyRequests, "HTTP 429 Too Many Requests", true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Error(w, "nope", tt.status)
			}))
			defer srv.Close()
			src := srv.URL + "/feed"

			_, err := get(t, src, Validators{}, Options{})
			var se *StatusError
			if !errors.As(err, &se) {
				t.Fatalf("Get(%q) error = %v; want *StatusError", src, err)
			}
			if se.Status != tt.status || se.URL != src {
				t.Errorf("Get(%q) = StatusError{%q, %d}; want {%q, %d}", src, se.URL, se.Status, src, tt.status)
			}
			if want := "fetch " + src + ": " + tt.words; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("Get(%q) error = %q; want prefix %q", src, err, want)
			}
			if se.Temporary() != tt.temporary {
				t.Errorf("StatusError{%d}.Temporary() = %v; want %v", tt.status, se.Temporary(), tt.temporary)
			}
		})
	}
}

// redirector serves /feed as the end of a chain of redirects described by
// codes: /0 redirects with codes[0] to /1, and so on.
func redirector(codes ...int) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var hop int
		if _, err := fmt.Sscanf(r.URL.Path, "/%d", &hop); err == nil && hop < len(codes) {
			next := fmt.Sprintf("/%d", hop+1)
			if hop+1 == len(codes) {
				next = "/feed"
			}
			http.Redirect(w, r, next, codes[hop])
			return
		}
		fmt.Fprint(w, feedBody)
	}))
}

func TestGetRedirects(t *testing.T) {
	tests := []struct {
		name    string
		codes   []int
		movedTo string // path, "" for none
		wantErr string
	}{
		{"no redirect", nil, "", ""},
		{"301", []int{301}, "/feed", ""},
		{"301 chain", []int{301, 301, 301}, "/feed", ""},
		{"308", []int{308}, "/feed", ""},
		{"302", []int{302}, "", ""},
		{"307", []int{307}, "", ""},
		{"302 then 301", []int{302, 301}, "", ""},
		// The source moved for good to /1; where /1 points today is not ours to keep.
		{"301 then 302", []int{301, 302}, "/1", ""},
		{"five hops", []int{301, 301, 301, 301, 301}, "/feed", ""},
		{"six hops", []int{301, 301, 301, 301, 301, 301}, "", "stopped after 5 redirects"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := redirector(tt.codes...)
			defer srv.Close()
			src := srv.URL + "/0"
			if len(tt.codes) == 0 {
				src = srv.URL + "/feed"
			}

			res, err := get(t, src, Validators{}, Options{})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), src) {
					t.Fatalf("Get(%q) error = %v; want one naming the URL and %q", src, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Get(%q) error = %v; want nil", src, err)
			}
			want := ""
			if tt.movedTo != "" {
				want = srv.URL + tt.movedTo
			}
			if res.MovedTo != want {
				t.Errorf("Get(%q).MovedTo = %q; want %q", src, res.MovedTo, want)
			}
			if res.FinalURL != srv.URL+"/feed" {
				t.Errorf("Get(%q).FinalURL = %q; want %q", src, res.FinalURL, srv.URL+"/feed")
			}
		})
	}
}

func TestGetTooLarge(t *testing.T) {
	const max = 1024
	tests := []struct {
		name    string
		size    int
		chunked bool // no Content-Length, so only reading finds out
		wantErr bool
	}{
		{"at the cap", max, false, false},
		{"one over", max + 1, false, true},
		{"one over, chunked", max + 1, true, true},
		{"far over, chunked", 50 * max, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body := strings.Repeat("x", tt.size)
				if tt.chunked {
					w.(http.Flusher).Flush()
				} else {
					w.Header().Set("Content-Length", fmt.Sprint(len(body)))
				}
				fmt.Fprint(w, body)
			}))
			defer srv.Close()

			res, err := get(t, srv.URL, Validators{}, Options{MaxBytes: max})
			if !tt.wantErr {
				if err != nil || len(res.Body) != tt.size {
					t.Fatalf("Get(%q) = %v; want %d bytes", srv.URL, err, tt.size)
				}
				return
			}
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("Get(%q) error = %v; want ErrTooLarge", srv.URL, err)
			}
			if msg := err.Error(); !strings.Contains(msg, srv.URL) || !strings.Contains(msg, "1 KB") {
				t.Errorf("Get(%q) error = %q; want it to name the URL and the 1 KB cap", srv.URL, msg)
			}
		})
	}
}

func TestGetTimeout(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"dripping body", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusOK)
			for i := 0; i < 100; i++ {
				if _, err := w.Write([]byte("x")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-time.After(100 * time.Millisecond):
				}
			}
		}},
		{"slow headers", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()

			start := time.Now()
			_, err := get(t, srv.URL, Validators{}, Options{Timeout: 500 * time.Millisecond})
			elapsed := time.Since(start)
			if err == nil {
				t.Fatalf("Get(%q) error = nil; want a timeout", srv.URL)
			}
			if want := "fetch " + srv.URL + ": "; !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "timed out after 500ms") {
				t.Errorf("Get(%q) error = %q; want %q… timed out after 500ms", srv.URL, err, want)
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("Get(%q) error = %v; want it to match context.DeadlineExceeded", srv.URL, err)
			}
			if elapsed > 2*time.Second {
				t.Errorf("Get(%q) took %v; want about 500ms", srv.URL, elapsed)
			}
		})
	}
}

func TestGetCallerCancel(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer srv.Close()

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := Get(ctx, srv.URL, Validators{}, Options{})
	if !errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "timed out") {
		t.Errorf("Get(%q) after cancel error = %v; want context.Canceled", srv.URL, err)
	}
}

func TestGetConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	src := "http://" + ln.Addr().String() + "/feed"
	ln.Close()

	_, err = get(t, src, Validators{}, Options{})
	want := "fetch " + src + ": connection refused"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Get(%q) error = %v; want prefix %q", src, err, want)
	}
}

func TestGetBadSource(t *testing.T) {
	tests := []struct {
		src  string
		want string
	}{
		{"ftp://example.org/feed", `fetch ftp://example.org/feed: unsupported scheme "ftp"`},
		{"http:///feed", "fetch http:///feed: the URL has no host"},
		{"", "fetch : no source given"},
	}
	for _, tt := range tests {
		_, err := get(t, tt.src, Validators{}, Options{})
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Get(%q) error = %v; want prefix %q", tt.src, err, tt.want)
		}
	}
}

func TestGetLocal(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "feed.xml")
	if err := os.WriteFile(path, []byte(feedBody), 0o644); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.xml")
	if err := os.WriteFile(big, make([]byte, 2048), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.xml")

	tests := []struct {
		name    string
		src     string
		opts    Options
		wantErr string
		is      error
	}{
		{"path", path, Options{}, "", nil},
		{"file URL", "file://" + filepath.ToSlash(path), Options{}, "", nil},
		{"too large", big, Options{MaxBytes: 1024}, "fetch " + big + ": too large: more than 1 KB", ErrTooLarge},
		{"missing", missing, Options{}, "fetch " + missing + ": no such file", fs.ErrNotExist},
		{"directory", dir, Options{}, "fetch " + dir + ": is a directory, not a file", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := get(t, tt.src, Validators{ETag: `"ignored"`}, tt.opts)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Get(%q) error = %v; want nil", tt.src, err)
				}
				if string(res.Body) != feedBody || res.ContentType != "" || res.Validators != (Validators{}) {
					t.Errorf("Get(%q) = %q, type %q, %+v; want the file, no type, no validators",
						tt.src, res.Body, res.ContentType, res.Validators)
				}
				return
			}
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("Get(%q) error = %v; want %q", tt.src, err, tt.wantErr)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("Get(%q) error = %v; want it to match %v", tt.src, err, tt.is)
			}
		})
	}
}

func TestFormatBytes(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{10 << 20, "10 MB"},
		{1536 << 10, "1.5 MB"},
		{1024, "1 KB"},
		{300, "300 bytes"},
	}
	for _, tt := range tests {
		if got := formatBytes(tt.n); got != tt.want {
			t.Errorf("formatBytes(%d) = %q; want %q", tt.n, got, tt.want)
		}
	}
}

func TestGetErrorsHidePasswords(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if user, pass, ok := r.BasicAuth(); !ok || user != "ada" || pass != "s3cret" {
			t.Errorf("request credentials = %q, %q, %v; want ada, s3cret", user, pass, ok)
		}
		http.Error(w, "gone", http.StatusGone)
	}))
	defer srv.Close()
	src := strings.Replace(srv.URL, "http://", "http://ada:s3cret@", 1) + "/feed"

	_, err := get(t, src, Validators{}, Options{})
	if err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "ada:xxxxx@") {
		t.Errorf("Get(%q) error = %v; want the URL named with its password masked", src, err)
	}
}
