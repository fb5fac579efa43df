package rules

import (
	"encoding/binary"
	"unicode"
	"unicode/utf8"
)

// plainText is the normalised copy of a comment that detectors, regular
// expressions and the tokeniser read. Every byte of it remembers the span of
// the original text it came from, so that hits can point into the original.
type plainText struct {
	b        []byte
	start    []int32 // original start offset of the rune that produced b[i]
	end      []int32 // original end offset of that rune
	identity bool    // b is the original text; start/end are unused
}

// span maps a byte range of the normalised copy to the original text.
func (p *plainText) span(ps, pe int) (int, int) {
	if p.identity {
		return ps, pe
	}
	if ps >= len(p.b) || pe <= ps {
		if len(p.start) == 0 {
			return 0, 0
		}
		last := int(p.end[len(p.end)-1])
		return last, last
	}
	return int(p.start[ps]), int(p.end[pe-1])
}

// normalize folds text into p: NFKC-like compatibility folding (fullwidth
// forms, ligatures, superscripts, mathematical and circled letters, a few
// Cyrillic look-alikes), lower case, zero-width and bidirectional controls
// removed, other controls turned into spaces, combining marks composed into
// å ä ö é ü (and dropped otherwise), invalid UTF-8 turned into spaces. Emoji
// and other symbols are kept as they are.
func normalize(text string, p *plainText) {
	p.start = p.start[:0]
	p.end = p.end[:0]
	// Fast path: as long as every character folds to one of the same
	// length (ASCII case, å/Å, ä/Ä ...), byte i of the copy is byte i of the
	// original and no offset table is needed.
	p.identity = true
	if cap(p.b) < len(text) {
		p.b = make([]byte, 0, len(text)+len(text)/8+16)
	}
	b := p.b[:len(text)]
	i := 0
	for i < len(text) {
		// Eight bytes of printable ASCII at a time: lower-cased in one step.
		for i+8 <= len(text) {
			x := le64(text[i : i+8])
			if !printableASCII(x) {
				break
			}
			binary.LittleEndian.PutUint64(b[i:i+8], lowerASCII(x))
			i += 8
		}
		if i >= len(text) {
			break
		}
		c := text[i]
		if c < utf8.RuneSelf {
			switch {
			case 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			case c < 0x20 && c != '\n' && c != '\t', c == 0x7f:
				c = ' '
			}
			b[i] = c
			i++
			continue
		}
		if c == 0xC3 && i+1 < len(text) {
			// U+00C0..U+00FF: the capitals (all but ×) fold to the small
			// letter 0x20 above; nothing else in the range changes.
			if d := text[i+1]; d >= 0x80 && d <= 0xBF {
				if d <= 0x9E && d != 0x97 {
					d += 0x20
				}
				b[i], b[i+1] = c, d
				i += 2
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if r == utf8.RuneError || isInvisible(r) || (r >= 0x300 && unicode.Is(unicode.Mn, r)) || unicode.IsControl(r) || ligature(r) != "" {
			break
		}
		f := unicode.ToLower(foldCompat(r))
		if utf8.RuneLen(f) != size {
			break
		}
		utf8.EncodeRune(b[i:], f)
		i += size
	}
	p.b = b[:i]
	if i == len(text) {
		return
	}
	p.identity = false
	for k := range p.b {
		p.start = append(p.start, int32(k))
		p.end = append(p.end, int32(k+1))
	}
	normalizeFrom(text, i, p)
}

// le64 reads eight bytes of a string, the first byte lowest.
func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

const (
	ones64 = 0x0101010101010101
	high64 = 0x8080808080808080
)

// printableASCII reports whether each of the eight bytes of x is in
// 0x20..0x7E. The sums cannot carry from one byte into the next: every
// byte is below 0x80 before anything is added to it.
func printableASCII(x uint64) bool {
	return x&high64 == 0 &&
		(x+0x60*ones64)&high64 == high64 && // every byte >= 0x20
		(x+ones64)&high64 == 0 // no byte is 0x7F
}

// lowerASCII lower-cases eight bytes of printable ASCII.
func lowerASCII(x uint64) uint64 {
	geA := (x + (0x80-'A')*ones64) & high64   // byte >= 'A'
	gtZ := (x + (0x80-'Z'-1)*ones64) & high64 // byte > 'Z'
	return x | (geA&^gtZ)>>2                  // 0x80>>2 = 0x20, the case bit
}

// normalizeFrom continues normalize from byte i of text, keeping the offset
// table of every byte it writes.
func normalizeFrom(text string, i int, p *plainText) {
	var buf [utf8.UTFMax]byte
	emit := func(r rune, s, e int) {
		n := utf8.EncodeRune(buf[:], r)
		for k := 0; k < n; k++ {
			p.b = append(p.b, buf[k])
			p.start = append(p.start, int32(s))
			p.end = append(p.end, int32(e))
		}
	}
	lastRune := rune(-1) // the last rune emitted, for composing marks
	lastAt := -1         // its position in p.b
	if len(p.b) > 0 {
		r, n := utf8.DecodeLastRune(p.b)
		lastRune, lastAt = r, len(p.b)-n
	}
	for i < len(text) {
		c := text[i]
		if c < 0x80 {
			switch {
			case 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			case c < 0x20 && c != '\n' && c != '\t', c == 0x7f:
				c = ' '
			}
			p.b = append(p.b, c)
			p.start = append(p.start, int32(i))
			p.end = append(p.end, int32(i+1))
			lastRune, lastAt = rune(c), len(p.b)-1
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		s, e := i, i+size
		i += size
		if r == utf8.RuneError && size == 1 {
			emit(' ', s, e)
			lastRune = ' '
			continue
		}
		if isInvisible(r) {
			continue
		}
		if unicode.Is(unicode.Mn, r) {
			if lastRune >= 0 && lastAt >= 0 {
				if comp, ok := compose(lastRune, r); ok {
					// Replace the last emitted rune by the composed one.
					s0 := int(p.start[lastAt])
					p.b = p.b[:lastAt]
					p.start = p.start[:lastAt]
					p.end = p.end[:lastAt]
					emit(comp, s0, e)
					lastRune = comp
					continue
				}
			}
			// Other marks (zalgo text, accents we do not keep) are dropped,
			// but the span they cover still belongs to the previous letter.
			if lastAt >= 0 && lastAt < len(p.end) {
				for k := lastAt; k < len(p.end); k++ {
					p.end[k] = int32(e)
				}
			}
			continue
		}
		if unicode.IsControl(r) {
			emit(' ', s, e)
			lastRune, lastAt = ' ', len(p.b)-1
			continue
		}
		if lig := ligature(r); lig != "" {
			for _, lr := range lig {
				emit(lr, s, e)
			}
			lastRune, lastAt = -1, -1
			continue
		}
		r = unicode.ToLower(foldCompat(r))
		lastAt = len(p.b)
		emit(r, s, e)
		lastRune = r
	}
}

// isInvisible reports zero-width characters, the soft hyphen, the byte order
// mark and bidirectional controls: they are removed from the normal form.
func isInvisible(r rune) bool {
	switch {
	case r == 0x00AD, r == 0xFEFF, r == 0x180E, r == 0x034F:
		return true
	case 0x200B <= r && r <= 0x200F: // zero-width space/joiners, LRM, RLM
		return true
	case 0x202A <= r && r <= 0x202E: // embeddings and overrides
		return true
	case 0x2060 <= r && r <= 0x2069: // word joiner, invisible operators, isolates
		return true
	case 0xFE00 <= r && r <= 0xFE0F: // variation selectors
		return true
	}
	return false
}

// compose joins a base letter and a combining mark into the precomposed
// letters that matter in Swedish, Danish and Norwegian text.
func compose(base, mark rune) (rune, bool) {
	switch mark {
	case 0x030A: // ring above
		switch base {
		case 'a':
			return 'å', true
		}
	case 0x0308: // diaeresis
		switch base {
		case 'a':
			return 'ä', true
		case 'o':
			return 'ö', true
		case 'u':
			return 'ü', true
		}
	case 0x0301: // acute
		switch base {
		case 'e':
			return 'é', true
		}
	case 0x0338: // long solidus overlay
		switch base {
		case 'o':
			return 'ø', true
		}
	}
	return 0, false
}

// ligature spells out the Latin ligatures of the Alphabetic Presentation Forms
// block; æ and œ are letters of their own and are kept.
func ligature(r rune) string {
	switch r {
	case 0xFB00:
		return "ff"
	case 0xFB01:
		return "fi"
	case 0xFB02:
		return "fl"
	case 0xFB03:
		return "ffi"
	case 0xFB04:
		return "ffl"
	case 0xFB05, 0xFB06:
		return "st"
	case 0x0132, 0x0133:
		return "ij"
	}
	return ""
}

// foldCompat maps compatibility variants to their plain letter or digit:
// fullwidth ASCII, superscript and subscript digits, mathematical
// alphanumeric symbols, circled letters, and Cyrillic letters that look like
// Latin ones.
func foldCompat(r rune) rune {
	switch {
	case 0xFF01 <= r && r <= 0xFF5E:
		return r - 0xFEE0
	case r == 0x3000:
		return ' '
	case r == 0x00B9:
		return '1'
	case r == 0x00B2:
		return '2'
	case r == 0x00B3:
		return '3'
	case r == 0x2070:
		return '0'
	case 0x2074 <= r && r <= 0x2079:
		return '4' + (r - 0x2074)
	case 0x2080 <= r && r <= 0x2089:
		return '0' + (r - 0x2080)
	case 0x1D400 <= r && r <= 0x1D6A3:
		k := (r - 0x1D400) % 52
		if k < 26 {
			return 'a' + k
		}
		return 'a' + k - 26
	case 0x1D7CE <= r && r <= 0x1D7FF:
		return '0' + (r-0x1D7CE)%10
	case 0x24B6 <= r && r <= 0x24CF:
		return 'a' + (r - 0x24B6)
	case 0x24D0 <= r && r <= 0x24E9:
		return 'a' + (r - 0x24D0)
	case 0x1F130 <= r && r <= 0x1F149: // squared Latin capitals
		return 'a' + (r - 0x1F130)
	case 0x1F150 <= r && r <= 0x1F169:
		return 'a' + (r - 0x1F150)
	case 0x1F170 <= r && r <= 0x1F189:
		return 'a' + (r - 0x1F170)
	case 0x1D00 <= r && r <= 0x1D2B: // small capitals
		switch r {
		case 0x1D00:
			return 'a'
		case 0x1D07:
			return 'e'
		case 0x026A:
			return 'i'
		case 0x1D0F:
			return 'o'
		}
	}
	switch r {
	case 'а', 'А':
		return 'a'
	case 'е', 'Е':
		return 'e'
	case 'о', 'О':
		return 'o'
	case 'р', 'Р':
		return 'p'
	case 'с', 'С':
		return 'c'
	case 'х', 'Х':
		return 'x'
	case 'у':
		return 'y'
	case 'і', 'І':
		return 'i'
	case 'к', 'К':
		return 'k'
	case 'м', 'М':
		return 'm'
	case 'т', 'Т':
		return 't'
	case '’', 'ʼ', '`', '´':
		return '\''
	case 'ſ':
		return 's'
	}
	return r
}
