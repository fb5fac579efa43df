package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// The contract of the queues' reliability: retry times that keep an item
// back without blocking the others, items set aside after their attempts,
// and what an administrator's retry does.

func workIDs(t *testing.T, s moderation.Store, now time.Time) []int64 {
	t.Helper()
	items, err := s.PendingWork(context.Background(), now, 0)
	if err != nil {
		t.Fatalf("PendingWork(%v): %v", now, err)
	}
	var ids []int64
	for _, w := range items {
		ids = append(ids, w.ID)
	}
	return ids
}

func actionIDs(t *testing.T, s moderation.Store, now time.Time) []int64 {
	t.Helper()
	as, err := s.PendingActions(context.Background(), now, 0)
	if err != nil {
		t.Fatalf("PendingActions(%v): %v", now, err)
	}
	var ids []int64
	for _, a := range as {
		ids = append(ids, a.ID)
	}
	return ids
}

func webhookIDs(t *testing.T, s moderation.Store, now time.Time) []int64 {
	t.Helper()
	es, err := s.PendingWebhookEvents(context.Background(), now, 0)
	if err != nil {
		t.Fatalf("PendingWebhookEvents(%v): %v", now, err)
	}
	var ids []int64
	for _, e := range es {
		ids = append(ids, e.ID)
	}
	return ids
}

func wantIDs(t *testing.T, what string, got []int64, want ...int64) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

func queuedAction(t *testing.T, s moderation.Store, commentID int64, kind string) moderation.Action {
	t.Helper()
	a, _, err := s.EnqueueAction(context.Background(), moderation.Action{CommentID: commentID, Kind: kind, CreatedAt: at(2)})
	if err != nil {
		t.Fatalf("EnqueueAction(%s): %v", kind, err)
	}
	return a
}

func actionOf(t *testing.T, s moderation.Store, a moderation.Action) moderation.Action {
	t.Helper()
	all, err := s.Actions(context.Background(), a.CommentID)
	if err != nil {
		t.Fatalf("Actions(%d): %v", a.CommentID, err)
	}
	for _, b := range all {
		if b.ID == a.ID {
			return b
		}
	}
	t.Fatalf("action %d not among the comment's actions", a.ID)
	return moderation.Action{}
}

func testFailWorkRetryAt(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	record(t, s, obs("c1", "text", 1))
	record(t, s, obs("c2", "text", 2))
	items, err := s.PendingWork(ctx, at(3), 0)
	if err != nil || len(items) != 2 {
		t.Fatalf("PendingWork: got %d items, err %v, want 2", len(items), err)
	}
	first, second := items[0], items[1]
	if err := s.FailWork(ctx, first.ID, "evidence folder not writable", at(60)); err != nil {
		t.Fatalf("FailWork: %v", err)
	}
	// Kept back until its retry time, without holding up the item behind it.
	wantIDs(t, "due before the retry time", workIDs(t, s, at(30)), second.ID)
	wantIDs(t, "due at the retry time", workIDs(t, s, at(60)), first.ID, second.ID)
	wantIDs(t, "zero now: every waiting item", workIDs(t, s, time.Time{}), first.ID, second.ID)
	items, err = s.PendingWork(ctx, at(61), 1)
	if err != nil || len(items) != 1 {
		t.Fatalf("PendingWork(limit 1): got %d items, err %v", len(items), err)
	}
	got := items[0]
	if got.ID != first.ID || got.Attempts != 1 || got.LastError != "evidence folder not writable" || !got.DeadAt.IsZero() {
		t.Errorf("failed item: got %+v, want 1 attempt, the reason, not set aside", got)
	}
	sameTime(t, "NextAttemptAt", got.NextAttemptAt, at(60))
	// A failure with no retry time is due at once.
	if err := s.FailWork(ctx, first.ID, "again", time.Time{}); err != nil {
		t.Fatalf("FailWork: %v", err)
	}
	wantIDs(t, "no retry time", workIDs(t, s, at(3)), first.ID, second.ID)
}

func testDeadLetterWork(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	for i := range 5 {
		record(t, s, obs(fmt.Sprintf("c%d", i), "text", i))
	}
	items, err := s.PendingWork(ctx, at(10), 0)
	if err != nil || len(items) != 5 {
		t.Fatalf("PendingWork: got %d items, err %v, want 5", len(items), err)
	}
	// The three oldest used up their attempts and are set aside.
	for _, w := range items[:3] {
		if err := s.FailWork(ctx, w.ID, "browser crashed", at(20)); err != nil {
			t.Fatalf("FailWork: %v", err)
		}
		if err := s.DeadLetterWork(ctx, w.ID, "browser crashed"); err != nil {
			t.Fatalf("DeadLetterWork: %v", err)
		}
	}
	// The queue flows past them: a batch of 2 is the two still waiting.
	batch, err := s.PendingWork(ctx, at(30), 2)
	if err != nil {
		t.Fatalf("PendingWork: %v", err)
	}
	var ids []int64
	for _, w := range batch {
		ids = append(ids, w.ID)
	}
	wantIDs(t, "batch past set aside items", ids, items[3].ID, items[4].ID)
	wantIDs(t, "set aside items are never pending", workIDs(t, s, time.Time{}), items[3].ID, items[4].ID)
	dead, err := s.DeadWork(ctx, 0)
	if err != nil || len(dead) != 3 {
		t.Fatalf("DeadWork: got %d, %v, want 3", len(dead), err)
	}
	for i, w := range dead {
		if w.ID != items[i].ID || w.DeadAt.IsZero() || w.LastError != "browser crashed" || w.Attempts != 2 {
			t.Errorf("dead[%d]: got %+v, want item %d set aside with its reason and 2 attempts", i, w, items[i].ID)
		}
	}
	if dead, err := s.DeadWork(ctx, 2); err != nil || len(dead) != 2 {
		t.Errorf("DeadWork(2): got %d, %v, want 2", len(dead), err)
	}
	// Setting aside again, or a completed item, changes nothing.
	if err := s.DeadLetterWork(ctx, items[0].ID, "other reason"); err != nil {
		t.Fatalf("DeadLetterWork again: %v", err)
	}
	if err := s.CompleteWork(ctx, items[4].ID); err != nil {
		t.Fatalf("CompleteWork: %v", err)
	}
	if err := s.DeadLetterWork(ctx, items[4].ID, "late"); err != nil {
		t.Fatalf("DeadLetterWork of a completed item: %v", err)
	}
	dead, err = s.DeadWork(ctx, 0)
	if err != nil || len(dead) != 3 || dead[0].LastError != "browser crashed" {
		t.Errorf("DeadWork after repeats: got %+v, %v, want the same 3", dead, err)
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	if st.Pending != 1 || st.Dead != 3 {
		t.Errorf("Stats: got Pending %d Dead %d, want 1 and 3", st.Pending, st.Dead)
	}
	wantNotFound(t, "DeadLetterWork unknown", s.DeadLetterWork(ctx, 4711, "x"))
}

func testRetryWork(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	record(t, s, obs("c1", "text", 1))
	record(t, s, obs("c2", "text", 2))
	items := workIDs(t, s, at(3))
	for range 3 {
		if err := s.FailWork(ctx, items[0], "capture timed out", at(600)); err != nil {
			t.Fatalf("FailWork: %v", err)
		}
	}
	if err := s.DeadLetterWork(ctx, items[0], "capture timed out"); err != nil {
		t.Fatalf("DeadLetterWork: %v", err)
	}
	if err := s.RetryWork(ctx, items[0]); err != nil {
		t.Fatalf("RetryWork: %v", err)
	}
	// Back in the queue, due at once, in its old place, attempts reset.
	wantIDs(t, "after retry", workIDs(t, s, at(3)), items...)
	got, err := s.PendingWork(ctx, at(3), 1)
	if err != nil || len(got) != 1 {
		t.Fatalf("PendingWork: %d, %v", len(got), err)
	}
	if got[0].Attempts != 0 || !got[0].DeadAt.IsZero() || !got[0].NextAttemptAt.IsZero() {
		t.Errorf("retried item: got %+v, want no attempts, not set aside, due at once", got[0])
	}
	if dead, err := s.DeadWork(ctx, 0); err != nil || len(dead) != 0 {
		t.Errorf("DeadWork after retry: got %d, %v, want none", len(dead), err)
	}
	// A completed item stays completed.
	if err := s.CompleteWork(ctx, items[1]); err != nil {
		t.Fatalf("CompleteWork: %v", err)
	}
	if err := s.RetryWork(ctx, items[1]); err != nil {
		t.Fatalf("RetryWork of a completed item: %v", err)
	}
	wantIDs(t, "completed item not retried", workIDs(t, s, time.Time{}), items[0])
	wantNotFound(t, "RetryWork unknown", s.RetryWork(ctx, 4711))
}

func testDeferAction(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	r1 := record(t, s, obs("c1", "text", 1))
	r2 := record(t, s, obs("c2", "text", 1))
	hide := queuedAction(t, s, r1.CommentID, moderation.ActHide)
	other := queuedAction(t, s, r2.CommentID, moderation.ActHide)
	// A rate limit whose end is known: wait, no attempt counted.
	if err := s.DeferAction(ctx, hide.ID, at(60), "rate limited until 10:27", false); err != nil {
		t.Fatalf("DeferAction: %v", err)
	}
	wantIDs(t, "before the retry time", actionIDs(t, s, at(30)), other.ID)
	wantIDs(t, "at the retry time", actionIDs(t, s, at(60)), hide.ID, other.ID)
	wantIDs(t, "zero now", actionIDs(t, s, time.Time{}), hide.ID, other.ID)
	got := actionOf(t, s, hide)
	if got.State != moderation.ActionPending || got.Attempts != 0 || got.LastError != "rate limited until 10:27" {
		t.Errorf("deferred: got %+v, want pending, no attempt, the error", got)
	}
	sameTime(t, "NextAttemptAt", got.NextAttemptAt, at(60))
	// A failure that counts.
	if err := s.DeferAction(ctx, hide.ID, at(61), "503", true); err != nil {
		t.Fatalf("DeferAction: %v", err)
	}
	if got := actionOf(t, s, hide); got.Attempts != 1 || got.LastError != "503" {
		t.Errorf("counted deferral: got %+v, want 1 attempt", got)
	}
	// Finishing as pending makes it due at once.
	if err := s.FinishAction(ctx, hide.ID, moderation.ActionPending, "", "retry"); err != nil {
		t.Fatalf("FinishAction: %v", err)
	}
	wantIDs(t, "finished pending", actionIDs(t, s, at(3)), hide.ID, other.ID)
	// A done action is not deferred.
	if err := s.FinishAction(ctx, hide.ID, moderation.ActionDone, "", ""); err != nil {
		t.Fatalf("FinishAction: %v", err)
	}
	if err := s.DeferAction(ctx, hide.ID, at(90), "late", true); err != nil {
		t.Fatalf("DeferAction of a done action: %v", err)
	}
	if got := actionOf(t, s, hide); got.State != moderation.ActionDone || got.LastError != "" || got.Attempts != 3 {
		t.Errorf("done then deferred: got %+v, want it unchanged", got)
	}
	wantNotFound(t, "DeferAction unknown", s.DeferAction(ctx, 4711, at(1), "x", false))
}

func testPendingActionsActiveAccounts(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	if err := s.UpsertAccount(ctx, moderation.Account{Key: "skola", Platform: moderation.Facebook, PlatformID: "2002", Name: "Skolan"}); err != nil {
		t.Fatalf("UpsertAccount: %v", err)
	}
	o := obs("s1", "text", 1)
	o.AccountKey, o.PostID = "skola", "2002_1"
	mine := queuedAction(t, s, record(t, s, obs("c1", "text", 1)).CommentID, moderation.ActHide)
	theirs := queuedAction(t, s, record(t, s, o).CommentID, moderation.ActHide)
	wantIDs(t, "both active", actionIDs(t, s, at(3)), mine.ID, theirs.ID)
	for _, st := range []moderation.AccountStatus{moderation.AccountDisconnected, moderation.AccountClosed} {
		if err := s.SetAccountStatus(ctx, "skola", st, "token rejected"); err != nil {
			t.Fatalf("SetAccountStatus(%s): %v", st, err)
		}
		wantIDs(t, string(st)+" account's action waits", actionIDs(t, s, at(3)), mine.ID)
		wantIDs(t, string(st)+" account's action waits, zero now", actionIDs(t, s, time.Time{}), mine.ID)
	}
	if err := s.SetAccountStatus(ctx, "skola", moderation.AccountActive, ""); err != nil {
		t.Fatalf("SetAccountStatus: %v", err)
	}
	wantIDs(t, "active again", actionIDs(t, s, at(3)), mine.ID, theirs.ID)
	if got := actionOf(t, s, theirs); got.State != moderation.ActionPending || got.Attempts != 0 {
		t.Errorf("waiting action: got %+v, want pending with no attempts", got)
	}
}

func testRetryAction(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	r := record(t, s, obs("c1", "text", 1))
	hide := queuedAction(t, s, r.CommentID, moderation.ActHide)
	reply := queuedAction(t, s, r.CommentID, moderation.ActReply)
	if err := s.FinishAction(ctx, hide.ID, moderation.ActionFailed, "", "permission denied (10)"); err != nil {
		t.Fatalf("FinishAction: %v", err)
	}
	failed, err := s.FailedActions(ctx, 0)
	if err != nil || len(failed) != 1 || failed[0].ID != hide.ID || failed[0].LastError != "permission denied (10)" {
		t.Fatalf("FailedActions: got %+v, %v, want the hide with its error", failed, err)
	}
	wantIDs(t, "failed is not pending", actionIDs(t, s, at(3)), reply.ID)
	if err := s.RetryAction(ctx, hide.ID); err != nil {
		t.Fatalf("RetryAction: %v", err)
	}
	got := actionOf(t, s, hide)
	if got.State != moderation.ActionPending || got.Attempts != 0 || !got.DoneAt.IsZero() || !got.NextAttemptAt.IsZero() {
		t.Errorf("retried: got %+v, want pending, no attempts, due now", got)
	}
	wantIDs(t, "retried is pending", actionIDs(t, s, at(3)), hide.ID, reply.ID)
	if failed, err := s.FailedActions(ctx, 0); err != nil || len(failed) != 0 {
		t.Errorf("FailedActions after retry: got %d, %v, want none", len(failed), err)
	}
	// A waiting action is made due now.
	if err := s.DeferAction(ctx, reply.ID, at(600), "rate limited", false); err != nil {
		t.Fatalf("DeferAction: %v", err)
	}
	if err := s.RetryAction(ctx, reply.ID); err != nil {
		t.Fatalf("RetryAction of a waiting action: %v", err)
	}
	wantIDs(t, "waiting action retried", actionIDs(t, s, at(3)), hide.ID, reply.ID)
	// A done action cannot be retried.
	if err := s.FinishAction(ctx, reply.ID, moderation.ActionDone, "reply-1", ""); err != nil {
		t.Fatalf("FinishAction: %v", err)
	}
	if err := s.RetryAction(ctx, reply.ID); !errors.Is(err, moderation.ErrNotRetryable) {
		t.Errorf("RetryAction of a done action: got %v, want ErrNotRetryable", err)
	}
	if got := actionOf(t, s, reply); got.State != moderation.ActionDone || got.PlatformRef != "reply-1" {
		t.Errorf("done action after a refused retry: got %+v, want it unchanged", got)
	}
	wantNotFound(t, "RetryAction unknown", s.RetryAction(ctx, 4711))
}

func testFinishActionGone(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	r := record(t, s, obs("c1", "text", 1))
	hide := queuedAction(t, s, r.CommentID, moderation.ActHide)
	if got := actionOf(t, s, hide); got.Outcome != moderation.ActionAsAsked {
		t.Errorf("new action: got outcome %q, want none", got.Outcome)
	}
	if err := s.FinishActionOutcome(ctx, hide.ID, "vanished", "", ""); err == nil {
		t.Errorf("FinishActionOutcome with an unknown outcome: got no error")
	}
	if err := s.FinishActionOutcome(ctx, hide.ID, moderation.ActionGone, "", "comment deleted by its author"); err != nil {
		t.Fatalf("FinishActionOutcome: %v", err)
	}
	got := actionOf(t, s, hide)
	if got.State != moderation.ActionDone || got.Outcome != moderation.ActionGone || got.Attempts != 1 || got.DoneAt.IsZero() {
		t.Errorf("gone: got %+v, want done, outcome gone, 1 attempt, a DoneAt", got)
	}
	// Done is final: neither a later finish nor another outcome changes it.
	if err := s.FinishAction(ctx, hide.ID, moderation.ActionDone, "", ""); err != nil {
		t.Fatalf("FinishAction: %v", err)
	}
	if got := actionOf(t, s, hide); got.Outcome != moderation.ActionGone {
		t.Errorf("after finishing again: got outcome %q, want gone", got.Outcome)
	}
	wantNotFound(t, "FinishActionOutcome unknown", s.FinishActionOutcome(ctx, 4711, moderation.ActionGone, "", ""))
}

func testRetryWebhookEvent(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	var ids []int64
	for i := range 2 {
		id, err := s.SaveWebhookEvent(ctx, moderation.WebhookEvent{Object: "page", Body: []byte(`{}`), ReceivedAt: at(i)})
		if err != nil {
			t.Fatalf("SaveWebhookEvent: %v", err)
		}
		ids = append(ids, id)
	}
	if err := s.RetryWebhookEvent(ctx, ids[0], at(60), "rate limited", false); err != nil {
		t.Fatalf("RetryWebhookEvent: %v", err)
	}
	wantIDs(t, "before the retry time", webhookIDs(t, s, at(30)), ids[1])
	wantIDs(t, "at the retry time", webhookIDs(t, s, at(60)), ids...)
	wantIDs(t, "zero now", webhookIDs(t, s, time.Time{}), ids...)
	for _, counted := range []bool{true, true} {
		if err := s.RetryWebhookEvent(ctx, ids[0], at(90), "503", counted); err != nil {
			t.Fatalf("RetryWebhookEvent: %v", err)
		}
	}
	es, err := s.PendingWebhookEvents(ctx, at(90), 1)
	if err != nil || len(es) != 1 {
		t.Fatalf("PendingWebhookEvents: %d, %v", len(es), err)
	}
	if es[0].ID != ids[0] || es[0].Attempts != 2 || es[0].Error != "503" || es[0].Done {
		t.Errorf("retried delivery: got %+v, want 2 attempts and the last error", es[0])
	}
	sameTime(t, "NextAttemptAt", es[0].NextAttemptAt, at(90))
	// A processed delivery stays processed.
	if err := s.FinishWebhookEvent(ctx, ids[1], ""); err != nil {
		t.Fatalf("FinishWebhookEvent: %v", err)
	}
	if err := s.RetryWebhookEvent(ctx, ids[1], at(90), "late", true); err != nil {
		t.Fatalf("RetryWebhookEvent of a processed delivery: %v", err)
	}
	wantIDs(t, "processed not retried", webhookIDs(t, s, time.Time{}), ids[0])
	wantNotFound(t, "RetryWebhookEvent unknown", s.RetryWebhookEvent(ctx, 4711, at(1), "x", false))
}

func testStatsAttention(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	if err := s.UpsertAccount(ctx, moderation.Account{Key: "skola", Platform: moderation.Facebook, PlatformID: "2002", Name: "Skolan"}); err != nil {
		t.Fatalf("UpsertAccount: %v", err)
	}
	if err := s.SetAccountStatus(ctx, "skola", moderation.AccountDisconnected, "token rejected"); err != nil {
		t.Fatalf("SetAccountStatus: %v", err)
	}
	r1 := record(t, s, obs("c1", "text", 1))
	record(t, s, obs("c2", "text", 2))
	items := workIDs(t, s, at(3))
	if err := s.DeadLetterWork(ctx, items[0], "x"); err != nil {
		t.Fatalf("DeadLetterWork: %v", err)
	}
	hide := queuedAction(t, s, r1.CommentID, moderation.ActHide)
	queuedAction(t, s, r1.CommentID, moderation.ActReply)
	if err := s.FinishAction(ctx, hide.ID, moderation.ActionFailed, "", "x"); err != nil {
		t.Fatalf("FinishAction: %v", err)
	}
	if _, err := s.SaveWebhookEvent(ctx, moderation.WebhookEvent{Object: "page", Body: []byte(`{}`)}); err != nil {
		t.Fatalf("SaveWebhookEvent: %v", err)
	}
	got, err := s.Stats(ctx)
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	if got.Pending != 1 || got.Dead != 1 || got.ActionsPending != 1 || got.ActionsFailed != 1 || got.WebhooksPending != 1 || got.Disconnected != 1 {
		t.Errorf("Stats: got %+v, want 1 of each: pending, dead, actions pending, actions failed, webhooks pending, disconnected", got)
	}
}
