package act

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	fb "github.com/huandu/facebook/v2"

	"github.com/uppsikt/uppsikt/bot/facebook"
	"github.com/uppsikt/uppsikt/bot/instagram"
	"github.com/uppsikt/uppsikt/bot/pipeline"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/removal"
	"github.com/uppsikt/uppsikt/moderation/wake"
)

// Platform answers comments and the authors of removed comments on one
// platform; the
// Facebook and Instagram connectors implement it. Hiding and deleting are
// not here: they go through the one remover (moderation/removal's Gate).
type Platform interface {
	// Reply answers a comment in its thread and returns the reply's id.
	Reply(ctx context.Context, a moderation.Account, commentID, message string) (string, error)
	// FindReplies lists the ids of replies the account made in the
	// comment's thread with exactly this message, at or after since,
	// oldest first. parentID is the comment's parent, "" for a top-level
	// comment.
	FindReplies(ctx context.Context, a moderation.Account, commentID, parentID, message string, since time.Time) ([]string, error)
	// Explain tells the author of comment c in public that it was removed
	// and why, in a place where the answer stays after the removal (never
	// under c itself: a comment's replies go when it goes), and returns
	// the id of what it made.
	Explain(ctx context.Context, a moderation.Account, c moderation.Comment, message string) (string, error)
	// FindExplanations lists the ids of answers Explain made for c with
	// exactly this message at or after since, oldest first.
	FindExplanations(ctx context.Context, a moderation.Account, c moderation.Comment, message string, since time.Time) ([]string, error)
	// PrivateReply sends the author of a comment a private message about
	// it (Messenger); the comment must still exist.
	PrivateReply(ctx context.Context, a moderation.Account, commentID, message string) (string, error)
}

// Evidence documents comments; cmd wires archive/evidencepdf behind it.
type Evidence interface {
	// Document makes and commits the comment's evidence now, of its latest
	// stored version.
	Document(ctx context.Context, commentID, caseID int64, registerNumber string) error
}

// Audit actions written by the executor.
const (
	AuditSend = "action.send"
	AuditDone = "action.done"
	AuditFail = "action.failed"
	AuditWait = "action.wait_evidence"
	// AuditReopen: a removal approved in review failed for good on the
	// platform, and its case is open again.
	AuditReopen = "case.reopened"
	// AuditCancel: an action was not sent because its review case is no
	// longer approved (the removal was undone).
	AuditCancel = "action.cancelled"
)

// ReplyUnderWay is the note a reply action carries while its call to the
// platform is under way; found on a pending action after a crash, it means
// the reply may have been made.
const ReplyUnderWay = "reply sent, answer not yet received"

// Options configure an Executor.
type Options struct {
	Store moderation.Store
	// Platforms send replies.
	Platforms map[moderation.Platform]Platform
	// Gate hides, unhides and deletes. Required: without it no hide or
	// delete is ever sent.
	Gate *removal.Gate
	// Evidence makes the evidence a removal needs when the Gate finds none
	// of the comment's latest version. Required for hides and deletes.
	Evidence Evidence
	// Replies are the reply texts per language; DefaultTemplates fill gaps.
	Replies Templates
	// PrivateReplies adds a private reply to the public one on approval,
	// where the platform allows it (Facebook).
	PrivateReplies bool
	// Language gives an account's language, for replies when the verdict
	// has none.
	Language func(accountKey string) string
	Batch    int           // actions per round (default 50)
	Idle     time.Duration // wait between rounds (default 2 s)
	// An action whose attempts keep failing fails for good once it has
	// failed MaxAttempts times (default 8) and GiveUpAfter (default 72 h)
	// has passed since it was queued. Waiting out a rate limit whose end
	// is known, or a rejected token, costs no attempt.
	MaxAttempts int
	GiveUpAfter time.Duration
	// Backoff is the wait after the first failed attempt (default 5 s); it
	// doubles with every attempt, up to MaxBackoff (default 15 min).
	Backoff    time.Duration
	MaxBackoff time.Duration
	// FollowEvery is how often Drain looks for decided cases whose actions
	// are not queued yet (default 30 s, at most Grace); the decision
	// service queues them itself when there is no grace, this is the
	// safety net.
	FollowEvery time.Duration
	Now         func() time.Time
	Logger      *slog.Logger

	// Grace is how long an approved removal may be undone in review
	// (decide.Options.Grace): FollowDecisions queues the reply and the
	// deletion of a case approved at least Grace ago, and Drain follows
	// again as soon as a grace it has seen ends.
	Grace time.Duration
	// Guideline is the citation of the municipality's guideline
	// (municipality.guideline): a reply's {guideline} names it for every hit
	// whose rule cites no document of its own (the embedded packs).
	Guideline string
	// Claims, when set, makes Drain claim its actions for Worker
	// (moderation.ClaimStore) instead of listing them, so that several
	// workers sharing the store never send one action at once; the claims
	// are given back when Drain ends. A claim taken over from a worker that
	// died is an action replayed after a crash: a reply counts its attempt
	// before it is sent, and a retry looks for it on the platform first.
	Claims moderation.ClaimStore
	Worker string
	// Alive, with Claims, says whether this worker's claims are still
	// surely its own (bot/lease.Keeper.Alive); Drain stops sending when it
	// is not, so that an action a worker cut off from the store claimed is
	// not sent by it and by the worker that took it over.
	Alive func() bool
}

// Executor sends pending actions.
type Executor struct {
	opts       Options
	wake       wake.Signal
	lastFollow time.Time // used by Drain, which runs in one goroutine at a time
	nextFollow time.Time // when the earliest grace seen by Drain ends; zero: none
}

// New returns an Executor.
func New(opts Options) *Executor {
	if opts.Batch <= 0 {
		opts.Batch = 50
	}
	if opts.Idle <= 0 {
		opts.Idle = 2 * time.Second
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 8
	}
	if opts.GiveUpAfter <= 0 {
		opts.GiveUpAfter = 72 * time.Hour
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 5 * time.Second
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 15 * time.Minute
	}
	if opts.FollowEvery <= 0 {
		opts.FollowEvery = 30 * time.Second
		if opts.Grace > 0 && opts.Grace < opts.FollowEvery {
			opts.FollowEvery = opts.Grace
		}
	}
	if opts.Replies == nil {
		opts.Replies = DefaultTemplates()
	}
	if opts.Language == nil {
		opts.Language = func(string) string { return "sv" }
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Executor{opts: opts, wake: wake.New()}
}

// Wake asks the executor to look at the queue now. It never blocks.
func (e *Executor) Wake() {
	e.wake.Notify()
}

// Run sends actions until ctx is cancelled; the action under way is
// finished first.
func (e *Executor) Run(ctx context.Context) error {
	e.wake.Loop(ctx, e.opts.Idle, func() {
		if _, err := e.Drain(context.WithoutCancel(ctx), ctx.Done()); err != nil {
			e.opts.Logger.Error("action round failed", "error", err)
		}
	})
	return nil
}

// Drain follows the review decisions (every FollowEvery) and sends every
// pending action once, and returns how many were carried out. It must not
// run in two goroutines at once.
func (e *Executor) Drain(ctx context.Context, stop <-chan struct{}) (int, error) {
	if now := e.opts.Now(); now.Sub(e.lastFollow) >= e.opts.FollowEvery || (!e.nextFollow.IsZero() && !now.Before(e.nextFollow)) {
		next, err := e.followDecisions(ctx)
		if err != nil {
			return 0, err
		}
		e.lastFollow, e.nextFollow = now, next
	}
	var actions []moderation.Action
	var err error
	if e.opts.Claims != nil {
		defer func() {
			if err := e.opts.Claims.ReleaseClaims(ctx, moderation.ClaimActions, e.opts.Worker); err != nil {
				e.opts.Logger.Warn("give back claimed actions", "error", err)
			}
		}()
		actions, err = e.opts.Claims.ClaimActions(ctx, e.opts.Worker, e.opts.Now(), e.opts.Batch)
	} else {
		actions, err = e.opts.Store.PendingActions(ctx, e.opts.Now(), e.opts.Batch)
	}
	if err != nil {
		return 0, fmt.Errorf("pending actions: %w", err)
	}
	evCtx, release := pipeline.StopContext(ctx, stop)
	defer release()
	done := 0
	for _, a := range actions {
		select {
		case <-stop:
			return done, nil
		default:
		}
		if e.opts.Claims != nil && e.opts.Alive != nil && !e.opts.Alive() {
			e.opts.Logger.Warn("actions not sent: this worker's heartbeat has lapsed, another may take them over", "worker", e.opts.Worker)
			return done, nil
		}
		ok, err := e.execute(ctx, evCtx, a)
		if err != nil && evCtx.Err() != nil && ctx.Err() == nil {
			return done, nil // stopped while documenting: the action stays pending
		}
		if err != nil {
			e.opts.Logger.Warn("action failed", "action_id", a.ID, "kind", a.Kind, "comment_id", a.CommentID, "error", err)
		}
		if ok {
			done++
		}
	}
	return done, nil
}

// FollowDecisions enqueues the actions review decisions ask for: delete and
// reply for approved cases (once their grace has passed), unhide for kept
// cases whose comment uppsikt hid. Enqueueing is idempotent, so this is
// safe to repeat.
func (e *Executor) FollowDecisions(ctx context.Context) error {
	_, err := e.followDecisions(ctx)
	return err
}

// followDecisions is FollowDecisions; it returns when the earliest grace
// it waits for ends (zero: none).
func (e *Executor) followDecisions(ctx context.Context) (time.Time, error) {
	var next time.Time
	cases, err := e.opts.Store.ListCases(ctx, moderation.CaseFilter{States: []moderation.CaseState{moderation.CaseApproved, moderation.CaseKept}})
	if err != nil {
		return next, fmt.Errorf("decided cases: %w", err)
	}
	now := e.opts.Now()
	for _, cs := range cases {
		actions, err := e.opts.Store.Actions(ctx, cs.CommentID)
		if err != nil {
			return next, err
		}
		// A cancelled action (its removal was undone) counts as none:
		// queueing it again makes it pending again.
		has := func(kind string, state string) bool {
			return slices.ContainsFunc(actions, func(a moderation.Action) bool {
				return a.Kind == kind && (state == "" || a.State == state) && a.Outcome != moderation.ActionCancelled
			})
		}
		var kinds []string
		switch cs.State {
		case moderation.CaseApproved:
			failed := has(moderation.ActDelete, moderation.ActionFailed)
			if has(moderation.ActDelete, "") && !failed {
				continue
			}
			until, err := e.graceEnds(ctx, cs)
			if err != nil {
				return next, err
			}
			if now.Before(until) {
				if next.IsZero() || until.Before(next) {
					next = until
				}
				continue
			}
			if failed {
				// Approved again after the platform refused the removal
				// (which reopened the case): the deletion is tried again,
				// and queueing its explanations below makes them, not sent
				// then, pending again.
				if err := e.retryDelete(ctx, cs, actions); err != nil {
					return next, err
				}
			}
			kinds = []string{moderation.ActDelete, moderation.ActReply}
			if e.opts.PrivateReplies {
				if acct, err := e.opts.Store.Account(ctx, cs.AccountKey); err == nil && acct.Platform == moderation.Facebook {
					kinds = append(kinds, moderation.ActPrivateReply)
				}
			}
		case moderation.CaseKept:
			if !has(moderation.ActHide, moderation.ActionDone) || has(moderation.ActUnhide, "") {
				continue
			}
			kinds = []string{moderation.ActUnhide}
		}
		for _, k := range kinds {
			if _, _, err := e.opts.Store.EnqueueAction(ctx, moderation.Action{CommentID: cs.CommentID, CaseID: cs.ID, Kind: k, CreatedAt: now}); err != nil {
				return next, err
			}
		}
	}
	return next, nil
}

// retryDelete makes the failed deletion of an approved case pending again.
func (e *Executor) retryDelete(ctx context.Context, cs moderation.Case, actions []moderation.Action) error {
	for _, a := range actions {
		if a.CaseID == cs.ID && a.Kind == moderation.ActDelete && a.State == moderation.ActionFailed {
			if err := e.opts.Store.RetryAction(ctx, a.ID); err != nil {
				return fmt.Errorf("retry the deletion of comment %d: %w", a.CommentID, err)
			}
		}
	}
	return nil
}

// graceEnds is when the grace of an approved case's removal ends: Grace
// after its latest decision, when that is the approval (the second one of
// a four-eyes removal); zero without a grace.
func (e *Executor) graceEnds(ctx context.Context, cs moderation.Case) (time.Time, error) {
	if e.opts.Grace <= 0 {
		return time.Time{}, nil
	}
	ds, err := e.opts.Store.Decisions(ctx, cs.ID)
	if err != nil {
		return time.Time{}, err
	}
	if len(ds) == 0 || ds[len(ds)-1].Kind != moderation.DecideRemove {
		return time.Time{}, nil
	}
	return ds[len(ds)-1].At.Add(e.opts.Grace), nil
}

// cancelUndone cancels an action that carries out a removal decided in
// review — a delete, reply or private reply tied to a case — when the case
// is no longer approved (or done): its removal was undone after the action
// was queued. It cancels it too while the case's latest approval is within
// its grace: the action was queued for an earlier approval, undone since
// (and the case approved again at once). The action is done as
// moderation.ActionCancelled rather than failed, because nothing went
// wrong and nothing should be retried: a failed action would be offered
// for retry and alert the account's owners. Queueing it again — the
// removal approved again, or FollowDecisions once the grace has passed —
// makes it pending again.
func (e *Executor) cancelUndone(ctx context.Context, a moderation.Action) (bool, error) {
	if a.CaseID == 0 || (a.Kind != moderation.ActDelete && a.Kind != moderation.ActReply && a.Kind != moderation.ActPrivateReply) {
		return false, nil
	}
	cs, err := e.opts.Store.Case(ctx, a.CaseID)
	if errors.Is(err, moderation.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("case %d of action %d: %w", a.CaseID, a.ID, err)
	}
	note := moderation.NoteUndone
	switch cs.State {
	case moderation.CaseDone:
		return false, nil
	case moderation.CaseOpen, moderation.CaseEscalated:
		// Reopened because the platform refused the removal, not undone.
		ds, err := e.opts.Store.Decisions(ctx, cs.ID)
		if err != nil {
			return false, fmt.Errorf("decisions of case %d: %w", cs.ID, err)
		}
		if len(ds) > 0 && ds[len(ds)-1].Kind == moderation.DecideReopen {
			note = moderation.NoteRemovalFailed
		}
	case moderation.CaseApproved:
		until, err := e.graceEnds(ctx, cs)
		if err != nil {
			return false, err
		}
		if !e.opts.Now().Before(until) {
			return false, nil
		}
		note = moderation.NoteApprovedAgain
	}
	return true, e.cancel(ctx, a, note, map[string]any{"case_state": string(cs.State)})
}

// cancel ends an action without sending it: done as
// moderation.ActionCancelled with note saying why. Nothing went wrong, so
// it is neither retried nor alerted; queueing it again (the removal
// approved again) makes it pending again.
func (e *Executor) cancel(ctx context.Context, a moderation.Action, note string, detail map[string]any) error {
	if err := e.opts.Store.FinishActionOutcome(ctx, a.ID, moderation.ActionCancelled, "", note); err != nil {
		return err
	}
	detail["note"] = note
	e.audit(ctx, AuditCancel, a, detail)
	e.opts.Logger.Info("action cancelled", "action_id", a.ID, "kind", a.Kind, "comment_id", a.CommentID, "case_id", a.CaseID, "note", note)
	e.Wake() // a deletion may wait for this explanation
	return nil
}

// Execute sends one action and records the outcome. It reports whether the
// action is done.
func (e *Executor) Execute(ctx context.Context, a moderation.Action) (bool, error) {
	return e.execute(ctx, ctx, a)
}

// execute is Execute with the making of missing evidence under evCtx.
func (e *Executor) execute(ctx, evCtx context.Context, a moderation.Action) (bool, error) {
	if cancelled, err := e.cancelUndone(ctx, a); cancelled || err != nil {
		return false, err
	}
	st := e.opts.Store
	c, err := st.Comment(ctx, a.CommentID)
	if err != nil {
		return false, e.finish(ctx, a, fmt.Errorf("comment: %w", err), true)
	}
	acct, err := st.Account(ctx, c.AccountKey)
	if err != nil {
		return false, e.finish(ctx, a, fmt.Errorf("account: %w", err), true)
	}
	switch a.Kind {
	case moderation.ActHide, moderation.ActDelete:
		return e.remove(ctx, evCtx, a, c, acct)
	case moderation.ActUnhide:
		return e.unhide(ctx, a, c)
	case moderation.ActReply, moderation.ActPrivateReply:
		return e.reply(ctx, a, c, acct)
	}
	return false, e.finish(ctx, a, fmt.Errorf("unknown action kind %q", a.Kind), true)
}

// remove hides or deletes a comment through the Gate: the receipt for its
// latest version first (documenting that version when there is none),
// then, for a delete, the replies, then the call.
func (e *Executor) remove(ctx, evCtx context.Context, a moderation.Action, c moderation.Comment, acct moderation.Account) (bool, error) {
	st := e.opts.Store
	if e.opts.Gate == nil {
		return false, e.finish(ctx, a, errors.New("no remover configured"), true)
	}
	receipt, err := e.receipt(ctx, evCtx, a)
	if err != nil && evCtx.Err() != nil && ctx.Err() == nil {
		return false, err // stopped: no attempt counted
	}
	if err != nil {
		e.audit(ctx, AuditWait, a, map[string]any{"error": err.Error()})
		return false, e.finish(ctx, a, err, false)
	}
	if a.Kind == moderation.ActDelete && a.CaseID != 0 {
		// A removal decided in review gets its explanations even when
		// whoever queued the delete did not queue them. They are sent
		// after the removal is confirmed (reply), or, for the private
		// reply, which needs the comment to exist, once it is hidden and
		// before it is deleted.
		kinds := []string{moderation.ActReply}
		if e.opts.PrivateReplies && acct.Platform == moderation.Facebook {
			kinds = append(kinds, moderation.ActPrivateReply)
		}
		for _, k := range kinds {
			if _, _, err := st.EnqueueAction(ctx, moderation.Action{CommentID: a.CommentID, CaseID: a.CaseID, Kind: k, CreatedAt: e.opts.Now()}); err != nil {
				return false, err
			}
		}
		others, err := st.Actions(ctx, a.CommentID)
		if err != nil {
			return false, err
		}
		if slices.ContainsFunc(others, func(o moderation.Action) bool {
			return o.CaseID == a.CaseID && o.Kind == moderation.ActPrivateReply && o.State == moderation.ActionPending
		}) {
			return e.hideFirst(ctx, a, c, receipt)
		}
	}
	ref := removal.Ref{CaseID: a.CaseID, ActionID: a.ID}
	var out removal.Outcome
	if a.Kind == moderation.ActHide {
		out, err = e.opts.Gate.Hide(ctx, receipt, ref)
	} else {
		out, err = e.opts.Gate.Delete(ctx, receipt, ref)
	}
	if err != nil {
		return false, e.finish(ctx, a, err, permanent(err))
	}
	outcome := moderation.ActionAsAsked
	if out.Gone {
		outcome = moderation.ActionGone
	}
	if err := st.FinishActionOutcome(ctx, a.ID, outcome, "", ""); err != nil {
		return true, err
	}
	e.opts.Logger.Info("action done", "action_id", a.ID, "kind", a.Kind, "comment_id", a.CommentID, "account", c.AccountKey,
		"outcome", outcome, "register_number", out.Register.Number)
	e.Wake() // the explanation waits for this
	return true, nil
}

// hideFirst hides a comment whose deletion waits for its private reply:
// Messenger's private reply needs the comment to exist, and the author is
// told only once the comment is out of public view. The delete stays
// pending until the private reply is done.
func (e *Executor) hideFirst(ctx context.Context, a moderation.Action, c moderation.Comment, receipt removal.Receipt) (bool, error) {
	if c.State != moderation.StateVisible {
		return false, nil
	}
	out, err := e.opts.Gate.Hide(ctx, receipt, removal.Ref{CaseID: a.CaseID, ActionID: a.ID})
	if err != nil {
		return false, e.finish(ctx, a, err, permanent(err))
	}
	if out.Gone {
		return false, nil // recorded deleted: the private reply ends as gone, then the delete
	}
	e.opts.Logger.Info("comment hidden before its private reply", "action_id", a.ID, "comment_id", a.CommentID, "account", c.AccountKey)
	e.Wake()
	return false, nil
}

// receipt returns the Gate's receipt for removing the action's comment.
// When the comment's latest version has no committed evidence PDF — none
// at all, or only of an earlier version because the comment was edited —
// it documents that version first, under evCtx.
func (e *Executor) receipt(ctx, evCtx context.Context, a moderation.Action) (removal.Receipt, error) {
	r, err := e.opts.Gate.CommentReceipt(ctx, a.CommentID)
	if err == nil || (!errors.Is(err, removal.ErrNoEvidence) && !errors.Is(err, removal.ErrStaleEvidence)) {
		return r, err
	}
	if e.opts.Evidence == nil {
		return r, fmt.Errorf("no evidence maker configured: %w", err)
	}
	number := ""
	if reg, err := e.opts.Gate.Register(ctx, a.CommentID, removal.Ref{CaseID: a.CaseID, ActionID: a.ID}, a.Kind); err == nil {
		number = reg.Number
	}
	if err := e.opts.Evidence.Document(evCtx, a.CommentID, a.CaseID, number); err != nil {
		return removal.Receipt{}, fmt.Errorf("document comment %d: %w", a.CommentID, err)
	}
	return e.opts.Gate.CommentReceipt(ctx, a.CommentID)
}

// unhide shows a comment uppsikt hid again.
func (e *Executor) unhide(ctx context.Context, a moderation.Action, c moderation.Comment) (bool, error) {
	if e.opts.Gate == nil {
		return false, e.finish(ctx, a, errors.New("no remover configured"), true)
	}
	e.audit(ctx, AuditSend, a, map[string]any{"platform_id": c.PlatformID, "attempt": a.Attempts + 1})
	err := e.opts.Gate.Unhide(ctx, c.ID)
	outcome := moderation.ActionAsAsked
	switch {
	case errors.Is(err, removal.ErrGone):
		outcome = moderation.ActionGone // nothing left to show
	case err != nil:
		return false, e.finish(ctx, a, err, permanent(err))
	}
	if err := e.opts.Store.FinishActionOutcome(ctx, a.ID, outcome, "", ""); err != nil {
		return true, err
	}
	e.audit(ctx, AuditDone, a, map[string]any{"platform_id": c.PlatformID, "outcome": outcome})
	e.opts.Logger.Info("action done", "action_id", a.ID, "kind", a.Kind, "comment_id", a.CommentID, "account", c.AccountKey)
	return true, nil
}

// reply tells the author of a removed comment why it was removed: in
// public where the answer stays (Platform.Explain), or in a private
// message. The explanation follows the removal it tells of: the public one
// is sent once the deletion (or hiding) is done, the private one once the
// comment is hidden and before it is deleted (it needs the comment). Until
// then the action waits, costing no attempt; when the removal fails for
// good the explanation is not sent (the comment is still there) and fails
// with it. A comment its author deleted first needs no explanation: the
// action is done as gone.
func (e *Executor) reply(ctx context.Context, a moderation.Action, c moderation.Comment, acct moderation.Account) (bool, error) {
	st := e.opts.Store
	pf := e.opts.Platforms[acct.Platform]
	if pf == nil {
		return false, e.finish(ctx, a, fmt.Errorf("uppsikt cannot reply on %s", acct.Platform), true)
	}
	ready, err := e.removalFor(ctx, a, c)
	explain := ready != notARemoval
	switch {
	case err != nil:
		return false, err
	case ready == removalPending:
		return false, nil
	case ready == removalFailed:
		return true, e.cancel(ctx, a, moderation.NoteRemovalFailed, map[string]any{})
	case ready == removalByAuthor:
		return e.done(ctx, a, c, moderation.ActionGone, "", map[string]any{"reason": "comment gone"})
	}
	v, err := e.verdict(ctx, c)
	if err != nil {
		return false, err
	}
	// The page does not answer itself: a removed comment of the account's
	// own (an official's answer with an identity number in it) gets no
	// explanation.
	if explain && (v.Verdict.Own || acct.Authored(c.Author, "")) {
		return true, e.cancel(ctx, a, moderation.NoteOwnComment, map[string]any{})
	}
	payload := a.Payload
	if payload == "" {
		var err error
		if payload, err = e.replyText(ctx, c, v, a.CaseID); err != nil {
			return false, err
		}
	}
	e.audit(ctx, AuditSend, a, map[string]any{"platform_id": c.PlatformID, "attempt": a.Attempts + 1})
	var ref string
	detail := map[string]any{"explains_removal": explain}
	switch a.Kind {
	case moderation.ActReply:
		// A public answer is not safe to repeat: the answer to an earlier
		// attempt may have been lost after the platform made it (a
		// timeout, a crash before FinishAction). Every try is counted in
		// the store before the call, so a retry knows an earlier try may
		// have got through and looks first; it sends only when absent.
		if a.Attempts > 0 {
			ref, err = e.existingReply(ctx, pf, acct, c, a, payload, explain)
		}
		if err == nil && ref != "" {
			detail["found_existing"] = true
		} else if err == nil {
			if err := st.FinishAction(ctx, a.ID, moderation.ActionPending, "", ReplyUnderWay); err != nil {
				return false, err
			}
			a.Attempts++
			if explain {
				ref, err = pf.Explain(ctx, acct, c, payload)
			} else {
				ref, err = pf.Reply(ctx, acct, c.PlatformID, payload)
			}
		}
	case moderation.ActPrivateReply:
		ref, err = pf.PrivateReply(ctx, acct, c.PlatformID, payload)
		if err != nil && alreadyReplied(err) {
			// Messenger allows one private reply per comment: "already
			// replied" means the author has one, most often from an
			// earlier attempt whose answer was lost. Sending again is
			// impossible and would be wrong; the action is done.
			err = nil
			detail["found_existing"] = true
		}
	}
	outcome := moderation.ActionAsAsked
	switch {
	case err != nil && facebook.IsGone(err):
		outcome = moderation.ActionGone
	case err != nil:
		return false, e.finish(ctx, a, err, permanent(err))
	}
	detail["text_sha256"] = moderation.VersionHash(payload)
	return e.done(ctx, a, c, outcome, ref, detail)
}

// done records a reply done with its outcome, audits it and wakes the
// executor (a deletion may wait for a private reply).
func (e *Executor) done(ctx context.Context, a moderation.Action, c moderation.Comment, outcome, ref string, detail map[string]any) (bool, error) {
	if err := e.opts.Store.FinishActionOutcome(ctx, a.ID, outcome, ref, ""); err != nil {
		return false, err
	}
	detail["platform_id"] = c.PlatformID
	detail["platform_ref"] = ref
	detail["outcome"] = outcome
	e.audit(ctx, AuditDone, a, detail)
	e.opts.Logger.Info("action done", "action_id", a.ID, "kind", a.Kind, "comment_id", a.CommentID, "account", c.AccountKey, "outcome", outcome)
	e.Wake()
	return true, nil
}

// Where the removal an explanation tells of stands.
const (
	removalPending  = iota // not yet done: the explanation waits
	removalDone            // done: the explanation goes out
	removalFailed          // failed for good: the explanation is not sent
	removalByAuthor        // the author deleted the comment first
	notARemoval            // a reply that tells of no removal
)

// removalFor reports where the removal that explanation a tells of stands:
// the delete of the same comment and case (queued before its explanation,
// so a reply with no delete beside it is an answer of another kind, sent
// in the comment's thread). A private reply needs the
// comment hidden (uppsikt hides it first) but not yet deleted.
func (e *Executor) removalFor(ctx context.Context, a moderation.Action, c moderation.Comment) (int, error) {
	acts, err := e.opts.Store.Actions(ctx, a.CommentID)
	if err != nil {
		return 0, fmt.Errorf("actions of comment %d: %w", a.CommentID, err)
	}
	i := slices.IndexFunc(acts, func(o moderation.Action) bool {
		return o.CaseID == a.CaseID && o.Kind == moderation.ActDelete
	})
	if i < 0 {
		return notARemoval, nil
	}
	failed := acts[i].State == moderation.ActionFailed
	if a.Kind == moderation.ActPrivateReply {
		switch c.State {
		case moderation.StateDeleted:
			return removalByAuthor, nil // too late: Messenger needs the comment
		case moderation.StateVisible:
			if failed {
				return removalFailed, nil
			}
			return removalPending, nil
		}
		return removalDone, nil
	}
	switch {
	case acts[i].State == moderation.ActionPending:
		return removalPending, nil
	case failed:
		return removalFailed, nil
	case acts[i].Outcome == moderation.ActionGone:
		return removalByAuthor, nil
	}
	return removalDone, nil
}

// verdict is comment c's latest verdict; the zero verdict when it has none.
func (e *Executor) verdict(ctx context.Context, c moderation.Comment) (moderation.StoredVerdict, error) {
	v, err := e.opts.Store.LatestVerdict(ctx, c.ID)
	if err != nil && !errors.Is(err, moderation.ErrNotFound) {
		return v, fmt.Errorf("verdict of comment %d: %w", c.ID, err)
	}
	return v, nil
}

// replyText is the configured reply for comment c in the language of its
// verdict v (else its account's), naming the categories of v, or, when v
// names none, those of its case.
func (e *Executor) replyText(ctx context.Context, c moderation.Comment, v moderation.StoredVerdict, caseID int64) (string, error) {
	lang := e.opts.Language(c.AccountKey)
	if v.Verdict.Language != "" {
		lang = v.Verdict.Language
	}
	cats := v.Verdict.Categories
	if len(cats) == 0 && caseID != 0 {
		cs, err := e.opts.Store.Case(ctx, caseID)
		if err != nil && !errors.Is(err, moderation.ErrNotFound) {
			return "", err
		}
		cats = cs.Categories
	}
	return e.opts.Replies.ReplyText(lang, cats, citeGuideline(e.opts.Guideline, v.Verdict.Hits)), nil
}

// finish records a failed attempt and decides when the action is tried
// again:
//
//   - a permanent error (final) fails the action for good, now;
//   - a rejected token (Graph 190) marks the account disconnected: the
//     action waits, without using an attempt, until the account is active
//     again (the store returns no action of a disconnected account);
//   - an error that says when the account may be called again (a rate
//     limit, an outage: RetryAt) waits until then without using an attempt;
//   - anything else (a missing evidence PDF, a timeout, a 5xx) uses an
//     attempt and waits a backoff that doubles up to MaxBackoff; the action
//     fails for good only after MaxAttempts such attempts and GiveUpAfter
//     since it was queued.
func (e *Executor) finish(ctx context.Context, a moderation.Action, cause error, final bool) error {
	st := e.opts.Store
	now := e.opts.Now()
	var (
		tokenErr interface{ StatusNote() string }
		retry    interface{ RetryAt() time.Time }
		err      error
	)
	switch {
	case final:
		return e.fail(ctx, a, cause)
	case errors.As(cause, &tokenErr):
		err = e.disconnect(ctx, a, tokenErr.StatusNote())
		err = errors.Join(err, st.DeferAction(ctx, a.ID, now, cause.Error(), false))
	case errors.As(cause, &retry) && retry.RetryAt().After(now):
		err = st.DeferAction(ctx, a.ID, retry.RetryAt(), cause.Error(), false)
	case a.Attempts+1 >= e.opts.MaxAttempts && now.Sub(a.CreatedAt) >= e.opts.GiveUpAfter:
		return e.fail(ctx, a, cause)
	default:
		err = st.DeferAction(ctx, a.ID, now.Add(e.backoff(a.Attempts)), cause.Error(), true)
	}
	if err != nil {
		return errors.Join(cause, err)
	}
	return cause
}

// fail marks the action failed for good and audits it; the account's
// owners are alerted (moderation/slack's AlertFailedActions, the web
// page's attention panel). A removal approved in review that fails for
// good reopens its case: the comment is still there and needs a human,
// and its explanation to the author is not sent.
func (e *Executor) fail(ctx context.Context, a moderation.Action, cause error) error {
	e.audit(ctx, AuditFail, a, map[string]any{"error": cause.Error(), "attempts": a.Attempts + 1})
	e.opts.Logger.Error("action failed for good", "action_id", a.ID, "kind", a.Kind, "comment_id", a.CommentID, "error", cause)
	if err := e.opts.Store.FinishAction(ctx, a.ID, moderation.ActionFailed, "", cause.Error()); err != nil {
		return errors.Join(cause, err)
	}
	if a.CaseID != 0 && (a.Kind == moderation.ActDelete || a.Kind == moderation.ActHide) {
		if err := e.reopen(ctx, a, cause); err != nil {
			return errors.Join(cause, err)
		}
		e.Wake() // its explanations end now
	}
	return cause
}

// reopen returns an approved case whose removal failed to the review
// queue, with a decision of uppsikt's own saying why.
func (e *Executor) reopen(ctx context.Context, a moderation.Action, cause error) error {
	d := moderation.Decision{CaseID: a.CaseID, Kind: moderation.DecideReopen, By: "uppsikt", Surface: "platform",
		Reason: cause.Error(), At: e.opts.Now()}
	_, err := e.opts.Store.RecordDecision(ctx, d, []moderation.CaseState{moderation.CaseApproved}, moderation.CaseOpen)
	var conflict *moderation.ConflictError
	switch {
	case errors.As(err, &conflict):
		return nil // not an approved removal (a hide before review): nothing to reopen
	case err != nil:
		return fmt.Errorf("reopen case %d: %w", a.CaseID, err)
	}
	e.audit(ctx, AuditReopen, a, map[string]any{"error": cause.Error()})
	e.opts.Logger.Warn("removal failed on the platform: case reopened", "action_id", a.ID, "case_id", a.CaseID, "comment_id", a.CommentID)
	return nil
}

// disconnect marks the account of the action's comment disconnected, as
// the poller does when the platform rejects its token.
func (e *Executor) disconnect(ctx context.Context, a moderation.Action, note string) error {
	c, err := e.opts.Store.Comment(ctx, a.CommentID)
	if err != nil {
		return err
	}
	if err := e.opts.Store.SetAccountStatus(context.WithoutCancel(ctx), c.AccountKey, moderation.AccountDisconnected, note); err != nil {
		return fmt.Errorf("mark %s disconnected: %w", c.AccountKey, err)
	}
	e.opts.Logger.Error("account disconnected: the platform rejected its token; its actions wait", "account", c.AccountKey)
	return nil
}

// backoff is the wait after a failed attempt: Backoff doubled per earlier
// attempt, at most MaxBackoff, give or take a tenth so that actions failed
// together do not all come back at once.
func (e *Executor) backoff(attempts int) time.Duration {
	d := moderation.Backoff(e.opts.Backoff, e.opts.MaxBackoff, attempts)
	return d + time.Duration((rand.Float64()-0.5)*0.2*float64(d))
}

func (e *Executor) audit(ctx context.Context, action string, a moderation.Action, detail map[string]any) {
	detail["action_id"] = a.ID
	detail["kind"] = a.Kind
	detail["case_id"] = a.CaseID
	b, _ := json.Marshal(detail)
	if _, err := e.opts.Store.AppendAudit(ctx, moderation.AuditEntry{Actor: "uppsikt", Action: action,
		Subject: "comment " + strconv.FormatInt(a.CommentID, 10), Detail: b}); err != nil {
		e.opts.Logger.Error("audit append failed", "action", action, "error", err)
	}
}

// existingReply returns the id of a reply the account already made for
// this action: the oldest one with the action's text in the comment's
// thread, made after the action was queued, that no other action has
// claimed (two comments removed in one thread get the same text). "" when
// none.
func (e *Executor) existingReply(ctx context.Context, pf Platform, acct moderation.Account, c moderation.Comment, a moderation.Action, text string, explain bool) (string, error) {
	var (
		ids []string
		err error
	)
	if explain {
		ids, err = pf.FindExplanations(ctx, acct, c, text, a.CreatedAt)
	} else {
		ids, err = pf.FindReplies(ctx, acct, c.PlatformID, c.ParentID, text, a.CreatedAt)
	}
	if err != nil {
		return "", err
	}
	for _, id := range ids {
		other, err := e.opts.Store.ActionByRef(ctx, id)
		switch {
		case errors.Is(err, moderation.ErrNotFound):
			return id, nil
		case err != nil:
			return "", err
		case other.ID == a.ID:
			return id, nil
		}
	}
	return "", nil
}

// alreadyReplied reports whether err is Messenger's "activity already
// replied to" (error 10900).
func alreadyReplied(err error) bool {
	var fe *fb.Error
	return errors.As(err, &fe) && fe.Code == 10900
}

// permanent reports whether retrying err cannot help: a refused request
// (bad parameter, missing permission, an object gone, a private reply
// already sent or too late), or a platform without the action.
func permanent(err error) bool {
	if errors.Is(err, instagram.ErrNoPrivateReply) || errors.Is(err, removal.ErrUnsupported) || errors.Is(err, removal.ErrNoReceipt) {
		return true
	}
	var tok *facebook.TokenError
	if errors.As(err, &tok) {
		return false // a human replaces the token; then it is retried
	}
	var fe *fb.Error
	if errors.As(err, &fe) {
		switch {
		case fe.Code == 100, fe.Code == 10, fe.Code == 10900, fe.Code == 10903, fe.Code >= 200 && fe.Code < 300:
			return true
		}
	}
	return false
}
