package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uppsikt/uppsikt/moderation/decide"
)

// texts are the report's words, the same in the PDF and on the web page.
var texts = map[string]map[string]string{
	"sv": {
		"title": "Månadsrapport", "subtitle": "Tillsynen över kommunens sociala medier",
		"municipality": "Kommun", "period": "Period", "time_zone": "Tidszon", "made": "Upprättad",
		"summary": "Sammanfattning", "per_account": "Per konto", "account": "Konto", "total": "Totalt",
		"seen": "Kommentarer", "flagged": "Flaggade", "removed": "Borttagna", "kept": "Behållna efter granskning", "registered": "Diarieförda",
		"review": "Granskningstid", "review_intro": "Tiden från att en kommentar flaggades till granskarens beslut.",
		"reviewed": "Avgjorda ärenden", "median": "Median", "p90": "90:e percentilen", "no_reviews": "Inga ärenden avgjordes.",
		"categories": "Flaggade kommentarer per kategori", "category": "Kategori", "count": "Antal", "no_flagged": "Inga kommentarer flaggades.",
		"days": "Kommentarer per dag", "legend_seen": "kommentarer", "legend_flagged": "flaggade",
		"clock": "Svar på frågor", "clock_intro": "Frågor ska besvaras inom 36 timmar under arbetsdagar och normal kontorstid. Svarstiden räknas i arbetstimmar.",
		"asked": "Frågor", "in_time": "Besvarade i tid", "late": "Besvarade för sent", "overdue": "Obesvarade och försenade",
		"answer_median": "Svarstid, median", "answer_p90": "Svarstid, 90:e percentilen", "no_questions": "inga frågor",
		"clock_none": "Svarsklockan har inga uppgifter för månaden: inga frågor.",
		"inactive":   "Inaktiva konton", "inactive_intro": "Konton utan eget inlägg de sista %d dagarna av månaden.",
		"last_post": "Senaste egna inlägg", "no_post": "inget", "no_inactive": "Alla konton har publicerat under de sista %d dagarna.",
		"disconnected": "Frånkopplade konton", "disconnected_intro": "Konton vars token plattformen avvisade under månaden.",
		"disconnected_at": "Frånkopplat", "unknown": "okänt", "no_disconnected": "Inget konto kopplades från.",
		"notes":      "Så räknas siffrorna",
		"notes_text": "Kommentarer: skrivna under månaden av andra än kontot självt. Flaggade: de av dem som fick ett granskningsärende, också när det öppnades efter månaden. Borttagna: dolda eller raderade av uppsikt under månaden. Behållna: ärenden där granskaren beslutade att behålla kommentaren. Diarieförda: poster i diariet under månaden.",
		"footer":     "uppsikt – månadsrapport", "page": "Sida %d av {nb}", "report_menu": "Månadsrapport", "month": "Månad", "show": "Visa",
		"download_pdf": "Hämta som PDF/A", "announce": "Månadsrapporten för %s är klar: %d kommentarer, %d flaggade, %d borttagna.",
	},
	"da": {
		"title": "Månedsrapport", "subtitle": "Tilsynet med kommunens sociale medier",
		"municipality": "Kommune", "period": "Periode", "time_zone": "Tidszone", "made": "Udarbejdet",
		"summary": "Sammenfatning", "per_account": "Pr. konto", "account": "Konto", "total": "I alt",
		"seen": "Kommentarer", "flagged": "Markerede", "removed": "Fjernede", "kept": "Bevaret efter gennemgang", "registered": "Journaliserede",
		"review": "Behandlingstid", "review_intro": "Tiden fra en kommentar blev markeret, til moderatoren traf afgørelse.",
		"reviewed": "Afgjorte sager", "median": "Median", "p90": "90. percentil", "no_reviews": "Ingen sager blev afgjort.",
		"categories": "Markerede kommentarer pr. kategori", "category": "Kategori", "count": "Antal", "no_flagged": "Ingen kommentarer blev markeret.",
		"days": "Kommentarer pr. dag", "legend_seen": "kommentarer", "legend_flagged": "markerede",
		"clock": "Svar på spørgsmål", "clock_intro": "Spørgsmål skal besvares inden for 36 timer på arbejdsdage i normal kontortid. Svartiden tælles i arbejdstimer.",
		"asked": "Spørgsmål", "in_time": "Besvaret i tide", "late": "Besvaret for sent", "overdue": "Ubesvarede og forsinkede",
		"answer_median": "Svartid, median", "answer_p90": "Svartid, 90. percentil", "no_questions": "ingen spørgsmål",
		"clock_none": "Svaruret har ingen oplysninger for måneden: ingen spørgsmål.",
		"inactive":   "Inaktive konti", "inactive_intro": "Konti uden eget opslag i månedens sidste %d dage.",
		"last_post": "Seneste eget opslag", "no_post": "intet", "no_inactive": "Alle konti har publiceret i de sidste %d dage.",
		"disconnected": "Afbrudte konti", "disconnected_intro": "Konti hvis token platformen afviste i løbet af måneden.",
		"disconnected_at": "Afbrudt", "unknown": "ukendt", "no_disconnected": "Ingen konti blev afbrudt.",
		"notes":      "Sådan tælles tallene",
		"notes_text": "Kommentarer: skrevet i måneden af andre end kontoen selv. Markerede: dem af dem, der fik en sag, også når den blev åbnet efter måneden. Fjernede: skjult eller slettet af uppsikt i måneden. Bevaret: sager, hvor moderatoren besluttede at bevare kommentaren. Journaliserede: poster i journalen i måneden.",
		"footer":     "uppsikt – månedsrapport", "page": "Side %d af {nb}", "report_menu": "Månedsrapport", "month": "Måned", "show": "Vis",
		"download_pdf": "Hent som PDF/A", "announce": "Månedsrapporten for %s er klar: %d kommentarer, %d markerede, %d fjernede.",
	},
	"en": {
		"title": "Monthly report", "subtitle": "The supervision of the municipality's social media",
		"municipality": "Municipality", "period": "Period", "time_zone": "Time zone", "made": "Made",
		"summary": "Summary", "per_account": "Per account", "account": "Account", "total": "Total",
		"seen": "Comments", "flagged": "Flagged", "removed": "Removed", "kept": "Kept after review", "registered": "Registered",
		"review": "Review time", "review_intro": "The time from a comment being flagged to the reviewer's decision.",
		"reviewed": "Cases decided", "median": "Median", "p90": "90th percentile", "no_reviews": "No cases were decided.",
		"categories": "Flagged comments by category", "category": "Category", "count": "Number", "no_flagged": "No comments were flagged.",
		"days": "Comments per day", "legend_seen": "comments", "legend_flagged": "flagged",
		"clock": "Answers to questions", "clock_intro": "Questions are to be answered within 36 hours on working days in normal office hours. Answer times are counted in working hours.",
		"asked": "Questions", "in_time": "Answered in time", "late": "Answered late", "overdue": "Unanswered and overdue",
		"answer_median": "Answer time, median", "answer_p90": "Answer time, 90th percentile", "no_questions": "no questions",
		"clock_none": "The answer clock has no figures for the month: no questions.",
		"inactive":   "Inactive accounts", "inactive_intro": "Accounts without a post of their own in the last %d days of the month.",
		"last_post": "Last own post", "no_post": "none", "no_inactive": "Every account posted in the last %d days.",
		"disconnected": "Disconnected accounts", "disconnected_intro": "Accounts whose token the platform rejected during the month.",
		"disconnected_at": "Disconnected", "unknown": "unknown", "no_disconnected": "No account was disconnected.",
		"notes":      "How the figures are counted",
		"notes_text": "Comments: written in the month by others than the account itself. Flagged: those of them a review case was opened for, also when it was opened after the month. Removed: hidden or deleted by uppsikt in the month. Kept: cases where the reviewer decided to keep the comment. Registered: entries in the register in the month.",
		"footer":     "uppsikt – monthly report", "page": "Page %d of {nb}", "report_menu": "Monthly report", "month": "Month", "show": "Show",
		"download_pdf": "Download as PDF/A", "announce": "The monthly report for %s is ready: %d comments, %d flagged, %d removed.",
	},
}

var monthNames = map[string][12]string{
	"sv": {"januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"},
	"da": {"januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"},
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
}

// Languages are the languages the report is written in.
func Languages() []string { return []string{"sv", "da", "en"} }

func known(lang string) string {
	if _, ok := texts[lang]; ok {
		return lang
	}
	return "sv"
}

// Words returns every word of the report in lang (sv, da or en; sv when
// unknown), by key.
func Words(lang string) map[string]string { return texts[known(lang)] }

// Text is one of the report's words in lang.
func Text(lang, key string) string { return texts[known(lang)][key] }

// MonthTitle names the month that starts at from: "november 2026".
func MonthTitle(lang string, from time.Time) string {
	return monthNames[known(lang)][from.Month()-1] + " " + strconv.Itoa(from.Year())
}

// Category is a category in words of lang, never its code (a category of
// the municipality's own packs, unknown to uppsikt, keeps its name).
func Category(lang, c string) string { return decide.CategoryName(known(lang), c) }

// Duration is a review time in words: "45 min", "1 tim 30 min".
func Duration(lang string, d time.Duration) string {
	d = d.Round(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	unit := map[string]string{"sv": "tim", "da": "t", "en": "h"}[known(lang)]
	switch {
	case h == 0:
		return fmt.Sprintf("%d min", m)
	case m == 0:
		return fmt.Sprintf("%d %s", h, unit)
	}
	return fmt.Sprintf("%d %s %d min", h, unit, m)
}

// Hours is a number of working hours as lang writes it, to a tenth:
// "12,5" (the unit is in the column's heading).
func Hours(lang string, h float64) string {
	s := strconv.FormatFloat(h, 'f', 1, 64)
	if known(lang) != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// Date is a day as the report writes it, in the report's time zone.
func (r Report) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(r.Location).Format("2006-01-02")
}

// Title is the report's title: "Månadsrapport november 2026 – Exempelby kommun".
func (r Report) Title() string {
	s := Text(r.Language, "title") + " " + MonthTitle(r.Language, r.From)
	if r.Municipality != "" {
		s += " – " + r.Municipality
	}
	return s
}

// Announcement is the message that tells the review channels the report
// is ready, with a link to it on the web page when link is not empty.
func (r Report) Announcement(link string) string {
	s := fmt.Sprintf(Text(r.Language, "announce"), MonthTitle(r.Language, r.From), r.Total.Seen, r.Total.Flagged, r.Total.Removed)
	if link != "" {
		s += " " + link
	}
	return s
}
