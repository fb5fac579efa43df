package review

import (
	"net/http"
	"strings"
)

// texts holds the page's words in the three languages uppsikt's users read.
var texts = map[string]map[string]string{
	"sv": {
		"title": "Uppsikt", "accounts": "Konton", "comments": "Inkommande kommentarer",
		"account": "Konto", "platform": "Plattform", "status": "Status", "owners": "Ansvariga",
		"substitutes": "Ersättare", "last_poll": "Senast läst", "next_poll": "Nästa läsning",
		"author": "Författare", "text": "Text", "time": "Tid", "state": "Läge", "flags": "Kategorier",
		"versions": "Versioner", "version": "Version", "hits": "Träffar", "rule": "Regel",
		"citation": "Riktlinje", "none": "inga", "no_substitute": "saknar ersättare",
		"disconnected": "frånkopplat — byt token", "active": "aktivt", "closed": "stängt",
		"visible": "synlig", "hidden": "dold", "deleted": "borttagen", "flagged_only": "bara flaggade",
		"all_accounts": "alla konton", "filter": "Filtrera", "post": "Inlägg", "open": "öppna",
		"stats": "I lagret", "posts_n": "inlägg", "comments_n": "kommentarer", "versions_n": "versioner",
		"flagged_n": "flaggade", "pending_n": "i kö", "question": "fråga", "register": "diarieföras",
		"seen": "Sedd", "source": "Källa", "older": "Äldre", "never": "aldrig", "error": "Fel",
		"back": "Tillbaka", "not_found": "Hittades inte",
	},
	"da": {
		"title": "Uppsikt", "accounts": "Konti", "comments": "Indkomne kommentarer",
		"account": "Konto", "platform": "Platform", "status": "Status", "owners": "Ansvarlige",
		"substitutes": "Stedfortrædere", "last_poll": "Sidst læst", "next_poll": "Næste læsning",
		"author": "Forfatter", "text": "Tekst", "time": "Tid", "state": "Tilstand", "flags": "Kategorier",
		"versions": "Versioner", "version": "Version", "hits": "Fund", "rule": "Regel",
		"citation": "Retningslinje", "none": "ingen", "no_substitute": "mangler stedfortræder",
		"disconnected": "afbrudt — udskift token", "active": "aktiv", "closed": "lukket",
		"visible": "synlig", "hidden": "skjult", "deleted": "slettet", "flagged_only": "kun markerede",
		"all_accounts": "alle konti", "filter": "Filtrér", "post": "Opslag", "open": "åbn",
		"stats": "I lageret", "posts_n": "opslag", "comments_n": "kommentarer", "versions_n": "versioner",
		"flagged_n": "markerede", "pending_n": "i kø", "question": "spørgsmål", "register": "journaliseres",
		"seen": "Set", "source": "Kilde", "older": "Ældre", "never": "aldrig", "error": "Fejl",
		"back": "Tilbage", "not_found": "Ikke fundet",
	},
	"en": {
		"title": "Uppsikt", "accounts": "Accounts", "comments": "Incoming comments",
		"account": "Account", "platform": "Platform", "status": "Status", "owners": "Responsible",
		"substitutes": "Substitutes", "last_poll": "Last read", "next_poll": "Next read",
		"author": "Author", "text": "Text", "time": "Time", "state": "State", "flags": "Categories",
		"versions": "Versions", "version": "Version", "hits": "Hits", "rule": "Rule",
		"citation": "Guideline", "none": "none", "no_substitute": "no substitute",
		"disconnected": "disconnected — replace the token", "active": "active", "closed": "closed",
		"visible": "visible", "hidden": "hidden", "deleted": "deleted", "flagged_only": "flagged only",
		"all_accounts": "all accounts", "filter": "Filter", "post": "Post", "open": "open",
		"stats": "Stored", "posts_n": "posts", "comments_n": "comments", "versions_n": "versions",
		"flagged_n": "flagged", "pending_n": "queued", "question": "question", "register": "to register",
		"seen": "Seen", "source": "Source", "older": "Older", "never": "never", "error": "Error",
		"back": "Back", "not_found": "Not found",
	},
}

// language picks sv, da or en from the request's Accept-Language, falling
// back to the configured default.
func language(r *http.Request, fallback string) string {
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		switch base {
		case "sv", "da", "en":
			return base
		case "nb", "nn", "no":
			return "da"
		}
	}
	if _, ok := texts[fallback]; ok {
		return fallback
	}
	return "en"
}
