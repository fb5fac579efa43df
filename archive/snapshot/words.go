package snapshot

import "github.com/uppsikt/uppsikt/moderation"

// Languages are the languages a snapshot is written in.
func Languages() []string { return []string{"sv", "da", "en"} }

// words are the fixed texts of a snapshot in sv, da and en.
var words = map[string]map[string]string{
	"sv": {
		"content_only":     "Sidans layout är utelämnad efter operatörens val (%s): dokumentet visar bara innehållet.",
		"band":             "Sida %d av kontot, del %d av flödet, från %d px: %s",
		"layout_end":       "Layout: %s togs som %d skärmbilder över %d sidor av flödet, till flödets slut.",
		"layout_since":     "Layout: %s togs som %d skärmbilder över %d sidor av flödet, tills inlägg från före perioden visades.",
		"layout_max_bands": "Layout: %s togs som %d skärmbilder över %d sidor av flödet och slutade vid gränsen för antalet skärmbilder; sidan fortsätter.",
		"label":            "uppsikt – ögonblicksbild av %s, %s–%s", "title": "Ögonblicksbild %s %s", "subject": "Ögonblicksbild av kontot %s (%s)",
		"page": "Sida %d", "unknown_time": "okänd tid", "unknown": "okänd",
		"no_shots":    "Inga skärmbilder togs: ingen webbläsare eller ingen sidadress för kontot.",
		"shot_failed": "Skärmbild %d (%s) kunde inte tas: %v", "manifest_shot": "skärmbild %d\t%s\t%s\n",
		"layout": "Sidans layout (skärmbilder)", "shot": "Skärmbild %d: %s", "cont": " (forts. %d)", "address": "Adress", "taken": "Tagen",
		"note": "Anmärkning", "too_big": "Sidan är %d × %d bildpunkter, för stor att återges här. Innehållet finns i avsnittet Innehåll.",
		"content_toc": "Innehåll: inlägg med kommentarer och svar", "content": "Innehåll",
		"no_posts": "Kontot har inga inlägg från perioden i uppsikts arkiv.",
		"post":     "Inlägg %s", "src_both": "Källa: plattformen och uppsikts arkiv",
		"src_gone": "Källa: uppsikts arkiv – inlägget finns inte längre på plattformen", "src_store": "Källa: uppsikts arkiv",
		"manifest_post": "inlägg %s\t%s\t%d kommentarer\t%s\n",
		"removed":       "Borttagen efter granskning. Se diarienummer %s.", "hidden": "Dold efter granskning. Se diarienummer %s.", "registered": "registrerad",
		"disposed_text": "Texten är gallrad enligt informationshanteringsplanen.", "disposed": "gallrad",
		"gone": "ur uppsikts arkiv – finns inte längre på plattformen", "deleted": "ur uppsikts arkiv – borttagen från plattformen",
		"hidden_marker": "dold på plattformen",
		"manifest_toc":  "Manifest: SHA-256 av innehållet", "manifest": "Manifest",
		"manifest_text": "SHA-256 av varje skärmbild (PNG) och av varje inläggs innehåll som det återges här " +
			"(inläggets id, tid och text, och för varje kommentar id, förälder, text och markering, med NUL mellan fälten). " +
			"Hela dokumentets SHA-256 finns i uppsikts förteckning över ögonblicksbilder.",
		"cover": "Ögonblicksbild av %s", "account": "Konto", "platform": "Plattform", "platform_id": "Plattformens id", "name": "Namn",
		"owners": "Ansvariga", "substitutes": "Ersättare", "status": "Status", "period": "Period", "period_end": ", slutet ej inräknat",
		"posts": "Inlägg", "comments": "Kommentarer och svar", "from_platform": "Text från plattformen", "from_store": "Text ur uppsikts arkiv",
		"removed_count": "Borttagna (diarienummer)", "disposed_count": "Gallrade texter", "shots": "Skärmbilder", "pages": "Sidor",
		"explain": "Dokumentet visar kontots sida som den såg ut när ögonblicksbilden togs, och periodens inlägg med kommentarer " +
			"och svar i tidsordning. Text tas från plattformen när den fortfarande finns där, annars ur uppsikts arkiv (markerat). " +
			"Kommentarer som tagits bort efter granskning visas med diarienummer i stället för text. " +
			"Text som gallrats enligt informationshanteringsplanen är markerad som gallrad.",
		"toc": "Innehållsförteckning", "toc_cover": "Omslag och kontouppgifter", "month_posts": " (%d inlägg)",
		moderation.SnapshotYearly: "årlig ögonblicksbild", moderation.SnapshotClosing: "ögonblicksbild inför nedstängning", "kind": "ögonblicksbild",
		"status_active": "aktivt", "status_disconnected": "frånkopplat (token avvisad)", "status_closed": "nedstängt",
		"months": "Januari,Februari,Mars,April,Maj,Juni,Juli,Augusti,September,Oktober,November,December",
	},
	"da": {
		"content_only":     "Sidens layout er udeladt efter operatørens valg (%s): dokumentet viser kun indholdet.",
		"band":             "Side %d af kontoen, del %d af feedet, fra %d px: %s",
		"layout_end":       "Layout: %s blev taget som %d skærmbilleder over %d sider af feedet, til feedets slutning.",
		"layout_since":     "Layout: %s blev taget som %d skærmbilleder over %d sider af feedet, indtil opslag fra før perioden blev vist.",
		"layout_max_bands": "Layout: %s blev taget som %d skærmbilleder over %d sider af feedet og stoppede ved grænsen for antallet af skærmbilleder; siden fortsætter.",
		"label":            "uppsikt – øjebliksbillede af %s, %s–%s", "title": "Øjebliksbillede %s %s", "subject": "Øjebliksbillede af kontoen %s (%s)",
		"page": "Side %d", "unknown_time": "ukendt tidspunkt", "unknown": "ukendt",
		"no_shots":    "Der blev ikke taget skærmbilleder: ingen browser eller ingen sideadresse for kontoen.",
		"shot_failed": "Skærmbillede %d (%s) kunne ikke tages: %v", "manifest_shot": "skærmbillede %d\t%s\t%s\n",
		"layout": "Sidens layout (skærmbilleder)", "shot": "Skærmbillede %d: %s", "cont": " (fortsat %d)", "address": "Adresse", "taken": "Taget",
		"note": "Bemærkning", "too_big": "Siden er %d × %d pixel, for stor til at blive gengivet her. Indholdet findes i afsnittet Indhold.",
		"content_toc": "Indhold: opslag med kommentarer og svar", "content": "Indhold",
		"no_posts": "Kontoen har ingen opslag fra perioden i uppsikts arkiv.",
		"post":     "Opslag %s", "src_both": "Kilde: platformen og uppsikts arkiv",
		"src_gone": "Kilde: uppsikts arkiv – opslaget findes ikke længere på platformen", "src_store": "Kilde: uppsikts arkiv",
		"manifest_post": "opslag %s\t%s\t%d kommentarer\t%s\n",
		"removed":       "Slettet efter gennemgang. Se journalnummer %s.", "hidden": "Skjult efter gennemgang. Se journalnummer %s.", "registered": "journaliseret",
		"disposed_text": "Teksten er kasseret efter arkiveringsplanen.", "disposed": "kasseret",
		"gone": "fra uppsikts arkiv – findes ikke længere på platformen", "deleted": "fra uppsikts arkiv – slettet fra platformen",
		"hidden_marker": "skjult på platformen",
		"manifest_toc":  "Manifest: SHA-256 af indholdet", "manifest": "Manifest",
		"manifest_text": "SHA-256 af hvert skærmbillede (PNG) og af hvert opslags indhold, som det gengives her " +
			"(opslagets id, tidspunkt og tekst, og for hver kommentar id, forælder, tekst og markering, med NUL mellem felterne). " +
			"Hele dokumentets SHA-256 findes i uppsikts fortegnelse over øjebliksbilleder.",
		"cover": "Øjebliksbillede af %s", "account": "Konto", "platform": "Platform", "platform_id": "Platformens id", "name": "Navn",
		"owners": "Ansvarlige", "substitutes": "Stedfortrædere", "status": "Status", "period": "Periode", "period_end": ", slutningen ikke medregnet",
		"posts": "Opslag", "comments": "Kommentarer og svar", "from_platform": "Tekst fra platformen", "from_store": "Tekst fra uppsikts arkiv",
		"removed_count": "Slettede (journalnummer)", "disposed_count": "Kasserede tekster", "shots": "Skærmbilleder", "pages": "Sider",
		"explain": "Dokumentet viser kontoens side, som den så ud, da øjebliksbilledet blev taget, og periodens opslag med kommentarer " +
			"og svar i tidsorden. Tekst tages fra platformen, når den stadig findes der, ellers fra uppsikts arkiv (markeret). " +
			"Kommentarer, der er slettet efter gennemgang, vises med journalnummer i stedet for tekst. " +
			"Tekst, der er kasseret efter arkiveringsplanen, er markeret som kasseret.",
		"toc": "Indholdsfortegnelse", "toc_cover": "Forside og kontooplysninger", "month_posts": " (%d opslag)",
		moderation.SnapshotYearly: "årligt øjebliksbillede", moderation.SnapshotClosing: "øjebliksbillede før lukning", "kind": "øjebliksbillede",
		"status_active": "aktiv", "status_disconnected": "afbrudt (token afvist)", "status_closed": "lukket",
		"months": "Januar,Februar,Marts,April,Maj,Juni,Juli,August,September,Oktober,November,December",
	},
	"en": {
		"content_only":     "The page's layout is left out by the operator's choice (%s): the document shows the content only.",
		"band":             "Page %d of the account, part %d of the feed, from %d px: %s",
		"layout_end":       "Layout: %s was taken as %d screenshots over %d pages of the feed, to the feed's end.",
		"layout_since":     "Layout: %s was taken as %d screenshots over %d pages of the feed, until posts from before the period showed.",
		"layout_max_bands": "Layout: %s was taken as %d screenshots over %d pages of the feed and stopped at the limit of screenshots; the page goes on.",
		"label":            "uppsikt – snapshot of %s, %s–%s", "title": "Snapshot %s %s", "subject": "Snapshot of the account %s (%s)",
		"page": "Page %d", "unknown_time": "unknown time", "unknown": "unknown",
		"no_shots":    "No screenshots were taken: no browser or no page address for the account.",
		"shot_failed": "Screenshot %d (%s) could not be taken: %v", "manifest_shot": "screenshot %d\t%s\t%s\n",
		"layout": "The page's layout (screenshots)", "shot": "Screenshot %d: %s", "cont": " (cont. %d)", "address": "Address", "taken": "Taken",
		"note": "Note", "too_big": "The page is %d × %d pixels, too large to be shown here. Its content is in the section Content.",
		"content_toc": "Content: posts with comments and replies", "content": "Content",
		"no_posts": "The account has no posts from the period in uppsikt's archive.",
		"post":     "Post %s", "src_both": "Source: the platform and uppsikt's archive",
		"src_gone": "Source: uppsikt's archive – the post is no longer on the platform", "src_store": "Source: uppsikt's archive",
		"manifest_post": "post %s\t%s\t%d comments\t%s\n",
		"removed":       "Removed after review. See register number %s.", "hidden": "Hidden after review. See register number %s.", "registered": "registered",
		"disposed_text": "The text has been disposed of under the records management plan.", "disposed": "disposed of",
		"gone": "from uppsikt's archive – no longer on the platform", "deleted": "from uppsikt's archive – removed from the platform",
		"hidden_marker": "hidden on the platform",
		"manifest_toc":  "Manifest: SHA-256 of the content", "manifest": "Manifest",
		"manifest_text": "SHA-256 of every screenshot (PNG) and of every post's content as it is shown here " +
			"(the post's id, time and text, and for every comment its id, parent, text and marker, with NUL between the fields). " +
			"The SHA-256 of the whole document is in uppsikt's list of snapshots.",
		"cover": "Snapshot of %s", "account": "Account", "platform": "Platform", "platform_id": "Platform id", "name": "Name",
		"owners": "Responsible", "substitutes": "Substitutes", "status": "Status", "period": "Period", "period_end": ", end not included",
		"posts": "Posts", "comments": "Comments and replies", "from_platform": "Text from the platform", "from_store": "Text from uppsikt's archive",
		"removed_count": "Removed (register number)", "disposed_count": "Texts disposed of", "shots": "Screenshots", "pages": "Pages",
		"explain": "The document shows the account's page as it looked when the snapshot was taken, and the period's posts with comments " +
			"and replies in time order. Text is taken from the platform while it is still there, otherwise from uppsikt's archive (marked). " +
			"Comments removed after review are shown by their register number instead of their text. " +
			"Text disposed of under the records management plan is marked as disposed of.",
		"toc": "Table of contents", "toc_cover": "Cover and account details", "month_posts": " (%d posts)",
		moderation.SnapshotYearly: "yearly snapshot", moderation.SnapshotClosing: "snapshot before closing", "kind": "snapshot",
		"status_active": "active", "status_disconnected": "disconnected (token rejected)", "status_closed": "closed",
		"months": "January,February,March,April,May,June,July,August,September,October,November,December",
	},
}

// lang returns l when a snapshot can be written in it, else "sv".
func lang(l string) string {
	if _, ok := words[l]; ok {
		return l
	}
	return "sv"
}
