package storetest

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// MetricsBackend is a store that also counts for monitoring.
type MetricsBackend interface {
	moderation.Store
	moderation.MetricsStore
}

// RunMetrics runs the contract suite of moderation.MetricsStore. open must
// return a new, empty store each time; RunMetrics closes it when the
// subtest ends.
func RunMetrics(t *testing.T, open func(t *testing.T) MetricsBackend) {
	h := &harness{open: func(t *testing.T) moderation.Store { return open(t) }}
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s MetricsBackend)
	}{
		{"metrics/an empty store counts nothing", testGaugesEmpty},
		{"metrics/queues, accounts and actions", testGauges},
		{"metrics/verdicts counted once, from a position on", testCountVerdicts},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, h.store(t).(MetricsBackend)) })
	}
}

func testGaugesEmpty(t *testing.T, s MetricsBackend) {
	ctx := context.Background()
	g, err := s.Gauges(ctx)
	if err != nil {
		t.Fatalf("Gauges: %v", err)
	}
	want := []moderation.AccountGauge{{Key: "kommun", Platform: moderation.Facebook, Status: moderation.AccountActive}}
	if g.WorkPending != 0 || g.WorkDead != 0 || g.WebhooksPending != 0 || !g.OldestWork.IsZero() || len(g.Actions) != 0 {
		t.Errorf("Gauges of an empty store: got %+v, want zeros", g)
	}
	if !reflect.DeepEqual(g.Accounts, want) {
		t.Errorf("Gauges accounts: got %+v, want %+v", g.Accounts, want)
	}
	vc, err := s.CountVerdicts(ctx, 0)
	if err != nil {
		t.Fatalf("CountVerdicts: %v", err)
	}
	if vc.Next != 0 || len(vc.Categories) != 0 || len(vc.Questions) != 0 || len(vc.Registers) != 0 {
		t.Errorf("CountVerdicts of an empty store: got %+v, want nothing", vc)
	}
}

func testGauges(t *testing.T, s MetricsBackend) {
	ctx := context.Background()
	if err := s.UpsertAccount(ctx, moderation.Account{Key: "insta", Platform: moderation.Instagram, PlatformID: "17841"}); err != nil {
		t.Fatalf("UpsertAccount: %v", err)
	}
	if err := s.SetAccountStatus(ctx, "insta", moderation.AccountDisconnected, "token rejected"); err != nil {
		t.Fatalf("SetAccountStatus: %v", err)
	}
	if err := s.SetSchedule(ctx, moderation.Schedule{AccountKey: "kommun", LastPollAt: at(5), NextPollAt: at(20)}); err != nil {
		t.Fatalf("SetSchedule: %v", err)
	}
	if err := s.SetSchedule(ctx, moderation.Schedule{AccountKey: "insta", LastPollAt: at(6), LastError: "(#190) token", NextPollAt: at(20)}); err != nil {
		t.Fatalf("SetSchedule: %v", err)
	}
	var ids []int64
	for i := range 4 {
		r := record(t, s, obs(fmt.Sprintf("c%d", i), "text", i+1))
		ids = append(ids, r.CommentID)
	}
	items, err := s.PendingWork(ctx, at(100), 0)
	if err != nil || len(items) != 4 {
		t.Fatalf("PendingWork: %d items, %v; want 4", len(items), err)
	}
	if err := s.CompleteWork(ctx, items[0].ID); err != nil {
		t.Fatalf("CompleteWork: %v", err)
	}
	if err := s.DeadLetterWork(ctx, items[1].ID, "evidence folder gone"); err != nil {
		t.Fatalf("DeadLetterWork: %v", err)
	}
	if _, err := s.SaveWebhookEvent(ctx, moderation.WebhookEvent{Object: "page", Body: []byte(`{}`), ReceivedAt: at(7)}); err != nil {
		t.Fatalf("SaveWebhookEvent: %v", err)
	}
	queue := func(id int64, kind string) int64 {
		t.Helper()
		a, _, err := s.EnqueueAction(ctx, moderation.Action{CommentID: id, Kind: kind, CreatedAt: at(8)})
		if err != nil {
			t.Fatalf("EnqueueAction: %v", err)
		}
		return a.ID
	}
	queue(ids[0], moderation.ActHide)
	if err := s.FinishAction(ctx, queue(ids[1], moderation.ActHide), moderation.ActionFailed, "", "(#10) Permission denied"); err != nil {
		t.Fatalf("FinishAction: %v", err)
	}
	if err := s.FinishAction(ctx, queue(ids[2], moderation.ActDelete), moderation.ActionDone, "", ""); err != nil {
		t.Fatalf("FinishAction: %v", err)
	}
	if err := s.FinishActionOutcome(ctx, queue(ids[3], moderation.ActDelete), moderation.ActionGone, "", ""); err != nil {
		t.Fatalf("FinishActionOutcome: %v", err)
	}
	ig := obs("ig1", "text", 9)
	ig.AccountKey, ig.PostID = "insta", "17841_1"
	if err := s.FinishAction(ctx, queue(record(t, s, ig).CommentID, moderation.ActHide), moderation.ActionFailed, "", "(#10)"); err != nil {
		t.Fatalf("FinishAction: %v", err)
	}

	wantOK := time.Time{}
	if hs, ok := s.(moderation.HealthStore); ok {
		// The health record keeps the last successful poll of an account
		// whose last cycle failed.
		if err := hs.RecordPoll(ctx, "insta", at(3), ""); err != nil {
			t.Fatalf("RecordPoll: %v", err)
		}
		if err := hs.RecordPoll(ctx, "insta", at(6), "token"); err != nil {
			t.Fatalf("RecordPoll: %v", err)
		}
		wantOK = at(3)
	}
	g, err := s.Gauges(ctx)
	if err != nil {
		t.Fatalf("Gauges: %v", err)
	}
	if len(g.Accounts) == 2 {
		sameTime(t, "insta LastPollOK", g.Accounts[0].LastPollOK, wantOK)
		if !g.Accounts[1].LastPollOK.IsZero() {
			t.Errorf("kommun LastPollOK: got %v, want zero (none recorded)", g.Accounts[1].LastPollOK)
		}
		g.Accounts[0].LastPollOK = time.Time{}
	}
	if got, want := [3]int{g.WorkPending, g.WorkDead, g.WebhooksPending}, [3]int{3, 1, 1}; got != want {
		t.Errorf("pending, dead, webhooks: got %v, want %v", got, want)
	}
	sameTime(t, "OldestWork", g.OldestWork, items[2].CreatedAt)
	for i := range g.Accounts {
		if g.Accounts[i].LastPollAt.IsZero() {
			t.Errorf("account %s: LastPollAt zero, want the stored time", g.Accounts[i].Key)
		}
	}
	if len(g.Accounts) == 2 {
		sameTime(t, "insta LastPollAt", g.Accounts[0].LastPollAt, at(6))
		sameTime(t, "kommun LastPollAt", g.Accounts[1].LastPollAt, at(5))
		for i := range g.Accounts {
			g.Accounts[i].LastPollAt = t0
		}
	}
	wantAccounts := []moderation.AccountGauge{
		{Key: "insta", Platform: moderation.Instagram, Status: moderation.AccountDisconnected, LastPollAt: t0, LastPollFailed: true},
		{Key: "kommun", Platform: moderation.Facebook, Status: moderation.AccountActive, LastPollAt: t0},
	}
	if !reflect.DeepEqual(g.Accounts, wantAccounts) {
		t.Errorf("accounts: got %+v, want %+v", g.Accounts, wantAccounts)
	}
	wantActions := []moderation.ActionCount{
		{Kind: moderation.ActDelete, State: moderation.ActionDone, Outcome: moderation.ActionAsAsked, N: 1},
		{Kind: moderation.ActDelete, State: moderation.ActionDone, Outcome: moderation.ActionGone, N: 1},
		{Kind: moderation.ActHide, State: moderation.ActionFailed, N: 2},
		{Kind: moderation.ActHide, State: moderation.ActionPending, N: 1},
	}
	if !reflect.DeepEqual(g.Actions, wantActions) {
		t.Errorf("actions: got %+v, want %+v", g.Actions, wantActions)
	}
	wantFailed := []moderation.ActionCount{
		{AccountKey: "insta", Kind: moderation.ActHide, State: moderation.ActionFailed, N: 1},
		{AccountKey: "kommun", Kind: moderation.ActHide, State: moderation.ActionFailed, N: 1},
	}
	if !reflect.DeepEqual(g.FailedActions, wantFailed) {
		t.Errorf("failed actions: got %+v, want %+v", g.FailedActions, wantFailed)
	}
}

func testCountVerdicts(t *testing.T, s MetricsBackend) {
	ctx := context.Background()
	if err := s.UpsertAccount(ctx, moderation.Account{Key: "insta", Platform: moderation.Instagram, PlatformID: "17841"}); err != nil {
		t.Fatalf("UpsertAccount: %v", err)
	}
	save := func(o moderation.CommentObservation, version int, v moderation.Verdict) {
		t.Helper()
		r := record(t, s, o)
		if err := s.SaveVerdict(ctx, moderation.StoredVerdict{CommentID: r.CommentID, Version: version, At: o.SeenAt, Verdict: v}); err != nil {
			t.Fatalf("SaveVerdict: %v", err)
		}
	}
	both := moderation.Verdict{Categories: []string{moderation.CatPersonalID, moderation.CatHate}, Register: true}
	save(obs("c1", "text", 1), 1, both)
	save(obs("c2", "text", 2), 1, moderation.Verdict{Question: true})
	save(obs("c3", "text", 3), 1, moderation.Verdict{Categories: []string{moderation.CatHate}})
	ig := obs("c4", "text", 4)
	ig.AccountKey, ig.PostID = "insta", "17841_1"
	save(ig, 1, moderation.Verdict{Categories: []string{moderation.CatProfanity}, Question: true})

	first, err := s.CountVerdicts(ctx, 0)
	if err != nil {
		t.Fatalf("CountVerdicts: %v", err)
	}
	want := moderation.VerdictCounts{
		Categories: map[string]map[string]int{
			"kommun": {moderation.CatPersonalID: 1, moderation.CatHate: 2, "": 1},
			"insta":  {moderation.CatProfanity: 1},
		},
		Questions: map[string]int{"kommun": 1, "insta": 1},
		Registers: map[string]int{"kommun": 1},
		Next:      first.Next,
	}
	if first.Next <= 0 || !reflect.DeepEqual(first, want) {
		t.Errorf("CountVerdicts(0): got %+v, want %+v (Next > 0)", first, want)
	}

	// Nothing new: nothing counted, the position stays.
	again, err := s.CountVerdicts(ctx, first.Next)
	if err != nil {
		t.Fatalf("CountVerdicts: %v", err)
	}
	if again.Next != first.Next || len(again.Categories) != 0 || len(again.Questions) != 0 {
		t.Errorf("CountVerdicts(next) with nothing new: got %+v, want nothing at %d", again, first.Next)
	}
	// A replaced verdict is not counted again; an edit's verdict is.
	save(obs("c1", "text", 1), 1, moderation.Verdict{Categories: []string{moderation.CatHate}})
	save(obs("c1", "text edited", 5), 2, moderation.Verdict{Register: true})
	next, err := s.CountVerdicts(ctx, first.Next)
	if err != nil {
		t.Fatalf("CountVerdicts: %v", err)
	}
	want = moderation.VerdictCounts{
		Categories: map[string]map[string]int{"kommun": {"": 1}},
		Questions:  map[string]int{},
		Registers:  map[string]int{"kommun": 1},
		Next:       next.Next,
	}
	if next.Next <= first.Next || !reflect.DeepEqual(next, want) {
		t.Errorf("CountVerdicts(%d) after an edit: got %+v, want %+v (Next > %d)", first.Next, next, want, first.Next)
	}
}
