package cli

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/venerdi/venerdi/internal/newsletter"
)

type historyOptions struct {
	Limit int
	JSON  bool
}

func newHistoryCmd(a *App) *cobra.Command {
	var o historyOptions
	cmd := &cobra.Command{
		Use:   "history",
		Short: "List past issues with what they carried and how delivery went",
		Long: `List past issues, newest first: week, when composed, status, how many posts,
webinars and recordings they carried and how many deliveries were sent,
failed or bounced. --json prints one object per line, for scripts and
monitoring; its fields (snake_case, times in RFC 3339 UTC) are stable:
id, week, kind, status, subject, composed_at, finished_at (null until done),
posts, webinars, recordings, changes, deliveries (a count per ledger status:
pending, sending, sent, failed, bounced, skipped).`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withCore(cmd.Context(), func(ctx context.Context, nl *newsletter.Newsletter) error {
				return runHistory(ctx, a.out, nl, o)
			})
		},
	}
	cmd.Flags().IntVar(&o.Limit, "limit", 20, "how many issues, newest first")
	cmd.Flags().BoolVar(&o.JSON, "json", false, "one JSON object per line, for scripts")
	return cmd
}

// issueJSON is one line of history --json; its field names are a contract.
type issueJSON struct {
	ID         int64          `json:"id"`
	Week       string         `json:"week"`
	Kind       string         `json:"kind"`
	Status     string         `json:"status"`
	Subject    string         `json:"subject"`
	ComposedAt string         `json:"composed_at"`
	FinishedAt *string        `json:"finished_at"`
	Posts      int            `json:"posts"`
	Webinars   int            `json:"webinars"`
	Recordings int            `json:"recordings"`
	Changes    int            `json:"changes"`
	Deliveries map[string]int `json:"deliveries"`
}

// rfc3339 is t in UTC, the form of every time in --json output.
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func runHistory(ctx context.Context, p *printer, nl *newsletter.Newsletter, o historyOptions) error {
	hist, err := nl.History(ctx, o.Limit)
	if err != nil {
		return err
	}
	if o.JSON {
		for _, h := range hist {
			j := issueJSON{ID: h.ID, Week: h.Week, Kind: string(h.Kind), Status: string(h.Status), Subject: h.Subject,
				ComposedAt: rfc3339(h.ComposedAt), Posts: h.Posts, Webinars: h.Webinars, Recordings: h.Recordings,
				Changes: h.Changes, Deliveries: map[string]int{}}
			if !h.FinishedAt.IsZero() {
				f := rfc3339(h.FinishedAt)
				j.FinishedAt = &f
			}
			for _, s := range newsletter.LedgerStatusNames() {
				j.Deliveries[s] = h.Counts[newsletter.LedgerStatus(s)]
			}
			if err := p.JSON(j); err != nil {
				return err
			}
		}
		return nil
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
