package feed

import (
	"crypto/sha256"
	"encoding/hex"
)

// assignKeys gives each post its Key and drops repeated posts. The
// preferred key is the GUID, then the normalised link, then the content
// hash. A GUID or link that several different posts share identifies none of
// them (some generators put the site's address in every <guid>, and
// fragment-addressed posts share a link once the fragment is dropped), so
// those posts step down to the next key. Posts whose final keys still
// collide are the same post listed twice: the first is kept.
func assignKeys(posts []Post, hashes []func() string) []Post {
	guids := make(map[string]int, len(posts))
	links := make(map[string]int, len(posts))
	for _, p := range posts {
		if p.GUID != "" {
			guids[p.GUID]++
		}
		if p.LinkKey != "" {
			links[p.LinkKey]++
		}
	}
	// For a link shared by posts without a GUID: is it one text listed
	// several times (the link still identifies it) or several texts?
	sameText := make(map[string]bool)
	firstHash := make(map[string]string)
	for i, p := range posts {
		if p.GUID != "" || p.LinkKey == "" || links[p.LinkKey] < 2 {
			continue
		}
		h := hashes[i]()
		if first, ok := firstHash[p.LinkKey]; !ok {
			firstHash[p.LinkKey] = h
			sameText[p.LinkKey] = true
		} else if first != h {
			sameText[p.LinkKey] = false
		}
	}

	seen := make(map[string]bool, len(posts))
	out := posts[:0]
	for i, p := range posts {
		switch {
		case p.GUID != "" && guids[p.GUID] == 1:
			p.Key = "guid:" + p.GUID
		case p.LinkKey != "" && (links[p.LinkKey] == 1 || (p.GUID == "" && sameText[p.LinkKey])):
			p.Key = "link:" + p.LinkKey
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
