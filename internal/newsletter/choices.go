package newsletter

import "github.com/venerdi/venerdi/internal/store"

// The values a front end may offer for its enum flags and fields, in the
// order they are documented: what shell completion lists and what Parse*
// accepts.

// SubscriberStatusNames lists every subscriber status.
func SubscriberStatusNames() []string { return names(store.SubscriberStatuses) }

// LedgerStatusNames lists every ledger status.
func LedgerStatusNames() []string { return names(store.LedgerStatuses) }

// FormatNames lists the preview formats.
func FormatNames() []string {
	return []string{string(FormatHTML), string(FormatText), string(FormatEML)}
}

func names[S ~string](vs []S) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}
