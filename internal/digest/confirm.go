package digest

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	texttemplate "text/template"
	"time"
)

// Confirmation is what the double opt-in mail's templates (confirm.txt,
// confirm.html) receive. Field names are part of the template contract.
type Confirmation struct {
	Site       Site
	Lang       string
	Subject    string
	ConfirmURL string
	Expires    string // e.g. "venerdì 11 dicembre 2026, 09:00"
	T          map[string]string
}

var confirmLabels = map[string]map[string]string{
	Italian: {
		"confirm_subject": "Conferma l'iscrizione a",
		"confirm_hello":   "Ciao!",
		"confirm_intro":   "Hai chiesto di ricevere la newsletter settimanale di",
		"confirm_action":  "Per iniziare a riceverla, conferma l'iscrizione:",
		"confirm_button":  "Confermo l'iscrizione",
		"confirm_expires": "Il link vale fino a",
		"confirm_ignore":  "Se non sei stato tu, ignora questa email: senza conferma non ti scriveremo.",
	},
	English: {
		"confirm_subject": "Confirm your subscription to",
		"confirm_hello":   "Hello!",
		"confirm_intro":   "You asked to receive the weekly newsletter of",
		"confirm_action":  "To start receiving it, please confirm:",
		"confirm_button":  "Yes, subscribe me",
		"confirm_expires": "The link is valid until",
		"confirm_ignore":  "If it wasn't you, ignore this email: without a confirmation we will not write to you.",
	},
}

// ConfirmationLabels returns the confirmation mail's words in lang.
func ConfirmationLabels(lang string) map[string]string { return confirmLabels[Lang(lang)] }

// RenderConfirmation renders the double opt-in mail: subject, HTML and
// text. overrideDir may hold the author's confirm.txt and confirm.html.
func RenderConfirmation(lang, overrideDir string, site Site, confirmURL string, expires time.Time) (*Rendered, error) {
	lang = Lang(lang)
	d := &Confirmation{Site: site, Lang: lang, ConfirmURL: confirmURL, T: ConfirmationLabels(lang),
		Expires: FormatDate(expires, lang) + ", " + expires.Format("15:04")}
	d.Subject = d.T["confirm_subject"] + " " + site.Title
	textSrc, textName, err := readTemplate(lang, overrideDir, "confirm.txt")
	if err != nil {
		return nil, err
	}
	htmlSrc, htmlName, err := readTemplate(lang, overrideDir, "confirm.html")
	if err != nil {
		return nil, err
	}
	tt, err := texttemplate.New(textName).Option("missingkey=error").Parse(textSrc)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", textName, err)
	}
	ht, err := htmltemplate.New(htmlName).Option("missingkey=error").Parse(htmlSrc)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", htmlName, err)
	}
	var text, html bytes.Buffer
	if err := tt.Execute(&text, d); err != nil {
		return nil, fmt.Errorf("render %s: %w", textName, err)
	}
	if err := ht.Execute(&html, d); err != nil {
		return nil, fmt.Errorf("render %s: %w", htmlName, err)
	}
	return &Rendered{Subject: d.Subject, HTML: html.String(), Text: text.String()}, nil
}
