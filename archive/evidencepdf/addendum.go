package evidencepdf

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/uppsikt/uppsikt/archive/pdf"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/decide"
	"github.com/uppsikt/uppsikt/moderation/wake"
)

// KindDecision is the kind of a decision addendum in the store.
const KindDecision = moderation.EvidenceDecision

// AuditAddendum is the audit action written when a decision addendum is
// committed.
const AuditAddendum = "evidence.decision_addendum"

// ErrNoEvidencePDF says a decided case's comment has no evidence PDF yet
// for its addendum to complete: the addendum waits for it.
var ErrNoEvidencePDF = errors.New("the comment has no evidence PDF yet")

// MakeAddendum makes and commits the decision addendum of the decision
// that settled a case with a register entry: a PDF/A stating the
// municipality, the account,
// the comment and its permalink, the register number, the decision in
// words, who made it, when and why, the categories, and the SHA-256 of
// the comment's latest evidence PDF and of its previous addendum. It is
// stored content-addressed as an evidence file of kind KindDecision tied
// to the case and the decision, then audited. The addendum the store
// already holds for the decision is returned as it is: a decision has one
// (a case reopened and decided again gets one more). A comment without an evidence
// PDF gives an error wrapping ErrNoEvidencePDF; a failed conversion to
// PDF/A is an error too (the addendum is made later, never stored as a
// plain PDF: it is immutable once stored).
func (m *Maker) MakeAddendum(ctx context.Context, d moderation.DecidedCase) (moderation.EvidenceFile, error) {
	st := m.opts.Store
	c := d.Case
	files, err := st.Evidence(ctx, c.CommentID)
	if err != nil {
		return moderation.EvidenceFile{}, fmt.Errorf("addendum of case %d: %w", c.ID, err)
	}
	var evidencePDF, previous *moderation.EvidenceFile
	for i, f := range files {
		switch {
		case f.Kind == KindDecision && f.DecisionID == d.Decision.ID:
			return f, nil
		case f.Kind == KindDecision:
			previous = &files[i]
		case f.Kind == KindPDF:
			evidencePDF = &files[i]
		}
	}
	if evidencePDF == nil {
		return moderation.EvidenceFile{}, fmt.Errorf("addendum of case %d: comment %d: %w", c.ID, c.CommentID, ErrNoEvidencePDF)
	}
	if d.Decision.ID == 0 || d.Decision.CaseID != c.ID {
		return moderation.EvidenceFile{}, fmt.Errorf("addendum of case %d: no decision of the case given", c.ID)
	}
	ds, err := st.Decisions(ctx, c.ID)
	if err != nil {
		return moderation.EvidenceFile{}, fmt.Errorf("addendum of case %d: %w", c.ID, err)
	}
	var earlier []moderation.Decision
	for _, e := range ds {
		if e.ID < d.Decision.ID {
			earlier = append(earlier, e)
		}
	}
	cm, err := st.Comment(ctx, c.CommentID)
	if err != nil {
		return moderation.EvidenceFile{}, fmt.Errorf("addendum of case %d: %w", c.ID, err)
	}
	acct, err := st.Account(ctx, cm.AccountKey)
	if err != nil {
		return moderation.EvidenceFile{}, fmt.Errorf("addendum of case %d: %w", c.ID, err)
	}
	post, err := st.Post(ctx, cm.AccountKey, cm.PostID)
	if err != nil && !errors.Is(err, moderation.ErrNotFound) {
		return moderation.EvidenceFile{}, fmt.Errorf("addendum of case %d: %w", c.ID, err)
	}
	lang := m.opts.Language
	cats := make([]string, 0, len(c.Categories))
	for _, cat := range c.Categories {
		cats = append(cats, decide.CategoryName(lang, cat))
	}
	now := m.opts.Now()
	a := pdf.Addendum{
		Language: lang, Municipality: m.opts.Municipality, RegisterNumber: d.Entry.Number,
		AccountName: acct.Name, AccountKey: acct.Key, Platform: acct.Platform, CommentID: cm.PlatformID,
		PermalinkURL: permalink(cm, post), CaseID: c.ID, Version: c.Version, Categories: cats,
		Decision: d.Decision, Earlier: earlier,
		EvidenceSHA256: evidencePDF.SHA256, EvidenceVersion: evidencePDF.Version, EvidenceAt: evidencePDF.CreatedAt,
		MadeAt: now, Location: m.opts.Location,
	}
	if previous != nil {
		a.PreviousSHA256 = previous.SHA256
	}
	out, err := pdf.RenderAddendum(ctx, a, m.opts.PDF)
	if err != nil {
		return moderation.EvidenceFile{}, fmt.Errorf("addendum of case %d: %w", c.ID, err)
	}
	stored, err := m.opts.Dir.Put(ctx, out, "pdf")
	if err != nil {
		return moderation.EvidenceFile{}, fmt.Errorf("addendum of case %d: store: %w", c.ID, err)
	}
	file, err := st.AddEvidence(ctx, moderation.EvidenceFile{
		CommentID: c.CommentID, CaseID: c.ID, DecisionID: d.Decision.ID, Kind: KindDecision, SHA256: stored.SHA256, Path: stored.Path, Size: stored.Size,
		CreatedAt: now, Version: c.Version,
	})
	if err != nil {
		return moderation.EvidenceFile{}, fmt.Errorf("addendum of case %d: %w", c.ID, err)
	}
	detail, _ := json.Marshal(map[string]any{
		"comment_id": c.CommentID, "case_id": c.ID, "decision_id": d.Decision.ID, "decision": a.Decision.Kind,
		"register_number": d.Entry.Number, "sha256": file.SHA256, "path": file.Path, "size": file.Size,
		"evidence_sha256": a.EvidenceSHA256, "previous_sha256": a.PreviousSHA256,
	})
	if _, err := st.AppendAudit(ctx, moderation.AuditEntry{
		At: now, Actor: "uppsikt", Action: AuditAddendum, Subject: "comment " + strconv.FormatInt(c.CommentID, 10), Detail: detail,
	}); err != nil {
		return file, err
	}
	m.opts.Logger.Info("decision addendum committed", "case_id", c.ID, "comment_id", c.CommentID, "register_number", d.Entry.Number,
		"sha256", file.SHA256)
	return file, nil
}

// AddendaOptions configure the follower of decisions.
type AddendaOptions struct {
	// Store finds the decided cases without an addendum; a store that does
	// not keep addenda (no moderation.AddendumStore) makes none.
	Store moderation.Store
	// Idle is the wait between rounds (default 15 s).
	Idle time.Duration
	// Backoff is the wait after a case's first failed attempt (default
	// 30 s); it doubles with every attempt, up to MaxBackoff (default
	// 30 min).
	Backoff    time.Duration
	MaxBackoff time.Duration
	// Made is called after a round that committed addenda, to wake the
	// register's delivery. It must not block.
	Made   func()
	Now    func() time.Time
	Logger *slog.Logger
}

// Addenda follows review decisions: every decision that settles a case
// with a register entry gets its decision addendum. It is a duty of its own, apart from
// the decision, so that a decision never fails because its addendum
// cannot be made now (no evidence PDF yet, Ghostscript failing, the
// evidence folder gone); the cases come from the store, so a crash loses
// none, and the store's addendum of a decision stops a second.
type Addenda struct {
	maker *Maker
	opts  AddendaOptions
	wake  wake.Signal

	mu    sync.Mutex
	retry map[int64]retryState // decision id → its failed attempts
}

type retryState struct {
	attempts int
	next     time.Time
}

// NewAddenda returns the follower that makes addenda with m.
func NewAddenda(m *Maker, opts AddendaOptions) *Addenda {
	if opts.Idle <= 0 {
		opts.Idle = 15 * time.Second
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 30 * time.Second
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 30 * time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Addenda{maker: m, opts: opts, wake: wake.New(), retry: map[int64]retryState{}}
}

// Wake asks for a round now. It never blocks.
func (a *Addenda) Wake() { a.wake.Notify() }

// Run makes addenda until ctx is cancelled.
func (a *Addenda) Run(ctx context.Context) error {
	a.wake.Loop(ctx, a.opts.Idle, func() {
		if _, err := a.Follow(ctx); err != nil && ctx.Err() == nil {
			a.opts.Logger.Warn("decision addenda incomplete", "error", err)
		}
	})
	return nil
}

// Follow makes the addendum of every settling decision that is due and
// has not failed too recently, and returns how many it committed. A
// decision whose addendum fails waits a backoff before the next attempt;
// the error joins the failures.
func (a *Addenda) Follow(ctx context.Context) (int, error) {
	st, ok := a.opts.Store.(moderation.AddendumStore)
	if !ok {
		return 0, nil
	}
	due, err := st.DecidedWithoutAddendum(ctx, 0)
	if err != nil {
		return 0, err
	}
	var errs []error
	n := 0
	for _, d := range due {
		if ctx.Err() != nil {
			break
		}
		now := a.opts.Now()
		a.mu.Lock()
		r := a.retry[d.Decision.ID]
		a.mu.Unlock()
		if now.Before(r.next) {
			continue
		}
		if _, err := a.maker.MakeAddendum(ctx, d); err != nil {
			r.attempts++
			r.next = now.Add(moderation.Backoff(a.opts.Backoff, a.opts.MaxBackoff, r.attempts-1))
			a.mu.Lock()
			a.retry[d.Decision.ID] = r
			a.mu.Unlock()
			errs = append(errs, fmt.Errorf("%s: %w", d.Entry.Number, err))
			continue
		}
		a.mu.Lock()
		delete(a.retry, d.Decision.ID)
		a.mu.Unlock()
		n++
	}
	if n > 0 && a.opts.Made != nil {
		a.opts.Made()
	}
	return n, errors.Join(errs...)
}
