package rules

import (
	"bytes"
	"math/bits"
	"unicode"
	"unicode/utf8"

	"github.com/uppsikt/uppsikt/rules/learn"
)

// The learned model's features are computed from the same normalised words
// the rules read (lower case, leetspeak folded, stretched letters squeezed,
// spaced letters joined, zero-width characters gone), folded once more:
// diacritics are dropped (å ä → a, ö ø → o, æ → ae), so that "javla" and
// "jävla" are one word, and every digit is 0, so that a number keeps only
// its shape ("199 kr" is "000 kr"). From these words come, each hashed into
// one of the model's buckets:
//
//   - every word ('w'), and every pair of neighbouring words ('b'), which
//     carry short constructions ("ska inte", "inget här", "dm for");
//   - the character 3-, 4- and 5-grams of every word of three letters or
//     more, with its edges marked ('c': "<inv", "vandr", "are>"), which
//     carry inflections, compounds and misspellings;
//   - emoji and other symbols ('e');
//   - a few facts about the whole comment ('g'): its language, a link, an
//     e-mail address, an @mention, a question mark, "!!", capitals, and
//     its length in words (by powers of two).
//
// FeatureVersion names this definition; it is part of every model's
// manifest, and a change to what the features are must change it.
const FeatureVersion = "features-2"

const (
	minGram = 3
	maxGram = 4
	// minGramWord: shorter words give no character n-grams (they would
	// only repeat the word).
	minGramWord = 3
	// maxGramWord: longer words (a link's path, a run of letters) give no
	// character n-grams, so that a 1 MB comment still costs linear time
	// with a small constant.
	maxGramWord = 24
)

// featSink collects the feature occurrences of one comment.
type featSink struct {
	bits    uint8
	buckets []uint32
	// want lists the occurrences (indices into buckets, ascending) whose
	// origin is to be recorded in refs, so that the features behind a score
	// can be named without keeping the origin of every feature.
	want   []int
	refs   []featRef
	word   []byte // the current word, folded
	prev   []byte // the word before it, folded
	padded []byte
}

// featRef says where one feature occurrence came from.
type featRef struct {
	kind   byte  // 'w' word, 'b' pair of words, 'c' n-gram, 'e' symbol, 'g' global
	ti, pi int32 // its word (an n-gram's word; a pair's second word) and a pair's first word
	off, n uint8 // an n-gram's place in its padded word
	ps, pe int32 // a symbol's or global's span in the normalised text, or -1
	name   string
}

func (f *featSink) add(h learn.Hasher, r featRef) {
	if len(f.want) > 0 && f.want[0] == len(f.buckets) {
		f.refs = append(f.refs, r)
		f.want = f.want[1:]
	}
	f.buckets = append(f.buckets, h.Bucket(f.bits))
}

// maxModelWords is how many words of a comment the model reads: far more
// than any platform lets a comment hold (Facebook: 8,000 characters), so
// that a megabyte of text costs the model no more than a long letter. The
// rules read all of it.
const maxModelWords = 10000

// features computes the model's features of the comment in s (normalised
// and split into words) whose language is lang.
func (s *scratch) features(f *featSink, lang string) {
	f.buckets = f.buckets[:0]
	f.refs = f.refs[:0]
	var prev int32 = -1
	for k := range s.toks[:min(len(s.toks), maxModelWords)] {
		t := &s.toks[k]
		if t.mention {
			f.global("@", "@mention", t.ps, t.pe)
			prev = -1
			continue
		}
		f.word = foldForModel(f.word[:0], s.norm[t.na:t.nb])
		w := f.word
		if len(w) == 0 {
			continue
		}
		ti := int32(k)
		f.add(learn.Start('w').Bytes(w), featRef{kind: 'w', ti: ti})
		// The word again, in its language: false friends ("fan", "slut",
		// "kiss", "bra") mean one thing in Swedish and another in
		// Danish or English.
		f.add(learn.Start('l').String(lang).Byte(' ').Bytes(w), featRef{kind: 'w', ti: ti})
		if prev >= 0 {
			f.add(learn.Start('b').Bytes(f.prev).Byte(' ').Bytes(w), featRef{kind: 'b', ti: ti, pi: prev})
		}
		if n := len(w); n >= minGramWord && n <= maxGramWord {
			p := append(append(append(f.padded[:0], '<'), w...), '>')
			f.padded = p
			// The n-grams that start at i share their first bytes, and
			// FNV hashes byte by byte: one pass gives all three.
			for i := 0; i+minGram <= len(p); i++ {
				h := learn.Start('c').Bytes(p[i : i+minGram-1])
				for g := minGram; g <= maxGram && i+g <= len(p); g++ {
					h = h.Byte(p[i+g-1])
					f.add(h, featRef{kind: 'c', ti: ti, off: uint8(i), n: uint8(g)})
				}
			}
		}
		f.prev = append(f.prev[:0], w...)
		prev = ti
	}
	s.symbolFeatures(f)
	f.global("lang="+lang, "language "+lang, -1, -1)
	b := s.plain.b
	if mayHaveURL(b) {
		if sp := urls(b, s.spans[len(s.spans):]); len(sp) > 0 {
			f.global("url", "link", sp[0].ps, sp[0].pe)
		}
	}
	if bytes.IndexByte(b, '@') >= 0 {
		if sp := emails(b, s.spans[len(s.spans):]); len(sp) > 0 {
			f.global("email", "e-mail address", sp[0].ps, sp[0].pe)
		}
	}
	if i := bytes.IndexByte(b, '?'); i >= 0 {
		f.global("?", "question mark", int32(i), int32(i+1))
	}
	if i := bytes.Index(b, []byte("!!")); i >= 0 {
		f.global("!!", "!!", int32(i), int32(i+2))
	}
	if capitals(s.text) {
		f.global("caps", "CAPITALS", -1, -1)
	}
	f.global(lengthKeys[min(bits.Len(uint(len(s.toks))), len(lengthKeys)-1)], "length", -1, -1)
}

// lengthKeys name the length of a comment in words, by powers of two.
var lengthKeys = [...]string{"len=0", "len=1", "len=2", "len=3", "len=4", "len=5", "len=6", "len=7", "len=8", "len=9", "len=10+"}

// global adds a fact about the whole comment (or one span of it).
func (f *featSink) global(key, name string, ps, pe int32) {
	f.add(learn.Start('g').String(key), featRef{kind: 'g', name: name, ps: ps, pe: pe})
}

// name names a feature occurrence for a moderator, with the span of the
// original text it came from (-1 when it has none).
func (s *scratch) name(r featRef) (string, int, int) {
	span := func(ps, pe int32) (int, int) {
		if ps < 0 {
			return -1, -1
		}
		return s.plain.span(int(ps), int(pe))
	}
	switch r.kind {
	case 'w':
		t := s.toks[r.ti]
		os, oe := span(t.ps, t.pe)
		return s.text[os:oe], os, oe
	case 'b':
		os, _ := span(s.toks[r.pi].ps, s.toks[r.pi].pe)
		_, oe := span(s.toks[r.ti].ps, s.toks[r.ti].pe)
		return s.text[os:oe], os, oe
	case 'c':
		t := s.toks[r.ti]
		w := foldForModel(nil, s.norm[t.na:t.nb])
		p := append(append(append(make([]byte, 0, len(w)+2), '<'), w...), '>')
		os, oe := span(t.ps, t.pe)
		return gramName(p[r.off : r.off+r.n]), os, oe
	case 'e':
		os, oe := span(r.ps, r.pe)
		return s.text[os:oe], os, oe
	}
	os, oe := span(r.ps, r.pe)
	return r.name, os, oe
}

// symbolFeatures adds every emoji and other symbol of the comment.
func (s *scratch) symbolFeatures(f *featSink) {
	b := s.plain.b
	for i := 0; i < len(b); {
		c := b[i]
		if c < 0xE2 {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r >= 0x2100 && !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsSpace(r) && r != 0xFE0F && r != 0x200D && !unicode.Is(unicode.Mn, r) && !unicode.IsPunct(r) {
			f.add(learn.Start('e').Bytes(b[i:i+n]), featRef{kind: 'e', ps: int32(i), pe: int32(i + n)})
		}
		i += n
	}
}

// capitals reports a comment written mostly in capitals (at least eight
// letters, two thirds of them upper case).
func capitals(text string) bool {
	up, all := 0, 0
	for _, r := range text {
		if r < 0x80 {
			switch {
			case 'A' <= r && r <= 'Z':
				up++
				all++
			case 'a' <= r && r <= 'z':
				all++
			}
			continue
		}
		if unicode.IsUpper(r) {
			up++
			all++
		} else if unicode.IsLetter(r) {
			all++
		}
	}
	return all >= 8 && 3*up >= 2*all
}

// foldForModel appends w with diacritics dropped and digits made 0.
func foldForModel(dst, w []byte) []byte {
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case '0' <= c && c <= '9':
			dst = append(dst, '0')
		case c == 0xC3 && i+1 < len(w):
			i++
			switch d := w[i]; {
			case d >= 0xA0 && d <= 0xA5:
				dst = append(dst, 'a')
			case d == 0xA6:
				dst = append(dst, 'a', 'e')
			case d == 0xA7:
				dst = append(dst, 'c')
			case d >= 0xA8 && d <= 0xAB:
				dst = append(dst, 'e')
			case d >= 0xAC && d <= 0xAF:
				dst = append(dst, 'i')
			case d == 0xB1:
				dst = append(dst, 'n')
			case d >= 0xB2 && d <= 0xB6, d == 0xB8:
				dst = append(dst, 'o')
			case d >= 0xB9 && d <= 0xBC:
				dst = append(dst, 'u')
			case d == 0xBD || d == 0xBF:
				dst = append(dst, 'y')
			case d == 0x9F:
				dst = append(dst, 's', 's')
			default:
				dst = append(dst, c, d)
			}
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// gramName shows a character n-gram with where it stands in its word: "fan"
// (the whole word), "fan…" (its start), "…fan" (its end), "…fan…" (inside).
func gramName(g []byte) string {
	start, end := len(g) > 0 && g[0] == '<', len(g) > 0 && g[len(g)-1] == '>'
	if start {
		g = g[1:]
	}
	if end && len(g) > 0 {
		g = g[:len(g)-1]
	}
	switch {
	case start && end:
		return string(g)
	case start:
		return string(g) + "…"
	case end:
		return "…" + string(g)
	}
	return "…" + string(g) + "…"
}
