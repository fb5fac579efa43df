package pdf

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"codeberg.org/go-pdf/fpdf"

	"github.com/uppsikt/uppsikt/moderation"
)

// Evidence is everything the evidence PDF shows about one comment.
type Evidence struct {
	RegisterNumber string // e.g. "KS 2026/0042"; empty before registration
	AccountName    string
	AccountKey     string
	Platform       moderation.Platform
	PostID         string
	PostMessage    string
	CommentID      string // the platform's id of the comment
	PermalinkURL   string
	Author         moderation.Author
	CreatedAt      time.Time // when the comment was written, per the platform
	Versions       []moderation.CommentVersion
	CapturedAt     time.Time
	Location       *time.Location // local time zone of the municipality; nil for UTC only
	Hits           []moderation.Hit
	Decision       *moderation.Decision // nil when no one has decided yet
	Screenshots    []Screenshot
	RawJSON        []byte // the platform's answer as received; attached to the PDF
	CaptureFailure string // why there are no screenshots, when the browser failed
}

// Screenshot is one full-page PNG shown in the evidence PDF.
type Screenshot struct {
	Title      string
	PNG        []byte
	SHA256     string // hex SHA-256 of PNG; computed when empty, checked when set
	URL        string
	CapturedAt time.Time
}

// RawJSONName is the name of the attached raw platform answer.
const RawJSONName = "raw-api.json"

// maxScreenshotPixels bounds a screenshot decoded for the PDF (about
// 1280 × 40000), so that a hostile page cannot exhaust memory.
const maxScreenshotPixels = 52_000_000

const (
	fontFamily = "dejavu"
	marginMM   = 15.0
)

// Title returns the document title of the evidence PDF.
func Title(ev Evidence) string {
	t := "Bevis: kommentar " + ev.CommentID
	if ev.RegisterNumber != "" {
		t = ev.RegisterNumber + " – " + t
	}
	if ev.AccountName != "" {
		t += " – " + ev.AccountName
	}
	return clean(t)
}

// Layout draws the evidence PDF with fpdf, before the conversion to PDF/A.
// RenderEvidence calls it; it is exported for tools that want the plain PDF.
func Layout(ev Evidence) ([]byte, error) {
	shots, err := checkScreenshots(ev.Screenshots)
	if err != nil {
		return nil, err
	}
	loc := ev.Location
	if loc == nil {
		loc = time.UTC
	}
	d := &doc{f: fpdf.New("P", "mm", "A4", ""), ev: ev, loc: loc}
	f := d.f
	f.SetMargins(marginMM, marginMM, marginMM)
	f.SetAutoPageBreak(true, marginMM+5)
	f.AddUTF8FontFromBytes(fontFamily, "", dejaVuSans)
	f.AddUTF8FontFromBytes(fontFamily, "B", dejaVuSansBold)
	// ASCII: Ghostscript drops non-ASCII document info when it makes PDF/A.
	f.SetTitle(ASCII(Title(ev)), false)
	f.SetCreator("uppsikt", false)
	f.SetProducer("uppsikt (fpdf)", false)
	if !ev.CapturedAt.IsZero() {
		f.SetCreationDate(ev.CapturedAt)
		f.SetModificationDate(ev.CapturedAt)
	}
	f.AliasNbPages("{nb}")
	f.SetFooterFunc(d.footer)

	d.cover(shots)
	for i, s := range shots {
		d.screenshot(i, s)
	}
	d.versions()
	d.hashes(shots)

	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("pdf: layout: %w", err)
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("pdf: layout: %w", err)
	}
	return buf.Bytes(), nil
}

type shot struct {
	Screenshot
	img image.Image
}

func checkScreenshots(in []Screenshot) ([]shot, error) {
	out := make([]shot, 0, len(in))
	for i, s := range in {
		sum := sha256.Sum256(s.PNG)
		got := hex.EncodeToString(sum[:])
		if s.SHA256 != "" && !strings.EqualFold(s.SHA256, got) {
			return nil, fmt.Errorf("pdf: screenshot %d: SHA-256 %s does not match its bytes (%s)", i+1, s.SHA256, got)
		}
		s.SHA256 = got
		cfg, err := png.DecodeConfig(bytes.NewReader(s.PNG))
		if err != nil {
			return nil, fmt.Errorf("pdf: screenshot %d: %w", i+1, err)
		}
		if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxScreenshotPixels {
			return nil, fmt.Errorf("pdf: screenshot %d: %d×%d pixels is outside the supported size", i+1, cfg.Width, cfg.Height)
		}
		img, err := png.Decode(bytes.NewReader(s.PNG))
		if err != nil {
			return nil, fmt.Errorf("pdf: screenshot %d: %w", i+1, err)
		}
		out = append(out, shot{Screenshot: s, img: img})
	}
	return out, nil
}

type doc struct {
	f      *fpdf.Fpdf
	ev     Evidence
	loc    *time.Location
	images int
}

func (d *doc) footer() {
	f := d.f
	f.SetY(-marginMM)
	f.SetFont(fontFamily, "", 8)
	f.SetTextColor(90, 90, 90)
	left := "uppsikt – bevis för kommentar " + d.ev.CommentID
	if d.ev.RegisterNumber != "" {
		left = d.ev.RegisterNumber + " – " + left
	}
	f.CellFormat(0, 5, clean(left), "", 0, "L", false, 0, "")
	f.SetX(marginMM)
	f.CellFormat(0, 5, fmt.Sprintf("Sida %d av {nb}", f.PageNo()), "", 0, "R", false, 0, "")
	f.SetTextColor(0, 0, 0)
}

func (d *doc) heading(s string) {
	f := d.f
	f.SetFont(fontFamily, "B", 13)
	f.MultiCell(0, 7, clean(s), "", "L", false)
	f.Ln(1)
	f.SetFont(fontFamily, "", 10)
}

// row prints a label and a value that wraps in the column beside it.
func (d *doc) row(label, value string) {
	f := d.f
	const labelW = 42.0
	if value == "" {
		value = "–"
	}
	_, pageH := f.GetPageSize()
	if f.GetY()+6 > pageH-marginMM-5 {
		f.AddPage()
	}
	y := f.GetY()
	f.SetFont(fontFamily, "B", 9.5)
	f.SetXY(marginMM, y)
	f.MultiCell(labelW, 5, clean(label), "", "L", false)
	yLabel := f.GetY()
	f.SetFont(fontFamily, "", 9.5)
	f.SetXY(marginMM+labelW, y)
	f.MultiCell(0, 5, clean(value), "", "L", false)
	if f.GetY() < yLabel {
		f.SetY(yLabel)
	}
	f.SetX(marginMM)
}

func (d *doc) when(t time.Time) string {
	if t.IsZero() {
		return "okänd"
	}
	s := t.UTC().Format("2006-01-02 15:04:05") + " UTC"
	if d.loc != time.UTC {
		s += " / " + t.In(d.loc).Format("2006-01-02 15:04:05 MST") + " (" + d.loc.String() + ")"
	}
	return s
}

func (d *doc) cover(shots []shot) {
	f := d.f
	ev := d.ev
	f.AddPage()
	f.SetFont(fontFamily, "B", 17)
	f.MultiCell(0, 9, "Bevisunderlag för en kommentar", "", "L", false)
	f.SetFont(fontFamily, "", 10)
	f.MultiCell(0, 5, "Dokumenterad av uppsikt innan kommentaren döljs eller tas bort. "+
		"Det råa svaret från plattformen är bifogat i filen ("+RawJSONName+").", "", "L", false)
	f.Ln(4)

	reg := ev.RegisterNumber
	if reg == "" {
		reg = "ej registrerad ännu"
	}
	d.row("Diarienummer", reg)
	d.row("Konto", joinNonEmpty(" ", ev.AccountName, paren(ev.AccountKey), paren(string(ev.Platform))))
	d.row("Inlägg", ev.PostID)
	if ev.PostMessage != "" {
		d.row("Inläggets text", truncate(ev.PostMessage, 600))
	}
	d.row("Kommentar-id", ev.CommentID)
	d.row("Permalänk", ev.PermalinkURL)
	d.row("Författare", joinNonEmpty(" ", ev.Author.Name, paren("id "+ev.Author.ID)))
	d.row("Skriven", d.when(ev.CreatedAt))
	for _, v := range ev.Versions {
		d.row(fmt.Sprintf("Version %d sedd", v.Version), joinNonEmpty(" ", d.when(v.SeenAt), paren(string(v.Source))))
	}
	d.row("Dokumenterad", d.when(ev.CapturedAt))
	if len(shots) == 0 {
		failure := ev.CaptureFailure
		if failure == "" {
			failure = "ingen skärmbild togs"
		}
		d.row("Skärmbild", "SAKNAS – "+failure+". Beviset består av metadata, text och kontrollsummor.")
	} else {
		d.row("Skärmbilder", fmt.Sprintf("%d, från sidan %d", len(shots), 2))
	}

	f.Ln(4)
	d.heading("Träffar mot riktlinjen")
	if len(ev.Hits) == 0 {
		f.MultiCell(0, 5, "Inga träffar från klassificeraren.", "", "L", false)
	}
	for i, h := range ev.Hits {
		f.SetFont(fontFamily, "B", 9.5)
		f.MultiCell(0, 5, clean(fmt.Sprintf("%d. %s – regel %s", i+1, h.Category, h.RuleID)), "", "L", false)
		f.SetFont(fontFamily, "", 9.5)
		d.row("Träff", "»"+h.Match+"«")
		d.row("Riktlinje", joinNonEmpty(", ", h.Citation.Document, h.Citation.Section))
		if h.Explanation != "" {
			d.row("Förklaring", h.Explanation)
		}
		if h.Suggest != "" {
			d.row("Föreslagen åtgärd", h.Suggest)
		}
		f.Ln(1)
	}

	f.Ln(3)
	d.heading("Granskningsbeslut")
	if ev.Decision == nil {
		f.MultiCell(0, 5, "Inget beslut ännu.", "", "L", false)
		return
	}
	dec := ev.Decision
	d.row("Beslut", dec.Kind)
	d.row("Av", joinNonEmpty(" ", dec.By, paren(dec.Surface)))
	d.row("Tidpunkt", d.when(dec.At))
	if dec.Reason != "" {
		d.row("Motivering", dec.Reason)
	}
}

func (d *doc) screenshot(i int, s shot) {
	f := d.f
	pageW, pageH := f.GetPageSize()
	contentW := pageW - 2*marginMM
	bottom := pageH - marginMM - 5

	b := s.img.Bounds()
	mmPerPx := contentW / float64(b.Dx())
	for y0, part := b.Min.Y, 1; y0 < b.Max.Y; part++ {
		f.AddPage()
		title := fmt.Sprintf("Skärmbild %d: %s", i+1, s.Title)
		if part > 1 {
			title += fmt.Sprintf(" (forts. %d)", part)
		}
		d.heading(title)
		if part == 1 {
			d.row("Adress", s.URL)
			d.row("Tagen", d.when(s.CapturedAt))
			d.row("SHA-256 (PNG)", s.SHA256)
			f.Ln(2)
		}
		avail := bottom - f.GetY()
		rows := int(avail / mmPerPx)
		if rows < 1 {
			rows = 1
		}
		y1 := min(y0+rows, b.Max.Y)
		name := fmt.Sprintf("shot%d", d.images)
		d.images++
		data, err := encodeSlice(s.img, image.Rect(b.Min.X, y0, b.Max.X, y1))
		if err != nil {
			f.SetError(fmt.Errorf("screenshot %d: %w", i+1, err))
			return
		}
		f.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(data))
		h := float64(y1-y0) * mmPerPx
		f.ImageOptions(name, marginMM, f.GetY(), contentW, h, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
		f.Rect(marginMM, f.GetY(), contentW, h, "D")
		y0 = y1
	}
}

// encodeSlice re-encodes part of a screenshot as an opaque 8-bit RGB PNG,
// which fpdf embeds without a soft mask.
func encodeSlice(img image.Image, r image.Rectangle) ([]byte, error) {
	dst := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(dst, dst.Bounds(), img, r.Min, draw.Over)
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, dst); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (d *doc) versions() {
	f := d.f
	f.AddPage()
	d.heading("Kommentarens text, ordagrant")
	if len(d.ev.Versions) == 0 {
		f.MultiCell(0, 5, "Ingen text lagrad.", "", "L", false)
	}
	for _, v := range d.ev.Versions {
		f.SetFont(fontFamily, "B", 10)
		f.MultiCell(0, 6, clean(fmt.Sprintf("Version %d – sedd %s", v.Version, d.when(v.SeenAt))), "", "L", false)
		f.SetFont(fontFamily, "", 10)
		f.SetFillColor(245, 245, 245)
		f.MultiCell(0, 5.2, clean(v.Message), "1", "L", true)
		f.SetFont(fontFamily, "", 8)
		f.MultiCell(0, 4.5, clean("SHA-256 av texten: "+moderation.VersionHash(v.Message)), "", "L", false)
		f.Ln(3)
	}
}

func (d *doc) hashes(shots []shot) {
	f := d.f
	f.Ln(4)
	d.heading("Kontrollsummor (SHA-256)")
	sum := sha256.Sum256(d.ev.RawJSON)
	d.hashLine("Rått API-svar ("+RawJSONName+", bifogat)", hex.EncodeToString(sum[:]))
	for i, s := range shots {
		d.hashLine(fmt.Sprintf("Skärmbild %d (%s)", i+1, s.Title), s.SHA256)
	}
}

func (d *doc) hashLine(label, sum string) {
	f := d.f
	f.SetFont(fontFamily, "", 9.5)
	f.MultiCell(0, 5, clean(label+":"), "", "L", false)
	f.SetFont(fontFamily, "", 8.5)
	f.MultiCell(0, 5, "SHA-256 "+sum, "", "L", false)
	f.Ln(1)
}

// clean makes text safe to draw: valid UTF-8, no control characters but
// newlines, tabs as spaces, and characters beyond the Basic Multilingual
// Plane (emoji), which the PDF fonts cannot hold, written as their code
// point: "[U+1F600]". The verbatim text is also in the attached raw answer.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteRune(r)
		case r == '\t':
			b.WriteByte(' ')
		case r == '\r':
			b.WriteByte('\n')
		case unicode.IsControl(r):
		case unicode.Is(unicode.Cf, r): // zero-width and direction marks
		case r > 0xFFFF:
			fmt.Fprintf(&b, "[U+%04X]", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + " …"
}

func paren(s string) string {
	if s == "" || s == "id " {
		return ""
	}
	return "(" + s + ")"
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
