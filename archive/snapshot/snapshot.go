package snapshot

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/uppsikt/uppsikt/archive/capture"
	"github.com/uppsikt/uppsikt/archive/evidence"
	"github.com/uppsikt/uppsikt/archive/pdf"
	"github.com/uppsikt/uppsikt/moderation"
)

// Store is what a snapshot reads and records.
type Store interface {
	moderation.ArchiveStore
	Account(ctx context.Context, key string) (moderation.Account, error)
}

// Capturer takes an account's page as a sequence of page-sized bands,
// handing each over as it is taken; *capture.Browser is one.
type Capturer interface {
	Scroll(ctx context.Context, url string, o capture.ScrollOptions, each func(capture.Band) error) (capture.ScrollEnd, error)
}

// ErrNoLayout is returned (wrapped) by Write when the account's page could
// not be captured and the request did not leave the layout out
// (Request.ContentOnly): a snapshot must show the page's layout.
var ErrNoLayout = errors.New("the layout of the account's page could not be captured")

// Live tells what the platform still has of a post's thread: the comments
// it shows now, by platform id, with their text. It returns an error for
// which Gone is true when the post itself is no longer on the platform.
type Live interface {
	Thread(ctx context.Context, a moderation.Account, postID string) (map[string]string, error)
	Gone(err error) bool
}

// Progress is how far a snapshot has come.
type Progress struct {
	Posts    int
	Comments int
	Fraction float64 // of the period covered so far, 0 to 1
	Phase    string  // "screenshots", "content", "pdf/a"
}

// Options configure a Writer.
type Options struct {
	Store    Store
	Capture  Capturer // nil: no layout, which fails unless the request is ContentOnly
	Live     Live     // nil: every text comes from the store
	Location *time.Location
	PDF      pdf.Options
	TempDir  string
	// PostsPerPart bounds the posts drawn into one temporary PDF part, and
	// so the memory a snapshot needs; 200 when zero.
	PostsPerPart int
	// Scroll configures the capture of the account's page (band height,
	// the most bands, the selectors of the next page and of the posts'
	// dates); Since is always the period's start.
	Scroll capture.ScrollOptions
	// BandsPerPart bounds the screenshots drawn into one temporary PDF
	// part; 40 when zero.
	BandsPerPart int
	// AfterLayout, when set, is called once the layout is captured, before
	// the content is laid out and converted: the caller stops the browser
	// there, so that its memory and Ghostscript's are never needed at once.
	AfterLayout func()
	Progress    func(Progress)
	// Language is the language of the snapshot's texts (sv, da, en; sv
	// when empty): the municipality's, for a snapshot is its record.
	Language string
	// Municipality is the municipality's name, the snapshot's author in
	// its document info and XMP metadata.
	Municipality string
	// Creator is the program that writes the snapshot with its version,
	// "uppsikt 1.4.0"; "uppsikt" when empty.
	Creator string
	Logger  *slog.Logger
	Now     func() time.Time
}

// Request is one snapshot to write.
type Request struct {
	AccountKey string
	Kind       string    // moderation.SnapshotYearly, SnapshotClosing or SnapshotManual
	From, To   time.Time // the period [From, To)
	Out        string    // the PDF file to write
	PageURLs   []string  // the account's pages to capture for the layout, asking for the period (see doc.go)
	// ContentOnly leaves the layout out by the operator's choice (the
	// -content-only flag, capture.disabled), for ContentOnlyReason, which
	// the cover gives. Without it a snapshot whose layout cannot be
	// captured fails with ErrNoLayout.
	ContentOnly       bool
	ContentOnlyReason string
	// Attachments are embedded in the PDF, which makes it PDF/A-3b.
	Attachments []pdf.Attachment
}

// Result describes a written snapshot.
type Result struct {
	Record       moderation.SnapshotRecord
	Pages        int
	Posts        int
	Comments     int
	FromPlatform int // comment texts taken from the platform
	FromStore    int // comment texts taken from uppsikt's store
	Removed      int // removed comments shown by their register number
	Disposed     int // texts disposed under the retention plan
	Screenshots  int
	Parts        int
}

// Writer writes snapshots.
type Writer struct {
	o Options
}

// New returns a Writer.
func New(o Options) *Writer {
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.PostsPerPart <= 0 {
		o.PostsPerPart = 200
	}
	if o.BandsPerPart <= 0 {
		o.BandsPerPart = 40
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Progress == nil {
		o.Progress = func(Progress) {}
	}
	if o.PDF.Timeout <= 0 {
		// A year of a busy account is thousands of pages; the context
		// still stops a run that is no longer wanted.
		o.PDF.Timeout = 2 * time.Hour
	}
	return &Writer{o: o}
}

const (
	margin     = 15.0
	frontPages = 2
)

// job is the state of one snapshot being written.
type job struct {
	w       *Writer
	req     Request
	account moderation.Account
	dir     string
	taken   time.Time
	fonts   *pdf.WinAnsi
	glyphs  *pdf.Glyphs
	text    *pdf.Text // draws every text of the snapshot as it was written

	f     *fpdf.Fpdf
	base  int // pages in earlier parts
	parts []string
	label string

	manifest   *bufio.Writer
	manifestF  *os.File
	months     [12]int // first page of each month, 0 when none
	monthPosts [12]int
	sections   []tocEntry
	marks      []pdf.Bookmark // of the months and posts, in order
	res        Result
	notes      []string
}

type tocEntry struct {
	title string
	page  int
}

// Write writes the snapshot the request asks for, records it in the store
// and returns what it holds.
func (w *Writer) Write(ctx context.Context, req Request) (Result, error) {
	if req.Kind == "" {
		req.Kind = moderation.SnapshotManual
	}
	if !req.From.Before(req.To) || req.Out == "" {
		return Result{}, fmt.Errorf("snapshot: a period with From before To and an output file are required")
	}
	a, err := w.o.Store.Account(ctx, req.AccountKey)
	if err != nil {
		return Result{}, fmt.Errorf("snapshot: %w", err)
	}
	dir, err := os.MkdirTemp(w.o.TempDir, "uppsikt-snapshot-")
	if err != nil {
		return Result{}, fmt.Errorf("snapshot: %w", err)
	}
	defer os.RemoveAll(dir)
	fonts, err := pdf.NewWinAnsi(dir)
	if err != nil {
		return Result{}, fmt.Errorf("snapshot: %w", err)
	}
	glyphs, err := pdf.NewGlyphs()
	if err != nil {
		return Result{}, fmt.Errorf("snapshot: %w", err)
	}
	j := &job{w: w, req: req, account: a, dir: dir, taken: w.o.Now().UTC(), base: frontPages, fonts: fonts, glyphs: glyphs}
	j.label = fmt.Sprintf(j.t("label"), a.Name,
		req.From.In(w.o.Location).Format(time.DateOnly), req.To.Add(-time.Nanosecond).In(w.o.Location).Format(time.DateOnly))
	j.manifestF, err = os.Create(filepath.Join(dir, "manifest.txt"))
	if err != nil {
		return Result{}, fmt.Errorf("snapshot: %w", err)
	}
	defer j.manifestF.Close()
	j.manifest = bufio.NewWriter(j.manifestF)

	err = j.screenshots(ctx)
	if w.o.AfterLayout != nil {
		w.o.AfterLayout()
	}
	if err != nil {
		return Result{}, err
	}
	if err := j.content(ctx); err != nil {
		return Result{}, err
	}
	if err := j.manifestPart(); err != nil {
		return Result{}, err
	}
	total := j.base
	if err := j.front(); err != nil {
		return Result{}, err
	}
	w.o.Progress(Progress{Posts: j.res.Posts, Comments: j.res.Comments, Fraction: 1, Phase: "pdf/a"})

	layoutDone := w.o.Now()
	part := 2
	if len(req.Attachments) > 0 {
		part = 3
	}
	tmp := req.Out + ".tmp"
	meta := pdf.Metadata{
		Title:    fmt.Sprintf(j.t("title"), a.Name, periodName(req.From, req.To, w.o.Location)),
		Subject:  fmt.Sprintf(j.t("subject"), a.Key, a.Platform),
		Author:   w.o.Municipality,
		Creator:  w.o.Creator,
		Language: languageTag(w.o.Language),
		Outline:  j.outline(),
	}
	if err := pdf.ConvertFiles(ctx, j.parts, tmp, part, meta, req.Attachments, w.o.PDF); err != nil {
		os.Remove(tmp)
		return Result{}, fmt.Errorf("snapshot: %w", err)
	}
	w.o.Logger.Debug("snapshot phases", "account", a.Key, "layout", layoutDone.Sub(j.taken), "pdfa", w.o.Now().Sub(layoutDone))
	sum, size, err := evidence.HashFile(tmp)
	if err != nil {
		os.Remove(tmp)
		return Result{}, fmt.Errorf("snapshot: %w", err)
	}
	if err := os.Chmod(tmp, 0o640); err != nil { // personal data: not for others on the machine
		os.Remove(tmp)
		return Result{}, fmt.Errorf("snapshot: %w", err)
	}
	if err := os.Rename(tmp, req.Out); err != nil {
		os.Remove(tmp)
		return Result{}, fmt.Errorf("snapshot: %w", err)
	}
	j.res.Pages = total
	j.res.Parts = len(j.parts)
	rec, err := w.o.Store.RecordSnapshot(ctx, moderation.SnapshotRecord{
		AccountKey: a.Key, Kind: req.Kind, From: req.From, To: req.To, Path: req.Out, SHA256: sum, Size: size,
		Pages: total, Posts: j.res.Posts, Comments: j.res.Comments, CreatedAt: j.taken,
	})
	if err != nil {
		return Result{}, fmt.Errorf("snapshot: %w", err)
	}
	j.res.Record = rec
	w.o.Logger.Info("snapshot written", "account", a.Key, "path", req.Out, "pages", total, "posts", j.res.Posts,
		"comments", j.res.Comments, "bytes", size)
	return j.res, nil
}

// languageTag is the BCP 47 tag of a snapshot language, for the PDF's
// /Lang and XMP dc:language.
func languageTag(l string) string {
	switch lang(l) {
	case "da":
		return "da-DK"
	case "en":
		return "en"
	}
	return "sv-SE"
}

// outline is the snapshot's bookmarks: the cover, the table of contents and
// each section, the content with a bookmark per month and, below it, per
// post.
func (j *job) outline() []pdf.Bookmark {
	top := pageTop()
	out := []pdf.Bookmark{{Title: j.t("toc_cover"), Page: 1, Top: top}, {Title: j.t("toc"), Page: 2, Top: top}}
	for _, s := range j.sections {
		out = append(out, pdf.Bookmark{Title: s.title, Page: s.page, Top: top})
		if s.title == j.t("content_toc") {
			for _, m := range j.marks {
				m.Level++
				out = append(out, m)
			}
		}
	}
	return out
}

// pageTop is the top of an A4 page in PDF points from its bottom.
func pageTop() float64 { return 297 * 72 / 25.4 }

// mark draws with draw and records a bookmark at where it began, at level
// 0 (a month) or 1 (a post) below the content.
func (j *job) mark(level int, title string, draw func()) {
	page, y := j.page(), j.f.GetY()
	draw()
	if j.page() != page { // the text began a new page
		page, y = j.page(), margin
	}
	_, h := j.f.GetPageSize()
	j.marks = append(j.marks, pdf.Bookmark{Title: title, Level: level, Page: page, Top: (h - y) * 72 / 25.4})
}

func periodName(from, to time.Time, loc *time.Location) string {
	f, t := from.In(loc), to.Add(-time.Nanosecond).In(loc)
	if f.Month() == time.January && f.Day() == 1 && t.Month() == time.December && t.Day() == 31 && f.Year() == t.Year() {
		return fmt.Sprint(f.Year())
	}
	return f.Format(time.DateOnly) + " – " + t.Format(time.DateOnly)
}

// newDoc starts a PDF part whose pages are numbered after the earlier ones.
func (j *job) newDoc() *fpdf.Fpdf {
	f := fpdf.New("P", "mm", "A4", "")
	f.SetMargins(margin, margin, margin)
	f.SetAutoPageBreak(true, margin+5)
	j.fonts.Add(f)
	if j.text == nil {
		j.text = pdf.NewText(f, j.fonts, pdf.FontFamily, j.glyphs)
	} else {
		j.text.Draw(f)
	}
	f.SetCreator("uppsikt", false)
	f.SetProducer("uppsikt (fpdf)", false)
	f.SetCreationDate(j.taken)
	f.SetModificationDate(j.taken)
	base := j.base
	f.SetFooterFunc(func() {
		f.SetY(-margin)
		// The footer is drawn inside AddPage: the font of the page's text
		// is restored after it.
		style, size := j.text.Style()
		j.text.Font("", 8)
		f.SetTextColor(90, 90, 90)
		j.text.Cell(0, 5, pdf.Prepare(j.label), 0, "L")
		f.SetX(margin)
		j.text.Cell(0, 5, fmt.Sprintf(j.t("page"), base+f.PageNo()), 0, "R")
		f.SetTextColor(0, 0, 0)
		j.text.Font(style, size)
	})
	j.f = f
	return f
}

// page is the number the current page will have in the snapshot.
func (j *job) page() int { return j.base + j.f.PageNo() }

// flush writes the current part to disk and lets go of it.
func (j *job) flush(name string) error {
	if j.f == nil {
		return nil
	}
	f := j.f
	j.f = nil
	if f.PageNo() == 0 {
		return nil
	}
	if err := f.Error(); err != nil {
		return fmt.Errorf("snapshot: layout: %w", err)
	}
	path := filepath.Join(j.dir, fmt.Sprintf("%03d-%s.pdf", len(j.parts)+1, name))
	pages := f.PageNo()
	if err := writePart(j.text, path); err != nil {
		return fmt.Errorf("snapshot: layout: %w", err)
	}
	j.parts = append(j.parts, path)
	j.base += pages
	return nil
}

// writePart writes the part t draws in with Output, which gives emoji
// their characters in the text layer.
func writePart(t *pdf.Text, path string) error {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(out)
	if err := t.Output(w); err != nil {
		out.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func (j *job) heading(text string, size float64) {
	j.text.Font("B", size)
	j.text.Multi(0, size*0.55, pdf.Prepare(text), "", false)
	j.f.Ln(1)
	j.text.Font("", 10)
}

func (j *job) row(label, value string) {
	f := j.f
	const labelW = 48.0
	if value == "" {
		value = "–"
	}
	y := f.GetY()
	j.text.Font("B", 9.5)
	f.SetXY(margin, y)
	j.text.Multi(labelW, 5, pdf.Prepare(label), "", false)
	yLabel := f.GetY()
	j.text.Font("", 9.5)
	f.SetXY(margin+labelW, y)
	j.text.Multi(0, 5, pdf.Prepare(value), "", false)
	if f.GetY() < yLabel {
		f.SetY(yLabel)
	}
	f.SetX(margin)
}

func (j *job) when(t time.Time) string {
	if t.IsZero() {
		return j.t("unknown_time")
	}
	return t.In(j.w.o.Location).Format("2006-01-02 15:04")
}

// screenshots captures the account's pages band by band and draws each
// band on a page of its own, a part of at most BandsPerPart bands at a
// time. A page that cannot be captured fails the snapshot with
// ErrNoLayout, unless the request leaves the layout out.
func (j *job) screenshots(ctx context.Context) error {
	j.w.o.Progress(Progress{Phase: "screenshots"})
	if j.req.ContentOnly {
		j.notes = append(j.notes, fmt.Sprintf(j.t("content_only"), j.req.ContentOnlyReason))
		return nil
	}
	switch {
	case j.w.o.Capture == nil:
		return fmt.Errorf("snapshot: %w: no browser", ErrNoLayout)
	case len(j.req.PageURLs) == 0:
		return fmt.Errorf("snapshot: %w: no page address for the account", ErrNoLayout)
	}
	so := j.w.o.Scroll
	so.Since = j.req.From
	for i, u := range j.req.PageURLs {
		inPart := 0
		end, err := j.w.o.Capture.Scroll(ctx, u, so, func(b capture.Band) error {
			if err := j.drawBand(i+1, b); err != nil {
				return err
			}
			j.res.Screenshots++
			if inPart++; inPart >= j.w.o.BandsPerPart {
				inPart = 0
				return j.flush("layout")
			}
			return nil
		})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("snapshot: %w: page %d: %w", ErrNoLayout, i+1, err)
		}
		if end.Bands == 0 {
			return fmt.Errorf("snapshot: %w: page %d showed nothing", ErrNoLayout, i+1)
		}
		j.w.o.Logger.Info("snapshot layout captured", "account", j.account.Key, "page", i+1, "screenshots", end.Bands,
			"documents", end.Documents, "ended", end.Reason)
		j.notes = append(j.notes, fmt.Sprintf(j.t("layout_"+end.Reason), u, end.Bands, end.Documents))
	}
	return j.flush("layout")
}

// drawBand draws one band of page n on a page of its own, its address,
// time and SHA-256 above it, and lists it in the manifest.
func (j *job) drawBand(n int, b capture.Band) error {
	sum := sha256.Sum256(b.PNG)
	hexSum := hex.EncodeToString(sum[:])
	fmt.Fprintf(j.manifest, j.t("manifest_shot"), b.N, b.URL, hexSum)
	cfg, err := png.DecodeConfig(bytes.NewReader(b.PNG))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return fmt.Errorf("snapshot: screenshot %d: %w", b.N, errors.Join(err, errors.New("no picture")))
	}
	data := b.PNG
	if !opaqueRGB(b.PNG) {
		// The PDF takes an opaque RGB PNG as it is; anything else is
		// drawn on white and encoded again.
		img, err := png.Decode(bytes.NewReader(b.PNG))
		if err != nil {
			return fmt.Errorf("snapshot: screenshot %d: %w", b.N, err)
		}
		if data, err = encodeSlice(img, img.Bounds()); err != nil {
			return fmt.Errorf("snapshot: screenshot %d: %w", b.N, err)
		}
	}
	if j.f == nil {
		j.newDoc()
	}
	f := j.f
	f.AddPage()
	if j.res.Screenshots == 0 {
		j.sections = append(j.sections, tocEntry{j.t("layout"), j.page()})
	}
	j.heading(fmt.Sprintf(j.t("shot"), b.N, b.Title), 11)
	j.text.Font("", 7)
	f.SetTextColor(90, 90, 90)
	j.text.Multi(0, 3.4, pdf.Prepare(fmt.Sprintf(j.t("band"), n, b.Document, b.Top, b.URL)+"\n"+
		j.t("taken")+" "+j.when(b.CapturedAt)+"   SHA-256 (PNG) "+hexSum), "", false)
	f.SetTextColor(0, 0, 0)
	j.text.Font("", 10)
	f.Ln(1)
	pageW, pageH := f.GetPageSize()
	maxW, maxH := pageW-2*margin, pageH-margin-5-f.GetY()
	w := maxW
	h := w * float64(cfg.Height) / float64(cfg.Width)
	if h > maxH {
		h = maxH
		w = h * float64(cfg.Width) / float64(cfg.Height)
	}
	name := fmt.Sprintf("band%d", b.N)
	f.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(data))
	x := margin + (maxW-w)/2
	f.ImageOptions(name, x, f.GetY(), w, h, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	f.Rect(x, f.GetY(), w, h, "D")
	return nil
}

// opaqueRGB reports whether data is a PNG of 8-bit RGB without alpha, not
// interlaced (its header's bit depth, colour type and interlace method),
// as Chromium writes screenshots.
func opaqueRGB(data []byte) bool {
	return len(data) > 28 && string(data[12:16]) == "IHDR" && data[24] == 8 && data[25] == 2 && data[28] == 0
}

// encodeSlice re-encodes part of a screenshot as an opaque RGB PNG.
func encodeSlice(img image.Image, r image.Rectangle) ([]byte, error) {
	dst := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(dst, dst.Bounds(), img, r.Min, draw.Over)
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, dst); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// content draws every post of the period with its thread, a part of at
// most PostsPerPart posts at a time.
func (j *job) content(ctx context.Context) error {
	st := j.w.o.Store
	loc := j.w.o.Location
	inPart := 0
	var cur moderation.PostCursor
	span := j.req.To.Sub(j.req.From).Seconds()
	started := false
	for {
		posts, next, err := st.PostsBetween(ctx, j.account.Key, j.req.From, j.req.To, cur, 100)
		if err != nil {
			return fmt.Errorf("snapshot: %w", err)
		}
		if len(posts) == 0 {
			break
		}
		cur = next
		for _, p := range posts {
			if err := ctx.Err(); err != nil {
				return err
			}
			if j.f == nil {
				j.newDoc()
				j.f.AddPage()
				inPart = 0
			}
			if !started {
				j.sections = append(j.sections, tocEntry{j.t("content_toc"), j.page()})
				started = true
			}
			m := p.CreatedAt.In(loc).Month() - 1
			if j.months[m] == 0 {
				if j.monthPosts[m] == 0 && inPart > 0 {
					j.f.AddPage()
				}
				month := j.month(m) + " " + fmt.Sprint(p.CreatedAt.In(loc).Year())
				j.mark(0, month, func() { j.heading(month, 16) })
				j.months[m] = j.page()
			}
			j.monthPosts[m]++
			if err := j.post(ctx, p); err != nil {
				return err
			}
			inPart++
			if inPart >= j.w.o.PostsPerPart {
				if err := j.flush("content"); err != nil {
					return err
				}
			}
			j.w.o.Progress(Progress{Posts: j.res.Posts, Comments: j.res.Comments, Phase: "content",
				Fraction: min(max(p.CreatedAt.Sub(j.req.From).Seconds()/span, 0), 1)})
		}
	}
	if !started {
		j.newDoc()
		j.f.AddPage()
		j.sections = append(j.sections, tocEntry{j.t("content_toc"), j.page()})
		j.heading(j.t("content"), 16)
		j.text.Multi(0, 5, pdf.Prepare(j.t("no_posts")), "", false)
	}
	return j.flush("content")
}

// t is a fixed text of the snapshot in its language.
func (j *job) t(key string) string { return words[lang(j.w.o.Language)][key] }

// month is the name of month m (0 for January) in the snapshot's language.
func (j *job) month(m time.Month) string { return strings.Split(j.t("months"), ",")[m] }

// threadEntry is a comment as printed.
type threadEntry struct {
	c     moderation.ArchivedComment
	depth int
}

// post draws one post and its thread.
func (j *job) post(ctx context.Context, p moderation.Post) error {
	st := j.w.o.Store
	var all []moderation.ArchivedComment
	var after int64
	for {
		cs, err := st.ThreadComments(ctx, j.account.Key, p.PlatformID, after, 1000)
		if err != nil {
			return fmt.Errorf("snapshot: %w", err)
		}
		if len(cs) == 0 {
			break
		}
		all = append(all, cs...)
		after = cs[len(cs)-1].RowID
	}
	var live map[string]string
	postGone := false
	liveAsked := false
	if j.w.o.Live != nil {
		m, err := j.w.o.Live.Thread(ctx, j.account, p.PlatformID)
		switch {
		case err == nil:
			live, liveAsked = m, true
		case j.w.o.Live.Gone(err):
			postGone, liveAsked = true, true
		case ctx.Err() != nil:
			return ctx.Err()
		default:
			j.w.o.Logger.Warn("snapshot: the platform did not answer for a post; its thread is taken from the store",
				"account", j.account.Key, "post", p.PlatformID, "err", err)
		}
	}

	h := sha256.New()
	f := j.f
	j.text.Font("B", 11)
	title := fmt.Sprintf(j.t("post"), j.when(p.CreatedAt))
	if p.Author.Name != "" {
		title += " – " + p.Author.Name
	}
	mark := title
	if p.Message != "" {
		mark += ": " + truncate(strings.Join(strings.Fields(p.Message), " "), 60)
	}
	j.mark(1, mark, func() { j.text.Multi(0, 6, pdf.Prepare(title), "", false) })
	j.text.Font("", 8)
	f.SetTextColor(90, 90, 90)
	src := j.t("src_both")
	switch {
	case postGone:
		src = j.t("src_gone")
	case !liveAsked:
		src = j.t("src_store")
	}
	j.text.Multi(0, 4, pdf.Prepare("id "+p.PlatformID+"   "+p.PermalinkURL+"\n"+src), "", false)
	f.SetTextColor(0, 0, 0)
	j.text.Font("", 10)
	j.text.Multi(0, 5, pdf.Prepare(p.Message), "", false)
	fmt.Fprintf(h, "post\x00%s\x00%s\x00%s\n", p.PlatformID, p.CreatedAt.UTC().Format(time.RFC3339), p.Message)

	entries := orderThread(all)
	for _, e := range entries {
		c := e.c
		text, marker := j.commentText(c, live, liveAsked)
		fmt.Fprintf(h, "comment\x00%s\x00%s\x00%s\x00%s\n", c.PlatformID, c.ParentID, text, marker)
		indent := 6.0 + 8.0*float64(min(e.depth, 3))
		f.SetX(margin + indent)
		j.text.Font("B", 8.5)
		who := c.Author.Name
		if who == "" {
			who = j.t("unknown")
		}
		head := who + " · " + j.when(c.CreatedAt)
		if e.depth > 0 {
			head = "» " + head
		}
		if marker != "" {
			head += "  [" + marker + "]"
		}
		j.text.Multi(0, 4.2, pdf.Prepare(head), "", false)
		f.SetX(margin + indent)
		j.text.Font("", 9)
		j.text.Multi(0, 4.4, pdf.Prepare(text), "", false)
		j.res.Comments++
	}
	f.Ln(3)
	sum := hex.EncodeToString(h.Sum(nil))
	fmt.Fprintf(j.manifest, j.t("manifest_post"), j.when(p.CreatedAt), p.PlatformID, len(entries), sum)
	j.res.Posts++
	return nil
}

// commentText is what a snapshot prints of a comment, and the marker that
// says where it comes from.
func (j *job) commentText(c moderation.ArchivedComment, live map[string]string, liveAsked bool) (text, marker string) {
	removed := c.State == moderation.StateDeleted || c.State == moderation.StateHidden
	switch {
	case removed && len(c.RegisterNumbers) > 0:
		j.res.Removed++
		format := j.t("removed")
		if c.State == moderation.StateHidden {
			format = j.t("hidden")
		}
		return fmt.Sprintf(format, strings.Join(c.RegisterNumbers, ", ")), j.t("registered")
	case c.Disposed:
		j.res.Disposed++
		return j.t("disposed_text"), j.t("disposed")
	}
	if m, ok := live[c.PlatformID]; ok {
		j.res.FromPlatform++
		return m, ""
	}
	j.res.FromStore++
	switch {
	case liveAsked:
		return c.Message, j.t("gone")
	case c.State == moderation.StateDeleted:
		return c.Message, j.t("deleted")
	case c.State == moderation.StateHidden:
		return c.Message, j.t("hidden_marker")
	}
	return c.Message, ""
}

// orderThread puts top-level comments in time order, each followed by its
// replies in time order (and theirs). A reply whose parent is unknown is
// treated as top level.
func orderThread(cs []moderation.ArchivedComment) []threadEntry {
	byParent := map[string][]moderation.ArchivedComment{}
	known := map[string]bool{}
	for _, c := range cs {
		known[c.PlatformID] = true
	}
	for _, c := range cs {
		parent := c.ParentID
		if !known[parent] {
			parent = ""
		}
		byParent[parent] = append(byParent[parent], c)
	}
	for _, l := range byParent {
		sort.SliceStable(l, func(a, b int) bool {
			if !l[a].CreatedAt.Equal(l[b].CreatedAt) {
				return l[a].CreatedAt.Before(l[b].CreatedAt)
			}
			return l[a].ID < l[b].ID
		})
	}
	out := make([]threadEntry, 0, len(cs))
	seen := map[string]bool{}
	var walk func(parent string, depth int)
	walk = func(parent string, depth int) {
		for _, c := range byParent[parent] {
			if seen[c.PlatformID] {
				continue
			}
			seen[c.PlatformID] = true
			out = append(out, threadEntry{c, depth})
			walk(c.PlatformID, depth+1)
		}
	}
	walk("", 0)
	return out
}

// manifestPart draws the manifest from the temporary file, line by line.
func (j *job) manifestPart() error {
	if err := j.manifest.Flush(); err != nil {
		return fmt.Errorf("snapshot: manifest: %w", err)
	}
	if _, err := j.manifestF.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("snapshot: manifest: %w", err)
	}
	j.newDoc()
	f := j.f
	f.AddPage()
	j.sections = append(j.sections, tocEntry{j.t("manifest_toc"), j.page()})
	j.heading(j.t("manifest"), 16)
	j.text.Font("", 8.5)
	j.text.Multi(0, 4.5, pdf.Prepare(j.t("manifest_text")), "", false)
	f.Ln(2)
	j.text.Font("", 7)
	sc := bufio.NewScanner(j.manifestF)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	parts := 0
	for sc.Scan() {
		j.text.Multi(0, 3.6, pdf.Prepare(strings.ReplaceAll(sc.Text(), "\t", "   ")), "", false)
		parts++
		if parts%5000 == 0 {
			if err := j.flush("manifest"); err != nil {
				return err
			}
			j.newDoc()
			j.f.AddPage()
			j.text.Font("", 7)
			f = j.f
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("snapshot: manifest: %w", err)
	}
	return j.flush("manifest")
}

// front draws the cover with the account's metadata and the table of
// contents: always two pages, written last and put first.
func (j *job) front() error {
	base := j.base
	j.base = 0
	defer func() { j.base = base }()
	f := j.newDoc()
	f.SetAutoPageBreak(false, 0)
	f.AddPage()
	a := j.account
	loc := j.w.o.Location
	j.heading(fmt.Sprintf(j.t("cover"), a.Name), 20)
	j.heading(periodName(j.req.From, j.req.To, loc)+" – "+j.kindName(j.req.Kind), 13)
	f.Ln(2)
	j.row(j.t("account"), a.Key)
	j.row(j.t("platform"), string(a.Platform))
	j.row(j.t("platform_id"), a.PlatformID)
	j.row(j.t("name"), a.Name)
	j.row(j.t("owners"), truncate(strings.Join(a.Owners, ", "), 200))
	j.row(j.t("substitutes"), truncate(strings.Join(a.Substitutes, ", "), 200))
	status := string(a.Status)
	if s := j.t("status_" + status); s != "" {
		status = s
	}
	j.row(j.t("status"), status)
	j.row(j.t("period"), j.when(j.req.From)+" – "+j.when(j.req.To)+" ("+loc.String()+j.t("period_end")+")")
	j.row(j.t("taken"), j.taken.Format("2006-01-02 15:04:05")+" UTC")
	j.row(j.t("posts"), fmt.Sprint(j.res.Posts))
	j.row(j.t("comments"), fmt.Sprint(j.res.Comments))
	j.row(j.t("from_platform"), fmt.Sprint(j.res.FromPlatform))
	j.row(j.t("from_store"), fmt.Sprint(j.res.FromStore))
	j.row(j.t("removed_count"), fmt.Sprint(j.res.Removed))
	j.row(j.t("disposed_count"), fmt.Sprint(j.res.Disposed))
	j.row(j.t("shots"), fmt.Sprint(j.res.Screenshots))
	j.row(j.t("pages"), fmt.Sprint(base))
	f.Ln(3)
	j.text.Font("", 8.5)
	explain := j.t("explain")
	j.text.Multi(0, 4.3, pdf.Prepare(explain), "", false)
	for _, n := range j.notes {
		if f.GetY() > 260 {
			break
		}
		j.text.Multi(0, 4.3, pdf.Prepare(truncate(n, 300)), "", false)
	}

	f.AddPage()
	j.heading(j.t("toc"), 16)
	toc := func(title string, page int, bold bool) {
		style := ""
		if bold {
			style = "B"
		}
		j.text.Font(style, 10.5)
		j.text.Cell(150, 6.5, pdf.Prepare(title), 0, "L")
		p := "–"
		if page > 0 {
			p = fmt.Sprint(page)
		}
		j.text.Cell(0, 6.5, p, 1, "R")
	}
	toc(j.t("toc_cover"), 1, true)
	toc(j.t("toc"), 2, true)
	for _, s := range j.sections {
		toc(s.title, s.page, true)
		if s.title == j.t("content_toc") {
			for m := range 12 {
				label := j.month(time.Month(m))
				if j.monthPosts[m] > 0 {
					label += fmt.Sprintf(j.t("month_posts"), j.monthPosts[m])
				}
				toc("      "+label, j.months[m], false)
			}
		}
	}
	if f.PageNo() != frontPages {
		return fmt.Errorf("snapshot: front matter has %d pages, want %d", f.PageNo(), frontPages)
	}
	// The front part goes first.
	if err := j.flush("front"); err != nil {
		return err
	}
	last := j.parts[len(j.parts)-1]
	j.parts = append([]string{last}, j.parts[:len(j.parts)-1]...)
	return nil
}

func (j *job) kindName(k string) string {
	switch k {
	case moderation.SnapshotYearly, moderation.SnapshotClosing:
		return j.t(k)
	}
	return j.t("kind")
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + " …"
}
