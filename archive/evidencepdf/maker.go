package evidencepdf

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/uppsikt/uppsikt/archive/capture"
	"github.com/uppsikt/uppsikt/archive/evidence"
	"github.com/uppsikt/uppsikt/archive/pdf"
	"github.com/uppsikt/uppsikt/moderation"
)

// Evidence file kinds recorded in the store.
const (
	KindPDF          = moderation.EvidencePDF
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
	Dir   evidence.Store // the evidence folder or bucket
	// Browser takes the screenshots; nil makes text-only evidence.
	Browser Capturer
	PDF     pdf.Options
	// Municipality is shown in the evidence view.
	Municipality string
	// Location is the municipality's time zone, shown beside UTC.
	Location *time.Location
	// Language is the municipality's language (sv, da, en; sv when
	// empty): the evidence PDF, the evidence view and the decision addenda
	// are written in it, whatever the account's language, for they are
	// the municipality's records.
	Language string
	// Guideline is the citation of the municipality's guideline (name and
	// diary number) that every hit is cited against; empty cites
	// pdf.DefaultGuideline(Language, Municipality).
	Guideline string
	// Explain gives a rule's explanation in a language ("" when the rule
	// has none in it; rules.Engine.Explain); nil, or "", explains a hit
	// by its category in words of Language.
	Explain func(ruleID, lang string) string
	// Neighbours is how many comments of the thread are shown before and
	// after the documented one (default 3), besides the post and the
	// comment's parent; the rest are counted, not shown, so that the
	// evidence is of the same size whatever the thread.
	Neighbours int
	Now        func() time.Time
	Logger     *slog.Logger
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
	if opts.Neighbours <= 0 {
		opts.Neighbours = DefaultNeighbours
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

// DefaultNeighbours is the number of comments shown before and after the
// documented one.
const DefaultNeighbours = 3

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
	// Version is the comment version the evidence documents: the latest
	// one stored when it was made (0 when the comment has no version).
	Version int
	Timings Timings
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
	if n := len(view.Versions); n > 0 {
		doc.Version = view.Versions[n-1].Version
	}
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
			Version: doc.Version,
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
		"comment_id": req.CommentID, "version": doc.Version, "case_id": req.CaseID, "register_number": req.RegisterNumber,
		"sha256": file.SHA256, "path": file.Path, "size": file.Size, "pdfa": doc.PDFA,
		"screenshots": len(doc.Screenshots), "capture_failure": doc.CaptureFailure, "pdfa_failure": doc.PDFAFailure,
	})
	if _, err := m.opts.Store.AppendAudit(ctx, moderation.AuditEntry{
		At: now, Actor: "uppsikt", Action: AuditCommitted, Subject: "comment " + strconv.FormatInt(req.CommentID, 10), Detail: detail,
	}); err != nil {
		return Result{}, err
	}
	doc.Timings.Store = time.Since(start)
	m.opts.Logger.Info("evidence committed", "comment_id", req.CommentID, "version", doc.Version, "sha256", file.SHA256, "size", file.Size,
		"screenshots", len(doc.Screenshots), "pdfa", doc.PDFA)
	return Result{PDF: file, Document: doc}, nil
}

// capture takes the live page and the evidence view at once. It returns
// the screenshots it got and, when any failed, why.
func (m *Maker) capture(ctx context.Context, permalink string, view []byte) ([]pdf.Screenshot, string) {
	w := wordsFor(m.opts.Language)
	if m.opts.Browser == nil {
		return nil, w["no_browser"]
	}
	var (
		wg         sync.WaitGroup
		live, vw   capture.Shot
		lErr, vErr error
	)
	switch {
	case permalink == "":
		lErr = errors.New(w["no_permalink"])
	case !m.opts.Browser.Allowed(permalink):
		lErr = errors.New(w["foreign_host"])
	default:
		wg.Go(func() { live, lErr = m.opts.Browser.Page(ctx, permalink) })
	}
	wg.Go(func() { vw, vErr = m.opts.Browser.HTML(ctx, view) })
	wg.Wait()
	var shots []pdf.Screenshot
	var failures []string
	if lErr == nil {
		title := w["live"]
		if live.PageHeight > 0 && live.Top+live.Height < live.PageHeight || live.Top > 0 {
			// A window of a taller page (archive/capture bounds it).
			title += fmt.Sprintf(w["window"], live.Top, live.Top+live.Height, live.PageHeight)
			if !live.Focused {
				title += w["not_found"]
			}
			title += ")"
		}
		shots = append(shots, pdf.Screenshot{Title: title, PNG: live.PNG, URL: live.URL, CapturedAt: live.CapturedAt})
	} else {
		failures = append(failures, w["live_failed"]+lErr.Error())
	}
	if vErr == nil {
		shots = append(shots, pdf.Screenshot{Title: w["view"], PNG: vw.PNG, URL: "uppsikt:evidence-view", CapturedAt: vw.CapturedAt})
	} else {
		failures = append(failures, w["view_failed"]+vErr.Error())
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
	tw, err := m.thread(ctx, c)
	if err != nil {
		return pdf.Evidence{}, View{}, err
	}
	thread := viewThread(tw)
	raw := rawJSON(post, versions)
	now := m.opts.Now()
	ev := pdf.Evidence{
		RegisterNumber: req.RegisterNumber, AccountName: acct.Name, AccountKey: acct.Key, Platform: acct.Platform,
		PostID: c.PostID, PostMessage: post.Message, CommentID: c.PlatformID, PermalinkURL: permalink(c, post),
		Author: c.Author, CreatedAt: c.CreatedAt, Versions: versions, CapturedAt: now, Location: m.opts.Location,
		Decision: decision, RawJSON: raw, ThreadBefore: tw.Before, ThreadAfter: tw.After,
	}
	for _, t := range thread {
		ev.Thread = append(ev.Thread, pdf.ThreadLine{CommentID: t.PlatformID, Author: t.Author, CreatedAt: t.CreatedAt,
			Text: t.Message, State: string(t.State), Reply: t.Depth > 0, Target: t.Target, Disposed: t.Disposed})
	}
	if verdict != nil {
		ev.Hits = m.localHits(verdict.Verdict.Hits)
		local := *verdict
		local.Verdict.Hits = ev.Hits
		verdict = &local
	}
	ev.Language = m.opts.Language
	view := View{Language: m.opts.Language,
		Municipality: m.opts.Municipality, RegisterNumber: req.RegisterNumber, Account: acct, Post: post, Comment: c,
		Versions: versions, Verdict: verdict, Thread: thread, OmittedBefore: tw.Before, OmittedAfter: tw.After,
		Location: m.opts.Location, RenderedAt: now,
	}
	return ev, view, nil
}

// thread returns the comments shown around the documented one: its
// parent, Neighbours comments before and after it in thread order, and the
// counts of the post's comments left out. A store that reads the window in
// one query (moderation.ThreadStore) is asked for it; any other is read
// comment by comment.
func (m *Maker) thread(ctx context.Context, c moderation.Comment) (moderation.ThreadWindow, error) {
	if ts, ok := m.opts.Store.(moderation.ThreadStore); ok {
		w, err := ts.ThreadAround(ctx, c.ID, m.opts.Neighbours)
		if err != nil {
			return moderation.ThreadWindow{}, fmt.Errorf("evidence: %w", err)
		}
		return w, nil
	}
	all, err := m.threadByComment(ctx, c)
	if err != nil {
		return moderation.ThreadWindow{}, fmt.Errorf("evidence: thread: %w", err)
	}
	return window(all, c, m.opts.Neighbours), nil
}

// threadByComment reads every comment of c's post with its latest text, in
// thread order (as moderation.ThreadStore orders them), through the
// Store's per-comment methods.
func (m *Maker) threadByComment(ctx context.Context, c moderation.Comment) ([]moderation.ThreadComment, error) {
	st := m.opts.Store
	states, err := st.CommentStates(ctx, c.AccountKey, c.PostID)
	if err != nil {
		return nil, err
	}
	byID := map[string]moderation.ThreadComment{}
	for pid := range states {
		other, err := st.CommentByPlatformID(ctx, c.AccountKey, pid)
		if err != nil {
			return nil, err
		}
		vs, err := st.CommentVersions(ctx, other.ID)
		if err != nil {
			return nil, err
		}
		tc := moderation.ThreadComment{Comment: other, Target: other.ID == c.ID}
		if len(vs) > 0 {
			tc.Message = vs[len(vs)-1].Message
		}
		byID[pid] = tc
	}
	type keyed struct {
		tc   moderation.ThreadComment
		root moderation.ThreadComment
	}
	all := make([]keyed, 0, len(byID))
	for _, tc := range byID {
		root := tc
		for tc.Depth < 16 {
			p, ok := byID[root.ParentID]
			if root.ParentID == "" || !ok {
				break
			}
			root = p
			tc.Depth++
		}
		all = append(all, keyed{tc, root})
	}
	before := func(a, b moderation.ThreadComment) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.PlatformID, b.PlatformID)
	}
	slices.SortFunc(all, func(a, b keyed) int {
		if c := before(a.root, b.root); c != 0 {
			return c
		}
		aReply, bReply := a.tc.ID != a.root.ID, b.tc.ID != b.root.ID
		if aReply != bReply {
			if aReply {
				return 1
			}
			return -1
		}
		return before(a.tc, b.tc)
	})
	out := make([]moderation.ThreadComment, len(all))
	for i, k := range all {
		out[i] = k.tc
	}
	return out, nil
}

// window cuts the comments of a post in thread order to the target, k
// comments before and after it, and its parent.
func window(all []moderation.ThreadComment, target moderation.Comment, k int) moderation.ThreadWindow {
	at := slices.IndexFunc(all, func(t moderation.ThreadComment) bool { return t.Target })
	if at < 0 {
		return moderation.ThreadWindow{Total: len(all), Before: len(all)}
	}
	lo, hi := max(0, at-k), min(len(all), at+k+1)
	w := moderation.ThreadWindow{Total: len(all), Before: lo, After: len(all) - hi}
	if target.ParentID != "" {
		if p := slices.IndexFunc(all[:lo], func(t moderation.ThreadComment) bool { return t.PlatformID == target.ParentID }); p >= 0 {
			w.Comments = append(w.Comments, all[p])
			w.Before--
		}
	}
	w.Comments = append(w.Comments, all[lo:hi]...)
	return w
}

// maxNeighbourText bounds, in characters, the text of a comment shown
// beside the documented one: its context, not its evidence.
const maxNeighbourText = 600

// viewThread is the window as the evidence view shows it.
func viewThread(w moderation.ThreadWindow) []ThreadComment {
	out := make([]ThreadComment, 0, len(w.Comments))
	for _, t := range w.Comments {
		msg := t.Message
		if !t.Target {
			msg = truncateText(msg, maxNeighbourText)
		}
		out = append(out, ThreadComment{PlatformID: t.PlatformID, Author: t.Author.Name,
			CreatedAt: t.CreatedAt, Message: msg, State: t.State, Target: t.Target, Depth: t.Depth, Disposed: t.Disposed})
	}
	return out
}

// truncateText cuts s to at most n characters, marking the cut.
func truncateText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + " […]"
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

// localHits returns hits cited against the municipality's guideline and
// explained in its language: the rule's explanation in it (Options.Explain),
// the pack's description when the language is English, else the hit's
// category in words.
func (m *Maker) localHits(hits []moderation.Hit) []moderation.Hit {
	lang := pdf.Lang(m.opts.Language)
	guideline := m.opts.Guideline
	if guideline == "" {
		guideline = pdf.DefaultGuideline(lang, m.opts.Municipality)
	}
	out := make([]moderation.Hit, len(hits))
	for i, h := range hits {
		out[i] = pdf.LocalHit(h, lang, guideline, m.opts.Explain)
	}
	return out
}
