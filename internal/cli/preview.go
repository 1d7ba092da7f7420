package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/venerdi/venerdi/internal/delivery"
	"github.com/venerdi/venerdi/internal/digest"
	"github.com/venerdi/venerdi/internal/schedule"
	"github.com/venerdi/venerdi/internal/store"
)

type previewOptions struct {
	Format string
	Out    string
}

func newPreviewCmd(a *App) *cobra.Command {
	var o previewOptions
	cmd := &cobra.Command{
		Use:   "preview",
		Short: "Render this week's issue without sending or freezing it",
		Long: `Render this week's issue from what is stored (run 'venerdi fetch' first) and
print it or write it to --out. If this week's issue is already frozen, that
is what you see. Nothing is sent and nothing is recorded.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch o.Format {
			case "html", "text", "eml":
			default:
				return usageError{fmt.Errorf("--format %q: use html, text or eml", o.Format)}
			}
			return a.runPreview(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.Format, "format", "html", "html, text or eml (the whole message)")
	cmd.Flags().StringVar(&o.Out, "out", "", "write to FILE instead of standard output")
	return cmd
}

// issueForPreview returns this week's frozen issue, or renders one now
// without storing it.
func (a *App) issueForPreview(ctx context.Context) (*store.Issue, error) {
	cfg, err := a.Config()
	if err != nil {
		return nil, err
	}
	st, err := a.Store(ctx)
	if err != nil {
		return nil, err
	}
	now := a.Now()
	week := schedule.WeekKey(now, cfg.Location())
	if is, err := st.IssueByWeek(ctx, week); err == nil {
		return is, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	sel, err := a.selectIssue(ctx, now)
	if err != nil {
		return nil, err
	}
	out, err := a.render(sel)
	if err != nil {
		return nil, err
	}
	return &store.Issue{Week: week, Subject: out.Subject, HTML: out.HTML, Text: out.Text, ComposedAt: now, CutoffAt: now}, nil
}

func (a *App) runPreview(ctx context.Context, o previewOptions) error {
	is, err := a.issueForPreview(ctx)
	if err != nil {
		return err
	}
	var body []byte
	switch o.Format {
	case "html":
		body = []byte(strings.ReplaceAll(is.HTML, digest.UnsubscribePlaceholder, "#unsubscribe"))
	case "text":
		body = []byte(strings.ReplaceAll(is.Text, digest.UnsubscribePlaceholder, "<unsubscribe link>"))
	case "eml":
		opts, err := a.deliveryOptions(ctx, is)
		if err != nil {
			return err
		}
		to := delivery.AddressOf(opts.From)
		c, err := delivery.NewComposer(opts)
		if err != nil {
			return err
		}
		if body, err = c.Message(0, to, "", "<preview@"+delivery.DomainOf(opts.From)+">"); err != nil {
			return err
		}
	}
	if o.Out == "" {
		_, err = a.Out.Write(body)
		return err
	}
	if err := os.WriteFile(o.Out, body, 0o644); err != nil {
		return err
	}
	a.logf("wrote %s (%d bytes)", o.Out, len(body))
	return nil
}
