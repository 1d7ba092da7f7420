package feed

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
)

// assignKeys gives each post its Key and drops repeated posts. The
// preferred key is the GUID, then the link, then the content hash. A GUID
// or link that several different posts share identifies none of them (some
// generators put the site's address in every <guid>, link-blogs point two
// posts at one article), so those posts step down to the next key. The link
// is compared in its normalised form (LinkKey); where several posts share
// it but their #fragments differ (posts addressed by an anchor on one page),
// the fragment is kept in the key (FragmentKey), since there it is what
// tells them apart. Posts whose final keys still collide are the same post
// listed twice: the first is kept.
func assignKeys(posts []Post, hashes []func() string) []Post {
	guids := make(map[string]int, len(posts))
	links := make(map[string]int, len(posts)) // by LinkKey
	for _, p := range posts {
		if p.GUID != "" {
			guids[p.GUID]++
		}
		if p.LinkKey != "" {
			links[p.LinkKey]++
		}
	}
	// linkKeys[i] is the link-based key of post i ("" without a link), and
	// named[k] how many posts of the document it names.
	linkKeys := make([]string, len(posts))
	named := make(map[string]int, len(posts))
	for i, p := range posts {
		if p.LinkKey == "" {
			continue
		}
		k := "link:" + p.LinkKey
		if fk := p.FragmentKey(); fk != "" && links[p.LinkKey] > 1 {
			k = fk
		}
		linkKeys[i] = k
		named[k]++
	}
	// For a link key shared by posts without a GUID: is it one text listed
	// several times (the link still identifies it) or several texts?
	sameText := make(map[string]bool)
	firstHash := make(map[string]string)
	for i, p := range posts {
		k := linkKeys[i]
		if p.GUID != "" || k == "" || named[k] < 2 {
			continue
		}
		h := hashes[i]()
		if first, ok := firstHash[k]; !ok {
			firstHash[k] = h
			sameText[k] = true
		} else if first != h {
			sameText[k] = false
		}
	}

	seen := make(map[string]bool, len(posts))
	out := posts[:0]
	for i, p := range posts {
		k := linkKeys[i]
		switch {
		case p.GUID != "" && guids[p.GUID] == 1:
			p.Key = "guid:" + p.GUID
		case k != "" && (named[k] == 1 || (p.GUID == "" && sameText[k])):
			p.Key = k
		default:
			p.Key = "hash:" + hashes[i]()
		}
		if seen[p.Key] {
			continue
		}
		seen[p.Key] = true
		out = append(out, p)
	}
	return out
}

// FragmentKey returns the link key of the post with its #fragment kept:
// "link:<LinkKey>#<fragment>", or "" when the post has no link or its link
// no fragment. It is the key of a post that shares its page with others of
// the same document and is told apart from them by an anchor.
func (p Post) FragmentKey() string {
	if p.LinkKey == "" {
		return ""
	}
	frag := LinkFragment(p.Link)
	if frag == "" {
		return ""
	}
	return "link:" + p.LinkKey + "#" + frag
}

// LinkFragment returns the #fragment of a link, escaped as in the link and
// without the "#"; "" when there is none.
func LinkFragment(link string) string {
	if strings.IndexByte(link, '#') < 0 {
		// No fragment, and no need to parse: this is asked of every post
		// on every upsert.
		return ""
	}
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	return u.EscapedFragment()
}

// contentHash identifies a post that has neither a GUID nor a link. It hashes
// the title and content as the feed gave them, not as cleaned here, so that
// a change to the sanitiser does not turn every such post into a new one.
// A NUL separates the two so that moving text between them changes the hash.
func contentHash(title, content string) string {
	h := sha256.New()
	h.Write([]byte(title))
	h.Write([]byte{0})
	h.Write([]byte(content))
	return hex.EncodeToString(h.Sum(nil))
}
