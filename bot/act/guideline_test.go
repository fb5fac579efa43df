package act

import (
	"testing"

	"github.com/uppsikt/uppsikt/moderation"
)

// TestReplyCitesTheMunicipalitysGuideline: a reply names the configured
// guideline for hits of the embedded packs (no document) and for stored
// verdicts that still cite another municipality's, and a rule's own
// document where it has one.
func TestReplyCitesTheMunicipalitysGuideline(t *testing.T) {
	const own = "Retningslinjer for sociale medier, Østervig Kommune (j.nr. 1)"
	hit := func(doc, section string) moderation.Hit {
		return moderation.Hit{Category: moderation.CatProfanity, Citation: moderation.Citation{Document: doc, Section: section}}
	}
	tests := []struct {
		name, guideline string
		hit             moderation.Hit
		want            string
	}{
		{"embedded pack", own, hit("", "Olämpliga och olagliga inlägg"),
			"Hej! Din kommentar er blevet fjernet, fordi den indeholdt bandeord eller krænkende sprog, hvilket ikke er tilladt efter vores retningslinjer for sociale medier (" + own + "). Kontakt os gerne, hvis du har spørgsmål."},
		{"stored verdict citing Norberg", own, hit(legacyGuideline, "Olämpliga och olagliga inlägg"),
			"Hej! Din kommentar er blevet fjernet, fordi den indeholdt bandeord eller krænkende sprog, hvilket ikke er tilladt efter vores retningslinjer for sociale medier (" + own + "). Kontakt os gerne, hvis du har spørgsmål."},
		{"a rule's own document", own, hit("Ordensreglement", "§ 3"),
			"Hej! Din kommentar er blevet fjernet, fordi den indeholdt bandeord eller krænkende sprog, hvilket ikke er tilladt efter vores retningslinjer for sociale medier (Ordensreglement § 3). Kontakt os gerne, hvis du har spørgsmål."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits := citeGuideline(tt.guideline, []moderation.Hit{tt.hit})
			if got := DefaultTemplates().ReplyText("da", []string{moderation.CatProfanity}, hits); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
