package review

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

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
// harness: how much work is waiting, and what is wrong. Status is
// "degraded" (answered with 503) while anything needs a human: an account
// disconnected or with another operational warning (token invalid,
// polling failing, webhook subscription missing, set-aside work, failed
// actions), evidence capture degraded, or work stalled; Problems lists
// each with its code and account. Waiting work alone is normal. Status is
// "unavailable" (503) when the store does not answer.
type Health struct {
	Status               string                     `json:"status"`
	WorkPending          int                        `json:"work_pending"`
	WorkDead             int                        `json:"work_dead"`
	ActionsPending       int                        `json:"actions_pending"`
	ActionsFailed        int                        `json:"actions_failed"`
	WebhooksPending      int                        `json:"webhooks_pending"`
	AccountsDisconnected int                        `json:"accounts_disconnected"`
	Problems             []moderation.HealthProblem `json:"problems"`
	Capture              *moderation.CaptureHealth  `json:"capture,omitempty"`
	OldestPending        *time.Time                 `json:"oldest_pending,omitempty"`
}

// healthz answers 200 with status ok, 503 with status degraded and the
// problems, or 503 with status unavailable when the store does not answer;
// the body is JSON in every case.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	h, err := s.health(r.Context())
	if err != nil {
		s.opts.Logger.Error("health check: store unavailable", "error", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		json.NewEncoder(w).Encode(Health{Status: "unavailable", Problems: []moderation.HealthProblem{}})
		return
	}
	if h.Status != "ok" {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	if err := json.NewEncoder(w).Encode(h); err != nil {
		s.opts.Logger.Warn("health check", "error", err)
	}
}

// health gathers what /healthz answers.
func (s *Server) health(ctx context.Context) (Health, error) {
	st, err := s.opts.Store.Stats(ctx)
	if err != nil {
		return Health{}, err
	}
	h := Health{Status: "ok", WorkPending: st.Pending, WorkDead: st.Dead, ActionsPending: st.ActionsPending,
		ActionsFailed: st.ActionsFailed, WebhooksPending: st.WebhooksPending, AccountsDisconnected: st.Disconnected,
		Problems: []moderation.HealthProblem{}}
	if s.opts.Health != nil {
		rep, err := s.opts.Health(ctx)
		if err != nil {
			return Health{}, err
		}
		h.Problems = append(h.Problems, rep.Problems()...)
		h.Capture = &rep.Capture
		if !rep.Work.OldestPending.IsZero() {
			h.OldestPending = &rep.Work.OldestPending
		}
	} else {
		for _, p := range []struct {
			n    int
			code moderation.HealthCode
		}{{st.Disconnected, moderation.HealthDisconnected}, {st.Dead, moderation.HealthWorkDead}, {st.ActionsFailed, moderation.HealthActionsFailed}} {
			if p.n > 0 {
				h.Problems = append(h.Problems, moderation.HealthProblem{Code: p.code})
			}
		}
	}
	if len(h.Problems) > 0 || h.WorkDead > 0 || h.ActionsFailed > 0 || h.AccountsDisconnected > 0 {
		h.Status = "degraded"
	}
	return h, nil
}

// addHealth puts each account's health on its row of the overview. A
// report that cannot be made leaves the column empty; the page still
// shows.
func (s *Server) addHealth(ctx context.Context, rows []accountRow) {
	if s.opts.Health == nil {
		return
	}
	rep, err := s.opts.Health(ctx)
	if err != nil {
		s.opts.Logger.Warn("account health for the overview", "error", err)
		return
	}
	for i := range rows {
		if ah, ok := rep.Account(rows[i].Key); ok {
			rows[i].Health = &ah
		}
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
