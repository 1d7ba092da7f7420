package cli

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/venerdi/venerdi/internal/newsletter"
)

func newSubscribersCmd(a *App) *cobra.Command {
	cmd := groupCmd(&cobra.Command{
		Use:   "subscribers",
		Short: "Add, remove, list, import and export subscribers",
	})
	cmd.AddCommand(newSubscribersAddCmd(a), newSubscribersRemoveCmd(a), newSubscribersUnbounceCmd(a), newSubscribersForgetCmd(a),
		newSubscribersListCmd(a), newSubscribersImportCmd(a), newSubscribersExportCmd(a))
	return cmd
}

func newSubscribersAddCmd(a *App) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "add ADDRESS  (or 'Name <ADDRESS>')",
		Short: "Add an active subscriber (an unsubscribed address is refused)",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withCore(cmd.Context(), func(ctx context.Context, nl *newsletter.Newsletter) error {
				addr, created, err := nl.AddSubscriber(ctx, args[0], name)
				if err != nil {
					return err
				}
				if created {
					a.out.Verbosef("added %s", addr)
				} else {
					a.out.Verbosef("%s is active", addr)
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "display name")
	return cmd
}

func newSubscribersRemoveCmd(a *App) *cobra.Command {
	return &cobra.Command{
		Use:   "remove ADDRESS",
		Short: "Unsubscribe an address (kept, so no import can bring it back)",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withCore(cmd.Context(), func(ctx context.Context, nl *newsletter.Newsletter) error {
				return nl.RemoveSubscriber(ctx, args[0])
			})
		},
	}
}

type listOptions struct {
	Status newsletter.SubscriberStatus
	JSON   bool
}

func newSubscribersListCmd(a *App) *cobra.Command {
	var o listOptions
	var status string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List subscribers: address and status (active, pending, unsubscribed, bounced)",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if status != "" {
				s, err := newsletter.ParseSubscriberStatus(status)
				if err != nil {
					return usageError{err}
				}
				o.Status = s
			}
			return a.withCore(cmd.Context(), func(ctx context.Context, nl *newsletter.Newsletter) error {
				return runSubscribersList(ctx, a.out, nl, o)
			})
		},
	}
	cmd.Flags().BoolVar(&o.JSON, "json", false, "one JSON object per line, for scripts: email, name, status, created_at, updated_at, streams")
	cmd.Flags().StringVar(&status, "status", "", "only this status: "+strings.Join(newsletter.SubscriberStatusNames(), ", "))
	completeEnum(cmd, "status", newsletter.SubscriberStatusNames())
	return cmd
}

// subscriberJSON is one line of subscribers list --json; its field names
// are a contract.
type subscriberJSON struct {
	Email     string `json:"email"`
	Name      string `json:"name"`
	Status    string `json:"status"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
	// Streams are the streams it gets: digest, letters.
	Streams []string `json:"streams"`
}

// streamNames lists a subscriber's streams as words.
func streamNames(s newsletter.Subscriber) []string {
	out := []string{}
	for _, st := range s.Streams {
		out = append(out, string(st))
	}
	return out
}

func runSubscribersList(ctx context.Context, p *printer, nl *newsletter.Newsletter, o listOptions) error {
	return nl.EachSubscriber(ctx, o.Status, func(s newsletter.Subscriber) error {
		if o.JSON {
			return p.JSON(subscriberJSON{Email: s.Email, Name: s.Name, Status: string(s.Status),
				CreatedAt: rfc3339(s.CreatedAt), UpdatedAt: rfc3339(s.UpdatedAt), Streams: streamNames(s)})
		}
		p.Printf("%s\t%s", s.Email, s.Status)
		return nil
	})
}

func newSubscribersImportCmd(a *App) *cobra.Command {
	return &cobra.Command{
		Use:   "import FILE.csv",
		Short: "Import subscribers from CSV: a spreadsheet, or the export of Mailchimp, MailPoet, listmonk, Substack, Ghost, Buttondown, Keila",
		Long: `Import subscribers from a CSV file with a header row: a spreadsheet (an
address column such as "email", "Email Address", "E-mail" or "Indirizzo
email", optional "name", "Nome"/"Cognome"; delimited by , ; or tab) or
another tool's export, recognised by its columns (see the README table).

Nobody is mailed who the old tool did not mail: its unsubscribed, cleaned,
bounced or unconfirmed rows keep that status; an address already here keeps
its own (an import never re-activates anyone); an address erased with
'subscribers forget' is not imported. Bad rows are reported with their line
number and skipped (exit 1); the good ones are imported in one transaction.
Duplicates are merged. Save as "CSV UTF-8": a file that is not UTF-8 is
decoded only when it is certainly Windows-1252, else refused. Use - for
standard input.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withCore(cmd.Context(), func(ctx context.Context, nl *newsletter.Newsletter) error {
				return runImport(ctx, a.out, nl, a.Stdin, args[0])
			})
		},
	}
}

func runImport(ctx context.Context, p *printer, nl *newsletter.Newsletter, stdin io.Reader, name string) error {
	r := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	rep, err := nl.ImportSubscribers(ctx, r, name)
	if rep == nil {
		return err
	}
	// The summary is a detail when all went well, and context when some
	// rows were bad.
	summary := p.Verbosef
	var bad *newsletter.ImportError
	if errors.As(err, &bad) {
		summary = p.Notef
	}
	summary("%s: %d new, %d updated, %d unchanged, %d erased at their owner's request and not imported (unsubscribed and bounced addresses are never re-activated)",
		name, rep.Added, rep.Updated, rep.Kept, rep.Suppressed)
	return err
}

func newSubscribersForgetCmd(a *App) *cobra.Command {
	return &cobra.Command{
		Use:   "forget ADDRESS",
		Short: "Erase an address and all that is kept about it (GDPR); only a hash stays, so no import brings it back",
		Long: `Erase everything venerdi keeps about an address: the subscriber, its consent
records and its rows in the delivery ledger (past issues' counts shrink by
one). Only a SHA-256 hash of the address is kept, so that no later import or
add can bring it back; its owner can still subscribe again through the form,
with a new double opt-in.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withCore(cmd.Context(), func(ctx context.Context, nl *newsletter.Newsletter) error {
				found, err := nl.Forget(ctx, args[0])
				if err != nil {
					return err
				}
				if found {
					a.out.Verbosef("erased %s; its hash is kept so no import brings it back", args[0])
				} else {
					a.out.Verbosef("%s was not on the list; its hash is kept so no import adds it", args[0])
				}
				return nil
			})
		},
	}
}

func newSubscribersExportCmd(a *App) *cobra.Command {
	return &cobra.Command{
		Use:   "export",
		Short: "Write all subscribers as CSV to standard output, with their consent records",
		Long: `Write every subscriber as CSV: email, name, status, created_at, then the
latest consent record (consent_event, consent_at, consent_source, consent_ip,
consent_wording: how and when the address joined), then streams (the
streams it gets, e.g. "digest,letters"; 'subscribers import' reads it back).
Times are RFC 3339, UTC.`,
		Args: exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withCore(cmd.Context(), func(ctx context.Context, nl *newsletter.Newsletter) error {
				w := csv.NewWriter(a.out)
				w.Write([]string{"email", "name", "status", "created_at", "consent_event", "consent_at", "consent_source", "consent_ip", "consent_wording", "streams"})
				err := nl.EachSubscriber(ctx, "", func(s newsletter.Subscriber) error {
					at := ""
					if !s.Consent.At.IsZero() {
						at = s.Consent.At.UTC().Format(time.RFC3339)
					}
					return w.Write([]string{s.Email, s.Name, string(s.Status), s.CreatedAt.UTC().Format(time.RFC3339),
						string(s.Consent.Event), at, s.Consent.Source, s.Consent.IP, s.Consent.Wording, strings.Join(streamNames(s), ",")})
				})
				w.Flush()
				return errors.Join(err, w.Error())
			})
		},
	}
}

func newSubscribersUnbounceCmd(a *App) *cobra.Command {
	var week, since string
	cmd := &cobra.Command{
		Use:   "unbounce (--issue WEEK | --since TIME)",
		Short: "Undo a mass bounce that was the relay's fault",
		Long: `Make the subscribers bounced by one issue (--issue 2026-W49), or since a
time (--since 2026-12-04T09:00:00+01:00), active again, and put their rows
of that issue back to failed so 'venerdi send --retry-failed' sends them the
issue they missed. For a relay that refused everyone as "user unknown"
before venerdi learnt to tell (the send now stops instead: see README,
"Delivery guarantees"). Prints each address restored.`,
		Example: "  venerdi subscribers unbounce --issue 2026-W49\n  venerdi send --retry-failed",
		Args:    exactArgs(0),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (week == "") == (since == "") {
				return usageError{errors.New("give one of --issue WEEK or --since TIME")}
			}
			var t time.Time
			if since != "" {
				var err error
				if t, err = time.Parse(time.RFC3339, since); err != nil {
					return usageError{fmt.Errorf("--since %q: use RFC 3339, like 2026-12-04T09:00:00+01:00", since)}
				}
			}
			return a.withCore(cmd.Context(), func(ctx context.Context, nl *newsletter.Newsletter) error {
				restored, err := nl.Unbounce(ctx, week, t)
				if err != nil {
					return err
				}
				for _, addr := range restored {
					a.out.Printf("%s", addr)
				}
				a.out.Verbosef("%d subscriber(s) active again", len(restored))
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&week, "issue", "", "the issue whose bounces to undo (a week key, as 'venerdi history' shows)")
	cmd.Flags().StringVar(&since, "since", "", "undo every bounce since this time (RFC 3339)")
	return cmd
}
