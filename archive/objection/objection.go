package objection

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/uppsikt/uppsikt/archive/capture"
	"github.com/uppsikt/uppsikt/archive/evidence"
	"github.com/uppsikt/uppsikt/archive/pdf"
	"github.com/uppsikt/uppsikt/archive/retention"
	"github.com/uppsikt/uppsikt/moderation"
)

// Store is what the workflow reads and changes.
type Store interface {
	retention.DeletionStore
	Post(ctx context.Context, accountKey, platformID string) (moderation.Post, error)
}

// Capturer takes a full-page screenshot of a live page; archive/capture's
// Browser is one.
type Capturer interface {
	Page(ctx context.Context, rawURL string) (capture.Shot, error)
}

// Options configure a Service.
type Options struct {
	Store Store
	// Deleter carries out removals; New registers the objection guard in
	// its Guards. Its Platforms also answer the confirmation re-read.
	Deleter  *retention.Deleter
	Evidence evidence.Store
	Browser  Capturer // nil: no screenshot, the evidence holds the stored data only
	// PDF configures the PDF/A conversion (Ghostscript). With NoPDFA the
	// evidence stays a plain PDF.
	PDF            pdf.Options
	NoPDFA         bool
	Municipality   string
	Location       *time.Location
	RegisterNumber func(year, seq int) string // nil: "2026/0042"
	Now            func() time.Time
	Logger         *slog.Logger
}

// Service runs the objection workflow.
type Service struct {
	opts Options
}

// New returns a Service and registers its guard with the Deleter, so that
// no post is deleted for an objection that is not approved with committed
// evidence.
func New(opts Options) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	s := &Service{opts: opts}
	if opts.Deleter.Guards == nil {
		opts.Deleter.Guards = map[string]retention.Guard{}
	}
	opts.Deleter.Guards[moderation.DeletionObjection] = s.guard
	return s
}

// ErrStillThere is returned by Confirm when the platform still shows the post.
var ErrStillThere = errors.New("the post is still on the platform")

// Add records a received objection to one of the account's own posts, with
// its register entry, and captures the evidence of the post at once, while
// it is still there. The objection is stored even when the capture fails;
// the error says so, and Approve captures again.
func (s *Service) Add(ctx context.Context, o moderation.Objection) (moderation.Objection, error) {
	o.Language = strings.ToLower(o.Language)
	if o.Language == "" {
		o.Language = "sv"
	}
	if o.Language != "sv" && o.Language != "da" {
		return o, fmt.Errorf("objection: language %q: want sv or da", o.Language)
	}
	a, err := s.opts.Store.Account(ctx, o.AccountKey)
	if err != nil {
		return o, fmt.Errorf("objection: %w", err)
	}
	p, err := s.opts.Store.Post(ctx, o.AccountKey, o.PostID)
	if err != nil {
		return o, fmt.Errorf("objection: the post must be in uppsikt's store (poll or backfill the account first): %w", err)
	}
	if p.Author.ID != a.PlatformID {
		return o, fmt.Errorf("objection: post %s is not the account's own: uppsikt removes only the account's own posts this way", o.PostID)
	}
	if o.ReceivedAt.IsZero() {
		o.ReceivedAt = s.opts.Now()
	}
	reason := "Invändning mot bild i eget inlägg " + o.PostID
	if o.Language == "da" {
		reason = "Indsigelse mod billede i eget opslag " + o.PostID
	}
	o, err = s.opts.Store.AddObjection(ctx, o, reason, s.opts.RegisterNumber)
	if err != nil {
		return o, fmt.Errorf("objection: %w", err)
	}
	actor := o.RecordedBy
	if actor == "" {
		actor = "uppsikt"
	}
	if err := s.audit(ctx, actor, "objection.received", o, map[string]any{"register_number": o.RegisterNumber}); err != nil {
		return o, err
	}
	s.opts.Logger.Info("objection received", "objection", o.ID, "account", o.AccountKey, "post", o.PostID, "register_number", o.RegisterNumber)
	return s.CaptureEvidence(ctx, o.ID)
}

// CaptureEvidence makes the objection's evidence PDF of the post, stores it
// content addressed and records its hash on the objection. An objection
// with evidence is returned as it is.
func (s *Service) CaptureEvidence(ctx context.Context, id int64) (moderation.Objection, error) {
	o, err := s.opts.Store.Objection(ctx, id)
	if err != nil {
		return o, fmt.Errorf("objection: %w", err)
	}
	if o.EvidenceSHA256 != "" {
		return o, nil
	}
	if o.State != moderation.ObjectionReceived {
		return o, fmt.Errorf("objection %d is %s: evidence is captured when it is received", o.ID, o.State)
	}
	a, err := s.opts.Store.Account(ctx, o.AccountKey)
	if err != nil {
		return o, fmt.Errorf("objection: %w", err)
	}
	p, err := s.opts.Store.Post(ctx, o.AccountKey, o.PostID)
	if err != nil {
		return o, fmt.Errorf("objection: %w", err)
	}
	sh := sheet{o: o, a: a, p: p, loc: s.opts.Location, municipality: s.opts.Municipality}
	switch {
	case s.opts.Browser == nil:
		sh.failure = "screenshots are disabled in the configuration"
	case p.PermalinkURL == "":
		sh.failure = "the post has no permalink"
	default:
		shot, err := s.opts.Browser.Page(ctx, p.PermalinkURL)
		if err != nil {
			sh.failure = err.Error()
			s.opts.Logger.Warn("objection evidence without a screenshot", "objection", o.ID, "error", err)
		} else {
			sh.shot = &shot
		}
	}
	sh.capturedAt = s.opts.Now()
	draft, err := layout(sh)
	if err != nil && sh.shot != nil {
		// A screenshot the PDF cannot hold must not block the removal.
		sh.failure, sh.shot = err.Error(), nil
		draft, err = layout(sh)
	}
	if err != nil {
		return o, err
	}
	data, kind := draft, KindPDF
	if !s.opts.NoPDFA {
		atts := []pdf.Attachment{}
		if len(p.Raw) > 0 {
			atts = append(atts, pdf.Attachment{Name: pdf.RawJSONName, MIME: "application/json", Relationship: "Source",
				Description: "Plattformens svar som det togs emot (raw platform API answer)", Data: p.Raw, ModTime: sh.capturedAt})
		}
		out, err := pdf.ConvertPDFA3(ctx, draft, pdf.Metadata{Title: title(sh), Subject: "Objection " + o.RegisterNumber, Author: "uppsikt"}, atts, s.opts.PDF)
		if err != nil {
			s.opts.Logger.Warn("objection evidence kept as plain PDF: PDF/A conversion failed", "objection", o.ID, "error", err)
		} else {
			data, kind = out, KindPDFA
		}
	}
	if sh.shot == nil {
		kind += "_text_only"
	}
	f, err := s.opts.Evidence.Put(ctx, data, "pdf")
	if err != nil {
		return o, fmt.Errorf("objection: %w", err)
	}
	o.State = moderation.ObjectionEvidenceCaptured
	o.EvidencePath, o.EvidenceSHA256, o.EvidenceSize, o.EvidenceKind, o.EvidenceAt = f.Path, f.SHA256, f.Size, kind, sh.capturedAt
	o.UpdatedAt = sh.capturedAt
	if o, err = s.opts.Store.UpdateObjection(ctx, o, moderation.ObjectionReceived); err != nil {
		return o, fmt.Errorf("objection: %w", err)
	}
	detail := map[string]any{"sha256": f.SHA256, "path": f.Path, "size": f.Size, "kind": kind}
	if sh.failure != "" {
		detail["screenshot_failure"] = sh.failure
	}
	if err := s.audit(ctx, "uppsikt", "objection.evidence_captured", o, detail); err != nil {
		return o, err
	}
	return o, nil
}

// Approve approves the objection and removes the post: the evidence first
// (captured now if it is missing), then the approval, then the deletion
// through the crash-safe path of archive/retention, then the confirmation
// re-read. Calling it again on an approved objection resumes where it
// stopped. An Instagram post is left approved with its deletion marked for
// manual removal; Confirm finishes it once a person has removed it.
func (s *Service) Approve(ctx context.Context, id int64, by string) (moderation.Objection, error) {
	if by == "" {
		return moderation.Objection{}, errors.New("objection: an approval needs the name of who approves")
	}
	o, err := s.opts.Store.Objection(ctx, id)
	if err != nil {
		return o, fmt.Errorf("objection: %w", err)
	}
	switch o.State {
	case moderation.ObjectionRefused:
		return o, fmt.Errorf("objection %d was refused by %s", o.ID, o.DecidedBy)
	case moderation.ObjectionConfirmed:
		return o, nil
	case moderation.ObjectionRemoved:
		return s.Confirm(ctx, id, "uppsikt")
	case moderation.ObjectionReceived:
		if o, err = s.CaptureEvidence(ctx, id); err != nil {
			return o, err
		}
	}
	if o.State == moderation.ObjectionEvidenceCaptured {
		if err := s.verifyEvidence(ctx, o); err != nil {
			return o, err
		}
		now := s.opts.Now()
		o.State, o.DecidedBy, o.DecidedAt, o.UpdatedAt = moderation.ObjectionApproved, by, now, now
		if o, err = s.opts.Store.UpdateObjection(ctx, o, moderation.ObjectionEvidenceCaptured); err != nil {
			return o, fmt.Errorf("objection: %w", err)
		}
		if err := s.audit(ctx, by, "objection.approved", o, map[string]any{"evidence_sha256": o.EvidenceSHA256}); err != nil {
			return o, err
		}
	}
	if o.DeletionID == 0 {
		del, err := s.opts.Deleter.Request(ctx, moderation.PostDeletion{AccountKey: o.AccountKey, PostID: o.PostID,
			Reason: moderation.DeletionObjection, ObjectionID: o.ID, ApprovedBy: o.DecidedBy, ApprovedAt: o.DecidedAt})
		if err != nil {
			return o, err
		}
		o.DeletionID, o.UpdatedAt = del.ID, s.opts.Now()
		if o, err = s.opts.Store.UpdateObjection(ctx, o, moderation.ObjectionApproved); err != nil {
			return o, fmt.Errorf("objection: %w", err)
		}
	}
	del, err := s.opts.Deleter.Execute(ctx, o.DeletionID)
	if err != nil {
		return o, fmt.Errorf("objection %d: %w", o.ID, err)
	}
	switch del.State {
	case moderation.DeletionManual:
		s.opts.Logger.Warn("objection: the post must be removed by hand", "objection", o.ID, "post", o.PostID)
		return o, nil
	case moderation.DeletionDone:
	default:
		return o, fmt.Errorf("objection %d: the deletion of post %s is %s", o.ID, o.PostID, del.State)
	}
	if o, err = s.markRemoved(ctx, o, del.DoneAt); err != nil {
		return o, err
	}
	return s.Confirm(ctx, id, "uppsikt")
}

func (s *Service) markRemoved(ctx context.Context, o moderation.Objection, at time.Time) (moderation.Objection, error) {
	if at.IsZero() {
		at = s.opts.Now()
	}
	o.State, o.RemovedAt, o.UpdatedAt = moderation.ObjectionRemoved, at, s.opts.Now()
	o, err := s.opts.Store.UpdateObjection(ctx, o, moderation.ObjectionApproved)
	if err != nil {
		return o, fmt.Errorf("objection: %w", err)
	}
	return o, s.audit(ctx, "uppsikt", "objection.removed", o, map[string]any{"deletion": o.DeletionID})
}

// Refuse refuses the objection with a reason; the post stays.
func (s *Service) Refuse(ctx context.Context, id int64, by, reason string) (moderation.Objection, error) {
	if by == "" || reason == "" {
		return moderation.Objection{}, errors.New("objection: a refusal needs who refuses and why")
	}
	o, err := s.opts.Store.Objection(ctx, id)
	if err != nil {
		return o, fmt.Errorf("objection: %w", err)
	}
	now := s.opts.Now()
	o.State, o.DecidedBy, o.DecidedAt, o.DecisionReason, o.UpdatedAt = moderation.ObjectionRefused, by, now, reason, now
	if o, err = s.opts.Store.UpdateObjection(ctx, o, moderation.ObjectionReceived, moderation.ObjectionEvidenceCaptured); err != nil {
		return o, fmt.Errorf("objection: %w", err)
	}
	return o, s.audit(ctx, by, "objection.refused", o, nil)
}

// Confirm re-reads the post from the platform and, when the platform says
// it no longer exists, records the objection confirmed with the text to
// send to the person. A post still there gives ErrStillThere.
func (s *Service) Confirm(ctx context.Context, id int64, by string) (moderation.Objection, error) {
	o, err := s.opts.Store.Objection(ctx, id)
	if err != nil {
		return o, fmt.Errorf("objection: %w", err)
	}
	switch o.State {
	case moderation.ObjectionConfirmed:
		return o, nil
	case moderation.ObjectionApproved, moderation.ObjectionRemoved:
	default:
		return o, fmt.Errorf("objection %d is %s: only an approved objection is confirmed", o.ID, o.State)
	}
	a, err := s.opts.Store.Account(ctx, o.AccountKey)
	if err != nil {
		return o, fmt.Errorf("objection: %w", err)
	}
	checker := s.opts.Deleter.Platforms[a.Platform]
	if checker == nil {
		return o, fmt.Errorf("objection: uppsikt cannot read posts on %s", a.Platform)
	}
	gone, err := checker.PostGone(ctx, a, o.PostID)
	if err != nil {
		return o, fmt.Errorf("objection %d: %w", o.ID, err)
	}
	if !gone {
		return o, fmt.Errorf("objection %d: post %s: %w", o.ID, o.PostID, ErrStillThere)
	}
	now := s.opts.Now()
	if o.DeletionID != 0 {
		if del, err := s.opts.Store.PostDeletion(ctx, o.DeletionID); err == nil && del.State == moderation.DeletionManual {
			if _, err := s.opts.Deleter.RemovedByHand(ctx, del.ID); err != nil {
				return o, err
			}
		}
	}
	if o.State == moderation.ObjectionApproved {
		// Removed by hand (Instagram), or deleted before a crash let uppsikt
		// record it: the re-read is the proof.
		if o, err = s.markRemoved(ctx, o, now); err != nil {
			return o, err
		}
	}
	p, err := s.opts.Store.Post(ctx, o.AccountKey, o.PostID)
	if err != nil {
		return o, fmt.Errorf("objection: %w", err)
	}
	o.State, o.ConfirmedAt, o.UpdatedAt = moderation.ObjectionConfirmed, now, now
	o.Confirmation = ConfirmationText(o, a, p, s.opts.Municipality, s.opts.Location)
	if o, err = s.opts.Store.UpdateObjection(ctx, o, moderation.ObjectionRemoved); err != nil {
		return o, fmt.Errorf("objection: %w", err)
	}
	if by == "" {
		by = "uppsikt"
	}
	return o, s.audit(ctx, by, "objection.confirmed", o, map[string]any{"language": o.Language, "register_number": o.RegisterNumber})
}

// guard lets a deletion for an objection go to the platform only when the
// objection is approved and its evidence file is committed and intact.
func (s *Service) guard(ctx context.Context, del moderation.PostDeletion) error {
	o, err := s.opts.Store.Objection(ctx, del.ObjectionID)
	if err != nil {
		return err
	}
	if o.State != moderation.ObjectionApproved {
		return fmt.Errorf("objection %d is %s, not approved", o.ID, o.State)
	}
	if o.AccountKey != del.AccountKey || o.PostID != del.PostID {
		return fmt.Errorf("objection %d is about post %s/%s, not %s/%s", o.ID, o.AccountKey, o.PostID, del.AccountKey, del.PostID)
	}
	return s.verifyEvidence(ctx, o)
}

func (s *Service) verifyEvidence(ctx context.Context, o moderation.Objection) error {
	if o.EvidenceSHA256 == "" {
		return fmt.Errorf("objection %d has no evidence yet", o.ID)
	}
	if err := s.opts.Evidence.Verify(ctx, evidence.File{SHA256: o.EvidenceSHA256, Path: o.EvidencePath, Size: o.EvidenceSize}); err != nil {
		return fmt.Errorf("objection %d: evidence: %w", o.ID, err)
	}
	return nil
}

func (s *Service) audit(ctx context.Context, actor, action string, o moderation.Objection, extra map[string]any) error {
	detail := map[string]any{"objection": o.ID, "post": o.PostID, "state": o.State}
	for k, v := range extra {
		detail[k] = v
	}
	b, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("objection: audit: %w", err)
	}
	if _, err := s.opts.Store.AppendAudit(ctx, moderation.AuditEntry{At: s.opts.Now(), Actor: actor, Action: action,
		Subject: "objection " + strconv.FormatInt(o.ID, 10), Detail: b}); err != nil {
		return fmt.Errorf("objection: audit: %w", err)
	}
	return nil
}
