package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/uppsikt/uppsikt/moderation"
)

// The contract of undoing an approved removal within its grace period: the
// undo and the queueing of the removal's actions exclude each other, and a
// removal approved again after an undo gets its cancelled actions back.

func approvedCase(t *testing.T, s moderation.Store) moderation.Case {
	t.Helper()
	r := record(t, s, obs("c1", "text", 1))
	c, _ := openCase(t, s, moderation.Case{CommentID: r.CommentID, Version: 1})
	if _, err := s.RecordDecision(context.Background(), moderation.Decision{CaseID: c.ID, Kind: moderation.DecideRemove, By: "anna", Surface: "web", At: at(2)},
		[]moderation.CaseState{moderation.CaseOpen}, moderation.CaseApproved); err != nil {
		t.Fatalf("RecordDecision: %v", err)
	}
	return c
}

func testUndoApproval(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	c := approvedCase(t, s)
	// The hide that came before review is not part of the removal.
	if _, _, err := s.EnqueueAction(ctx, moderation.Action{CommentID: c.CommentID, CaseID: c.ID, Kind: moderation.ActHide}); err != nil {
		t.Fatalf("EnqueueAction(hide): %v", err)
	}
	undo := moderation.Decision{CaseID: c.ID, Kind: moderation.DecideUndo, By: "bertil", Surface: "web", At: at(3)}
	got, err := s.UndoApproval(ctx, undo, moderation.CaseOpen)
	if err != nil {
		t.Fatalf("UndoApproval: %v", err)
	}
	if got.ID == 0 || got.Kind != moderation.DecideUndo || got.By != "bertil" {
		t.Errorf("UndoApproval: got %+v, want the undo with an id", got)
	}
	stored, err := s.Case(ctx, c.ID)
	if err != nil {
		t.Fatalf("Case: %v", err)
	}
	if stored.State != moderation.CaseOpen {
		t.Errorf("state after undo: got %q, want open", stored.State)
	}
	if ds, err := s.Decisions(ctx, c.ID); err != nil || len(ds) != 2 || ds[1].Kind != moderation.DecideUndo {
		t.Errorf("Decisions: got %+v, %v, want the removal and the undo", ds, err)
	}
	// Undoing again: the case is no longer approved.
	var conflict *moderation.ConflictError
	if _, err := s.UndoApproval(ctx, undo, moderation.CaseOpen); !errors.As(err, &conflict) || conflict.Existing.ID != got.ID {
		t.Errorf("second undo: got %v, want a conflict naming the first undo", err)
	}
}

func testUndoTooLate(t *testing.T, h *harness) {
	ctx := context.Background()
	for _, kind := range []string{moderation.ActDelete, moderation.ActReply, moderation.ActPrivateReply} {
		t.Run(kind, func(t *testing.T) {
			s := h.store(t)
			c := approvedCase(t, s)
			if _, _, err := s.EnqueueAction(ctx, moderation.Action{CommentID: c.CommentID, CaseID: c.ID, Kind: kind}); err != nil {
				t.Fatalf("EnqueueAction: %v", err)
			}
			_, err := s.UndoApproval(ctx, moderation.Decision{CaseID: c.ID, Kind: moderation.DecideUndo, By: "bertil", Surface: "web", At: at(3)}, moderation.CaseOpen)
			if !errors.Is(err, moderation.ErrTooLate) {
				t.Errorf("undo with a queued %s: got %v, want ErrTooLate", kind, err)
			}
			if stored, _ := s.Case(ctx, c.ID); stored.State != moderation.CaseApproved {
				t.Errorf("state: got %q, want approved (unchanged)", stored.State)
			}
			if ds, _ := s.Decisions(ctx, c.ID); len(ds) != 1 {
				t.Errorf("decisions: got %d, want only the removal", len(ds))
			}
		})
	}
}

func testCancelledActionRevived(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	c := approvedCase(t, s)
	del, _, err := s.EnqueueAction(ctx, moderation.Action{CommentID: c.CommentID, CaseID: c.ID, Kind: moderation.ActDelete, CreatedAt: at(3)})
	if err != nil {
		t.Fatalf("EnqueueAction: %v", err)
	}
	if err := s.FinishActionOutcome(ctx, del.ID, moderation.ActionCancelled, "", "case undone"); err != nil {
		t.Fatalf("FinishActionOutcome(cancelled): %v", err)
	}
	as, err := s.Actions(ctx, c.CommentID)
	if err != nil || len(as) != 1 {
		t.Fatalf("Actions: got %d, %v", len(as), err)
	}
	if got := as[0]; got.State != moderation.ActionDone || got.Outcome != moderation.ActionCancelled || got.Attempts != 0 || got.LastError != "case undone" {
		t.Errorf("cancelled: got %+v, want done, cancelled, no attempt counted, the note kept", got)
	}
	if ids := actionIDs(t, s, at(10)); len(ids) != 0 {
		t.Errorf("pending after cancel: got %v, want none", ids)
	}
	// A cancelled action does not stand in the way of an undo.
	if _, err := s.UndoApproval(ctx, moderation.Decision{CaseID: c.ID, Kind: moderation.DecideUndo, By: "bertil", Surface: "web", At: at(4)}, moderation.CaseOpen); err != nil {
		t.Fatalf("UndoApproval with only a cancelled action: %v", err)
	}
	// Approved again: queueing the delete again makes it pending again.
	if _, err := s.RecordDecision(ctx, moderation.Decision{CaseID: c.ID, Kind: moderation.DecideRemove, By: "anna", Surface: "web", At: at(5)},
		[]moderation.CaseState{moderation.CaseOpen}, moderation.CaseApproved); err != nil {
		t.Fatalf("RecordDecision again: %v", err)
	}
	again, created, err := s.EnqueueAction(ctx, moderation.Action{CommentID: c.CommentID, CaseID: c.ID, Kind: moderation.ActDelete, CreatedAt: at(6)})
	if err != nil {
		t.Fatalf("EnqueueAction again: %v", err)
	}
	if !created || again.ID != del.ID || again.State != moderation.ActionPending || again.Outcome != "" || again.Attempts != 0 || again.LastError != "" {
		t.Errorf("queued again: got %+v created=%v, want action %d pending again, outcome and note cleared", again, created, del.ID)
	}
	sameTime(t, "CreatedAt", again.CreatedAt, at(6))
	if ids := actionIDs(t, s, at(10)); len(ids) != 1 || ids[0] != del.ID {
		t.Errorf("pending after queueing again: got %v, want [%d]", ids, del.ID)
	}
	// A done action that was carried out is final: queueing it again
	// changes nothing.
	if err := s.FinishAction(ctx, del.ID, moderation.ActionDone, "", ""); err != nil {
		t.Fatal(err)
	}
	third, created, err := s.EnqueueAction(ctx, moderation.Action{CommentID: c.CommentID, CaseID: c.ID, Kind: moderation.ActDelete, CreatedAt: at(7)})
	if err != nil || created || third.State != moderation.ActionDone {
		t.Errorf("queueing a carried out action: got %+v created=%v err=%v, want it done, not created", third, created, err)
	}
}
