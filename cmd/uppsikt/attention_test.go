package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// getHealth reads /healthz.
func getHealth(t *testing.T, base string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var h map[string]any
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatalf("/healthz: got %q (%d), want JSON: %v", b, resp.StatusCode, err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("/healthz: Content-Type %q, want application/json", ct)
	}
	return resp.StatusCode, h
}

// needsAttention sets aside the first comment's work item, fails a hide of
// the second comment and disconnects nothing; it returns the work item and
// the action.
func needsAttention(t *testing.T, r *reviewRig) (moderation.WorkItem, moderation.Action) {
	t.Helper()
	ctx := context.Background()
	items, err := r.st.PendingWork(ctx, time.Time{}, 0)
	if err != nil || len(items) != 4 {
		t.Fatalf("queue: %d, %v", len(items), err)
	}
	if err := r.st.DeadLetterWork(ctx, items[0].ID, "mkdir data/evidence/ab: not a directory"); err != nil {
		t.Fatal(err)
	}
	a, _, err := r.st.EnqueueAction(ctx, moderation.Action{CommentID: r.cases[1].CommentID, Kind: moderation.ActHide})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.st.FinishAction(ctx, a.ID, moderation.ActionFailed, "", "(#10) Permission denied"); err != nil {
		t.Fatal(err)
	}
	return items[0], a
}

// TestHealthzCountsWhatNeedsAttention: /healthz answers JSON with the
// queues' counts, and "degraded" with 503 and the problems while
// something needs a human.
func TestHealthzCountsWhatNeedsAttention(t *testing.T) {
	r := newReviewRig(t)
	code, h := getHealth(t, r.srv.URL)
	want := map[string]any{"status": "ok", "work_pending": 4.0, "work_dead": 0.0, "actions_pending": 0.0,
		"actions_failed": 0.0, "webhooks_pending": 0.0, "accounts_disconnected": 0.0, "problems": []any{}}
	if code != 200 || fmt.Sprint(h) != fmt.Sprint(want) {
		t.Errorf("healthy: got %d %v, want 200 %v", code, h, want)
	}
	needsAttention(t, r)
	ctx := context.Background()
	if _, _, err := r.st.EnqueueAction(ctx, moderation.Action{CommentID: r.cases[2].CommentID, Kind: moderation.ActHide}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.st.SaveWebhookEvent(ctx, moderation.WebhookEvent{Object: "page", Body: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if err := r.st.SetAccountStatus(ctx, "fb", moderation.AccountDisconnected, "token rejected (190/460)"); err != nil {
		t.Fatal(err)
	}
	code, h = getHealth(t, r.srv.URL)
	// Degraded: 503, with what is wrong (this page has no health report,
	// so the problems are named by the counts alone).
	want = map[string]any{"status": "degraded", "work_pending": 3.0, "work_dead": 1.0, "actions_pending": 1.0,
		"actions_failed": 1.0, "webhooks_pending": 1.0, "accounts_disconnected": 1.0,
		"problems": []any{map[string]any{"code": "disconnected"}, map[string]any{"code": "work_dead"}, map[string]any{"code": "actions_failed"}}}
	if code != http.StatusServiceUnavailable || fmt.Sprint(h) != fmt.Sprint(want) {
		t.Errorf("degraded: got %d %v, want 503 %v", code, h, want)
	}
	// A store that does not answer: 503.
	r.st.Close()
	if code, h := getHealth(t, r.srv.URL); code != http.StatusServiceUnavailable || h["status"] != "unavailable" {
		t.Errorf("store closed: got %d %v, want 503 unavailable", code, h)
	}
}

// TestRetryFromTheWebPage: the overview lists what was set aside and what
// failed; only an administrator, with the form's token, may retry, which
// puts the item back in the queue, makes the action pending again, and is
// written in the audit log.
func TestRetryFromTheWebPage(t *testing.T) {
	r := newReviewRig(t)
	ctx := context.Background()
	item, action := needsAttention(t, r)
	workURL := fmt.Sprintf("%s/work/%d/retry", r.srv.URL, item.ID)
	actionURL := fmt.Sprintf("%s/actions/%d/retry", r.srv.URL, action.ID)

	page := func(c *http.Client) string {
		t.Helper()
		resp, err := c.Get(r.srv.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	post := func(c *http.Client, u, token string) int {
		t.Helper()
		c.CheckRedirect = noRedirect
		defer func() { c.CheckRedirect = nil }()
		resp, err := c.PostForm(u, url.Values{"csrf": {token}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	mod := signIn(t, r.srv.URL, "moderator", testPassword)
	body := page(mod)
	if !strings.Contains(body, "Behöver åtgärd") || !strings.Contains(body, "mkdir data/evidence/ab: not a directory") || !strings.Contains(body, "(#10) Permission denied") {
		t.Errorf("overview as moderator: no needs-attention panel with both errors:\n%s", body)
	}
	if strings.Contains(body, "/retry") {
		t.Errorf("overview as moderator: shows a Retry button")
	}
	modToken := formToken(t, mod, r.srv.URL+"/cases")
	for _, u := range []string{workURL, actionURL} {
		if got := post(mod, u, modToken); got != http.StatusForbidden {
			t.Errorf("POST %s as moderator: got %d, want 403", u, got)
		}
	}

	admin := signIn(t, r.srv.URL, "admin", testPassword)
	body = page(admin)
	for _, form := range []string{fmt.Sprintf(`action="/work/%d/retry"`, item.ID), fmt.Sprintf(`action="/actions/%d/retry"`, action.ID)} {
		if !strings.Contains(body, form) {
			t.Errorf("overview as admin: no form %s", form)
		}
	}
	for _, u := range []string{workURL, actionURL} {
		if got := post(admin, u, strings.Repeat("0", 64)); got != http.StatusForbidden {
			t.Errorf("POST %s as admin without the form's token: got %d, want 403", u, got)
		}
	}
	if dead, _ := r.st.DeadWork(ctx, 0); len(dead) != 1 {
		t.Fatalf("refused retries changed the queue: %d set aside, want 1", len(dead))
	}
	if failed, _ := r.st.FailedActions(ctx, 0); len(failed) != 1 {
		t.Fatalf("refused retries changed the actions: %d failed, want 1", len(failed))
	}

	token := formToken(t, admin, r.srv.URL+"/cases")
	for _, u := range []string{workURL, actionURL} {
		if got := post(admin, u, token); got != http.StatusSeeOther {
			t.Errorf("POST %s as admin: got %d, want 303", u, got)
		}
	}
	if dead, _ := r.st.DeadWork(ctx, 0); len(dead) != 0 {
		t.Errorf("after the retry: %d set aside, want none", len(dead))
	}
	if items, _ := r.st.PendingWork(ctx, time.Time{}, 0); len(items) != 4 || items[0].ID != item.ID || items[0].Attempts != 0 {
		t.Errorf("after the retry: queue %+v, want the item back first with no attempts", items)
	}
	acts, _ := r.st.Actions(ctx, action.CommentID)
	if len(acts) != 1 || acts[0].State != moderation.ActionPending || acts[0].Attempts != 0 {
		t.Errorf("after the retry: action %+v, want it pending with no attempts", acts)
	}
	audit, err := r.st.AuditLog(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, e := range audit {
		seen[e.Action] = e.Actor + " " + e.Subject
	}
	if got, want := seen["work.retried"], fmt.Sprintf("admin comment %d", item.CommentID); got != want {
		t.Errorf("audit work.retried: got %q, want %q", got, want)
	}
	if got, want := seen["action.retried"], fmt.Sprintf("admin comment %d", action.CommentID); got != want {
		t.Errorf("audit action.retried: got %q, want %q", got, want)
	}
	// Nothing is set aside or failed any more: a second retry finds nothing,
	// and the panel is gone.
	for _, u := range []string{workURL, actionURL} {
		if got := post(admin, u, token); got != http.StatusNotFound {
			t.Errorf("POST %s again: got %d, want 404", u, got)
		}
	}
	if body := page(admin); strings.Contains(body, `id="attention"`) {
		t.Errorf("overview after the retries: the needs-attention panel is still shown")
	}
}
