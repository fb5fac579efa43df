package review

import (
	"net/http"
	"strings"
)

// texts holds the page's words in the three languages uppsikt's users read.
var texts = map[string]map[string]string{
	"sv": {
		"skip": "Hoppa till innehållet", "menu": "Meny", "queue": "Granskningskö", "search": "Sök",
		"register_list": "Diarium", "language": "Språk", "browser_language": "webbläsarens", "save": "Spara",
		"sign_out": "Logga ut", "sign_in": "Logga in", "user_name": "Användarnamn", "password": "Lösenord",
		"bad_login": "Fel användarnamn eller lösenord.", "too_many": "För många misslyckade försök. Vänta en stund och försök igen.",
		"csrf":       "Formuläret har gått ut eller kom inte från uppsikt. Ladda om sidan och försök igen.",
		"signed_out": "Du är inte inloggad.", "forbidden": "Din roll får inte göra detta.", "invalid": "Ogiltigt beslut.",
		"role_admin": "administratör", "role_moderator": "moderator", "role_archivist": "arkivarie", "role_viewer": "läsare",
		"counts": "Antal per läge", "category": "Kategori", "all_categories": "alla kategorier", "undecided": "obeslutade",
		"all_states": "alla lägen", "age": "Ålder", "any_age": "alla", "older_1h": "äldre än 1 timme",
		"older_24h": "äldre än 1 dygn", "older_7d": "äldre än 7 dagar", "cases_n": "ärenden", "case": "Ärende",
		"opened": "Öppnat", "no_cases": "Inga ärenden.", "case_open": "öppet", "case_escalated": "eskalerat",
		"case_approved": "borttagning godkänd", "case_kept": "behållen", "case_registered": "diarieförd", "case_done": "klart",
		"edited_after": "Kommentaren har ändrats efter att den flaggades: se versionerna nedan.",
		"four_eyes":    "kräver två granskare", "link": "Länk", "open_on_platform": "öppna på plattformen",
		"comment": "Kommentar", "decision": "Beslut", "reason": "Motivering", "approve_removal": "Godkänn borttagning",
		"keep": "Behåll", "register_only": "Bara diarieför", "escalate": "Eskalera", "thread": "Tråd", "open_post": "öppna inlägget",
		"in_reply_to": "Svar till", "flagged_version": "flaggad", "evidence": "Bevis", "no_evidence": "Inga bevis ännu.",
		"ev_pdf": "bevis-PDF", "ev_screenshot": "skärmbild", "ev_raw_json": "plattformens svar (JSON)", "ev_evidence_view": "bevisvy",
		"history": "Historik", "who": "Vem", "what": "Vad", "case_opened": "ärendet öppnades",
		"kind_remove": "godkände borttagning", "kind_keep": "behöll", "kind_register": "diarieförde", "kind_escalate": "eskalerade",
		"act_delete": "radera", "act_reply": "svara", "act_unhide": "visa igen", "act_hide": "dölj", "act_private_reply": "privat svar",
		"done_remove": "Borttagningen är godkänd: kommentaren raderas, författaren får svar och ärendet diarieförs.",
		"done_keep":   "Kommentaren behålls.", "done_register": "Kommentaren diarieförs.", "done_escalate": "Ärendet är eskalerat till en administratör.",
		"done_second": "Ditt godkännande är registrerat. En andra granskare måste också godkänna borttagningen.",
		"conflict":    "Ärendet var redan avgjort: %s %s %s (%s).", "search_words": "Ord att söka efter", "results": "träffar",
		"number": "Nummer", "delivered": "Levererat", "years": "År",
		"title": "Uppsikt", "accounts": "Konton", "comments": "Inkommande kommentarer",
		"account": "Konto", "platform": "Plattform", "status": "Status", "owners": "Ansvariga",
		"substitutes": "Ersättare", "last_poll": "Senast läst", "next_poll": "Nästa läsning",
		"author": "Författare", "text": "Text", "time": "Tid", "state": "Läge", "flags": "Kategorier",
		"versions": "Versioner", "version": "Version", "hits": "Träffar", "rule": "Regel", "why": "Varför",
		"model": "Inlärd modell", "model_score": "Poäng", "model_threshold": "Tröskel", "model_signs": "Starkaste tecken",
		"model_shadow": "Skuggläge: modellens poäng sparas men avgör inget.", "model_excused": "ursäktad av regelpaketen",
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
		"skip": "Gå til indholdet", "menu": "Menu", "queue": "Gennemgangskø", "search": "Søg",
		"register_list": "Journal", "language": "Sprog", "browser_language": "browserens", "save": "Gem",
		"sign_out": "Log ud", "sign_in": "Log ind", "user_name": "Brugernavn", "password": "Adgangskode",
		"bad_login": "Forkert brugernavn eller adgangskode.", "too_many": "For mange mislykkede forsøg. Vent lidt og prøv igen.",
		"csrf":       "Formularen er udløbet eller kom ikke fra uppsikt. Genindlæs siden og prøv igen.",
		"signed_out": "Du er ikke logget ind.", "forbidden": "Din rolle må ikke gøre dette.", "invalid": "Ugyldig afgørelse.",
		"role_admin": "administrator", "role_moderator": "moderator", "role_archivist": "arkivar", "role_viewer": "læser",
		"counts": "Antal pr. tilstand", "category": "Kategori", "all_categories": "alle kategorier", "undecided": "uafgjorte",
		"all_states": "alle tilstande", "age": "Alder", "any_age": "alle", "older_1h": "ældre end 1 time",
		"older_24h": "ældre end 1 døgn", "older_7d": "ældre end 7 dage", "cases_n": "sager", "case": "Sag",
		"opened": "Åbnet", "no_cases": "Ingen sager.", "case_open": "åben", "case_escalated": "eskaleret",
		"case_approved": "fjernelse godkendt", "case_kept": "beholdt", "case_registered": "journaliseret", "case_done": "færdig",
		"edited_after": "Kommentaren er ændret, efter at den blev markeret: se versionerne nedenfor.",
		"four_eyes":    "kræver to kontrollanter", "link": "Link", "open_on_platform": "åbn på platformen",
		"comment": "Kommentar", "decision": "Afgørelse", "reason": "Begrundelse", "approve_removal": "Godkend fjernelse",
		"keep": "Behold", "register_only": "Kun journalisér", "escalate": "Eskalér", "thread": "Tråd", "open_post": "åbn opslaget",
		"in_reply_to": "Svar til", "flagged_version": "markeret", "evidence": "Bevis", "no_evidence": "Ingen beviser endnu.",
		"ev_pdf": "bevis-PDF", "ev_screenshot": "skærmbillede", "ev_raw_json": "platformens svar (JSON)", "ev_evidence_view": "bevisvisning",
		"history": "Historik", "who": "Hvem", "what": "Hvad", "case_opened": "sagen blev åbnet",
		"kind_remove": "godkendte fjernelse", "kind_keep": "beholdt", "kind_register": "journaliserede", "kind_escalate": "eskalerede",
		"act_delete": "slet", "act_reply": "svar", "act_unhide": "vis igen", "act_hide": "skjul", "act_private_reply": "privat svar",
		"done_remove": "Fjernelsen er godkendt: kommentaren slettes, forfatteren får svar, og sagen journaliseres.",
		"done_keep":   "Kommentaren beholdes.", "done_register": "Kommentaren journaliseres.", "done_escalate": "Sagen er eskaleret til en administrator.",
		"done_second": "Din godkendelse er registreret. En anden kontrollant skal også godkende fjernelsen.",
		"conflict":    "Sagen var allerede afgjort: %s %s %s (%s).", "search_words": "Ord at søge efter", "results": "fund",
		"number": "Nummer", "delivered": "Leveret", "years": "År",
		"title": "Uppsikt", "accounts": "Konti", "comments": "Indkomne kommentarer",
		"account": "Konto", "platform": "Platform", "status": "Status", "owners": "Ansvarlige",
		"substitutes": "Stedfortrædere", "last_poll": "Sidst læst", "next_poll": "Næste læsning",
		"author": "Forfatter", "text": "Tekst", "time": "Tid", "state": "Tilstand", "flags": "Kategorier",
		"versions": "Versioner", "version": "Version", "hits": "Fund", "rule": "Regel", "why": "Hvorfor",
		"model": "Indlært model", "model_score": "Score", "model_threshold": "Tærskel", "model_signs": "Stærkeste tegn",
		"model_shadow": "Skyggetilstand: modellens score gemmes, men afgør intet.", "model_excused": "undskyldt af regelpakkerne",
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
		"skip": "Skip to content", "menu": "Menu", "queue": "Review queue", "search": "Search",
		"register_list": "Register", "language": "Language", "browser_language": "the browser's", "save": "Save",
		"sign_out": "Sign out", "sign_in": "Sign in", "user_name": "User name", "password": "Password",
		"bad_login": "Wrong user name or password.", "too_many": "Too many failed attempts. Wait a while and try again.",
		"csrf":       "The form has expired or did not come from uppsikt. Reload the page and try again.",
		"signed_out": "You are not signed in.", "forbidden": "Your role may not do this.", "invalid": "Invalid decision.",
		"role_admin": "administrator", "role_moderator": "moderator", "role_archivist": "archivist", "role_viewer": "viewer",
		"counts": "Count per state", "category": "Category", "all_categories": "all categories", "undecided": "undecided",
		"all_states": "all states", "age": "Age", "any_age": "any", "older_1h": "older than 1 hour",
		"older_24h": "older than 1 day", "older_7d": "older than 7 days", "cases_n": "cases", "case": "Case",
		"opened": "Opened", "no_cases": "No cases.", "case_open": "open", "case_escalated": "escalated",
		"case_approved": "removal approved", "case_kept": "kept", "case_registered": "registered", "case_done": "done",
		"edited_after": "The comment was edited after it was flagged: see the versions below.",
		"four_eyes":    "needs two reviewers", "link": "Link", "open_on_platform": "open on the platform",
		"comment": "Comment", "decision": "Decision", "reason": "Reason", "approve_removal": "Approve removal",
		"keep": "Keep", "register_only": "Register only", "escalate": "Escalate", "thread": "Thread", "open_post": "open the post",
		"in_reply_to": "In reply to", "flagged_version": "flagged", "evidence": "Evidence", "no_evidence": "No evidence yet.",
		"ev_pdf": "evidence PDF", "ev_screenshot": "screenshot", "ev_raw_json": "the platform's answer (JSON)", "ev_evidence_view": "evidence view",
		"history": "History", "who": "Who", "what": "What", "case_opened": "case opened",
		"kind_remove": "approved removal", "kind_keep": "kept", "kind_register": "registered", "kind_escalate": "escalated",
		"act_delete": "delete", "act_reply": "reply", "act_unhide": "unhide", "act_hide": "hide", "act_private_reply": "private reply",
		"done_remove": "Removal approved: the comment is deleted, its author gets a reply and the case is registered.",
		"done_keep":   "The comment is kept.", "done_register": "The comment is registered.", "done_escalate": "The case is escalated to an administrator.",
		"done_second": "Your approval is recorded. A second reviewer must also approve the removal.",
		"conflict":    "The case was already decided: %s %s at %s (%s).", "search_words": "Words to search for", "results": "results",
		"number": "Number", "delivered": "Delivered", "years": "Years",
		"title": "Uppsikt", "accounts": "Accounts", "comments": "Incoming comments",
		"account": "Account", "platform": "Platform", "status": "Status", "owners": "Responsible",
		"substitutes": "Substitutes", "last_poll": "Last read", "next_poll": "Next read",
		"author": "Author", "text": "Text", "time": "Time", "state": "State", "flags": "Categories",
		"versions": "Versions", "version": "Version", "hits": "Hits", "rule": "Rule", "why": "Why",
		"model": "Learned model", "model_score": "Score", "model_threshold": "Threshold", "model_signs": "Strongest signs",
		"model_shadow": "Shadow mode: the model's scores are recorded but decide nothing.", "model_excused": "excused by the rule packs",
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
