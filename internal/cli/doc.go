package cli

import (
	"io"

	"github.com/spf13/cobra"
)

// Command returns venerdi's command tree, for generating its manual pages
// and completion scripts (tools/mangen); it runs nothing.
func Command() *cobra.Command {
	return newRootCmd(&App{out: newPrinter(io.Discard, io.Discard)})
}
