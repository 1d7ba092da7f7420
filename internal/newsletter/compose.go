package newsletter

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/venerdi/venerdi/internal/delivery"
	"github.com/venerdi/venerdi/internal/digest"
	"github.com/venerdi/venerdi/internal/links"
	"github.com/venerdi/venerdi/internal/schedule"
	"github.com/venerdi/venerdi/internal/store"
	"github.com/venerdi/venerdi/internal/token"
)

// NothingNewError is returned by Compose when Rules.SkipEmpty holds this
// week's issue back.
type NothingNewError struct{ Since time.Time }

func (e *NothingNewError) Error() string {
	return "nothing new since " + e.Since.Format("2006-01-02 15:04 MST")
}

// Composed is the outcome of Compose.
type Composed struct {
	Issue  *Issue
	Fresh  bool   // composed by this call, rather than found frozen
	Counts Counts // what a fresh issue carries
}

// Week returns the key of the week now falls in, in the site's time zone.
func (n *Newsletter) Week(now time.Time) string {
	return schedule.WeekKey(now, n.opts.Site.Location)
}

// Compose returns this week's issue: the frozen one when it exists, else a
// fresh one, selected and rendered once and frozen. Two runs racing to
// compose the same week end up with the same issue: the loser reads the
// winner's. With nothing new and Rules.SkipEmpty it returns a
// *NothingNewError, unless allowEmpty.
func (n *Newsletter) Compose(ctx context.Context, allowEmpty bool) (*Composed, error) {
	return n.compose(ctx, allowEmpty, n.now())
}

// compose is Compose for the week that slot falls in: a due-slot send
// caught up after midnight still composes the slot's issue, not the next
// week's (which would then look sent when its own slot comes).
func (n *Newsletter) compose(ctx context.Context, allowEmpty bool, slot time.Time) (*Composed, error) {
	now := n.now()
	week := n.Week(slot)
	frozen, sel, err := n.frozenOrSelected(ctx, now, slot)
	if err != nil || frozen != nil {
		return &Composed{Issue: frozen}, err
	}
	sel.input.Week = week
	if sel.input.Empty() && n.opts.Rules.SkipEmpty && !allowEmpty {
		return nil, &NothingNewError{sel.cutoff.In(n.opts.Site.Location)}
	}
	if err := n.checkRealSend(); err != nil {
		return nil, err
	}
	out, err := n.render(sel)
	if err != nil {
		return nil, err
	}
	if max := n.opts.Rules.MaxHTMLBytes; max > 0 && len(out.HTML) > max {
		return nil, fmt.Errorf("issue %s is %d KB of HTML, over digest.max_html_bytes (%d KB; Gmail clips longer messages): lower digest.max_posts or raise the limit; nothing was frozen or sent",
			week, len(out.HTML)/1000, max/1000)
	}
	is := &store.Issue{Week: week, Kind: store.KindDigest, Subject: out.Subject, HTML: out.HTML, Text: out.Text, ComposedAt: now, CutoffAt: now}
	err = n.st.CreateIssue(ctx, is, sel.items)
	if errors.Is(err, store.ErrIssueExists) {
		is, err = n.st.IssueByWeek(ctx, week)
		return &Composed{Issue: is}, err
	}
	if err != nil {
		return nil, fmt.Errorf("freeze issue %s: %w", week, err)
	}
	c := sel.counts()
	n.rep.Verbosef("composed issue %s: %d posts, %d upcoming webinars, %d recordings, %d changes",
		week, c.Posts, c.Upcoming, c.Recordings, c.Changes)
	return &Composed{Issue: is, Fresh: true, Counts: c}, nil
}

// ErrNoAddress refuses to freeze an issue for a real send without the
// sender's postal address.
var ErrNoAddress = errors.New("mail.address: set the sender's postal address (shown in every issue's footer, as anti-spam laws ask) before sending to the list over smtp.host")

// checkRealSend refuses a real send without the sender's postal address:
// an issue composed for the list while Mail.RequireAddress holds (the
// command line sets it when an SMTP relay is configured). The outbox demo,
// previews, dry runs and test copies (send --to) do without it. The check
// comes before freezing, so a frozen issue can never lack the address.
func (n *Newsletter) checkRealSend() error {
	if n.opts.Mail.RequireAddress && strings.TrimSpace(n.opts.Mail.Address) == "" {
		return ErrNoAddress
	}
	return nil
}

// issueInput is the selection with what the email adds around it: the
// links to serve, the UTM tags and the sender's identity.
func (n *Newsletter) issueInput(sel *selection) *digest.Input {
	in := sel.input
	in.Links = n.links
	in.UTM = n.opts.Issue.UTM
	in.Address = n.opts.Mail.Address
	if a, err := mail.ParseAddress(n.opts.Mail.From); err == nil {
		in.Sender = a.Name
	}
	return &in
}

// Preview returns this week's frozen issue, or renders one now without
// storing it: looking never fixes the week's contents.
func (n *Newsletter) Preview(ctx context.Context) (*Issue, error) {
	now := n.now()
	frozen, sel, err := n.frozenOrSelected(ctx, now, now)
	if err != nil || frozen != nil {
		return frozen, err
	}
	out, err := n.render(sel)
	if err != nil {
		return nil, err
	}
	return &store.Issue{Week: n.Week(now), Kind: store.KindDigest, Subject: out.Subject, HTML: out.HTML, Text: out.Text, ComposedAt: now, CutoffAt: now}, nil
}

// frozenOrSelected returns the week's frozen issue when there is one, else
// what a new issue composed at now would carry.
func (n *Newsletter) frozenOrSelected(ctx context.Context, now, weekOf time.Time) (*Issue, *selection, error) {
	if is, err := n.st.IssueByWeek(ctx, n.Week(weekOf)); err == nil {
		return is, nil, nil
	} else if !isNotFound(err) {
		return nil, nil, err
	}
	sel, err := n.selectIssue(ctx, now)
	return nil, sel, err
}

// Format is a way to look at an issue.
type Format string

// Preview formats.
const (
	FormatHTML Format = "html"
	FormatText Format = "text"
	FormatEML  Format = "eml" // the whole message, as a subscriber gets it
)

// ParseFormat reads a preview format given by a user.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case FormatHTML, FormatText, FormatEML:
		return f, nil
	}
	return "", fmt.Errorf("%q: use html, text or eml", s)
}

// PreviewBytes renders this week's issue (see Preview) in format f. The
// personal unsubscribe link is a visible stand-in; an eml preview is
// addressed to the sender.
func (n *Newsletter) PreviewBytes(ctx context.Context, f Format) ([]byte, error) {
	is, err := n.Preview(ctx)
	if err != nil {
		return nil, err
	}
	return n.previewIssue(is, f)
}

// previewIssue writes is in format f, the personal link a visible
// stand-in.
func (n *Newsletter) previewIssue(is *Issue, f Format) ([]byte, error) {
	switch f {
	case FormatHTML:
		return []byte(strings.ReplaceAll(is.HTML, digest.UnsubscribePlaceholder, "#unsubscribe")), nil
	case FormatText:
		return []byte(strings.ReplaceAll(is.Text, digest.UnsubscribePlaceholder, "<unsubscribe link>")), nil
	case FormatEML:
		c, err := delivery.NewComposer(n.deliveryOptions(is))
		if err != nil {
			return nil, err
		}
		from := delivery.AddressOf(n.opts.Mail.From)
		return c.Message(0, from, "", "<preview@"+delivery.DomainOf(n.opts.Mail.From)+">")
	}
	return nil, fmt.Errorf("preview format %q: use html, text or eml", f)
}

// content is a frozen issue as delivery sends it: the digest's stand-in for
// the unsubscribe URL becomes the real link around token.Placeholder.
func (n *Newsletter) content(is *Issue) delivery.Content {
	unsub := n.links.UnsubscribeStream(token.Placeholder, links.Stream(streamOf(is)))
	return delivery.Content{
		Subject: is.Subject,
		HTML:    strings.ReplaceAll(is.HTML, digest.UnsubscribePlaceholder, unsub),
		Text:    strings.ReplaceAll(is.Text, digest.UnsubscribePlaceholder, unsub),
	}
}

// Plan is what a send would do now, told without doing it.
type Plan struct {
	// Frozen is this week's issue when it is already composed; then
	// SentSoFar and Left say how far its delivery got.
	Frozen          *Issue
	SentSoFar, Left int
	// Otherwise, the issue a send would compose, unless NothingNew holds
	// it back.
	NothingNew *NothingNewError
	// Held is set when a source failed and the send would hold the issue
	// (see Send); the rest of the plan is what it would carry without it.
	Held       *HeldError
	Subject    string
	Counts     Counts
	Active     int // active subscribers who get the digest
	Posts      []string
	Upcoming   []string
	Recordings []string
}

// DryRun tells what Send with o would do now: it fetches the sources as
// Send does (unless o.NoFetch), and composes, freezes and sends nothing.
func (n *Newsletter) DryRun(ctx context.Context, o SendOptions) (*Plan, error) {
	now := n.now()
	active, err := n.st.CountStreamRecipients(ctx, store.StreamDigest)
	if err != nil {
		return nil, err
	}
	p := &Plan{Active: active}
	if is, err := n.st.IssueByWeek(ctx, n.Week(now)); err == nil {
		counts, err := n.st.LedgerCounts(ctx, is.ID)
		if err != nil {
			return nil, err
		}
		p.Frozen, p.SentSoFar = is, counts[store.LedgerSent]
		p.Left = max(0, p.Active-counts[store.LedgerSent]-counts[store.LedgerBounced]-counts[store.LedgerSkipped])
		return p, nil
	} else if !isNotFound(err) {
		return nil, err
	}
	if !o.NoFetch {
		_, err := n.Gather(ctx)
		var ge *GatherError
		switch {
		case errors.As(err, &ge) && !o.AllowPartial && !n.opts.Rules.AllowPartial:
			p.Held = &HeldError{Week: n.Week(now), Gather: ge}
		case ge != nil:
			n.rep.Warnf("a send would go out without what these sources hold: %v", err)
		case err != nil:
			return nil, err
		}
	}
	sel, err := n.selectIssue(ctx, now)
	if err != nil {
		return nil, err
	}
	if sel.input.Empty() && n.opts.Rules.SkipEmpty && !o.AllowEmpty {
		p.NothingNew = &NothingNewError{sel.cutoff.In(n.opts.Site.Location)}
		return p, nil
	}
	out, err := n.render(sel)
	if err != nil {
		return nil, err
	}
	p.Subject, p.Counts = out.Subject, sel.counts()
	for _, x := range sel.input.Posts {
		p.Posts = append(p.Posts, x.Title)
	}
	for _, w := range sel.input.Upcoming {
		p.Upcoming = append(p.Upcoming, w.Title)
	}
	for _, w := range sel.input.OnDemand {
		p.Recordings = append(p.Recordings, w.Title)
	}
	return p, nil
}

// ExportTemplates writes the default templates of lang to dir for the
// author to edit, and returns the files written.
func ExportTemplates(lang, dir string) ([]string, error) { return digest.Export(lang, dir) }
