package evidencepdf

import "github.com/uppsikt/uppsikt/archive/pdf"

// words are the fixed texts the maker adds to an evidence PDF (screenshot
// titles, why a screenshot is missing) and the texts of the evidence view,
// in sv, da and en.
var words = map[string]map[string]string{
	"sv": {
		"no_browser": "ingen webbläsare är konfigurerad", "no_permalink": "kommentaren har ingen permalänk",
		"foreign_host": "permalänkens värd är inte en konfigurerad plattformsvärd",
		"live":         "Kommentaren på plattformen", "window": " (utsnitt %d–%d px av sidans %d px", "not_found": ", kommentaren hittades inte på sidan: sidans början",
		"view": "Bevisvy återgiven av uppsikt", "live_failed": "plattformens sida: ", "view_failed": "bevisvyn: ",
		"unknown_time": "okänd tid", "view_title": "Bevisvy: kommentar", "register": "diarienummer", "not_registered": "ej registrerad ännu",
		"rendered": "återgiven av uppsikt", "post": "Inlägget", "thread": "Tråden runt kommentaren",
		"before": "tidigare kommentarer på inlägget visas inte", "after": "senare kommentarer på inlägget visas inte",
		"target": "DOKUMENTERAD KOMMENTAR", "disposed": "(texten är gallrad)", "versions": "Kommentarens versioner",
		"author": "Författare", "written": "Skriven", "permalink": "Permalänk", "seen": "sedd", "hits": "Träffar",
	},
	"da": {
		"no_browser": "der er ikke konfigureret en browser", "no_permalink": "kommentaren har intet permalink",
		"foreign_host": "permalinkets vært er ikke en konfigureret platformsvært",
		"live":         "Kommentaren på platformen", "window": " (udsnit %d–%d px af sidens %d px", "not_found": ", kommentaren blev ikke fundet på siden: sidens begyndelse",
		"view": "Bevisvisning gengivet af uppsikt", "live_failed": "platformens side: ", "view_failed": "bevisvisningen: ",
		"unknown_time": "ukendt tidspunkt", "view_title": "Bevisvisning: kommentar", "register": "journalnummer", "not_registered": "endnu ikke journaliseret",
		"rendered": "gengivet af uppsikt", "post": "Opslaget", "thread": "Tråden omkring kommentaren",
		"before": "tidligere kommentarer til opslaget vises ikke", "after": "senere kommentarer til opslaget vises ikke",
		"target": "DOKUMENTERET KOMMENTAR", "disposed": "(teksten er kasseret)", "versions": "Kommentarens versioner",
		"author": "Forfatter", "written": "Skrevet", "permalink": "Permalink", "seen": "set", "hits": "Fund",
	},
	"en": {
		"no_browser": "no browser is configured", "no_permalink": "the comment has no permalink",
		"foreign_host": "the permalink's host is not a configured platform host",
		"live":         "The comment on the platform", "window": " (window %d–%d px of the page's %d px", "not_found": ", the comment was not found on the page: the top of the page",
		"view": "Evidence view rendered by uppsikt", "live_failed": "the platform's page: ", "view_failed": "the evidence view: ",
		"unknown_time": "unknown time", "view_title": "Evidence view: comment", "register": "register number", "not_registered": "not registered yet",
		"rendered": "rendered by uppsikt", "post": "The post", "thread": "The thread around the comment",
		"before": "earlier comments on the post are not shown", "after": "later comments on the post are not shown",
		"target": "DOCUMENTED COMMENT", "disposed": "(the text has been disposed of)", "versions": "The comment's versions",
		"author": "Author", "written": "Written", "permalink": "Permalink", "seen": "seen", "hits": "Matches",
	},
}

func wordsFor(lang string) map[string]string { return words[pdf.Lang(lang)] }
