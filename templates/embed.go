// Package templates holds the default email templates, embedded in the binary.
//
// Each language directory (it, en) holds subject.txt (text/template, one
// line), digest.txt (text/template, the plain-text part) and digest.html
// (html/template). They receive a digest.Data and read their words from its
// T map (digest.Labels); digest.txt also calls wrap (digest.TextFuncs).
package templates

import "embed"

// FS holds it/ and en/.
//
//go:embed it en
var FS embed.FS
