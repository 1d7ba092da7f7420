package digest

import (
	"fmt"
	"github.com/venerdi/venerdi/internal/plaintext"
	"strings"
	"time"
)

// The languages the default templates are written for. Any other language
// tag falls back to English (see Lang).
const (
	Italian = "it"
	English = "en"
)

// labels holds the words the default templates use, per language. Keys are
// part of the template contract: add keys, never rename them. Both maps must
// have the same keys (a test checks it).
var labels = map[string]map[string]string{
	Italian: {
		"newsletter":          "La newsletter settimanale",
		"posts_heading":       "I post della settimana",
		"more_posts":          "E altri %d post sul blog",
		"no_posts":            "Questa settimana non ci sono articoli nuovi sul blog, ma ti aspettiamo ai webinar.",
		"nothing_new":         "Questa settimana non ci sono novità: ci risentiamo al prossimo numero.",
		"by":                  "di",
		"read_more":           "Leggi tutto",
		"upcoming_heading":    "Webinar in arrivo",
		"when":                "Quando",
		"speaker":             "Con",
		"minutes":             "min",
		"register":            "Iscriviti",
		"ondemand_heading":    "Da rivedere on demand",
		"ondemand_intro":      "Te li sei persi? Le registrazioni sono online.",
		"watch":               "Guarda la registrazione",
		"changes_heading":     "Cambi di programma",
		"moved":               "Nuovo orario",
		"was":                 "prima era",
		"cancelled":           "Annullato",
		"cancelled_note":      "Questo webinar non si terrà. Ci scusiamo per il disagio.",
		"why":                 "Ricevi questa email perché sei tra gli iscritti alla newsletter settimanale di",
		"unsubscribe_intro":   "Non vuoi più riceverla?",
		"unsubscribe":         "Annulla l'iscrizione",
		"visit_site":          "Vai al blog",
		"web_subscribe_intro": "Ti è piaciuta? Arriva ogni venerdì mattina.",
		"web_subscribe":       "Iscriviti alla newsletter",
		"add_calendar":        "Aggiungi al calendario",
		"calendar_google":     "Google",
		"calendar_outlook":    "Outlook.com",
		"calendar_ics":        "Apple e altri (.ics)",
		"web_version":         "Leggila nel browser",
		"web_version_intro":   "Non si vede bene?",
		"sent_by":             "Inviata da",
		// A letter (letter.html, letter.txt).
		"letter":                   "Una lettera",
		"letter_why":               "Ricevi questa email perché sei tra gli iscritti alle lettere di",
		"letter_unsubscribe_intro": "Non vuoi più ricevere le lettere? La newsletter del venerdì resta, se vuoi.",
		"letter_unsubscribe":       "Scegli cosa ricevere",
		// A letter sent to the digest's stream (stream: digest).
		"letter_digest_unsubscribe_intro": "Non vuoi più ricevere la newsletter del venerdì? Le lettere restano, se vuoi.",
		"links":                           "Link",
		"moved_note":                      "Il webinar è stato spostato: aggiorna il calendario.",
	},
	English: {
		"newsletter":          "The weekly newsletter",
		"posts_heading":       "This week's posts",
		"more_posts":          "And %d more posts on the blog",
		"no_posts":            "No new posts on the blog this week, but we'd love to see you at the webinars.",
		"nothing_new":         "Nothing new this week: talk to you in the next issue.",
		"by":                  "by",
		"read_more":           "Read more",
		"upcoming_heading":    "Upcoming webinars",
		"when":                "When",
		"speaker":             "With",
		"minutes":             "min",
		"register":            "Register",
		"ondemand_heading":    "Watch on demand",
		"ondemand_intro":      "Missed them? The recordings are online.",
		"watch":               "Watch the recording",
		"changes_heading":     "Schedule changes",
		"moved":               "New time",
		"was":                 "was",
		"cancelled":           "Cancelled",
		"cancelled_note":      "This webinar will not take place. We apologise for the inconvenience.",
		"why":                 "You are receiving this email because you signed up for the weekly newsletter of",
		"unsubscribe_intro":   "Don't want it any more?",
		"unsubscribe":         "Unsubscribe",
		"visit_site":          "Visit the blog",
		"web_subscribe_intro": "Enjoyed it? It arrives every Friday morning.",
		"web_subscribe":       "Subscribe to the newsletter",
		"add_calendar":        "Add to calendar",
		"calendar_google":     "Google",
		"calendar_outlook":    "Outlook.com",
		"calendar_ics":        "Apple and others (.ics)",
		"web_version":         "Read it in your browser",
		"web_version_intro":   "Trouble reading this?",
		"sent_by":             "Sent by",
		// A letter (letter.html, letter.txt).
		"letter":                   "A letter",
		"letter_why":               "You are receiving this email because you signed up for the letters of",
		"letter_unsubscribe_intro": "Don't want letters any more? The Friday newsletter can stay, if you like.",
		"letter_unsubscribe":       "Choose what you get",
		// A letter sent to the digest's stream (stream: digest).
		"letter_digest_unsubscribe_intro": "Don't want the Friday newsletter any more? The letters can stay, if you like.",
		"links":                           "Links",
		"moved_note":                      "This webinar has moved: update your calendar.",
	},
}

// Lang reduces a language tag ("it", "it-IT", "it_CH", "EN-gb") to one of the
// languages the templates are written for: Italian for any Italian tag,
// English for everything else.
func Lang(tag string) string {
	base, _, _ := strings.Cut(strings.ReplaceAll(tag, "_", "-"), "-")
	if strings.EqualFold(base, Italian) {
		return Italian
	}
	return English
}

// Labels returns the template labels for lang (see Lang for how tags are
// matched). The map is a fresh copy the caller may change.
func Labels(lang string) map[string]string {
	src := labels[Lang(lang)]
	m := make(map[string]string, len(src))
	for k, v := range src {
		m[k] = v
	}
	return m
}

var (
	italianMonths = [...]string{
		"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno",
		"luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre",
	}
	italianWeekdays = [...]string{
		"domenica", "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato",
	}
)

// FormatDate writes t's calendar date, in t's own location, the long way:
// "4 dicembre 2026" or "4 December 2026". Italian writes the first day of
// the month as an ordinal, "1º dicembre 2026", as the style guides ask.
func FormatDate(t time.Time, lang string) string {
	return fmt.Sprintf("%s %d", formatDayMonth(t, lang), t.Year())
}

// formatDay is FormatDate with the weekday in front: "giovedì 10 dicembre
// 2026", "Thursday 10 December 2026".
func formatDay(t time.Time, lang string) string {
	wd := t.Weekday().String()
	if Lang(lang) == Italian {
		wd = italianWeekdays[t.Weekday()]
	}
	return wd + " " + FormatDate(t, lang)
}

// FormatWhen says when an event of duration d starting at start takes place,
// in start's own location (the caller converts to the site's time zone):
//
//	giovedì 10 dicembre 2026, 18:00–19:00
//	Thursday 10 December 2026, 18:00–19:00
//
// An event that ends after midnight still shows just the two times; one that
// lasts a day or more names both days. A non-positive d shows only the start
// time. An all-day event shows only its date, or its first and last date when
// it spans several days (d is then the iCalendar span, end exclusive).
func FormatWhen(start time.Time, d time.Duration, allDay bool, lang string) string {
	if allDay {
		first := formatDay(start, lang)
		if d <= 24*time.Hour {
			return first
		}
		last := start.Add(d - time.Nanosecond)
		return first + " – " + formatDay(last, lang)
	}
	const hm = "15:04"
	s := formatDay(start, lang) + ", " + start.Format(hm)
	switch {
	case d <= 0:
		return s
	case d < 24*time.Hour:
		return s + "–" + start.Add(d).Format(hm)
	default:
		end := start.Add(d)
		return s + " – " + formatDay(end, lang) + ", " + end.Format(hm)
	}
}

// TextFuncs returns the functions the default text templates (digest.txt)
// call; the renderer must add them to its text/template.FuncMap before
// parsing. The HTML templates need none.
//
//	wrap WIDTH INDENT TEXT   TEXT re-flowed into lines of at most WIDTH
//	                         characters, each starting with INDENT
//	add A B                  A+B, for numbering links from 1
func TextFuncs() map[string]any {
	return map[string]any{"wrap": plaintext.Wrap, "add": func(a, b int) int { return a + b }}
}

// FormatSlot says when the next issue goes out, in t's own location:
// "venerdì 11 dicembre alle 9:00", "Friday 11 December at 9:00". The year is
// left out: a slot is always within the week.
func FormatSlot(t time.Time, lang string) string {
	if Lang(lang) == Italian {
		return fmt.Sprintf("%s %s alle %d:%02d", italianWeekdays[t.Weekday()], formatDayMonth(t, lang), t.Hour(), t.Minute())
	}
	return fmt.Sprintf("%s %s at %d:%02d", t.Weekday(), formatDayMonth(t, lang), t.Hour(), t.Minute())
}

// formatDayMonth is the date without the year: "4 dicembre", "4 December";
// Italian writes the first of the month as an ordinal, "1º dicembre".
func formatDayMonth(t time.Time, lang string) string {
	if Lang(lang) == Italian {
		day := fmt.Sprint(t.Day())
		if t.Day() == 1 {
			day = "1º"
		}
		return day + " " + italianMonths[t.Month()-1]
	}
	return fmt.Sprintf("%d %s", t.Day(), t.Month())
}

// formatWebinarWhen is FormatWhen as the digest shows it: the year only
// when it is not the (now's), so "giovedì 10 dicembre, 18:00–19:00"
// in a December issue and "giovedì 14 gennaio 2027, 18:00–19:00" in it too.
// The caller adds the time zone (ZoneName).
func formatWebinarWhen(start time.Time, d time.Duration, allDay bool, lang string, now time.Time) string {
	s := FormatWhen(start, d, allDay, lang)
	end := start.Add(d)
	if start.Year() == now.Year() && (end.Year() == now.Year() || d < 24*time.Hour) {
		s = strings.ReplaceAll(s, " "+fmt.Sprint(now.Year()), "")
	}
	return s
}

// zoneNames are the ways a reader names the zones a site is most likely in.
var zoneNames = map[string][2]string{ // Italian, English
	"Europe/Rome":       {"ora italiana", "Rome time"},
	"Europe/Vatican":    {"ora italiana", "Rome time"},
	"Europe/San_Marino": {"ora italiana", "Rome time"},
	"Europe/Zurich":     {"ora svizzera", "Zurich time"},
	"Europe/London":     {"ora di Londra", "UK time"},
	"UTC":               {"UTC", "UTC"},
}

// ZoneName names loc for a reader: "ora italiana" / "Rome time" for
// Europe/Rome, else "ora di <city>" / "<city> time" from the zone's name.
func ZoneName(loc *time.Location, lang string) string {
	name := loc.String()
	i := 1
	if Lang(lang) == Italian {
		i = 0
	}
	if n, ok := zoneNames[name]; ok {
		return n[i]
	}
	city := name[strings.LastIndexByte(name, '/')+1:]
	city = strings.ReplaceAll(city, "_", " ")
	if city == "" || city == "Local" {
		return ""
	}
	if i == 0 {
		return "ora di " + city
	}
	return city + " time"
}
