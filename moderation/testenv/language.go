package testenv

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"
)

// markers are words only one of the document languages uses, matched
// whole and with their case: a document in another language must not
// contain them.
var markers = map[string][]string{
	"sv": {"och", "inte", "av", "är", "Sida", "Diarienummer", "Skärmbild", "Inlägg", "okänd", "riktlinjer", "Kommun", "Skäl"},
	"da": {"og", "ikke", "af", "er", "Side", "Journalnummer", "Skærmbillede", "Opslag", "ukendt", "retningslinjer", "Kommune", "Begrundelse"},
	"en": {"the", "not", "of", "is", "Page", "Register number", "Screenshot", "Post", "unknown", "guidelines", "Municipality", "Evidence", "Reason"},
}

var fragmentSep = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z]|\{[a-z0-9]+\}|[\n\r\t:;()»«"“”–—…,.!?/\[\]·]`)

// Foreign returns the phrases of other languages found in text, a
// document written in lang (sv, da or en): the marker words of the other
// languages, and every fragment of the other languages' texts (tables:
// language → the fixed texts of the document, as the package keeps them;
// split at format verbs and punctuation, five letters or more) that the
// document's own language does not use too. Matches are whole words; a
// marker's case counts, a fragment's does not.
func Foreign(text, lang string, tables map[string][]string) []string {
	own := strings.ToLower(strings.Join(tables[lang], "\n"))
	flat := strings.Join(strings.Fields(text), " ")
	lower := strings.ToLower(flat)
	found := map[string]bool{}
	for other, words := range markers {
		if other == lang {
			continue
		}
		for _, w := range words {
			if slices.Contains(markers[lang], w) {
				continue
			}
			if wholeWord(flat, w) {
				found[other+": "+w] = true
			}
		}
	}
	for other, texts := range tables {
		if other == lang {
			continue
		}
		for _, t := range texts {
			for _, frag := range fragmentSep.Split(t, -1) {
				frag = strings.Join(strings.Fields(frag), " ")
				if letters(frag) < 5 || strings.Contains(own, strings.ToLower(frag)) {
					continue
				}
				if wholeWord(lower, strings.ToLower(frag)) {
					found[other+": "+frag] = true
				}
			}
		}
	}
	out := make([]string, 0, len(found))
	for f := range found {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

func letters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

// wholeWord reports whether w occurs in s with no letter or digit right
// before or after it.
func wholeWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(w)
		before, after := ' ', ' '
		if start > 0 {
			before = lastRune(s[:start])
		}
		if end < len(s) {
			after = []rune(s[end:])[0]
		}
		if !isWordRune(before) && !isWordRune(after) {
			return true
		}
		i = start + 1
	}
}

func lastRune(s string) rune {
	r := []rune(s)
	return r[len(r)-1]
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
