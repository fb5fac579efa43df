package register

import "github.com/uppsikt/uppsikt/moderation/decide"

// Languages are the languages the registrar mail is written in.
func Languages() []string { return []string{"sv", "da", "en"} }

// mailWords are the fixed texts of the registrar mail in sv, da and en.
var mailWords = map[string]map[string]string{
	"sv": {
		"subject": "Diarieföring %s: kommentar i sociala medier", "attached": "Bevis (PDF/A) och metadata (JSON) bifogas.",
		"subject_decision":  "Diarieföring %s: beslut om kommentar i sociala medier",
		"attached_decision": "Beslutet (PDF/A), som kompletterar beviset med samma diarienummer, och metadata (JSON) bifogas.",
		"number":            "Diarienummer", "reason": "Skäl", "created": "Skapad", "account": "Konto", "municipality": "Kommun",
	},
	"da": {
		"subject": "Journalisering %s: kommentar på sociale medier", "attached": "Bevis (PDF/A) og metadata (JSON) er vedhæftet.",
		"subject_decision":  "Journalisering %s: afgørelse om kommentar på sociale medier",
		"attached_decision": "Afgørelsen (PDF/A), som supplerer beviset med samme journalnummer, og metadata (JSON) er vedhæftet.",
		"number":            "Journalnummer", "reason": "Begrundelse", "created": "Oprettet", "account": "Konto", "municipality": "Kommune",
	},
	"en": {
		"subject": "Registration %s: comment on social media", "attached": "The evidence (PDF/A) and metadata (JSON) are attached.",
		"subject_decision":  "Registration %s: decision on a comment on social media",
		"attached_decision": "The decision (PDF/A), which completes the evidence with the same register number, and metadata (JSON) are attached.",
		"number":            "Register number", "reason": "Reason", "created": "Created", "account": "Account", "municipality": "Municipality",
	},
}

func mailText(lang, key string) string {
	if w, ok := mailWords[lang]; ok {
		return w[key]
	}
	return mailWords["sv"][key]
}

// categoryNames are categories in words of lang, for the sidecar.
func categoryNames(lang string, cats []string) []string {
	if len(cats) == 0 {
		return nil
	}
	out := make([]string, len(cats))
	for i, c := range cats {
		out[i] = decide.CategoryName(lang, c)
	}
	return out
}
