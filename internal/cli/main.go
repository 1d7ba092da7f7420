// Package cli is venerdi's command line: one file per command, each with an
// options struct and a run function. Only this package reads the config,
// prints errors and maps them to exit codes.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/venerdi/venerdi/internal/lock"
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
	app := &App{Stdin: stdin, Out: stdout, Err: stderr, Env: env}
	root := newRootCmd(app)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	app.close()
	if err == nil {
		return ExitOK
	}
	var held *lock.HeldError
	var ue usageError
	switch {
	case errors.As(err, &held):
		fmt.Fprintf(stderr, "venerdi: %v\n", err)
		return ExitLocked
	case errors.As(err, &ue), strings.HasPrefix(err.Error(), "unknown command"):
		fmt.Fprintf(stderr, "venerdi: %v\nRun 'venerdi --help' for usage.\n", err)
		return ExitUsage
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "venerdi: interrupted; the next run resumes where this one stopped")
		return ExitFailure
	default:
		fmt.Fprintf(stderr, "venerdi: %v\n", err)
		return ExitFailure
	}
}
