package feed

import (
	"net/url"
	"sort"
	"strings"
)

// NormalizeLink returns the form of a link used to recognise the same post
// across feed rewrites: scheme and host lower-cased, default port, fragment
// and tracking parameters (utm_*, fbclid, …) dropped, the remaining query
// parameters sorted, and a trailing slash trimmed. Two links that differ only
// in those ways normalise to the same string. A value that is not an absolute
// URL is returned trimmed but otherwise unchanged.
func NormalizeLink(link string) string {
	link = strings.TrimSpace(link)
	u, err := url.Parse(link)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return link
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	if port := u.Port(); (port == "80" && u.Scheme == "http") || (port == "443" && u.Scheme == "https") {
		u.Host = strings.TrimSuffix(u.Host, ":"+port)
	}
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	u.ForceQuery = false
	u.RawQuery = cleanQuery(u.RawQuery)
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = strings.TrimRight(u.RawPath, "/")
	return u.String()
}

// cleanQuery drops tracking parameters and sorts the rest. It works on the
// raw text, not url.ParseQuery, so that a malformed escape elsewhere in the
// query cannot make the whole query (and with it the post's identity) vanish.
func cleanQuery(raw string) string {
	if raw == "" {
		return ""
	}
	parts := strings.Split(raw, "&")
	kept := parts[:0]
	for _, p := range parts {
		if p == "" {
			continue
		}
		name, _, _ := strings.Cut(p, "=")
		if unescaped, err := url.QueryUnescape(name); err == nil {
			name = unescaped
		}
		if isTrackingParam(strings.ToLower(name)) {
			continue
		}
		kept = append(kept, p)
	}
	sort.Strings(kept)
	return strings.Join(kept, "&")
}

// isTrackingParam reports whether a (lower-cased) query parameter only
// identifies a campaign or a click, never the page itself.
func isTrackingParam(name string) bool {
	if strings.HasPrefix(name, "utm_") {
		return true
	}
	switch name {
	case "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
		"twclid", "igshid", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi",
		"mkt_tok", "vero_id", "oly_anon_id", "oly_enc_id", "rb_clickid", "wt_mc":
		return true
	}
	return false
}

// resolve makes ref absolute against base (which may be nil) and returns it,
// or "" when ref is empty or not a URL. A scheme-relative ref ("//cdn/x.png")
// with no base is taken as https, the scheme every mail client will use.
func resolve(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	} else if u.Scheme == "" && u.Host != "" {
		u.Scheme = "https"
	}
	return u.String()
}

// resolveFast is resolve for URLs inside HTML that the policy checks next:
// an absolute http(s) URL, the usual case, is returned as it is rather than
// parsed and printed twice.
func resolveFast(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if isWebURL(ref) {
		return ref
	}
	return resolve(base, ref)
}

// webURL resolves ref against base and keeps it only if it is an absolute
// http or https URL: anything else (javascript:, data:, a path that had no
// base to resolve against) must not reach a reader's mail client.
func webURL(base *url.URL, ref string) string {
	s := resolve(base, ref)
	if isWebURL(s) {
		return s
	}
	return ""
}

// isWebURL reports whether s starts with http:// or https:// and has a host.
func isWebURL(s string) bool {
	rest, ok := cutPrefixFold(s, "https://")
	if !ok {
		rest, ok = cutPrefixFold(s, "http://")
	}
	return ok && rest != "" && rest[0] != '/'
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// parseBase parses s as a base URL for resolving relative links. It returns
// nil unless s is an absolute http(s) URL; a relative s is first resolved
// against parent.
func parseBase(parent *url.URL, s string) *url.URL {
	s = resolve(parent, s)
	if !isWebURL(s) {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil
	}
	return u
}
