package newsletter

import (
	"context"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/venerdi/venerdi/internal/delivery"
	"github.com/venerdi/venerdi/internal/digest"
	"github.com/venerdi/venerdi/internal/letter"
	"github.com/venerdi/venerdi/internal/lock"
	"github.com/venerdi/venerdi/internal/mailer"
	"github.com/venerdi/venerdi/internal/store"
)

// Stream is one kind of mail a subscriber may get or stop on its own.
type Stream = store.Stream

// The streams.
const (
	StreamDigest  = store.StreamDigest
	StreamLetters = store.StreamLetters
)

// StreamNames lists the streams, for help and validation.
func StreamNames() []string {
	out := make([]string, len(store.Streams))
	for i, s := range store.Streams {
		out[i] = string(s)
	}
	return out
}

// ParseStream reads a stream given by a user.
func ParseStream(s string) (Stream, error) { return parseState(s, store.Streams) }

// LetterOptions are the choices of one letter send.
type LetterOptions struct {
	Path string // the Markdown file
	// Again sends an edited file that was sent before as a new letter.
	Again bool
	// At schedules the letter: frozen now, sent by 'send --if-due' or the
	// scheduler once At has come. Zero: now.
	At time.Time
	// Force resumes a letter that fell due more than Rules.MaxDelay ago.
	Force bool
}

// ChangedLetterError refuses to send a file that was sent before and has
// been edited since, unless LetterOptions.Again.
type ChangedLetterError struct {
	Path string
	Prev *Issue
}

func (e *ChangedLetterError) Error() string {
	when := "composed " + e.Prev.ComposedAt.Format("2006-01-02 15:04")
	if !e.Prev.FinishedAt.IsZero() {
		when = "sent " + e.Prev.FinishedAt.Format("2006-01-02 15:04")
	}
	return fmt.Sprintf("%s was %s as letter %d (%q) and has changed since: pass --again to send the edited file as a new letter",
		e.Path, when, e.Prev.ID, e.Prev.Subject)
}

// letterFile is a letter file read and parsed, with what identifies it.
type letterFile struct {
	*letter.Letter
	Path string // absolute: what the letter's source is recorded as
	Key  string // its name in the web archive
}

// readLetter reads and parses the letter at path.
func (n *Newsletter) readLetter(path string) (*letterFile, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	src, err := os.ReadFile(abs)
	if err != nil {
		return nil, fmt.Errorf("letter: %w", err)
	}
	l, err := letter.Parse(path, src, letter.Options{SiteURL: n.opts.Site.URL, Lang: digest.Lang(n.opts.Site.Language)})
	if err != nil {
		return nil, err
	}
	return &letterFile{Letter: l, Path: abs, Key: letterKey(abs, l.Hash)}, nil
}

var notSlug = regexp.MustCompile(`[^a-z0-9]+`)

// letterKey names a letter in the web archive: its file's name and the
// start of its hash, e.g. "auguri-2026-3fa9c1d2".
func letterKey(path, hash string) string {
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	slug := strings.Trim(notSlug.ReplaceAllString(strings.ToLower(base), "-"), "-")
	if len(slug) > 40 {
		slug = strings.Trim(slug[:40], "-")
	}
	if slug == "" || strings.HasPrefix(slug, "20") && len(slug) == 8 {
		slug = "letter" // never a week key's look-alike
	}
	return slug + "-" + hash[:8]
}

// renderLetter renders lf as it would be frozen at now.
func (n *Newsletter) renderLetter(lf *letterFile, now time.Time) (*Issue, error) {
	in := &digest.LetterInput{
		Site: digest.Site{Title: n.opts.Site.Title, URL: n.opts.Site.URL}, Lang: n.opts.Site.Language,
		Location: n.opts.Site.Location, Now: now, Subject: lf.Subject, Preheader: lf.Preheader,
		Stream: lf.Stream, HTML: lf.HTML, Text: lf.Text, TextLinks: lf.TextLinks, Key: lf.Key, Links: n.links, UTM: n.opts.Issue.UTM, Address: n.opts.Mail.Address,
	}
	if a, err := mail.ParseAddress(n.opts.Mail.From); err == nil {
		in.Sender = a.Name
	}
	out, err := n.letters.Render(in)
	if err != nil {
		return nil, err
	}
	if max := n.opts.Rules.MaxHTMLBytes; max > 0 && len(out.HTML) > max {
		return nil, fmt.Errorf("%s is %d KB of HTML, over digest.max_html_bytes (%d KB; Gmail clips longer messages): shorten the letter; nothing was frozen or sent",
			lf.Path, len(out.HTML)/1000, max/1000)
	}
	return &store.Issue{Kind: store.KindLetter, Stream: Stream(lf.Stream), Subject: out.Subject, HTML: out.HTML, Text: out.Text,
		ComposedAt: now, CutoffAt: now, SendAt: now, ContentHash: lf.Hash, Source: lf.Path, ArchiveKey: lf.Key}, nil
}

// PreviewLetter renders the letter at path in format f, as it would go
// out now (or as it was frozen, when it was sent before), storing nothing.
func (n *Newsletter) PreviewLetter(ctx context.Context, path string, f Format) ([]byte, error) {
	is, _, err := n.letterIssue(ctx, path)
	if err != nil {
		return nil, err
	}
	return n.previewIssue(is, f)
}

// letterIssue returns the frozen letter of path's content when there is
// one, else the letter rendered now; and the file read.
func (n *Newsletter) letterIssue(ctx context.Context, path string) (*Issue, *letterFile, error) {
	lf, err := n.readLetter(path)
	if err != nil {
		return nil, nil, err
	}
	if is, err := n.st.IssueByHash(ctx, lf.Hash); err == nil {
		return is, lf, nil
	} else if !isNotFound(err) {
		return nil, nil, err
	}
	is, err := n.renderLetter(lf, n.now())
	return is, lf, err
}

// LetterPlan is what a letter send would do, told without doing it.
type LetterPlan struct {
	Subject string
	Stream  Stream
	// Frozen is the letter already composed from this content, if any;
	// then SentSoFar says how far its delivery got.
	Frozen    *Issue
	SentSoFar int
	// Changed is the earlier letter from the same file when the file was
	// edited since: sending it needs Again.
	Changed    *Issue
	Recipients int // active subscribers who get the letter's stream
}

// DryRunLetter tells what sending the letter at path would do.
func (n *Newsletter) DryRunLetter(ctx context.Context, path string) (*LetterPlan, error) {
	lf, err := n.readLetter(path)
	if err != nil {
		return nil, err
	}
	p, err := n.planLetter(ctx, lf)
	if err != nil || p.Frozen != nil {
		return p, err
	}
	if _, err := n.renderLetter(lf, n.now()); err != nil {
		return nil, err
	}
	return p, nil
}

// planLetter looks up what is known of lf: the letter already frozen from
// this content, the earlier letter from the same file, and how many get
// its stream. DryRunLetter reports it; SendLetter acts on it.
func (n *Newsletter) planLetter(ctx context.Context, lf *letterFile) (*LetterPlan, error) {
	p := &LetterPlan{Subject: lf.Subject, Stream: Stream(lf.Stream)}
	var err error
	if p.Recipients, err = n.st.CountStreamRecipients(ctx, p.Stream); err != nil {
		return nil, err
	}
	if is, err := n.st.IssueByHash(ctx, lf.Hash); err == nil {
		counts, err := n.st.LedgerCounts(ctx, is.ID)
		if err != nil {
			return nil, err
		}
		p.Frozen, p.SentSoFar = is, counts[store.LedgerSent]
		return p, nil
	} else if !isNotFound(err) {
		return nil, err
	}
	if prev, err := n.st.LastLetterFrom(ctx, lf.Path); err == nil {
		p.Changed = prev
	} else if !isNotFound(err) {
		return nil, err
	}
	return p, nil
}

// SendLetter sends the letter at path to every active subscriber of its
// stream, with the digest's guarantees: frozen once, a per-recipient
// ledger, resumed after a crash, one run at a time, the relay's refusals
// stopping the run. The same content sent again sends nothing (Outcome
// AlreadySent, and when it went out); a file edited after a send is
// refused with a *ChangedLetterError unless Again. With At in the future
// the letter is frozen and left for 'send --if-due' or the scheduler
// (Outcome Scheduled).
func (n *Newsletter) SendLetter(ctx context.Context, o LetterOptions) (*SendReport, error) {
	lf, err := n.readLetter(o.Path)
	if err != nil {
		return nil, err
	}
	l, err := lock.Acquire(n.st.Path(), "send", time.Now())
	if err != nil {
		return nil, err
	}
	defer l.Release()
	rep := &SendReport{}
	now := n.now()
	p, err := n.planLetter(ctx, lf)
	switch {
	case err != nil:
		return nil, err
	case p.Frozen != nil:
		is := p.Frozen
		rep.Issue = is
		if is.Status != store.IssueDone && is.SendAt.After(now) {
			rep.Outcome = Scheduled
			return rep, nil
		}
		return rep, n.resume(ctx, rep, is, SendOptions{Force: o.Force})
	case p.Changed != nil && !o.Again:
		return nil, &ChangedLetterError{Path: o.Path, Prev: p.Changed}
	}
	if p.Recipients == 0 {
		rep.Outcome = NoRecipients
		return rep, nil
	}
	if err := n.checkRealSend(); err != nil {
		return nil, err
	}
	scheduled := !o.At.IsZero() && o.At.After(now)
	if !scheduled {
		if err := n.checkTransport(ctx); err != nil {
			return rep, err
		}
	}
	is, err := n.renderLetter(lf, now)
	if err != nil {
		return nil, err
	}
	if scheduled {
		is.SendAt = o.At
	}
	if err := n.st.CreateIssue(ctx, is, nil); err != nil {
		return nil, fmt.Errorf("freeze letter %s: %w", o.Path, err)
	}
	rep.Issue = is
	n.rep.Verbosef("composed letter %d (%s) from %s for the %s stream", is.ID, is.ArchiveKey, o.Path, is.Stream)
	if scheduled {
		rep.Outcome = Scheduled
		return rep, nil
	}
	return rep, n.deliver(ctx, rep, false)
}

// SendLetterTest sends the letter at path to one address, outside the
// ledger: a test copy never freezes the letter nor counts as anyone's.
func (n *Newsletter) SendLetterTest(ctx context.Context, path, to string) (*Issue, error) {
	is, _, err := n.letterIssue(ctx, path)
	if err != nil {
		return nil, err
	}
	return is, n.sendTestCopy(ctx, is, to)
}

// sendTestCopy sends is to one address, outside the ledger.
func (n *Newsletter) sendTestCopy(ctx context.Context, is *Issue, to string) error {
	opts := n.deliveryOptions(is)
	msgID := "<test." + strings.ReplaceAll(IssueKey(is), "-", ".") + "." + fmt.Sprint(time.Now().UnixNano()) + "@" + delivery.DomainOf(opts.From) + ">"
	c, err := delivery.NewComposer(opts)
	if err != nil {
		return err
	}
	raw, err := c.Message(0, to, "", msgID)
	if err != nil {
		return err
	}
	conn, err := opts.Dial(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.Send(ctx, mailer.Envelope{From: delivery.AddressOf(opts.From), To: to}, raw); err != nil {
		return fmt.Errorf("test send to %s: %w", to, err)
	}
	n.rep.Verbosef("test copy of %q sent to %s", is.Subject, to)
	return nil
}

// lettersMeta prefixes the meta key that records a due letter skipped as
// stale, so the warning is given once.
const lettersMeta = "skipped_letter_"

// sendDueLetters delivers the scheduled letters whose time has come (for
// 'send --if-due' and the scheduler), each under the stale guard: one that
// fell due more than Rules.MaxDelay ago is skipped with one warning
// ('letter send FILE --force' still sends it).
func (n *Newsletter) sendDueLetters(ctx context.Context) ([]*SendReport, error) {
	now := n.now()
	due, err := n.st.DueLetters(ctx, now)
	if err != nil {
		return nil, err
	}
	var out []*SendReport
	for i := range due {
		is := &due[i]
		if err := n.staleGuard(is, false); err != nil {
			key := lettersMeta + strconv.FormatInt(is.ID, 10)
			if v, merr := n.st.Meta(ctx, key); merr != nil {
				return out, merr
			} else if v == "" {
				n.rep.Warnf("%v", err)
				if err := n.st.SetMeta(ctx, key, "1"); err != nil {
					return out, err
				}
			}
			continue
		}
		rep := &SendReport{Issue: is}
		out = append(out, rep)
		n.rep.Verbosef("letter %d (%q) is due since %s", is.ID, is.Subject, is.SendAt.In(n.Location()).Format(time.RFC3339))
		if err := n.deliver(ctx, rep, false); err != nil {
			return out, err
		}
	}
	return out, nil
}

// NextLetter returns when the next scheduled letter falls due after t, or
// the zero time when none is scheduled.
func (n *Newsletter) NextLetter(ctx context.Context, t time.Time) (time.Time, error) {
	return n.st.NextLetterAt(ctx, t)
}

// issueName names an issue in messages: its week, or "letter KEY".
func issueName(is *Issue) string {
	if is.Kind == store.KindLetter {
		return "letter " + IssueKey(is)
	}
	return is.Week
}

// ParseTime reads a moment given by a user: RFC 3339, or "2006-01-02 15:04"
// in the site's time zone.
func (n *Newsletter) ParseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, s, n.Location()); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q: use RFC 3339 (2026-12-24T09:00:00+01:00) or \"2026-12-24 09:00\" in the site's time zone", s)
}
