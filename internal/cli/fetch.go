package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/venerdi/venerdi/internal/newsletter"
)

func newFetchCmd(a *App) *cobra.Command {
	return &cobra.Command{
		Use:   "fetch",
		Short: "Fetch the feeds and the catalog into the database (no email)",
		Long: `Fetch every feed in sources.feeds and the catalog in sources.catalog, with
conditional GET, and store what is new or changed. One failing source does
not stop the others; the exit status is 1 if any failed, and the message
names each one. With -v, one line per source.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withCore(cmd.Context(), runFetch)
		},
	}
}

func runFetch(ctx context.Context, nl *newsletter.Newsletter) error {
	_, err := nl.Gather(ctx)
	return err
}
