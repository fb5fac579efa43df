package act

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	fb "github.com/huandu/facebook/v2"

	"github.com/uppsikt/uppsikt/bot/instagram"
	"github.com/uppsikt/uppsikt/moderation"
)

func TestReplyText(t *testing.T) {
	hits := []moderation.Hit{
		{Category: moderation.CatPersonalID, Citation: moderation.Citation{Document: "Riktlinjer", Section: "4.2"}},
		{Category: moderation.CatPersonalID, Citation: moderation.Citation{Document: "Riktlinjer", Section: "4.2"}},
		{Category: moderation.CatHate, Citation: moderation.Citation{Document: "Riktlinjer", Section: "4.4"}},
	}
	tests := []struct {
		name string
		tmpl Templates
		lang string
		cats []string
		hits []moderation.Hit
		want string
	}{
		{"swedish, two categories", Templates{"sv": "Bort: {reason} ({guideline})"}, "sv",
			[]string{moderation.CatPersonalID, moderation.CatHate}, hits,
			"Bort: personnummer eller andra identitetsuppgifter och hets eller diskriminering (Riktlinjer 4.2; Riktlinjer 4.4)"},
		{"danish default", nil, "da", []string{moderation.CatAdvertising}, nil,
			"Hej! Din kommentar er blevet fjernet, fordi den indeholdt reklame, hvilket ikke er tilladt efter vores retningslinjer for sociale medier (kommunens retningslinjer). Kontakt os gerne, hvis du har spørgsmål."},
		{"unknown language falls back to Swedish", Templates{"sv": "{reason}"}, "fi", []string{moderation.CatProfanity}, nil,
			"svordomar eller kränkande språk"},
		{"three categories", Templates{"en": "{reason}"}, "en", []string{moderation.CatHate, moderation.CatProfanity, moderation.CatAdvertising}, nil,
			"hate speech or discrimination, profanity or offensive language and advertising"},
	}
	for _, tt := range tests {
		tmpl := DefaultTemplates()
		for k, v := range tt.tmpl {
			tmpl[k] = v
		}
		if got := tmpl.ReplyText(tt.lang, tt.cats, tt.hits); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}

func TestPermanent(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"already replied privately", fmt.Errorf("x: %w", &fb.Error{Code: 10900}), true},
		{"bad parameter", &fb.Error{Code: 100}, true},
		{"permission", &fb.Error{Code: 200}, true},
		{"server error", &fb.Error{Code: 2}, false},
		{"network", errors.New("connection refused"), false},
		{"no private replies on instagram", instagram.ErrNoPrivateReply, true},
	}
	for _, tt := range tests {
		if got := permanent(tt.err); got != tt.want {
			t.Errorf("%s: permanent = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestReplyTextWithoutCategories: a reply for a removal whose categories
// are unknown names inappropriate content in words, never a placeholder.
func TestReplyTextWithoutCategories(t *testing.T) {
	for lang, want := range map[string]string{"sv": "olämpligt innehåll", "da": "upassende indhold", "en": "inappropriate content"} {
		got := DefaultTemplates().ReplyText(lang, nil, nil)
		if !strings.Contains(got, want) || strings.Contains(got, "?,") {
			t.Errorf("%s: got %q, want it to name %q", lang, got, want)
		}
	}
}
