package store

// The states the store keeps, typed so that a misspelt status is a compile
// error rather than a query that silently matches nothing. The string values
// are the ones in the schema's CHECK constraints.

// IssueStatus is where an issue is in its life.
type IssueStatus string

// Issue statuses.
const (
	IssueComposed IssueStatus = "composed" // frozen, nothing sent yet
	IssueSending  IssueStatus = "sending"  // a run has started delivering it
	IssueDone     IssueStatus = "done"     // every ledger row is settled
)

// IssueKind tells a weekly digest from a one-off letter.
type IssueKind string

// Issue kinds.
const (
	KindDigest IssueKind = "digest"
	KindLetter IssueKind = "letter"
)

// ItemKind is what an issue item refers to.
type ItemKind string

// Item kinds.
const (
	ItemPost      ItemKind = "post"      // Ref is posts.id
	ItemWebinar   ItemKind = "webinar"   // an upcoming live webinar; Ref is webinars.id
	ItemRecording ItemKind = "recording" // a new on-demand recording
	ItemChange    ItemKind = "change"    // a webinar moved or cancelled after it was announced
)

// SubscriberStatus is where an address stands on the list.
type SubscriberStatus string

// Subscriber statuses.
const (
	Active       SubscriberStatus = "active"
	Pending      SubscriberStatus = "pending"
	Unsubscribed SubscriberStatus = "unsubscribed"
	Bounced      SubscriberStatus = "bounced"
)

// SubscriberStatuses lists every subscriber status, for validating input.
var SubscriberStatuses = []SubscriberStatus{Active, Pending, Unsubscribed, Bounced}

// LedgerStatus is the state of one (issue, subscriber) ledger row.
type LedgerStatus string

// Ledger statuses.
const (
	LedgerPending LedgerStatus = "pending"
	LedgerSending LedgerStatus = "sending" // claimed by a run; re-sent if that run died
	LedgerSent    LedgerStatus = "sent"
	LedgerFailed  LedgerStatus = "failed"  // temporary; retried by the next run
	LedgerBounced LedgerStatus = "bounced" // permanent
	LedgerSkipped LedgerStatus = "skipped" // unsubscribed after the issue was composed
	// LedgerUnknown: the connection failed after the final "." and before
	// the relay's reply, so the message may have arrived. Retried at most
	// once, by a later run.
	LedgerUnknown LedgerStatus = "unknown"
)

// LedgerStatuses lists every ledger status, for validating input.
var LedgerStatuses = []LedgerStatus{LedgerPending, LedgerSending, LedgerSent, LedgerFailed, LedgerBounced, LedgerSkipped, LedgerUnknown}

// Stream is one kind of mail a subscriber may get or stop on its own: the
// weekly digest or the occasional letters. Each has its own List-Id.
type Stream string

// Streams.
const (
	StreamDigest  Stream = "digest"  // the Friday issue
	StreamLetters Stream = "letters" // the occasional letters
)

// Streams lists every stream, in the order they are shown.
var Streams = []Stream{StreamDigest, StreamLetters}
