package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/venerdi/venerdi/internal/newsletter"
)

func newPreviewCmd(a *App) *cobra.Command {
	return renderCmd(a, &cobra.Command{
		Use:   "preview",
		Short: "Render this week's issue without sending or freezing it",
		Long: `Render this week's issue from what is stored (run 'venerdi fetch' first) and
print it or write it to --out. If this week's issue is already frozen, that
is what you see. Nothing is sent and nothing is recorded.`,
		Args: exactArgs(0),
	}, func(ctx context.Context, nl *newsletter.Newsletter, _ []string, f newsletter.Format) ([]byte, error) {
		return nl.PreviewBytes(ctx, f)
	})
}

// renderCmd completes cmd as a command that renders something (an issue, a
// letter) in --format html|text|eml and prints it or writes it to --out.
func renderCmd(a *App, cmd *cobra.Command, render func(ctx context.Context, nl *newsletter.Newsletter, args []string, f newsletter.Format) ([]byte, error)) *cobra.Command {
	var format, out string
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		f, err := newsletter.ParseFormat(format)
		if err != nil {
			return usageError{err}
		}
		return a.withCore(cmd.Context(), func(ctx context.Context, nl *newsletter.Newsletter) error {
			body, err := render(ctx, nl, args, f)
			if err != nil {
				return err
			}
			return writeOut(a.out, out, body)
		})
	}
	cmd.Flags().StringVar(&format, "format", "html", "html, text or eml (the whole message)")
	cmd.Flags().StringVar(&out, "out", "", "write to FILE instead of standard output")
	completeEnum(cmd, "format", newsletter.FormatNames())
	return cmd
}
