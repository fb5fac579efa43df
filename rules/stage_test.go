package rules

import "testing"

func BenchmarkStages(b *testing.B) {
	e := testEngine(b)
	cs := benchComments()
	s := &scratch{}
	b.Run("normalize", func(b *testing.B) {
		b.SetBytes(totalBytes(cs))
		for b.Loop() {
			for _, c := range cs {
				normalize(c, &s.plain)
			}
		}
	})
	b.Run("tokenize", func(b *testing.B) {
		b.SetBytes(totalBytes(cs))
		for b.Loop() {
			for _, c := range cs {
				normalize(c, &s.plain)
				tokenize(c, s)
			}
		}
	})
	b.Run("lexicon", func(b *testing.B) {
		b.SetBytes(totalBytes(cs))
		for b.Loop() {
			for _, c := range cs {
				normalize(c, &s.plain)
				tokenize(c, s)
				s.marks = s.marks[:0]
				e.lex["sv"].matchTokens(s)
			}
		}
	})
	b.Run("detectors", func(b *testing.B) {
		b.SetBytes(totalBytes(cs))
		want := e.want["sv"]
		for b.Loop() {
			for _, c := range cs {
				normalize(c, &s.plain)
				s.spans = idNumbers(s.plain.b, e.today, want, s.spans[:0])
				s.spans = emails(s.plain.b, s.spans)
				s.spans = urls(s.plain.b, s.spans)
				s.spans = phones(s.plain.b, s.spans)
				s.spans = questionMarks(s.plain.b, s.spans)
			}
		}
	})
}
