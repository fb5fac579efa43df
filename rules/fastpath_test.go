package rules

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// The fast paths of normalize, tokenize and the lexicon must give what the
// plain code gives; these tests compare them on every byte value and on
// random text.

func TestPrintableASCII(t *testing.T) {
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 8; pos++ {
			buf := []byte("qqqqqqqq")
			buf[pos] = byte(c)
			x := le64(string(buf))
			want := c >= 0x20 && c <= 0x7e
			if got := printableASCII(x); got != want {
				t.Fatalf("printableASCII with byte %#x at %d: got %v, want %v", c, pos, got, want)
			}
			if !want {
				continue
			}
			got := string([]byte{byte(lowerASCII(x) >> (8 * pos))})
			if wantLower := strings.ToLower(string(rune(c))); got != wantLower {
				t.Fatalf("lowerASCII of %q: got %q, want %q", rune(c), got, wantLower)
			}
			for k := 0; k < 8; k++ {
				if k != pos && byte(lowerASCII(x)>>(8*k)) != 'q' {
					t.Fatalf("lowerASCII of byte %#x at %d changed byte %d", c, pos, k)
				}
			}
		}
	}
}

// randomText mixes ASCII, the Nordic letters in both cases, digits,
// leetspeak, spaced letters, controls, combining marks, fullwidth forms and
// invalid bytes.
func randomText(r *rand.Rand) string {
	pieces := []string{
		"a", "B", "z", "Q", " ", " ", " ", ".", ",", "!", "?", "\n", "\t", "0", "7", "$", "@", "'", "-",
		"å", "Ä", "ö", "Æ", "ø", "É", "×", "÷", "ß", "ü", "\u0308", "\u200b", "ｆ", "ﬁ", "\x01", "\x7f", "\xff",
		"idiot", "Fan", "i d i o t", "j.ä.v.l.a", "1d10t", "kuuuul", "www.x.se", "och", "jeg", "the",
	}
	var b strings.Builder
	for n := r.IntN(40); n >= 0; n-- {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

func TestNormalizeFastPathMatchesGeneralPath(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var fast, slow plainText
	for i := 0; i < 20000; i++ {
		text := randomText(r)
		normalize(text, &fast)
		slow = plainText{}
		normalizeFrom(text, 0, &slow)
		if string(fast.b) != string(slow.b) {
			t.Fatalf("normalize(%q): got %q, want %q", text, fast.b, slow.b)
		}
		// Hits begin and end on whole characters; compare the spans there.
		runeStart := func(k int) bool { return k == len(slow.b) || utf8.RuneStart(slow.b[k]) }
		for k := 0; k < len(slow.b); k++ {
			for l := k + 1; l <= len(slow.b); l++ {
				if !runeStart(k) || !runeStart(l) {
					continue
				}
				gs, ge := fast.span(k, l)
				ws, we := slow.span(k, l)
				if gs != ws || ge != we {
					t.Fatalf("normalize(%q): span %d..%d maps to %d..%d, want %d..%d", text, k, l, gs, ge, ws, we)
				}
			}
		}
	}
}

func TestTokenizeJoinsEverySpelledOutWord(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	s := &scratch{}
	for i := 0; i < 20000; i++ {
		text := randomText(r)
		normalize(text, &s.plain)
		tokenize(text, s)
		if want := strings.ContainsAny(string(s.plain.b), "0123456789"); s.digits != want {
			t.Fatalf("tokenize(%q): digits = %v, want %v", text, s.digits, want)
		}
		got := slices.Clone(s.toks)
		joinSingles(s) // nothing may be left to join
		if !slices.Equal(got, s.toks) {
			t.Fatalf("tokenize(%q) left single letters to join", text)
		}
		for _, tk := range got {
			w := s.norm[tk.na:tk.nb]
			if key := prefixKey(w); tk.key != key {
				t.Fatalf("tokenize(%q): word %q has key %#x, want %#x", text, w, tk.key, key)
			}
			if strings.IndexByte(string(w), 0xC3) >= 0 && !tk.latin {
				t.Fatalf("tokenize(%q): word %q holds a Latin-1 letter but is not marked", text, w)
			}
		}
	}
}

func TestPrefixKey(t *testing.T) {
	buf := []byte("abcdefghijklmnop")
	tests := []struct {
		name string
		w    []byte
		want uint64
	}{
		{"empty", buf[:0], 0},
		{"one byte", buf[:1], 'a'},
		{"two bytes", buf[1:3], 'b' | 'c'<<8},
		{"eight bytes", buf[:8], 0x6867666564636261},
		{"longer than eight", buf[2:12], 0x6a69686766656463},
		{"at the end of the array", buf[14:16], 'o' | 'p'<<8},
		{"short array", []byte("åä"), 0xa4c3a5c3},
	}
	for _, tt := range tests {
		if got := prefixKey(tt.w); got != tt.want {
			t.Errorf("%s: prefixKey(%q) = %#x, want %#x", tt.name, tt.w, got, tt.want)
		}
	}
}

func TestKeySet(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	want := map[uint64]uint8{}
	var ks keySet
	for i := 0; i < 5000; i++ {
		k := r.Uint64() | 1
		v := uint8(1 << r.IntN(8))
		ks.or(k, v)
		want[k] |= v
	}
	for k, v := range want {
		if got := ks.get(k); got != v {
			t.Fatalf("get(%#x) = %d, want %d", k, got, v)
		}
	}
	for i := 0; i < 5000; i++ {
		k := r.Uint64() | 1
		if _, ok := want[k]; !ok && ks.get(k) != 0 {
			t.Fatalf("get(%#x) of a key never added = %d, want 0", k, ks.get(k))
		}
	}
}

func TestTrieLookup(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	var tr trie
	want := map[string][]int32{}
	alphabet := "abcdefghijklmnopqrstuvwxyzåäö"
	word := func() string {
		var b strings.Builder
		runes := []rune(alphabet)
		for n := 1 + r.IntN(6); n > 0; n-- {
			b.WriteRune(runes[r.IntN(len(runes))])
		}
		return b.String()
	}
	for i := int32(0); i < 3000; i++ {
		w := word()
		tr.insert([]byte(w), tent{id: i})
		want[w] = append(want[w], i)
	}
	if err := tr.finish(); err != nil {
		t.Fatal(err)
	}
	lookup := func(w string) []int32 {
		n := int32(-1)
		var x uint64
		for i := 0; i < len(w); i++ {
			if n, x = tr.child(n, w[i]); n < 0 {
				return nil
			}
		}
		var ids []int32
		for _, e := range tr.entsOf(n, x) {
			ids = append(ids, e.id)
		}
		return ids
	}
	for w, ids := range want {
		if got := lookup(w); !slices.Equal(got, ids) {
			t.Fatalf("lookup(%q) = %v, want %v", w, got, ids)
		}
	}
	for i := 0; i < 3000; i++ {
		w := word()
		if got := lookup(w); !slices.Equal(got, want[w]) {
			t.Fatalf("lookup(%q) = %v, want %v", w, got, want[w])
		}
	}
}

func TestLuhn(t *testing.T) {
	tests := []struct {
		name, number string
		want         bool
	}{
		{"valid", "8507099805", true},
		{"the test vector of personnummer/go", "1212121212", true},
		{"last digit off by one", "8507099806", false},
		{"digits swapped", "5807099805", false},
	}
	for _, tt := range tests {
		if got := luhn([]byte(tt.number[:6]), []byte(tt.number[6:])); got != tt.want {
			t.Errorf("%s: luhn(%s) = %v, want %v", tt.name, tt.number, got, tt.want)
		}
	}
}

// TestCompoundTailFilter checks that the table of word endings never hides
// a compound that the reversed trie would find.
func TestCompoundTailFilter(t *testing.T) {
	e := testEngine(t)
	r := rand.New(rand.NewPCG(9, 10))
	heads := []string{"", "a", "skit", "jävla", "kommun", "x", "ää", "fy", "pis"}
	var words []string
	for _, rl := range e.rules {
		for _, w := range rl.src.Words {
			words = append(words, strings.Trim(w, "*="))
		}
	}
	s := &scratch{}
	for _, lang := range allLangs {
		lx := e.lex[lang]
		for i := 0; i < 20000; i++ {
			w := heads[r.IntN(len(heads))] + words[r.IntN(len(words))] + []string{"", "en", "er", "erne", "s", "arna", "x"}[r.IntN(7)]
			normalize(w, &s.plain)
			tokenize(w, s)
			for k, tk := range s.toks {
				word := s.norm[tk.na:tk.nb]
				s.marks = s.marks[:0]
				lx.matchCompoundTail(s, k, word)
				if len(s.marks) > 0 && !lx.mayEndCompound(word) {
					t.Fatalf("%s: %q ends with a compound tail, but the filter says it cannot", lang, word)
				}
			}
		}
	}
}

func TestSortMarks(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for i := 0; i < 2000; i++ {
		ms := make([]mark, r.IntN(40))
		for k := range ms {
			ms[k] = mark{rule: int32(r.IntN(4)), role: uint8(r.IntN(3)), ti: int32(r.IntN(6)), tj: int32(r.IntN(9))}
		}
		want := slices.Clone(ms)
		slices.SortStableFunc(want, compareMarks)
		sortMarks(ms)
		for k := range ms {
			if compareMarks(ms[k], want[k]) != 0 {
				t.Fatalf("sortMarks: at %d got %+v, want %+v", k, ms[k], want[k])
			}
		}
	}
}
