package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/venerdi/venerdi/internal/config"
	"github.com/venerdi/venerdi/internal/newsletter"
)

// printer is the one way commands speak, in the spirit of restic's Printer:
// results on standard output, details on standard error with -v only (cron
// wants silence on success), warnings and errors on standard error always,
// a progress bar only when standard error is a terminal. It is safe to use
// from several goroutines, and it is the core's newsletter.Reporter.
type printer struct {
	mu      sync.Mutex
	out     io.Writer
	err     io.Writer
	verbose bool
}

func newPrinter(out, err io.Writer) *printer { return &printer{out: out, err: err} }

// Printf prints a result on standard output.
func (p *printer) Printf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.out, format+"\n", args...)
}

// Verbosef implements newsletter.Reporter: shown with -v only.
func (p *printer) Verbosef(format string, args ...any) {
	if !p.verbose {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.err, format+"\n", args...)
}

// Notef prints a line on standard error whatever the verbosity: context
// for an error that follows.
func (p *printer) Notef(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.err, format+"\n", args...)
}

// Warnf implements newsletter.Reporter: always shown, on standard error.
func (p *printer) Warnf(format string, args ...any) { p.Errorf(format, args...) }

// Errorf prints "venerdi: ..." on standard error.
func (p *printer) Errorf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.err, "venerdi: "+format+"\n", args...)
}

// JSON prints v as one line of JSON on standard output, for scripts.
func (p *printer) JSON(v any) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	enc := json.NewEncoder(p.out)
	enc.SetEscapeHTML(false) // a Message-ID's <>, not \u003c, for jq and grep
	return enc.Encode(v)
}

// Table returns a writer that aligns tab-separated columns on standard
// output; call Flush when done.
func (p *printer) Table() *tabwriter.Writer {
	return tabwriter.NewWriter(p.out, 0, 4, 2, ' ', 0)
}

// Write lets raw output (a preview, a CSV) go to standard output.
func (p *printer) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.Write(b)
}

// Progress implements newsletter.Reporter: a bar on a terminal, nothing
// otherwise (no bars in cron mail or logs).
func (p *printer) Progress(label string) newsletter.Progress {
	if !isTerminal(p.err) {
		return nil
	}
	return &bar{label: label, w: p.err}
}

// bar is a progress bar drawn on a terminal.
type bar struct {
	label string
	w     io.Writer
	mu    sync.Mutex
	pb    *progressbar.ProgressBar
}

func (b *bar) Start(total int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pb = progressbar.NewOptions(total, progressbar.OptionSetWriter(b.w),
		progressbar.OptionSetDescription(b.label), progressbar.OptionShowCount(),
		progressbar.OptionShowIts(), progressbar.OptionSetItsString("msg"), progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish(), progressbar.OptionThrottle(100*time.Millisecond))
}

func (b *bar) Done(finished int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.pb == nil {
		return
	}
	b.pb.Set(finished)
	if finished >= b.pb.GetMax() {
		b.pb.Finish()
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// logger is the log of the long-running commands (serve, run), on
// standard error in web.log_format. Unlike a cron job, a daemon says what it
// does: it logs at info level, and with -v at debug level too.
func (a *App) logger(cfg *config.Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	if a.out.verbose {
		opts.Level = slog.LevelDebug
	}
	if cfg.Web.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(a.out.err, opts))
	}
	return slog.New(slog.NewTextHandler(a.out.err, opts))
}

// logReporter is the newsletter.Reporter of the long-running commands:
// structured log lines on standard error.
type logReporter struct{ log *slog.Logger }

func (l logReporter) Verbosef(format string, args ...any) { l.log.Info(fmt.Sprintf(format, args...)) }
func (l logReporter) Warnf(format string, args ...any)    { l.log.Warn(fmt.Sprintf(format, args...)) }
func (l logReporter) Progress(string) newsletter.Progress { return nil }

// fprintf writes to a table; a table's errors come back from Flush.
func fprintf(w io.Writer, format string, args ...any) { fmt.Fprintf(w, format, args...) }
