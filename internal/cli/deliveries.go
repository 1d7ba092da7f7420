package cli

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/venerdi/venerdi/internal/newsletter"
)

type deliveriesOptions struct {
	Issue  int64
	Status newsletter.LedgerStatus
	JSON   bool
}

// deliveryJSON is one line of deliveries --json; its field names are a
// contract.
type deliveryJSON struct {
	IssueID   int64  `json:"issue_id"`
	Email     string `json:"email"`
	Status    string `json:"status"`
	Attempts  int    `json:"attempts"`
	MessageID string `json:"message_id"`
	Error     string `json:"error"`
	UpdatedAt string `json:"updated_at"`
}

func newDeliveriesCmd(a *App) *cobra.Command {
	var o deliveriesOptions
	var status string
	cmd := &cobra.Command{
		Use:   "deliveries",
		Short: "List the ledger of an issue (default: the last), e.g. --status failed|bounced",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if status != "" {
				s, err := newsletter.ParseLedgerStatus(status)
				if err != nil {
					return usageError{err}
				}
				o.Status = s
			}
			return a.withCore(cmd.Context(), func(ctx context.Context, nl *newsletter.Newsletter) error {
				return runDeliveries(ctx, a.out, nl, o)
			})
		},
	}
	cmd.Flags().Int64Var(&o.Issue, "issue", 0, "issue ID (see 'venerdi history'); default the last")
	cmd.Flags().StringVar(&status, "status", "", "only rows with this status: "+strings.Join(newsletter.LedgerStatusNames(), ", "))
	cmd.Flags().BoolVar(&o.JSON, "json", false, "one JSON object per line, for scripts: issue_id, email, status, attempts, message_id, error, updated_at")
	completeEnum(cmd, "status", newsletter.LedgerStatusNames())
	return cmd
}

func runDeliveries(ctx context.Context, p *printer, nl *newsletter.Newsletter, o deliveriesOptions) error {
	_, ds, err := nl.Deliveries(ctx, o.Issue, o.Status)
	if errors.Is(err, newsletter.ErrNotFound) {
		return errors.New("no such issue")
	}
	if err != nil {
		return err
	}
	if o.JSON {
		for _, d := range ds {
			if err := p.JSON(deliveryJSON{IssueID: d.IssueID, Email: d.Email, Status: string(d.Status), Attempts: d.Attempts,
				MessageID: d.MessageID, Error: d.Error, UpdatedAt: rfc3339(d.UpdatedAt)}); err != nil {
				return err
			}
		}
		return nil
	}
	w := p.Table()
	w.Write([]byte("ISSUE\tADDRESS\tSTATUS\tATTEMPTS\tUPDATED\tERROR\n"))
	for _, d := range ds {
		fprintf(w, "%d\t%s\t%s\t%d\t%s\t%s\n", d.IssueID, d.Email, d.Status, d.Attempts, d.UpdatedAt.Format(time.RFC3339), d.Error)
	}
	return w.Flush()
}
