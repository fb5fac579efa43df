package act

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	fb "github.com/huandu/facebook/v2"

	"github.com/uppsikt/uppsikt/bot/facebook"
	"github.com/uppsikt/uppsikt/bot/instagram"
	"github.com/uppsikt/uppsikt/bot/pipeline"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/wake"
)

// Platform acts on the comments of one platform; the Facebook and Instagram
// connectors implement it.
type Platform interface {
	Hide(ctx context.Context, a moderation.Account, commentID string, hidden bool) error
	Delete(ctx context.Context, a moderation.Account, commentID string) error
	Reply(ctx context.Context, a moderation.Account, commentID, message string) (string, error)
	PrivateReply(ctx context.Context, a moderation.Account, commentID, message string) (string, error)
	// FindReplies lists the ids of replies the account made in the
	// comment's thread with exactly this message, at or after since,
	// oldest first. parentID is the comment's parent, "" for a top-level
	// comment.
	FindReplies(ctx context.Context, a moderation.Account, commentID, parentID, message string, since time.Time) ([]string, error)
}

// Evidence documents comments; cmd wires archive/evidencepdf behind it.
type Evidence interface {
	// Committed reports whether the evidence PDF of the comment, made at or
	// after since (zero: any), is committed in the store.
	Committed(ctx context.Context, commentID int64, since time.Time) (bool, error)
	// Document makes and commits the comment's evidence now.
	Document(ctx context.Context, commentID, caseID int64, registerNumber string) error
}

// Audit actions written by the executor.
const (
	AuditSend = "action.send"
	AuditDone = "action.done"
	AuditFail = "action.failed"
	AuditWait = "action.wait_evidence"
)

// ReplyUnderWay is the note a reply action carries while its call to the
// platform is under way; found on a pending action after a crash, it means
// the reply may have been made.
const ReplyUnderWay = "reply sent, answer not yet received"

// ErrNoEvidence is recorded on a hide or delete held back because the
// comment's evidence PDF is not committed.
var ErrNoEvidence = errors.New("evidence PDF not committed")

// Options configure an Executor.
type Options struct {
	Store     moderation.Store
	Platforms map[moderation.Platform]Platform
	// Evidence checks and makes evidence. Required: without it no hide or
	// delete is ever sent.
	Evidence Evidence
	// Replies are the reply texts per language; DefaultTemplates fill gaps.
	Replies Templates
	// PrivateReplies adds a private reply to the public one on approval,
	// where the platform allows it (Facebook).
	PrivateReplies bool
	// Language gives an account's language, for replies when the verdict
	// has none.
	Language func(accountKey string) string
	// RegisterNumber formats register numbers in the configured series.
	RegisterNumber func(year, seq int) string
	Batch          int           // actions per round (default 50)
	Idle           time.Duration // wait between rounds (default 2 s)
	MaxAttempts    int           // attempts before an action fails (default 8)
	// FollowEvery is how often Drain looks for decided cases whose actions
	// are not queued yet (default 30 s); the decision service queues them
	// itself, this is the safety net.
	FollowEvery time.Duration
	Now         func() time.Time
	Logger      *slog.Logger
}

// Executor sends pending actions.
type Executor struct {
	opts       Options
	wake       wake.Signal
	lastFollow time.Time // used by Drain, which runs in one goroutine at a time
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
	if opts.FollowEvery <= 0 {
		opts.FollowEvery = 30 * time.Second
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
	if now := e.opts.Now(); now.Sub(e.lastFollow) >= e.opts.FollowEvery {
		if err := e.FollowDecisions(ctx); err != nil {
			return 0, err
		}
		e.lastFollow = now
	}
	actions, err := e.opts.Store.PendingActions(ctx, e.opts.Batch)
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
// reply for approved cases, unhide for kept cases whose comment uppsikt hid.
// Enqueueing is idempotent, so this is safe to repeat.
func (e *Executor) FollowDecisions(ctx context.Context) error {
	cases, err := e.opts.Store.ListCases(ctx, moderation.CaseFilter{States: []moderation.CaseState{moderation.CaseApproved, moderation.CaseKept}})
	if err != nil {
		return fmt.Errorf("decided cases: %w", err)
	}
	now := e.opts.Now()
	for _, cs := range cases {
		actions, err := e.opts.Store.Actions(ctx, cs.CommentID)
		if err != nil {
			return err
		}
		has := func(kind string, state string) bool {
			return slices.ContainsFunc(actions, func(a moderation.Action) bool {
				return a.Kind == kind && (state == "" || a.State == state)
			})
		}
		var kinds []string
		switch cs.State {
		case moderation.CaseApproved:
			if has(moderation.ActDelete, "") {
				continue
			}
			kinds = []string{moderation.ActReply}
			if e.opts.PrivateReplies {
				if acct, err := e.opts.Store.Account(ctx, cs.AccountKey); err == nil && acct.Platform == moderation.Facebook {
					kinds = append(kinds, moderation.ActPrivateReply)
				}
			}
			kinds = append(kinds, moderation.ActDelete)
		case moderation.CaseKept:
			if !has(moderation.ActHide, moderation.ActionDone) || has(moderation.ActUnhide, "") {
				continue
			}
			kinds = []string{moderation.ActUnhide}
		}
		for _, k := range kinds {
			if _, _, err := e.opts.Store.EnqueueAction(ctx, moderation.Action{CommentID: cs.CommentID, CaseID: cs.ID, Kind: k, CreatedAt: now}); err != nil {
				return err
			}
		}
	}
	return nil
}

// Execute sends one action and records the outcome. It reports whether the
// action is done.
func (e *Executor) Execute(ctx context.Context, a moderation.Action) (bool, error) {
	return e.execute(ctx, ctx, a)
}

// execute is Execute with the making of missing evidence under evCtx.
func (e *Executor) execute(ctx, evCtx context.Context, a moderation.Action) (bool, error) {
	st := e.opts.Store
	c, err := st.Comment(ctx, a.CommentID)
	if err != nil {
		return false, e.finish(ctx, a, fmt.Errorf("comment: %w", err), true)
	}
	acct, err := st.Account(ctx, c.AccountKey)
	if err != nil {
		return false, e.finish(ctx, a, fmt.Errorf("account: %w", err), true)
	}
	pf := e.opts.Platforms[acct.Platform]
	if pf == nil {
		return false, e.finish(ctx, a, fmt.Errorf("uppsikt cannot act on %s comments", acct.Platform), true)
	}
	removes := a.Kind == moderation.ActHide || a.Kind == moderation.ActDelete
	if removes {
		ok, err := e.ensureEvidence(ctx, evCtx, a)
		if err != nil && evCtx.Err() != nil && ctx.Err() == nil {
			return false, err // stopped: no attempt counted
		}
		if err != nil || !ok {
			if err == nil {
				err = ErrNoEvidence
			}
			e.audit(ctx, AuditWait, a, map[string]any{"error": err.Error()})
			return false, e.finish(ctx, a, err, false)
		}
	}
	if a.Kind == moderation.ActDelete {
		// Replies go first: a deleted comment can no longer be answered.
		// A removal decided in review gets its replies even when whoever
		// queued the delete did not queue them.
		if a.CaseID != 0 {
			kinds := []string{moderation.ActReply}
			if e.opts.PrivateReplies && acct.Platform == moderation.Facebook {
				kinds = append(kinds, moderation.ActPrivateReply)
			}
			for _, k := range kinds {
				if _, _, err := st.EnqueueAction(ctx, moderation.Action{CommentID: a.CommentID, CaseID: a.CaseID, Kind: k, CreatedAt: e.opts.Now()}); err != nil {
					return false, err
				}
			}
		}
		others, err := st.Actions(ctx, a.CommentID)
		if err != nil {
			return false, err
		}
		for _, o := range others {
			if (o.Kind == moderation.ActReply || o.Kind == moderation.ActPrivateReply) && o.State == moderation.ActionPending {
				return false, nil
			}
		}
	}
	payload := a.Payload
	if (a.Kind == moderation.ActReply || a.Kind == moderation.ActPrivateReply) && payload == "" {
		if payload, err = e.replyText(ctx, c); err != nil {
			return false, err
		}
	}
	e.audit(ctx, AuditSend, a, map[string]any{"platform_id": c.PlatformID, "attempt": a.Attempts + 1})

	var ref string
	detail := map[string]any{}
	switch a.Kind {
	case moderation.ActHide, moderation.ActUnhide:
		err = pf.Hide(ctx, acct, c.PlatformID, a.Kind == moderation.ActHide)
		if err != nil && facebook.IsGone(err) {
			err = nil // gone already: nothing left to hide
		}
	case moderation.ActDelete:
		err = pf.Delete(ctx, acct, c.PlatformID)
	case moderation.ActReply:
		// A reply is not safe to repeat: the answer to an earlier attempt
		// may have been lost after the platform made the reply (a timeout,
		// a crash before FinishAction). Look first, send only when absent.
		// Every try is counted in the store before the call, so a retry
		// knows an earlier try may have got through and looks first.
		if a.Attempts > 0 {
			ref, err = e.existingReply(ctx, pf, acct, c, a, payload)
		}
		if err == nil && ref != "" {
			detail["found_existing"] = true
		} else if err == nil {
			if err := st.FinishAction(ctx, a.ID, moderation.ActionPending, "", ReplyUnderWay); err != nil {
				return false, err
			}
			a.Attempts++
			ref, err = pf.Reply(ctx, acct, c.PlatformID, payload)
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
	default:
		return false, e.finish(ctx, a, fmt.Errorf("unknown action kind %q", a.Kind), true)
	}
	if err != nil {
		return false, e.finish(ctx, a, err, permanent(err))
	}
	if err := st.FinishAction(ctx, a.ID, moderation.ActionDone, ref, ""); err != nil {
		return false, err
	}
	now := e.opts.Now()
	state := map[string]moderation.CommentState{moderation.ActHide: moderation.StateHidden, moderation.ActUnhide: moderation.StateVisible,
		moderation.ActDelete: moderation.StateDeleted}[a.Kind]
	if state != "" {
		if _, err := st.RecordStateChange(ctx, moderation.StateChange{AccountKey: c.AccountKey, PlatformID: c.PlatformID, State: state, At: now, Source: moderation.SourceAction}); err != nil {
			return true, err
		}
	}
	detail["platform_id"] = c.PlatformID
	detail["platform_ref"] = ref
	if a.Kind == moderation.ActReply || a.Kind == moderation.ActPrivateReply {
		detail["text_sha256"] = moderation.VersionHash(payload)
	}
	if a.Kind == moderation.ActDelete {
		reg, err := e.register(ctx, a, c, now)
		if err != nil {
			return true, err
		}
		detail["register_number"] = reg.Number
	}
	e.audit(ctx, AuditDone, a, detail)
	e.opts.Logger.Info("action done", "action_id", a.ID, "kind", a.Kind, "comment_id", a.CommentID, "account", c.AccountKey)
	return true, nil
}

// ensureEvidence reports whether the comment's evidence PDF is committed,
// making it first when it is not.
func (e *Executor) ensureEvidence(ctx, evCtx context.Context, a moderation.Action) (bool, error) {
	if e.opts.Evidence == nil {
		return false, errors.New("no evidence maker configured")
	}
	ok, err := e.opts.Evidence.Committed(ctx, a.CommentID, time.Time{})
	if err != nil || ok {
		return ok, err
	}
	number := ""
	if reg, err := e.register(ctx, a, moderation.Comment{ID: a.CommentID}, e.opts.Now()); err == nil {
		number = reg.Number
	}
	if err := e.opts.Evidence.Document(evCtx, a.CommentID, a.CaseID, number); err != nil {
		return false, err
	}
	return e.opts.Evidence.Committed(ctx, a.CommentID, time.Time{})
}

// register creates (or finds) the comment's register entry for the action's case.
func (e *Executor) register(ctx context.Context, a moderation.Action, c moderation.Comment, now time.Time) (moderation.RegisterEntry, error) {
	reason := "borttagen kommentar"
	if a.CaseID != 0 {
		if cs, err := e.opts.Store.Case(ctx, a.CaseID); err == nil && len(cs.Categories) > 0 {
			reason += ": " + strings.Join(cs.Categories, ", ")
		}
	}
	return e.opts.Store.CreateRegisterEntry(ctx, moderation.RegisterEntry{CommentID: a.CommentID, CaseID: a.CaseID, Reason: reason, CreatedAt: now}, e.opts.RegisterNumber)
}

func (e *Executor) replyText(ctx context.Context, c moderation.Comment) (string, error) {
	lang := e.opts.Language(c.AccountKey)
	var cats []string
	var hits []moderation.Hit
	v, err := e.opts.Store.LatestVerdict(ctx, c.ID)
	switch {
	case err == nil:
		if v.Verdict.Language != "" {
			lang = v.Verdict.Language
		}
		cats, hits = v.Verdict.Categories, v.Verdict.Hits
	case !errors.Is(err, moderation.ErrNotFound):
		return "", err
	}
	return e.opts.Replies.ReplyText(lang, cats, hits), nil
}

// finish records a failed attempt: the action stays pending to be retried,
// or fails for good when the error is permanent or attempts ran out.
func (e *Executor) finish(ctx context.Context, a moderation.Action, cause error, final bool) error {
	state := moderation.ActionPending
	if final || a.Attempts+1 >= e.opts.MaxAttempts {
		state = moderation.ActionFailed
		e.audit(ctx, AuditFail, a, map[string]any{"error": cause.Error()})
	}
	if err := e.opts.Store.FinishAction(ctx, a.ID, state, "", cause.Error()); err != nil {
		return errors.Join(cause, err)
	}
	return cause
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
func (e *Executor) existingReply(ctx context.Context, pf Platform, acct moderation.Account, c moderation.Comment, a moderation.Action, text string) (string, error) {
	ids, err := pf.FindReplies(ctx, acct, c.PlatformID, c.ParentID, text, a.CreatedAt)
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
	if errors.Is(err, instagram.ErrNoPrivateReply) {
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
