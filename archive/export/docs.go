package export

import (
	"fmt"
	"strings"

	"github.com/uppsikt/uppsikt/moderation"
)

// docWords are the words of the package's documentation and Dublin Core
// in the municipality's language.
var docWords = map[string]map[string]string{
	"sv": {
		"file":        "om-paketet.txt",
		"repfile":     "om-representationen.txt",
		"title":       "%s, sociala medier %d",
		"subject":     "Sociala medier; tillsyn av kommunens konton",
		"description": "Kontot %s (%s) under %d: inlägg, kommentarer och deras versioner, bevis, registerposter och gallringslogg, bevarade av uppsikt.",
		"head":        "Arkivpaket %s\n\nDetta är ett informationspaket för leverans (E-ARK SIP 2.2, CSIP 2.2; FGS Paketstruktur) från %s.\nDet innehåller kontot %s (%s, %s) under %d, bevarat av %s %s.\n\n",
		"layout": "Innehåll:\n" +
			"  METS.xml                                  paketets METS: filer, storlek och SHA-256\n" +
			"  metadata/descriptive/dc.xml               beskrivning (Dublin Core)\n" +
			"  metadata/preservation/premis.xml          bevarandemetadata (PREMIS 3): filer, händelser (insamling, dolda och raderade kommentarer, gallring) och aktörer\n" +
			"  documentation/                            denna text\n" +
			"  schemas/                                  XML-scheman som paketets XML följer\n" +
			"  representations/rep1/METS.xml             representationens METS\n" +
			"  representations/rep1/data/snapshot/       årets ögonblicksbild som PDF/A\n" +
			"  representations/rep1/data/evidence/       alla bevisfiler från året (PDF, skärmbilder, plattformens svar, beslutstillägg)\n" +
			"  representations/rep1/data/register/       registerposter (XML och JSON)\n" +
			"  representations/rep1/data/api/            plattformens ursprungliga svar (JSON Lines)\n\n",
		"counts": "Antal: %d inlägg, %d kommentarsversioner, %d registerposter, %d bevisfiler, %d händelser.\n",
		"rep":    "Representationen rep1 håller årets poster så som uppsikt bevarade dem. data/register/register.xml följer schemas/uppsikt-register.xsd.\nKommentarsversioner vars text har gallrats står kvar med \"disposed\": true.\n",
	},
	"da": {
		"file":        "om-pakken.txt",
		"repfile":     "om-repraesentationen.txt",
		"title":       "%s, sociale medier %d",
		"subject":     "Sociale medier; tilsyn med kommunens konti",
		"description": "Kontoen %s (%s) i %d: opslag, kommentarer og deres versioner, beviser, registreringer og sletningslog, bevaret af uppsikt.",
		"head":        "Arkivpakke %s\n\nDette er en afleveringspakke (E-ARK SIP 2.2, CSIP 2.2) fra %s.\nDen indeholder kontoen %s (%s, %s) i %d, bevaret af %s %s.\n\n",
		"layout": "Indhold:\n" +
			"  METS.xml                                  pakkens METS: filer, størrelse og SHA-256\n" +
			"  metadata/descriptive/dc.xml               beskrivelse (Dublin Core)\n" +
			"  metadata/preservation/premis.xml          bevaringsmetadata (PREMIS 3): filer, hændelser (indsamling, skjulte og slettede kommentarer, sletning efter bevaringsplanen) og aktører\n" +
			"  documentation/                            denne tekst\n" +
			"  schemas/                                  XML-skemaer, som pakkens XML følger\n" +
			"  representations/rep1/METS.xml             repræsentationens METS\n" +
			"  representations/rep1/data/snapshot/       årets øjebliksbillede som PDF/A\n" +
			"  representations/rep1/data/evidence/       alle årets bevisfiler (PDF, skærmbilleder, platformens svar, beslutningstillæg)\n" +
			"  representations/rep1/data/register/       registreringer (XML og JSON)\n" +
			"  representations/rep1/data/api/            platformens oprindelige svar (JSON Lines)\n\n",
		"counts": "Antal: %d opslag, %d kommentarversioner, %d registreringer, %d bevisfiler, %d hændelser.\n",
		"rep":    "Repræsentationen rep1 rummer årets poster, som uppsikt bevarede dem. data/register/register.xml følger schemas/uppsikt-register.xsd.\nKommentarversioner, hvis tekst er slettet, står tilbage med \"disposed\": true.\n",
	},
	"en": {
		"file":        "about-the-package.txt",
		"repfile":     "about-the-representation.txt",
		"title":       "%s, social media %d",
		"subject":     "Social media; supervision of the municipality's accounts",
		"description": "The account %s (%s) in %d: posts, comments and their versions, evidence, register entries and the disposal log, kept by uppsikt.",
		"head":        "Archive package %s\n\nThis is a submission information package (E-ARK SIP 2.2, CSIP 2.2) from %s.\nIt holds the account %s (%s, %s) in %d, kept by %s %s.\n\n",
		"layout": "Contents:\n" +
			"  METS.xml                                  the package's METS: files, sizes and SHA-256\n" +
			"  metadata/descriptive/dc.xml               description (Dublin Core)\n" +
			"  metadata/preservation/premis.xml          preservation metadata (PREMIS 3): files, events (capture, hidden and deleted comments, disposal) and agents\n" +
			"  documentation/                            this text\n" +
			"  schemas/                                  the XML schemas the package's XML follows\n" +
			"  representations/rep1/METS.xml             the representation's METS\n" +
			"  representations/rep1/data/snapshot/       the year's snapshot as PDF/A\n" +
			"  representations/rep1/data/evidence/       every evidence file of the year (PDFs, screenshots, platform answers, decision addenda)\n" +
			"  representations/rep1/data/register/       register entries (XML and JSON)\n" +
			"  representations/rep1/data/api/            the platform's original answers (JSON Lines)\n\n",
		"counts": "Counts: %d posts, %d comment versions, %d register entries, %d evidence files, %d events.\n",
		"rep":    "The representation rep1 holds the year's records as uppsikt kept them. data/register/register.xml follows schemas/uppsikt-register.xsd.\nComment versions whose text was disposed of remain, marked \"disposed\": true.\n",
	},
}

func words(lang string) map[string]string {
	if w, ok := docWords[lang]; ok {
		return w
	}
	return docWords["sv"]
}

func docName(lang string) string { return words(lang)["file"] }

func repDocumentation(lang string) string { return words(lang)["rep"] }

func packageDocumentation(lang string, a moderation.Account, r Request, objID string, sum Summary) string {
	w := words(lang)
	var b strings.Builder
	fmt.Fprintf(&b, w["head"], objID, r.Municipality, a.Name, a.Platform, a.PlatformID, r.Year, r.Software, r.Version)
	b.WriteString(w["layout"])
	fmt.Fprintf(&b, w["counts"], sum.Posts, sum.Versions, sum.Register, sum.Evidence, sum.Events)
	return b.String()
}
