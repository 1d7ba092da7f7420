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

// ConfirmationRenderer renders the double opt-in mail in one language.
type ConfirmationRenderer struct {
	lang string
	text *texttemplate.Template
	html *htmltemplate.Template
}

// NewConfirmationRenderer loads confirm.txt and confirm.html, from
// overrideDir when they are there, else the embedded defaults; parsed once,
// not per subscription request.
func NewConfirmationRenderer(lang, overrideDir string) (*ConfirmationRenderer, error) {
	r := &ConfirmationRenderer{lang: Lang(lang)}
	src, name, err := readTemplate(r.lang, overrideDir, "confirm.txt")
	if err == nil {
		r.text, err = texttemplate.New(name).Option("missingkey=error").Parse(src)
	}
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	src, name, err = readTemplate(r.lang, overrideDir, "confirm.html")
	if err == nil {
		r.html, err = htmltemplate.New(name).Option("missingkey=error").Parse(src)
	}
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	return r, nil
}

// Render renders the mail asking to confirm at confirmURL before expires.
func (r *ConfirmationRenderer) Render(site Site, confirmURL string, expires time.Time) (*Rendered, error) {
	d := &Confirmation{Site: site, Lang: r.lang, ConfirmURL: confirmURL, T: ConfirmationLabels(r.lang),
		Expires: FormatDate(expires, r.lang) + ", " + expires.Format("15:04")}
	d.Subject = d.T["confirm_subject"] + " " + site.Title
	var text, html bytes.Buffer
	if err := r.text.Execute(&text, d); err != nil {
		return nil, fmt.Errorf("render confirmation text: %w", err)
	}
	if err := r.html.Execute(&html, d); err != nil {
		return nil, fmt.Errorf("render confirmation html: %w", err)
	}
	return &Rendered{Subject: d.Subject, HTML: html.String(), Text: text.String()}, nil
}
