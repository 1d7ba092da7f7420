package web

import (
	"errors"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/venerdi/venerdi/internal/digest"
	"github.com/venerdi/venerdi/internal/links"
	"github.com/venerdi/venerdi/internal/newsletter"
	"github.com/venerdi/venerdi/internal/token"
)

func (s *Server) subscribeForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "subscribe.html", &page{Title: labels[s.lang]["subscribe_title"],
		Action: s.links.Subscribe(), Wording: ConsentWording})
}

func (s *Server) subscribe(w http.ResponseWriter, r *http.Request) {
	t := labels[s.lang]
	ip := s.clientIP(r)
	if !s.allow(ip) {
		w.Header().Set("Retry-After", "60")
		s.message(w, r, http.StatusTooManyRequests, "too_many_title", &page{Paragraphs: []string{t["too_many_text"]}})
		return
	}
	if err := r.ParseForm(); err != nil {
		s.message(w, r, http.StatusBadRequest, "error_title", &page{Paragraphs: []string{t["error_text"]}})
		return
	}
	sent := &page{Paragraphs: []string{t["sent_text"], t["sent_spam"]}}
	if r.PostForm.Get("website") != "" {
		// The honeypot: a person never sees this field. Answer as if all
		// went well, and do nothing.
		s.message(w, r, http.StatusOK, "sent_title", sent)
		return
	}
	email, name := strings.TrimSpace(r.PostForm.Get("email")), r.PostForm.Get("name")
	wording := r.PostForm.Get("wording")
	if wording == "" {
		wording = "blog snippet"
	}
	err := s.nl.Subscribe(r.Context(), newsletter.SubscribeRequest{Email: email, Name: name, IP: ip,
		Source: "web form", Wording: wording})
	if err != nil {
		if errors.Is(err, newsletter.ErrBadAddress) {
			s.render(w, r, http.StatusBadRequest, "subscribe.html", &page{Title: t["subscribe_title"],
				Action: s.links.Subscribe(), Wording: ConsentWording, Email: email, Name: name, Error: t["bad_email"]})
			return
		}
		s.fail(w, r, err)
		return
	}
	// The same answer whatever the address's standing: it reveals nothing.
	s.message(w, r, http.StatusOK, "sent_title", sent)
}

// askPage answers the GET of a confirm or unsubscribe link: it checks the
// link and shows one button that POSTs back to it, changing nothing itself.
func (s *Server) askPage(purpose, titleKey, textKey, buttonKey, end string, action func(string) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok := r.PathValue("token")
		target, err := s.nl.CheckLink(r.Context(), purpose, tok)
		if s.failed(w, r, err) {
			return
		}
		t := labels[s.lang]
		s.message(w, r, http.StatusOK, titleKey, &page{Paragraphs: []string{t[textKey] + " " + target.Email + end},
			Form: &form{Action: action(tok), Button: t[buttonKey], OneClick: purpose == token.Unsubscribe}})
	}
}

func (s *Server) confirm(w http.ResponseWriter, r *http.Request) {
	c, err := s.nl.Confirm(r.Context(), r.PathValue("token"), s.clientIP(r), ConsentWording)
	if s.failed(w, r, err) {
		return
	}
	t := labels[s.lang]
	p := &page{Paragraphs: []string{t["confirmed_text"],
		t["confirmed_next"] + " " + digest.FormatSlot(c.NextSlot.In(s.nl.Location()), s.lang) + "."}}
	if c.Latest != nil {
		p.Links = append(p.Links, link{s.links.Issue(newsletter.IssueKey(c.Latest)), t["latest"] + ": " + c.Latest.Subject})
	}
	p.Links = append(p.Links, link{s.links.Archive(), t["archive"]})
	s.message(w, r, http.StatusOK, "confirmed_title", p)
}

// linkStream is the stream an unsubscribe link names (?stream=), or ""
// for a link from before streams, which means the whole newsletter.
func linkStream(r *http.Request) newsletter.Stream {
	st, err := newsletter.ParseStream(r.URL.Query().Get(links.StreamParam))
	if err != nil {
		return ""
	}
	return st
}

// unsubscribePage answers the GET of an unsubscribe link, changing
// nothing: a link from a message of one stream offers to stop that stream,
// to stop everything, or to stay; a link without a stream keeps the one
// button that unsubscribes.
func (s *Server) unsubscribePage(w http.ResponseWriter, r *http.Request) {
	tok := r.PathValue("token")
	target, err := s.nl.CheckLink(r.Context(), token.Unsubscribe, tok)
	if s.failed(w, r, err) {
		return
	}
	t := labels[s.lang]
	stream := linkStream(r)
	if stream == "" || target.Status != newsletter.Active {
		s.message(w, r, http.StatusOK, "unsub_title", &page{Paragraphs: []string{t["unsub_text"] + " " + target.Email + "?"},
			Form: &form{Action: s.links.Unsubscribe(tok), Button: t["unsub_button"], OneClick: true}})
		return
	}
	var choices []choice
	if slices.Contains(target.Streams, stream) {
		choices = append(choices, choice{Value: "stream", Label: t["unsub_stop_"+string(stream)]})
	}
	choices = append(choices, choice{Value: "all", Label: t["unsub_all"]}, choice{Value: "stay", Label: t["unsub_stay"], Quiet: true})
	s.message(w, r, http.StatusOK, "unsub_title", &page{Paragraphs: []string{t["unsub_choose"] + " " + target.Email + "?"},
		Form: &form{Action: s.links.UnsubscribeStream(tok, links.Stream(stream)), Choices: choices}})
}

// unsubscribe answers the page's buttons and a mailbox provider's RFC 8058
// one-click POST (List-Unsubscribe=One-Click, form-urlencoded or
// multipart, or no body at all) at once, with 200, never a redirect. The
// one-click POST from a message stops that message's stream (what the
// provider's "unsubscribe" button means) and the page then says how to
// stop everything; choice=all stops everything, choice=stay nothing; a
// link from before streams unsubscribes.
func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) {
	source := "unsubscribe page"
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	if ct == "multipart/form-data" {
		err = r.ParseMultipartForm(maxBody)
	} else {
		err = r.ParseForm()
	}
	if err == nil && r.Form.Get("List-Unsubscribe") == "One-Click" && r.Header.Get("Sec-Fetch-Site") == "" {
		source = "one-click (RFC 8058)"
	}
	tok := r.PathValue("token")
	t := labels[s.lang]
	stream, picked := linkStream(r), r.Form.Get("choice")
	switch {
	case picked == "stay":
		if _, err := s.nl.CheckLink(r.Context(), token.Unsubscribe, tok); s.failed(w, r, err) {
			return
		}
		s.message(w, r, http.StatusOK, "stay_title", &page{Paragraphs: []string{t["stay_text"]}, Links: []link{{s.links.Archive(), t["archive"]}}})
		return
	case stream != "" && picked != "all":
		_, unsubscribed, err := s.nl.StopStream(r.Context(), tok, stream, source+", "+string(stream), s.clientIP(r))
		if s.failed(w, r, err) {
			return
		}
		if !unsubscribed {
			s.message(w, r, http.StatusOK, "stopped_title", &page{Paragraphs: []string{t["stopped_"+string(stream)], t["stopped_all_how"]},
				Form: &form{Action: s.links.UnsubscribeStream(tok, links.Stream(stream)), Choices: []choice{{Value: "all", Label: t["unsub_all"]}}}})
			return
		}
	default:
		if _, err = s.nl.Unsubscribe(r.Context(), tok, source, s.clientIP(r)); s.failed(w, r, err) {
			return
		}
	}
	s.message(w, r, http.StatusOK, "unsubbed_title", &page{Paragraphs: []string{t["unsubbed_text"]},
		Links: []link{{s.links.Subscribe(), t["unsubbed_again"]}}})
}

func (s *Server) archive(w http.ResponseWriter, r *http.Request) {
	list, err := s.nl.Archive(r.Context(), 200)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &page{Title: labels[s.lang]["archive"], FeedURL: s.links.ArchiveFeed()}
	for i := range list {
		is := &list[i]
		at := is.ComposedAt.In(s.nl.Location())
		p.Issues = append(p.Issues, archiveItem{URL: s.links.Issue(newsletter.IssueKey(is)), Subject: is.Subject,
			Date: digest.FormatDate(at, s.lang), ISODate: at.Format("2006-01-02")})
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	s.render(w, r, http.StatusOK, "archive.html", p)
}

func (s *Server) archiveFeed(w http.ResponseWriter, r *http.Request) {
	b, err := s.nl.ArchiveFeed(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(b)
}

// issue serves the web version of an issue: the email's own HTML, with its
// inline styles and remote images, under a policy that allows just that.
func (s *Server) issue(w http.ResponseWriter, r *http.Request) {
	is, err := s.nl.WebIssue(r.Context(), r.PathValue("issue"))
	if s.failed(w, r, err) {
		return
	}
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write([]byte(is.HTML))
}

func (s *Server) calendar(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutSuffix(r.PathValue("id"), ".ics")
	if !ok {
		s.notFound(w, r)
		return
	}
	b, err := s.nl.WebinarCalendar(r.Context(), id)
	if s.failed(w, r, err) {
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="webinar.ics"`)
	w.Write(b)
}
