package newsletter

import (
	"fmt"
	"slices"
	"strings"

	"github.com/venerdi/venerdi/internal/delivery"
	"github.com/venerdi/venerdi/internal/lock"
	"github.com/venerdi/venerdi/internal/store"
)

// The records the core hands to front ends. They are the store's own types,
// named here so that a front end depends on the application alone.
type (
	Issue            = store.Issue
	IssueSummary     = store.IssueSummary
	IssueStatus      = store.IssueStatus
	Delivery         = store.Delivery
	Subscriber       = store.Subscriber
	SubscriberStatus = store.SubscriberStatus
	LedgerStatus     = store.LedgerStatus
	// Summary counts what one delivery run did.
	Summary = delivery.Summary
	// LockHeldError means another run is sending from the same database.
	LockHeldError = lock.HeldError
)

// The states front ends show and filter by.
const (
	IssueDone = store.IssueDone

	Active       = store.Active
	Pending      = store.Pending
	Unsubscribed = store.Unsubscribed
	Bounced      = store.Bounced

	LedgerPending = store.LedgerPending
	LedgerSending = store.LedgerSending
	LedgerSent    = store.LedgerSent
	LedgerFailed  = store.LedgerFailed
	LedgerBounced = store.LedgerBounced
	LedgerSkipped = store.LedgerSkipped
)

// ParseSubscriberStatus reads a subscriber status given by a user, so that
// a misspelt filter is an error rather than an empty listing.
func ParseSubscriberStatus(s string) (SubscriberStatus, error) {
	return parseState(s, store.SubscriberStatuses)
}

// ParseLedgerStatus reads a ledger status given by a user.
func ParseLedgerStatus(s string) (LedgerStatus, error) {
	return parseState(s, store.LedgerStatuses)
}

func parseState[S ~string](s string, valid []S) (S, error) {
	if slices.Contains(valid, S(s)) {
		return S(s), nil
	}
	names := make([]string, len(valid))
	for i, v := range valid {
		names[i] = string(v)
	}
	return "", fmt.Errorf("%q is not a status: use one of %s", s, joinOr(names))
}

func joinOr(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
