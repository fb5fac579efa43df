package rules

import (
	"unicode"
	"unicode/utf8"
)

// token is one word of the normalised text.
type token struct {
	ps, pe    int32  // span in the normalised copy
	na, nb    int32  // the folded form, in scratch.norm
	key       uint64 // prefixKey of the folded form
	cap       bool   // the original word starts with an upper-case letter
	sentStart bool   // first word of a sentence
	num       bool   // digits only
	mention   bool   // an @handle
	single    bool   // a single letter (candidate for joining "i d i o t")
	squeezed  bool   // a letter was repeated three times or more
	latin     bool   // the word may hold a Latin-1 letter (byte 0xC3: å ä ö æ ø ...)
}

// scratch holds the per-call buffers of a classification; engines keep them
// in a sync.Pool so that a classification allocates little.
type scratch struct {
	text      string
	plain     plainText
	toks      []token
	norm      []byte // a copy of plain.b, then the words that folding changed
	cands     []cand
	marks     []mark
	spans     []span
	hits      []hitRef
	seen      []uint32
	stamp     uint32
	personAt  []bool
	noSqueeze bool      // pack words: keep letters repeated on purpose (xxx)
	digits    bool      // the text holds an ASCII digit (every one is in a word)
	excused   []excuse  // candidates a pack excused (allow or lower)
	feat      featSink  // the learned model's features
	scores    []float64 // the learned model's scores
}

func isWordRune(r rune) bool {
	if r < 0x80 {
		c := byte(r)
		return ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') || ('A' <= c && c <= 'Z')
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// decodeAt decodes the rune at b[i], treating invalid bytes as a space.
func decodeAt(b []byte, i int) (rune, int) {
	c := b[i]
	if c < 0x80 {
		return rune(c), 1
	}
	r, n := utf8.DecodeRune(b[i:])
	if r == utf8.RuneError && n <= 1 {
		return ' ', 1
	}
	return r, n
}

func isASCIIWord(c byte) bool {
	return ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') || ('A' <= c && c <= 'Z')
}

// tokenize splits the normalised text into words, folds leetspeak inside
// words that mix letters and digits (4→a, 1→i, 3→e, 0→o, 5→s, 7→t, $→s,
// @→a), squeezes letters repeated three times or more, and joins spaced or
// dotted single letters ("i d i o t", "j.ä.v.l.a") into one word.
func tokenize(text string, s *scratch) {
	b := s.plain.b
	toks := s.toks[:0] // a local slice: the loop keeps it in registers
	// Most words are their own folded form: they are read from this copy of
	// the text, and only the words that folding changes are appended.
	s.norm = append(s.norm[:0], b...)
	run := 0 // single letters in a row that joinSingles would join
	anyDigit := false
	join := false
	sentence := true
	for i := 0; i < len(b); {
		c := b[i]
		if c == ' ' || c == ',' {
			i++
			continue
		}
		start := i
		mention := false
		var f wordFlags
		if c == 0xC3 {
			f |= wLatin
		}
		if 'a' <= c && c <= 'z' {
			// Most words begin with an ASCII letter.
			f |= wLetters
			i++
		} else {
			anyDigit = anyDigit || '0' <= c && c <= '9'
			r, n := decodeAt(b, i)
			if r == '@' && i+1 < len(b) && (isASCIIWord(b[i+1]) || b[i+1] >= 0x80) && (i == 0 || !isWordByte(b, i-1)) {
				mention = true
			} else if r == '$' && i+1 < len(b) && 'a' <= b[i+1] && b[i+1] <= 'z' && (i == 0 || !isWordByte(b, i-1)) {
				// "$hit": a leading dollar sign that stands for s.
			} else if !isWordRune(r) {
				switch r {
				case '.', '!', '?', '\n':
					sentence = true
				}
				i += n
				continue
			}
			i += n
			if !mention {
				if r == '$' {
					f |= wLeet
				} else if unicode.IsDigit(r) {
					f |= wDigits
				} else {
					f |= wLetters
				}
			}
		}
		i, f = scanWord(b, i, mention, f)
		letters, digits, leet := f&wLetters != 0, f&wDigits != 0, f&wLeet != 0
		anyDigit = anyDigit || f&wASCIIDigit != 0
		// The fields are worked out in locals and the token is written once,
		// straight into the slice.
		num := digits && !letters && !leet
		upper := false
		if os, _ := s.plain.span(start, i); os < len(text) {
			if c := text[os]; c < 0x80 {
				upper = 'A' <= c && c <= 'Z'
			} else {
				or, _ := utf8.DecodeRuneInString(text[os:])
				upper = unicode.IsUpper(or)
			}
		}
		na, nb := int32(start), int32(i)
		if mention {
			na++
		}
		word := b[na:nb]
		fold := letters && (digits || leet) && !mention
		squeezed := hasRun3(word) && !s.noSqueeze
		if fold || squeezed {
			na = int32(len(s.norm))
			s.norm = appendSqueezed(s.norm, word, fold)
			nb = int32(len(s.norm))
		}
		w := s.norm[na:nb]
		single := false
		if !num && !mention && len(w) > 0 && (len(w) == 1 || len(w) <= utf8.UTFMax && w[0] >= utf8.RuneSelf && runeLen(w) == len(w)) {
			single = true
			if run > 0 && gapJoinable(b, toks[len(toks)-1].pe, int32(start)) {
				run++
				join = join || run >= 3
			} else {
				run = 1
			}
		} else {
			run = 0
		}
		toks = append(toks, token{
			ps: int32(start), pe: int32(i), na: na, nb: nb, key: prefixKey(w),
			cap: upper, sentStart: sentence, num: num, mention: mention,
			single: single, squeezed: squeezed, latin: f&wLatin != 0,
		})
		sentence = false
	}
	s.toks = toks
	s.digits = anyDigit
	if join {
		joinSingles(s)
	}
}

// wordFlags say what scanWord saw in a word.
type wordFlags uint8

const (
	wLetters    wordFlags = 1 << iota
	wDigits               // digits of any script
	wLeet                 // $ or @ inside the word
	wLatin                // a byte 0xC3 (å ä ö æ ø ...)
	wASCIIDigit           // 0-9
)

// scanWord reads the rest of a word from b[i] on and returns where it ends,
// with f updated: letters and digits, and inside the word "$" and "@" after
// a letter or digit (leetspeak), an apostrophe between letters (don't), and
// in an @mention "_" and "." before a letter or digit.
func scanWord(b []byte, i int, mention bool, f wordFlags) (int, wordFlags) {
	for i < len(b) {
		if c := b[i]; c < 0x80 {
			if 'a' <= c && c <= 'z' {
				f |= wLetters
				i++
				continue
			}
			if '0' <= c && c <= '9' {
				f |= wDigits | wASCIIDigit
				i++
				continue
			}
			// The other ASCII characters, as the general case below treats
			// them, without decoding.
			switch {
			case 'A' <= c && c <= 'Z':
				f |= wLetters
			case mention && (c == '_' || c == '.') && i+1 < len(b) && isASCIIWord(b[i+1]):
			case !mention && (c == '$' || c == '@') && f&(wLetters|wDigits) != 0:
				f |= wLeet
			case !mention && c == '\'' && f&wLetters != 0 && i+1 < len(b) && isASCIIWord(b[i+1]):
			default:
				return i, f
			}
			i++
			continue
		} else if c == 0xC3 && i+1 < len(b) && b[i+1] >= 0x80 && b[i+1] <= 0xBF && b[i+1] != 0x97 && b[i+1] != 0xB7 {
			// A letter of Latin-1 (å, ä, ö, æ, ø, é ...), all but × and ÷.
			f |= wLetters | wLatin
			i += 2
			continue
		} else if c == 0xC3 {
			f |= wLatin
		}
		r, n := decodeAt(b, i)
		switch {
		case isWordRune(r):
			if unicode.IsDigit(r) {
				f |= wDigits
			} else {
				f |= wLetters
			}
		case mention && (r == '_' || r == '.') && i+1 < len(b) && isASCIIWord(b[i+1]):
		case !mention && (r == '$' || r == '@') && f&(wLetters|wDigits) != 0:
			f |= wLeet
		case !mention && r == '\'' && f&wLetters != 0 && i+1 < len(b) && isASCIIWord(b[i+1]):
		default:
			return i, f
		}
		i += n
	}
	return i, f
}

// runeLen is the length of the first rune of w.
func runeLen(w []byte) int {
	_, n := utf8.DecodeRune(w)
	return n
}

// hasRun3 reports a byte repeated three times in a row.
func hasRun3(w []byte) bool {
	for i := 2; i < len(w); i++ {
		if w[i] == w[i-1] && w[i] == w[i-2] {
			return true
		}
	}
	return false
}

func isWordByte(b []byte, i int) bool {
	c := b[i]
	if c < 0x80 {
		return isASCIIWord(c)
	}
	// Step back to the rune start.
	j := i
	for j > 0 && !utf8.RuneStart(b[j]) {
		j--
	}
	r, _ := utf8.DecodeRune(b[j:])
	return isWordRune(r)
}

// leetRune maps the digits and signs used in leetspeak to letters.
func leetRune(r rune) rune {
	switch r {
	case '4', '@':
		return 'a'
	case '1', '!':
		return 'i'
	case '3':
		return 'e'
	case '0':
		return 'o'
	case '5', '$':
		return 's'
	case '7':
		return 't'
	case '8':
		return 'b'
	}
	return r
}

// appendSqueezed appends word to dst, leet-folded when fold is set, with
// runs of three or more equal letters squeezed to one.
func appendSqueezed(dst, word []byte, fold bool) []byte {
	var prev rune = -1
	run := 0
	runStart := len(dst)
	for i := 0; i < len(word); {
		r, n := decodeAt(word, i)
		i += n
		if fold {
			r = leetRune(r)
		}
		if r == prev {
			run++
			if run >= 3 {
				// Squeeze: drop the repeats already written beyond the first.
				dst = dst[:runStart+utf8.RuneLen(r)]
				continue
			}
		} else {
			prev, run, runStart = r, 1, len(dst)
		}
		dst = utf8.AppendRune(dst, r)
	}
	return dst
}

// joinSingles merges three or more single-letter words separated by one
// space, dot, hyphen, underscore, asterisk or slash into one word.
func joinSingles(s *scratch) {
	toks := s.toks
	out := toks[:0]
	for i := 0; i < len(toks); {
		j := i
		for j+1 < len(toks) && toks[j].single && toks[j+1].single && gapJoinable(s.plain.b, toks[j].pe, toks[j+1].ps) {
			j++
		}
		if j-i+1 >= 3 {
			t := toks[i]
			na := int32(len(s.norm))
			var word []byte
			for k := i; k <= j; k++ {
				word = append(word, s.norm[toks[k].na:toks[k].nb]...)
				t.latin = t.latin || toks[k].latin
			}
			s.norm = appendSqueezed(s.norm, word, false)
			t.pe, t.na, t.nb, t.single = toks[j].pe, na, int32(len(s.norm)), false
			t.key = prefixKey(s.norm[t.na:t.nb])
			t.squeezed = true // spelled out letter by letter: doubles are lost too
			out = append(out, t)
			i = j + 1
			continue
		}
		out = append(out, toks[i])
		i++
	}
	s.toks = out
}

func gapJoinable(b []byte, a, z int32) bool {
	if z-a != 1 {
		return false
	}
	switch b[a] {
	case ' ', '.', '-', '_', '*', '/', ',':
		return true
	}
	return false
}
