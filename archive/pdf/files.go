package pdf

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"codeberg.org/go-pdf/fpdf"
)

// FontFamily is the fpdf family name AddFonts registers DejaVu Sans under.
const FontFamily = fontFamily

// AddFonts registers the embedded DejaVu Sans, regular and bold, with f as
// FontFamily, so that other documents of uppsikt (yearly snapshots) use the
// same fonts as the evidence PDF.
func AddFonts(f *fpdf.Fpdf) {
	f.AddUTF8FontFromBytes(fontFamily, "", dejaVuSans)
	f.AddUTF8FontFromBytes(fontFamily, "B", dejaVuSansBold)
}

// ConvertFiles converts the PDF files srcs, in order, into one PDF/A file at
// out: PDF/A-2b when part is 2, PDF/A-3b when part is 3 (the only part that
// allows attachments). One file is converted by Ghostscript in one run.
// Several files (the parts of a yearly snapshot) are converted one by one,
// each in its own Ghostscript run, and joined with qpdf (see join.go):
// Ghostscript keeps memory for the text of UTF-8 fonts until the end of
// its output, so converting the parts apart bounds its memory by the
// largest part instead of growing with the whole document. Ghostscript and
// qpdf read the inputs from disk, so large documents need not be held in
// memory. out is written in place; callers write to a temporary name and
// rename.
func ConvertFiles(ctx context.Context, srcs []string, out string, part int, meta Metadata, atts []Attachment, opts Options) error {
	if part != 2 && part != 3 {
		return fmt.Errorf("pdf: PDF/A part %d: want 2 or 3", part)
	}
	if len(atts) > 0 && part != 3 {
		return fmt.Errorf("pdf: attachments need PDF/A-3")
	}
	if len(srcs) == 0 {
		return fmt.Errorf("pdf: nothing to convert")
	}
	opts = opts.withDefaults()
	outAbs, err := filepath.Abs(out)
	if err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	if len(srcs) > 1 {
		return convertJoin(ctx, srcs, outAbs, part, meta, atts, opts)
	}
	if err := ghostscript(ctx, srcs, outAbs, part, meta, atts, opts); err != nil {
		return err
	}
	return updateInfo(outAbs, meta, meta.creator())
}

// ghostscript converts srcs into one PDF/A file at out (an absolute path)
// in one Ghostscript run, with the document info, output intent, /Lang,
// outline and attachments of meta and atts as pdfmarks.
func ghostscript(ctx context.Context, srcs []string, outAbs string, part int, meta Metadata, atts []Attachment, opts Options) error {
	gs, err := exec.LookPath(opts.Ghostscript)
	if err != nil {
		return fmt.Errorf("pdf: ghostscript: %w (install it with `make deps`)", err)
	}
	icc, err := filepath.Abs(opts.ICCProfile)
	if err != nil {
		return fmt.Errorf("pdf: ICC profile: %w", err)
	}
	if _, err := os.Stat(icc); err != nil {
		return fmt.Errorf("pdf: ICC profile: %w", err)
	}
	dir, err := os.MkdirTemp(opts.TempDir, "uppsikt-pdfa-")
	if err != nil {
		return fmt.Errorf("pdf: temp dir: %w", err)
	}
	defer os.RemoveAll(dir)

	var ps strings.Builder
	writePrologue(&ps, meta, icc)
	for i, a := range atts {
		if !relationships[a.Relationship] {
			return fmt.Errorf("pdf: attachment %q: AFRelationship %q is not one of Source, Data, Alternative, Supplement, Unspecified", a.Name, a.Relationship)
		}
		if a.Name == "" || a.MIME == "" {
			return fmt.Errorf("pdf: attachment %d needs a name and a MIME type", i+1)
		}
		p := filepath.Join(dir, fmt.Sprintf("attachment-%d", i))
		if err := os.WriteFile(p, a.Data, 0o600); err != nil {
			return fmt.Errorf("pdf: %w", err)
		}
		writeAttachment(&ps, i, a, p)
	}
	def := filepath.Join(dir, "pdfa_def.ps")
	if err := os.WriteFile(def, []byte(ps.String()), 0o600); err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	args := []string{"-q", "-dBATCH", "-dNOPAUSE", "-dSAFER",
		// Ghostscript 10.00's new PDF interpreter makes pdfwrite about five
		// times slower on long text documents with embedded TrueType fonts
		// (0.3 s of CPU a page), and loses the ToUnicode map of single-byte
		// TrueType fonts, so that "–" in Windows-1252 is extracted as
		// U+0096; the classic interpreter is used while it exists. Later
		// versions without it ignore the switch.
		"-dNEWPDF=false",
		fmt.Sprintf("-dPDFA=%d", part), "-dPDFACompatibilityPolicy=1",
		"-sColorConversionStrategy=RGB", "-sProcessColorModel=DeviceRGB",
		"-sDEVICE=pdfwrite",
		"-dAutoFilterColorImages=false", "-dColorImageFilter=/FlateEncode",
		"-dDownsampleColorImages=false",
		"-dAutoFilterGrayImages=false", "-dGrayImageFilter=/FlateEncode",
		"-dDownsampleGrayImages=false",
		"--permit-file-read=" + dir + string(filepath.Separator),
		"--permit-file-read=" + icc,
	}
	for _, s := range srcs {
		abs, err := filepath.Abs(s)
		if err != nil {
			return fmt.Errorf("pdf: %w", err)
		}
		args = append(args, "--permit-file-read="+abs)
	}
	args = append(args, "--permit-file-write="+outAbs, "-sOutputFile="+outAbs, def)
	for _, s := range srcs {
		abs, _ := filepath.Abs(s)
		args = append(args, abs)
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, gs, args...)
	cmd.Dir = dir
	cmd.WaitDelay = 5 * time.Second
	var stderr bytes.Buffer
	cmd.Stdout = &stderr
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("pdf: ghostscript: %w", ctx.Err())
		}
		return fmt.Errorf("pdf: ghostscript: %w: %s", err, tail(stderr.String(), 800))
	}
	head := make([]byte, 5)
	f, err := os.Open(outAbs)
	if err != nil {
		return fmt.Errorf("pdf: ghostscript wrote no output: %w: %s", err, tail(stderr.String(), 800))
	}
	defer f.Close()
	if _, err := f.Read(head); err != nil || string(head) != "%PDF-" {
		return fmt.Errorf("pdf: ghostscript output is not a PDF")
	}
	return nil
}

// WinAnsi is DejaVu Sans, regular and bold, as single-byte TrueType fonts in
// the Windows-1252 encoding, for long documents such as yearly snapshots
// and for the text of the evidence PDF that Windows-1252 holds exactly.
// Ghostscript converts text in fpdf's UTF-8 (CID) fonts about twenty times
// more slowly than in single-byte fonts, and keeps memory for it until the
// end of the document; Windows-1252 holds å ä ö æ ø é ü and the usual
// punctuation. Text is passed through ToWinAnsi.
type WinAnsi struct {
	regularJSON, regularZ, boldJSON, boldZ []byte
}

// NewWinAnsi builds the font definitions with fpdf.MakeFont in a temporary
// directory under tempDir (the system's when empty).
func NewWinAnsi(tempDir string) (*WinAnsi, error) {
	return newWinAnsi(tempDir, dejaVuSans, dejaVuSansBold)
}

// NewWinAnsiCut is NewWinAnsi with the fonts cut down to the characters of
// Windows-1252 (about 50 KB each instead of 750 KB). Ghostscript reads the
// whole font file of a single-byte font in every document, so a short
// document such as the evidence PDF converts in about half the time.
func NewWinAnsiCut(tempDir string) (*WinAnsi, error) {
	return newWinAnsi(tempDir, dejaVuSansWinAnsi, dejaVuSansBoldWinAnsi)
}

func newWinAnsi(tempDir string, regular, bold []byte) (*WinAnsi, error) {
	dir, err := os.MkdirTemp(tempDir, "uppsikt-font-")
	if err != nil {
		return nil, fmt.Errorf("pdf: fonts: %w", err)
	}
	defer os.RemoveAll(dir)
	var m strings.Builder
	for b := range 256 {
		r, ok := winAnsiRune(byte(b))
		if !ok || b < 0x20 {
			fmt.Fprintf(&m, "!%02X U+%04X .notdef\n", b, b)
			continue
		}
		fmt.Fprintf(&m, "!%02X U+%04X uni%04X\n", b, r, r)
	}
	mapFile := filepath.Join(dir, "cp1252.map")
	if err := os.WriteFile(mapFile, []byte(m.String()), 0o600); err != nil {
		return nil, fmt.Errorf("pdf: fonts: %w", err)
	}
	w := &WinAnsi{}
	for _, ft := range []struct {
		name    string
		data    []byte
		json, z *[]byte
	}{
		{"dejavu-regular", regular, &w.regularJSON, &w.regularZ},
		{"dejavu-bold", bold, &w.boldJSON, &w.boldZ},
	} {
		ttf := filepath.Join(dir, ft.name+".ttf")
		if err := os.WriteFile(ttf, ft.data, 0o600); err != nil {
			return nil, fmt.Errorf("pdf: fonts: %w", err)
		}
		if err := fpdf.MakeFont(ttf, mapFile, dir, nil, true); err != nil {
			return nil, fmt.Errorf("pdf: fonts: %s: %w", ft.name, err)
		}
		if *ft.json, err = os.ReadFile(filepath.Join(dir, ft.name+".json")); err != nil {
			return nil, fmt.Errorf("pdf: fonts: %w", err)
		}
		if *ft.z, err = os.ReadFile(filepath.Join(dir, ft.name+".z")); err != nil {
			return nil, fmt.Errorf("pdf: fonts: %w", err)
		}
	}
	return w, nil
}

// Add registers the fonts with f as FontFamily.
func (w *WinAnsi) Add(f *fpdf.Fpdf) {
	w.addAs(f, fontFamily)
}

func (w *WinAnsi) addAs(f *fpdf.Fpdf, family string) {
	f.AddFontFromBytes(family, "", w.regularJSON, w.regularZ)
	f.AddFontFromBytes(family, "B", w.boldJSON, w.boldZ)
}

// winAnsiExact reports whether ToWinAnsi keeps every character of s, which
// clean has made: newlines and the characters of Windows-1252, no other
// control characters.
func winAnsiExact(s string) bool {
	for _, r := range s {
		switch {
		case r == '\n', r >= 0x20 && r < 0x7F, r >= 0xA0 && r <= 0xFF:
		default:
			if _, ok := winAnsiByte(r); !ok {
				return false
			}
		}
	}
	return true
}

// cp1252High is Windows-1252 from 0x80 to 0x9F; 0 where it has no character.
var cp1252High = [32]rune{
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
}

func winAnsiRune(b byte) (rune, bool) {
	switch {
	case b >= 0x80 && b < 0xA0:
		r := cp1252High[b-0x80]
		return r, r != 0
	case b == 0x7F:
		return 0, false
	}
	return rune(b), true
}

// ToWinAnsi encodes s in Windows-1252 for the WinAnsi fonts: newlines are
// kept, other control characters dropped, and a character the encoding
// lacks is written as its code point, "[U+0141]".
func ToWinAnsi(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '\n':
			b.WriteByte('\n')
		case r == '\t' || r == '\r':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7F || (r >= 0x80 && r < 0xA0):
		case r < 0x100:
			b.WriteByte(byte(r))
		default:
			if c, ok := winAnsiByte(r); ok {
				b.WriteByte(c)
			} else if !unicode.Is(unicode.Cf, r) {
				fmt.Fprintf(&b, "[U+%04X]", r)
			}
		}
	}
	return b.String()
}

// winAnsiByte is the Windows-1252 byte of a character above U+00FF.
func winAnsiByte(r rune) (byte, bool) {
	for i, c := range cp1252High {
		if c == r {
			return byte(0x80 + i), true
		}
	}
	return 0, false
}
