package pdf

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
)

// fpdfToUnicode is the /ToUnicode map fpdf writes for every UTF-8 font, in
// which each code stands for itself. It is right for DejaVu Sans, whose
// codes are the characters, and not for the symbol font, whose codes
// symbolRune moves.
const fpdfToUnicode = "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo\n<</Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n1 beginbfrange\n<0000> <FFFF> <0000>\nendbfrange\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"

// symbolRanges undo symbolRune: each range of codes of the symbol font,
// in blocks of 256 whose last byte counts up, and the character of its
// first code.
var symbolRanges = func() [][3]rune {
	r := [][3]rune{{0x0000, 0xDFFF, 0x0000}}
	for b := rune(0); b < 0xB00; b += 0x100 {
		r = append(r, [3]rune{0xE000 + b, 0xE0FF + b, 0x1F000 + b})
	}
	for b := rune(0); b < 0x400; b += 0x100 {
		r = append(r, [3]rune{0xEB00 + b, 0xEBFF + b, 0x1D400 + b})
	}
	return append(r, [3]rune{0xEF00, 0xF01F, 0xEF00}, [3]rune{0xF020, 0xF07F, 0xE0020},
		[3]rune{0xF080, 0xF8FE, 0xF080}, [3]rune{placeholder, placeholder, 0xFFFD}, [3]rune{0xF900, 0xFFFF, 0xF900})
}()

// symbolUnicode is the character the symbol font's code c stands for.
func symbolUnicode(c rune) rune {
	for _, r := range symbolRanges {
		if c >= r[0] && c <= r[1] {
			return r[2] + c - r[0]
		}
	}
	return c
}

// usedToUnicode is a /ToUnicode map of the codes a document uses only,
// each with the character uni gives it. fpdf's own map spans all 65,536
// codes in one range, which Ghostscript's PDF interpreter expands for
// every font it loads: with it a part with emoji and Cyrillic converted
// three times more slowly (22 s instead of 7 s of CPU for 88 pages).
func usedToUnicode(name string, codes []rune, uni func(rune) rune) string {
	var b strings.Builder
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo\n<</Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n")
	fmt.Fprintf(&b, "/CMapName /%s def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n", name)
	for len(codes) > 0 {
		n := min(len(codes), 100) // a block holds at most 100 entries
		fmt.Fprintf(&b, "%d beginbfchar\n", n)
		for _, c := range codes[:n] {
			fmt.Fprintf(&b, "<%04X> <%s>\n", c, utf16Hex(uni(c)))
		}
		b.WriteString("endbfchar\n")
		codes = codes[n:]
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend")
	return b.String()
}

func utf16Hex(r rune) string {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune{r}) {
		fmt.Fprintf(&b, "%04X", u)
	}
	return b.String()
}

// Output writes the document t draws in, to w, with a
// /ToUnicode map of the codes the document uses in place of fpdf's for
// each UTF-8 font: the symbol font's gives an emoji back as the character
// it is (Ghostscript keeps the map when it converts the document to
// PDF/A), and a short map converts about three times faster than fpdf's
// map of every code.
func (t *Text) Output(w io.Writer) error {
	var buf bytes.Buffer
	if err := t.f.Output(&buf); err != nil {
		return err
	}
	doc, err := fixToUnicode(buf.Bytes(), t.drawn)
	if err != nil {
		return err
	}
	_, err = w.Write(doc)
	return err
}

// edit replaces doc[at:end] with repl.
type edit struct {
	at, end int
	repl    []byte
}

// fixToUnicode replaces the /ToUnicode map of every UTF-8 font in a PDF
// that fpdf wrote with one of the codes the document uses (the symbol
// font's moved back to the emoji they stand for), cuts its /CIDToGIDMap
// after the last code it has a glyph for (see usedCodes), and moves the
// cross-reference entries after them.
func fixToUnicode(doc []byte, drawn map[int]map[rune]bool) ([]byte, error) {
	var edits []edit
	const head = "<</Type /Font\n/Subtype /Type0\n/BaseFont /utf8"
	for from := 0; ; {
		i := bytes.Index(doc[from:], []byte(head))
		if i < 0 {
			break
		}
		i += from
		from = i + len(head)
		nl := bytes.IndexByte(doc[from:], '\n')
		if nl < 0 {
			return nil, fmt.Errorf("pdf: a UTF-8 font without a name")
		}
		name := string(doc[from : from+nl])
		var desc, obj int
		if _, err := fmt.Sscanf(string(doc[from+nl:min(len(doc), from+nl+120)]), "\n/Encoding /Identity-H\n/DescendantFonts [%d 0 R]\n/ToUnicode %d 0 R>>", &desc, &obj); err != nil {
			return nil, fmt.Errorf("pdf: UTF-8 font %s: %w", name, err)
		}
		codes, gidMap, err := usedCodes(doc, desc)
		if err != nil {
			return nil, fmt.Errorf("pdf: UTF-8 font %s: %w", name, err)
		}
		// A character the font has no glyph for is drawn as its empty box
		// and has no glyph in the /CIDToGIDMap; Text knows it was drawn.
		font := inUnicode
		if name == symbolFamily {
			font = inSymbols
		}
		for c := range drawn[font] {
			if !slices.Contains(codes, c) {
				codes = append(codes, c)
			}
		}
		slices.Sort(codes)
		old := objectStream(obj, fpdfToUnicode)
		at := bytes.Index(doc, old)
		if at < 0 {
			return nil, fmt.Errorf("pdf: fpdf's /ToUnicode map of the UTF-8 font %s is not where it should be", name)
		}
		uni, cmap := func(c rune) rune { return c }, "uppsikt-UCS"
		if name == symbolFamily {
			uni, cmap = symbolUnicode, "uppsikt-Symbols-UCS"
		}
		edits = append(edits, edit{at, at + len(old), objectStream(obj, usedToUnicode(cmap, codes, uni))}, gidMap)
	}
	if len(edits) == 0 {
		return doc, nil
	}
	slices.SortFunc(edits, func(a, b edit) int { return a.at - b.at })
	out := make([]byte, 0, len(doc)+4096)
	last := 0
	for _, e := range edits {
		out = append(out, doc[last:e.at]...)
		out = append(out, e.repl...)
		last = e.end
	}
	out = append(out, doc[last:]...)
	// moved is where a byte at off of doc is in out.
	moved := func(off int) int {
		d := 0
		for _, e := range edits {
			if off >= e.end {
				d += len(e.repl) - (e.end - e.at)
			}
		}
		return off + d
	}

	// The cross-reference table: "xref", "0 n", then n entries of 20 bytes.
	x := bytes.LastIndex(out, []byte("\nxref\n"))
	if x < 0 {
		return nil, fmt.Errorf("pdf: no cross-reference table")
	}
	p := x + len("\nxref\n")
	nl := bytes.IndexByte(out[p:], '\n')
	var first, n int
	if _, err := fmt.Sscanf(string(out[p:p+nl]), "%d %d", &first, &n); err != nil || nl < 0 {
		return nil, fmt.Errorf("pdf: cross-reference table: %v", err)
	}
	p += nl + 1
	for e := range n {
		entry := out[p+20*e : p+20*e+20]
		if entry[17] != 'n' {
			continue
		}
		off, err := strconv.Atoi(string(entry[:10]))
		if err != nil {
			return nil, fmt.Errorf("pdf: cross-reference entry %d: %w", e, err)
		}
		copy(entry[:10], fmt.Sprintf("%010d", moved(off)))
	}
	s := bytes.LastIndex(out, []byte("\nstartxref\n"))
	if s < 0 {
		return nil, fmt.Errorf("pdf: no startxref")
	}
	return append(out[:s:s], fmt.Appendf(nil, "\nstartxref\n%d\n%%%%EOF\n", x+1)...), nil
}

// objectStream is an uncompressed stream object as fpdf writes it.
func objectStream(obj int, data string) []byte {
	return fmt.Appendf(nil, "\n%d 0 obj\n<</Length %d>>\nstream\n%s\nendstream\n", obj, len(data), data)
}

// usedCodes are the codes a UTF-8 font of fpdf draws with a glyph, in
// order: those its /CIDToGIDMap gives one (fpdf maps only the characters
// it embeds). With them comes the edit that cuts the /CIDToGIDMap after
// the last of them: fpdf writes all 65,536 codes, and Ghostscript's PDF
// interpreter holds memory for the map for every page the font is on (a
// part of 88 pages with emoji and Cyrillic took 130 MB with the whole maps,
// 83 MB with them cut).
func usedCodes(doc []byte, desc int) ([]rune, edit, error) {
	obj := func(n int) (int, int, error) {
		i := bytes.Index(doc, fmt.Appendf(nil, "\n%d 0 obj\n", n))
		if i < 0 {
			return 0, 0, fmt.Errorf("object %d not found", n)
		}
		j := bytes.Index(doc[i:], []byte("\nendobj"))
		if j < 0 {
			return 0, 0, fmt.Errorf("object %d not ended", n)
		}
		return i, i + j, nil
	}
	i, j, err := obj(desc)
	if err != nil {
		return nil, edit{}, err
	}
	d := doc[i:j]
	k := bytes.Index(d, []byte("/CIDToGIDMap "))
	if k < 0 {
		return nil, edit{}, fmt.Errorf("no /CIDToGIDMap")
	}
	var m int
	if _, err := fmt.Sscanf(string(d[k+len("/CIDToGIDMap "):]), "%d 0 R", &m); err != nil {
		return nil, edit{}, fmt.Errorf("/CIDToGIDMap: %w", err)
	}
	i, j, err = obj(m)
	if err != nil {
		return nil, edit{}, err
	}
	s := doc[i:j]
	a := bytes.Index(s, []byte("stream\n"))
	if a < 0 || !bytes.Contains(s[:a], []byte("/FlateDecode")) {
		return nil, edit{}, fmt.Errorf("/CIDToGIDMap is not a Flate stream")
	}
	zr, err := zlib.NewReader(bytes.NewReader(s[a+len("stream\n"):]))
	if err != nil {
		return nil, edit{}, fmt.Errorf("/CIDToGIDMap: %w", err)
	}
	defer zr.Close()
	gids, err := io.ReadAll(zr)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, edit{}, fmt.Errorf("/CIDToGIDMap: %w", err)
	}
	var codes []rune
	for c := 0; 2*c+1 < len(gids); c++ {
		if gids[2*c] != 0 || gids[2*c+1] != 0 {
			codes = append(codes, rune(c))
		}
	}
	// A code past the end of the map has no glyph (ISO 32000-1, 9.7.4.2).
	n := 2
	if len(codes) > 0 {
		n = 2 * int(codes[len(codes)-1]+1)
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(gids[:min(n, len(gids))])
	if err := zw.Close(); err != nil {
		return nil, edit{}, fmt.Errorf("/CIDToGIDMap: %w", err)
	}
	repl := fmt.Appendf(nil, "\n%d 0 obj\n<</Length %d/Filter /FlateDecode>>\nstream\n", m, z.Len())
	repl = append(append(repl, z.Bytes()...), "\nendstream"...)
	return codes, edit{i, j, repl}, nil
}
