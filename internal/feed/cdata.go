package feed

import "bytes"

// fromCDATA reports whether s is, verbatim, the content of a CDATA section
// of the document: text the XML layer handed over without decoding anything,
// so its entities are still to be decoded once. The index of sections is
// built on first use, and only titles containing "&" ever ask.
func (c *converter) fromCDATA(s string) bool {
	c.cdataOnce.Do(func() { c.cdata = cdataSections(c.body) })
	_, ok := c.cdata[s]
	return ok
}

// cdataSections returns the set of CDATA section contents in body that
// could be a title asking fromCDATA: short, and containing "&". Long ones
// are post bodies, and keeping them would copy the whole feed.
func cdataSections(body []byte) map[string]struct{} {
	const maxTitle = 1024
	open, end := []byte("<![CDATA["), []byte("]]>")
	set := make(map[string]struct{})
	for {
		i := bytes.Index(body, open)
		if i < 0 {
			return set
		}
		body = body[i+len(open):]
		j := bytes.Index(body, end)
		if j < 0 {
			return set
		}
		if j <= maxTitle && bytes.IndexByte(body[:j], '&') >= 0 {
			set[string(body[:j])] = struct{}{}
		}
		body = body[j+len(end):]
	}
}
