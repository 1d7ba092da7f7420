package web

import (
	"bytes"
	"errors"
	htmltemplate "html/template"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"

	"github.com/venerdi/venerdi/templates"
)

// Page files in templates/web, overridable one by one from the author's
// template folder (its web/ subfolder).
var pageFiles = []string{"subscribe.html", "message.html", "archive.html"}

// pages holds one template set per page: the layout plus the page's
// "content".
type pages map[string]*htmltemplate.Template

func loadPages(overrideDir string) (pages, error) {
	read := func(name string) (string, error) {
		if overrideDir != "" {
			b, err := os.ReadFile(filepath.Join(overrideDir, "web", name))
			if err == nil {
				return string(b), nil
			}
			if !errors.Is(err, fs.ErrNotExist) {
				return "", err
			}
		}
		b, err := fs.ReadFile(templates.FS, path.Join("web", name))
		return string(b), err
	}
	layout, err := read("layout.html")
	if err != nil {
		return nil, err
	}
	out := pages{}
	for _, name := range pageFiles {
		src, err := read(name)
		if err != nil {
			return nil, err
		}
		t, err := htmltemplate.New("layout.html").Parse(layout)
		if err == nil {
			_, err = t.New(name).Parse(src)
		}
		if err != nil {
			return nil, err
		}
		out[name] = t
	}
	return out, nil
}

// page is what every page template receives; each page uses its part.
type page struct {
	Lang         string
	T            map[string]string
	Site         site
	Title        string
	CSS          string
	ArchiveURL   string
	SubscribeURL string
	FeedURL      string

	// message.html
	Paragraphs []string
	Form       *form
	Links      []link

	// subscribe.html
	Action, Email, Name, Error, Wording string

	// archive.html
	Issues []archiveItem
}

type site struct{ Title, URL string }

type form struct {
	Action   string
	Button   string
	OneClick bool
	// Choices, when set, replace Button: one submit button each, posting
	// choice=Value (the unsubscribe page's stop-this-stream / stop
	// everything / stay).
	Choices []choice
}

type choice struct {
	Value, Label string
	Quiet        bool // the "change nothing" button, drawn plainer
}

type link struct{ URL, Label string }

type archiveItem struct{ URL, Subject, Date, ISODate string }

// render writes page name with status. A template error is the author's
// (an override) or ours; either way the visitor gets a plain 500.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	s.fill(p)
	var b bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&b, "layout", p); err != nil {
		s.log.Error("render page", "page", name, "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

func (s *Server) fill(p *page) {
	p.Lang, p.T = s.lang, labels[s.lang]
	p.Site = site{Title: s.site.Title, URL: s.site.URL}
	p.CSS = s.links.Base() + "/assets/site.css"
	p.ArchiveURL, p.SubscribeURL = s.links.Archive(), s.links.Subscribe()
}

// labels are the pages' words. Keys are the template contract.
var labels = map[string]map[string]string{
	"it": {
		"archive":            "Numeri precedenti",
		"archive_empty":      "Non è ancora uscito nessun numero.",
		"archive_feed":       "Segui l'archivio via RSS",
		"subscribe":          "Iscriviti",
		"subscribe_title":    "Iscriviti alla newsletter",
		"subscribe_intro":    "Ogni venerdì mattina, i post della settimana, i prossimi webinar e le nuove registrazioni. Niente altro, e ti cancelli con un clic.",
		"email":              "Il tuo indirizzo email",
		"name":               "Nome",
		"optional":           "facoltativo",
		"consent":            "Iscrivendoti accetti di ricevere la newsletter. Useremo il tuo indirizzo solo per inviartela; puoi cancellarti quando vuoi con il link in fondo a ogni email.",
		"subscribe_button":   "Iscrivimi",
		"bad_email":          "Questo non sembra un indirizzo email: controlla e riprova.",
		"sent_title":         "Controlla la posta",
		"sent_text":          "Se l'indirizzo è giusto, tra poco riceverai un'email con un link per confermare l'iscrizione. Il link vale 7 giorni.",
		"sent_spam":          "Non la trovi? Guarda anche nella cartella spam o promozioni.",
		"confirm_title":      "Conferma l'iscrizione",
		"confirm_text":       "Un ultimo passo: conferma che vuoi ricevere la newsletter all'indirizzo",
		"confirm_button":     "Confermo l'iscrizione",
		"confirmed_title":    "Iscrizione confermata",
		"confirmed_text":     "Grazie! Da ora ricevi la newsletter.",
		"confirmed_next":     "Il prossimo numero arriva",
		"latest":             "Leggi l'ultimo numero",
		"unsub_title":        "Annulla l'iscrizione",
		"unsub_text":         "Vuoi smettere di ricevere la newsletter all'indirizzo",
		"unsub_button":       "Sì, cancellami",
		"unsubbed_title":     "Iscrizione annullata",
		"unsubbed_text":      "Fatto: non riceverai più la newsletter. Ci dispiace vederti andare via.",
		"unsubbed_again":     "Hai cambiato idea? Iscriviti di nuovo",
		"unsub_choose":       "Cosa vuoi ricevere all'indirizzo",
		"unsub_stop_digest":  "Non inviatemi più la newsletter del venerdì",
		"unsub_stop_letters": "Non inviatemi più le lettere",
		"unsub_all":          "Cancellami da tutto",
		"unsub_stay":         "Resto iscritto, non cambiare nulla",
		"stopped_title":      "Fatto",
		"stopped_digest":     "Non riceverai più la newsletter del venerdì; le lettere continuano ad arrivare.",
		"stopped_letters":    "Non riceverai più le lettere; la newsletter del venerdì continua ad arrivare.",
		"stopped_all_how":    "Per non ricevere più nulla da noi:",
		"stay_title":         "Nessun cambiamento",
		"stay_text":          "Resti iscritto: non è cambiato nulla.",
		"bad_link_title":     "Link non valido",
		"bad_link_text":      "Questo link non è valido: forse è stato copiato solo in parte. Nessuna modifica è stata fatta.",
		"expired_link_title": "Link scaduto",
		"expired_link_text":  "Questo link di conferma è scaduto. Iscriviti di nuovo e ti manderemo un link nuovo.",
		"not_found_title":    "Pagina non trovata",
		"not_found_text":     "Questa pagina non esiste.",
		"too_many_title":     "Troppe richieste",
		"too_many_text":      "Hai inviato troppe richieste in poco tempo. Riprova tra qualche minuto.",
		"error_title":        "Qualcosa è andato storto",
		"error_text":         "Non siamo riusciti a completare la richiesta. Riprova più tardi.",
	},
	"en": {
		"archive":            "Past issues",
		"archive_empty":      "No issue has gone out yet.",
		"archive_feed":       "Follow the archive by RSS",
		"subscribe":          "Subscribe",
		"subscribe_title":    "Subscribe to the newsletter",
		"subscribe_intro":    "Every Friday morning: the week's posts, the upcoming webinars and the new recordings. Nothing else, and you can leave with one click.",
		"email":              "Your email address",
		"name":               "Name",
		"optional":           "optional",
		"consent":            "By subscribing you agree to receive the newsletter. We use your address only to send it; you can unsubscribe at any time with the link at the bottom of every email.",
		"subscribe_button":   "Subscribe me",
		"bad_email":          "That does not look like an email address: please check it and try again.",
		"sent_title":         "Check your inbox",
		"sent_text":          "If the address is right, you will soon get an email with a link to confirm your subscription. The link is valid for 7 days.",
		"sent_spam":          "Can't find it? Look in the spam or promotions folder too.",
		"confirm_title":      "Confirm your subscription",
		"confirm_text":       "One last step: confirm that you want the newsletter at",
		"confirm_button":     "Yes, subscribe me",
		"confirmed_title":    "Subscription confirmed",
		"confirmed_text":     "Thank you! You now receive the newsletter.",
		"confirmed_next":     "The next issue arrives on",
		"latest":             "Read the latest issue",
		"unsub_title":        "Unsubscribe",
		"unsub_text":         "Do you want to stop receiving the newsletter at",
		"unsub_button":       "Yes, unsubscribe me",
		"unsubbed_title":     "You have unsubscribed",
		"unsubbed_text":      "Done: you will not receive the newsletter any more. Sorry to see you go.",
		"unsubbed_again":     "Changed your mind? Subscribe again",
		"unsub_choose":       "What would you like to receive at",
		"unsub_stop_digest":  "Stop the Friday newsletter",
		"unsub_stop_letters": "Stop the letters",
		"unsub_all":          "Unsubscribe from everything",
		"unsub_stay":         "Stay subscribed, change nothing",
		"stopped_title":      "Done",
		"stopped_digest":     "You will not receive the Friday newsletter any more; the letters keep coming.",
		"stopped_letters":    "You will not receive the letters any more; the Friday newsletter keeps coming.",
		"stopped_all_how":    "To receive nothing at all from us:",
		"stay_title":         "Nothing changed",
		"stay_text":          "You are still subscribed: nothing changed.",
		"bad_link_title":     "Invalid link",
		"bad_link_text":      "This link is not valid: perhaps only part of it was copied. Nothing has been changed.",
		"expired_link_title": "Expired link",
		"expired_link_text":  "This confirmation link has expired. Subscribe again and we will send you a new one.",
		"not_found_title":    "Page not found",
		"not_found_text":     "This page does not exist.",
		"too_many_title":     "Too many requests",
		"too_many_text":      "You sent too many requests in a short time. Please try again in a few minutes.",
		"error_title":        "Something went wrong",
		"error_text":         "We could not complete the request. Please try again later.",
	},
}
