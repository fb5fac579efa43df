package pdf

import (
	"strings"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/decide"
)

// Languages are the languages the evidence PDF is written in.
func Languages() []string { return []string{"sv", "da", "en"} }

// evidenceLabels are the fixed texts of an evidence PDF in one language.
type evidenceLabels struct {
	title, docTitle, intro, footer, page, unknown, notRegistered                          string
	register, account, post, postText, commentID, permalink, author, written, seen        string
	documented, shot, shots, shotsFrom, shotMissing, noShot, hitsHeading, noHits, rule    string
	hit, guideline, explanation, suggested, decisionHeading, noDecision, decision, by, at string
	reason, context, omittedBefore, omittedAfter, target, disposed, shotTitle, cont       string
	address, taken, verbatim, noText, versionSeen, textHash, checksums, rawAnswer         string
	states, suggest, surfaces                                                             map[string]string
}

var evidenceTexts = map[string]evidenceLabels{
	"sv": {
		title: "Bevis: kommentar %s", docTitle: "Bevisunderlag för en kommentar",
		intro:  "Dokumenterad av uppsikt innan kommentaren döljs eller tas bort. Det råa svaret från plattformen är bifogat i filen (%s).",
		footer: "uppsikt – bevis för kommentar %s", page: "Sida %d av {nb}", unknown: "okänd", notRegistered: "ej registrerad ännu",
		register: "Diarienummer", account: "Konto", post: "Inlägg", postText: "Inläggets text", commentID: "Kommentar-id",
		permalink: "Permalänk", author: "Författare", written: "Skriven", seen: "Version %d sedd",
		documented: "Dokumenterad", shot: "Skärmbild", shots: "Skärmbilder", shotsFrom: "%d, från sidan %s",
		shotMissing: "SAKNAS – %s. Beviset består av metadata, text och kontrollsummor.", noShot: "ingen skärmbild togs",
		hitsHeading: "Träffar mot riktlinjen", noHits: "Inga träffar från klassificeraren.", rule: "%d. %s – regel %s",
		hit: "Träff", guideline: "Riktlinje", explanation: "Förklaring", suggested: "Föreslagen åtgärd",
		decisionHeading: "Granskningsbeslut", noDecision: "Inget beslut ännu.", decision: "Beslut", by: "Av", at: "Tidpunkt",
		reason: "Motivering", context: "Kommentaren i sitt sammanhang",
		omittedBefore: "… %d tidigare kommentarer på inlägget visas inte", omittedAfter: "… %d senare kommentarer på inlägget visas inte",
		target: "DOKUMENTERAD KOMMENTAR", disposed: "(texten är gallrad)", shotTitle: "Skärmbild %d: %s", cont: " (forts. %d)",
		address: "Adress", taken: "Tagen", verbatim: "Kommentarens text, ordagrant", noText: "Ingen text lagrad.",
		versionSeen: "Version %d – sedd %s", textHash: "SHA-256 av texten: ", checksums: "Kontrollsummor (SHA-256)",
		rawAnswer: "Rått API-svar (%s, bifogat)",
		states:    map[string]string{"hidden": "dold", "deleted": "borttagen"},
		suggest: map[string]string{moderation.SuggestReview: "granskning",
			moderation.SuggestHideThenReview: "dölj direkt, granska sedan"},
		surfaces: map[string]string{"web": "uppsikts webbsida", "slack": "Slack", "cli": "kommandoraden", "platform": "plattformen"},
	},
	"da": {
		title: "Bevis: kommentar %s", docTitle: "Bevismateriale for en kommentar",
		intro:  "Dokumenteret af uppsikt, før kommentaren skjules eller slettes. Platformens rå svar er vedhæftet i filen (%s).",
		footer: "uppsikt – bevis for kommentar %s", page: "Side %d af {nb}", unknown: "ukendt", notRegistered: "endnu ikke journaliseret",
		register: "Journalnummer", account: "Konto", post: "Opslag", postText: "Opslagets tekst", commentID: "Kommentar-id",
		permalink: "Permalink", author: "Forfatter", written: "Skrevet", seen: "Version %d set",
		documented: "Dokumenteret", shot: "Skærmbillede", shots: "Skærmbilleder", shotsFrom: "%d, fra side %s",
		shotMissing: "MANGLER – %s. Beviset består af metadata, tekst og kontrolsummer.", noShot: "der blev ikke taget et skærmbillede",
		hitsHeading: "Fund i forhold til retningslinjen", noHits: "Ingen fund fra klassifikatoren.", rule: "%d. %s – regel %s",
		hit: "Fund", guideline: "Retningslinje", explanation: "Forklaring", suggested: "Foreslået handling",
		decisionHeading: "Afgørelse", noDecision: "Endnu ingen afgørelse.", decision: "Afgørelse", by: "Af", at: "Tidspunkt",
		reason: "Begrundelse", context: "Kommentaren i sin sammenhæng",
		omittedBefore: "… %d tidligere kommentarer til opslaget vises ikke", omittedAfter: "… %d senere kommentarer til opslaget vises ikke",
		target: "DOKUMENTERET KOMMENTAR", disposed: "(teksten er kasseret)", shotTitle: "Skærmbillede %d: %s", cont: " (fortsat %d)",
		address: "Adresse", taken: "Taget", verbatim: "Kommentarens tekst, ordret", noText: "Ingen tekst gemt.",
		versionSeen: "Version %d – set %s", textHash: "SHA-256 af teksten: ", checksums: "Kontrolsummer (SHA-256)",
		rawAnswer: "Råt API-svar (%s, vedhæftet)",
		states:    map[string]string{"hidden": "skjult", "deleted": "slettet"},
		suggest: map[string]string{moderation.SuggestReview: "gennemgang",
			moderation.SuggestHideThenReview: "skjul straks, gennemgå derefter"},
		surfaces: map[string]string{"web": "uppsikts webside", "slack": "Slack", "cli": "kommandolinjen", "platform": "platformen"},
	},
	"en": {
		title: "Evidence: comment %s", docTitle: "Evidence of a comment",
		intro:  "Documented by uppsikt before the comment is hidden or removed. The platform's raw answer is attached in the file (%s).",
		footer: "uppsikt – evidence of comment %s", page: "Page %d of {nb}", unknown: "unknown", notRegistered: "not registered yet",
		register: "Register number", account: "Account", post: "Post", postText: "Text of the post", commentID: "Comment id",
		permalink: "Permalink", author: "Author", written: "Written", seen: "Version %d seen",
		documented: "Documented", shot: "Screenshot", shots: "Screenshots", shotsFrom: "%d, from page %s",
		shotMissing: "MISSING – %s. The evidence consists of metadata, text and checksums.", noShot: "no screenshot was taken",
		hitsHeading: "Matches against the guideline", noHits: "No matches from the classifier.", rule: "%d. %s – rule %s",
		hit: "Match", guideline: "Guideline", explanation: "Explanation", suggested: "Suggested action",
		decisionHeading: "Review decision", noDecision: "No decision yet.", decision: "Decision", by: "By", at: "Time",
		reason: "Reason", context: "The comment in its context",
		omittedBefore: "… %d earlier comments on the post are not shown", omittedAfter: "… %d later comments on the post are not shown",
		target: "DOCUMENTED COMMENT", disposed: "(the text has been disposed of)", shotTitle: "Screenshot %d: %s", cont: " (cont. %d)",
		address: "Address", taken: "Taken", verbatim: "The comment's text, verbatim", noText: "No text stored.",
		versionSeen: "Version %d – seen %s", textHash: "SHA-256 of the text: ", checksums: "Checksums (SHA-256)",
		rawAnswer: "Raw API answer (%s, attached)",
		states:    map[string]string{"hidden": "hidden", "deleted": "deleted"},
		suggest: map[string]string{moderation.SuggestReview: "review",
			moderation.SuggestHideThenReview: "hide at once, then review"},
		surfaces: map[string]string{"web": "uppsikt's web page", "slack": "Slack", "cli": "the command line", "platform": "the platform"},
	},
}

// Lang returns lang when it is one of Languages, else "sv".
func Lang(lang string) string {
	if _, ok := evidenceTexts[lang]; ok {
		return lang
	}
	return "sv"
}

func evidenceWords(lang string) evidenceLabels { return evidenceTexts[Lang(lang)] }

// Suggestion is a rule's suggested action (moderation.SuggestReview,
// SuggestHideThenReview) in words of lang, the code when unknown.
func Suggestion(lang, code string) string {
	if w := evidenceWords(lang).suggest[code]; w != "" {
		return w
	}
	return code
}

// DefaultGuideline is the guideline cited when the configuration names
// none: the municipality's own guideline for social media, said in lang,
// without a diary number.
func DefaultGuideline(lang, municipality string) string {
	m := strings.TrimSpace(municipality)
	switch Lang(lang) {
	case "da":
		if m == "" {
			return "Kommunens retningslinjer for sociale medier"
		}
		return m + "s retningslinjer for sociale medier"
	case "en":
		if m == "" {
			return "The municipality's guidelines for social media"
		}
		return m + "'s guidelines for social media"
	}
	if m == "" {
		return "Kommunens riktlinjer för sociala medier"
	}
	if strings.HasSuffix(m, "s") {
		return m + " riktlinjer för sociala medier"
	}
	return m + "s riktlinjer för sociala medier"
}

// signals are the signal rules' hits (their Category is the signal), in
// words and explained, in sv, da and en.
var signals = map[string][3][2]string{
	"register": {{"diarieföring", "Kommentaren ska diarieföras."}, {"journalisering", "Kommentaren skal journaliseres."}, {"registration", "The comment must be registered."}},
	"question": {{"fråga", "Kommentaren är en fråga till kommunen."}, {"spørgsmål", "Kommentaren er et spørgsmål til kommunen."}, {"question", "The comment is a question to the municipality."}},
}

func langIndex(lang string) int {
	switch Lang(lang) {
	case "da":
		return 1
	case "en":
		return 2
	}
	return 0
}

// CategoryWords is a category (moderation/decide's table) or a signal in
// words of lang.
func CategoryWords(lang, c string) string {
	if s, ok := signals[c]; ok {
		return s[langIndex(lang)][0]
	}
	return decide.CategoryName(Lang(lang), c)
}

// legacyGuideline is the citation the embedded rule packs carried before
// the guideline came from the configuration; verdicts stored then still
// name it, and it is another municipality's guideline.
const legacyGuideline = "Riktlinjer för sociala medier, Norbergs kommun (Dnr NBGK 2024/1093)"

// sections are the sections the embedded rule packs cite, in sv, da, en.
var sections = map[string][3]string{
	"Olämpliga och olagliga inlägg": {"Olämpliga och olagliga inlägg", "Upassende og ulovlige indlæg", "Inappropriate and unlawful posts"},
	"Publicering av känsliga, kränkande eller sekretessbelagda uppgifter": {
		"Publicering av känsliga, kränkande eller sekretessbelagda uppgifter",
		"Offentliggørelse af følsomme, krænkende eller fortrolige oplysninger",
		"Publication of sensitive, offensive or confidential information"},
	"Allmän handling, diarieföring och gallring": {"Allmän handling, diarieföring och gallring", "Offentlige dokumenter, journalisering og kassation", "Public records, registration and disposal"},
	"Uppsikt och moderering":                     {"Uppsikt och moderering", "Tilsyn og moderation", "Supervision and moderation"},
}

// Cite returns the citation of a hit for a document in lang: the rule's
// own document when its pack names one (a municipality's own pack), else
// guideline; a section of the embedded packs in words of lang.
func Cite(lang, guideline string, c moderation.Citation) moderation.Citation {
	if c.Document == "" || c.Document == legacyGuideline {
		c.Document = guideline
	}
	if n, ok := sections[c.Section]; ok {
		c.Section = n[langIndex(lang)]
	}
	return c
}

// LocalHit returns a hit cited against guideline and explained in lang:
// the rule's explanation in it (explain, which may be nil), the pack's own
// description when lang is English, else the hit's category in words. The
// evidence PDF and the web page's case view both say hits this way.
func LocalHit(h moderation.Hit, lang, guideline string, explain func(id, lang string) string) moderation.Hit {
	h.Citation = Cite(lang, guideline, h.Citation)
	explained := ""
	if explain != nil {
		explained = explain(h.RuleID, lang)
	}
	if explained == "" && lang == "en" {
		explained = h.Explanation
	}
	if explained == "" {
		explained = CategoryExplanation(lang, h.Category)
	}
	h.Explanation = explained
	return h
}

// CategoryExplanation explains a hit by its category, in lang: for a rule
// without an explanation in that language.
func CategoryExplanation(lang, category string) string {
	if s, ok := signals[category]; ok {
		return s[langIndex(lang)][1]
	}
	switch Lang(lang) {
	case "da":
		return "Kommentaren kan falde ind under retningslinjens kategori " + CategoryWords("da", category) + "."
	case "en":
		return "The comment may fall under the guideline's category " + CategoryWords("en", category) + "."
	}
	return "Kommentaren kan falla under riktlinjens kategori " + CategoryWords("sv", category) + "."
}
