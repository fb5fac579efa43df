package main

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/bot/act"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/decide"
)

// undoRig is the action rig with an approved-removal case and the decision
// service on the rig's clock, with the configured grace.
type undoRig struct {
	*actRig
	dec       *decide.Service
	cs        moderation.Case
	platform  string // the comment's platform id
	commentID int64
}

func newUndoRig(t *testing.T) *undoRig {
	t.Helper()
	r := &undoRig{actRig: newActRig(t)}
	ctx := context.Background()
	r.platform, r.commentID = r.add(t, "Du är en jävla idiot")
	if err := r.ev.Document(ctx, r.commentID, 0, ""); err != nil {
		t.Fatal(err)
	}
	now := r.clock.Now()
	var err error
	if r.cs, _, err = r.st.OpenCase(ctx, moderation.Case{CommentID: r.commentID, Version: 1, Categories: []string{moderation.CatHarassment}, OpenedAt: now}); err != nil {
		t.Fatal(err)
	}
	r.dec = decide.New(decide.Options{Store: r.st, Grace: r.cfg.Review.UndoGrace.D(), Now: r.clock.Now})
	return r
}

func (r *undoRig) decide(t *testing.T, kind string) (decide.Outcome, error) {
	t.Helper()
	return r.dec.Decide(context.Background(), decide.Request{CaseID: r.cs.ID, Kind: kind, By: "moderator", Role: moderation.RoleModerator, Surface: decide.SurfaceWeb})
}

// settle runs the executor the way Run does, a few seconds apart, for d.
func (r *undoRig) settle(t *testing.T, d time.Duration) {
	t.Helper()
	for end := r.clock.Now().Add(d); r.clock.Now().Before(end); r.clock.Advance(2 * time.Second) {
		r.drain(t)
	}
}

func (r *undoRig) state(t *testing.T) moderation.CaseState {
	t.Helper()
	c, err := r.st.Case(context.Background(), r.cs.ID)
	if err != nil {
		t.Fatal(err)
	}
	return c.State
}

// TestGraceThenRemoval: an approved removal is carried out only after the
// configured grace (default one minute), and soon after it: the executor
// follows again when the grace it saw ends, not only every 30 seconds.
func TestGraceThenRemoval(t *testing.T) {
	r := newUndoRig(t)
	if got, want := r.cfg.Review.UndoGrace.D(), time.Minute; got != want {
		t.Fatalf("configured grace: got %s, want the default %s", got, want)
	}
	approvedAt := r.clock.Now()
	out, err := r.decide(t, moderation.DecideRemove)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := out.UndoUntil, approvedAt.Add(time.Minute); !got.Equal(want) {
		t.Errorf("UndoUntil: got %v, want %v", got, want)
	}
	if len(out.Actions) != 0 || out.Register != nil {
		t.Errorf("on approval: got %d actions and register %v, want nothing until the grace has passed", len(out.Actions), out.Register)
	}
	r.settle(t, 58*time.Second)
	if got := r.platformActions(r.platform); len(got) != 0 {
		t.Fatalf("within the grace the platform got %v, want nothing", got)
	}
	r.settle(t, 10*time.Second)
	if got := strings.Join(r.platformActions(r.platform), ","); got != "delete" {
		t.Errorf("8 s after the grace: platform actions on the comment %q, want delete", got)
	}
	if _, made, ok := explanation(r.emu.State(""), r.platform); !ok || made.ID == "" || made.Gone {
		t.Errorf("8 s after the grace: explanation %+v (found %v), want one after the deletion, still visible", made, ok)
	}
	entries, _ := r.st.RegisterEntries(context.Background(), r.clock.Now().UTC().Year())
	if len(entries) != 1 || entries[0].CaseID != r.cs.ID {
		t.Errorf("register: %+v, want one entry for the case, made with the removal", entries)
	}
}

// TestUndoneRemovalIsNeverSent: undone within the grace, nothing reaches
// the platform, even when the executor queued the removal from a listing
// made before the undo; approved again, the removal is carried out; once
// queued, it can no longer be undone.
func TestUndoneRemovalIsNeverSent(t *testing.T) {
	r := newUndoRig(t)
	ctx := context.Background()
	if _, err := r.decide(t, moderation.DecideRemove); err != nil {
		t.Fatal(err)
	}
	r.settle(t, 30*time.Second)
	out, err := r.decide(t, moderation.DecideUndo)
	if err != nil {
		t.Fatalf("undo within the grace: %v", err)
	}
	if out.Case.State != moderation.CaseOpen || out.Decision.Kind != moderation.DecideUndo {
		t.Errorf("after undo: case %s, decision %q; want open, undo", out.Case.State, out.Decision.Kind)
	}
	// The executor listed the case as approved just before the undo and
	// queues its actions just after it.
	for _, k := range []string{moderation.ActReply, moderation.ActDelete} {
		if _, _, err := r.st.EnqueueAction(ctx, moderation.Action{CommentID: r.commentID, CaseID: r.cs.ID, Kind: k, CreatedAt: r.clock.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	r.settle(t, 3*time.Minute)
	if got := r.platformActions(r.platform); len(got) != 0 {
		t.Fatalf("after the undo the platform got %v, want nothing", got)
	}
	if r.emuComment(r.platform).Deleted {
		t.Fatal("the undone comment was deleted")
	}
	acts, err := r.st.Actions(ctx, r.commentID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range acts {
		if a.State != moderation.ActionDone || a.Outcome != moderation.ActionCancelled {
			t.Errorf("%s after the undo: state %s, outcome %q; want done, cancelled", a.Kind, a.State, a.Outcome)
		}
	}
	log, _ := r.st.AuditLog(ctx, 0, 0)
	cancelled := 0
	for _, e := range log {
		if e.Action == act.AuditCancel {
			cancelled++
		}
		if e.Action == "decision.undo" && e.Actor != "moderator" {
			t.Errorf("undo audited as %s, want moderator", e.Actor)
		}
	}
	if cancelled != 2 {
		t.Errorf("audit: %d %s entries, want 2", cancelled, act.AuditCancel)
	}

	// Approved again: the cancelled actions are carried out after the grace.
	if _, err := r.decide(t, moderation.DecideRemove); err != nil {
		t.Fatal(err)
	}
	r.settle(t, 70*time.Second)
	if got := strings.Join(r.platformActions(r.platform), ","); got != "delete" {
		t.Errorf("approved again: platform actions on the comment %q, want delete", got)
	}
	if _, made, ok := explanation(r.emu.State(""), r.platform); !ok || made.ID == "" || made.Gone {
		t.Errorf("approved again: explanation %+v (found %v), want one after the deletion, still visible", made, ok)
	}
	// Too late now, and nothing changes.
	if _, err := r.decide(t, moderation.DecideUndo); !errors.Is(err, moderation.ErrTooLate) {
		t.Errorf("undo after the removal: got %v, want ErrTooLate", err)
	}
	if got := r.state(t); got != moderation.CaseApproved {
		t.Errorf("case after a refused undo: %s, want approved", got)
	}
}

// TestUndoRefusedOnceQueued: the executor queued the removal (the grace
// passed): an undo is refused even if the clock it reads says otherwise,
// because the store lets no undo through once the removal's actions exist.
func TestUndoRefusedOnceQueued(t *testing.T) {
	r := newUndoRig(t)
	ctx := context.Background()
	if _, err := r.decide(t, moderation.DecideRemove); err != nil {
		t.Fatal(err)
	}
	r.clock.Advance(61 * time.Second)
	if err := r.exec.FollowDecisions(ctx); err != nil {
		t.Fatal(err)
	}
	acts, _ := r.st.Actions(ctx, r.commentID)
	if len(acts) != 2 {
		t.Fatalf("after the grace: %d actions queued, want reply and delete", len(acts))
	}
	// A reviewer whose undo was checked against the grace a moment ago.
	d := moderation.Decision{CaseID: r.cs.ID, Kind: moderation.DecideUndo, By: "moderator", Surface: decide.SurfaceWeb, At: r.clock.Now().Add(-2 * time.Second)}
	if _, err := r.st.UndoApproval(ctx, d, moderation.CaseOpen); !errors.Is(err, moderation.ErrTooLate) {
		t.Errorf("undo with queued actions: got %v, want ErrTooLate", err)
	}
	if _, err := r.decide(t, moderation.DecideUndo); !errors.Is(err, moderation.ErrTooLate) {
		t.Errorf("undo after the grace: got %v, want ErrTooLate", err)
	}
	if got := r.state(t); got != moderation.CaseApproved {
		t.Errorf("case: %s, want approved", got)
	}
}

// TestFourEyesGraceStartsAtSecondApproval: a removal that needs two
// reviewers is carried out a grace after the second approval.
func TestFourEyesGraceStartsAtSecondApproval(t *testing.T) {
	r := newUndoRig(t)
	ctx := context.Background()
	r.dec = decide.New(decide.Options{Store: r.st, Grace: time.Minute, Now: r.clock.Now, FourEyes: []string{moderation.CatHarassment}})
	first, err := r.decide(t, moderation.DecideRemove)
	if err != nil || !first.AwaitingSecond || !first.UndoUntil.IsZero() {
		t.Fatalf("first approval: got %+v, %v, want awaiting a second reviewer, no grace yet", first, err)
	}
	r.clock.Advance(40 * time.Second)
	second, err := r.dec.Decide(ctx, decide.Request{CaseID: r.cs.ID, Kind: moderation.DecideRemove, By: "moderator2", Role: moderation.RoleModerator, Surface: decide.SurfaceWeb})
	if err != nil || second.Case.State != moderation.CaseApproved {
		t.Fatalf("second approval: got %+v, %v", second, err)
	}
	if want := r.clock.Now().Add(time.Minute); !second.UndoUntil.Equal(want) {
		t.Errorf("UndoUntil: got %v, want a minute after the second approval (%v)", second.UndoUntil, want)
	}
	r.settle(t, 58*time.Second) // well past a minute after the first approval
	if got := r.platformActions(r.platform); len(got) != 0 {
		t.Fatalf("within the second approval's grace the platform got %v, want nothing", got)
	}
	r.settle(t, 10*time.Second)
	if got := strings.Join(r.platformActions(r.platform), ","); got != "delete" {
		t.Errorf("after the grace: platform actions on the comment %q, want delete", got)
	}
	if _, made, ok := explanation(r.emu.State(""), r.platform); !ok || made.ID == "" || made.Gone {
		t.Errorf("after the grace: explanation %+v (found %v), want one after the deletion, still visible", made, ok)
	}
	var undo json.RawMessage
	log, _ := r.st.AuditLog(ctx, 0, 0)
	for _, e := range log {
		if e.Action == "decision.remove" && strings.Contains(string(e.Detail), "undo_until") {
			undo = e.Detail
		}
	}
	if undo == nil {
		t.Errorf("the second approval's audit entry does not say until when it can be undone")
	}
}

// TestQueuedBeforeAnUndoWaitsForTheNextGrace: actions queued from a listing
// made before an undo, found by the executor after the case was approved
// again at once, are not sent until the new approval's grace has passed.
func TestQueuedBeforeAnUndoWaitsForTheNextGrace(t *testing.T) {
	r := newUndoRig(t)
	ctx := context.Background()
	if _, err := r.decide(t, moderation.DecideRemove); err != nil {
		t.Fatal(err)
	}
	r.clock.Advance(30 * time.Second)
	if _, err := r.decide(t, moderation.DecideUndo); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{moderation.ActReply, moderation.ActDelete} {
		if _, _, err := r.st.EnqueueAction(ctx, moderation.Action{CommentID: r.commentID, CaseID: r.cs.ID, Kind: k, CreatedAt: r.clock.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.decide(t, moderation.DecideRemove); err != nil {
		t.Fatal(err)
	}
	r.settle(t, 58*time.Second)
	if got := r.platformActions(r.platform); len(got) != 0 {
		t.Fatalf("within the new approval's grace the platform got %v, want nothing", got)
	}
	r.settle(t, 10*time.Second)
	if got := strings.Join(r.platformActions(r.platform), ","); got != "delete" {
		t.Errorf("after the new grace: platform actions on the comment %q, want delete", got)
	}
	if _, made, ok := explanation(r.emu.State(""), r.platform); !ok || made.ID == "" || made.Gone {
		t.Errorf("after the new grace: explanation %+v (found %v), want one after the deletion, still visible", made, ok)
	}
}
