package cli

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/venerdi/venerdi/internal/newsletter"
	"github.com/venerdi/venerdi/internal/web"
)

type serveOptions struct {
	Listen    string
	Scheduler bool // run the scheduler of 'venerdi run' beside the server
	LogFormat string
	sched     newsletter.SchedulerOptions
}

const serveLong = `Serve the subscriber's side on web.listen (default 127.0.0.1:8080), behind
your reverse proxy at web.base_url: the subscribe form with double opt-in,
confirmation, one-click unsubscribe (RFC 8058), the archive of past issues
and its RSS feed, and webinar calendar files. It runs beside cron (or
'venerdi run') on the same database.

Logs go to standard error (web.log_format text or json) at info level:
the start, one line a request by route pattern, the stop; never addresses,
tokens or paths. -v adds debug lines. SIGTERM or Ctrl-C stops it
after the requests in flight have finished (at most 20 seconds).

With --scheduler it also sends each issue when due, exactly as 'venerdi
run' does, so one process (one systemd unit, one container) does both.`

func newServeCmd(a *App) *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve subscribe, confirm, unsubscribe, the archive and calendar files over HTTP",
		Long:  serveLong,
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.loadConfig()
			if err != nil {
				return err
			}
			if o.Listen == "" {
				o.Listen = cfg.Web.Listen
			}
			if err := setLogFormat(cfg, o.LogFormat); err != nil {
				return err
			}
			log := a.logger(cfg)
			a.now = time.Time{} // a server lives in the real time
			nl, err := a.open(cmd.Context(), cfg, logReporter{log})
			if err != nil {
				return err
			}
			defer nl.Close()
			srv, err := web.New(nl, web.Options{
				TrustedProxies: cfg.Proxies(), Log: log,
			})
			if err != nil {
				return err
			}
			o.sched = schedulerOptions(cfg, log)
			return runServe(cmd.Context(), log, nl, srv, o)
		},
	}
	cmd.Flags().StringVar(&o.Listen, "listen", "", "host:port to listen on (env VENERDI_WEB_LISTEN; default web.listen)")
	cmd.Flags().BoolVar(&o.Scheduler, "scheduler", false, "also send each issue when due, as 'venerdi run' does")
	addLogFormatFlag(cmd, &o.LogFormat)
	return cmd
}

// runServe serves until ctx ends, then shuts down gracefully.
func runServe(ctx context.Context, log *slog.Logger, nl *newsletter.Newsletter, srv *web.Server, o serveOptions) error {
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler: srv.Handler(),
		// Every phase is bounded, so a slow client cannot hold a
		// connection (slowloris).
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("serving", "listen", ln.Addr().String(), "base_url", nl.Links().Base(), "scheduler", o.Scheduler)
	var sched <-chan error
	if o.Scheduler {
		sched = runSchedulerBeside(ctx, nl, o.sched)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	if sched != nil {
		<-sched // a message on its way is finished and recorded
	}
	log.Info("shutting down: finishing requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
