package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// OwnPostBackend is a store with the methods for the account's own posts.
type OwnPostBackend interface {
	moderation.Store
	moderation.OwnPostStore
}

// RunOwnPosts runs the contract of moderation.OwnPostStore. open must return
// a new, empty store each time; RunOwnPosts closes it.
func RunOwnPosts(t *testing.T, open func(t *testing.T) OwnPostBackend) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s OwnPostBackend)
	}{
		{"deletion/stored pending, once per post", testDeletionOnce},
		{"deletion/attempts are counted before the call; a finished deletion stays finished", testDeletionLifecycle},
		{"deletion/a failed deletion may be approved again", testDeletionAfterFailure},
		{"deletion/a manual removal becomes done, and nothing else", testDeletionManual},
		{"objection/numbered in the register's year series with comment entries", testObjectionRegister},
		{"objection/moves only from the states allowed", testObjectionStates},
		{"objection/no approval without evidence; evidence is never replaced", testObjectionEvidence},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			for _, k := range []string{"kommun", "skolen"} {
				if err := s.UpsertAccount(context.Background(), moderation.Account{
					Key: k, Platform: moderation.Facebook, PlatformID: "id-" + k, Name: k, UpdatedAt: t0,
				}); err != nil {
					t.Fatalf("UpsertAccount: %v", err)
				}
			}
			tc.fn(t, s)
		})
	}
}

func testDeletionOnce(t *testing.T, s OwnPostBackend) {
	ctx := context.Background()
	d1, created, err := s.RequestPostDeletion(ctx, moderation.PostDeletion{AccountKey: "kommun", PostID: "id-kommun_1",
		Reason: moderation.DeletionRetention, ApprovedBy: "arkivarie", ApprovedAt: t0})
	if err != nil || !created {
		t.Fatalf("RequestPostDeletion: got created %v, %v; want a new deletion", created, err)
	}
	if d1.State != moderation.DeletionPending || d1.Attempts != 0 || !d1.ApprovedAt.Equal(t0) || d1.ApprovedBy != "arkivarie" {
		t.Errorf("new deletion: got %+v, want pending, no attempts, approved at t0 by arkivarie", d1)
	}
	d2, created, err := s.RequestPostDeletion(ctx, moderation.PostDeletion{AccountKey: "kommun", PostID: "id-kommun_1",
		Reason: moderation.DeletionRetention, ApprovedBy: "någon annan", ApprovedAt: t0.Add(time.Hour)})
	if err != nil || created || d2.ID != d1.ID || d2.ApprovedBy != "arkivarie" {
		t.Errorf("second approval of the same post: got %+v created %v, %v; want the first deletion back", d2, created, err)
	}
	other, created, err := s.RequestPostDeletion(ctx, moderation.PostDeletion{AccountKey: "skolen", PostID: "id-kommun_1",
		Reason: moderation.DeletionRetention, ApprovedBy: "x"})
	if err != nil || !created || other.ID == d1.ID {
		t.Errorf("same post id on another account: got %+v created %v, %v; want a new deletion", other, created, err)
	}
	pend, err := s.PendingPostDeletions(ctx, 0)
	if err != nil || len(pend) != 2 || pend[0].ID != d1.ID {
		t.Errorf("PendingPostDeletions: got %d, %v; want 2, oldest first", len(pend), err)
	}
	list, err := s.PostDeletions(ctx, "skolen")
	if err != nil || len(list) != 1 || list[0].ID != other.ID {
		t.Errorf("PostDeletions(skolen): got %+v, %v; want only its own", list, err)
	}
	if _, err := s.PostDeletion(ctx, 9999); !errors.Is(err, moderation.ErrNotFound) {
		t.Errorf("PostDeletion(unknown): got %v, want ErrNotFound", err)
	}
}

func testDeletionLifecycle(t *testing.T, s OwnPostBackend) {
	ctx := context.Background()
	d, _, err := s.RequestPostDeletion(ctx, moderation.PostDeletion{AccountKey: "kommun", PostID: "p", Reason: moderation.DeletionRetention, ApprovedBy: "a"})
	if err != nil {
		t.Fatal(err)
	}
	at := t0.Add(time.Minute)
	got, err := s.StartPostDeletion(ctx, d.ID, at)
	if err != nil || got.Attempts != 1 || !got.LastAttempt.Equal(at) || got.State != moderation.DeletionPending {
		t.Fatalf("StartPostDeletion: got %+v, %v; want 1 attempt at %v, still pending", got, err, at)
	}
	// A failed attempt leaves it pending, with the error.
	got, err = s.FinishPostDeletion(ctx, d.ID, moderation.DeletionPending, "timeout", "", at)
	if err != nil || got.State != moderation.DeletionPending || got.LastError != "timeout" || !got.DoneAt.IsZero() {
		t.Errorf("finish as pending: got %+v, %v; want pending with the error", got, err)
	}
	if got, _ = s.StartPostDeletion(ctx, d.ID, at.Add(time.Minute)); got.Attempts != 2 {
		t.Errorf("second attempt: got %d attempts, want 2", got.Attempts)
	}
	done := at.Add(2 * time.Minute)
	got, err = s.FinishPostDeletion(ctx, d.ID, moderation.DeletionDone, "", "", done)
	if err != nil || got.State != moderation.DeletionDone || !got.DoneAt.Equal(done) {
		t.Errorf("finish done: got %+v, %v; want deleted at %v", got, err, done)
	}
	if _, err := s.StartPostDeletion(ctx, d.ID, done); err == nil {
		t.Errorf("start a finished deletion: got no error, want one")
	}
	got, err = s.FinishPostDeletion(ctx, d.ID, moderation.DeletionFailed, "late", "", done.Add(time.Hour))
	if err != nil || got.State != moderation.DeletionDone || got.LastError != "" {
		t.Errorf("finish again: got %+v, %v; want it still deleted, unchanged", got, err)
	}
	if pend, _ := s.PendingPostDeletions(ctx, 0); len(pend) != 0 {
		t.Errorf("pending after done: got %d, want 0", len(pend))
	}
}

func testDeletionAfterFailure(t *testing.T, s OwnPostBackend) {
	ctx := context.Background()
	d, _, _ := s.RequestPostDeletion(ctx, moderation.PostDeletion{AccountKey: "kommun", PostID: "p", Reason: moderation.DeletionRetention, ApprovedBy: "a"})
	if _, err := s.FinishPostDeletion(ctx, d.ID, moderation.DeletionFailed, "permission missing (200)", "", t0); err != nil {
		t.Fatal(err)
	}
	d2, created, err := s.RequestPostDeletion(ctx, moderation.PostDeletion{AccountKey: "kommun", PostID: "p", Reason: moderation.DeletionRetention, ApprovedBy: "b"})
	if err != nil || !created || d2.ID == d.ID || d2.State != moderation.DeletionPending {
		t.Errorf("approve again after a failure: got %+v created %v, %v; want a new pending deletion", d2, created, err)
	}
	if list, _ := s.PostDeletions(ctx, ""); len(list) != 2 {
		t.Errorf("PostDeletions: got %d, want both kept", len(list))
	}
}

func testDeletionManual(t *testing.T, s OwnPostBackend) {
	ctx := context.Background()
	d, _, _ := s.RequestPostDeletion(ctx, moderation.PostDeletion{AccountKey: "kommun", PostID: "media", Reason: moderation.DeletionRetention, ApprovedBy: "a"})
	got, err := s.FinishPostDeletion(ctx, d.ID, moderation.DeletionManual, "", "delete it in the app", t0)
	if err != nil || got.State != moderation.DeletionManual || got.Note != "delete it in the app" {
		t.Fatalf("finish manual: got %+v, %v", got, err)
	}
	if got, _ = s.FinishPostDeletion(ctx, d.ID, moderation.DeletionFailed, "x", "", t0); got.State != moderation.DeletionManual {
		t.Errorf("manual to failed: got %s, want it still manual", got.State)
	}
	done := t0.Add(time.Hour)
	got, err = s.FinishPostDeletion(ctx, d.ID, moderation.DeletionDone, "", "removed by hand", done)
	if err != nil || got.State != moderation.DeletionDone || !got.DoneAt.Equal(done) {
		t.Errorf("manual to done: got %+v, %v; want deleted at %v", got, err, done)
	}
}

func testObjectionRegister(t *testing.T, s OwnPostBackend) {
	ctx := context.Background()
	num := func(year, seq int) string { return fmt.Sprintf("KS %d/%04d", year, seq) }
	r, err := s.RecordComment(ctx, moderation.CommentObservation{AccountKey: "kommun", PostID: "id-kommun_1", PlatformID: "c1",
		Message: "Ta bort bilden på min son", Source: moderation.SourcePoll, SeenAt: t0, CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.CreateRegisterEntry(ctx, moderation.RegisterEntry{CommentID: r.CommentID, Reason: "kommentar", CreatedAt: t0}, num)
	if err != nil {
		t.Fatal(err)
	}
	o, err := s.AddObjection(ctx, moderation.Objection{AccountKey: "kommun", PostID: "id-kommun_1", Person: "Mette Jensen",
		Contact: "mette@example.dk", Reason: "Jeg er på billedet og vil ikke vises", Language: "da", RecordedBy: "kommunikation",
		ReceivedAt: t0.Add(time.Hour)}, "Indsigelse mod billede i eget opslag", num)
	if err != nil {
		t.Fatalf("AddObjection: %v", err)
	}
	wantNum := fmt.Sprintf("KS %d/%04d", t0.Year(), first.Seq+1)
	if o.State != moderation.ObjectionReceived || o.RegisterNumber != wantNum || o.RegisterEntryID == 0 || o.Language != "da" {
		t.Errorf("AddObjection: got %+v; want received, register number %s", o, wantNum)
	}
	next, err := s.CreateRegisterEntry(ctx, moderation.RegisterEntry{CommentID: r.CommentID, CaseID: 0, Reason: "igen", CreatedAt: t0}, num)
	if err != nil || next.ID != first.ID {
		t.Errorf("comment entry again: got %+v, %v; want the first one back", next, err)
	}
	es, err := s.RegisterEntries(ctx, t0.Year())
	if err != nil || len(es) != 2 {
		t.Fatalf("RegisterEntries: got %d, %v; want the comment's and the objection's", len(es), err)
	}
	if es[1].Number != wantNum || es[1].CommentID != 0 || es[1].Reason != "Indsigelse mod billede i eget opslag" {
		t.Errorf("objection's register entry: got %+v; want %s with no comment", es[1], wantNum)
	}
	got, err := s.Objection(ctx, o.ID)
	if err != nil || got.Person != "Mette Jensen" || got.Contact != "mette@example.dk" || !got.ReceivedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("Objection: got %+v, %v", got, err)
	}
	if _, err := s.AddObjection(ctx, moderation.Objection{AccountKey: "skolen", PostID: "x", Person: "P", Reason: "R"}, "r", num); err != nil {
		t.Fatal(err)
	}
	list, err := s.Objections(ctx, "kommun")
	if err != nil || len(list) != 1 || list[0].ID != o.ID {
		t.Errorf("Objections(kommun): got %d, %v; want 1", len(list), err)
	}
	if all, _ := s.Objections(ctx, ""); len(all) != 2 {
		t.Errorf("Objections(all): got %d, want 2", len(all))
	}
	if _, err := s.Objection(ctx, 9999); !errors.Is(err, moderation.ErrNotFound) {
		t.Errorf("Objection(unknown): got %v, want ErrNotFound", err)
	}
}

func addObjection(t *testing.T, s OwnPostBackend) moderation.Objection {
	t.Helper()
	o, err := s.AddObjection(context.Background(), moderation.Objection{AccountKey: "kommun", PostID: "id-kommun_7", Person: "Anna",
		Reason: "Min dotter syns på bilden", ReceivedAt: t0}, "Invändning mot bild", nil)
	if err != nil {
		t.Fatalf("AddObjection: %v", err)
	}
	return o
}

func withEvidence(o moderation.Objection) moderation.Objection {
	o.State = moderation.ObjectionEvidenceCaptured
	o.EvidencePath, o.EvidenceSHA256, o.EvidenceSize, o.EvidenceKind, o.EvidenceAt = "ab/ab12.pdf", "ab12", 1234, "pdfa", t0.Add(time.Minute)
	return o
}

func testObjectionStates(t *testing.T, s OwnPostBackend) {
	ctx := context.Background()
	o := addObjection(t, s)
	o, err := s.UpdateObjection(ctx, withEvidence(o), moderation.ObjectionReceived)
	if err != nil || o.State != moderation.ObjectionEvidenceCaptured || o.EvidenceSHA256 != "ab12" || !o.EvidenceAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("capture evidence: got %+v, %v", o, err)
	}
	tests := []struct {
		name string
		to   moderation.ObjectionState
		from []moderation.ObjectionState
		ok   bool
	}{
		{name: "remove before approval", to: moderation.ObjectionRemoved, from: []moderation.ObjectionState{moderation.ObjectionApproved}},
		{name: "approve", to: moderation.ObjectionApproved, from: []moderation.ObjectionState{moderation.ObjectionEvidenceCaptured}, ok: true},
		{name: "approve twice", to: moderation.ObjectionApproved, from: []moderation.ObjectionState{moderation.ObjectionEvidenceCaptured}},
		{name: "refuse after approval", to: moderation.ObjectionRefused, from: []moderation.ObjectionState{moderation.ObjectionReceived, moderation.ObjectionEvidenceCaptured}},
		{name: "removed", to: moderation.ObjectionRemoved, from: []moderation.ObjectionState{moderation.ObjectionApproved}, ok: true},
		{name: "confirmed", to: moderation.ObjectionConfirmed, from: []moderation.ObjectionState{moderation.ObjectionApproved, moderation.ObjectionRemoved}, ok: true},
	}
	for _, tt := range tests {
		next := o
		next.State = tt.to
		next.DecidedBy = "chef"
		got, err := s.UpdateObjection(ctx, next, tt.from...)
		var se *moderation.ObjectionStateError
		switch {
		case tt.ok && err != nil:
			t.Errorf("%s: got %v, want it done", tt.name, err)
		case !tt.ok && !errors.As(err, &se):
			t.Errorf("%s: got %v, want an ObjectionStateError", tt.name, err)
		case !tt.ok && se.State != o.State:
			t.Errorf("%s: the error says %s, want %s", tt.name, se.State, o.State)
		case tt.ok:
			if got.State != tt.to || got.DecidedBy != "chef" {
				t.Errorf("%s: got %s by %q, want %s by chef", tt.name, got.State, got.DecidedBy, tt.to)
			}
			o = got
		}
	}
	refused := addObjection(t, s)
	refused.State, refused.DecidedBy, refused.DecisionReason = moderation.ObjectionRefused, "chef", "ingen person på bilden"
	got, err := s.UpdateObjection(ctx, refused, moderation.ObjectionReceived, moderation.ObjectionEvidenceCaptured)
	if err != nil || got.State != moderation.ObjectionRefused || got.DecisionReason != "ingen person på bilden" {
		t.Errorf("refuse without evidence: got %+v, %v; want refused", got, err)
	}
}

func testObjectionEvidence(t *testing.T, s OwnPostBackend) {
	ctx := context.Background()
	o := addObjection(t, s)
	next := o
	next.State = moderation.ObjectionApproved
	if _, err := s.UpdateObjection(ctx, next, moderation.ObjectionReceived); err == nil {
		t.Errorf("approve without evidence: got no error, want one")
	}
	next.State = moderation.ObjectionEvidenceCaptured
	if _, err := s.UpdateObjection(ctx, next, moderation.ObjectionReceived); err == nil {
		t.Errorf("evidence captured without a file: got no error, want one")
	}
	o, err := s.UpdateObjection(ctx, withEvidence(o), moderation.ObjectionReceived)
	if err != nil {
		t.Fatal(err)
	}
	other := o
	other.State = moderation.ObjectionApproved
	other.EvidencePath, other.EvidenceSHA256 = "cd/cd34.pdf", "cd34"
	got, err := s.UpdateObjection(ctx, other, moderation.ObjectionEvidenceCaptured)
	if err != nil || got.EvidenceSHA256 != "ab12" || got.EvidencePath != "ab/ab12.pdf" {
		t.Errorf("replace evidence: got %s at %s, %v; want the first evidence kept", got.EvidenceSHA256, got.EvidencePath, err)
	}
}
