package cli

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/venerdi/venerdi/internal/store"
)

func newSubscribersCmd(a *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "subscribers",
		Short: "Add, remove, list, import and export subscribers",
	}
	var name string
	add := &cobra.Command{
		Use:   "add ADDRESS  (or 'Name <ADDRESS>')",
		Short: "Add an active subscriber (an unsubscribed address is refused)",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.Store(cmd.Context())
			if err != nil {
				return err
			}
			addr, parsedName, err := parseAddress(args[0])
			if err != nil {
				return err
			}
			if name == "" {
				name = parsedName // "Anna Neri <anna@example.it>"
			}
			created, err := st.AddSubscriber(cmd.Context(), addr, name, a.Now())
			if err != nil {
				return err
			}
			if created {
				a.logf("added %s", addr)
			} else {
				a.logf("%s is active", addr)
			}
			return nil
		},
	}
	add.Flags().StringVar(&name, "name", "", "display name")
	remove := &cobra.Command{
		Use:   "remove ADDRESS",
		Short: "Unsubscribe an address (kept, so no import can bring it back)",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.Store(cmd.Context())
			if err != nil {
				return err
			}
			return st.SetSubscriberStatus(cmd.Context(), store.NormalizeEmail(args[0]), store.Unsubscribed, a.Now())
		},
	}
	var asJSON bool
	var status string
	list := &cobra.Command{
		Use:   "list",
		Short: "List subscribers: address and status (active, pending, unsubscribed, bounced)",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.listSubscribers(cmd.Context(), status, asJSON)
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, "one JSON object per line, for scripts")
	list.Flags().StringVar(&status, "status", "", "only this status")
	importCmd := &cobra.Command{
		Use:   "import FILE.csv",
		Short: "Import subscribers from CSV (header: email or \"Email Address\", optional name)",
		Long: `Import subscribers from a CSV file with a header row. The address column is
"email" or "Email Address" (Mailchimp's export); "name" (or "First Name" and
"Last Name") is optional. Bad rows are reported with their line number and
skipped (exit 1); the good ones are imported in one transaction. Duplicates
are merged. An address that unsubscribed or bounced keeps its status: an
import never re-activates anyone. Use - for standard input.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.importSubscribers(cmd.Context(), args[0])
		},
	}
	export := &cobra.Command{
		Use:   "export",
		Short: "Write all subscribers as CSV (email,name,status) to standard output",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := a.Store(cmd.Context())
			if err != nil {
				return err
			}
			w := csv.NewWriter(a.Out)
			w.Write([]string{"email", "name", "status"})
			err = st.EachSubscriber(cmd.Context(), nil, func(s store.Subscriber) error {
				return w.Write([]string{s.Email, s.Name, s.Status})
			})
			w.Flush()
			return errors.Join(err, w.Error())
		},
	}
	cmd.AddCommand(add, remove, list, importCmd, export)
	return cmd
}

// parseAddress reads "addr" or "Name <addr>" and returns the normalised
// address and the name.
func parseAddress(s string) (addr, name string, err error) {
	a, err := mail.ParseAddress(strings.TrimSpace(s))
	if err != nil || !strings.Contains(a.Address, "@") || strings.ContainsAny(a.Address, " \t\r\n") {
		return "", "", fmt.Errorf("%q is not an email address", s)
	}
	return store.NormalizeEmail(a.Address), a.Name, nil
}

func (a *App) listSubscribers(ctx context.Context, status string, asJSON bool) error {
	st, err := a.Store(ctx)
	if err != nil {
		return err
	}
	var filter []string
	if status != "" {
		filter = []string{status}
	}
	enc := json.NewEncoder(a.Out)
	return st.EachSubscriber(ctx, filter, func(s store.Subscriber) error {
		if asJSON {
			return enc.Encode(map[string]any{"email": s.Email, "name": s.Name, "status": s.Status,
				"created_at": s.CreatedAt, "updated_at": s.UpdatedAt})
		}
		_, err := fmt.Fprintf(a.Out, "%s\t%s\n", s.Email, s.Status)
		return err
	})
}

// rowError is a bad row of an import, by line.
type rowError struct {
	Line int
	Msg  string
}

// readSubscribersCSV reads an import file. It returns the good rows, merged
// by address, and the bad ones; a file it cannot read at all is an error.
func readSubscribersCSV(r io.Reader, name string) ([]store.ImportRow, []rowError, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: no header row: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		col[h] = i
	}
	emailCol, ok := col["email"]
	if !ok {
		if emailCol, ok = col["email address"]; !ok {
			return nil, nil, fmt.Errorf("%s:1: no \"email\" or \"Email Address\" column in the header (%s)", name, strings.Join(header, ","))
		}
	}
	field := func(rec []string, key string) string {
		if i, ok := col[key]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var rows []store.ImportRow
	var bad []rowError
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				bad = append(bad, rowError{pe.Line, pe.Err.Error()})
				continue
			}
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
		if emailCol >= len(rec) || strings.TrimSpace(rec[emailCol]) == "" {
			bad = append(bad, rowError{line, "no address"})
			continue
		}
		addr, _, err := parseAddress(rec[emailCol])
		if err != nil {
			bad = append(bad, rowError{line, err.Error()})
			continue
		}
		n := field(rec, "name")
		if n == "" {
			n = strings.TrimSpace(field(rec, "first name") + " " + field(rec, "last name"))
		}
		key := strings.ToLower(addr)
		if i, dup := seen[key]; dup {
			if n != "" {
				rows[i].Name = n
			}
			continue
		}
		seen[key] = len(rows)
		rows = append(rows, store.ImportRow{Email: addr, Name: n})
	}
	return rows, bad, nil
}

func (a *App) importSubscribers(ctx context.Context, name string) error {
	var r io.Reader = a.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	rows, bad, err := readSubscribersCSV(r, name)
	if err != nil {
		return err
	}
	st, err := a.Store(ctx)
	if err != nil {
		return err
	}
	res, err := st.ImportSubscribers(ctx, rows, a.Now())
	if err != nil {
		return fmt.Errorf("import %s: nothing imported: %w", name, err)
	}
	summary := fmt.Sprintf("%s: %d new, %d updated, %d unchanged (unsubscribed and bounced addresses are never re-activated)",
		name, res.Added, res.Updated, res.Kept)
	if len(bad) == 0 {
		a.logf("%s", summary)
		return nil
	}
	fmt.Fprintln(a.Err, summary)
	msgs := make([]string, len(bad))
	for i, b := range bad {
		msgs[i] = fmt.Sprintf("%s:%d: %s", name, b.Line, b.Msg)
	}
	return fmt.Errorf("%d bad row(s) skipped:\n  %s", len(bad), strings.Join(msgs, "\n  "))
}
