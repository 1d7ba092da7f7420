package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/venerdi/venerdi/internal/newsletter"
)

type previewOptions struct {
	Format newsletter.Format
	Out    string
}

func newPreviewCmd(a *App) *cobra.Command {
	var o previewOptions
	var format string
	cmd := &cobra.Command{
		Use:   "preview",
		Short: "Render this week's issue without sending or freezing it",
		Long: `Render this week's issue from what is stored (run 'venerdi fetch' first) and
print it or write it to --out. If this week's issue is already frozen, that
is what you see. Nothing is sent and nothing is recorded.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := newsletter.ParseFormat(format)
			if err != nil {
				return usageError{err}
			}
			o.Format = f
			return a.withCore(cmd.Context(), func(ctx context.Context, nl *newsletter.Newsletter) error {
				return runPreview(ctx, a.out, nl, o)
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "html", "html, text or eml (the whole message)")
	cmd.Flags().StringVar(&o.Out, "out", "", "write to FILE instead of standard output")
	completeEnum(cmd, "format", newsletter.FormatNames())
	return cmd
}

func runPreview(ctx context.Context, p *printer, nl *newsletter.Newsletter, o previewOptions) error {
	body, err := nl.PreviewBytes(ctx, o.Format)
	if err != nil {
		return err
	}
	return writeOut(p, o.Out, body)
}
