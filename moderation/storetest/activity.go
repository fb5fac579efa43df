package storetest

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// ActivityBackend is a store with the monthly report's activity query.
type ActivityBackend interface {
	moderation.Store
	moderation.ActivityStore
}

// RunActivity runs the contract of moderation.ActivityStore. open must
// return a new, empty store whose clock (for the times a caller does not
// give: actions finished, account status changed) is now; RunActivity
// closes it.
func RunActivity(t *testing.T, open func(t *testing.T, now func() time.Time) ActivityBackend) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, open func(t *testing.T, now func() time.Time) ActivityBackend)
	}{
		{"activity/a month in the municipality's time zone, hand-counted", testActivityMonth},
		{"activity/an empty period is an error", testActivityEmptyPeriod},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

func testActivityEmptyPeriod(t *testing.T, open func(t *testing.T, now func() time.Time) ActivityBackend) {
	s := open(t, time.Now)
	t.Cleanup(func() { s.Close() })
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	if _, err := s.Activity(context.Background(), moderation.ActivityQuery{From: from, To: from}); err == nil {
		t.Errorf("Activity of an empty period: got no error, want one")
	}
}

// utc is a time in November 2026 (or around it), in UTC.
func utc(month time.Month, day, hour, minute int) time.Time {
	return time.Date(2026, month, day, hour, minute, 0, 0, time.UTC)
}

func testActivityMonth(t *testing.T, open func(t *testing.T, now func() time.Time) ActivityBackend) {
	ctx := context.Background()
	clock := utc(10, 1, 0, 0)
	s := open(t, func() time.Time { return clock })
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	for _, a := range []moderation.Account{
		{Key: "kommun", Platform: moderation.Facebook, PlatformID: "1001", Name: "Kommunen"},
		{Key: "skolan", Platform: moderation.Facebook, PlatformID: "2002", Name: "Skolan"},
		{Key: "biblioteket", Platform: moderation.Instagram, PlatformID: "3003", Name: "Biblioteket"},
	} {
		if err := s.UpsertAccount(ctx, a); err != nil {
			t.Fatalf("UpsertAccount: %v", err)
		}
	}
	comment := func(account, id, author string, created, seen time.Time) int64 {
		t.Helper()
		r, err := s.RecordComment(ctx, moderation.CommentObservation{AccountKey: account, PostID: account + "_p",
			PlatformID: id, Author: moderation.Author{ID: author}, Message: "text " + id, CreatedAt: created,
			Source: moderation.SourcePoll, SeenAt: seen})
		if err != nil {
			t.Fatalf("RecordComment(%s): %v", id, err)
		}
		return r.CommentID
	}
	// November 2026 in Stockholm is 2026-10-31 23:00 UTC to 2026-11-30 23:00 UTC.
	c1 := comment("kommun", "c1", "x", utc(10, 31, 23, 30), utc(10, 31, 23, 31)) // 1 Nov 00:30 local: day 0
	c2 := comment("kommun", "c2", "x", utc(10, 31, 22, 30), utc(10, 31, 22, 31)) // 31 Oct 23:30 local: not seen
	c3 := comment("kommun", "c3", "y", utc(11, 15, 12, 0), utc(11, 15, 12, 1))   // day 14
	c4 := comment("kommun", "c4", "y", utc(11, 30, 22, 59), utc(11, 30, 23, 0))  // 30 Nov 23:59 local: day 29
	comment("kommun", "c5", "1001", utc(11, 10, 9, 0), utc(11, 10, 9, 1))        // the account's own: not seen
	comment("kommun", "c6", "z", time.Time{}, utc(11, 20, 8, 0))                 // no platform time: seen 20 Nov, day 19
	comment("skolan", "s1", "x", utc(11, 30, 23, 0), utc(11, 30, 23, 1))         // 1 Dec 00:00 local: not seen
	s2 := comment("skolan", "s2", "x", utc(11, 5, 9, 0), utc(11, 5, 9, 1))       // day 4
	c7 := comment("kommun", "c7", "y", utc(10, 20, 9, 0), utc(10, 20, 9, 1))     // October

	open1 := func(id int64, account string, cats []string, at time.Time) moderation.Case {
		t.Helper()
		c, _, err := s.OpenCase(ctx, moderation.Case{CommentID: id, Version: 1, AccountKey: account,
			State: moderation.CaseOpen, Categories: cats, OpenedAt: at})
		if err != nil {
			t.Fatalf("OpenCase(%d): %v", id, err)
		}
		return c
	}
	k1 := open1(c1, "kommun", []string{moderation.CatHarassment, moderation.CatProfanity}, utc(11, 1, 1, 0)) // day 0
	k2 := open1(c3, "kommun", []string{moderation.CatHarassment}, utc(11, 15, 13, 0))                        // day 14
	k3 := open1(c2, "kommun", []string{moderation.CatHate}, utc(10, 31, 22, 45))                             // October
	k4 := open1(s2, "skolan", []string{moderation.CatAdvertising}, utc(11, 5, 10, 0))                        // day 4
	open1(c4, "kommun", []string{moderation.CatHate}, utc(11, 30, 23, 30))                                   // flagged the next morning: counts in November
	open1(c7, "kommun", []string{moderation.CatCopyright}, utc(11, 10, 9, 0))                                // an October comment flagged in November: counts in October

	decide := func(c moderation.Case, kind string, from moderation.CaseState, to moderation.CaseState, at time.Time) {
		t.Helper()
		if _, err := s.RecordDecision(ctx, moderation.Decision{CaseID: c.ID, Kind: kind, By: "granskare", Surface: "web", At: at},
			[]moderation.CaseState{from}, to); err != nil {
			t.Fatalf("RecordDecision(%d, %s): %v", c.ID, kind, err)
		}
	}
	decide(k1, moderation.DecideKeep, moderation.CaseOpen, moderation.CaseKept, utc(11, 1, 3, 0))           // 2 h
	decide(k2, moderation.DecideRemove, moderation.CaseOpen, moderation.CaseApproved, utc(11, 15, 14, 30))  // 1 h 30
	decide(k3, moderation.DecideRemove, moderation.CaseOpen, moderation.CaseApproved, utc(11, 2, 22, 45))   // 48 h, opened in October
	decide(k4, moderation.DecideEscalate, moderation.CaseOpen, moderation.CaseEscalated, utc(11, 5, 11, 0)) // not a decision that ends review
	decide(k4, moderation.DecideKeep, moderation.CaseEscalated, moderation.CaseKept, utc(11, 6, 10, 0))     // 24 h

	act := func(id int64, c moderation.Case, kind, state string, at time.Time) {
		t.Helper()
		a, _, err := s.EnqueueAction(ctx, moderation.Action{CommentID: id, CaseID: c.ID, Kind: kind, CreatedAt: at})
		if err != nil {
			t.Fatalf("EnqueueAction(%d, %s): %v", id, kind, err)
		}
		clock = at
		if err := s.FinishAction(ctx, a.ID, state, "", ""); err != nil {
			t.Fatalf("FinishAction(%d, %s): %v", id, kind, err)
		}
	}
	act(c3, k2, moderation.ActDelete, moderation.ActionDone, utc(11, 15, 15, 0))              // removed
	act(c2, k3, moderation.ActDelete, moderation.ActionDone, utc(11, 3, 8, 0))                // removed (case from October)
	act(c1, moderation.Case{}, moderation.ActHide, moderation.ActionDone, utc(11, 1, 0, 40))  // hidden ...
	act(c1, moderation.Case{}, moderation.ActUnhide, moderation.ActionDone, utc(11, 1, 3, 5)) // ... and shown again: not removed
	act(s2, k4, moderation.ActDelete, moderation.ActionFailed, utc(11, 6, 10, 30))            // failed: not removed

	for _, e := range []moderation.RegisterEntry{
		{CommentID: c3, CaseID: k2.ID, Reason: "removed", CreatedAt: utc(11, 15, 15, 5)},
		{CommentID: c2, CaseID: k3.ID, Reason: "removed", CreatedAt: utc(10, 31, 12, 0)}, // October
	} {
		if _, err := s.CreateRegisterEntry(ctx, e, func(year, seq int) string { return fmt.Sprintf("KS %d/%d", year, seq) }); err != nil {
			t.Fatalf("CreateRegisterEntry: %v", err)
		}
	}

	for _, p := range []moderation.Post{
		{AccountKey: "kommun", PlatformID: "1001_own1", Author: moderation.Author{ID: "1001"}, CreatedAt: utc(11, 3, 9, 0)},
		{AccountKey: "kommun", PlatformID: "1001_visitor", Author: moderation.Author{ID: "x"}, CreatedAt: utc(11, 20, 9, 0)},
		{AccountKey: "kommun", PlatformID: "1001_own2", Author: moderation.Author{ID: "1001"}, CreatedAt: utc(12, 2, 9, 0)}, // after the month
	} {
		if _, err := s.SavePost(ctx, p); err != nil {
			t.Fatalf("SavePost(%s): %v", p.PlatformID, err)
		}
	}

	clock = utc(11, 25, 6, 0)
	if err := s.SetAccountStatus(ctx, "skolan", moderation.AccountDisconnected, "token rejected"); err != nil {
		t.Fatalf("SetAccountStatus: %v", err)
	}
	for _, e := range []moderation.AuditEntry{
		{At: utc(10, 15, 8, 0), Actor: "uppsikt", Action: "slack.account_disconnected", Subject: "kommun"}, // October
		{At: utc(11, 12, 8, 0), Actor: "uppsikt", Action: moderation.AuditAccountReconnected, Subject: "biblioteket"},
	} {
		if _, err := s.AppendAudit(ctx, e); err != nil {
			t.Fatalf("AppendAudit: %v", err)
		}
	}

	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatalf("LoadLocation: %v", err)
	}
	got, err := s.Activity(ctx, moderation.ActivityQuery{
		From: time.Date(2026, 11, 1, 0, 0, 0, 0, loc), To: time.Date(2026, 12, 1, 0, 0, 0, 0, loc), Location: loc})
	if err != nil {
		t.Fatalf("Activity: %v", err)
	}
	days := func(at map[int]int) []int {
		d := make([]int, 30)
		for i, n := range at {
			d[i] = n
		}
		return d
	}
	want := []moderation.AccountActivity{
		{Seen: 0, FlaggedBy: map[string]int{}, SeenPerDay: days(nil), FlaggedPerDay: days(nil),
			Disconnected: true},
		{Seen: 4, Flagged: 3, FlaggedBy: map[string]int{moderation.CatHarassment: 2, moderation.CatProfanity: 1, moderation.CatHate: 1},
			Removed: 2, Kept: 1, Registered: 1,
			ReviewTimes: []time.Duration{90 * time.Minute, 2 * time.Hour, 48 * time.Hour},
			SeenPerDay:  days(map[int]int{0: 1, 14: 1, 19: 1, 29: 1}), FlaggedPerDay: days(map[int]int{0: 1, 14: 1, 29: 1}),
			LastOwnPost: utc(11, 3, 9, 0)},
		{Seen: 1, Flagged: 1, FlaggedBy: map[string]int{moderation.CatAdvertising: 1}, Kept: 1,
			ReviewTimes: []time.Duration{24 * time.Hour},
			SeenPerDay:  days(map[int]int{4: 1}), FlaggedPerDay: days(map[int]int{4: 1}),
			Disconnected: true, DisconnectedAt: utc(11, 25, 6, 0)},
	}
	if len(got) != len(want) {
		t.Fatalf("Activity: got %d accounts, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		key := g.Account.Key
		if wantKey := []string{"biblioteket", "kommun", "skolan"}[i]; key != wantKey {
			t.Errorf("account %d: got %s, want %s", i, key, wantKey)
		}
		for _, c := range []struct {
			what      string
			got, want any
		}{
			{"seen", g.Seen, w.Seen}, {"flagged", g.Flagged, w.Flagged}, {"flagged by category", g.FlaggedBy, w.FlaggedBy},
			{"removed", g.Removed, w.Removed}, {"kept", g.Kept, w.Kept}, {"registered", g.Registered, w.Registered},
			{"review times", g.ReviewTimes, w.ReviewTimes}, {"seen per day", g.SeenPerDay, w.SeenPerDay},
			{"flagged per day", g.FlaggedPerDay, w.FlaggedPerDay}, {"disconnected", g.Disconnected, w.Disconnected},
		} {
			if !reflect.DeepEqual(c.got, c.want) {
				t.Errorf("%s: %s: got %v, want %v", key, c.what, c.got, c.want)
			}
		}
		sameTime(t, key+": last own post", g.LastOwnPost, w.LastOwnPost)
		sameTime(t, key+": disconnected at", g.DisconnectedAt, w.DisconnectedAt)
	}
}
