package rules

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestNeedles(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want []string // nil: none, the pattern always runs
	}{
		// Parsing factors alternatives ("sek|spänn" is "s(?:ek|pänn)"): the
		// set is of what every match holds, not of the words as written.
		{`\b\d{1,2}\s?%\s?(?:rabatt|på\b)`, []string{"på", "rabatt"}},
		{`\b\d{1,3}(?:[ .]?\d{3})*(?:,\d{1,2})?\s?(?:kr\b|kronor\b|sek\b|spänn\b|:-|öre\b)`, []string{":-", "ek", "kr", "pänn", "öre"}},
		{`[🥵💦🍆]`, []string{"🍆", "💦", "🥵"}},
		{`\bhela\s+[\w/-]*boken\b`, []string{"boken"}},
		{`[£$€]\s?\d+`, []string{"$", "£", "€"}},
		{`a*b?`, nil},
		{`(?i)kronor`, nil},
		{`[^.!?]{0,40}`, nil},
		{`\w+`, nil},
		{`(?:x|\w)`, nil},
	} {
		var got []string
		for _, n := range needles(tc.expr) {
			got = append(got, string(n))
		}
		slices.Sort(got)
		if !slices.Equal(got, tc.want) {
			t.Errorf("needles(%q) = %q, want %q", tc.expr, got, tc.want)
		}
	}
}

// TestNeedlesNeverSkipAMatch: whenever a pattern of the built-in packs (or
// of a set of awkward ones) matches a text, the text holds one of its
// needles — on the packs' own examples and on random texts built from the
// patterns' pieces.
func TestNeedlesNeverSkipAMatch(t *testing.T) {
	e := testEngine(t)
	patterns := []string{`\b\d+(?:[.,]\d+)*\s?(?:quid\b|pounds\b|p\b)`, `(?:ab|cd)+e{2,}`, `x(?:y|z)?w`, `(?:foo|fo)o`}
	var texts []string
	for _, r := range e.rules {
		patterns = append(patterns, r.src.Regex...)
		texts = append(texts, r.src.Examples.Match...)
		texts = append(texts, r.src.Examples.NoMatch...)
	}
	pieces := []string{" ", "kr", "sek", "kronor", "öre", ":-", "%", "rabatt", "på", "säljer", "hela", "boken", "alla", "sidor",
		"12", "3", "450", "1 000", ",50", "£", "$", "€", "quid", "p", "🥵", "💦", "ee", "ab", "cd", "alle 200 sider", "sælger", "alle", "sider", "half price", "a", "b", "c", "d", "e", "x", "y", "z", "w", "fo", "o", ".", "\n"}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		var sb strings.Builder
		for n := 1 + rng.IntN(8); n > 0; n-- {
			sb.WriteString(pieces[rng.IntN(len(pieces))])
		}
		texts = append(texts, sb.String())
	}
	for _, p := range patterns {
		re := regexp.MustCompile(p)
		ns := needles(p)
		matched := 0
		for _, tx := range texts {
			b := []byte(strings.ToLower(tx))
			if re.Match(b) {
				matched++
				if !containsAny(b, ns) {
					t.Fatalf("pattern %q matches %q, which holds none of its needles %q", p, tx, ns)
				}
			}
		}
		if matched == 0 && len(ns) > 0 {
			t.Logf("pattern %q matched none of the texts", p)
		}
	}
}
