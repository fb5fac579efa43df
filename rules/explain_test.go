package rules

import (
	"errors"
	"strings"
	"testing"
)

// TestEmbeddedPacksExplainEveryLanguage: every category rule of the
// embedded packs has its explanation in sv, da and en, so that no evidence
// PDF explains a hit in another language or by its category only.
func TestEmbeddedPacksExplainEveryLanguage(t *testing.T) {
	e, err := LoadDefault(Options{Today: testToday})
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"sv", "da", "en"} {
		if got := e.Unexplained(lang); len(got) > 0 {
			t.Errorf("rules without an explanation in %s: got %d (%s …), want none", lang, len(got), got[0])
		}
	}
	tests := []struct{ id, lang, want string }{
		{"da.profanity.swearing", "da", "Bandeord."},
		{"da.profanity.swearing", "sv", "Svordomar."},
		{"sv.harassment.threat", "en", "Threats against a person."},
		{"common.personal_id.cpr", "sv", "Ett danskt CPR-nummer (DDMMÅÅ-SSSS) med ett födelsedatum som finns."},
		{"no.such.rule", "sv", ""},
	}
	for _, tt := range tests {
		if got := e.Explain(tt.id, tt.lang); got != tt.want {
			t.Errorf("Explain(%s, %s): got %q, want %q", tt.id, tt.lang, got, tt.want)
		}
	}
}

// TestExplainInPack: explain is checked where the pack is parsed; a rule
// without it is explained in English by its description and elsewhere
// not at all (Unexplained lists it).
func TestExplainInPack(t *testing.T) {
	const head = "pack: t\nlanguages: [sv]\nrules:\n  - id: t.profanity.x\n    category: profanity\n    description: Swear words.\n    citation: {section: S}\n    words: [fan]\n"
	tests := []struct {
		name, yaml, problem string
		unexplained         map[string]bool // by language
	}{
		{"all three", head + "    explain: {sv: Svordomar., da: Bandeord., en: Swearing.}\n", "", map[string]bool{}},
		{"none", head, "", map[string]bool{"sv": true, "da": true}},
		{"Swedish only", head + "    explain: {sv: Svordomar.}\n", "", map[string]bool{"da": true}},
		{"unknown language", head + "    explain: {fi: Kirosanat.}\n", `explain: unknown language "fi"`, nil},
		{"empty text", head + "    explain: {da: \" \"}\n", "explain.da is empty", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePack("t.yaml", []byte(tt.yaml))
			if tt.problem != "" {
				if !errors.Is(err, ErrPack) || !strings.Contains(err.Error(), tt.problem) {
					t.Fatalf("got %v, want %q", err, tt.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			e, err := Compile([]*Pack{p}, Options{Today: testToday})
			if err != nil {
				t.Fatal(err)
			}
			for _, lang := range []string{"sv", "da", "en"} {
				if got := len(e.Unexplained(lang)) > 0; got != tt.unexplained[lang] {
					t.Errorf("%s unexplained: got %v, want %v", lang, got, tt.unexplained[lang])
				}
			}
		})
	}
}
