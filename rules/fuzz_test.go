package rules

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParsePack feeds arbitrary YAML to the pack parser and compiler: they
// must return an error or an engine, never panic.
func FuzzParsePack(f *testing.F) {
	f.Add([]byte("pack: t\nlanguages: [sv]\ndocument: D\nrules:\n  - id: a\n    category: profanity\n    citation: {section: S}\n    words: [\"skit*\", \"*idiot\", \"=fan\", \"dum i huvudet\"]\n"))
	f.Add([]byte("pack: t\nrules:\n  - id: a\n    signal: question\n    detect: [question_mark]\n    context: {lower: [eller], within: 1}\n"))
	f.Add([]byte("pack: t\nrules:\n  - id: a\n    category: hate\n    citation: {section: S, document: D}\n    regex: ['(']\n"))
	f.Add([]byte("pack: [\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePack("fuzz.yaml", data)
		if err != nil {
			return
		}
		e, err := Compile([]*Pack{p}, Options{Today: testToday})
		if err != nil {
			return
		}
		e.Classify("Du är en idiot, fan! 121212-1212?", "sv")
		e.TestExamples()
	})
}

// FuzzClassify classifies arbitrary text with the default packs: no panic,
// and every hit points at a span of the original text.
func FuzzClassify(f *testing.F) {
	e, err := LoadDefault(Options{Today: testToday})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		"Du är en idiot", "i d i o t", "1d10t", "j\u0308", "\u202eidiot", "ｆａｎ", "\xff\xfe",
		"121212-1212", "010203-4321 cpr", "a@b.se www.x.to/y?z", "😀😀😀", "@user fan",
		"Alla somalier är lata", "knullllla", "fan av", strings.Repeat("a ", 50),
	} {
		f.Add(s, "sv")
	}
	f.Add("Stem på Venstre!", "da")
	f.Add("Vote Labour", "en")
	f.Fuzz(func(t *testing.T, text, lang string) {
		v := e.Classify(text, lang)
		for _, h := range v.Hits {
			if h.Start < 0 || h.End > len(text) || h.Start > h.End {
				t.Fatalf("hit %+v outside the text of %d bytes", h, len(text))
			}
			if text[h.Start:h.End] != h.Match {
				t.Fatalf("hit match %q is not text[%d:%d]", h.Match, h.Start, h.End)
			}
			if utf8.ValidString(text) && !utf8.ValidString(h.Match) {
				t.Fatalf("hit %q splits a character", h.Match)
			}
		}
	})
}
