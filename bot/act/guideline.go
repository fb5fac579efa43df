package act

import "github.com/uppsikt/uppsikt/moderation"

// legacyGuideline is the citation the embedded rule packs carried before
// the guideline came from the configuration; verdicts stored then still
// name it, and it is another municipality's guideline.
const legacyGuideline = "Riktlinjer för sociala medier, Norbergs kommun (Dnr NBGK 2024/1093)"

// citeGuideline returns hits citing guideline where their rule cites no
// document of its own (or the legacy one): the reply then names the
// municipality's guideline, without the embedded packs' section headings,
// which are written in Swedish whatever the reply's language.
func citeGuideline(guideline string, hits []moderation.Hit) []moderation.Hit {
	if guideline == "" {
		return hits
	}
	out := make([]moderation.Hit, len(hits))
	for i, h := range hits {
		if h.Citation.Document == "" || h.Citation.Document == legacyGuideline {
			h.Citation = moderation.Citation{Document: guideline}
		}
		out[i] = h
	}
	return out
}
