package person

import "github.com/uppsikt/uppsikt/moderation"

// labels are the fixed texts of an export in one language.
type labels struct {
	lang                                                       string
	title, municipality, person, names, generated, accounts    string
	summary, summaryFmt                                        string
	hData, hPurpose, hRecipients, hSource, hRetention, hRights string
	data, purpose, source, retention, rights                   string
	noteContext, noteSnapshots                                 string
	comment, account, post, replyTo, written, state, permalink string
	version, seen, disposed, verdict, noCategory, caseL        string
	action, evidence, register, erasure, erasable, keptBecause string
	noComments, postBy, text                                   string
	keep                                                       map[string]string
}

func labelsFor(lang string) labels {
	switch lang {
	case "da":
		return da
	case "en":
		return en
	}
	return sv
}

var sv = labels{
	lang: "sv", title: "Registerutdrag från uppsikt", municipality: "Kommun", person: "Person (plattformens id)",
	names: "Namn som använts", generated: "Framtaget", accounts: "Konton",
	summary: "Sammanfattning", summaryFmt: "%d kommentarer (%d kan raderas, %d bevaras som allmän handling), %d inlägg, %d webhook-meddelanden",
	hData: "Vilka uppgifter som behandlas", hPurpose: "Ändamål", hRecipients: "Vem som har tillgång",
	hSource: "Varifrån uppgifterna kommer", hRetention: "Hur länge uppgifterna sparas", hRights: "Dina rättigheter",
	data: "Dina kommentarer på kommunens konton i sociala medier med varje version av texten, ditt namn och id på plattformen, " +
		"kommunens bedömning av kommentarerna (automatisk klassificering och granskning), vad kommunen gjort med dem " +
		"(dolt, tagit bort, svarat dig) och bevis och diarieföring av det.",
	purpose: "Kommunen ansvarar för sina konton i sociala medier: den tar bort det som är olagligt eller olämpligt " +
		"(till exempel personnummer och känsliga uppgifter) och bevarar allmänna handlingar enligt arkivlagen.",
	source: "Uppgifterna kommer från plattformen (Facebook eller Instagram via Meta Graph API och Metas webhooks) eller " +
		"från kommunens webbplats, så som de visades för kommunen.",
	retention: "Kommentarer som inte blivit allmänna handlingar gallras enligt kommunens informationshanteringsplan. " +
		"Det som hör till ett ärende, ett bevis eller en diarieförd handling bevaras som allmän handling.",
	rights: "Du har rätt att få veta vilka uppgifter kommunen har om dig (svar inom en månad), att få felaktiga uppgifter " +
		"rättade och att få uppgifter raderade när de inte måste bevaras. Kontakta kommunens dataskyddsombud.",
	noteContext:   "Din kommentar kan också synas som sammanhang i bevis om en annan kommentar i samma tråd; sådana bevis är allmänna handlingar.",
	noteSnapshots: "Årliga ögonblicksbilder av kontona (PDF/A) är arkivhandlingar och ändras inte.",
	comment:       "Kommentar", account: "Konto", post: "Inlägg", replyTo: "Svar på", written: "Skriven", state: "Status",
	permalink: "Permalänk", version: "Version", seen: "sedd", disposed: "(texten är raderad)", verdict: "Bedömning av version",
	noCategory: "inga träffar", caseL: "Ärende", action: "Åtgärd", evidence: "Bevis", register: "Diarienummer",
	erasure: "Vid radering", erasable: "raderas", keptBecause: "bevaras:",
	noComments: "uppsikt har inga kommentarer av denna person.", postBy: "Inlägg av personen", text: "Text",
	keep: map[string]string{
		moderation.KeepCase:     "ett granskningsärende är en allmän handling (arkivlagen; GDPR art. 17.3 b)",
		moderation.KeepEvidence: "bevis om en åtgärd är en allmän handling (arkivlagen; GDPR art. 17.3 b och e)",
		moderation.KeepRegister: "diarieförd allmän handling (arkivlagen; GDPR art. 17.3 b)",
		moderation.KeepHold:     "bevarandebeslut (legal hold) gäller",
		moderation.KeepPending:  "behandlas fortfarande; raderas vid en ny begäran",
	},
}

var da = labels{
	lang: "da", title: "Indsigt fra uppsikt", municipality: "Kommune", person: "Person (platformens id)",
	names: "Anvendte navne", generated: "Udarbejdet", accounts: "Konti",
	summary: "Oversigt", summaryFmt: "%d kommentarer (%d kan slettes, %d bevares som offentlige dokumenter), %d opslag, %d webhook-meddelelser",
	hData: "Hvilke oplysninger der behandles", hPurpose: "Formålet med behandlingen", hRecipients: "Hvem der får adgang",
	hSource: "Hvor oplysningerne stammer fra", hRetention: "Hvor længe oplysningerne opbevares", hRights: "Dine rettigheder",
	data: "Dine kommentarer på kommunens konti på sociale medier med hver version af teksten, dit navn og id på platformen, " +
		"kommunens vurdering af kommentarerne (automatisk klassificering og gennemgang), hvad kommunen har gjort med dem " +
		"(skjult, slettet, svaret dig) samt dokumentation og journalisering heraf.",
	purpose: "Kommunen er ansvarlig for sine konti på sociale medier: den fjerner det, der er ulovligt eller upassende " +
		"(for eksempel CPR-numre og følsomme oplysninger), og bevarer offentlige dokumenter efter arkivloven.",
	source: "Oplysningerne stammer fra platformen (Facebook eller Instagram via Meta Graph API og Metas webhooks) eller " +
		"fra kommunens hjemmeside, sådan som de blev vist for kommunen.",
	retention: "Kommentarer, der ikke er blevet offentlige dokumenter, slettes efter kommunens bevaringsplan. " +
		"Det, der hører til en sag, en dokumentation eller en journaliseret akt, bevares.",
	rights: "Du har ret til at få at vide, hvilke oplysninger kommunen har om dig (svar inden for 4 uger), at få urigtige " +
		"oplysninger berigtiget og at få oplysninger slettet, når de ikke skal bevares. Kontakt kommunens databeskyttelsesrådgiver.",
	noteContext:   "Din kommentar kan også ses som sammenhæng i dokumentationen af en anden kommentar i samme tråd; den dokumentation bevares.",
	noteSnapshots: "Årlige øjebliksbilleder af kontiene (PDF/A) er arkivalier og ændres ikke.",
	comment:       "Kommentar", account: "Konto", post: "Opslag", replyTo: "Svar på", written: "Skrevet", state: "Status",
	permalink: "Permalink", version: "Version", seen: "set", disposed: "(teksten er slettet)", verdict: "Vurdering af version",
	noCategory: "ingen fund", caseL: "Sag", action: "Handling", evidence: "Dokumentation", register: "Journalnummer",
	erasure: "Ved sletning", erasable: "slettes", keptBecause: "bevares:",
	noComments: "uppsikt har ingen kommentarer fra denne person.", postBy: "Opslag af personen", text: "Tekst",
	keep: map[string]string{
		moderation.KeepCase:     "en sag om gennemgang er et offentligt dokument (arkivloven; GDPR art. 17, stk. 3, litra b)",
		moderation.KeepEvidence: "dokumentation for en handling bevares (arkivloven; GDPR art. 17, stk. 3, litra b og e)",
		moderation.KeepRegister: "journaliseret dokument (arkivloven; GDPR art. 17, stk. 3, litra b)",
		moderation.KeepHold:     "en bevaringsbeslutning (legal hold) gælder",
		moderation.KeepPending:  "behandles stadig; slettes ved en ny anmodning",
	},
}

var en = labels{
	lang: "en", title: "Subject access report from uppsikt", municipality: "Municipality", person: "Person (platform id)",
	names: "Names used", generated: "Generated", accounts: "Accounts",
	summary: "Summary", summaryFmt: "%d comments (%d can be erased, %d kept as public records), %d posts, %d webhook deliveries",
	hData: "What is processed", hPurpose: "Purpose", hRecipients: "Who has access",
	hSource: "Where it came from", hRetention: "How long it is kept", hRights: "Your rights",
	data: "Your comments on the municipality's social media accounts with every version of their text, your name and id " +
		"on the platform, the municipality's assessment of the comments (automatic classification and review), what the " +
		"municipality did with them (hidden, deleted, replied to you) and the evidence and registration of that.",
	purpose: "The municipality is responsible for its social media accounts: it removes what is unlawful or inappropriate " +
		"(such as identity numbers and sensitive data) and keeps public records as the archives act requires.",
	source: "The platform (Facebook or Instagram through Meta's Graph API and webhooks) or the municipality's website, " +
		"as they were shown to the municipality.",
	retention: "Comments that did not become public records are disposed of under the municipality's retention plan. " +
		"What belongs to a case, evidence or a registered record is kept as a public record.",
	rights: "You have the right to know what the municipality holds about you (answered within a month), to have wrong " +
		"data corrected and to have data erased when it need not be kept. Contact the municipality's data protection officer.",
	noteContext:   "Your comment may also appear as context in the evidence about another comment in the same thread; such evidence is kept.",
	noteSnapshots: "Yearly snapshots of the accounts (PDF/A) are archive records and are not changed.",
	comment:       "Comment", account: "Account", post: "Post", replyTo: "Reply to", written: "Written", state: "State",
	permalink: "Permalink", version: "Version", seen: "seen", disposed: "(the text is erased)", verdict: "Verdict on version",
	noCategory: "no hits", caseL: "Case", action: "Action", evidence: "Evidence", register: "Register number",
	erasure: "On erasure", erasable: "erased", keptBecause: "kept:",
	noComments: "uppsikt holds no comments of this person.", postBy: "Post by the person", text: "Text",
	keep: map[string]string{
		moderation.KeepCase:     "a review case is a public record (archives act; GDPR art. 17(3)(b))",
		moderation.KeepEvidence: "evidence of an action is a public record (archives act; GDPR art. 17(3)(b) and (e))",
		moderation.KeepRegister: "a registered public record (archives act; GDPR art. 17(3)(b))",
		moderation.KeepHold:     "a legal hold is in force",
		moderation.KeepPending:  "still being processed; erased on a new request",
	},
}

// KeepReason returns why an erasure keeps a comment, in lang.
func KeepReason(lang, kind string) string {
	return labelsFor(lang).keep[kind]
}
