package evidencepdf

import (
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/pdf"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/decide"
	"github.com/uppsikt/uppsikt/moderation/testenv"
)

// TestViewInEveryLanguage renders the evidence view (the page the
// browser screenshots into the evidence PDF) in sv, da and en and finds no
// text of another language in it, and no category code.
func TestViewInEveryLanguage(t *testing.T) {
	tables := map[string][]string{}
	for lang, w := range words {
		for _, s := range w {
			tables[lang] = append(tables[lang], s)
		}
		for _, c := range moderation.Categories() {
			tables[lang] = append(tables[lang], decide.CategoryName(lang, c))
		}
	}
	at := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	for _, lang := range []string{"sv", "da", "en"} {
		t.Run(lang, func(t *testing.T) {
			v := View{Language: lang, Municipality: "Gruvberg", RenderedAt: at,
				Account:  moderation.Account{Name: "Gruvberg", Platform: moderation.Facebook},
				Post:     moderation.Post{PlatformID: "p1", Message: "123", CreatedAt: at},
				Comment:  moderation.Comment{PlatformID: "c1", Author: moderation.Author{ID: "a1", Name: "Kim"}, CreatedAt: at},
				Versions: []moderation.CommentVersion{{Version: 1, Message: "xyz abc", SeenAt: at, Source: moderation.SourcePoll}},
				Verdict: &moderation.StoredVerdict{Version: 1, Verdict: moderation.Verdict{Hits: []moderation.Hit{
					{Category: moderation.CatSensitiveData, Start: 0, End: 3, Match: "xyz", Citation: pdf.Cite(lang, "G", moderation.Citation{})},
					{Category: "question", Start: 4, End: 7, Match: "abc"},
				}}},
				Thread: []ThreadComment{{PlatformID: "c0", Author: "Sam", CreatedAt: at, Message: "d", State: moderation.StateVisible},
					{PlatformID: "c1", Author: "Kim", CreatedAt: at, Target: true}, {PlatformID: "c2", Author: "Alex", Disposed: true}},
				OmittedBefore: 2, OmittedAfter: 1,
			}
			out, err := RenderView(v)
			if err != nil {
				t.Fatal(err)
			}
			text := html.UnescapeString(regexp.MustCompile(`(?s)<style>.*?</style>|<[^>]+>`).ReplaceAllString(string(out), "\n"))
			if got := testenv.Foreign(text, lang, tables); len(got) > 0 {
				t.Errorf("the %s evidence view has text of another language: got %q, want none", lang, got)
			}
			for _, code := range []string{moderation.CatSensitiveData, "question"} {
				if strings.Contains(text, code) && !strings.Contains(pdf.CategoryWords(lang, code), code) {
					t.Errorf("the %s evidence view shows the code %q", lang, code)
				}
			}
			if want := pdf.CategoryWords(lang, moderation.CatSensitiveData); !strings.Contains(text, want) {
				t.Errorf("the %s evidence view lacks %q", lang, want)
			}
		})
	}
}
