package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// HealthBackend is a store with the account health facts.
type HealthBackend interface {
	moderation.Store
	moderation.HealthStore
}

// RunHealth runs the contract of moderation.HealthStore. open must return
// a new, empty store each time; RunHealth closes it.
func RunHealth(t *testing.T, open func(t *testing.T) HealthBackend) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s HealthBackend)
	}{
		{"health/an account with nothing recorded has empty facts", testHealthEmpty},
		{"health/failed polls form a run from the first failure; a success ends it", testHealthPolls},
		{"health/token and subscription checks are kept, the last one wins", testHealthChecks},
		{"health/the newest own post, not a visitor's", testHealthOwnPost},
		{"health/set-aside work and failed actions are counted per account", testHealthDeadAndFailed},
		{"health/the oldest pending work item or action", testHealthOldestPending},
		{"health/unknown account is not found", testHealthUnknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			for _, a := range []moderation.Account{
				{Key: "kommun", Platform: moderation.Facebook, PlatformID: "1001", Name: "Kommunen", UpdatedAt: t0},
				{Key: "skolen", Platform: moderation.Instagram, PlatformID: "17841", Name: "Skolen", UpdatedAt: t0},
			} {
				if err := s.UpsertAccount(context.Background(), a); err != nil {
					t.Fatalf("UpsertAccount: %v", err)
				}
			}
			tc.fn(t, s)
		})
	}
}

func facts(t *testing.T, s HealthBackend, key string) moderation.AccountFacts {
	t.Helper()
	f, err := s.AccountFacts(context.Background(), key)
	if err != nil {
		t.Fatalf("AccountFacts(%s): %v", key, err)
	}
	return f
}

func testHealthEmpty(t *testing.T, s HealthBackend) {
	got := facts(t, s, "kommun")
	if got != (moderation.AccountFacts{}) {
		t.Errorf("got %+v, want empty facts", got)
	}
}

func testHealthPolls(t *testing.T, s HealthBackend) {
	ctx := context.Background()
	steps := []struct {
		at    int
		class string
		// what the facts are after the step
		wantOK, wantFailed, wantSince int // minutes; -1: zero time
		wantRun                       int
		wantClass                     string
	}{
		{1, "", 1, -1, -1, 0, ""},
		{2, "throttled", 1, 2, 2, 1, "throttled"},
		{3, "token", 1, 3, 2, 2, "token"},
		{4, "", 4, 3, -1, 0, "token"},
		{5, "graph_2", 4, 5, 5, 1, "graph_2"},
	}
	tm := func(m int) time.Time {
		if m < 0 {
			return time.Time{}
		}
		return at(m)
	}
	for _, st := range steps {
		if err := s.RecordPoll(ctx, "kommun", at(st.at), st.class); err != nil {
			t.Fatalf("RecordPoll(%d, %q): %v", st.at, st.class, err)
		}
		f := facts(t, s, "kommun")
		sameTime(t, "LastPollOK", f.LastPollOK, tm(st.wantOK))
		sameTime(t, "LastPollFailed", f.LastPollFailed, tm(st.wantFailed))
		sameTime(t, "FailingSince", f.FailingSince, tm(st.wantSince))
		if f.ConsecutiveFailures != st.wantRun || f.LastPollError != st.wantClass {
			t.Errorf("after minute %d: got %d failures in a row, class %q; want %d, %q", st.at, f.ConsecutiveFailures, f.LastPollError, st.wantRun, st.wantClass)
		}
	}
	if f := facts(t, s, "skolen"); !f.LastPollOK.IsZero() || f.ConsecutiveFailures != 0 {
		t.Errorf("the other account: got %+v, want nothing recorded", f)
	}
}

func testHealthChecks(t *testing.T, s HealthBackend) {
	ctx := context.Background()
	first := moderation.TokenCheck{CheckedAt: at(1), Valid: true, ExpiresAt: at(60 * 24 * 30), DataAccessExpiresAt: at(60 * 24 * 90)}
	if err := s.RecordTokenCheck(ctx, "kommun", first); err != nil {
		t.Fatalf("RecordTokenCheck: %v", err)
	}
	f := facts(t, s, "kommun")
	if !f.Token.Valid || f.Token.Error != "" {
		t.Errorf("token: got %+v, want valid", f.Token)
	}
	sameTime(t, "CheckedAt", f.Token.CheckedAt, first.CheckedAt)
	sameTime(t, "ExpiresAt", f.Token.ExpiresAt, first.ExpiresAt)
	sameTime(t, "DataAccessExpiresAt", f.Token.DataAccessExpiresAt, first.DataAccessExpiresAt)
	if err := s.RecordTokenCheck(ctx, "kommun", moderation.TokenCheck{CheckedAt: at(2), Valid: false}); err != nil {
		t.Fatalf("RecordTokenCheck: %v", err)
	}
	f = facts(t, s, "kommun")
	if f.Token.Valid || !f.Token.ExpiresAt.IsZero() {
		t.Errorf("token after the second check: got %+v, want invalid without expiry", f.Token)
	}
	sameTime(t, "CheckedAt", f.Token.CheckedAt, at(2))
	for i, c := range []moderation.SubscriptionCheck{
		{CheckedAt: at(3), Subscribed: true},
		{CheckedAt: at(4), Subscribed: false, Error: "throttled"},
	} {
		if err := s.RecordSubscriptionCheck(ctx, "kommun", c); err != nil {
			t.Fatalf("RecordSubscriptionCheck: %v", err)
		}
		got := facts(t, s, "kommun").Subscription
		if got.Subscribed != c.Subscribed || got.Error != c.Error || !got.CheckedAt.Equal(c.CheckedAt) {
			t.Errorf("check %d: got %+v, want %+v", i, got, c)
		}
	}
	if got := facts(t, s, "kommun"); !got.LastPollOK.IsZero() || got.ConsecutiveFailures != 0 {
		t.Errorf("checks touched the polls: got %+v", got)
	}
}

func testHealthOwnPost(t *testing.T, s HealthBackend) {
	ctx := context.Background()
	for _, p := range []moderation.Post{
		{AccountKey: "kommun", PlatformID: "1001_1", Author: moderation.Author{ID: "1001", Name: "Kommunen"}, CreatedAt: at(10)},
		{AccountKey: "kommun", PlatformID: "1001_2", Author: moderation.Author{ID: "1001", Name: "Kommunen"}, CreatedAt: at(20)},
		{AccountKey: "kommun", PlatformID: "1001_3", Author: moderation.Author{ID: "u-9", Name: "Besökare"}, CreatedAt: at(30)},
		{AccountKey: "skolen", PlatformID: "m1", Author: moderation.Author{ID: "17841", Name: "skolen"}, CreatedAt: at(5)},
	} {
		p.FirstSeenAt, p.UpdatedAt = p.CreatedAt, p.CreatedAt
		if _, err := s.SavePost(ctx, p); err != nil {
			t.Fatalf("SavePost(%s): %v", p.PlatformID, err)
		}
	}
	// A comment on a post not yet read makes a stub, which is no post.
	record(t, s, moderation.CommentObservation{AccountKey: "kommun", PostID: "1001_9", PlatformID: "c1", Message: "hej",
		CreatedAt: at(40), SeenAt: at(40), Source: moderation.SourcePoll})
	sameTime(t, "kommun's last own post", facts(t, s, "kommun").LastOwnPost, at(20))
	sameTime(t, "skolen's last own post", facts(t, s, "skolen").LastOwnPost, at(5))
}

func testHealthDeadAndFailed(t *testing.T, s HealthBackend) {
	ctx := context.Background()
	var ids []int64
	for _, id := range []string{"c1", "c2", "c3"} {
		ids = append(ids, record(t, s, obs(id, "text "+id, 1)).CommentID)
	}
	items, err := s.PendingWork(ctx, at(100), 0)
	if err != nil || len(items) != 3 {
		t.Fatalf("PendingWork: got %d, %v, want 3", len(items), err)
	}
	for _, w := range items[:2] {
		if err := s.DeadLetterWork(ctx, w.ID, "browser crashed"); err != nil {
			t.Fatalf("DeadLetterWork: %v", err)
		}
	}
	a := queuedAction(t, s, ids[0], moderation.ActHide)
	if err := s.FinishAction(ctx, a.ID, moderation.ActionFailed, "", "(#10) permission"); err != nil {
		t.Fatalf("FinishAction: %v", err)
	}
	queuedAction(t, s, ids[1], moderation.ActHide)
	f := facts(t, s, "kommun")
	if f.DeadWork != 2 || f.FailedActions != 1 {
		t.Errorf("kommun: got %d set aside, %d failed; want 2, 1", f.DeadWork, f.FailedActions)
	}
	if f := facts(t, s, "skolen"); f.DeadWork != 0 || f.FailedActions != 0 {
		t.Errorf("skolen: got %d set aside, %d failed; want none", f.DeadWork, f.FailedActions)
	}
}

func testHealthOldestPending(t *testing.T, s HealthBackend) {
	ctx := context.Background()
	got, err := s.OldestPendingWork(ctx)
	if err != nil || !got.IsZero() {
		t.Fatalf("empty store: got %v, %v; want the zero time", got, err)
	}
	r := record(t, s, obs("c1", "text", 5))
	items, err := s.PendingWork(ctx, at(100), 0)
	if err != nil || len(items) != 1 {
		t.Fatalf("PendingWork: got %d, %v, want 1", len(items), err)
	}
	wantWork := items[0].CreatedAt
	got, err = s.OldestPendingWork(ctx)
	if err != nil {
		t.Fatalf("OldestPendingWork: %v", err)
	}
	sameTime(t, "with one work item", got, wantWork)
	a := queuedAction(t, s, r.CommentID, moderation.ActHide) // created at(2), before the work item
	got, _ = s.OldestPendingWork(ctx)
	sameTime(t, "with an older action", got, a.CreatedAt)
	if err := s.CompleteWork(ctx, items[0].ID); err != nil {
		t.Fatalf("CompleteWork: %v", err)
	}
	if err := s.FinishAction(ctx, a.ID, moderation.ActionDone, "ref", ""); err != nil {
		t.Fatalf("FinishAction: %v", err)
	}
	if got, err = s.OldestPendingWork(ctx); err != nil || !got.IsZero() {
		t.Errorf("all done: got %v, %v; want the zero time", got, err)
	}
}

func testHealthUnknown(t *testing.T, s HealthBackend) {
	ctx := context.Background()
	_, err := s.AccountFacts(ctx, "nobody")
	wantNotFound(t, "AccountFacts", err)
	wantNotFound(t, "RecordPoll", s.RecordPoll(ctx, "nobody", at(1), ""))
	wantNotFound(t, "RecordTokenCheck", s.RecordTokenCheck(ctx, "nobody", moderation.TokenCheck{CheckedAt: at(1)}))
	wantNotFound(t, "RecordSubscriptionCheck", s.RecordSubscriptionCheck(ctx, "nobody", moderation.SubscriptionCheck{CheckedAt: at(1)}))
}
