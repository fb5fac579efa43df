package review

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/uppsikt/uppsikt/moderation"
)

// What needs a human: work items the pipeline set aside after using up
// their attempts, platform actions that failed for good, and accounts whose
// token was rejected. The overview lists them ("needs attention") with a
// Retry button for administrators; /healthz counts them for monitoring.

// attentionLimit is how many set-aside items and failed actions the
// overview lists; the counts above the lists give the totals.
const attentionLimit = 50

type attentionData struct {
	Dead    []moderation.WorkItem
	Failed  []moderation.Action
	Message string
}

func (s *Server) attention(ctx context.Context) (attentionData, error) {
	var d attentionData
	var err error
	if d.Dead, err = s.opts.Store.DeadWork(ctx, attentionLimit); err != nil {
		return d, err
	}
	if d.Failed, err = s.opts.Store.FailedActions(ctx, attentionLimit); err != nil {
		return d, err
	}
	return d, nil
}

// Health is what GET /healthz answers, for monitoring and for the chaos
// harness: how much work is waiting, and what needs a human. Status is
// "degraded" while anything needs a human (set-aside work, failed actions,
// disconnected accounts); waiting work alone is normal.
type Health struct {
	Status               string `json:"status"`
	WorkPending          int    `json:"work_pending"`
	WorkDead             int    `json:"work_dead"`
	ActionsPending       int    `json:"actions_pending"`
	ActionsFailed        int    `json:"actions_failed"`
	WebhooksPending      int    `json:"webhooks_pending"`
	AccountsDisconnected int    `json:"accounts_disconnected"`
}

// healthz answers 200 with the counts while the store answers (status ok or
// degraded), and 503 when it does not.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	st, err := s.opts.Store.Stats(r.Context())
	if err != nil {
		s.opts.Logger.Error("health check: store unavailable", "error", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		json.NewEncoder(w).Encode(Health{Status: "unavailable"})
		return
	}
	h := Health{Status: "ok", WorkPending: st.Pending, WorkDead: st.Dead, ActionsPending: st.ActionsPending,
		ActionsFailed: st.ActionsFailed, WebhooksPending: st.WebhooksPending, AccountsDisconnected: st.Disconnected}
	if h.WorkDead > 0 || h.ActionsFailed > 0 || h.AccountsDisconnected > 0 {
		h.Status = "degraded"
	}
	if err := json.NewEncoder(w).Encode(h); err != nil {
		s.opts.Logger.Warn("health check", "error", err)
	}
}

// retryWork puts a work item the pipeline set aside back in its queue
// (administrators only), and writes it in the audit log; the pipeline
// takes it up at its next round. Only a set-aside item can be retried.
func (s *Server) retryWork(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	items, err := s.opts.Store.DeadWork(ctx, 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var item *moderation.WorkItem
	for i := range items {
		if items[i].ID == id {
			item = &items[i]
		}
	}
	if item == nil {
		s.fail(w, r, fmt.Errorf("work item %d is not set aside: %w", id, moderation.ErrNotFound))
		return
	}
	if err := s.opts.Store.RetryWork(ctx, id); err != nil {
		s.fail(w, r, err)
		return
	}
	who := userFrom(ctx)
	s.audit(r, who.User.Name, "work.retried", "comment "+strconv.FormatInt(item.CommentID, 10), map[string]any{
		"surface": "web", "work_item": id, "version": item.Version, "attempts": item.Attempts, "last_error": item.LastError,
	})
	s.opts.Logger.Info("work item retried", "work_item", id, "comment_id", item.CommentID, "by", who.User.Name)
	http.Redirect(w, r, "/?done=work_retried#attention", http.StatusSeeOther)
}

// retryAction makes a failed platform action pending again (administrators
// only), and writes it in the audit log; the action executor sends it at its
// next round, through the same checks as any action (evidence first). Only a
// failed action can be retried: a done action is never repeated.
func (s *Server) retryAction(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	failed, err := s.opts.Store.FailedActions(ctx, 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var a *moderation.Action
	for i := range failed {
		if failed[i].ID == id {
			a = &failed[i]
		}
	}
	if a == nil {
		s.fail(w, r, fmt.Errorf("action %d has not failed: %w", id, moderation.ErrNotFound))
		return
	}
	who := userFrom(ctx)
	if err := s.opts.Store.RetryAction(ctx, id); errors.Is(err, moderation.ErrNotRetryable) {
		s.errorPage(w, r, http.StatusConflict, "not_retryable")
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	s.audit(r, who.User.Name, "action.retried", "comment "+strconv.FormatInt(a.CommentID, 10), map[string]any{
		"surface": "web", "action": id, "kind": a.Kind, "case": a.CaseID, "attempts": a.Attempts, "last_error": a.LastError,
	})
	s.opts.Logger.Info("action retried", "action_id", id, "kind", a.Kind, "comment_id", a.CommentID, "by", who.User.Name)
	http.Redirect(w, r, "/?done=action_retried#attention", http.StatusSeeOther)
}
