// Package cli is venerdi's command line: one file per command, each with an
// options struct and a run function that makes one call on the application
// core (internal/newsletter) and prints its result. Only this package reads
// the config, prints errors and maps them to exit codes.
package cli

import (
	"context"
	"errors"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/venerdi/venerdi/internal/newsletter"
)

// Exit codes, documented in the README and in `venerdi --help`.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
	ExitLocked  = 3
)

// usageError marks a mistake in how venerdi was called.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// Version is set at build time with -ldflags "-X ...cli.Version=...".
var Version = "dev"

// Main runs venerdi with os.Args and returns the exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Environ())
}

// Run is Main with its inputs made explicit, for tests.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env []string) int {
	a := &App{Stdin: stdin, Env: env, out: newPrinter(stdout, stderr)}
	root := newRootCmd(a)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	code := exitCode(err)
	switch {
	case code == ExitOK:
	case code == ExitUsage:
		a.out.Errorf("%v\nRun 'venerdi --help' for usage.", err)
	case errors.Is(err, context.Canceled):
		a.out.Errorf("interrupted; the next run resumes where this one stopped")
	default:
		a.out.Errorf("%v", err)
	}
	return code
}

// exitCode maps an error to the documented exit codes, by type.
func exitCode(err error) int {
	var held *newsletter.LockHeldError
	var ue usageError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &held):
		return ExitLocked
	case errors.As(err, &ue):
		return ExitUsage
	default:
		return ExitFailure
	}
}
