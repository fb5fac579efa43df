package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/uppsikt/uppsikt/moderation"
)

// AddendaBackend is a store with the register delivery queue and the
// decision addenda.
type AddendaBackend interface {
	moderation.Store
	moderation.DeliveryStore
	moderation.AddendumStore
}

// RunAddenda runs the contract of moderation.AddendumStore. open must
// return a new, empty store each time; RunAddenda closes it.
func RunAddenda(t *testing.T, open func(t *testing.T) AddendaBackend) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s AddendaBackend)
	}{
		{"addenda/a decided case with a register entry is due until it has its addendum", testAddendumDue},
		{"addenda/one addendum per decision", testOneAddendumPerDecision},
		{"addenda/a case reopened and decided again is due again", testAddendumReopened},
		{"addenda/an addendum follows its entry to each outlet, once", testAddendumDelivery},
		{"addenda/unknown addendum is not found", testAddendumUnknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			if err := s.UpsertAccount(context.Background(), moderation.Account{Key: "kommun", Platform: moderation.Facebook, PlatformID: "1001",
				Name: "Kommunen", UpdatedAt: t0}); err != nil {
				t.Fatalf("UpsertAccount: %v", err)
			}
			tc.fn(t, s)
		})
	}
}

// decidedCase stores a flagged comment with a case, decided into state to
// unless to is open, and a register entry when registered.
func decidedCase(t *testing.T, s AddendaBackend, id string, to moderation.CaseState, registered bool) (moderation.Case, moderation.RegisterEntry) {
	t.Helper()
	ctx := context.Background()
	r := record(t, s, obs(id, "text "+id, 1))
	c, _, err := s.OpenCase(ctx, moderation.Case{CommentID: r.CommentID, Version: 1, AccountKey: "kommun", State: moderation.CaseOpen,
		Categories: []string{moderation.CatHate}, OpenedAt: at(2), UpdatedAt: at(2)})
	if err != nil {
		t.Fatalf("OpenCase: %v", err)
	}
	if to != moderation.CaseOpen {
		if _, err := s.RecordDecision(ctx, moderation.Decision{CaseID: c.ID, Kind: moderation.DecideKeep, By: "anna", Surface: "web", At: at(3)},
			[]moderation.CaseState{moderation.CaseOpen}, to); err != nil {
			t.Fatalf("RecordDecision: %v", err)
		}
	}
	var e moderation.RegisterEntry
	if registered {
		if e, err = s.CreateRegisterEntry(ctx, moderation.RegisterEntry{CommentID: r.CommentID, CaseID: c.ID, Reason: "r", CreatedAt: at(3)}, nil); err != nil {
			t.Fatalf("CreateRegisterEntry: %v", err)
		}
	}
	if c, err = s.Case(ctx, c.ID); err != nil {
		t.Fatalf("Case: %v", err)
	}
	return c, e
}

// addAddendum records an addendum of the case's latest decision.
func addAddendum(t *testing.T, s AddendaBackend, c moderation.Case, sha string) moderation.EvidenceFile {
	t.Helper()
	ds, err := s.Decisions(context.Background(), c.ID)
	if err != nil || len(ds) == 0 {
		t.Fatalf("Decisions of case %d: %v, %v", c.ID, ds, err)
	}
	f, err := s.AddEvidence(context.Background(), moderation.EvidenceFile{CommentID: c.CommentID, CaseID: c.ID, DecisionID: ds[len(ds)-1].ID,
		Kind: moderation.EvidenceDecision, SHA256: sha, Path: sha[:2] + "/" + sha + ".pdf", Size: 10, CreatedAt: at(4), Version: c.Version})
	if err != nil {
		t.Fatalf("AddEvidence(decision): %v", err)
	}
	return f
}

func dueCases(t *testing.T, s AddendaBackend) []int64 {
	t.Helper()
	ds, err := s.DecidedWithoutAddendum(context.Background(), 0)
	if err != nil {
		t.Fatalf("DecidedWithoutAddendum: %v", err)
	}
	var ids []int64
	for _, d := range ds {
		if d.Entry.CaseID != d.Case.ID || d.Entry.CommentID != d.Case.CommentID {
			t.Errorf("case %d came with the entry of case %d, comment %d", d.Case.ID, d.Entry.CaseID, d.Entry.CommentID)
		}
		ds, err := s.Decisions(context.Background(), d.Case.ID)
		if err != nil || len(ds) == 0 || d.Decision != ds[len(ds)-1] {
			t.Errorf("case %d came with decision %+v, want its latest of %+v (%v)", d.Case.ID, d.Decision, ds, err)
		}
		ids = append(ids, d.Case.ID)
	}
	return ids
}

func testAddendumDue(t *testing.T, s AddendaBackend) {
	open, _ := decidedCase(t, s, "open", moderation.CaseOpen, true)
	kept, _ := decidedCase(t, s, "kept", moderation.CaseKept, true)
	approved, _ := decidedCase(t, s, "approved", moderation.CaseApproved, true)
	registered, _ := decidedCase(t, s, "registered", moderation.CaseRegistered, true)
	decidedCase(t, s, "unregistered", moderation.CaseKept, false)
	if got, want := dueCases(t, s), []int64{kept.ID, approved.ID, registered.ID}; !slices.Equal(got, want) {
		t.Errorf("due: got cases %v, want %v (not the open case %d, nor the one without an entry)", got, want, open.ID)
	}
	f := addAddendum(t, s, approved, "a1a1a1a1")
	if f.CaseID != approved.ID || f.DecisionID == 0 || f.Kind != moderation.EvidenceDecision {
		t.Errorf("addendum recorded as case %d decision %d kind %q, want case %d, a decision, kind %q", f.CaseID, f.DecisionID, f.Kind,
			approved.ID, moderation.EvidenceDecision)
	}
	// Another kind of file of the case's comment does not count.
	if _, err := s.AddEvidence(context.Background(), moderation.EvidenceFile{CommentID: kept.CommentID, Kind: moderation.EvidencePDF,
		SHA256: "b2b2b2b2", Path: "b2/b2b2b2b2.pdf", Size: 10, CreatedAt: at(4), Version: 1}); err != nil {
		t.Fatalf("AddEvidence(pdf): %v", err)
	}
	if got, want := dueCases(t, s), []int64{kept.ID, registered.ID}; !slices.Equal(got, want) {
		t.Errorf("due after the addendum of case %d: got cases %v, want %v", approved.ID, got, want)
	}
	files, err := s.Evidence(context.Background(), approved.CommentID)
	if err != nil || len(files) != 1 || files[0] != f {
		t.Errorf("Evidence of the approved comment: got %+v, %v; want the addendum %+v", files, err, f)
	}
}

func testAddendumReopened(t *testing.T, s AddendaBackend) {
	ctx := context.Background()
	c, _ := decidedCase(t, s, "approved", moderation.CaseApproved, true)
	first := addAddendum(t, s, c, "f6f6f6f6")
	// The platform refused the removal: uppsikt reopens the case, and a
	// reviewer decides again.
	if _, err := s.RecordDecision(ctx, moderation.Decision{CaseID: c.ID, Kind: "reopen", By: "uppsikt", Surface: "platform", At: at(5)},
		[]moderation.CaseState{moderation.CaseApproved}, moderation.CaseOpen); err != nil {
		t.Fatalf("RecordDecision(reopen): %v", err)
	}
	if got := dueCases(t, s); len(got) != 0 {
		t.Errorf("due while reopened: got %v, want none", got)
	}
	keep, err := s.RecordDecision(ctx, moderation.Decision{CaseID: c.ID, Kind: moderation.DecideKeep, By: "bo", Surface: "web", At: at(6)},
		[]moderation.CaseState{moderation.CaseOpen}, moderation.CaseKept)
	if err != nil {
		t.Fatalf("RecordDecision(keep): %v", err)
	}
	ds, err := s.DecidedWithoutAddendum(ctx, 0)
	if err != nil || len(ds) != 1 || ds[0].Case.ID != c.ID || ds[0].Decision.ID != keep.ID {
		t.Fatalf("due after the new decision: got %+v, %v; want case %d with decision %d", ds, err, c.ID, keep.ID)
	}
	if second := addAddendum(t, s, c, "a7a7a7a7"); second.DecisionID != keep.ID || second.DecisionID == first.DecisionID {
		t.Errorf("second addendum records decision %d, want %d (the first recorded %d)", second.DecisionID, keep.ID, first.DecisionID)
	}
	if got := dueCases(t, s); len(got) != 0 {
		t.Errorf("due after both addenda: got %v, want none", got)
	}
}

func testOneAddendumPerDecision(t *testing.T, s AddendaBackend) {
	c, _ := decidedCase(t, s, "kept", moderation.CaseKept, true)
	first := addAddendum(t, s, c, "c3c3c3c3")
	if again := addAddendum(t, s, c, "c3c3c3c3"); again.ID != first.ID {
		t.Errorf("the same addendum again: got id %d, want %d", again.ID, first.ID)
	}
	_, err := s.AddEvidence(context.Background(), moderation.EvidenceFile{CommentID: c.CommentID, CaseID: c.ID, DecisionID: first.DecisionID,
		Kind: moderation.EvidenceDecision, SHA256: "d4d4d4d4", Path: "d4/d4d4d4d4.pdf", Size: 10, CreatedAt: at(5), Version: 1})
	if err == nil {
		t.Error("a second, different addendum of the same decision was recorded")
	}
}

func pendingAddenda(t *testing.T, s AddendaBackend, outlet string) []int64 {
	t.Helper()
	as, err := s.UndeliveredAddenda(context.Background(), outlet, 0)
	if err != nil {
		t.Fatalf("UndeliveredAddenda: %v", err)
	}
	var ids []int64
	for _, a := range as {
		if a.Entry.CaseID != a.File.CaseID {
			t.Errorf("addendum %d of case %d came with the entry of case %d", a.File.ID, a.File.CaseID, a.Entry.CaseID)
		}
		ids = append(ids, a.File.ID)
	}
	return ids
}

func testAddendumDelivery(t *testing.T, s AddendaBackend) {
	ctx := context.Background()
	c, e := decidedCase(t, s, "kept", moderation.CaseKept, true)
	f := addAddendum(t, s, c, "e5e5e5e5")
	outlets := []string{"folder:/a", "smtp:b"}
	if got := pendingAddenda(t, s, outlets[0]); len(got) != 0 {
		t.Errorf("pending before the entry reached the outlet: got %v, want none", got)
	}
	if err := s.MarkOutletDelivered(ctx, e.ID, outlets[0], outlets, at(5)); err != nil {
		t.Fatalf("MarkOutletDelivered: %v", err)
	}
	if got, want := pendingAddenda(t, s, outlets[0]), []int64{f.ID}; !slices.Equal(got, want) {
		t.Errorf("pending once the entry reached %s: got %v, want %v", outlets[0], got, want)
	}
	if got := pendingAddenda(t, s, outlets[1]); len(got) != 0 {
		t.Errorf("pending for %s, which has not the entry: got %v, want none", outlets[1], got)
	}
	if err := s.FailAddendumDelivery(ctx, f.ID, outlets[0], "down", at(6)); err != nil {
		t.Fatalf("FailAddendumDelivery: %v", err)
	}
	if got, want := pendingAddenda(t, s, outlets[0]), []int64{f.ID}; !slices.Equal(got, want) {
		t.Errorf("pending after a failure: got %v, want %v", got, want)
	}
	if err := s.MarkAddendumDelivered(ctx, f.ID, outlets[0], at(7)); err != nil {
		t.Fatalf("MarkAddendumDelivered: %v", err)
	}
	if err := s.FailAddendumDelivery(ctx, f.ID, outlets[0], "late failure", at(8)); err != nil {
		t.Fatalf("FailAddendumDelivery after delivery: %v", err)
	}
	if got := pendingAddenda(t, s, outlets[0]); len(got) != 0 {
		t.Errorf("pending after the acknowledgement: got %v, want none", got)
	}
}

func testAddendumUnknown(t *testing.T, s AddendaBackend) {
	ctx := context.Background()
	if err := s.MarkAddendumDelivered(ctx, 4711, "folder:/a", at(1)); !errors.Is(err, moderation.ErrNotFound) {
		t.Errorf("MarkAddendumDelivered of an unknown addendum: got %v, want ErrNotFound", err)
	}
	if err := s.FailAddendumDelivery(ctx, 4711, "folder:/a", "x", at(1)); !errors.Is(err, moderation.ErrNotFound) {
		t.Errorf("FailAddendumDelivery of an unknown addendum: got %v, want ErrNotFound", err)
	}
}
