package evidencepdf

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/uppsikt/uppsikt/archive/capture"
	"github.com/uppsikt/uppsikt/archive/evidence"
	"github.com/uppsikt/uppsikt/archive/pdf"
	"github.com/uppsikt/uppsikt/moderation"
)

// Evidence file kinds recorded in the store.
const (
	KindPDF          = "pdf"
	KindScreenshot   = "screenshot"
	KindEvidenceView = "evidence_view"
	KindRawJSON      = "raw_json"
)

// AuditCommitted is the audit action written when a comment's evidence PDF
// is committed.
const AuditCommitted = "evidence.committed"

// Capturer takes the screenshots; *capture.Browser implements it.
type Capturer interface {
	Page(ctx context.Context, rawURL string) (capture.Shot, error)
	HTML(ctx context.Context, html []byte) (capture.Shot, error)
	Allowed(rawURL string) bool
}

// Options configure a Maker.
type Options struct {
	Store moderation.Store
	Dir   *evidence.Dir
	// Browser takes the screenshots; nil makes text-only evidence.
	Browser Capturer
	PDF     pdf.Options
	// Municipality is shown in the evidence view.
	Municipality string
	// Location is the municipality's time zone, shown beside UTC.
	Location *time.Location
	// ThreadLimit bounds the comments of the thread shown (default 80).
	ThreadLimit int
	Now         func() time.Time
	Logger      *slog.Logger
}

// Maker makes and commits the evidence of comments. It is safe for
// concurrent use.
type Maker struct {
	opts Options

	fontsOnce sync.Once
	fonts     *pdf.WinAnsi // nil when they could not be built
}

// New returns a Maker.
func New(opts Options) *Maker {
	if opts.ThreadLimit <= 0 {
		opts.ThreadLimit = 80
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Maker{opts: opts}
}

// Request names the comment to document.
type Request struct {
	CommentID      int64
	CaseID         int64  // its review case, for the decision; 0 when none
	RegisterNumber string // shown on the cover; empty before registration
}

// Document is an evidence PDF made for one comment, before it is stored.
type Document struct {
	PDF            []byte
	PDFA           bool   // converted to PDF/A-3b
	CaptureFailure string // why screenshots are missing, when they are
	PDFAFailure    string // why the conversion failed, when it did
	Screenshots    []pdf.Screenshot
	View           []byte // the evidence view HTML
	RawJSON        []byte
	Timings        Timings
}

// Timings are where the time of one evidence PDF went.
type Timings struct {
	Load    time.Duration // reading the store and rendering the evidence view
	Capture time.Duration // both screenshots (taken at once)
	Layout  time.Duration // drawing the PDF (fpdf)
	Convert time.Duration // the conversion to PDF/A-3b (Ghostscript)
	Store   time.Duration // files and rows
}

// Result is what Make committed.
type Result struct {
	PDF moderation.EvidenceFile
	Document
}

// Render makes the evidence PDF of a comment without storing anything,
// for `uppsikt capture`.
func (m *Maker) Render(ctx context.Context, req Request) (Document, error) {
	start := time.Now()
	ev, view, err := m.load(ctx, req)
	if err != nil {
		return Document{}, err
	}
	doc := Document{RawJSON: ev.RawJSON}
	html, err := RenderView(view)
	if err != nil {
		return Document{}, err
	}
	doc.View = html
	doc.Timings.Load = time.Since(start)

	start = time.Now()
	doc.Screenshots, doc.CaptureFailure = m.capture(ctx, ev.PermalinkURL, html)
	ev.Screenshots = doc.Screenshots
	ev.CaptureFailure = doc.CaptureFailure
	doc.Timings.Capture = time.Since(start)

	start = time.Now()
	draft, err := pdf.LayoutWith(ev, m.winAnsi())
	if err != nil {
		return Document{}, fmt.Errorf("evidence PDF of comment %d: %w", req.CommentID, err)
	}
	doc.Timings.Layout = time.Since(start)

	start = time.Now()
	out, err := pdf.ConvertEvidence(ctx, ev, draft, m.opts.PDF)
	if err != nil {
		if ctx.Err() != nil {
			return Document{}, ctx.Err()
		}
		// Ghostscript missing or failing must not block the removal of
		// sensitive data: keep the plain PDF and say so.
		doc.PDFAFailure = err.Error()
		m.opts.Logger.Warn("PDF/A conversion failed; storing the plain evidence PDF", "comment_id", req.CommentID, "error", err)
		out = draft
	} else {
		doc.PDFA = true
	}
	doc.PDF = out
	doc.Timings.Convert = time.Since(start)
	return doc, nil
}

// winAnsi returns the single-byte fonts of the layout: the configured ones,
// or ones built on first use. Nil (every text in the UTF-8 fonts, slower to
// convert) when they cannot be built.
func (m *Maker) winAnsi() *pdf.WinAnsi {
	if m.opts.PDF.WinAnsi != nil {
		return m.opts.PDF.WinAnsi
	}
	m.fontsOnce.Do(func() {
		w, err := pdf.NewWinAnsiCut(m.opts.PDF.TempDir)
		if err != nil {
			m.opts.Logger.Warn("single-byte PDF fonts could not be built; the evidence PDF uses the UTF-8 fonts only", "error", err)
			return
		}
		m.fonts = w
	})
	return m.fonts
}

// Make documents a comment and commits the evidence: the screenshots, the
// evidence view, the raw platform answer and the evidence PDF are stored
// content-addressed, then recorded in the store (the PDF last), then an
// audit entry is appended.
func (m *Maker) Make(ctx context.Context, req Request) (Result, error) {
	// The browser's housekeeping waits until this comment's PDF is
	// committed, which is what a removal waits for.
	if h, ok := m.opts.Browser.(interface{ Hold() func() }); ok {
		defer h.Hold()()
	}
	doc, err := m.Render(ctx, req)
	if err != nil {
		return Result{}, err
	}
	start := time.Now()
	now := m.opts.Now()
	put := func(data []byte, ext, kind string) (moderation.EvidenceFile, error) {
		f, err := m.opts.Dir.Put(ctx, data, ext)
		if err != nil {
			return moderation.EvidenceFile{}, fmt.Errorf("store %s: %w", kind, err)
		}
		return m.opts.Store.AddEvidence(ctx, moderation.EvidenceFile{
			CommentID: req.CommentID, Kind: kind, SHA256: f.SHA256, Path: f.Path, Size: f.Size, CreatedAt: now,
		})
	}
	for _, s := range doc.Screenshots {
		if _, err := put(s.PNG, "png", KindScreenshot); err != nil {
			return Result{}, err
		}
	}
	if _, err := put(doc.View, "html", KindEvidenceView); err != nil {
		return Result{}, err
	}
	if len(doc.RawJSON) > 0 {
		if _, err := put(doc.RawJSON, "json", KindRawJSON); err != nil {
			return Result{}, err
		}
	}
	// The PDF's row is written after its file is on disk; the executor waits
	// for it before any hide or delete.
	file, err := put(doc.PDF, "pdf", KindPDF)
	if err != nil {
		return Result{}, err
	}
	detail, _ := json.Marshal(map[string]any{
		"comment_id": req.CommentID, "case_id": req.CaseID, "register_number": req.RegisterNumber,
		"sha256": file.SHA256, "path": file.Path, "size": file.Size, "pdfa": doc.PDFA,
		"screenshots": len(doc.Screenshots), "capture_failure": doc.CaptureFailure, "pdfa_failure": doc.PDFAFailure,
	})
	if _, err := m.opts.Store.AppendAudit(ctx, moderation.AuditEntry{
		At: now, Actor: "uppsikt", Action: AuditCommitted, Subject: "comment " + strconv.FormatInt(req.CommentID, 10), Detail: detail,
	}); err != nil {
		return Result{}, err
	}
	doc.Timings.Store = time.Since(start)
	m.opts.Logger.Info("evidence committed", "comment_id", req.CommentID, "sha256", file.SHA256, "size", file.Size,
		"screenshots", len(doc.Screenshots), "pdfa", doc.PDFA)
	return Result{PDF: file, Document: doc}, nil
}

// capture takes the live page and the evidence view at once. It returns
// the screenshots it got and, when any failed, why.
func (m *Maker) capture(ctx context.Context, permalink string, view []byte) ([]pdf.Screenshot, string) {
	if m.opts.Browser == nil {
		return nil, "ingen webbläsare är konfigurerad"
	}
	var (
		wg         sync.WaitGroup
		live, vw   capture.Shot
		lErr, vErr error
	)
	switch {
	case permalink == "":
		lErr = errors.New("kommentaren har ingen permalänk")
	case !m.opts.Browser.Allowed(permalink):
		lErr = fmt.Errorf("permalänkens värd är inte en konfigurerad plattformsvärd")
	default:
		wg.Go(func() { live, lErr = m.opts.Browser.Page(ctx, permalink) })
	}
	wg.Go(func() { vw, vErr = m.opts.Browser.HTML(ctx, view) })
	wg.Wait()
	var shots []pdf.Screenshot
	var failures []string
	if lErr == nil {
		shots = append(shots, pdf.Screenshot{Title: "Kommentaren på plattformen", PNG: live.PNG, URL: live.URL, CapturedAt: live.CapturedAt})
	} else {
		failures = append(failures, "plattformens sida: "+lErr.Error())
	}
	if vErr == nil {
		shots = append(shots, pdf.Screenshot{Title: "Bevisvy återgiven av uppsikt", PNG: vw.PNG, URL: "uppsikt:evidence-view", CapturedAt: vw.CapturedAt})
	} else {
		failures = append(failures, "bevisvyn: "+vErr.Error())
	}
	if len(failures) > 0 {
		m.opts.Logger.Warn("capture failed", "live_error", errString(lErr), "view_error", errString(vErr))
	}
	failure := ""
	for i, f := range failures {
		if i > 0 {
			failure += "; "
		}
		failure += f
	}
	return shots, failure
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// load reads what the store knows about the comment.
func (m *Maker) load(ctx context.Context, req Request) (pdf.Evidence, View, error) {
	st := m.opts.Store
	c, err := st.Comment(ctx, req.CommentID)
	if err != nil {
		return pdf.Evidence{}, View{}, fmt.Errorf("evidence: %w", err)
	}
	versions, err := st.CommentVersions(ctx, c.ID)
	if err != nil {
		return pdf.Evidence{}, View{}, fmt.Errorf("evidence: %w", err)
	}
	acct, err := st.Account(ctx, c.AccountKey)
	if err != nil {
		return pdf.Evidence{}, View{}, fmt.Errorf("evidence: %w", err)
	}
	post, err := st.Post(ctx, c.AccountKey, c.PostID)
	if err != nil && !errors.Is(err, moderation.ErrNotFound) {
		return pdf.Evidence{}, View{}, fmt.Errorf("evidence: %w", err)
	}
	var verdict *moderation.StoredVerdict
	if v, err := st.LatestVerdict(ctx, c.ID); err == nil {
		verdict = &v
	} else if !errors.Is(err, moderation.ErrNotFound) {
		return pdf.Evidence{}, View{}, fmt.Errorf("evidence: %w", err)
	}
	var decision *moderation.Decision
	if req.CaseID != 0 {
		ds, err := st.Decisions(ctx, req.CaseID)
		if err != nil {
			return pdf.Evidence{}, View{}, fmt.Errorf("evidence: %w", err)
		}
		if len(ds) > 0 {
			decision = &ds[len(ds)-1]
		}
	}
	thread, err := m.thread(ctx, c)
	if err != nil {
		return pdf.Evidence{}, View{}, err
	}
	raw := rawJSON(post, versions)
	now := m.opts.Now()
	ev := pdf.Evidence{
		RegisterNumber: req.RegisterNumber, AccountName: acct.Name, AccountKey: acct.Key, Platform: acct.Platform,
		PostID: c.PostID, PostMessage: post.Message, CommentID: c.PlatformID, PermalinkURL: permalink(c, post),
		Author: c.Author, CreatedAt: c.CreatedAt, Versions: versions, CapturedAt: now, Location: m.opts.Location,
		Decision: decision, RawJSON: raw,
	}
	if verdict != nil {
		ev.Hits = verdict.Verdict.Hits
	}
	view := View{
		Municipality: m.opts.Municipality, RegisterNumber: req.RegisterNumber, Account: acct, Post: post, Comment: c,
		Versions: versions, Verdict: verdict, Thread: thread, Location: m.opts.Location, RenderedAt: now,
	}
	return ev, view, nil
}

// thread returns the post's comments, top-level ones by time with their
// replies under them, at most ThreadLimit around the documented comment.
func (m *Maker) thread(ctx context.Context, c moderation.Comment) ([]ThreadComment, error) {
	st := m.opts.Store
	states, err := st.CommentStates(ctx, c.AccountKey, c.PostID)
	if err != nil {
		return nil, fmt.Errorf("evidence: thread: %w", err)
	}
	var all []ThreadComment
	for pid := range states {
		other, err := st.CommentByPlatformID(ctx, c.AccountKey, pid)
		if err != nil {
			return nil, fmt.Errorf("evidence: thread: %w", err)
		}
		vs, err := st.CommentVersions(ctx, other.ID)
		if err != nil {
			return nil, fmt.Errorf("evidence: thread: %w", err)
		}
		msg := ""
		if len(vs) > 0 {
			msg = vs[len(vs)-1].Message
		}
		all = append(all, ThreadComment{PlatformID: pid, ParentID: other.ParentID, Author: other.Author.Name,
			CreatedAt: other.CreatedAt, Message: msg, State: other.State, Target: other.ID == c.ID})
	}
	sort.Slice(all, func(i, j int) bool {
		if !all[i].CreatedAt.Equal(all[j].CreatedAt) {
			return all[i].CreatedAt.Before(all[j].CreatedAt)
		}
		return all[i].PlatformID < all[j].PlatformID
	})
	byParent := map[string][]ThreadComment{}
	var top []ThreadComment
	for _, t := range all {
		if t.ParentID != "" && states[t.ParentID] != "" {
			byParent[t.ParentID] = append(byParent[t.ParentID], t)
		} else {
			top = append(top, t)
		}
	}
	var ordered []ThreadComment
	for _, t := range top {
		ordered = append(ordered, t)
		ordered = append(ordered, byParent[t.PlatformID]...)
	}
	if len(ordered) > m.opts.ThreadLimit {
		at := 0
		for i, t := range ordered {
			if t.Target {
				at = i
			}
		}
		lo := max(0, at-m.opts.ThreadLimit/2)
		hi := min(len(ordered), lo+m.opts.ThreadLimit)
		lo = max(0, hi-m.opts.ThreadLimit)
		ordered = ordered[lo:hi]
	}
	return ordered, nil
}

// rawJSON is the attachment: the platform's answers as received, for the
// post and every version of the comment.
func rawJSON(post moderation.Post, versions []moderation.CommentVersion) []byte {
	type ver struct {
		Version int             `json:"version"`
		SeenAt  time.Time       `json:"seen_at"`
		Source  string          `json:"source"`
		SHA256  string          `json:"text_sha256"`
		Raw     json.RawMessage `json:"raw"`
	}
	out := struct {
		Post     json.RawMessage `json:"post,omitempty"`
		Versions []ver           `json:"comment_versions"`
	}{}
	if len(post.Raw) > 0 && json.Valid(post.Raw) {
		out.Post = post.Raw
	}
	for _, v := range versions {
		raw := v.Raw
		if len(raw) == 0 || !json.Valid(raw) {
			raw = json.RawMessage("null")
		}
		out.Versions = append(out.Versions, ver{Version: v.Version, SeenAt: v.SeenAt.UTC(), Source: string(v.Source), SHA256: v.Hash, Raw: raw})
	}
	b, _ := json.MarshalIndent(out, "", "  ")
	return b
}

// permalink is the comment's own permalink, or (Instagram comments have
// none) its post's with the comment's id as comment_id.
func permalink(c moderation.Comment, p moderation.Post) string {
	if c.PermalinkURL != "" || p.PermalinkURL == "" {
		return c.PermalinkURL
	}
	u, err := url.Parse(p.PermalinkURL)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("comment_id", c.PlatformID)
	u.RawQuery = q.Encode()
	return u.String()
}

// HasPDF reports whether the store holds an evidence PDF of the comment
// recorded at or after since (zero: any).
func HasPDF(ctx context.Context, st moderation.Store, commentID int64, since time.Time) (bool, error) {
	files, err := st.Evidence(ctx, commentID)
	if err != nil {
		return false, err
	}
	for _, f := range files {
		if f.Kind == KindPDF && !f.CreatedAt.Before(since) {
			return true, nil
		}
	}
	return false, nil
}
