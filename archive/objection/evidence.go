package objection

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/uppsikt/uppsikt/archive/capture"
	"github.com/uppsikt/uppsikt/archive/pdf"
	"github.com/uppsikt/uppsikt/moderation"
)

// Evidence kinds, as stored on the objection.
const (
	KindPDFA         = "pdfa"           // screenshot and data, PDF/A-3b with the platform's answer attached
	KindPDFATextOnly = "pdfa_text_only" // the stored data only (the browser failed), PDF/A-3b
	KindPDF          = "pdf"            // screenshot and data, plain PDF (the PDF/A conversion failed)
	KindPDFTextOnly  = "pdf_text_only"  // the stored data only, plain PDF
)

// maxShotPixels bounds a screenshot decoded for the PDF, so that a hostile
// page cannot exhaust memory.
const maxShotPixels = 52_000_000

const marginMM = 15.0

// sheet is what the evidence PDF of an objection shows.
type sheet struct {
	o            moderation.Objection
	a            moderation.Account
	p            moderation.Post
	shot         *capture.Shot
	failure      string // why there is no screenshot
	capturedAt   time.Time
	loc          *time.Location
	municipality string
}

// layout draws the evidence PDF (not yet PDF/A).
func layout(s sheet) ([]byte, error) {
	var img image.Image
	if s.shot != nil {
		cfg, err := png.DecodeConfig(bytes.NewReader(s.shot.PNG))
		if err != nil {
			return nil, fmt.Errorf("objection: screenshot: %w", err)
		}
		if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxShotPixels {
			return nil, fmt.Errorf("objection: screenshot of %d×%d pixels is too large", cfg.Width, cfg.Height)
		}
		if img, err = png.Decode(bytes.NewReader(s.shot.PNG)); err != nil {
			return nil, fmt.Errorf("objection: screenshot: %w", err)
		}
	}
	f := fpdf.New("P", "mm", "A4", "")
	pdf.AddFonts(f)
	f.SetMargins(marginMM, marginMM, marginMM)
	f.SetAutoPageBreak(true, marginMM+5)
	f.AliasNbPages("{nb}")
	f.SetCreator("uppsikt", true)
	f.SetTitle(title(s), true)
	f.SetFooterFunc(func() {
		f.SetY(-marginMM)
		f.SetFont(pdf.FontFamily, "", 8)
		f.CellFormat(0, 5, pdf.Clean(s.o.RegisterNumber+" – uppsikt"), "", 0, "L", false, 0, "")
		f.SetX(marginMM)
		f.CellFormat(0, 5, fmt.Sprintf("%d / {nb}", f.PageNo()), "", 0, "R", false, 0, "")
	})
	f.AddPage()
	heading(f, title(s))
	l := labels(s.o.Language)
	row(f, l.register, s.o.RegisterNumber)
	row(f, l.municipality, s.municipality)
	row(f, l.account, fmt.Sprintf("%s (%s, %s)", s.a.Name, s.a.Platform, s.a.PlatformID))
	row(f, l.post, s.p.PlatformID)
	row(f, l.permalink, s.p.PermalinkURL)
	row(f, l.created, when(s.p.CreatedAt, s.loc))
	row(f, l.text, s.p.Message)
	f.Ln(3)
	heading(f, l.objection)
	row(f, l.person, s.o.Person)
	row(f, l.contact, s.o.Contact)
	row(f, l.reason, s.o.Reason)
	row(f, l.received, when(s.o.ReceivedAt, s.loc))
	row(f, l.recordedBy, s.o.RecordedBy)
	f.Ln(3)
	heading(f, l.capture)
	row(f, l.capturedAt, when(s.capturedAt, s.loc))
	if s.shot != nil {
		sum := sha256.Sum256(s.shot.PNG)
		row(f, l.shotURL, s.shot.URL)
		row(f, "SHA-256 (PNG)", hex.EncodeToString(sum[:]))
	} else {
		row(f, l.noShot, s.failure)
	}
	if len(s.p.Raw) > 0 {
		sum := sha256.Sum256(s.p.Raw)
		row(f, "SHA-256 (JSON)", hex.EncodeToString(sum[:]))
		f.Ln(2)
		heading(f, l.raw)
		var pretty bytes.Buffer
		if json.Indent(&pretty, s.p.Raw, "", "  ") != nil {
			pretty.Reset()
			pretty.Write(s.p.Raw)
		}
		f.SetFont(pdf.FontFamily, "", 7.5)
		f.MultiCell(0, 3.6, pdf.Clean(pretty.String()), "", "L", false)
	}
	if img != nil {
		drawShot(f, img, l.screenshot)
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("objection: evidence PDF: %w", err)
	}
	return buf.Bytes(), nil
}

func title(s sheet) string {
	return labels(s.o.Language).title + " " + s.p.PlatformID
}

func heading(f *fpdf.Fpdf, s string) {
	f.SetFont(pdf.FontFamily, "B", 13)
	f.MultiCell(0, 7, pdf.Clean(s), "", "L", false)
	f.Ln(1)
}

func row(f *fpdf.Fpdf, label, value string) {
	pdf.Row(f, pdf.Clean(label), pdf.Clean(value))
}

// drawShot draws a full-page screenshot over as many pages as it needs, at
// the page's width.
func drawShot(f *fpdf.Fpdf, img image.Image, label string) {
	pageW, pageH := f.GetPageSize()
	contentW := pageW - 2*marginMM
	bottom := pageH - marginMM - 5
	b := img.Bounds()
	mmPerPx := contentW / float64(b.Dx())
	for y0, part := b.Min.Y, 1; y0 < b.Max.Y; part++ {
		f.AddPage()
		heading(f, fmt.Sprintf("%s (%d)", label, part))
		rows := max(int((bottom-f.GetY())/mmPerPx), 1)
		y1 := min(y0+rows, b.Max.Y)
		dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), y1-y0))
		draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
		draw.Draw(dst, dst.Bounds(), img, image.Point{X: b.Min.X, Y: y0}, draw.Over)
		var buf bytes.Buffer
		if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, dst); err != nil {
			f.SetError(fmt.Errorf("screenshot: %w", err))
			return
		}
		name := fmt.Sprintf("shot%d", part)
		opt := fpdf.ImageOptions{ImageType: "PNG"}
		f.RegisterImageOptionsReader(name, opt, &buf)
		h := float64(y1-y0) * mmPerPx
		f.ImageOptions(name, marginMM, f.GetY(), contentW, h, false, opt, 0, "")
		y0 = y1
	}
}

func when(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	s := t.UTC().Format("2006-01-02 15:04:05") + " UTC"
	if loc != nil && loc != time.UTC {
		s += " / " + t.In(loc).Format("2006-01-02 15:04:05 MST")
	}
	return s
}

type sheetLabels struct {
	title, register, municipality, account, post, permalink, created, text string
	objection, person, contact, reason, received, recordedBy               string
	capture, capturedAt, shotURL, noShot, raw, screenshot                  string
}

func labels(lang string) sheetLabels {
	if lang == "da" {
		return sheetLabels{
			title: "Dokumentation før sletning: eget opslag", register: "Journalnummer", municipality: "Myndighed",
			account: "Konto", post: "Opslag", permalink: "Adresse", created: "Offentliggjort", text: "Tekst",
			objection: "Indsigelse", person: "Fra", contact: "Kontakt", reason: "Begrundelse", received: "Modtaget",
			recordedBy: "Registreret af", capture: "Dokumentation", capturedAt: "Taget", shotURL: "Skærmbillede af",
			noShot: "Intet skærmbillede", raw: "Platformens data (JSON)", screenshot: "Skærmbillede",
		}
	}
	return sheetLabels{
		title: "Underlag före borttagning: eget inlägg", register: "Diarienummer", municipality: "Myndighet",
		account: "Konto", post: "Inlägg", permalink: "Adress", created: "Publicerat", text: "Text",
		objection: "Invändning", person: "Från", contact: "Kontakt", reason: "Skäl", received: "Mottagen",
		recordedBy: "Registrerad av", capture: "Underlag", capturedAt: "Taget", shotURL: "Skärmbild av",
		noShot: "Ingen skärmbild", raw: "Plattformens data (JSON)", screenshot: "Skärmbild",
	}
}
