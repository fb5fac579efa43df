package removal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/decide"
)

// Audit log actions the Gate writes. Their subject is "comment N" for a
// comment and "account/post" for an own post.
const (
	AuditSend   = "removal.send"   // right before the platform call, with the receipt
	AuditDone   = "removal.done"   // the platform hid or deleted it
	AuditGone   = "removal.gone"   // the platform said it was already deleted (by its author)
	AuditManual = "removal.manual" // the platform's API cannot delete it: a person must
)

var (
	// ErrNoReceipt is returned for the zero Receipt, or a receipt of the
	// wrong kind (a post's receipt to remove a comment).
	ErrNoReceipt = errors.New("removal: no evidence receipt")
	// ErrNoEvidence says the evidence a removal needs is not committed.
	ErrNoEvidence = errors.New("removal: evidence not committed")
	// ErrStaleEvidence says the comment has a version newer than its
	// evidence: the newest text must be documented first.
	ErrStaleEvidence = errors.New("removal: the comment changed after its evidence was made")
	// ErrGone is what a connector's removal call returns (wrapped) when the
	// platform says the object does not exist: its author deleted it.
	ErrGone = errors.New("already deleted on the platform")
	// ErrUnsupported says uppsikt has no such removal call for the
	// account's platform; retrying cannot help.
	ErrUnsupported = errors.New("removal: not offered on this platform")
)

// Calls are one platform's removal calls. Its fields are unexported: only
// the Gate can invoke them. A connector makes them with NewCalls from its
// unexported methods.
type Calls struct {
	hide    func(ctx context.Context, a moderation.Account, commentID string, hidden bool) error
	del     func(ctx context.Context, a moderation.Account, commentID string) error
	delPost func(ctx context.Context, a moderation.Account, postID string) error
}

// NewCalls returns a platform's removal calls: hiding (hidden=true) or
// showing a comment, deleting a comment, and deleting one of the account's
// own posts. Each returns an error wrapping ErrGone when the platform says
// the object does not exist, and deletePost one wrapping
// moderation.ErrManualRemoval when its API cannot delete posts. A nil
// function means the platform does not offer the call.
func NewCalls(
	hide func(ctx context.Context, a moderation.Account, commentID string, hidden bool) error,
	deleteComment func(ctx context.Context, a moderation.Account, commentID string) error,
	deletePost func(ctx context.Context, a moderation.Account, postID string) error,
) Calls {
	return Calls{hide: hide, del: deleteComment, delPost: deletePost}
}

type receiptKind int

const (
	noReceipt receiptKind = iota
	commentReceipt
	postReceipt
)

// Receipt proves that the evidence of exactly what is removed is committed.
// Only the Gate makes one (CommentReceipt, PostReceipt); the zero Receipt
// is refused.
type Receipt struct {
	kind       receiptKind
	accountKey string
	object     string // the platform id of the comment or post
	commentID  int64
	version    int    // the comment version its evidence documents
	evidenceID int64  // the comment's evidence PDF
	sha256     string // of the evidence: the comment's PDF, the objection's PDF, the snapshot
	deletion   moderation.PostDeletion
	proof      string // what the evidence is, for the audit log
}

// Version is the comment version the receipt's evidence documents.
func (r Receipt) Version() int { return r.version }

// EvidenceSHA256 is the SHA-256 of the evidence the receipt stands on.
func (r Receipt) EvidenceSHA256() string { return r.sha256 }

// Ref says why a comment is removed, for the audit log and the register.
type Ref struct {
	CaseID   int64 // the review case, 0 when none
	ActionID int64 // the platform action carrying it out, 0 when none
}

// Outcome is how a removal ended.
type Outcome struct {
	// Gone says the platform no longer had the object: its author had
	// deleted it. The comment is recorded deleted, not hidden.
	Gone bool
	// Register is the comment's entry in the records register.
	Register moderation.RegisterEntry
}

// PostStore is what deleting own posts reads beyond moderation.Store:
// objections and the snapshots that cover posts. archive/sqlite implements
// it.
type PostStore interface {
	Objection(ctx context.Context, id int64) (moderation.Objection, error)
	PostDeletion(ctx context.Context, id int64) (moderation.PostDeletion, error)
	Snapshots(ctx context.Context, accountKey string) ([]moderation.SnapshotRecord, error)
}

// Options configure a Gate.
type Options struct {
	Store moderation.Store
	// Posts is needed to delete own posts; nil refuses every PostReceipt.
	Posts PostStore
	// Calls are the removal calls per platform.
	Calls map[moderation.Platform]Calls
	// RegisterNumber formats register numbers in the configured series
	// (nil: "2026/0042").
	RegisterNumber func(year, seq int) string
	Now            func() time.Time
	Logger         *slog.Logger
	// Language is the municipality's language (sv, da, en; sv when
	// empty), in which register reasons are written.
	Language string
}

// Gate is the one remover. It is safe for concurrent use as far as its
// Store is.
type Gate struct {
	opts Options
}

// New returns a Gate.
func New(opts Options) *Gate {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.RegisterNumber == nil {
		opts.RegisterNumber = func(year, seq int) string { return fmt.Sprintf("%d/%04d", year, seq) }
	}
	return &Gate{opts: opts}
}

// CommentReceipt returns the receipt for removing a comment: its evidence
// PDF of its latest stored version. It gives an error wrapping
// ErrNoEvidence when the comment has no evidence PDF, and ErrStaleEvidence
// when its PDFs document an earlier version only (or an unknown one: files
// written before uppsikt recorded versions).
func (g *Gate) CommentReceipt(ctx context.Context, commentID int64) (Receipt, error) {
	c, err := g.opts.Store.Comment(ctx, commentID)
	if err != nil {
		return Receipt{}, fmt.Errorf("removal: comment %d: %w", commentID, err)
	}
	files, err := g.opts.Store.Evidence(ctx, commentID)
	if err != nil {
		return Receipt{}, fmt.Errorf("removal: evidence of comment %d: %w", commentID, err)
	}
	var best *moderation.EvidenceFile
	older := false
	for i, f := range files {
		if f.Kind != moderation.EvidencePDF {
			continue
		}
		if f.Version != c.Versions || c.Versions == 0 {
			older = true
			continue
		}
		if best == nil || f.CreatedAt.After(best.CreatedAt) {
			best = &files[i]
		}
	}
	switch {
	case best != nil:
	case older:
		return Receipt{}, fmt.Errorf("comment %d is at version %d: %w", commentID, c.Versions, ErrStaleEvidence)
	default:
		return Receipt{}, fmt.Errorf("comment %d: %w", commentID, ErrNoEvidence)
	}
	return Receipt{kind: commentReceipt, accountKey: c.AccountKey, object: c.PlatformID, commentID: c.ID,
		version: best.Version, evidenceID: best.ID, sha256: best.SHA256, proof: "evidence " + best.Path}, nil
}

// Hide hides a comment on its platform: the receipt is checked against the
// comment as stored now, the call is made, and the comment is recorded
// hidden with its register entry — or deleted, when the platform says its
// author deleted it (Outcome.Gone).
func (g *Gate) Hide(ctx context.Context, r Receipt, ref Ref) (Outcome, error) {
	return g.removeComment(ctx, r, ref, moderation.ActHide)
}

// Delete deletes a comment on its platform, as Hide does, and creates its
// entry in the records register. A comment already gone is recorded
// deleted with Outcome.Gone.
func (g *Gate) Delete(ctx context.Context, r Receipt, ref Ref) (Outcome, error) {
	return g.removeComment(ctx, r, ref, moderation.ActDelete)
}

func (g *Gate) removeComment(ctx context.Context, r Receipt, ref Ref, kind string) (Outcome, error) {
	st := g.opts.Store
	if r.kind != commentReceipt {
		return Outcome{}, fmt.Errorf("%s: %w", kind, ErrNoReceipt)
	}
	// The receipt must still be of the latest version: an edit stored since
	// it was made means the text to be removed is not documented.
	c, err := st.Comment(ctx, r.commentID)
	if err != nil {
		return Outcome{}, fmt.Errorf("removal: comment %d: %w", r.commentID, err)
	}
	if c.Versions != r.version {
		return Outcome{}, fmt.Errorf("%s comment %d: evidence of version %d, stored version %d: %w",
			kind, c.ID, r.version, c.Versions, ErrStaleEvidence)
	}
	acct, calls, err := g.platform(ctx, c.AccountKey)
	if err != nil {
		return Outcome{}, err
	}
	call := func() error {
		switch {
		case kind == moderation.ActHide && calls.hide != nil:
			return calls.hide(ctx, acct, c.PlatformID, true)
		case kind == moderation.ActDelete && calls.del != nil:
			return calls.del(ctx, acct, c.PlatformID)
		}
		return fmt.Errorf("%s comments on %s: %w", kind, acct.Platform, ErrUnsupported)
	}
	detail := map[string]any{"kind": kind, "platform_id": c.PlatformID, "version": r.version,
		"evidence_id": r.evidenceID, "evidence_sha256": r.sha256, "case_id": ref.CaseID, "action_id": ref.ActionID}
	subject := "comment " + strconv.FormatInt(c.ID, 10)
	if err := g.audit(ctx, AuditSend, subject, detail); err != nil {
		return Outcome{}, err
	}
	callErr := call()
	var out Outcome
	switch {
	case callErr == nil:
	case errors.Is(callErr, ErrGone):
		out.Gone = true
	default:
		return Outcome{}, callErr
	}
	now := g.opts.Now()
	state := moderation.StateDeleted
	if kind == moderation.ActHide && !out.Gone {
		state = moderation.StateHidden
	}
	if _, err := st.RecordStateChange(ctx, moderation.StateChange{AccountKey: c.AccountKey, PlatformID: c.PlatformID,
		State: state, At: now, Source: moderation.SourceAction}); err != nil {
		return out, fmt.Errorf("removal: record comment %d %s: %w", c.ID, state, err)
	}
	if out.Register, err = g.register(ctx, c.ID, ref, kind, now); err != nil {
		return out, err
	}
	action := AuditDone
	if out.Gone {
		action = AuditGone
	}
	detail["state"] = state
	detail["register_number"] = out.Register.Number
	if err := g.audit(ctx, action, subject, detail); err != nil {
		return out, err
	}
	g.opts.Logger.Info("comment removed", "kind", kind, "comment_id", c.ID, "account", c.AccountKey, "gone", out.Gone,
		"version", r.version, "action_id", ref.ActionID)
	return out, nil
}

// Register creates (or finds) the entry in the records register for
// removing the comment (kind moderation.ActHide or ActDelete) in the case,
// before the removal, so that its evidence can carry the number. Entries
// are unique per comment and case: a removal finds the same one.
func (g *Gate) Register(ctx context.Context, commentID int64, ref Ref, kind string) (moderation.RegisterEntry, error) {
	return g.register(ctx, commentID, ref, kind, g.opts.Now())
}

func (g *Gate) register(ctx context.Context, commentID int64, ref Ref, kind string, now time.Time) (moderation.RegisterEntry, error) {
	why := decide.ReasonRemoved
	if kind == moderation.ActHide {
		why = decide.ReasonHidden
	}
	var categories []string
	if ref.CaseID != 0 {
		if cs, err := g.opts.Store.Case(ctx, ref.CaseID); err == nil {
			categories = cs.Categories
		}
	}
	reason := decide.RegisterReason(g.opts.Language, why, categories, "")
	e, err := g.opts.Store.CreateRegisterEntry(ctx, moderation.RegisterEntry{CommentID: commentID, CaseID: ref.CaseID, Reason: reason, CreatedAt: now},
		g.opts.RegisterNumber)
	if err != nil {
		return e, fmt.Errorf("removal: register comment %d: %w", commentID, err)
	}
	return e, nil
}

// Unhide shows a hidden comment again and records it visible. Restoring
// needs no receipt; the caller audits it. A comment gone from the platform
// gives an error wrapping ErrGone and is recorded deleted.
func (g *Gate) Unhide(ctx context.Context, commentID int64) error {
	st := g.opts.Store
	c, err := st.Comment(ctx, commentID)
	if err != nil {
		return fmt.Errorf("removal: comment %d: %w", commentID, err)
	}
	acct, calls, err := g.platform(ctx, c.AccountKey)
	if err != nil {
		return err
	}
	if calls.hide == nil {
		return fmt.Errorf("unhide comments on %s: %w", acct.Platform, ErrUnsupported)
	}
	callErr := calls.hide(ctx, acct, c.PlatformID, false)
	state := moderation.StateVisible
	switch {
	case errors.Is(callErr, ErrGone):
		state = moderation.StateDeleted
	case callErr != nil:
		return callErr
	}
	if _, err := st.RecordStateChange(ctx, moderation.StateChange{AccountKey: c.AccountKey, PlatformID: c.PlatformID,
		State: state, At: g.opts.Now(), Source: moderation.SourceAction}); err != nil {
		return fmt.Errorf("removal: record comment %d %s: %w", c.ID, state, err)
	}
	return callErr
}

// PostReceipt returns the receipt for deleting one of the account's own
// posts: for the retention plan the snapshot that covers the post, for an
// objection the approved objection with its evidence. The deletion must be
// pending. A missing proof gives an error wrapping ErrNoEvidence.
func (g *Gate) PostReceipt(ctx context.Context, del moderation.PostDeletion) (Receipt, error) {
	if g.opts.Posts == nil {
		return Receipt{}, errors.New("removal: no store of own posts configured")
	}
	cur, err := g.opts.Posts.PostDeletion(ctx, del.ID)
	if err != nil {
		return Receipt{}, fmt.Errorf("removal: post deletion %d: %w", del.ID, err)
	}
	if cur.State != moderation.DeletionPending {
		return Receipt{}, fmt.Errorf("removal: post deletion %d is %s, not pending", cur.ID, cur.State)
	}
	r := Receipt{kind: postReceipt, accountKey: cur.AccountKey, object: cur.PostID, deletion: cur}
	switch cur.Reason {
	case moderation.DeletionRetention:
		p, err := g.opts.Store.Post(ctx, cur.AccountKey, cur.PostID)
		if err != nil {
			return Receipt{}, fmt.Errorf("removal: post %s/%s: %w", cur.AccountKey, cur.PostID, err)
		}
		snaps, err := g.opts.Posts.Snapshots(ctx, cur.AccountKey)
		if err != nil {
			return Receipt{}, fmt.Errorf("removal: snapshots of %s: %w", cur.AccountKey, err)
		}
		for _, s := range snaps {
			if s.SHA256 != "" && !p.CreatedAt.Before(s.From) && p.CreatedAt.Before(s.To) && s.CreatedAt.After(p.CreatedAt) {
				r.sha256, r.proof = s.SHA256, "snapshot "+s.Path
				return r, nil
			}
		}
		return Receipt{}, fmt.Errorf("post %s/%s is in no snapshot: %w", cur.AccountKey, cur.PostID, ErrNoEvidence)
	case moderation.DeletionObjection:
		o, err := g.opts.Posts.Objection(ctx, cur.ObjectionID)
		if err != nil {
			return Receipt{}, fmt.Errorf("removal: objection %d: %w", cur.ObjectionID, err)
		}
		switch {
		case o.State != moderation.ObjectionApproved:
			return Receipt{}, fmt.Errorf("removal: objection %d is %s, not approved", o.ID, o.State)
		case o.AccountKey != cur.AccountKey || o.PostID != cur.PostID:
			return Receipt{}, fmt.Errorf("removal: objection %d is about post %s/%s, not %s/%s", o.ID, o.AccountKey, o.PostID, cur.AccountKey, cur.PostID)
		case o.EvidenceSHA256 == "":
			return Receipt{}, fmt.Errorf("objection %d: %w", o.ID, ErrNoEvidence)
		}
		r.sha256, r.proof = o.EvidenceSHA256, "objection evidence "+o.EvidencePath
		return r, nil
	}
	return Receipt{}, fmt.Errorf("removal: post deletion %d: unknown reason %q", cur.ID, cur.Reason)
}

// DeletePost deletes an own post on its platform. The receipt is taken
// again from the store right before the call and must stand on the same
// evidence. A post already gone counts as deleted (Outcome.Gone). A
// platform whose API cannot delete posts gives an error wrapping
// moderation.ErrManualRemoval, audited removal.manual. The caller keeps the
// deletion's state (moderation.OwnPostStore).
func (g *Gate) DeletePost(ctx context.Context, r Receipt) (Outcome, error) {
	if r.kind != postReceipt {
		return Outcome{}, fmt.Errorf("delete post: %w", ErrNoReceipt)
	}
	again, err := g.PostReceipt(ctx, r.deletion)
	if err != nil {
		return Outcome{}, err
	}
	if again.sha256 != r.sha256 {
		return Outcome{}, fmt.Errorf("removal: post %s/%s: the evidence changed since the receipt: %w", r.accountKey, r.object, ErrNoEvidence)
	}
	acct, calls, err := g.platform(ctx, r.accountKey)
	if err != nil {
		return Outcome{}, err
	}
	if calls.delPost == nil {
		return Outcome{}, fmt.Errorf("delete posts on %s: %w", acct.Platform, ErrUnsupported)
	}
	subject := r.accountKey + "/" + r.object
	detail := map[string]any{"kind": "delete_post", "post": r.object, "deletion": r.deletion.ID, "reason": r.deletion.Reason,
		"objection": r.deletion.ObjectionID, "evidence": r.proof, "evidence_sha256": r.sha256}
	if err := g.audit(ctx, AuditSend, subject, detail); err != nil {
		return Outcome{}, err
	}
	callErr := calls.delPost(ctx, acct, r.object)
	var out Outcome
	action := AuditDone
	switch {
	case callErr == nil:
	case errors.Is(callErr, ErrGone):
		out.Gone, action = true, AuditGone
	case errors.Is(callErr, moderation.ErrManualRemoval):
		detail["instruction"] = callErr.Error()
		return out, errors.Join(callErr, g.audit(ctx, AuditManual, subject, detail))
	default:
		return out, callErr
	}
	if err := g.audit(ctx, action, subject, detail); err != nil {
		return out, err
	}
	g.opts.Logger.Info("own post removed", "account", r.accountKey, "post", r.object, "deletion", r.deletion.ID, "gone", out.Gone)
	return out, nil
}

func (g *Gate) platform(ctx context.Context, accountKey string) (moderation.Account, Calls, error) {
	acct, err := g.opts.Store.Account(ctx, accountKey)
	if err != nil {
		return acct, Calls{}, fmt.Errorf("removal: account %s: %w", accountKey, err)
	}
	calls, ok := g.opts.Calls[acct.Platform]
	if !ok {
		return acct, Calls{}, fmt.Errorf("%s: %w", acct.Platform, ErrUnsupported)
	}
	return acct, calls, nil
}

func (g *Gate) audit(ctx context.Context, action, subject string, detail map[string]any) error {
	b, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("removal: audit: %w", err)
	}
	if _, err := g.opts.Store.AppendAudit(ctx, moderation.AuditEntry{At: g.opts.Now(), Actor: "uppsikt", Action: action,
		Subject: subject, Detail: b}); err != nil {
		return fmt.Errorf("removal: audit %s: %w", action, err)
	}
	return nil
}
