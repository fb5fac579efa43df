package pdf

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"strconv"
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
	// Thread is the comment in its context: the comments shown around it
	// in thread order, itself included (Target). ThreadBefore and
	// ThreadAfter count the post's comments left out before and after.
	Thread                    []ThreadLine
	ThreadBefore, ThreadAfter int
	// Language is the language of every fixed text (sv, da, en; sv when
	// empty or unknown). Hits come with their citation and explanation
	// already in it (archive/evidencepdf); categories, suggested actions
	// and decisions are put in words here.
	Language string
}

// ThreadLine is one comment of the context shown in the evidence PDF.
type ThreadLine struct {
	CommentID string
	Author    string
	CreatedAt time.Time
	Text      string
	State     string // visible, hidden or deleted
	Reply     bool
	Target    bool // the documented comment
	Disposed  bool // its text was disposed
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

// firstShotPage stands for the page number of the first screenshot on the
// cover until the layout knows it.
const firstShotPage = "{shot1}"

const (
	fontFamily    = "dejavu"
	winAnsiFamily = "dejavu-winansi"
	marginMM      = 15.0
)

// Title returns the document title of the evidence PDF.
func Title(ev Evidence) string {
	t := fmt.Sprintf(evidenceWords(ev.Language).title, ev.CommentID)
	if ev.RegisterNumber != "" {
		t = ev.RegisterNumber + " – " + t
	}
	if ev.AccountName != "" {
		t += " – " + ev.AccountName
	}
	return strings.ReplaceAll(Prepare(t), "\n", " ")
}

// Layout draws the evidence PDF with fpdf, before the conversion to PDF/A,
// with every text in the UTF-8 fonts. It is exported for tools that want
// the plain PDF.
func Layout(ev Evidence) ([]byte, error) {
	return LayoutWith(ev, nil)
}

// LayoutWith is Layout drawing every text that Windows-1252 holds exactly
// in the single-byte fonts of w, and only the rest in the UTF-8 fonts:
// Ghostscript converts the single-byte fonts several times faster. Nil w
// draws all text in the UTF-8 fonts. RenderEvidence calls it.
func LayoutWith(ev Evidence, w *WinAnsi) ([]byte, error) {
	shots, err := checkScreenshots(ev.Screenshots)
	if err != nil {
		return nil, err
	}
	loc := ev.Location
	if loc == nil {
		loc = time.UTC
	}
	glyphs, err := NewGlyphs()
	if err != nil {
		return nil, err
	}
	d := &doc{f: fpdf.New("P", "mm", "A4", ""), ev: ev, loc: loc, w: evidenceWords(ev.Language)}
	f := d.f
	f.SetMargins(marginMM, marginMM, marginMM)
	f.SetAutoPageBreak(true, marginMM+5)
	if w != nil {
		w.addAs(f, winAnsiFamily)
	}
	d.t = NewText(f, w, winAnsiFamily, glyphs)
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
	d.thread()
	f.RegisterAlias(firstShotPage, strconv.Itoa(f.PageNo()+1))
	for i, s := range shots {
		d.screenshot(i, s)
	}
	d.versions()
	d.hashes(shots)

	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("pdf: layout: %w", err)
	}
	var buf bytes.Buffer
	if err := d.t.Output(&buf); err != nil {
		return nil, fmt.Errorf("pdf: layout: %w", err)
	}
	return buf.Bytes(), nil
}

type shot struct {
	Screenshot
	width, height int
	// direct: the PNG is embedded as it is, once, and shown on each page
	// it spans through a clipping rectangle. Otherwise img is the decoded
	// screenshot, re-encoded in slices of a page each.
	direct bool
	img    image.Image
}

// maxDirectHeight is the height in pixels up to which a screenshot is
// embedded once and clipped on each page (about four pages); a taller one
// is cut into slices, so that a reader does not decode the whole picture
// for every page.
const maxDirectHeight = 6000

// embeddable reports whether fpdf can embed the PNG data as it is, without
// decoding it: 8-bit grey or RGB, not interlaced, without transparency.
func embeddable(data []byte) bool {
	const sig = "\x89PNG\r\n\x1a\n"
	if len(data) < 33 || string(data[:8]) != sig || string(data[12:16]) != "IHDR" {
		return false
	}
	depth, colorType, interlace := data[24], data[25], data[28]
	if depth != 8 || (colorType != 0 && colorType != 2) || interlace != 0 {
		return false
	}
	for p := 8; p+8 <= len(data); {
		n := int(binary.BigEndian.Uint32(data[p:]))
		switch string(data[p+4 : p+8]) {
		case "tRNS":
			return false
		case "IDAT":
			return true
		}
		if n < 0 || n > len(data) {
			return false
		}
		p += 12 + n
	}
	return false
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
		sh := shot{Screenshot: s, width: cfg.Width, height: cfg.Height}
		if cfg.Height <= maxDirectHeight && embeddable(s.PNG) {
			sh.direct = true
		} else if sh.img, err = png.Decode(bytes.NewReader(s.PNG)); err != nil {
			return nil, fmt.Errorf("pdf: screenshot %d: %w", i+1, err)
		}
		out = append(out, sh)
	}
	return out, nil
}

type doc struct {
	f      *fpdf.Fpdf
	t      *Text // draws every text as it was written
	ev     Evidence
	w      evidenceLabels
	loc    *time.Location
	images int
}

// font sets the style and size of the text drawn next.
func (d *doc) font(style string, size float64) {
	d.t.Font(style, size)
}

// multi draws s, outside or inside text, as fpdf's MultiCell aligned left
// does, in the fonts that have its characters (see Text).
func (d *doc) multi(w, h float64, s, border string, fill bool) {
	d.t.Multi(w, h, Prepare(s), border, fill)
}

func (d *doc) footer() {
	f := d.f
	// The footer is drawn inside AddPage: the font of the page's text is
	// restored after it.
	style, size := d.t.Style()
	f.SetY(-marginMM)
	d.font("", 8)
	f.SetTextColor(90, 90, 90)
	left := fmt.Sprintf(d.w.footer, d.ev.CommentID)
	if d.ev.RegisterNumber != "" {
		left = d.ev.RegisterNumber + " – " + left
	}
	d.t.Cell(0, 5, Prepare(left), 0, "L")
	f.SetX(marginMM)
	d.t.Cell(0, 5, fmt.Sprintf(d.w.page, f.PageNo()), 0, "R")
	f.SetTextColor(0, 0, 0)
	if size > 0 {
		d.font(style, size)
	}
}

func (d *doc) heading(s string) {
	d.font("B", 13)
	d.multi(0, 7, s, "", false)
	d.f.Ln(1)
	d.font("", 10)
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
	d.font("B", 9.5)
	f.SetXY(marginMM, y)
	d.multi(labelW, 5, label, "", false)
	yLabel := f.GetY()
	d.font("", 9.5)
	f.SetXY(marginMM+labelW, y)
	d.multi(0, 5, value, "", false)
	if f.GetY() < yLabel {
		f.SetY(yLabel)
	}
	f.SetX(marginMM)
}

func (d *doc) when(t time.Time) string {
	if t.IsZero() {
		return d.w.unknown
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
	d.font("B", 17)
	d.multi(0, 9, d.w.docTitle, "", false)
	d.font("", 10)
	d.multi(0, 5, fmt.Sprintf(d.w.intro, RawJSONName), "", false)
	f.Ln(4)

	reg := ev.RegisterNumber
	if reg == "" {
		reg = d.w.notRegistered
	}
	w := d.w
	d.row(w.register, reg)
	d.row(w.account, joinNonEmpty(" ", ev.AccountName, paren(ev.AccountKey), paren(string(ev.Platform))))
	d.row(w.post, ev.PostID)
	if ev.PostMessage != "" {
		d.row(w.postText, truncate(ev.PostMessage, 600))
	}
	d.row(w.commentID, ev.CommentID)
	d.row(w.permalink, ev.PermalinkURL)
	d.row(w.author, joinNonEmpty(" ", ev.Author.Name, paren("id "+ev.Author.ID)))
	d.row(w.written, d.when(ev.CreatedAt))
	for _, v := range ev.Versions {
		d.row(fmt.Sprintf(w.seen, v.Version), joinNonEmpty(" ", d.when(v.SeenAt), paren(string(v.Source))))
	}
	d.row(w.documented, d.when(ev.CapturedAt))
	if len(shots) == 0 {
		failure := ev.CaptureFailure
		if failure == "" {
			failure = w.noShot
		}
		d.row(w.shot, fmt.Sprintf(w.shotMissing, failure))
	} else {
		// The context before them may take a page of its own: the number
		// is filled in when the layout is done.
		d.row(w.shots, fmt.Sprintf(w.shotsFrom, len(shots), firstShotPage))
	}

	f.Ln(4)
	d.heading(w.hitsHeading)
	if len(ev.Hits) == 0 {
		d.multi(0, 5, w.noHits, "", false)
	}
	for i, h := range ev.Hits {
		d.font("B", 9.5)
		d.multi(0, 5, fmt.Sprintf(w.rule, i+1, CategoryWords(ev.Language, h.Category), h.RuleID), "", false)
		d.font("", 9.5)
		d.row(w.hit, "»"+h.Match+"«")
		d.row(w.guideline, joinNonEmpty(", ", h.Citation.Document, h.Citation.Section))
		if h.Explanation != "" {
			d.row(w.explanation, h.Explanation)
		}
		if h.Suggest != "" {
			d.row(w.suggested, Suggestion(ev.Language, h.Suggest))
		}
		f.Ln(1)
	}

	f.Ln(3)
	d.heading(w.decisionHeading)
	if ev.Decision == nil {
		d.multi(0, 5, w.noDecision, "", false)
		return
	}
	dec := ev.Decision
	d.row(w.decision, DecisionKind(ev.Language, dec.Kind))
	surface := dec.Surface
	if s := w.surfaces[surface]; s != "" {
		surface = s
	}
	d.row(w.by, joinNonEmpty(" ", dec.By, paren(surface)))
	d.row(w.at, d.when(dec.At))
	if dec.Reason != "" {
		d.row(w.reason, dec.Reason)
	}
}

// thread draws the comment in its context: the comments shown around it,
// the documented one marked, and how many of the post's comments are not
// shown. Neighbours' texts come cut by the caller (archive/evidencepdf):
// they are context, not the evidence.
func (d *doc) thread() {
	ev := d.ev
	if len(ev.Thread) == 0 {
		return
	}
	f := d.f
	f.Ln(3)
	d.heading(d.w.context)
	omitted := func(n int, format string) {
		if n > 0 {
			d.font("", 9)
			f.SetTextColor(90, 90, 90)
			d.multi(0, 5, fmt.Sprintf(format, n), "", false)
			f.SetTextColor(0, 0, 0)
		}
	}
	omitted(ev.ThreadBefore, d.w.omittedBefore)
	for _, t := range ev.Thread {
		indent := 0.0
		if t.Reply {
			indent = 8
		}
		head := joinNonEmpty(" · ", t.Author, d.when(t.CreatedAt), t.CommentID)
		if t.State != "" && t.State != "visible" {
			state := t.State
			if s := d.w.states[state]; s != "" {
				state = s
			}
			head += " · " + state
		}
		if t.Target {
			head += " · " + d.w.target
		}
		text := t.Text
		if t.Disposed {
			text = d.w.disposed
		}
		f.SetX(marginMM + indent)
		d.font("B", 8.5)
		d.multi(0, 4.5, head, "", false)
		f.SetX(marginMM + indent)
		d.font("", 9.5)
		d.multi(0, 5, text, "", false)
		f.Ln(1.5)
	}
	omitted(ev.ThreadAfter, d.w.omittedAfter)
	d.font("", 10)
}

func (d *doc) screenshot(i int, s shot) {
	f := d.f
	pageW, pageH := f.GetPageSize()
	contentW := pageW - 2*marginMM
	bottom := pageH - marginMM - 5

	mmPerPx := contentW / float64(s.width)
	name := fmt.Sprintf("shot%d", d.images)
	if s.direct {
		d.images++
		d.f.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(s.PNG))
	}
	for y0, part := 0, 1; y0 < s.height; part++ {
		f.AddPage()
		title := fmt.Sprintf(d.w.shotTitle, i+1, s.Title)
		if part > 1 {
			title += fmt.Sprintf(d.w.cont, part)
		}
		d.heading(title)
		if part == 1 {
			d.row(d.w.address, s.URL)
			d.row(d.w.taken, d.when(s.CapturedAt))
			d.row("SHA-256 (PNG)", s.SHA256)
			f.Ln(2)
		}
		avail := bottom - f.GetY()
		rows := int(avail / mmPerPx)
		if rows < 1 {
			rows = 1
		}
		y1 := min(y0+rows, s.height)
		h := float64(y1-y0) * mmPerPx
		top := f.GetY()
		if s.direct {
			// The whole picture, moved up by the rows already shown and
			// clipped to this page's part.
			f.ClipRect(marginMM, top, contentW, h, false)
			f.ImageOptions(name, marginMM, top-float64(y0)*mmPerPx, contentW, float64(s.height)*mmPerPx, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
			f.ClipEnd()
		} else {
			b := s.img.Bounds()
			name = fmt.Sprintf("shot%d", d.images)
			d.images++
			data, err := encodeSlice(s.img, image.Rect(b.Min.X, b.Min.Y+y0, b.Max.X, b.Min.Y+y1))
			if err != nil {
				f.SetError(fmt.Errorf("screenshot %d: %w", i+1, err))
				return
			}
			f.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(data))
			f.ImageOptions(name, marginMM, top, contentW, h, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
		}
		f.Rect(marginMM, top, contentW, h, "D")
		f.SetY(top + h)
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
	d.heading(d.w.verbatim)
	if len(d.ev.Versions) == 0 {
		d.multi(0, 5, d.w.noText, "", false)
	}
	for _, v := range d.ev.Versions {
		d.font("B", 10)
		d.multi(0, 6, fmt.Sprintf(d.w.versionSeen, v.Version, d.when(v.SeenAt)), "", false)
		d.font("", 10)
		f.SetFillColor(245, 245, 245)
		d.multi(0, 5.2, v.Message, "1", true)
		d.font("", 8)
		d.multi(0, 4.5, d.w.textHash+moderation.VersionHash(v.Message), "", false)
		f.Ln(3)
	}
}

func (d *doc) hashes(shots []shot) {
	f := d.f
	f.Ln(4)
	d.heading(d.w.checksums)
	sum := sha256.Sum256(d.ev.RawJSON)
	d.hashLine(fmt.Sprintf(d.w.rawAnswer, RawJSONName), hex.EncodeToString(sum[:]))
	for i, s := range shots {
		d.hashLine(fmt.Sprintf("%s %d (%s)", d.w.shot, i+1, s.Title), s.SHA256)
	}
}

func (d *doc) hashLine(label, sum string) {
	d.font("", 9.5)
	d.multi(0, 5, label+":", "", false)
	d.font("", 8.5)
	d.multi(0, 5, "SHA-256 "+sum, "", false)
	d.f.Ln(1)
}

// Clean makes text safe to draw with fpdf's own MultiCell in the UTF-8
// font of AddFonts: valid UTF-8, no control characters but newlines, tabs
// as spaces, and characters beyond the Basic Multilingual Plane (emoji),
// which that font cannot hold, written as their code point: "[U+1F600]".
// It is for the fixed texts and names of the monthly report and the
// decision addendum; a comment's text is drawn with Text, which keeps
// every character (see Prepare).
func Clean(s string) string {
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

// Row prints a label and a value that wraps in the column beside it, at
// the left margin of f in the UTF-8 font, starting a new page when the row
// would reach the bottom margin. Both are drawn as given: Clean them first.
func Row(f *fpdf.Fpdf, label, value string) {
	const labelW = 42.0
	if value == "" {
		value = "–"
	}
	_, pageH := f.GetPageSize()
	if f.GetY()+6 > pageH-marginMM-5 {
		f.AddPage()
	}
	y := f.GetY()
	f.SetFont(FontFamily, "B", 9.5)
	f.SetXY(marginMM, y)
	f.MultiCell(labelW, 5, label, "", "L", false)
	yLabel := f.GetY()
	f.SetFont(FontFamily, "", 9.5)
	f.SetXY(marginMM+labelW, y)
	f.MultiCell(0, 5, value, "", "L", false)
	if f.GetY() < yLabel {
		f.SetY(yLabel)
	}
	f.SetX(marginMM)
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
