package decide

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// Surfaces a decision can come from.
const (
	SurfaceWeb   = "web"
	SurfaceSlack = "slack"
	SurfaceCLI   = "cli"
)

// ErrForbidden is returned (wrapped) when the reviewer's role may not make
// the decision asked for.
var ErrForbidden = errors.New("not allowed for this role")

// ErrInvalid is returned (wrapped) for an unknown decision kind or surface.
var ErrInvalid = errors.New("invalid decision")

// Options configure the service.
type Options struct {
	Store moderation.Store
	// FourEyes lists the categories whose removal needs two different
	// reviewers' approval.
	FourEyes []string
	// RegisterNumber formats register numbers (nil: "2026/0042").
	RegisterNumber func(year, seq int) string
	// Decided is called after every decision that moved a case, for the
	// surfaces to update what they show (a Slack message). It must not block.
	Decided func(c moderation.Case)
	Logger  *slog.Logger
	Now     func() time.Time

	// Grace is how long an approved removal may be undone (DecideUndo)
	// before anything is done on the platform. With a grace the decision
	// service queues nothing on approval: the action executor queues the
	// reply and the deletion once the grace has passed (act.Options.Grace),
	// and the register entry is made with the removal. Zero queues them at
	// once, with no undo.
	Grace time.Duration

	// Language is the municipality's language (sv, da, en; sv when
	// empty), in which register reasons are written.
	Language string
}

// Service carries out decisions.
type Service struct{ opts Options }

// New returns the decision service.
func New(opts Options) *Service {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{opts: opts}
}

// Request is one reviewer's decision.
type Request struct {
	CaseID  int64
	Kind    string // moderation.DecideRemove, DecideKeep, DecideRegister, DecideEscalate
	By      string // uppsikt user name
	Role    moderation.Role
	Surface string // SurfaceWeb, SurfaceSlack, SurfaceCLI
	Reason  string
}

// Outcome is what a decision did.
type Outcome struct {
	Case     moderation.Case
	Decision moderation.Decision
	Actions  []moderation.Action
	Register *moderation.RegisterEntry
	// AwaitingSecond is true when the removal needs a second reviewer's
	// approval (four eyes) before anything is done on the platform.
	AwaitingSecond bool
	// UndoUntil is when an approved removal's grace ends: until then it
	// may be undone, after it the executor carries it out. Zero without a
	// grace.
	UndoUntil time.Time
}

// Allowed reports whether role may decide cases at all: administrators and
// moderators may. Cases escalated to administrators are theirs alone, except
// that a moderator may give the second approval of a four-eyes removal.
func Allowed(role moderation.Role) bool {
	return role == moderation.RoleAdmin || role == moderation.RoleModerator
}

// Kinds lists the decisions reviewer by, of role, may make on case c now,
// in the order the surfaces show them (remove, keep, register, escalate),
// so that a surface offers only what Decide would carry out: nothing on a
// decided case or for a role that may not decide; escalating only an open
// case; on an escalated case, for an administrator anything but escalating,
// and for a moderator only the second approval of a four-eyes removal that
// another reviewer approved first. A reviewer who gave the first approval
// is not offered to give the second.
func (s *Service) Kinds(ctx context.Context, c moderation.Case, by string, role moderation.Role) ([]string, error) {
	if !Allowed(role) {
		return nil, nil
	}
	switch c.State {
	case moderation.CaseOpen:
		return []string{moderation.DecideRemove, moderation.DecideKeep, moderation.DecideRegister, moderation.DecideEscalate}, nil
	case moderation.CaseEscalated:
	default:
		return nil, nil
	}
	var first *moderation.Decision
	if s.NeedsFourEyes(c.Categories) {
		var err error
		if first, err = s.pendingApproval(ctx, c); err != nil {
			return nil, err
		}
	}
	var kinds []string
	if (first == nil && role == moderation.RoleAdmin) || (first != nil && first.By != by) {
		kinds = append(kinds, moderation.DecideRemove)
	}
	if role == moderation.RoleAdmin {
		kinds = append(kinds, moderation.DecideKeep, moderation.DecideRegister)
	}
	return kinds, nil
}

// NeedsFourEyes reports whether removing a comment in these categories needs
// two reviewers.
func (s *Service) NeedsFourEyes(categories []string) bool {
	for _, c := range categories {
		if slices.Contains(s.opts.FourEyes, c) {
			return true
		}
	}
	return false
}

// Decide carries out a decision. A case already decided gives a
// *moderation.ConflictError naming the decision that came first; a role
// that may not decide gives an error wrapping ErrForbidden.
func (s *Service) Decide(ctx context.Context, r Request) (Outcome, error) {
	switch r.Surface {
	case SurfaceWeb, SurfaceSlack, SurfaceCLI:
	default:
		return Outcome{}, fmt.Errorf("%w: surface %q", ErrInvalid, r.Surface)
	}
	if r.By == "" {
		return Outcome{}, fmt.Errorf("%w: no reviewer", ErrInvalid)
	}
	c, err := s.opts.Store.Case(ctx, r.CaseID)
	if err != nil {
		return Outcome{}, fmt.Errorf("decide on case %d: %w", r.CaseID, err)
	}
	allowed := Allowed(r.Role)
	var first *moderation.Decision
	if allowed && r.Kind == moderation.DecideRemove && s.NeedsFourEyes(c.Categories) {
		if first, err = s.pendingApproval(ctx, c); err != nil {
			return Outcome{}, err
		}
	}
	if allowed && r.Role != moderation.RoleAdmin && c.State == moderation.CaseEscalated && first == nil {
		allowed = false
	}
	if !allowed {
		s.audit(ctx, r, c, "decision.refused", map[string]any{"role": string(r.Role), "state": string(c.State)})
		return Outcome{}, fmt.Errorf("decide %s on case %d as %s: %w", r.Kind, r.CaseID, r.Role, ErrForbidden)
	}
	undecided := []moderation.CaseState{moderation.CaseOpen, moderation.CaseEscalated}
	d := moderation.Decision{CaseID: r.CaseID, Kind: r.Kind, By: r.By, Surface: r.Surface, Reason: r.Reason, At: s.opts.Now()}
	var out Outcome
	switch r.Kind {
	case moderation.DecideRemove:
		to := moderation.CaseApproved
		if s.NeedsFourEyes(c.Categories) {
			switch {
			case first == nil:
				to, out.AwaitingSecond = moderation.CaseEscalated, true
			case first.By == r.By:
				// The same reviewer again (a double click): one outcome.
				return Outcome{}, fmt.Errorf("decide on case %d: %w", r.CaseID, &moderation.ConflictError{Existing: *first})
			default:
				undecided = []moderation.CaseState{moderation.CaseEscalated}
			}
		}
		if d, err = s.opts.Store.RecordDecision(ctx, d, undecided, to); err != nil {
			return Outcome{}, fmt.Errorf("decide on case %d: %w", r.CaseID, err)
		}
		switch {
		case out.AwaitingSecond:
		case s.opts.Grace > 0:
			out.UndoUntil = d.At.Add(s.opts.Grace)
		default:
			if err := s.remove(ctx, c, d, &out); err != nil {
				return out, err
			}
		}
	case moderation.DecideKeep:
		if d, err = s.opts.Store.RecordDecision(ctx, d, undecided, moderation.CaseKept); err != nil {
			return Outcome{}, fmt.Errorf("decide on case %d: %w", r.CaseID, err)
		}
		// Unhide only what uppsikt itself hid; a comment the account's own
		// administrators hid stays hidden.
		acts, err := s.opts.Store.Actions(ctx, c.CommentID)
		if err != nil {
			return out, fmt.Errorf("keep comment %d: %w", c.CommentID, err)
		}
		if slices.ContainsFunc(acts, func(a moderation.Action) bool {
			return a.Kind == moderation.ActHide && a.State == moderation.ActionDone
		}) {
			a, _, err := s.opts.Store.EnqueueAction(ctx, moderation.Action{CommentID: c.CommentID, CaseID: c.ID, Kind: moderation.ActUnhide})
			if err != nil {
				return out, fmt.Errorf("queue unhide of comment %d: %w", c.CommentID, err)
			}
			out.Actions = append(out.Actions, a)
		}
	case moderation.DecideRegister:
		if d, err = s.opts.Store.RecordDecision(ctx, d, undecided, moderation.CaseRegistered); err != nil {
			return Outcome{}, fmt.Errorf("decide on case %d: %w", r.CaseID, err)
		}
		if err := s.register(ctx, c, d, &out); err != nil {
			return out, err
		}
	case moderation.DecideEscalate:
		if d, err = s.opts.Store.RecordDecision(ctx, d, []moderation.CaseState{moderation.CaseOpen}, moderation.CaseEscalated); err != nil {
			return Outcome{}, fmt.Errorf("decide on case %d: %w", r.CaseID, err)
		}
	case moderation.DecideUndo:
		if d, err = s.undo(ctx, c, d); err != nil {
			return Outcome{}, fmt.Errorf("undo the removal on case %d: %w", r.CaseID, err)
		}
	default:
		return Outcome{}, fmt.Errorf("%w: kind %q", ErrInvalid, r.Kind)
	}
	out.Decision = d
	if out.Case, err = s.opts.Store.Case(ctx, r.CaseID); err != nil {
		return out, fmt.Errorf("decide on case %d: %w", r.CaseID, err)
	}
	detail := map[string]any{
		"surface": r.Surface, "kind": r.Kind, "reason": r.Reason, "role": string(r.Role),
		"comment": c.CommentID, "version": c.Version, "categories": c.Categories,
		"state": string(out.Case.State), "decision": d.ID,
	}
	if out.AwaitingSecond {
		detail["awaiting_second"] = true
	}
	if out.Register != nil {
		detail["register"] = out.Register.Number
	}
	if !out.UndoUntil.IsZero() {
		detail["undo_until"] = out.UndoUntil
	}
	s.audit(ctx, r, c, "decision."+r.Kind, detail)
	s.opts.Logger.Info("case decided", "case", c.ID, "kind", r.Kind, "by", r.By, "surface", r.Surface, "state", out.Case.State)
	if s.opts.Decided != nil {
		s.opts.Decided(out.Case)
	}
	return out, nil
}

// pendingApproval returns the removal approval a four-eyes case is waiting
// on a second reviewer for, or nil.
func (s *Service) pendingApproval(ctx context.Context, c moderation.Case) (*moderation.Decision, error) {
	if c.State != moderation.CaseEscalated {
		return nil, nil
	}
	ds, err := s.opts.Store.Decisions(ctx, c.ID)
	if err != nil {
		return nil, fmt.Errorf("decisions of case %d: %w", c.ID, err)
	}
	if len(ds) > 0 && ds[len(ds)-1].Kind == moderation.DecideRemove {
		return &ds[len(ds)-1], nil
	}
	return nil, nil
}

// Grace is how long an approved removal may be undone.
func (s *Service) Grace() time.Duration { return s.opts.Grace }

// UndoUntil returns when the grace of the case's approved removal ends,
// given the case's decisions (oldest first); false when there is nothing
// to undo: no grace, a case not approved, or one approved otherwise.
func (s *Service) UndoUntil(c moderation.Case, ds []moderation.Decision) (time.Time, bool) {
	if s.opts.Grace <= 0 || c.State != moderation.CaseApproved || len(ds) == 0 || ds[len(ds)-1].Kind != moderation.DecideRemove {
		return time.Time{}, false
	}
	return ds[len(ds)-1].At.Add(s.opts.Grace), true
}

// undo takes back an approved removal within its grace, recording d: the
// case is open again (escalated when a reviewer had escalated it), and the
// executor will queue nothing for it. After the grace, or once the removal
// is queued, it gives an error wrapping moderation.ErrTooLate; a case not
// approved gives the store's *moderation.ConflictError.
func (s *Service) undo(ctx context.Context, c moderation.Case, d moderation.Decision) (moderation.Decision, error) {
	ds, err := s.opts.Store.Decisions(ctx, c.ID)
	if err != nil {
		return d, fmt.Errorf("decisions of case %d: %w", c.ID, err)
	}
	if c.State == moderation.CaseApproved {
		until, ok := s.UndoUntil(c, ds)
		if !ok || !d.At.Before(until) {
			return d, fmt.Errorf("the grace ended at %s: %w", until.UTC().Format(time.RFC3339), moderation.ErrTooLate)
		}
	}
	to := moderation.CaseOpen
	for _, e := range ds {
		switch e.Kind {
		case moderation.DecideEscalate:
			to = moderation.CaseEscalated
		case moderation.DecideUndo:
			to = moderation.CaseOpen
		}
	}
	return s.opts.Store.UndoApproval(ctx, d, to)
}

// remove queues the deletion and the reply (the action executor deletes
// once the evidence exists, and replies once the deletion is done), then
// registers the comment.
func (s *Service) remove(ctx context.Context, c moderation.Case, d moderation.Decision, out *Outcome) error {
	for _, a := range []moderation.Action{
		{CommentID: c.CommentID, CaseID: c.ID, Kind: moderation.ActDelete},
		// An empty payload lets the action executor write the municipality's
		// configured reply (actions.replies) in the account's language.
		{CommentID: c.CommentID, CaseID: c.ID, Kind: moderation.ActReply},
	} {
		got, _, err := s.opts.Store.EnqueueAction(ctx, a)
		if err != nil {
			return fmt.Errorf("queue %s of comment %d: %w", a.Kind, c.CommentID, err)
		}
		if got.State == moderation.ActionFailed {
			// Approved again after the platform refused the deletion (the
			// case was reopened): it is tried again. Its explanation, not
			// sent then, was made pending again by queueing it.
			if err := s.opts.Store.RetryAction(ctx, got.ID); err != nil {
				return fmt.Errorf("retry %s of comment %d: %w", a.Kind, c.CommentID, err)
			}
			got.State = moderation.ActionPending
		}
		out.Actions = append(out.Actions, got)
	}
	return s.register(ctx, c, d, out)
}

func (s *Service) register(ctx context.Context, c moderation.Case, d moderation.Decision, out *Outcome) error {
	reason := RegisterReason(s.opts.Language, d.Kind, c.Categories, d.Reason)
	e, err := s.opts.Store.CreateRegisterEntry(ctx, moderation.RegisterEntry{CommentID: c.CommentID, CaseID: c.ID, Reason: reason, CreatedAt: d.At}, s.opts.RegisterNumber)
	if err != nil {
		return fmt.Errorf("register comment %d: %w", c.CommentID, err)
	}
	out.Register = &e
	return nil
}

func (s *Service) audit(ctx context.Context, r Request, c moderation.Case, action string, detail map[string]any) {
	if _, ok := detail["surface"]; !ok {
		detail["surface"] = r.Surface
		detail["kind"] = r.Kind
	}
	b, err := json.Marshal(detail)
	if err != nil {
		b = []byte(`{}`)
	}
	if _, err := s.opts.Store.AppendAudit(ctx, moderation.AuditEntry{
		At: s.opts.Now(), Actor: r.By, Action: action, Subject: "case/" + strconv.FormatInt(c.ID, 10), Detail: b,
	}); err != nil {
		s.opts.Logger.Error("audit log", "case", c.ID, "error", err)
	}
}

var categoryNames = map[string][3]string{ // sv, da, en: for the web page and Slack
	moderation.CatPersonalID:      {"personnummer", "CPR-nummer", "identity number"},
	moderation.CatSensitiveData:   {"känsliga personuppgifter", "følsomme personoplysninger", "sensitive personal data"},
	moderation.CatHarassment:      {"trakasserier", "chikane", "harassment"},
	moderation.CatHate:            {"hets", "hadefuld tale", "hate speech"},
	moderation.CatProfanity:       {"svordomar", "bandeord", "profanity"},
	moderation.CatPartyPolitics:   {"partipolitik", "partipolitik", "party politics"},
	moderation.CatAdvertising:     {"reklam", "reklame", "advertising"},
	moderation.CatCrimeIncitement: {"uppmaning till brott", "opfordring til kriminalitet", "incitement to crime"},
	moderation.CatViolencePorn:    {"våld eller pornografi", "vold eller pornografi", "violence or pornography"},
	moderation.CatCopyright:       {"upphovsrätt", "ophavsret", "copyright"},
}

// CategoryName is a category's name in sv, da or en (the id when unknown).
func CategoryName(lang, category string) string {
	n, ok := categoryNames[category]
	if !ok {
		return category
	}
	switch lang {
	case "da":
		return n[1]
	case "en":
		return n[2]
	}
	return n[0]
}
