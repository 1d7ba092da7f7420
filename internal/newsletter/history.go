package newsletter

import "context"

// History lists up to limit issues, newest first, with what they carried and
// how their delivery went.
func (n *Newsletter) History(ctx context.Context, limit int) ([]IssueSummary, error) {
	return n.st.History(ctx, limit)
}

// Deliveries returns the ledger of issue id (0: the last issue), only rows
// of status when it is not empty. ErrNotFound means no such issue.
func (n *Newsletter) Deliveries(ctx context.Context, id int64, status LedgerStatus) (*Issue, []Delivery, error) {
	var is *Issue
	var err error
	if id > 0 {
		is, err = n.st.IssueByID(ctx, id)
	} else {
		is, err = n.st.LastIssue(ctx)
	}
	if err != nil {
		return nil, nil, err
	}
	ds, err := n.st.Deliveries(ctx, is.ID, status)
	return is, ds, err
}
