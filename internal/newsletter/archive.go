package newsletter

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/feeds"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/venerdi/venerdi/internal/digest"
	"github.com/venerdi/venerdi/internal/store"
)

// Archive lists up to limit issues that went out, newest first, without
// their bodies.
func (n *Newsletter) Archive(ctx context.Context, limit int) ([]Issue, error) {
	return n.st.Archive(ctx, limit)
}

// IssueKey is how the web archive names an issue: the ISO week of a
// digest ("2026-W49"), else the id of a letter.
func IssueKey(is *Issue) string {
	if is.Week != "" {
		return is.Week
	}
	if is.ArchiveKey != "" {
		return is.ArchiveKey
	}
	return strconv.FormatInt(is.ID, 10)
}

// WebIssue returns the web version of the issue key names, with the
// personal parts removed: where each subscriber's mail has their own
// unsubscribe link, the page links the subscription form. Only issues that
// went out are shown; others are ErrNotFound.
func (n *Newsletter) WebIssue(ctx context.Context, key string) (*Issue, error) {
	var is *Issue
	var err error
	if id, perr := strconv.ParseInt(key, 10, 64); perr == nil {
		is, err = n.st.IssueByID(ctx, id)
	} else if is, err = n.st.IssueByWeek(ctx, key); isNotFound(err) {
		is, err = n.st.IssueByArchiveKey(ctx, key)
	}
	if err != nil {
		return nil, err
	}
	if is.Status != store.IssueSending && is.Status != store.IssueDone {
		return nil, ErrNotFound
	}
	public := n.links.Subscribe()
	t := digest.Labels(n.opts.Site.Language)
	if h, err := withoutPersonal(is.HTML, t["web_subscribe_intro"], t["web_subscribe"], public); err == nil {
		is.HTML = h
	}
	// An override template without the marker still loses the personal
	// link: it points at the form instead.
	is.HTML = strings.ReplaceAll(is.HTML, digest.UnsubscribePlaceholder, public)
	is.Text = strings.ReplaceAll(is.Text, digest.UnsubscribePlaceholder, public)
	return is, nil
}

// withoutPersonal replaces what the templates mark data-venerdi-personal
// (the footer line with the personal unsubscribe link) with an invitation
// to subscribe: in a page anyone can read, "unsubscribe" means nothing.
func withoutPersonal(doc, intro, label, subscribeURL string) (string, error) {
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		return "", err
	}
	var drop []*html.Node
	for n := range root.Descendants() {
		if n.Type == html.ElementNode && slices.ContainsFunc(n.Attr, func(a html.Attribute) bool { return a.Key == "data-venerdi-personal" }) {
			drop = append(drop, n)
		}
	}
	if len(drop) == 0 {
		return doc, nil
	}
	for _, n := range drop {
		for c := n.FirstChild; c != nil; c = n.FirstChild {
			n.RemoveChild(c)
		}
		n.Attr = slices.DeleteFunc(n.Attr, func(a html.Attribute) bool { return a.Key == "data-venerdi-personal" })
		n.AppendChild(&html.Node{Type: html.TextNode, Data: intro + " "})
		a := &html.Node{Type: html.ElementNode, Data: "a", DataAtom: atom.A,
			Attr: []html.Attribute{{Key: "href", Val: subscribeURL}, {Key: "style", Val: "text-decoration:underline;font-weight:700;"}}}
		a.AppendChild(&html.Node{Type: html.TextNode, Data: label})
		n.AppendChild(a)
	}
	var b strings.Builder
	if err := html.Render(&b, root); err != nil {
		return "", err
	}
	return b.String(), nil
}

// ArchiveFeed returns the RSS 2.0 feed of the last 20 issues that went out.
func (n *Newsletter) ArchiveFeed(ctx context.Context) ([]byte, error) {
	list, err := n.st.Archive(ctx, 20)
	if err != nil {
		return nil, err
	}
	f := &feeds.Feed{
		Title:       n.opts.Site.Title,
		Link:        &feeds.Link{Href: n.links.Archive()},
		Description: n.opts.Site.Title + " · newsletter",
		Created:     time.Unix(0, 0).UTC(),
	}
	for _, is := range list {
		at := is.ComposedAt
		if !is.FinishedAt.IsZero() {
			at = is.FinishedAt
		}
		if at.After(f.Created) {
			f.Created = at
		}
		u := n.links.Issue(IssueKey(&is))
		f.Items = append(f.Items, &feeds.Item{
			Id: u, Title: is.Subject, Link: &feeds.Link{Href: u}, Created: at,
		})
	}
	rss, err := f.ToRss()
	return []byte(rss), err
}
