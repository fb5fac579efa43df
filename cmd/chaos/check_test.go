package chaos

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/bot/emulator"
	"github.com/uppsikt/uppsikt/moderation"
)

var t0 = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// world is a store and the emulator state that agree: one plain comment
// (c1, edited once, both texts delivered), one with an identity number (c2)
// documented, hidden, approved and deleted, with the reply to its author.
type world struct {
	st    *sqlite.Store
	state emulator.State
	c2    int64
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "u.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.UpsertAccount(ctx, moderation.Account{Key: "fb", Platform: moderation.Facebook, PlatformID: "100", Name: "Kommun"}); err != nil {
		t.Fatal(err)
	}
	rec := func(id, text string, at time.Time) moderation.IngestResult {
		r, err := st.RecordComment(ctx, moderation.CommentObservation{AccountKey: "fb", PostID: "100_1", PlatformID: id,
			Author: moderation.Author{ID: "u", Name: "N"}, Message: text, CreatedAt: t0, Source: moderation.SourceWebhook, SeenAt: at})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	rec("c1", "hej", t0)
	rec("c1", "hej igen", t0.Add(time.Minute))
	c2 := rec("c2", "personnummer 811218-9876", t0)
	work, _ := st.PendingWork(ctx, t0.Add(time.Hour), 100)
	for _, w := range work {
		if err := st.CompleteWork(ctx, w.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SaveVerdict(ctx, moderation.StoredVerdict{CommentID: c2.CommentID, Version: 1, At: t0,
		Verdict: moderation.Verdict{Categories: []string{moderation.CatPersonalID}}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.OpenCase(ctx, moderation.Case{CommentID: c2.CommentID, Version: 1, AccountKey: "fb", State: moderation.CaseOpen,
		Categories: []string{moderation.CatPersonalID}, OpenedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddEvidence(ctx, moderation.EvidenceFile{CommentID: c2.CommentID, Kind: "pdf", SHA256: "ab", Path: "ab.pdf", Size: 1,
		CreatedAt: t0.Add(time.Second), Version: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordStateChange(ctx, moderation.StateChange{AccountKey: "fb", PlatformID: "c2", State: moderation.StateDeleted,
		At: t0.Add(time.Minute), Source: moderation.SourceAction}); err != nil {
		t.Fatal(err)
	}
	// The explanation to c2's author, recorded by its action.
	exp, _, err := st.EnqueueAction(ctx, moderation.Action{CommentID: c2.CommentID, Kind: moderation.ActReply, CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.FinishAction(ctx, exp.ID, moderation.ActionDone, "r1", ""); err != nil {
		t.Fatal(err)
	}
	sha := func(s string) string { return moderation.VersionHash(s) }
	state := emulator.State{
		Accounts: []emulator.StateAccount{{Platform: "facebook", ID: "100", Name: "Kommun", Posts: []emulator.StatePost{{ID: "100_1",
			Comments: []emulator.StateComment{
				{ID: "c1", Message: "hej igen", Texts: []string{"hej", "hej igen"}, Edits: 1},
				{ID: "c2", Message: "personnummer 811218-9876", Deleted: true, DeletedBy: "page", Labels: []string{"personal_id"}},
			}}}}},
		Actions: []emulator.Action{
			{Time: t0.Add(2 * time.Second), Kind: "hide", ObjectID: "c2", Account: "100"},
			{Time: t0.Add(55 * time.Second), Kind: "delete", ObjectID: "c2", Account: "100"},
			{Time: t0.Add(58 * time.Second), Kind: "comment", ObjectID: "100_1", Account: "100", NewID: "r1", Message: "N: borttagen"},
		},
		Deliveries: []emulator.Delivery{
			{OK: true, Item: "comment", Verb: "add", ObjectID: "c1", Account: "100", TextSHA256: sha("hej"), Event: 1},
			{OK: true, Item: "comment", Verb: "edited", ObjectID: "c1", Account: "100", TextSHA256: sha("hej igen"), Event: 2},
			{OK: false, Item: "comment", Verb: "edited", ObjectID: "c1", Account: "100", TextSHA256: sha("never acknowledged"), Event: 3},
		},
	}
	return &world{st: st, state: state, c2: c2.CommentID}
}

func (w *world) check(t *testing.T) Report {
	t.Helper()
	r, err := Check(context.Background(), Input{State: w.state, Store: w.st, Keys: map[string]string{"100": "fb"},
		HideThenReview: []string{moderation.CatPersonalID}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCheck(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		change func(t *testing.T, w *world)
		want   func(r Report) int // the counter that must be 1
		detail string
	}{
		{"nothing wrong", func(*testing.T, *world) {}, nil, ""},
		{"comment not stored", func(t *testing.T, w *world) {
			p := &w.state.Accounts[0].Posts[0]
			p.Comments = append(p.Comments, emulator.StateComment{ID: "c3", Message: "ny"})
		}, func(r Report) int { return r.Lost }, "c3"},
		{"latest text not stored", func(t *testing.T, w *world) {
			w.state.Accounts[0].Posts[0].Comments[0].Message = "hej för tredje gången"
		}, func(r Report) int { return r.Lost }, "latest stored version"},
		{"hidden on the platform, visible in the store", func(t *testing.T, w *world) {
			w.state.Accounts[0].Posts[0].Comments[0].Hidden = true
		}, func(r Report) int { return r.Lost }, "hidden on the platform"},
		{"flagged without a case", func(t *testing.T, w *world) {
			c, _ := w.st.CommentByPlatformID(ctx, "fb", "c1")
			if err := w.st.SaveVerdict(ctx, moderation.StoredVerdict{CommentID: c.ID, Version: 2, At: t0,
				Verdict: moderation.Verdict{Categories: []string{moderation.CatHarassment}}}); err != nil {
				t.Fatal(err)
			}
		}, func(r Report) int { return r.Lost }, "0 review cases"},
		{"acknowledged text not stored", func(t *testing.T, w *world) {
			w.state.Deliveries = append(w.state.Deliveries, emulator.Delivery{OK: true, Item: "comment", Verb: "edited", ObjectID: "c1",
				Account: "100", TextSHA256: moderation.VersionHash("en mellanversion"), Event: 4})
		}, func(r Report) int { return r.VersionsLost }, "event 4"},
		{"explanation sent twice", func(t *testing.T, w *world) {
			w.state.Actions = append(w.state.Actions, emulator.Action{Time: t0.Add(57 * time.Second), Kind: "comment", ObjectID: "100_1", Account: "100", NewID: "r0", Message: "N: borttagen"})
		}, func(r Report) int { return r.DuplicateActions }, "comment on 100_1 (r0)"},
		{"private reply sent twice", func(t *testing.T, w *world) {
			w.state.Actions = append(w.state.Actions,
				emulator.Action{Time: t0.Add(50 * time.Second), Kind: "private_reply", ObjectID: "c2", Account: "100"},
				emulator.Action{Time: t0.Add(51 * time.Second), Kind: "private_reply", ObjectID: "c2", Account: "100"})
		}, func(r Report) int { return r.DuplicateActions }, "private_reply of c2"},
		{"hide of a hidden comment", func(t *testing.T, w *world) {
			w.state.Actions = append(w.state.Actions, emulator.Action{Time: t0.Add(3 * time.Second), Kind: "hide", ObjectID: "c2", Account: "100"})
		}, func(r Report) int { return r.DuplicateActions }, "already hidden"},
		{"hide before the evidence", func(t *testing.T, w *world) {
			w.state.Actions[0].Time = t0.Add(time.Second / 2)
		}, func(r Report) int { return r.BeforeEvidence }, "hide of c2"},
		{"delete after an edit, with the old version's evidence only", func(t *testing.T, w *world) {
			if _, err := w.st.RecordComment(ctx, moderation.CommentObservation{AccountKey: "fb", PostID: "100_1", PlatformID: "c2",
				Message: "redigerad", CreatedAt: t0, Source: moderation.SourcePoll, SeenAt: t0.Add(30 * time.Second)}); err != nil {
				t.Fatal(err)
			}
			work, _ := w.st.PendingWork(ctx, t0.Add(time.Hour), 100)
			for _, it := range work {
				w.st.CompleteWork(ctx, it.ID)
			}
			w.state.Accounts[0].Posts[0].Comments[1].Texts = []string{"personnummer 811218-9876", "redigerad"}
			w.state.Accounts[0].Posts[0].Comments[1].Message = "redigerad"
		}, func(r Report) int { return r.BeforeEvidence }, "version 2"},
		{"work left in the queue", func(t *testing.T, w *world) {
			if _, err := w.st.RecordComment(ctx, moderation.CommentObservation{AccountKey: "fb", PostID: "100_1", PlatformID: "c1",
				Message: "hej igen", CreatedAt: t0, Source: moderation.SourcePoll, SeenAt: t0}); err != nil {
				t.Fatal(err)
			}
			c, _ := w.st.CommentByPlatformID(ctx, "fb", "c1")
			if _, _, err := w.st.EnqueueAction(ctx, moderation.Action{CommentID: c.ID, Kind: moderation.ActHide, CreatedAt: t0}); err != nil {
				t.Fatal(err)
			}
		}, func(r Report) int { return r.Stalled }, "platform actions pending"},
		{"identity number still visible", func(t *testing.T, w *world) {
			r, err := w.st.RecordComment(ctx, moderation.CommentObservation{AccountKey: "fb", PostID: "100_1", PlatformID: "c4",
				Message: "mitt personnummer 811218-9876", CreatedAt: t0, Source: moderation.SourcePoll, SeenAt: t0})
			if err != nil {
				t.Fatal(err)
			}
			work, _ := w.st.PendingWork(ctx, t0.Add(time.Hour), 100)
			for _, it := range work {
				w.st.CompleteWork(ctx, it.ID)
			}
			if err := w.st.SaveVerdict(ctx, moderation.StoredVerdict{CommentID: r.CommentID, Version: 1, At: t0,
				Verdict: moderation.Verdict{Categories: []string{moderation.CatPersonalID}}}); err != nil {
				t.Fatal(err)
			}
			if _, _, err := w.st.OpenCase(ctx, moderation.Case{CommentID: r.CommentID, Version: 1, AccountKey: "fb", State: moderation.CaseOpen,
				Categories: []string{moderation.CatPersonalID}, OpenedAt: t0}); err != nil {
				t.Fatal(err)
			}
			p := &w.state.Accounts[0].Posts[0]
			p.Comments = append(p.Comments, emulator.StateComment{ID: "c4", Message: "mitt personnummer 811218-9876"})
		}, func(r Report) int { return r.Stalled }, "still visible"},
		{"the page's own identity number waits for the reviewer", func(t *testing.T, w *world) {
			// Facebook does not let a page hide its own comment.
			r, err := w.st.RecordComment(ctx, moderation.CommentObservation{AccountKey: "fb", PostID: "100_1", PlatformID: "c5",
				Author: moderation.Author{ID: "100", Name: "Kommun"}, Message: "ditt personnummer 811218-9876", CreatedAt: t0,
				Source: moderation.SourcePoll, SeenAt: t0})
			if err != nil {
				t.Fatal(err)
			}
			work, _ := w.st.PendingWork(ctx, t0.Add(time.Hour), 100)
			for _, it := range work {
				w.st.CompleteWork(ctx, it.ID)
			}
			if err := w.st.SaveVerdict(ctx, moderation.StoredVerdict{CommentID: r.CommentID, Version: 1, At: t0,
				Verdict: moderation.Verdict{Categories: []string{moderation.CatPersonalID}, Own: true}}); err != nil {
				t.Fatal(err)
			}
			if _, _, err := w.st.OpenCase(ctx, moderation.Case{CommentID: r.CommentID, Version: 1, AccountKey: "fb", State: moderation.CaseOpen,
				Categories: []string{moderation.CatPersonalID}, OpenedAt: t0}); err != nil {
				t.Fatal(err)
			}
			p := &w.state.Accounts[0].Posts[0]
			p.Comments = append(p.Comments, emulator.StateComment{ID: "c5", ByPage: true, Message: "ditt personnummer 811218-9876"})
		}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			tt.change(t, w)
			r := w.check(t)
			got := r.Failures()
			if tt.want == nil {
				if got != 0 {
					t.Fatalf("failures = %d, want 0:\n%s", got, strings.Join(r.Details, "\n"))
				}
				return
			}
			if n := tt.want(r); n != 1 || got != 1 {
				t.Errorf("counter = %d of %d failures, want exactly 1:\n%s", n, got, strings.Join(r.Details, "\n"))
			}
			if !strings.Contains(strings.Join(r.Details, "\n"), tt.detail) {
				t.Errorf("details lack %q:\n%s", tt.detail, strings.Join(r.Details, "\n"))
			}
		})
	}
}
