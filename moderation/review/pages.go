package review

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/decide"
)

func (s *Server) audit(r *http.Request, actor, action, subject string, detail map[string]any) {
	b, err := json.Marshal(detail)
	if err != nil {
		b = []byte(`{}`)
	}
	if _, err := s.opts.Store.AppendAudit(r.Context(), moderation.AuditEntry{At: s.opts.Now(), Actor: actor, Action: action, Subject: subject, Detail: b}); err != nil {
		s.opts.Logger.Error("audit log", "action", action, "error", err)
	}
}

// accountNames maps account keys to the names people know the accounts by.
func (s *Server) accountNames(ctx context.Context) (map[string]string, error) {
	as, err := s.opts.Store.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	return names(as), nil
}

func names(as []moderation.Account) map[string]string {
	m := make(map[string]string, len(as))
	for _, a := range as {
		m[a.Key] = a.Name
	}
	return m
}

type accountRow struct {
	moderation.Account
	Schedule moderation.Schedule
	Health   *moderation.AccountHealth // nil when the page has no health report
}

type overviewData struct {
	Accounts  []accountRow
	Names     map[string]string // account names by key
	Comments  []moderation.CommentView
	Stats     moderation.Stats
	Account   string
	Flagged   bool
	Older     int64
	Attention attentionData
}

func (s *Server) overview(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	d := overviewData{Account: q.Get("account"), Flagged: q.Get("flagged") == "1"}
	accounts, err := s.opts.Store.Accounts(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, a := range accounts {
		sc, err := s.opts.Store.Schedule(ctx, a.Key)
		if err != nil && !errors.Is(err, moderation.ErrNotFound) {
			s.fail(w, r, err)
			return
		}
		d.Accounts = append(d.Accounts, accountRow{Account: a, Schedule: sc})
	}
	d.Names = names(accounts)
	s.addHealth(ctx, d.Accounts)
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	const pageSize = 50
	d.Comments, err = s.opts.Store.ListComments(ctx, moderation.CommentFilter{AccountKey: d.Account, Flagged: d.Flagged, Limit: pageSize, BeforeID: before})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(d.Comments) == pageSize {
		d.Older = d.Comments[len(d.Comments)-1].ID
	}
	for i, c := range d.Comments {
		d.Comments[i].Message = s.protect(r, c.Message, c.State, c.Categories)
		d.Comments[i].PostMessage = s.maskIDs(c.PostMessage)
	}
	if d.Stats, err = s.opts.Store.Stats(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Attention, err = s.attention(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	d.Attention.Message = texts[s.lang(r, userFrom(ctx))]["done_"+q.Get("done")]
	// No automatic reload: a page that refreshes itself fails WCAG 2.2.1.
	s.render(w, r, "overview", "comments", 0, d)
}

type commentData struct {
	Names    map[string]string // account names by key
	Comment  moderation.Comment
	Post     moderation.Post
	Versions []moderation.CommentVersion
	Verdict  *moderation.StoredVerdict
	Privacy  privacy
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("id %q: %w", r.PathValue("id"), moderation.ErrNotFound)
	}
	return id, nil
}

func (s *Server) comment(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var d commentData
	if d.Comment, err = s.opts.Store.Comment(ctx, id); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Names, err = s.accountNames(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Versions, err = s.opts.Store.CommentVersions(ctx, id); err != nil {
		s.fail(w, r, err)
		return
	}
	if p, err := s.opts.Store.Post(ctx, d.Comment.AccountKey, d.Comment.PostID); err == nil {
		d.Post = p
	} else if !errors.Is(err, moderation.ErrNotFound) {
		s.fail(w, r, err)
		return
	}
	if v, err := s.opts.Store.LatestVerdict(ctx, id); err == nil {
		d.Verdict = &v
	} else if !errors.Is(err, moderation.ErrNotFound) {
		s.fail(w, r, err)
		return
	}
	var cats []string
	if d.Verdict != nil {
		cats = d.Verdict.Verdict.Categories
	}
	d.Privacy, d.Versions, d.Verdict = s.protectVersions(r, d.Comment.State, cats, d.Versions, d.Verdict)
	d.Post.Message = s.maskIDs(d.Post.Message)
	s.render(w, r, "comment", "comments", 0, d)
}

// caseRow is a case in the queue with its comment.
type caseRow struct {
	moderation.Case
	Author  string
	Message string
}

type stateCount struct {
	State moderation.CaseState
	N     int
}

type casesData struct {
	Rows       []caseRow
	Accounts   []moderation.Account
	Names      map[string]string // account names by key
	Categories []string
	States     []moderation.CaseState
	Counts     []stateCount
	Total      int
	Account    string
	Category   string
	State      string
	Age        string
	Ages       []string
}

var allStates = []moderation.CaseState{moderation.CaseOpen, moderation.CaseEscalated, moderation.CaseApproved,
	moderation.CaseKept, moderation.CaseRegistered, moderation.CaseDone}

var ages = map[string]time.Duration{"1h": time.Hour, "24h": 24 * time.Hour, "7d": 7 * 24 * time.Hour}

// cases is the review queue: undecided cases by default, filtered by account,
// category, state and age (older than), with counts per state.
func (s *Server) cases(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	d := casesData{Account: q.Get("account"), Category: q.Get("category"), State: q.Get("state"), Age: q.Get("age"),
		Categories: moderation.Categories(), States: allStates, Ages: []string{"1h", "24h", "7d"}}
	var err error
	if d.Accounts, err = s.opts.Store.Accounts(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	d.Names = names(d.Accounts)
	all, err := s.opts.Store.ListCases(ctx, moderation.CaseFilter{AccountKey: d.Account, Category: d.Category})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.opts.Now()
	counts := map[moderation.CaseState]int{}
	var shown []moderation.Case
	for _, c := range all {
		if age, ok := ages[d.Age]; ok && now.Sub(c.OpenedAt) < age {
			continue
		}
		counts[c.State]++
		switch d.State {
		case "":
			if c.State != moderation.CaseOpen && c.State != moderation.CaseEscalated {
				continue
			}
		case "all":
		default:
			if string(c.State) != d.State {
				continue
			}
		}
		shown = append(shown, c)
	}
	for _, st := range allStates {
		d.Counts = append(d.Counts, stateCount{State: st, N: counts[st]})
	}
	d.Total = len(shown)
	const pageSize = 100
	if len(shown) > pageSize {
		shown = shown[:pageSize]
	}
	for _, c := range shown {
		row := caseRow{Case: c}
		var state moderation.CommentState // unknown: hidden whole when flagged for personal data
		if cm, err := s.opts.Store.Comment(ctx, c.CommentID); err == nil {
			row.Author, state = cm.Author.Name, cm.State
		}
		if vs, err := s.opts.Store.CommentVersions(ctx, c.CommentID); err == nil && len(vs) > 0 {
			row.Message = s.protect(r, vs[len(vs)-1].Message, state, c.Categories)
		}
		d.Rows = append(d.Rows, row)
	}
	s.render(w, r, "cases", "queue", 0, d)
}

// segment is a piece of a comment's text, marked when a rule hit it.
type segment struct {
	Text string
	Mark bool
	Note string
}

// highlight cuts text at the hits' byte offsets. Hits that overlap, fall
// outside the text or split a character are merged or left out.
func highlight(text string, hits []moderation.Hit) []segment {
	hs := slices.Clone(hits)
	sort.Slice(hs, func(i, j int) bool { return hs[i].Start < hs[j].Start })
	var out []segment
	pos := 0
	for _, h := range hs {
		start, end := h.Start, h.End
		if start < pos {
			start = pos
		}
		if end > len(text) || start >= end || !utf8.RuneStart(text[start]) || (end < len(text) && !utf8.RuneStart(text[end])) {
			continue
		}
		if start > pos {
			out = append(out, segment{Text: text[pos:start]})
		}
		out = append(out, segment{Text: text[start:end], Mark: true, Note: h.Category + " · " + h.RuleID})
		pos = end
	}
	if pos < len(text) {
		out = append(out, segment{Text: text[pos:]})
	}
	return out
}

type caseData struct {
	Names       map[string]string // account names by key
	Case        moderation.Case
	Comment     moderation.Comment
	Post        moderation.Post
	Parent      *moderation.Comment
	ParentText  string
	Versions    []moderation.CommentVersion
	Verdict     *moderation.StoredVerdict
	Text        []segment
	EditedAfter bool
	Evidence    []moderation.EvidenceFile
	Decisions   []moderation.Decision
	Actions     []moderation.Action
	// Kinds are the decisions the signed-in reviewer may make now: the
	// buttons shown.
	Kinds    []string
	FourEyes bool
	// Awaiting is true while a four-eyes removal waits for its second
	// approval.
	Awaiting bool
	Message  string
	Error    string
	Privacy  privacy
	Undo     undoData
}

func (s *Server) caseData(r *http.Request, id int64) (caseData, error) {
	ctx := r.Context()
	var d caseData
	var err error
	if d.Case, err = s.opts.Store.Case(ctx, id); err != nil {
		return d, err
	}
	if d.Comment, err = s.opts.Store.Comment(ctx, d.Case.CommentID); err != nil {
		return d, err
	}
	if d.Names, err = s.accountNames(ctx); err != nil {
		return d, err
	}
	if d.Versions, err = s.opts.Store.CommentVersions(ctx, d.Case.CommentID); err != nil {
		return d, err
	}
	if p, err := s.opts.Store.Post(ctx, d.Comment.AccountKey, d.Comment.PostID); err == nil {
		d.Post = p
	} else if !errors.Is(err, moderation.ErrNotFound) {
		return d, err
	}
	if d.Comment.ParentID != "" {
		if p, err := s.opts.Store.CommentByPlatformID(ctx, d.Comment.AccountKey, d.Comment.ParentID); err == nil {
			d.Parent = &p
			if vs, err := s.opts.Store.CommentVersions(ctx, p.ID); err == nil && len(vs) > 0 {
				d.ParentText = vs[len(vs)-1].Message
			}
		}
	}
	text := ""
	if len(d.Versions) > 0 {
		text = d.Versions[len(d.Versions)-1].Message
	}
	d.Text = []segment{{Text: text}}
	if v, err := s.opts.Store.LatestVerdict(ctx, d.Case.CommentID); err == nil {
		d.Verdict = &v
		for _, cv := range d.Versions {
			if cv.Version == v.Version {
				d.Text = highlight(cv.Message, v.Verdict.Hits)
			}
		}
	} else if !errors.Is(err, moderation.ErrNotFound) {
		return d, err
	}
	for _, cv := range d.Versions {
		if cv.Version > d.Case.Version || (cv.Version > 1 && cv.SeenAt.After(d.Case.OpenedAt)) {
			d.EditedAfter = true
		}
	}
	if d.Evidence, err = s.opts.Store.Evidence(ctx, d.Case.CommentID); err != nil {
		return d, err
	}
	if d.Decisions, err = s.opts.Store.Decisions(ctx, id); err != nil {
		return d, err
	}
	if d.Actions, err = s.opts.Store.Actions(ctx, d.Case.CommentID); err != nil {
		return d, err
	}
	if who := userFrom(ctx); who != nil {
		if d.Kinds, err = s.opts.Decide.Kinds(ctx, d.Case, who.User.Name, who.User.Role); err != nil {
			return d, err
		}
	}
	d.FourEyes = s.opts.Decide.NeedsFourEyes(d.Case.Categories)
	d.Awaiting = d.FourEyes && d.Case.State == moderation.CaseEscalated &&
		len(d.Decisions) > 0 && d.Decisions[len(d.Decisions)-1].Kind == moderation.DecideRemove
	s.protectCase(r, &d)
	d.Undo = s.undoData(r, d)
	return d, nil
}

func (s *Server) casePage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.caseData(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := texts[s.lang(r, userFrom(r.Context()))]
	d.Message = t["done_"+r.URL.Query().Get("done")]
	s.render(w, r, "case", "case", 0, d)
}

// decide carries out a decision from the case page's buttons, after its
// confirmation where it needs one (confirm.go).
func (s *Server) decide(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	who := userFrom(r.Context())
	kind := r.PostFormValue("kind")
	if r.PostFormValue("confirm") != "1" {
		if shown, err := s.confirmStep(w, r, id, kind); err != nil || shown {
			if err != nil {
				s.fail(w, r, err)
			}
			return
		}
	}
	out, err := s.opts.Decide.Decide(r.Context(), decide.Request{
		CaseID: id, Kind: kind, By: who.User.Name, Role: who.User.Role,
		Surface: decide.SurfaceWeb, Reason: r.PostFormValue("reason"),
	})
	t := texts[s.lang(r, who)]
	var conflict *moderation.ConflictError
	switch {
	case err == nil:
		done := kind
		if out.AwaitingSecond {
			done = "second"
		}
		http.Redirect(w, r, fmt.Sprintf("/cases/%d?done=%s", id, done), http.StatusSeeOther)
		return
	case errors.As(err, &conflict):
		d, derr := s.caseData(r, id)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		e := conflict.Existing
		d.Error = fmt.Sprintf(t["conflict"], e.By, tr(t, "kind_"+e.Kind), s.when(e.At), e.Surface)
		s.renderStatus(w, r, http.StatusConflict, "case", "case", 0, d)
	case errors.Is(err, moderation.ErrTooLate):
		d, derr := s.caseData(r, id)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		d.Error = t["too_late"]
		s.renderStatus(w, r, http.StatusConflict, "case", "case", 0, d)
	case errors.Is(err, decide.ErrForbidden):
		s.errorPage(w, r, http.StatusForbidden, "forbidden")
	case errors.Is(err, decide.ErrInvalid):
		s.errorPage(w, r, http.StatusBadRequest, "invalid")
	default:
		s.fail(w, r, err)
	}
}

func tr(t map[string]string, k string) string {
	if v, ok := t[k]; ok {
		return v
	}
	return k
}

type searchData struct {
	Names   map[string]string // account names by key
	Query   string
	Results []moderation.CommentView
	Enabled bool
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	d := searchData{Query: r.URL.Query().Get("q"), Enabled: s.opts.Search != nil}
	if d.Query != "" && s.opts.Search != nil {
		var err error
		if d.Names, err = s.accountNames(r.Context()); err != nil {
			s.fail(w, r, err)
			return
		}
		if d.Results, err = s.opts.Search(r.Context(), d.Query, 100); err != nil {
			s.fail(w, r, err)
			return
		}
		for i, c := range d.Results {
			d.Results[i].Message = s.protect(r, c.Message, c.State, c.Categories)
			d.Results[i].PostMessage = s.maskIDs(c.PostMessage)
		}
	}
	s.render(w, r, "search", "search", 0, d)
}

type registerData struct {
	Year    int
	Years   []int
	Entries []moderation.RegisterEntry
	Cases   map[int64]bool
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	now := s.opts.Now().In(s.opts.Location)
	d := registerData{Year: now.Year()}
	if y, err := strconv.Atoi(r.URL.Query().Get("year")); err == nil && y > 1900 && y < 3000 {
		d.Year = y
	}
	for y := now.Year(); y > now.Year()-5; y-- {
		d.Years = append(d.Years, y)
	}
	var err error
	if d.Entries, err = s.opts.Store.RegisterEntries(r.Context(), d.Year); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "register", "register_list", 0, d)
}

// evidence serves one evidence file from the evidence folder.
func (s *Server) evidence(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	es, err := s.opts.Store.ListEvidence(r.Context(), id-1, 1)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(es) == 0 || es[0].ID != id || s.opts.EvidenceDir == "" && s.opts.OpenEvidence == nil {
		s.fail(w, r, fmt.Errorf("evidence %d: %w", id, moderation.ErrNotFound))
		return
	}
	e := es[0]
	f, err := s.openEvidence(r.Context(), e)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer f.Close()
	ctype := mime.TypeByExtension(filepath.Ext(e.Path))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ctype)
	if mt, _, _ := mime.ParseMediaType(ctype); mt == "text/html" {
		// The evidence view is a self-contained page styled by its own
		// <style> element, and has no script, image or link to load (it was
		// made so, and is immutable). It is shown in a sandbox: a unique
		// origin that can run nothing and reach nothing, with only its
		// inline style allowed.
		w.Header().Set("Content-Security-Policy", evidenceCSP)
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf("inline; filename=%q", filepath.Base(e.Path)))
	s.audit(r, userFrom(r.Context()).User.Name, "evidence.read", fmt.Sprintf("evidence/%d", id), map[string]any{"surface": "web", "comment": e.CommentID})
	http.ServeContent(w, r, filepath.Base(e.Path), e.CreatedAt, f)
}

// evidenceFile is an open evidence file, for http.ServeContent.
type evidenceFile interface {
	io.ReadSeeker
	io.Closer
}

// openEvidence opens the evidence file e: from the folder (os.OpenRoot
// keeps the path inside it) or, with OpenEvidence, read whole from where
// it is kept.
func (s *Server) openEvidence(ctx context.Context, e moderation.EvidenceFile) (evidenceFile, error) {
	if s.opts.OpenEvidence != nil {
		rc, err := s.opts.OpenEvidence(ctx, e.Path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("evidence %d: %w", e.ID, moderation.ErrNotFound)
		}
		if err != nil {
			return nil, fmt.Errorf("evidence %d: %w", e.ID, err)
		}
		defer rc.Close()
		data, err := io.ReadAll(rc)
		if err != nil {
			return nil, fmt.Errorf("evidence %d: %w", e.ID, err)
		}
		return nopCloser{bytes.NewReader(data)}, nil
	}
	root, err := os.OpenRoot(s.opts.EvidenceDir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	f, err := root.Open(filepath.FromSlash(e.Path))
	if err != nil {
		return nil, fmt.Errorf("evidence %d: %w", e.ID, moderation.ErrNotFound)
	}
	return f, nil
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func (s *Server) auditLog(w http.ResponseWriter, r *http.Request) {
	es, err := s.opts.Store.AuditLog(r.Context(), 0, 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(es) > 200 {
		es = es[len(es)-200:]
	}
	slices.Reverse(es)
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	if err := enc.Encode(es); err != nil {
		s.opts.Logger.Warn("audit log", "error", err)
	}
}
