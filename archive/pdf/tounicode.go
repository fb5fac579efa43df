package pdf

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"

	"codeberg.org/go-pdf/fpdf"
)

// fpdfToUnicode is the /ToUnicode map fpdf writes for every UTF-8 font, in
// which each code stands for itself. It is right for DejaVu Sans, whose
// codes are the characters, and not for the symbol font, whose codes
// symbolRune moves.
const fpdfToUnicode = "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo\n<</Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n1 beginbfrange\n<0000> <FFFF> <0000>\nendbfrange\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"

// symbolsToUnicode is the /ToUnicode map of the symbol font: symbolRune
// undone, in ranges of 256 codes whose last byte counts up, as a
// bfrange must.
func symbolsToUnicode() string {
	var ranges []string
	add := func(from, to, first rune) {
		ranges = append(ranges, fmt.Sprintf("<%04X> <%04X> <%s>", from, to, utf16Hex(first)))
	}
	add(0x0000, 0xDFFF, 0x0000)
	for b := rune(0); b < 0xB00; b += 0x100 {
		add(0xE000+b, 0xE0FF+b, 0x1F000+b)
	}
	for b := rune(0); b < 0x400; b += 0x100 {
		add(0xEB00+b, 0xEBFF+b, 0x1D400+b)
	}
	add(0xEF00, 0xF01F, 0xEF00)
	add(0xF020, 0xF07F, 0xE0020)
	add(0xF080, 0xF8FE, 0xF080)
	add(placeholder, placeholder, 0xFFFD)
	add(0xF900, 0xFFFF, 0xF900)
	return "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo\n<</Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n" +
		"/CMapName /uppsikt-Symbols-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n" +
		strconv.Itoa(len(ranges)) + " beginbfrange\n" + strings.Join(ranges, "\n") +
		"\nendbfrange\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
}

func utf16Hex(r rune) string {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune{r}) {
		fmt.Fprintf(&b, "%04X", u)
	}
	return b.String()
}

// Output writes the document f, which Text drew in, to w, with the symbol
// font's /ToUnicode map put in place of fpdf's, so that an emoji is read
// back from the PDF as the character it is (Ghostscript keeps the map when
// it converts the document to PDF/A).
func Output(f *fpdf.Fpdf, w io.Writer) error {
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return err
	}
	doc, err := fixToUnicode(buf.Bytes())
	if err != nil {
		return err
	}
	_, err = w.Write(doc)
	return err
}

// fixToUnicode replaces the /ToUnicode map of the symbol font in a PDF
// that fpdf wrote, and moves the cross-reference entries after it.
func fixToUnicode(doc []byte) ([]byte, error) {
	i := bytes.Index(doc, []byte("/BaseFont /utf8"+symbolFamily+"\n/Encoding /Identity-H\n"))
	if i < 0 {
		return doc, nil // no symbol in the document
	}
	j := bytes.Index(doc[i:], []byte("/ToUnicode "))
	if j < 0 {
		return nil, fmt.Errorf("pdf: the symbol font has no /ToUnicode")
	}
	var obj int
	if _, err := fmt.Sscanf(string(doc[i+j+len("/ToUnicode "):min(len(doc), i+j+40)]), "%d 0 R", &obj); err != nil {
		return nil, fmt.Errorf("pdf: the symbol font's /ToUnicode: %w", err)
	}
	stream := func(cmap string) []byte {
		return fmt.Appendf(nil, "\n%d 0 obj\n<</Length %d>>\nstream\n%s\nendstream\n", obj, len(cmap), cmap)
	}
	old := stream(fpdfToUnicode)
	at := bytes.Index(doc, old)
	if at < 0 {
		return nil, fmt.Errorf("pdf: fpdf's /ToUnicode map of the symbol font is not where it should be")
	}
	repl := stream(symbolsToUnicode())
	delta := len(repl) - len(old)
	out := make([]byte, 0, len(doc)+delta)
	out = append(out, doc[:at]...)
	out = append(out, repl...)
	out = append(out, doc[at+len(old):]...)

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
		if off >= at+len(old) {
			copy(entry[:10], fmt.Sprintf("%010d", off+delta))
		}
	}
	s := bytes.LastIndex(out, []byte("\nstartxref\n"))
	if s < 0 {
		return nil, fmt.Errorf("pdf: no startxref")
	}
	return append(out[:s:s], fmt.Appendf(nil, "\nstartxref\n%d\n%%%%EOF\n", x+1)...), nil
}
