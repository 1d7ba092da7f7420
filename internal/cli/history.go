package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/venerdi/venerdi/internal/newsletter"
)

func newHistoryCmd(a *App) *cobra.Command {
	var limit int
	cmd := &cobra.Command{
		Use:   "history",
		Short: "List past issues with what they carried and how delivery went",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withCore(cmd.Context(), func(ctx context.Context, nl *newsletter.Newsletter) error {
				return runHistory(ctx, a.out, nl, limit)
			})
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 20, "how many issues, newest first")
	return cmd
}

func runHistory(ctx context.Context, p *printer, nl *newsletter.Newsletter, limit int) error {
	hist, err := nl.History(ctx, limit)
	if err != nil {
		return err
	}
	if len(hist) == 0 {
		p.Printf("no issues yet")
		return nil
	}
	w := p.Table()
	w.Write([]byte("ID\tWEEK\tCOMPOSED\tSTATUS\tPOSTS\tWEBINARS\tRECORDINGS\tSENT\tFAILED\tBOUNCED\tSUBJECT\n"))
	for _, h := range hist {
		week := h.Week
		if week == "" {
			week = string(h.Kind)
		}
		fprintf(w, "%d\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", h.ID, week,
			h.ComposedAt.In(nl.Location()).Format("2006-01-02 15:04"), h.Status, h.Posts, h.Webinars, h.Recordings,
			h.Counts[newsletter.LedgerSent], h.Counts[newsletter.LedgerFailed], h.Counts[newsletter.LedgerBounced], h.Subject)
	}
	return w.Flush()
}
