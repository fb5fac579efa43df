package retention

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/removal"
)

// DeletionStore is what the deletion of own posts reads and changes.
type DeletionStore interface {
	Store
	moderation.OwnPostStore
	AppendAudit(ctx context.Context, e moderation.AuditEntry) (moderation.AuditEntry, error)
}

// Guard is checked right before a deletion of reason other than retention
// goes to the platform; an error stops it. The objection workflow guards
// its deletions with "the objection is approved and its evidence is
// committed".
type Guard func(ctx context.Context, d moderation.PostDeletion) error

// MaxAttempts is how many platform calls a deletion gets before it is
// marked failed.
const MaxAttempts = 5

// Deleter approves and carries out deletions of the account's own posts.
//
// A deletion is stored as pending before anything is sent, and each
// attempt is counted before its platform call, so a crash at any point
// leaves a pending deletion that ExecutePending carries out later. Sending
// a deletion again is safe: a post the platform already deleted answers
// "does not exist" (Graph error 100, subcode 33), which counts as done.
// Right before every platform call the guard is checked again: for the
// retention plan, CheckDeletable (own, past its age, in a snapshot). The
// call itself goes through the one remover (moderation/removal), which
// takes its receipt from the store — the snapshot that covers the post, or
// the approved objection with its evidence — and writes the removal's
// audit entries.
type Deleter struct {
	Store DeletionStore
	Plan  Plan
	// Gate carries out the deletions; without it nothing is deleted.
	Gate *removal.Gate
	// Platforms read posts back, to confirm a removal by hand.
	Platforms map[moderation.Platform]moderation.PostChecker
	// Guards by deletion reason, for reasons other than retention. A
	// deletion whose reason has no guard is never sent.
	Guards map[string]Guard
	Now    func() time.Time
	Logger *slog.Logger
}

func (d *Deleter) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Deleter) log() *slog.Logger {
	if d.Logger != nil {
		return d.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Approve records by's approval of deleting an own post past its age,
// after CheckDeletable, and audits it. It sends nothing: Execute does. A
// post already approved returns its stored deletion.
func (d *Deleter) Approve(ctx context.Context, accountKey, postID, by string) (moderation.PostDeletion, error) {
	if by == "" {
		return moderation.PostDeletion{}, errors.New("retention: an approval needs the name of who approves")
	}
	now := d.now()
	o, err := CheckDeletable(ctx, d.Store, d.Plan, accountKey, postID, now)
	if err != nil {
		return moderation.PostDeletion{}, err
	}
	del, created, err := d.Store.RequestPostDeletion(ctx, moderation.PostDeletion{AccountKey: accountKey, PostID: postID,
		Reason: moderation.DeletionRetention, SnapshotID: o.Snapshot.ID, ApprovedBy: by, ApprovedAt: now})
	if err != nil {
		return moderation.PostDeletion{}, fmt.Errorf("retention: %w", err)
	}
	if created {
		if err := d.audit(ctx, by, "own_post.deletion_approved", del, map[string]any{"snapshot": o.Snapshot.Path,
			"snapshot_sha256": o.Snapshot.SHA256, "due_since": o.DueSince, "album": o.Album}); err != nil {
			return del, err
		}
		d.log().Info("own post deletion approved", "account", accountKey, "post", postID, "deletion", del.ID, "by", by)
	}
	return del, nil
}

// ApproveAllDue approves the deletion of every own post of the account
// that is past its age and covered by a snapshot. It returns the deletions
// approved now or before, and the overdue posts left out because no
// snapshot covers them yet.
func (d *Deleter) ApproveAllDue(ctx context.Context, accountKey, by string) ([]moderation.PostDeletion, []OverduePost, error) {
	list, err := OverduePosts(ctx, d.Store, d.Plan, accountKey, d.now())
	if err != nil {
		return nil, nil, err
	}
	var out []moderation.PostDeletion
	var skipped []OverduePost
	for _, o := range list {
		if o.Snapshot == nil {
			skipped = append(skipped, o)
			continue
		}
		del, err := d.Approve(ctx, accountKey, o.Post.PlatformID, by)
		if err != nil {
			return out, skipped, err
		}
		out = append(out, del)
	}
	return out, skipped, nil
}

// Request stores an approved deletion of another reason (an objection) as
// pending, and audits it when it is new. Its guard is checked by Execute.
func (d *Deleter) Request(ctx context.Context, del moderation.PostDeletion) (moderation.PostDeletion, error) {
	if del.Reason == moderation.DeletionRetention {
		return moderation.PostDeletion{}, errors.New("retention: a deletion under the plan is approved with Approve")
	}
	if del.ApprovedAt.IsZero() {
		del.ApprovedAt = d.now()
	}
	out, created, err := d.Store.RequestPostDeletion(ctx, del)
	if err != nil {
		return out, fmt.Errorf("retention: %w", err)
	}
	if created {
		if err := d.audit(ctx, del.ApprovedBy, "own_post.deletion_approved", out, map[string]any{"objection": del.ObjectionID}); err != nil {
			return out, err
		}
	}
	return out, nil
}

// ExecutePending carries out every pending deletion, oldest first, and
// returns them as they ended. An error of one deletion does not stop the
// others; they are joined.
func (d *Deleter) ExecutePending(ctx context.Context) ([]moderation.PostDeletion, error) {
	pend, err := d.Store.PendingPostDeletions(ctx, 0)
	if err != nil {
		return nil, fmt.Errorf("retention: %w", err)
	}
	var out []moderation.PostDeletion
	var errs []error
	for _, p := range pend {
		del, err := d.Execute(ctx, p.ID)
		out = append(out, del)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return out, errors.Join(errs...)
}

// Execute carries out one pending deletion: the guard again, the receipt,
// the attempt counted in the store, the platform call through the Gate,
// the outcome recorded. A deletion that is not pending is returned as it
// is.
func (d *Deleter) Execute(ctx context.Context, id int64) (moderation.PostDeletion, error) {
	del, err := d.Store.PostDeletion(ctx, id)
	if err != nil {
		return del, fmt.Errorf("retention: %w", err)
	}
	if del.State != moderation.DeletionPending {
		return del, nil
	}
	if err := d.guard(ctx, del); err != nil {
		if ctx.Err() != nil {
			return del, fmt.Errorf("retention: %w", err) // stopped: still pending, checked again next time
		}
		return d.fail(ctx, del, fmt.Errorf("refused before the platform call: %w", err))
	}
	if d.Gate == nil {
		return d.fail(ctx, del, errors.New("no remover configured"))
	}
	receipt, err := d.Gate.PostReceipt(ctx, del)
	if err != nil {
		if ctx.Err() != nil {
			return del, fmt.Errorf("retention: %w", err)
		}
		return d.fail(ctx, del, fmt.Errorf("refused before the platform call: %w", err))
	}
	if del, err = d.Store.StartPostDeletion(ctx, id, d.now()); err != nil {
		return del, fmt.Errorf("retention: %w", err)
	}
	_, callErr := d.Gate.DeletePost(ctx, receipt)
	now := d.now()
	switch {
	case callErr == nil:
		if del, err = d.Store.FinishPostDeletion(ctx, id, moderation.DeletionDone, "", "", now); err != nil {
			return del, fmt.Errorf("retention: %w", err)
		}
		d.log().Info("own post deleted", "account", del.AccountKey, "post", del.PostID, "deletion", del.ID, "reason", del.Reason)
		return del, nil
	case errors.Is(callErr, moderation.ErrManualRemoval):
		if del, err = d.Store.FinishPostDeletion(ctx, id, moderation.DeletionManual, "", callErr.Error(), now); err != nil {
			return del, fmt.Errorf("retention: %w", err)
		}
		d.log().Warn("own post must be removed by hand", "account", del.AccountKey, "post", del.PostID, "deletion", del.ID)
		return del, nil
	case errors.Is(callErr, removal.ErrUnsupported):
		return d.fail(ctx, del, callErr)
	}
	state := moderation.DeletionPending
	if del.Attempts >= MaxAttempts {
		state = moderation.DeletionFailed
	}
	if del, err = d.Store.FinishPostDeletion(ctx, id, state, callErr.Error(), "", now); err != nil {
		return del, fmt.Errorf("retention: %w", err)
	}
	if state == moderation.DeletionFailed {
		if err := d.audit(ctx, "uppsikt", "own_post.deletion_failed", del, map[string]any{"error": callErr.Error()}); err != nil {
			return del, err
		}
	}
	return del, fmt.Errorf("retention: delete post %s/%s: %w", del.AccountKey, del.PostID, callErr)
}

func (d *Deleter) guard(ctx context.Context, del moderation.PostDeletion) error {
	if del.Reason == moderation.DeletionRetention {
		_, err := CheckDeletable(ctx, d.Store, d.Plan, del.AccountKey, del.PostID, d.now())
		return err
	}
	g := d.Guards[del.Reason]
	if g == nil {
		return fmt.Errorf("no guard for deletions of reason %q", del.Reason)
	}
	return g(ctx, del)
}

func (d *Deleter) fail(ctx context.Context, del moderation.PostDeletion, cause error) (moderation.PostDeletion, error) {
	out, err := d.Store.FinishPostDeletion(ctx, del.ID, moderation.DeletionFailed, cause.Error(), "", d.now())
	if err != nil {
		return del, fmt.Errorf("retention: %w", err)
	}
	if err := d.audit(ctx, "uppsikt", "own_post.deletion_failed", out, map[string]any{"error": cause.Error()}); err != nil {
		return out, err
	}
	return out, fmt.Errorf("retention: delete post %s/%s: %w", del.AccountKey, del.PostID, cause)
}

func (d *Deleter) audit(ctx context.Context, actor, action string, del moderation.PostDeletion, extra map[string]any) error {
	detail := map[string]any{"deletion": del.ID, "post": del.PostID, "reason": del.Reason, "state": del.State}
	for k, v := range extra {
		detail[k] = v
	}
	b, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("retention: audit: %w", err)
	}
	if _, err := d.Store.AppendAudit(ctx, moderation.AuditEntry{At: d.now(), Actor: actor, Action: action,
		Subject: del.AccountKey + "/" + del.PostID, Detail: b}); err != nil {
		return fmt.Errorf("retention: audit: %w", err)
	}
	return nil
}

// ConfirmManual re-reads the post of every deletion left for manual
// removal (every account when accountKey is empty) and records as done
// those the platform says are gone. It returns the deletions it confirmed;
// a post still there stays manual.
func (d *Deleter) ConfirmManual(ctx context.Context, accountKey string) ([]moderation.PostDeletion, error) {
	all, err := d.Store.PostDeletions(ctx, accountKey)
	if err != nil {
		return nil, fmt.Errorf("retention: %w", err)
	}
	var out []moderation.PostDeletion
	var errs []error
	for _, del := range all {
		if del.State != moderation.DeletionManual {
			continue
		}
		a, err := d.Store.Account(ctx, del.AccountKey)
		if err != nil {
			errs = append(errs, fmt.Errorf("retention: %w", err))
			continue
		}
		checker := d.Platforms[a.Platform]
		if checker == nil {
			continue
		}
		gone, err := checker.PostGone(ctx, a, del.PostID)
		if err != nil {
			errs = append(errs, fmt.Errorf("retention: post %s/%s: %w", del.AccountKey, del.PostID, err))
			continue
		}
		if !gone {
			continue
		}
		done, err := d.RemovedByHand(ctx, del.ID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, done)
	}
	return out, errors.Join(errs...)
}

// RemovedByHand records a deletion left for manual removal as done, once
// the caller has read the post back from the platform and found it gone.
func (d *Deleter) RemovedByHand(ctx context.Context, id int64) (moderation.PostDeletion, error) {
	del, err := d.Store.FinishPostDeletion(ctx, id, moderation.DeletionDone, "", "removed by hand; the platform says it is gone", d.now())
	if err != nil {
		return del, fmt.Errorf("retention: %w", err)
	}
	if del.State != moderation.DeletionDone {
		return del, fmt.Errorf("retention: deletion %d is %s", id, del.State)
	}
	return del, d.audit(ctx, "uppsikt", "own_post.removed_by_hand", del, nil)
}
