package newsletter

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/feeds"

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
	} else {
		is, err = n.st.IssueByWeek(ctx, key)
	}
	if err != nil {
		return nil, err
	}
	if is.Status != store.IssueSending && is.Status != store.IssueDone {
		return nil, ErrNotFound
	}
	public := n.links.Subscribe()
	is.HTML = strings.ReplaceAll(is.HTML, digest.UnsubscribePlaceholder, public)
	is.Text = strings.ReplaceAll(is.Text, digest.UnsubscribePlaceholder, public)
	return is, nil
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
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(rss)
	return b.Bytes(), nil
}
