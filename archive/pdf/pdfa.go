package pdf

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf16"
)

// Options configure the conversion to PDF/A.
type Options struct {
	// Ghostscript is the path of the gs binary; "gs" (looked up in PATH)
	// when empty.
	Ghostscript string
	// QPDF is the path of the qpdf binary, which joins the converted parts
	// of a document of several files; "qpdf" (looked up in PATH) when
	// empty.
	QPDF string
	// ICCProfile is the sRGB profile used as the output intent; Debian's
	// /usr/share/color/icc/ghostscript/srgb.icc when empty.
	ICCProfile string
	// Timeout bounds one Ghostscript run; 60 s when zero.
	Timeout time.Duration
	// TempDir is where the working directory of a run is made; the
	// system's temporary directory when empty.
	TempDir string
	// WinAnsi, when set, draws the evidence PDF's text that Windows-1252
	// holds exactly in single-byte fonts, which Ghostscript converts
	// several times faster than the UTF-8 fonts (see LayoutWith). Build
	// it once with NewWinAnsiCut (or NewWinAnsi) and share it.
	WinAnsi *WinAnsi
}

// DefaultICCProfile is the sRGB profile that Debian's Ghostscript ships.
const DefaultICCProfile = "/usr/share/color/icc/ghostscript/srgb.icc"

func (o Options) withDefaults() Options {
	if o.Ghostscript == "" {
		o.Ghostscript = "gs"
	}
	if o.QPDF == "" {
		o.QPDF = "qpdf"
	}
	if o.ICCProfile == "" {
		o.ICCProfile = DefaultICCProfile
	}
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	return o
}

// Attachment is a file embedded in a PDF/A-3 document as an associated file
// of the whole document.
type Attachment struct {
	Name         string // file name shown by PDF readers, e.g. "raw-api.json"
	MIME         string // e.g. "application/json"
	Description  string
	Relationship string // PDF/A-3 AFRelationship: Source, Data, Alternative, Supplement or Unspecified
	Data         []byte
	ModTime      time.Time
}

// Metadata is what the PDF/A document says about itself (document info and
// XMP).
type Metadata struct {
	Title   string
	Subject string
	Author  string // the municipality, whose record the document is
	// Creator is the program and its version, "uppsikt 1.4.0"; "uppsikt"
	// when empty. Ghostscript names itself as the /Producer.
	Creator string
	// Language is the language of the document's text as a BCP 47 tag
	// (sv-SE, da-DK, en), the catalog's /Lang and the XMP dc:language.
	Language string
	// Outline is the document's bookmarks, in order.
	Outline []Bookmark
}

// Bookmark is an entry of a document's outline, which a PDF reader shows
// beside the pages.
type Bookmark struct {
	Title string
	Level int     // 0 at the top; a bookmark's children follow it one level deeper
	Page  int     // from 1
	Top   float64 // the height on the page to show at the top of the window, in points from the bottom
}

func (m Metadata) creator() string {
	if m.Creator == "" {
		return "uppsikt"
	}
	return m.Creator
}

// RenderEvidence lays out the evidence PDF for ev and converts it to
// PDF/A-3b with the raw platform answer attached. It returns the bytes of
// the PDF/A file.
func RenderEvidence(ctx context.Context, ev Evidence, opts Options) ([]byte, error) {
	draft, err := LayoutWith(ev, opts.WinAnsi)
	if err != nil {
		return nil, err
	}
	return ConvertEvidence(ctx, ev, draft, opts)
}

// ConvertEvidence converts draft, the evidence PDF that LayoutWith drew
// for ev, to PDF/A-3b with the raw platform answer attached. It is
// RenderEvidence's second half, for callers that time the two apart.
func ConvertEvidence(ctx context.Context, ev Evidence, draft []byte, opts Options) ([]byte, error) {
	mod := ev.CapturedAt
	if mod.IsZero() {
		mod = time.Now()
	}
	att := Attachment{
		Name:         RawJSONName,
		MIME:         "application/json",
		Description:  "Plattformens svar som det togs emot (raw platform API answer)",
		Relationship: "Source",
		Data:         ev.RawJSON,
		ModTime:      mod,
	}
	meta := Metadata{
		Title:   Title(ev),
		Subject: "Bevisunderlag för kommentar " + ev.CommentID,
		Author:  "uppsikt",
	}
	return ConvertPDFA3(ctx, draft, meta, []Attachment{att}, opts)
}

var relationships = map[string]bool{"Source": true, "Data": true, "Alternative": true, "Supplement": true, "Unspecified": true}

// ConvertPDFA3 converts the PDF src to PDF/A-3b with Ghostscript, embedding
// the attachments as associated files of the document.
func ConvertPDFA3(ctx context.Context, src []byte, meta Metadata, atts []Attachment, opts Options) ([]byte, error) {
	dir, err := os.MkdirTemp(opts.TempDir, "uppsikt-pdfa-io-")
	if err != nil {
		return nil, fmt.Errorf("pdf: temp dir: %w", err)
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "in.pdf")
	out := filepath.Join(dir, "out.pdf")
	if err := os.WriteFile(in, src, 0o600); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	if err := ConvertFiles(ctx, []string{in}, out, 3, meta, atts, opts); err != nil {
		return nil, err
	}
	res, err := os.ReadFile(out)
	if err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	if !bytes.HasPrefix(res, []byte("%PDF-")) {
		return nil, errors.New("pdf: ghostscript output is not a PDF")
	}
	return res, nil
}

// writePrologue writes the PostScript that Ghostscript runs before the
// input PDF: the document info (which pdfwrite copies into the XMP) and the
// sRGB output intent, in the manner of Ghostscript's PDFA_def.ps.
func writePrologue(b *strings.Builder, meta Metadata, icc string) {
	b.WriteString("%!\n")
	// Ghostscript 10.00 discards the whole document info of a PDF/A file
	// when a string in it is not ASCII, so it is transliterated.
	b.WriteString("[ /Title " + psInfo(meta.Title))
	if meta.Subject != "" {
		b.WriteString(" /Subject " + psInfo(meta.Subject))
	}
	if meta.Author != "" {
		b.WriteString(" /Author " + psInfo(meta.Author))
	}
	b.WriteString(" /Creator " + psInfo(meta.creator()) + " /DOCINFO pdfmark\n")
	fmt.Fprintf(b, `[/_objdef {icc_PDFA} /type /stream /OBJ pdfmark
[{icc_PDFA} << /N 3 >> /PUT pdfmark
[{icc_PDFA} %s (r) file /PUT pdfmark
[/_objdef {OutputIntent_PDFA} /type /dict /OBJ pdfmark
[{OutputIntent_PDFA} <<
  /Type /OutputIntent
  /S /GTS_PDFA1
  /DestOutputProfile {icc_PDFA}
  /OutputConditionIdentifier (sRGB)
  /Info (sRGB IEC61966-2.1)
>> /PUT pdfmark
[{Catalog} << /OutputIntents [ {OutputIntent_PDFA} ] >> /PUT pdfmark
`, psString(icc))
	if meta.Language != "" {
		fmt.Fprintf(b, "[{Catalog} << /Lang %s >> /PUT pdfmark\n", psString(meta.Language))
	}
	writeOutline(b, meta.Outline)
}

// writeOutline writes the bookmarks as pdfmarks, which Ghostscript turns
// into the document's outline whatever part of the input a page comes
// from. The top level is shown open, deeper levels closed.
func writeOutline(b *strings.Builder, items []Bookmark) {
	for i, it := range items {
		children := 0
		for _, next := range items[i+1:] {
			if next.Level <= it.Level {
				break
			}
			if next.Level == it.Level+1 {
				children++
			}
		}
		b.WriteString("[")
		if children > 0 {
			if it.Level > 0 {
				children = -children
			}
			fmt.Fprintf(b, "/Count %d ", children)
		}
		fmt.Fprintf(b, "/Title %s /Page %d /View [/XYZ null %.1f null] /OUT pdfmark\n", psText(it.Title), max(it.Page, 1), it.Top)
	}
}

// writeAttachment writes the pdfmarks that embed one file and list it in
// the catalog's /AF array, as PDF/A-3 requires of every embedded file.
func writeAttachment(b *strings.Builder, i int, a Attachment, path string) {
	sum := md5.Sum(a.Data) // the /CheckSum of the PDF file specification is MD5
	mod := a.ModTime.UTC().Format("20060102150405") + "Z"
	fmt.Fprintf(b, `[/_objdef {att%[1]d_data} /type /stream /OBJ pdfmark
[{att%[1]d_data} << /Type /EmbeddedFile /Subtype %[2]s cvn
  /Params << /Size %[3]d /ModDate (D:%[4]s) /CheckSum <%[5]s> >> >> /PUT pdfmark
[{att%[1]d_data} %[6]s (r) file /PUT pdfmark
[{att%[1]d_data} /CLOSE pdfmark
[/_objdef {att%[1]d_fs} /type /dict /OBJ pdfmark
[{att%[1]d_fs} << /Type /Filespec /F %[7]s /UF %[8]s /Desc %[9]s
  /AFRelationship /%[10]s /EF << /F {att%[1]d_data} /UF {att%[1]d_data} >> >> /PUT pdfmark
`, i, psString(a.MIME), len(a.Data), mod, hex.EncodeToString(sum[:]), psString(path),
		psString(asciiName(a.Name)), psUTF16(a.Name), psText(a.Description), a.Relationship)
	if i == 0 {
		b.WriteString("[/_objdef {AF_array} /type /array /OBJ pdfmark\n[{Catalog} << /AF {AF_array} >> /PUT pdfmark\n")
	}
	fmt.Fprintf(b, "[{AF_array} {att%[1]d_fs} /APPEND pdfmark\n[/Name %[2]s /FS {att%[1]d_fs} /EMBED pdfmark\n", i, psString(asciiName(a.Name)))
}

// psInfo is s as a document info string that Ghostscript 10.00 keeps in a
// PDF/A file: ASCII, and without parentheses or backslashes, which it also
// rejects even when escaped.
func psInfo(s string) string {
	return psString(strings.NewReplacer("(", "[", ")", "]", "\\", "/").Replace(ASCII(s)))
}

// psString quotes s as a PostScript string literal.
func psString(s string) string {
	var b strings.Builder
	b.WriteByte('(')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '(' || c == ')' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, "\\%03o", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte(')')
	return b.String()
}

// psText is s as a PDF text string: plain when it is printable ASCII,
// otherwise UTF-16BE with a byte order mark.
func psText(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return psUTF16(s)
		}
	}
	return psString(s)
}

var translit = map[rune]string{
	'å': "a", 'ä': "a", 'á': "a", 'à': "a", 'â': "a", 'ã': "a", 'ö': "o", 'ø': "o", 'ó': "o", 'ò': "o", 'ô': "o", 'õ': "o",
	'æ': "ae", 'é': "e", 'è': "e", 'ê': "e", 'ë': "e", 'ü': "u", 'ú': "u", 'ù': "u", 'û': "u", 'í': "i", 'ì': "i", 'î': "i", 'ï': "i",
	'ç': "c", 'ñ': "n", 'ý': "y", 'ÿ': "y", 'ß': "ss", 'ð': "d", 'þ': "th",
	'Å': "A", 'Ä': "A", 'Á': "A", 'À': "A", 'Â': "A", 'Ã': "A", 'Ö': "O", 'Ø': "O", 'Ó': "O", 'Ò': "O", 'Ô': "O", 'Õ': "O",
	'Æ': "AE", 'É': "E", 'È': "E", 'Ê': "E", 'Ë': "E", 'Ü': "U", 'Ú': "U", 'Ù': "U", 'Û': "U", 'Í': "I", 'Ì': "I", 'Î': "I", 'Ï': "I",
	'Ç': "C", 'Ñ': "N", 'Ý': "Y", 'ẞ': "SS", 'Ð': "D", 'Þ': "TH",
	'–': "-", '—': "-", '‘': "'", '’': "'", '“': "\"", '”': "\"", '«': "\"", '»': "\"", '…': "...", '\u00a0': " ",
}

// ASCII transliterates s to printable ASCII (å → a, æ → ae, – → -), with
// "?" for what has no plain form. PDF/A document info must be ASCII for
// Ghostscript 10.00; the evidence text itself keeps every character.
func ASCII(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case r == '\n' || r == '\t' || r == '\r':
			b.WriteByte(' ')
		case translit[r] != "":
			b.WriteString(translit[r])
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}

func psUTF16(s string) string {
	var b strings.Builder
	b.WriteString("<FEFF")
	for _, u := range utf16.Encode([]rune(strings.ToValidUTF8(s, "\uFFFD"))) {
		fmt.Fprintf(&b, "%04X", u)
	}
	b.WriteByte('>')
	return b.String()
}

// asciiName is name with anything but printable ASCII replaced, for the /F
// entry that older readers show.
func asciiName(name string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r >= 0x7f || r == '/' || r == '\\' {
			return '_'
		}
		return r
	}, name)
}

func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		s = "…" + s[len(s)-n:]
	}
	return s
}
