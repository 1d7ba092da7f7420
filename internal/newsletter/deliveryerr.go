package newsletter

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/venerdi/venerdi/internal/delivery"
	"github.com/venerdi/venerdi/internal/store"
)

// Tally is where an issue's ledger stands. Its counts add up to Total, so
// the one line a failure prints accounts for every subscriber.
type Tally struct {
	Sent, Bounced, Skipped, Unknown int
	Owed                            int // pending, claimed or failed: still to send
	Total                           int
}

func (t Tally) String() string {
	parts := []string{fmt.Sprintf("%d sent", t.Sent)}
	for _, p := range []struct {
		n    int
		what string
	}{{t.Bounced, "bounced"}, {t.Skipped, "skipped"}, {t.Unknown, "unknown (maybe delivered)"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	parts = append(parts, fmt.Sprintf("%d still to send", t.Owed))
	return strings.Join(parts, ", ") + fmt.Sprintf(" (of %d)", t.Total)
}

func (n *Newsletter) tally(is *Issue) Tally {
	counts, err := n.st.LedgerCounts(context.Background(), is.ID)
	if err != nil {
		return Tally{}
	}
	t := Tally{Sent: counts[store.LedgerSent], Bounced: counts[store.LedgerBounced], Skipped: counts[store.LedgerSkipped],
		Unknown: counts[store.LedgerUnknown], Owed: counts[store.LedgerPending] + counts[store.LedgerSending] + counts[store.LedgerFailed]}
	for _, c := range counts {
		t.Total += c
	}
	return t
}

// DeliveryError is a delivery that did not finish, as one line: why, what
// to check, and where the issue's ledger stands.
type DeliveryError struct {
	Week string // "" when nothing was composed yet
	// Stop is set when the relay's answer stopped the run: the same for
	// every recipient, so nobody was bounced for it.
	Stop  *delivery.StopError
	Hint  string // the settings to check
	Tally Tally
	Err   error
	// Rerun is the command that resumes the delivery once fixed: empty for
	// the digest ('venerdi send'), 'venerdi letter send FILE' for a letter.
	Rerun string
}

// rerun is the command that resumes the delivery.
func (e *DeliveryError) rerun() string {
	if e.Rerun != "" {
		return e.Rerun
	}
	return "venerdi send"
}

// name is what the delivery is called in the message: "issue 2026-W49",
// "letter auguri-3fa9c1d2" (whose Week already says "letter").
func (e *DeliveryError) name() string {
	if strings.HasPrefix(e.Week, "letter ") {
		return e.Week
	}
	return "issue " + e.Week
}

func (e *DeliveryError) Error() string {
	switch {
	case e.Stop != nil && e.Week == "":
		return fmt.Sprintf("%v: %s; nothing was composed or sent", e.Stop, e.Hint)
	case e.Stop != nil:
		return fmt.Sprintf("%s stopped: %v: %s; nobody was bounced for it; %s; rerun '%s' once fixed",
			e.name(), e.Stop, e.Hint, e.Tally, e.rerun())
	case errors.Is(e.Err, context.Canceled):
		return fmt.Sprintf("%s interrupted: %s; the next '%s' resumes it", e.name(), e.Tally, e.rerun())
	}
	return fmt.Sprintf("%s: %s: kept for the next run (see 'venerdi deliveries --status failed')", e.name(), e.Tally)
}

func (e *DeliveryError) Unwrap() error {
	if e.Stop != nil {
		return e.Stop
	}
	return e.Err
}

// relayError explains a run the relay stopped, naming the settings to
// check.
func (n *Newsletter) relayError(is *Issue, stop *delivery.StopError) error {
	e := &DeliveryError{Stop: stop, Hint: stopHint(stop.Kind)}
	if is != nil {
		e.Week, e.Tally, e.Rerun = issueName(is), n.tally(is), rerunCommand(is)
	}
	return e
}

func (n *Newsletter) deliveryError(is *Issue, err error) error {
	return &DeliveryError{Week: issueName(is), Tally: n.tally(is), Err: err, Rerun: rerunCommand(is)}
}

// rerunCommand is the command that resumes is: the letter's own file for
// a letter (its content names the frozen letter), empty (venerdi send) for
// the digest.
func rerunCommand(is *Issue) string {
	if is.Kind != store.KindLetter {
		return ""
	}
	src := is.Source
	if src == "" {
		src = "FILE"
	}
	return "venerdi letter send " + shellQuote(src)
}

// shellQuote quotes s for sh when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./+=:,@") == "" {
		return s
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`").Replace(s) + `"`
}

func stopHint(k delivery.StopKind) string {
	switch k {
	case delivery.StopTLS:
		return "check smtp.tls (starttls, tls or none) and smtp.port"
	case delivery.StopAuth:
		return "check smtp.username and smtp.password_file (or VENERDI_SMTP_PASSWORD)"
	case delivery.StopSender:
		return "check mail.from: the relay must accept it as a sender for this login"
	case delivery.StopPolicy:
		return "the relay does not relay for this login or sender: check smtp.username and mail.from"
	case delivery.StopMessage:
		return "the relay refuses the message itself (its size or content): lower digest.max_posts or digest.max_html_bytes"
	case delivery.StopBreaker:
		return "that is the relay, not the list; check the relay's logs (and 'venerdi subscribers unbounce' undoes a past mass bounce)"
	case delivery.StopDown:
		return "the relay is failing for everyone: check smtp.host and that the relay is up"
	}
	return "check smtp.host and smtp.port"
}
