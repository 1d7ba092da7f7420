// Package templates holds the default email templates, embedded in the binary.
//
// digest.html (html/template) and digest.txt (text/template, the plain-text
// part) serve every language: they read their words from the T map of the
// digest.Data they receive (digest.Labels). Each language directory (it, en)
// holds subject.txt (text/template, one line), and may hold its own
// digest.html or digest.txt where a language needs a different layout.
// digest.txt calls wrap (digest.TextFuncs).
package templates

import "embed"

// FS holds digest.html, digest.txt, a letter's letter.html and letter.txt
// (the digest's header and footer around the letter), the confirmation mail (confirm.html,
// confirm.txt), the language directories and the pages of `venerdi serve`
// (web/).
//
//go:embed layout.html digest.html digest.txt letter.html letter.txt confirm.html confirm.txt it en web
var FS embed.FS
