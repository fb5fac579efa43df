package testenv

import (
	"slices"
	"testing"
)

func TestForeign(t *testing.T) {
	tables := map[string][]string{
		"sv": {"Diarienummer %s", "Kommentaren i sitt sammanhang"},
		"da": {"Journalnummer %s", "Kommentaren i sin sammenhæng"},
		"en": {"Register number %s", "The comment in its context"},
	}
	tests := []struct {
		name, lang, text string
		want             []string
	}{
		{"clean Danish", "da", "Journalnummer KS 2026/0042\nKommentaren i sin\nsammenhæng", nil},
		{"a Swedish label left", "da", "Journalnummer 1\nKommentaren i sitt sammanhang", []string{"sv: Kommentaren i sitt sammanhang"}},
		{"a Swedish marker", "da", "Journalnummer 1 och", []string{"sv: och"}},
		{"an English marker across a line break", "sv", "Diarienummer 1\nRegister\nnumber", []string{"en: Register number"}},
		{"a marker inside a word is no marker", "en", "Register number: theatre, ofof", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Foreign(tt.text, tt.lang, tables); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
