package newsletter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"

	"golang.org/x/net/idna"

	"github.com/venerdi/venerdi/internal/mailer"
	"github.com/venerdi/venerdi/internal/store"
)

// ErrUnsubscribed is returned when an add would re-activate an address that
// asked to leave: only the subscriber can undo that.
var ErrUnsubscribed = store.ErrUnsubscribed

// ErrBadAddress is wrapped by the errors for input that is not an email
// address.
var ErrBadAddress = errors.New("not an email address")

// ParseAddress reads "addr" or "Name <addr>" and returns the normalised
// address and the name.
//
// The address is checked with the rules the mailer applies when sending,
// so nothing is stored that would only bounce later. An international
// domain (müller.de) is converted to the ASCII form mail servers route by
// (xn--mller-kva.de); an address whose local part is not ASCII is refused,
// as sending it would need SMTPUTF8.
func ParseAddress(s string) (addr, name string, err error) {
	a, err := mail.ParseAddress(strings.TrimSpace(s))
	if err != nil || !strings.Contains(a.Address, "@") || strings.ContainsAny(a.Address, " \t\r\n") {
		return "", "", fmt.Errorf("%q is %w", s, ErrBadAddress)
	}
	at := strings.LastIndexByte(a.Address, '@')
	local, domain := a.Address[:at], a.Address[at+1:]
	ascii, err := idna.Lookup.ToASCII(domain)
	if err != nil {
		return "", "", fmt.Errorf("%q is %w: its domain %q cannot be used (%v)", s, ErrBadAddress, domain, err)
	}
	addr = local + "@" + ascii
	if err := mailer.CheckAddress(addr); err != nil {
		return "", "", fmt.Errorf("%q is %w: it %v", s, ErrBadAddress, err)
	}
	return store.NormalizeEmail(addr), a.Name, nil
}

// AddSubscriber adds an active subscriber from "addr" or "Name <addr>"; a
// non-empty name wins over the one in the address. An unsubscribed address
// is refused with ErrUnsubscribed; a bounced one is re-activated, since the
// author vouches for it.
func (n *Newsletter) AddSubscriber(ctx context.Context, address, name string) (addr string, created bool, err error) {
	addr, parsed, err := ParseAddress(address)
	if err != nil {
		return "", false, err
	}
	if name == "" {
		name = parsed
	}
	created, err = n.st.AddSubscriber(ctx, addr, cleanName(name), n.now())
	return addr, created, err
}

// RemoveSubscriber unsubscribes an address. The row is kept, so that no
// import can bring it back.
func (n *Newsletter) RemoveSubscriber(ctx context.Context, address string) error {
	return n.st.SetSubscriberStatus(ctx, store.NormalizeEmail(address), store.Unsubscribed, n.now())
}

// EachSubscriber calls fn for every subscriber with status (all when it is
// empty), in the order they joined.
func (n *Newsletter) EachSubscriber(ctx context.Context, status SubscriberStatus, fn func(Subscriber) error) error {
	var filter []store.SubscriberStatus
	if status != "" {
		filter = []store.SubscriberStatus{status}
	}
	return n.st.EachSubscriber(ctx, filter, fn)
}

// RowError is a bad row of an import, by line.
type RowError struct {
	Line int
	Msg  string
}

// ImportReport is what an import did.
type ImportReport struct {
	Added, Updated, Kept int // Kept: unchanged, or unsubscribed/bounced and left alone
	Suppressed           int // erased at their owner's request: never imported again
	Bad                  []RowError
}

// ImportError is returned when some rows were bad; the good ones were
// imported.
type ImportError struct {
	Name string
	Bad  []RowError
}

func (e *ImportError) Error() string {
	msgs := make([]string, len(e.Bad))
	for i, b := range e.Bad {
		msgs[i] = fmt.Sprintf("%s:%d: %s", e.Name, b.Line, b.Msg)
	}
	return fmt.Sprintf("%d bad row(s) skipped:\n  %s", len(e.Bad), strings.Join(msgs, "\n  "))
}

// ImportSubscribers imports a CSV file: a plain spreadsheet (any of the
// usual address and name headers, in Italian too, delimited by , ; or tab)
// or another tool's export, recognised by its columns (see importcsv.go and
// the README's "Importing from other tools"). Bad rows are reported by line
// in an *ImportError and skipped; the good ones go in one transaction, all
// or nothing. Duplicates are merged. Nobody is mailed who the old tool did
// not mail: its unsubscribed, cleaned or unconfirmed rows keep that status,
// an address already here keeps its own, and an erased address is not
// imported. name labels errors.
func (n *Newsletter) ImportSubscribers(ctx context.Context, r io.Reader, name string) (*ImportReport, error) {
	rows, bad, err := readSubscribersCSV(r, name)
	if err != nil {
		return nil, err
	}
	res, err := n.st.ImportSubscribers(ctx, rows, "import "+name, n.now())
	if err != nil {
		return nil, fmt.Errorf("import %s: nothing imported: %w", name, err)
	}
	rep := &ImportReport{Added: res.Added, Updated: res.Updated, Kept: res.Kept, Suppressed: res.Suppressed, Bad: bad}
	if len(bad) > 0 {
		return rep, &ImportError{Name: name, Bad: bad}
	}
	return rep, nil
}

// Unbounce undoes a mass bounce that was the relay's fault: the
// subscribers bounced by the issue of week (or, with week empty, since the
// given time) are active again, and their rows of that issue go back to
// failed, so 'send --retry-failed' sends them what they missed. It returns
// the addresses restored.
func (n *Newsletter) Unbounce(ctx context.Context, week string, since time.Time) ([]string, error) {
	var id int64
	if week != "" {
		is, err := n.st.IssueByWeek(ctx, week)
		if isNotFound(err) {
			return nil, fmt.Errorf("no issue %s (see 'venerdi history')", week)
		}
		if err != nil {
			return nil, err
		}
		id = is.ID
	}
	return n.st.Unbounce(ctx, id, since, n.now())
}
