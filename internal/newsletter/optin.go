package newsletter

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/venerdi/venerdi/internal/delivery"
	"github.com/venerdi/venerdi/internal/digest"
	"github.com/venerdi/venerdi/internal/mailer"
	"github.com/venerdi/venerdi/internal/store"
	"github.com/venerdi/venerdi/internal/token"
)

// ConfirmValidity is how long a confirmation link works.
const ConfirmValidity = 7 * 24 * time.Hour

// Token errors: a link that was altered, truncated, made for another
// purpose or for another address is ErrBadLink; a genuine confirmation link
// past its validity is ErrExpiredLink. Neither changes anything.
var (
	ErrBadLink     = errors.New("this link is not valid")
	ErrExpiredLink = errors.New("this link has expired")
)

// SubscribeRequest is a filled-in subscription form.
type SubscribeRequest struct {
	Email   string
	Name    string
	IP      string // the client's address, recorded with the consent
	Source  string // where the form was, e.g. "web form"
	Wording string // the version of the consent text shown
}

// Subscribe records a request to join and, when one is due, mails the
// address a confirmation link (double opt-in). It returns the same outcome
// whatever the address's standing (new, pending, active, unsubscribed), so
// the answer reveals nothing; an address already active gets no mail, and
// the per-address limits (one mail per store.ConfirmInterval, at most
// store.ConfirmPerDay a day) mean nobody can mail-bomb a stranger through
// the form. A malformed address is an error wrapping ErrBadAddress; a
// confirmation mail that could not be sent is an error too, and does not
// count against the limits.
func (n *Newsletter) Subscribe(ctx context.Context, req SubscribeRequest) error {
	addr, _, err := ParseAddress(req.Email)
	if err != nil {
		return err
	}
	now := n.now()
	res, err := n.st.RequestSubscription(ctx, store.Request{
		Email: addr, Name: cleanName(req.Name),
		Consent: store.Consent{Source: req.Source, IP: req.IP, Wording: req.Wording},
	}, now)
	if err != nil {
		return err
	}
	if !res.SendConfirm {
		n.rep.Verbosef("subscription request: no confirmation mail due")
		return nil
	}
	sub := res.Subscriber
	if err := n.mailConfirmation(ctx, &sub, now); err != nil {
		// Not the subscriber's fault: the limits should not hold back
		// their next try.
		return errors.Join(fmt.Errorf("confirmation mail: %w", err), n.st.UndoConfirmMark(ctx, sub.ID, now))
	}
	n.rep.Verbosef("confirmation mail sent")
	return nil
}

// mailConfirmation sends sub the link that confirms the subscription.
func (n *Newsletter) mailConfirmation(ctx context.Context, sub *Subscriber, now time.Time) error {
	until := now.Add(ConfirmValidity)
	link := n.links.Confirm(token.MakeUntil(n.secret, token.Confirm, sub.UID, sub.Email, until))
	out, err := n.confirm.Render(digest.Site{Title: n.opts.Site.Title, URL: n.opts.Site.URL}, link, until.In(n.Location()))
	if err != nil {
		return err
	}
	m := &mailer.Message{
		From: n.opts.Mail.From, ReplyTo: n.opts.Mail.ReplyTo, To: sub.Email, ToName: sub.Name,
		Subject: out.Subject, Text: out.Text, HTML: out.HTML, Date: now,
		Headers: map[string]string{"Auto-Submitted": "auto-generated"},
	}
	raw, err := m.Bytes(n.signer)
	if err != nil {
		return err
	}
	conn, err := n.dial(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Send(ctx, mailer.Envelope{From: delivery.AddressOf(n.opts.Mail.From), To: sub.Email}, raw)
}

// LinkTarget is the subscriber a link names, shown on the page that asks
// for the confirming click.
type LinkTarget struct {
	Email  string
	Status SubscriberStatus
	// Streams are the streams the subscriber still gets.
	Streams []Stream
}

// CheckLink reads a confirm or unsubscribe link without acting on it: a GET
// must never change state (link scanners and mailbox providers fetch every
// link they see).
func (n *Newsletter) CheckLink(ctx context.Context, purpose, tok string) (*LinkTarget, error) {
	sub, err := n.subscriberOf(ctx, purpose, tok)
	if err != nil {
		return nil, err
	}
	streams, err := n.st.SubscriberStreams(ctx, sub.ID)
	if err != nil {
		return nil, err
	}
	return &LinkTarget{Email: sub.Email, Status: sub.Status, Streams: streams}, nil
}

func (n *Newsletter) subscriberOf(ctx context.Context, purpose, tok string) (*Subscriber, error) {
	uid, err := token.ID(tok)
	if err != nil {
		return nil, ErrBadLink
	}
	if purpose == token.Confirm && len(tok) != token.ExpiringLen {
		return nil, ErrBadLink // confirmation links always expire
	}
	sub, err := n.st.SubscriberByUID(ctx, uid)
	if isNotFound(err) {
		return nil, ErrBadLink
	}
	if err != nil {
		return nil, err
	}
	switch token.Check(n.secret, purpose, tok, sub.UID, sub.Email, n.now()) {
	case nil:
		return sub, nil
	case token.ErrExpired:
		return nil, ErrExpiredLink
	}
	return nil, ErrBadLink
}

// Confirmed is what a confirmation did, and what the page says next.
type Confirmed struct {
	Already  bool   // the address was active before
	Latest   *Issue // the last issue sent, nil before the first
	NextSlot time.Time
}

// Confirm activates the subscriber a confirmation link names, recording the
// consent (time, IP, the wording version); confirming twice is fine.
func (n *Newsletter) Confirm(ctx context.Context, tok, ip, wording string) (*Confirmed, error) {
	sub, err := n.subscriberOf(ctx, token.Confirm, tok)
	if err != nil {
		return nil, err
	}
	now := n.now()
	already, err := n.st.Confirm(ctx, sub.ID, store.Consent{Source: "confirmation link", IP: ip, Wording: wording}, now)
	if err != nil {
		return nil, err
	}
	c := &Confirmed{Already: already, NextSlot: n.NextSlot(now)}
	if list, err := n.st.Archive(ctx, 1); err != nil {
		return nil, err
	} else if len(list) > 0 {
		c.Latest = &list[0]
	}
	return c, nil
}

// Unsubscribe unsubscribes the subscriber an unsubscribe link names, at
// once (RFC 8058 one-click, or the button of the page). It reports whether
// the address had already left.
func (n *Newsletter) Unsubscribe(ctx context.Context, tok, source, ip string) (already bool, err error) {
	sub, err := n.subscriberOf(ctx, token.Unsubscribe, tok)
	if err != nil {
		return false, err
	}
	return n.st.Unsubscribe(ctx, sub.ID, store.Consent{Source: source, IP: ip}, n.now())
}

// Forget erases everything kept about an address and keeps only a hash of
// it, so that no import or add can bring it back without a new opt-in by
// its owner (the GDPR's right to erasure). It reports whether the address
// was on the list.
func (n *Newsletter) Forget(ctx context.Context, address string) (found bool, err error) {
	addr, _, err := ParseAddress(address)
	if err != nil {
		return false, err
	}
	return n.st.Forget(ctx, addr, n.now())
}

// StopStream stops one stream for the subscriber an unsubscribe link names,
// at once: what "unsubscribe" means in a message of that stream (a mailbox
// provider's RFC 8058 one-click POST, or the page's "stop this stream"
// button). The other stream goes on; a subscriber left with no stream is
// unsubscribed. It reports whether the stream was stopped already and
// whether the subscriber is now unsubscribed.
func (n *Newsletter) StopStream(ctx context.Context, tok string, stream Stream, source, ip string) (already, unsubscribed bool, err error) {
	sub, err := n.subscriberOf(ctx, token.Unsubscribe, tok)
	if err != nil {
		return false, false, err
	}
	return n.st.StopStream(ctx, sub.ID, stream, store.Consent{Source: source, IP: ip}, n.now())
}
