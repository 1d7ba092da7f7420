package digest

import (
	"fmt"
	"html/template"
	"sort"
	"strings"
)

// msoSnippets are the Outlook-for-Windows conditional comments the HTML
// templates may emit with {{mso "NAME"}}. html/template strips comments
// from template text, so they have to come from a function; they come from
// this fixed list, never from data, so nothing a feed says can open a
// conditional comment.
var msoSnippets = map[string]string{
	// A fixed-width "ghost table" around the 600 px column: Outlook ignores
	// max-width and would stretch it to the window.
	"ghost-open":  `<!--[if mso]><table role="presentation" width="600" align="center" cellspacing="0" cellpadding="0" border="0" style="width:600px;"><tr><td style="padding:0;"><![endif]-->`,
	"ghost-close": `<!--[if mso]></td></tr></table><![endif]-->`,
	// The padding of a bulletproof button in Outlook, which ignores padding
	// on <a>: wide spaces raised by mso-text-raise (Mark Robinson's method),
	// scaled for the default 11 px × 22 px padding; the label itself rises
	// half as much (mso-text-raise:13pt in templates/digest.html).
	"button-left":  `<!--[if mso]><i style="mso-font-width:275%;mso-text-raise:27pt;" hidden>&#8195;</i><![endif]-->`,
	"button-right": `<!--[if mso]><i style="mso-font-width:275%;" hidden>&#8195;&#8203;</i><![endif]-->`,
	// For the <head>: Outlook's rendering at 96 dpi, so that pixel sizes
	// stay pixel sizes, and line heights taken exactly as written
	// (mso-line-height-rule), which only Outlook reads.
	"head": `<!--[if mso]><noscript><xml><o:OfficeDocumentSettings><o:AllowPNG/><o:PixelsPerInch>96</o:PixelsPerInch></o:OfficeDocumentSettings></xml></noscript><style>td,th,div,p,a,span,strong,h1,h2,h3{mso-line-height-rule:exactly;}</style><![endif]-->`,
}

// HTMLFuncs returns the functions the HTML templates may call, besides
// TextFuncs:
//
//	mso NAME   one of the fixed Outlook conditional comments: ghost-open,
//	           ghost-close (the 600 px ghost table), button-left,
//	           button-right (bulletproof button padding), head (96 dpi)
//	webinarCtx DATA WEBINAR   a WebinarContext, for a sub-template that
//	           shows one webinar and needs the labels
func HTMLFuncs() map[string]any {
	return map[string]any{"mso": mso, "webinarCtx": func(d *Data, w Webinar) WebinarContext { return WebinarContext{D: d, W: w} }}
}

// WebinarContext is what the default HTML template's "webinar" block
// receives: the issue and one of its webinars.
type WebinarContext struct {
	D *Data
	W Webinar
}

func mso(name string) (template.HTML, error) {
	s, ok := msoSnippets[name]
	if !ok {
		names := make([]string, 0, len(msoSnippets))
		for n := range msoSnippets {
			names = append(names, n)
		}
		sort.Strings(names)
		return "", fmt.Errorf("mso %q: use one of %s", name, strings.Join(names, ", "))
	}
	return template.HTML(s), nil // a fixed string of ours, never data
}
