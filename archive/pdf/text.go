package pdf

import (
	"encoding/binary"
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"codeberg.org/go-pdf/fpdf"
)

// The families Text registers, besides the single-byte fonts.
const (
	unicodeFamily = "dejavu-u"
	symbolFamily  = "symbols"
)

// placeholder is the symbol font's box (U+F8FF, see fonts/subset-symbola.py),
// drawn for a character that no font of uppsikt has; the text layer still
// holds the character.
const placeholder = '\uF8FF'

// cover is the set of characters of the Basic Multilingual Plane a font
// has a glyph for.
type cover [0x10000 / 64]uint64

func (c *cover) has(r rune) bool { return r >= 0 && r <= 0xFFFF && c[r>>6]&(1<<(r&63)) != 0 }

// readCover reads the Windows Unicode BMP table (cmap format 4) of a
// TrueType font: the same table fpdf uses to find glyphs.
func readCover(ttf []byte) (*cover, error) {
	u16 := func(p int) int {
		if p < 0 || p+2 > len(ttf) {
			return -1
		}
		return int(binary.BigEndian.Uint16(ttf[p:]))
	}
	u32 := func(p int) int {
		if p < 0 || p+4 > len(ttf) {
			return -1
		}
		return int(binary.BigEndian.Uint32(ttf[p:]))
	}
	cmap := -1
	for i := range max(u16(4), 0) {
		rec := 12 + 16*i
		if rec+16 <= len(ttf) && string(ttf[rec:rec+4]) == "cmap" {
			cmap = u32(rec + 8)
		}
	}
	if cmap < 0 {
		return nil, errors.New("pdf: font has no cmap table")
	}
	sub := -1
	for i := range max(u16(cmap+2), 0) {
		rec := cmap + 4 + 8*i
		platform, encoding, off := u16(rec), u16(rec+2), u32(rec+4)
		if (platform == 3 && encoding == 1 || platform == 0) && u16(cmap+off) == 4 {
			sub = cmap + off
			break
		}
	}
	if sub < 0 {
		return nil, errors.New("pdf: font has no Unicode BMP cmap (format 4)")
	}
	segs := u16(sub+6) / 2
	ends, starts, deltas, offsets := sub+14, sub+16+2*segs, sub+16+4*segs, sub+16+6*segs
	c := new(cover)
	for s := range segs {
		start, end, delta, ro := u16(starts+2*s), u16(ends+2*s), u16(deltas+2*s), u16(offsets+2*s)
		if start < 0 || end < 0 || delta < 0 || ro < 0 {
			return nil, errors.New("pdf: font's cmap is cut short")
		}
		for r := start; r <= end && r < 0xFFFF; r++ {
			g := (r + delta) & 0xFFFF
			if ro != 0 {
				if g = u16(offsets + 2*s + ro + 2*(r-start)); g > 0 {
					g = (g + delta) & 0xFFFF
				}
			}
			if g > 0 {
				c[r>>6] |= 1 << (r & 63)
			}
		}
	}
	return c, nil
}

// Glyphs tells which characters the embedded fonts draw: DejaVu Sans,
// regular and bold, and the symbol font (Symbola's emoji and symbols, see
// fonts/subset-symbola.py). Build it once with NewGlyphs and share it; it
// is read only.
type Glyphs struct {
	regular, bold, symbols *cover
}

// NewGlyphs reads the character tables of the embedded fonts.
func NewGlyphs() (*Glyphs, error) {
	var g Glyphs
	var err error
	if g.regular, err = readCover(dejaVuSans); err != nil {
		return nil, err
	}
	if g.bold, err = readCover(dejaVuSansBold); err != nil {
		return nil, err
	}
	if g.symbols, err = readCover(symbolaUppsikt); err != nil {
		return nil, err
	}
	return &g, nil
}

// symbolRune is the code the symbol font draws r with: the characters above
// the Basic Multilingual Plane are moved into the Private Use Area, and
// symbolsToUnicode gives them back in the PDF's text layer.
func symbolRune(r rune) rune {
	switch {
	case r >= 0x1F000 && r <= 0x1FAFF:
		return 0xE000 + r - 0x1F000
	case r >= 0x1D400 && r <= 0x1D7FF:
		return 0xEB00 + r - 0x1D400
	case r >= 0xE0020 && r <= 0xE007F:
		return 0xF000 + r - 0xE0000
	case r > 0xFFFF:
		return placeholder
	}
	return r
}

// joins reports whether r belongs to the emoji sequence before it: the
// zero-width joiner, variation selectors, tags (subdivision flags), the
// combining keycap and other combining marks.
func joins(r rune) bool {
	return r == 0x200D || r >= 0xFE00 && r <= 0xFE0F || r >= 0xE0100 && r <= 0xE01EF ||
		r >= 0xE0020 && r <= 0xE007F || r == 0x20E3 || unicode.In(r, unicode.Mn, unicode.Me)
}

// The fonts of a run.
const (
	inWinAnsi = iota // the single-byte fonts, in Windows-1252
	inUnicode        // DejaVu Sans, UTF-8
	inSymbols        // the symbol font, codes moved by symbolRune
)

// textRun is a piece of a line drawn in one font.
type textRun struct {
	font  int
	draw  string // as written in the font: Windows-1252 bytes or UTF-8
	src   string // the characters it draws
	width float64
}

// Text draws text as it was written, in the fonts that have its
// characters, switching font from one run of characters to the next:
//
//   - the single-byte fonts (DejaVu Sans in Windows-1252, when the document
//     has them) for what Windows-1252 holds, which Ghostscript converts
//     several times faster than the others;
//   - DejaVu Sans as a UTF-8 font for the rest of the Basic Multilingual
//     Plane: Latin Extended (Łódź, Dvořák, the Sámi Ŋ Đ Ŧ), Cyrillic, Greek,
//     Arabic and Hebrew, and the zero-width and direction characters (ZWSP,
//     ZWNJ, ZWJ, LRM, RLM), which it draws as nothing and keeps in the text
//     layer. fpdf does not shape: Arabic is drawn in its isolated forms,
//     right to left (see visual), and read back in the order it was
//     written;
//   - the symbol font (Symbola's emoji and symbols) for emoji and for
//     what DejaVu Sans lacks, with the sequence's joiners, variation
//     selectors, skin tones and tags, so that "👨‍👩‍👧" or "🇸🇪" is drawn in
//     one font and read back character for character. The characters above
//     the Basic Multilingual Plane are drawn through the Private Use Area,
//     and the font's /ToUnicode map, which Output writes, gives them back.
//
// A character no font has a glyph for (a Han character, an emoji newer than
// Unicode 9) is drawn as the font's empty box, and is still in the text
// layer as itself. Characters above the Basic Multilingual Plane outside
// the ranges of symbolRune (rare Han characters, historic scripts) are
// drawn as a box and read back as U+FFFD: fpdf cannot address them.
//
// The UTF-8 fonts are added to a document only when a text needs them:
// Ghostscript spends time on every font of a page's resources. Write the
// document with Output.
type Text struct {
	f, m    *fpdf.Fpdf // the document, and a page-less one to measure in
	w       *WinAnsi   // nil: no single-byte fonts
	family  string     // of the single-byte fonts in f
	g       *Glyphs
	added   map[string]bool // the UTF-8 fonts added to f, by family and style
	measure map[string]bool // and to m
	// drawn are the codes drawn in f in each UTF-8 font (inUnicode,
	// inSymbols), for the /ToUnicode maps Output writes.
	drawn map[int]map[rune]bool
	style string
	size  float64
}

// NewText draws in f, whose single-byte fonts w (nil when it has none) are
// registered as family. Draw sets another document.
func NewText(f *fpdf.Fpdf, w *WinAnsi, family string, g *Glyphs) *Text {
	t := &Text{w: w, family: family, g: g, m: fpdf.New("P", "mm", "A4", ""), measure: map[string]bool{}}
	if w != nil {
		w.addAs(t.m, family)
	}
	t.Draw(f)
	return t
}

// Draw makes t draw in f, a new document with the same single-byte fonts.
func (t *Text) Draw(f *fpdf.Fpdf) {
	t.f = f
	t.added = map[string]bool{}
	t.drawn = map[int]map[rune]bool{inUnicode: {}, inSymbols: {}}
}

// Font sets the style ("" or "B") and size of the text drawn next.
func (t *Text) Font(style string, size float64) {
	t.style, t.size = style, size
}

// use selects the font of a run in f, adding a UTF-8 font (regular or
// bold DejaVu Sans, or the symbol font) the first time f needs it: each
// costs Ghostscript time and memory for the rest of the document.
func (t *Text) use(f *fpdf.Fpdf, added map[string]bool, font int) {
	switch font {
	case inWinAnsi:
		f.SetFont(t.family, t.style, t.size)
	case inUnicode:
		if !added["u"+t.style] {
			data := dejaVuSans
			if t.style == "B" {
				data = dejaVuSansBold
			}
			f.AddUTF8FontFromBytes(unicodeFamily, t.style, data)
			added["u"+t.style] = true
		}
		f.SetFont(unicodeFamily, t.style, t.size)
	case inSymbols:
		if !added["s"] {
			f.AddUTF8FontFromBytes(symbolFamily, "", symbolaUppsikt)
			added["s"] = true
		}
		f.SetFont(symbolFamily, "", t.size)
	}
}

// width is the width of r drawn in the current style and size.
func (t *Text) width(r *textRun) float64 {
	t.use(t.m, t.measure, r.font)
	return t.m.GetStringWidth(r.draw)
}

// runs splits a line of text (no newline) into runs of one font each.
func (t *Text) runs(s string) []textRun {
	dejavu := t.g.regular
	if t.style == "B" {
		dejavu = t.g.bold
	}
	var out []textRun
	var draw, src strings.Builder
	font := -1
	end := func() {
		if font < 0 {
			return
		}
		r := textRun{font: font, draw: draw.String(), src: src.String()}
		r.width = t.width(&r)
		out = append(out, r)
		draw.Reset()
		src.Reset()
		font = -1
	}
	var prev rune
	for _, r := range s {
		next := inUnicode
		_, cp := winAnsiByte(r)
		switch {
		case font == inSymbols && (joins(r) || prev == 0x200D):
			next = inSymbols
		case r == ' ' && (font == inUnicode || font == inWinAnsi):
			next = font // see lines
		case t.w != nil && (r >= 0x20 && r < 0x7F || r >= 0xA0 && r <= 0xFF || cp):
			next = inWinAnsi
		case dejavu.has(r):
		default:
			next = inSymbols
		}
		prev = r
		if next != font {
			end()
			font = next
		}
		src.WriteRune(r)
		switch next {
		case inWinAnsi:
			draw.WriteString(ToWinAnsi(string(r)))
		case inUnicode:
			draw.WriteRune(r)
		case inSymbols:
			draw.WriteRune(symbolRune(r))
		}
	}
	end()
	return out
}

// Prepare cleans s for Text: valid UTF-8, CR LF and CR as newlines, tabs as
// spaces, and other control characters (C0, C1, DEL) left out. Formatting
// characters such as the zero-width joiner and direction marks are kept.
func Prepare(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r':
			b.WriteByte('\n')
		case r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// word is a word and the spaces after it, as runs.
type word struct {
	runs   []textRun
	width  float64 // without the spaces after it
	spaces float64
}

// lines breaks a paragraph into lines of at most width, at spaces; a word
// longer than a line is broken between characters (an emoji sequence is
// never broken).
func (t *Text) lines(para string, width float64) [][]textRun {
	var words []word
	for len(para) > 0 {
		i := strings.IndexByte(para, ' ')
		if i < 0 {
			i = len(para)
		}
		j := i
		for j < len(para) && para[j] == ' ' {
			j++
		}
		w := word{runs: t.runs(para[:i])}
		for _, r := range w.runs {
			w.width += r.width
		}
		if j > i {
			sp := t.runs(para[i:j])
			if n := len(w.runs); n > 0 && w.runs[n-1].font != inSymbols {
				// The spaces are drawn in the font of the word before
				// them (DejaVu Sans either way): pdftotext loses a space
				// drawn on its own between two fonts.
				sp[0].font = w.runs[n-1].font
			}
			w.runs = append(w.runs, sp...)
			for _, r := range sp {
				w.spaces += r.width
			}
		}
		words = append(words, w)
		para = para[j:]
	}
	var out [][]textRun
	var line []textRun
	used := 0.0
	flush := func() {
		out = append(out, trimSpaces(line))
		line, used = nil, 0
	}
	for _, w := range words {
		if used > 0 && used+w.width > width {
			flush()
		}
		if w.width > width {
			for i, piece := range t.split(w.runs, width-used, width) {
				if i > 0 {
					flush()
				}
				line = append(line, piece...)
				used += lineWidth(t, piece)
			}
			continue
		}
		line = append(line, w.runs...)
		used += w.width + w.spaces
	}
	if len(line) > 0 || len(out) == 0 {
		flush()
	}
	return out
}

// split cuts the runs of a word too long for a line into pieces, the first
// at most first wide and the others at most width; a run of the symbol font
// (an emoji sequence) is never cut.
func (t *Text) split(runs []textRun, first, width float64) [][]textRun {
	var out [][]textRun
	var cur []textRun
	used, limit := 0.0, first
	next := func() { out, cur, used, limit = append(out, cur), nil, 0, width }
	for _, r := range runs {
		if r.font == inSymbols {
			if used > 0 && used+r.width > limit {
				next()
			}
			cur = append(cur, r)
			used += r.width
			continue
		}
		for r.draw != "" {
			n := t.fit(r, limit-used)
			if n == 0 {
				if used > 0 {
					next()
					continue
				}
				n = charSize(r, 0)
			}
			p := textRun{font: r.font, draw: r.draw[:n], src: decode(r.font, r.draw[:n])}
			p.width = t.width(&p)
			cur = append(cur, p)
			used += p.width
			if r.draw = r.draw[n:]; r.draw != "" {
				next()
			}
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// fit is how many bytes of r's text fit in width.
func (t *Text) fit(r textRun, width float64) int {
	n := 0
	for n < len(r.draw) {
		size := charSize(r, n)
		p := textRun{font: r.font, draw: r.draw[:n+size]}
		if t.width(&p) > width {
			break
		}
		n += size
	}
	return n
}

// charSize is the size in bytes of the character at i of r's text: one
// byte in the single-byte fonts.
func charSize(r textRun, i int) int {
	if r.font == inWinAnsi {
		return 1
	}
	_, size := utf8.DecodeRuneInString(r.draw[i:])
	return size
}

func trimSpaces(line []textRun) []textRun {
	for len(line) > 0 {
		last := &line[len(line)-1]
		if last.font == inSymbols {
			break
		}
		trimmed := strings.TrimRight(last.draw, " ")
		if trimmed == last.draw {
			break
		}
		if trimmed == "" {
			line = line[:len(line)-1]
			continue
		}
		last.draw = trimmed
		last.src = strings.TrimRight(last.src, " ")
		last.width = -1 // measured again when drawn
		break
	}
	return line
}

// Multi draws s from the current position in a column w wide (0: to the
// right margin), as fpdf's MultiCell does aligned left: line by line, each
// h high, starting a new page when a line does not fit, with the border
// ("", "1" or a combination of L, T, R, B) and background around the whole
// text. The position is then at the left margin below it. Clean s with
// Prepare first.
func (t *Text) Multi(w, h float64, s, border string, fill bool) {
	f := t.f
	left, _, right, _ := f.GetMargins()
	x0 := f.GetX()
	if w == 0 {
		pageW, _ := f.GetPageSize()
		w = pageW - right - x0
	}
	cm := f.GetCellMargin()
	var lines [][]textRun
	for _, para := range strings.Split(s, "\n") {
		lines = append(lines, t.lines(para, w-2*cm)...)
	}
	if border == "1" {
		border = "LTRB"
	}
	t.base()
	for i, line := range lines {
		b := ""
		for _, side := range []string{"L", "R"} {
			if strings.Contains(border, side) {
				b += side
			}
		}
		if i == 0 && strings.Contains(border, "T") {
			b += "T"
		}
		if i == len(lines)-1 && strings.Contains(border, "B") {
			b += "B"
		}
		f.SetX(x0)
		// The empty cell draws the border and background, and starts a new
		// page when the line does not fit.
		f.CellFormat(w, h, "", b, 0, "", fill, 0, "")
		t.line(x0+cm, f.GetY(), h, line)
		f.SetXY(x0, f.GetY()+h)
	}
	f.SetX(left)
}

// Cell draws s on one line in a cell w wide (0: to the right margin) and h
// high, aligned "L" or "R", without breaking it, and moves right of it, or
// below it to the left margin when ln is 1, as fpdf's CellFormat does.
// Clean s with Prepare first.
func (t *Text) Cell(w, h float64, s string, ln int, align string) {
	f := t.f
	x0 := f.GetX()
	if w == 0 {
		pageW, _ := f.GetPageSize()
		_, _, right, _ := f.GetMargins()
		w = pageW - right - x0
	}
	t.base()
	f.CellFormat(w, h, "", "", 0, "", false, 0, "")
	line := t.visual(t.runs(strings.ReplaceAll(s, "\n", " ")))
	cm := f.GetCellMargin()
	x := x0 + cm
	if align == "R" {
		x = x0 + w - cm - lineWidth(t, line)
	}
	y := f.GetY()
	t.line(x, y, h, line)
	if ln == 1 {
		left, _, _, _ := f.GetMargins()
		f.SetXY(left, y+h)
	} else {
		f.SetXY(x0+w, y)
	}
}

func lineWidth(t *Text, line []textRun) float64 {
	w := 0.0
	for i := range line {
		if line[i].width < 0 {
			line[i].width = t.width(&line[i])
		}
		w += line[i].width
	}
	return w
}

// base selects the font of the text's spaces in the document, which
// fpdf's cells need before they draw.
func (t *Text) base() {
	if t.w != nil {
		t.use(t.f, t.added, inWinAnsi)
	} else {
		t.use(t.f, t.added, inUnicode)
	}
}

// line draws the runs of one line from x in a cell of height h at y.
func (t *Text) line(x, y, h float64, line []textRun) {
	f := t.f
	line = merge(t.visual(line))
	for i := range line {
		r := &line[i]
		if r.width < 0 {
			r.width = t.width(r)
		}
		t.use(f, t.added, r.font)
		_, unit := f.GetFontSize()
		base := y + .5*h + .3*unit
		f.Text(x, base, r.draw)
		if d := t.drawn[r.font]; d != nil {
			for _, c := range r.draw {
				d[c] = true
			}
		}
		x += r.width
	}
}

// decode is the text of a piece of a run of the single-byte fonts or of
// DejaVu Sans, which split cuts.
func decode(font int, draw string) string {
	if font != inWinAnsi {
		return draw
	}
	var b strings.Builder
	for i := 0; i < len(draw); i++ {
		r, _ := winAnsiRune(draw[i])
		b.WriteRune(r)
	}
	return b.String()
}

// rtl reports whether r is a letter of a script written right to left.
func rtl(r rune) bool {
	return unicode.In(r, unicode.Arabic, unicode.Hebrew, unicode.Syriac, unicode.Thaana, unicode.Nko) &&
		!unicode.IsDigit(r) && !unicode.In(r, unicode.Mn, unicode.Me)
}

var mirrored = map[rune]rune{'(': ')', ')': '(', '[': ']', ']': '[', '{': '}', '}': '{', '<': '>', '>': '<', '«': '»', '»': '«'}

// visual puts the runs of a line that are written right to left (Arabic,
// Hebrew) in the order they are seen, right to left, which is the order
// fpdf must draw them in: it draws left to right and does not shape, so
// Arabic letters are drawn in their isolated forms. A reader's text
// extraction puts them back in the order they were written. Spaces and
// punctuation between two such letters go with them, brackets mirrored;
// digits and Latin stay left to right.
func (t *Text) visual(line []textRun) []textRun {
	var b strings.Builder
	has := false
	for _, r := range line {
		b.WriteString(r.src)
		if !has {
			has = strings.IndexFunc(r.src, rtl) >= 0
		}
	}
	if !has {
		return line
	}
	rs := []rune(b.String())
	for i := 0; i < len(rs); {
		if !rtl(rs[i]) {
			i++
			continue
		}
		end := i
		for k := i + 1; k < len(rs); k++ {
			if rtl(rs[k]) || unicode.In(rs[k], unicode.Mn, unicode.Me) {
				end = k
				continue
			}
			if unicode.IsSpace(rs[k]) || unicode.IsPunct(rs[k]) {
				continue
			}
			break
		}
		reverseClusters(rs[i : end+1])
		i = end + 1
	}
	return t.runs(string(rs))
}

// reverseClusters reverses rs, a letter and the combining marks after it
// kept in their order, brackets mirrored.
func reverseClusters(rs []rune) {
	var clusters [][]rune
	for _, r := range rs {
		if len(clusters) > 0 && unicode.In(r, unicode.Mn, unicode.Me) {
			clusters[len(clusters)-1] = append(clusters[len(clusters)-1], r)
			continue
		}
		if m, ok := mirrored[r]; ok {
			r = m
		}
		clusters = append(clusters, []rune{r})
	}
	out := rs[:0:0]
	for i := len(clusters) - 1; i >= 0; i-- {
		out = append(out, clusters[i]...)
	}
	copy(rs, out)
}

// Style is the style and size of the text drawn next.
func (t *Text) Style() (string, float64) { return t.style, t.size }

// merge joins neighbouring runs in the same font, so that a line is drawn
// with as few text operations as it can.
func merge(line []textRun) []textRun {
	out := line[:0:0]
	for _, r := range line {
		if n := len(out); n > 0 && out[n-1].font == r.font && out[n-1].width >= 0 && r.width >= 0 {
			out[n-1].draw += r.draw
			out[n-1].src += r.src
			out[n-1].width += r.width
			continue
		}
		out = append(out, r)
	}
	return out
}

// Row draws a label and a value that wraps in the column beside it, at the
// left margin, starting a new page when the row would reach the bottom
// margin, as the function Row does. Prepare both first.
func (t *Text) Row(label, value string) {
	f := t.f
	const labelW = 42.0
	if value == "" {
		value = "–"
	}
	_, pageH := f.GetPageSize()
	if f.GetY()+6 > pageH-marginMM-5 {
		f.AddPage()
	}
	y := f.GetY()
	t.Font("B", 9.5)
	f.SetXY(marginMM, y)
	t.Multi(labelW, 5, label, "", false)
	yLabel := f.GetY()
	t.Font("", 9.5)
	f.SetXY(marginMM+labelW, y)
	t.Multi(0, 5, value, "", false)
	if f.GetY() < yLabel {
		f.SetY(yLabel)
	}
	f.SetX(marginMM)
}
