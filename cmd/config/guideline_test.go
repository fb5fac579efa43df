package config

import (
	"strings"
	"testing"
)

func TestGuidelineConfig(t *testing.T) {
	const account = `
meta:
  app_secret: ${APP_SECRET}
accounts:
  - key: fb
    platform: facebook
    id: "42"
    name: Kommunen
    owners: [anna]
    token: ${PAGE_TOKEN}
`
	tests := []struct {
		name    string
		yaml    string
		problem string // "" when valid
		want    string // the citation
	}{
		{"configured", "municipality:\n  name: Gruvbergs kommun\n  guideline: \"Riktlinjer för sociala medier, Gruvbergs kommun (Dnr KS 2024/0117)\"\n",
			"", "Riktlinjer för sociala medier, Gruvbergs kommun (Dnr KS 2024/0117)"},
		{"default in Swedish", "municipality:\n  name: Gruvbergs kommun\n", "", "Gruvbergs kommuns riktlinjer för sociala medier"},
		{"default in Danish", "municipality:\n  name: Skovby Kommune\n  country: dk\n", "", "Skovby Kommunes retningslinjer for sociale medier"},
		{"default in English", "municipality:\n  name: Gruvberg Municipality\n  language: en\n", "", "Gruvberg Municipality's guidelines for social media"},
		{"blank", "municipality:\n  guideline: \"  \"\n", "line 3: municipality.guideline: is blank", ""},
		{"two lines", "municipality:\n  guideline: \"Riktlinjer\\nDnr 1\"\n", "line 3: municipality.guideline: contains a line break", ""},
		{"too long", "municipality:\n  guideline: " + strings.Repeat("x", 301) + "\n", "line 3: municipality.guideline: is 301 characters long", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"APP_SECRET": "s", "PAGE_TOKEN": "p"}
			cfg, err := Parse([]byte("\n"+tt.yaml+account), "uppsikt.yaml", t.TempDir(), func(k string) string { return env[k] })
			if tt.problem == "" {
				if err != nil {
					t.Fatalf("got %v, want valid", err)
				}
				if got := cfg.Municipality.Citation(); got != tt.want {
					t.Errorf("citation: got %q, want %q", got, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.problem) {
				t.Errorf("got %v, want %q", err, tt.problem)
			}
		})
	}
}
