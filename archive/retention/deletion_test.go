package retention

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/removal"
)

// platform holds a set of live posts and counts the deletions that reached
// it; its DeletePost is handed to the remover as a platform's call. The platforms themselves (Graph API over HTTP
// against the emulator) are tested in bot/facebook and end to end in
// cmd/uppsikt; this one lets the tests here stop between the steps.
type platform struct {
	mu      sync.Mutex
	live    map[string]bool
	calls   int
	deleted int
	fail    error
	manual  bool
}

func (p *platform) DeletePost(_ context.Context, _ moderation.Account, id string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if p.manual {
		return fmt.Errorf("media %s: %w", id, moderation.ErrManualRemoval)
	}
	if p.fail != nil {
		return p.fail
	}
	if !p.live[id] {
		return fmt.Errorf("post %s: %w", id, removal.ErrGone) // as Graph 100/33 answers
	}
	p.deleted++
	delete(p.live, id)
	return nil
}

func (p *platform) PostGone(_ context.Context, _ moderation.Account, id string) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return !p.live[id], nil
}

func deletionRig(t *testing.T) (*sqlite.Store, *platform, *Deleter) {
	t.Helper()
	st := openStore(t)
	ctx := context.Background()
	p := &platform{live: map[string]bool{}}
	for _, id := range []string{"post-3y", "post-1y", "post-4y"} {
		created := now.AddDate(-3, 0, 0)
		switch id {
		case "post-1y":
			created = now.AddDate(-1, 0, 0)
		case "post-4y":
			created = now.AddDate(-4, 0, 0)
		}
		if _, err := st.SavePost(ctx, moderation.Post{AccountKey: "fb", PlatformID: id, Author: moderation.Author{ID: "page-fb"},
			CreatedAt: created, Raw: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
		p.live[id] = true
	}
	clock := func() time.Time { return now }
	gate := removal.New(removal.Options{Store: st, Posts: st, Now: clock,
		Calls: map[moderation.Platform]removal.Calls{moderation.Facebook: removal.NewCalls(nil, nil, p.DeletePost)}})
	d := &Deleter{Store: st, Gate: gate, Platforms: map[moderation.Platform]moderation.PostChecker{moderation.Facebook: p}, Now: clock}
	return st, p, d
}

// approvedObjection stores an approved objection to the post with its
// evidence, as archive/objection leaves one before the deletion.
func approvedObjection(t *testing.T, st *sqlite.Store, postID string) int64 {
	t.Helper()
	ctx := context.Background()
	o, err := st.AddObjection(ctx, moderation.Objection{AccountKey: "fb", PostID: postID, Person: "Mette", Reason: "mit barn", ReceivedAt: now}, "indsigelse", nil)
	if err != nil {
		t.Fatal(err)
	}
	o.State, o.DecidedBy, o.DecidedAt = moderation.ObjectionApproved, "chef", now
	o.EvidencePath, o.EvidenceSHA256, o.EvidenceSize, o.EvidenceKind, o.EvidenceAt = "ab/abcd.pdf", "abcd", 4, "pdf", now
	if _, err := st.UpdateObjection(ctx, o, moderation.ObjectionReceived); err != nil {
		t.Fatal(err)
	}
	return o.ID
}

func snapshotYear(t *testing.T, st *sqlite.Store, y int) {
	t.Helper()
	from := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := st.RecordSnapshot(context.Background(), moderation.SnapshotRecord{AccountKey: "fb", Kind: moderation.SnapshotYearly,
		From: from, To: from.AddDate(1, 0, 0), Path: fmt.Sprintf("%d.pdf", y), SHA256: "aa", CreatedAt: from.AddDate(1, 0, 10)}); err != nil {
		t.Fatal(err)
	}
}

func audits(t *testing.T, st *sqlite.Store, action string) int {
	t.Helper()
	es, err := st.AuditLog(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if e.Action == action {
			n++
		}
	}
	return n
}

func TestApproveNeedsSnapshot(t *testing.T) {
	st, p, d := deletionRig(t)
	ctx := context.Background()
	if _, err := d.Approve(ctx, "fb", "post-3y", "arkivarie"); !errors.Is(err, ErrNotInSnapshot) {
		t.Errorf("approve before the snapshot: got %v, want ErrNotInSnapshot", err)
	}
	if _, err := d.Approve(ctx, "fb", "post-1y", "arkivarie"); !errors.Is(err, ErrNotOverdue) {
		t.Errorf("approve a young post: got %v, want ErrNotOverdue", err)
	}
	if list, _ := st.PostDeletions(ctx, ""); len(list) != 0 || p.calls != 0 {
		t.Errorf("after refused approvals: got %d deletions, %d calls; want none", len(list), p.calls)
	}
	snapshotYear(t, st, now.AddDate(-3, 0, 0).Year())
	del, err := d.Approve(ctx, "fb", "post-3y", "arkivarie")
	if err != nil || del.State != moderation.DeletionPending || del.SnapshotID == 0 {
		t.Fatalf("approve after the snapshot: got %+v, %v; want pending with its snapshot", del, err)
	}
	if p.calls != 0 {
		t.Errorf("approval alone called the platform %d times, want 0", p.calls)
	}
	again, err := d.Approve(ctx, "fb", "post-3y", "någon")
	if err != nil || again.ID != del.ID {
		t.Errorf("second approval: got %+v, %v; want the first deletion", again, err)
	}
	if n := audits(t, st, "own_post.deletion_approved"); n != 1 {
		t.Errorf("approval audit entries: got %d, want 1", n)
	}
	got, err := d.Execute(ctx, del.ID)
	if err != nil || got.State != moderation.DeletionDone || got.Attempts != 1 || p.deleted != 1 || p.live["post-3y"] {
		t.Errorf("Execute: got %+v, %v, %d deleted; want done after 1 attempt", got, err, p.deleted)
	}
	if n := audits(t, st, removal.AuditDone); n != 1 {
		t.Errorf("deletion audit entries: got %d, want 1", n)
	}
}

func TestApproveAllDue(t *testing.T) {
	st, p, d := deletionRig(t)
	ctx := context.Background()
	snapshotYear(t, st, now.AddDate(-4, 0, 0).Year())
	dels, skipped, err := d.ApproveAllDue(ctx, "fb", "arkivarie")
	if err != nil {
		t.Fatal(err)
	}
	if len(dels) != 1 || dels[0].PostID != "post-4y" || len(skipped) != 1 || skipped[0].Post.PlatformID != "post-3y" {
		t.Errorf("ApproveAllDue: got %v approved, %v skipped; want post-4y approved, post-3y skipped (no snapshot)", dels, skipped)
	}
	out, err := d.ExecutePending(ctx)
	if err != nil || len(out) != 1 || out[0].State != moderation.DeletionDone || p.live["post-4y"] || !p.live["post-3y"] {
		t.Errorf("ExecutePending: got %+v, %v; want post-4y deleted and post-3y kept", out, err)
	}
}

// TestCrashBetweenStoreAndCall: a deletion stored (or even started) but
// never finished is carried out once by ExecutePending; a deletion that
// reached the platform before the crash is repeated safely.
func TestCrashBetweenStoreAndCall(t *testing.T) {
	st, p, d := deletionRig(t)
	ctx := context.Background()
	snapshotYear(t, st, now.AddDate(-3, 0, 0).Year())
	snapshotYear(t, st, now.AddDate(-4, 0, 0).Year())
	a, _ := d.Approve(ctx, "fb", "post-3y", "arkivarie") // crash right after the approval
	b, _ := d.Approve(ctx, "fb", "post-4y", "arkivarie")
	if _, err := st.StartPostDeletion(ctx, b.ID, now); err != nil { // crash after the platform call
		t.Fatal(err)
	}
	p.DeletePost(ctx, moderation.Account{}, "post-4y")
	p.calls, p.deleted = 0, 0

	out, err := d.ExecutePending(ctx)
	if err != nil || len(out) != 2 {
		t.Fatalf("ExecutePending: %v, %d", err, len(out))
	}
	for _, del := range out {
		if del.State != moderation.DeletionDone {
			t.Errorf("%s: got %s, want deleted", del.PostID, del.State)
		}
	}
	if p.calls != 2 || p.deleted != 1 {
		t.Errorf("platform: got %d calls, %d deletions; want 2 calls, 1 deletion (the other was already gone)", p.calls, p.deleted)
	}
	if got, _ := st.PostDeletion(ctx, b.ID); got.Attempts != 2 {
		t.Errorf("attempts of the deletion sent before the crash: got %d, want 2", got.Attempts)
	}
	if got, _ := st.PostDeletion(ctx, a.ID); got.Attempts != 1 {
		t.Errorf("attempts of the deletion stored before the crash: got %d, want 1", got.Attempts)
	}
	if out, _ := d.ExecutePending(ctx); len(out) != 0 || p.calls != 2 {
		t.Errorf("a second run: got %d deletions, %d calls; want nothing more", len(out), p.calls)
	}
}

func TestExecuteGuardsAndOutcomes(t *testing.T) {
	tests := []struct {
		name      string
		reason    string
		guard     Guard
		fail      error
		manual    bool
		unproven  bool // no approved objection with evidence behind the deletion
		wantState moderation.PostDeletionState
		wantCalls int
		wantErr   bool
	}{
		{name: "objection without a guard is never sent", reason: moderation.DeletionObjection,
			wantState: moderation.DeletionFailed, wantErr: true},
		{name: "objection whose guard refuses", reason: moderation.DeletionObjection,
			guard:     func(context.Context, moderation.PostDeletion) error { return errors.New("no evidence") },
			wantState: moderation.DeletionFailed, wantErr: true},
		{name: "objection whose guard allows", reason: moderation.DeletionObjection,
			guard:     func(context.Context, moderation.PostDeletion) error { return nil },
			wantState: moderation.DeletionDone, wantCalls: 1},
		{name: "objection the guard allows without a receipt is never sent", reason: moderation.DeletionObjection,
			guard: func(context.Context, moderation.PostDeletion) error { return nil }, unproven: true,
			wantState: moderation.DeletionFailed, wantErr: true},
		{name: "platform error leaves it pending", reason: moderation.DeletionObjection,
			guard: func(context.Context, moderation.PostDeletion) error { return nil }, fail: errors.New("timeout"),
			wantState: moderation.DeletionPending, wantCalls: 1, wantErr: true},
		{name: "manual removal", reason: moderation.DeletionObjection,
			guard: func(context.Context, moderation.PostDeletion) error { return nil }, manual: true,
			wantState: moderation.DeletionManual, wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, p, d := deletionRig(t)
			ctx := context.Background()
			p.fail, p.manual = tt.fail, tt.manual
			if tt.guard != nil {
				d.Guards = map[string]Guard{tt.reason: tt.guard}
			}
			objection := approvedObjection(t, st, "post-1y")
			if tt.unproven {
				objection = 0
			}
			del, err := d.Request(ctx, moderation.PostDeletion{AccountKey: "fb", PostID: "post-1y", Reason: tt.reason, ObjectionID: objection, ApprovedBy: "chef"})
			if err != nil {
				t.Fatal(err)
			}
			got, err := d.Execute(ctx, del.ID)
			if (err != nil) != tt.wantErr {
				t.Errorf("Execute error: got %v, want error %v", err, tt.wantErr)
			}
			if got.State != tt.wantState || p.calls != tt.wantCalls {
				t.Errorf("got %s after %d calls, want %s after %d", got.State, p.calls, tt.wantState, tt.wantCalls)
			}
			if tt.manual && got.Note == "" {
				t.Errorf("manual removal without an instruction")
			}
		})
	}
}

func TestConfirmManual(t *testing.T) {
	st, p, d := deletionRig(t)
	ctx := context.Background()
	snapshotYear(t, st, now.AddDate(-3, 0, 0).Year())
	p.manual = true
	del, err := d.Approve(ctx, "fb", "post-3y", "arkivarie")
	if err != nil {
		t.Fatal(err)
	}
	if del, _ = d.Execute(ctx, del.ID); del.State != moderation.DeletionManual {
		t.Fatalf("Execute: got %s, want manual", del.State)
	}
	got, err := d.ConfirmManual(ctx, "fb")
	if err != nil || len(got) != 0 {
		t.Errorf("ConfirmManual while the post is there: got %d, %v; want none confirmed", len(got), err)
	}
	delete(p.live, "post-3y") // a person removed it in the app
	got, err = d.ConfirmManual(ctx, "")
	if err != nil || len(got) != 1 || got[0].State != moderation.DeletionDone {
		t.Errorf("ConfirmManual after the removal: got %+v, %v; want it done", got, err)
	}
	if n := audits(t, st, "own_post.removed_by_hand"); n != 1 {
		t.Errorf("audit entries: got %d, want 1", n)
	}
}

func TestRetentionGuardRecheckedBeforeCall(t *testing.T) {
	st, p, d := deletionRig(t)
	ctx := context.Background()
	snapshotYear(t, st, now.AddDate(-3, 0, 0).Year())
	del, err := d.Approve(ctx, "fb", "post-3y", "arkivarie")
	if err != nil {
		t.Fatal(err)
	}
	// The plan changed before the deletion ran: the post is no longer overdue.
	d.Plan.OwnPostMonths = 60
	got, err := d.Execute(ctx, del.ID)
	if !errors.Is(err, ErrNotOverdue) || got.State != moderation.DeletionFailed || p.calls != 0 {
		t.Errorf("Execute after the plan changed: got %s, %v, %d calls; want failed with ErrNotOverdue, no call", got.State, err, p.calls)
	}
}
