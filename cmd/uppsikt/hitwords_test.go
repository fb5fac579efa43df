package main

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/pdf"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/review"
	"github.com/uppsikt/uppsikt/rules"
)

// TestHitWordsInTheReadersLanguage: the web page says a rule hit the way the
// evidence PDF does, in the reader's language — the rule's own explanation
// in it, the municipality's guideline instead of the one a verdict stored
// before it was configurable, and the section in words of the language.
func TestHitWordsInTheReadersLanguage(t *testing.T) {
	cfg := &config.Config{Municipality: config.Municipality{Name: "Østervig Kommune", Language: "da"}}
	engine, err := rules.LoadDefault(rules.Options{Today: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	stored := moderation.Hit{RuleID: "da.profanity.swearing", Category: "profanity", Explanation: "Swearing (the pack's English description)",
		Citation: moderation.Citation{Document: "Riktlinjer för sociala medier, Norbergs kommun (Dnr NBGK 2024/1093)", Section: "Olämpliga och olagliga inlägg"}}
	words := hitWords(cfg, ruleExplainer(cfg))
	for _, tt := range []struct {
		lang, section string
	}{
		{"da", "Upassende og ulovlige indlæg"},
		{"sv", "Olämpliga och olagliga inlägg"},
		{"en", "Inappropriate and unlawful posts"},
	} {
		got := words(stored, tt.lang)
		if want := engine.Explain(stored.RuleID, tt.lang); want == "" || got.Explanation != want {
			t.Errorf("%s: explanation %q, want the pack's %q", tt.lang, got.Explanation, want)
		}
		if want := "Østervig Kommunes retningslinjer for sociale medier"; got.Citation.Document != want {
			t.Errorf("%s: cites %q, want the municipality's %q", tt.lang, got.Citation.Document, want)
		}
		if got.Citation.Section != tt.section {
			t.Errorf("%s: section %q, want %q", tt.lang, got.Citation.Section, tt.section)
		}
	}

	// On the case page, for a rule the packs do not explain: the category
	// in words of the page's language, not the stored text.
	r := newReviewRig(t)
	c := r.cases[0]
	web, err := review.New(review.Options{Store: r.st, Users: r.st, Decide: r.dec, Language: "da", Now: r.clock, HitWords: words})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web)
	defer srv.Close()
	admin := signIn(t, srv.URL, "admin", testPassword)
	req, err := http.NewRequest("GET", fmt.Sprintf("%s/cases/%d", srv.URL, c.ID), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Language", "da-DK,da;q=0.9")
	resp, err := admin.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("case page: got %d, %v; want 200", resp.StatusCode, err)
	}
	body := string(raw)
	v, err := r.st.LatestVerdict(t.Context(), c.CommentID)
	if err != nil || len(v.Verdict.Hits) == 0 {
		t.Fatalf("the rig's case has no hit: %+v, %v", v, err)
	}
	want := pdf.CategoryExplanation("da", v.Verdict.Hits[0].Category)
	if text := html.UnescapeString(body); !strings.Contains(text, want) {
		t.Errorf("the Danish case page lacks the hit's explanation %q", want)
	}
}
