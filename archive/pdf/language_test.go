package pdf

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/decide"
	"github.com/uppsikt/uppsikt/moderation/testenv"
)

// languageTables are the fixed texts of evidence PDFs per language, for
// testenv.Foreign: the labels, the category names, the default guideline,
// the sections and the category explanations.
func languageTables() map[string][]string {
	out := map[string][]string{}
	for i, lang := range Languages() {
		var texts []string
		v := reflect.ValueOf(evidenceTexts[lang])
		for f := range v.NumField() {
			switch fv := v.Field(f); fv.Kind() {
			case reflect.String:
				texts = append(texts, fv.String())
			case reflect.Map:
				for _, k := range fv.MapKeys() {
					texts = append(texts, fv.MapIndex(k).String())
				}
			}
		}
		for _, c := range moderation.Categories() {
			texts = append(texts, decide.CategoryName(lang, c), CategoryExplanation(lang, c))
		}
		for _, s := range signals {
			texts = append(texts, s[i][0], s[i][1])
		}
		for _, s := range sections {
			texts = append(texts, s[i])
		}
		texts = append(texts, DefaultGuideline(lang, "Gruvberg"), DecisionKind(lang, moderation.DecideRemove))
		out[lang] = texts
	}
	return out
}

// neutralEvidence is evidence whose own content (names, texts, titles) is
// in no language, so that every word of another language in the PDF comes
// from uppsikt's fixed texts.
func neutralEvidence(t *testing.T, lang string, full bool) Evidence {
	at := time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)
	ev := Evidence{
		Language: lang, AccountName: "Gruvberg", AccountKey: "gruvberg", Platform: moderation.Facebook,
		PostID: "p1", PostMessage: "123 456", CommentID: "c1", PermalinkURL: "https://example.test/p1?c=1",
		Author: moderation.Author{ID: "a1", Name: "Alex Berg"}, CreatedAt: at, CapturedAt: at.Add(time.Minute),
		Versions: []moderation.CommentVersion{{Version: 1, Message: "xyz 19811218-9876", SeenAt: at, Source: moderation.SourcePoll}},
		RawJSON:  []byte(`{"id":"c1"}`),
	}
	if !full {
		return ev
	}
	ev.RegisterNumber = "KS 2026/0042"
	ev.Hits = []moderation.Hit{{
		RuleID: "r1", Category: moderation.CatPersonalID, Match: "19811218-9876",
		Citation: Cite(lang, DefaultGuideline(lang, "Gruvberg"), moderation.Citation{Section: "Publicering av känsliga, kränkande eller sekretessbelagda uppgifter"}),
		Severity: 3, Suggest: moderation.SuggestHideThenReview, Explanation: CategoryExplanation(lang, moderation.CatPersonalID),
	}, {
		RuleID: "r2", Category: "question", Match: "?", Citation: Cite(lang, DefaultGuideline(lang, "Gruvberg"), moderation.Citation{Section: "Uppsikt och moderering"}),
		Severity: 1, Suggest: moderation.SuggestReview, Explanation: CategoryExplanation(lang, "question"),
	}}
	ev.Decision = &moderation.Decision{Kind: moderation.DecideRemove, By: "alex", Surface: "web", At: at.Add(time.Hour)}
	ev.Thread = []ThreadLine{
		{CommentID: "c0", Author: "Kim", CreatedAt: at, Text: "abc", State: "hidden"},
		{CommentID: "c1", Author: "Alex Berg", CreatedAt: at, Text: "xyz", Target: true},
		{CommentID: "c2", Author: "Sam", CreatedAt: at, Reply: true, Disposed: true, State: "deleted"},
	}
	ev.ThreadBefore, ev.ThreadAfter = 2, 3
	ev.Screenshots = []Screenshot{{Title: "x", PNG: testPNG(t, 640, 400), URL: "https://example.test/p1", CapturedAt: at}}
	return ev
}

// TestEvidenceInEveryLanguage renders the evidence PDF in sv, da and en,
// with and without hits, decision, thread and screenshots, and finds no
// text of another language in it (pdftotext).
func TestEvidenceInEveryLanguage(t *testing.T) {
	testenv.NeedTools(t, "gs", "pdftotext")
	tables := languageTables()
	want := map[string][]string{
		"sv": {"Bevisunderlag för en kommentar", "Kommentaren är en fråga till kommunen.", "Diarienummer", "personnummer", "Gruvbergs riktlinjer för sociala medier", "dölj direkt, granska sedan", "Borttagning godkänd", "uppsikts webbsida"},
		"da": {"Bevismateriale for en kommentar", "2. spørgsmål – regel r2", "Journalnummer", "CPR-nummer", "Gruvbergs retningslinjer for sociale medier", "skjul straks, gennemgå derefter", "Sletning godkendt", "Offentliggørelse af følsomme"},
		"en": {"Evidence of a comment", "The comment is a question to the municipality.", "Register number", "identity number", "Gruvberg's guidelines for social media", "hide at once, then review", "Removal approved", "Publication of sensitive"},
	}
	for _, lang := range Languages() {
		for _, full := range []bool{true, false} {
			name := lang + "/bare"
			if full {
				name = lang + "/full"
			}
			t.Run(name, func(t *testing.T) {
				out := render(t, neutralEvidence(t, lang, full), Options{})
				file := filepath.Join(t.TempDir(), "ev.pdf")
				if err := os.WriteFile(file, out, 0o600); err != nil {
					t.Fatal(err)
				}
				text := run(t, nil, "pdftotext", "-enc", "UTF-8", file, "-")
				if got := testenv.Foreign(text, lang, tables); len(got) > 0 {
					t.Errorf("the %s evidence PDF has text of another language: got %q, want none", lang, got)
				}
				if !full {
					return
				}
				flat := strings.Join(strings.Fields(text), " ")
				for _, w := range want[lang] {
					if !strings.Contains(flat, w) {
						t.Errorf("pdftotext output lacks %q", w)
					}
				}
			})
		}
	}
}

// TestEvidenceUnknownLanguage: a language uppsikt does not write is
// Swedish, not a mix.
func TestEvidenceUnknownLanguage(t *testing.T) {
	for _, lang := range []string{"", "fi", "no"} {
		if got, want := Lang(lang), "sv"; got != want {
			t.Errorf("Lang(%q): got %q, want %q", lang, got, want)
		}
	}
	if got, want := Title(Evidence{Language: "da", CommentID: "c1"}), "Bevis: kommentar c1"; got != want {
		t.Errorf("Title: got %q, want %q", got, want)
	}
}
