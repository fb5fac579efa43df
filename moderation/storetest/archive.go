package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// ArchiveBackend is a store with the archive methods.
type ArchiveBackend interface {
	moderation.Store
	moderation.ArchiveStore
}

// RunArchive runs the contract of moderation.ArchiveStore. open must return
// a new, empty store each time; RunArchive closes it.
func RunArchive(t *testing.T, open func(t *testing.T) ArchiveBackend) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s ArchiveBackend)
	}{
		{"posts/between pages oldest first within the period", testPostsBetween},
		{"threads/latest text, register numbers, paging", testThreadComments},
		{"snapshots/record then list", testSnapshots},
		{"retention/disposes old text, keeps evidence, register, cases and new text", testDispose},
		{"retention/dry run counts and changes nothing", testDisposeDryRun},
		{"retention/account hold stops disposal until released", testDisposeAccountHold},
		{"retention/case hold keeps that comment", testDisposeCaseHold},
		{"retention/a disposed version cannot be changed again", testDisposedImmutable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			if err := s.UpsertAccount(context.Background(), moderation.Account{
				Key: "kommun", Platform: moderation.Facebook, PlatformID: "1001", Name: "Kommunen", UpdatedAt: t0,
			}); err != nil {
				t.Fatalf("UpsertAccount: %v", err)
			}
			tc.fn(t, s)
		})
	}
}

var year = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func savePost(t *testing.T, s moderation.Store, id string, created time.Time) {
	t.Helper()
	if _, err := s.SavePost(context.Background(), moderation.Post{AccountKey: "kommun", PlatformID: id,
		Author: moderation.Author{ID: "1001", Name: "Kommunen"}, Message: "Inlägg " + id, CreatedAt: created,
		FirstSeenAt: created}); err != nil {
		t.Fatalf("SavePost(%s): %v", id, err)
	}
}

func testPostsBetween(t *testing.T, s ArchiveBackend) {
	ctx := context.Background()
	savePost(t, s, "before", year.Add(-time.Hour))
	for i := range 5 {
		savePost(t, s, fmt.Sprintf("p%d", i), year.AddDate(0, 5-i, 0)) // saved newest first
	}
	savePost(t, s, "after", year.AddDate(1, 0, 0))
	var got []string
	var cur moderation.PostCursor
	for {
		ps, next, err := s.PostsBetween(ctx, "kommun", year, year.AddDate(1, 0, 0), cur, 2)
		if err != nil {
			t.Fatalf("PostsBetween: %v", err)
		}
		if len(ps) == 0 {
			break
		}
		for _, p := range ps {
			got = append(got, p.PlatformID)
		}
		cur = next
	}
	want := []string{"p4", "p3", "p2", "p1", "p0"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("posts: got %v, want %v", got, want)
	}
}

func yearObs(id, parent, msg string, seen time.Time) moderation.CommentObservation {
	return moderation.CommentObservation{AccountKey: "kommun", PostID: "p", PlatformID: id, ParentID: parent,
		Author: moderation.Author{ID: "u" + id, Name: "Person " + id}, Message: msg, CreatedAt: seen,
		Raw: []byte(`{"message":"` + msg + `"}`), Source: moderation.SourcePoll, SeenAt: seen}
}

func completeAll(t *testing.T, s moderation.Store) {
	t.Helper()
	items, err := s.PendingWork(context.Background(), time.Time{}, 0)
	if err != nil {
		t.Fatalf("PendingWork: %v", err)
	}
	for _, it := range items {
		if err := s.CompleteWork(context.Background(), it.ID); err != nil {
			t.Fatalf("CompleteWork: %v", err)
		}
	}
}

func testThreadComments(t *testing.T, s ArchiveBackend) {
	ctx := context.Background()
	savePost(t, s, "p", year)
	a := record(t, s, yearObs("a", "", "första", year.Add(time.Minute)))
	record(t, s, yearObs("a", "", "första, ändrad", year.Add(2*time.Minute)))
	record(t, s, yearObs("b", "a", "svar på första", year.Add(3*time.Minute)))
	record(t, s, yearObs("c", "", "tredje", year.Add(4*time.Minute)))
	if _, err := s.CreateRegisterEntry(ctx, moderation.RegisterEntry{Year: 2025, CommentID: a.CommentID, Reason: "r"},
		func(y, n int) string { return fmt.Sprintf("KS %d/%04d", y, n) }); err != nil {
		t.Fatalf("CreateRegisterEntry: %v", err)
	}
	var got []moderation.ArchivedComment
	var after int64
	for {
		cs, err := s.ThreadComments(ctx, "kommun", "p", after, 2)
		if err != nil {
			t.Fatalf("ThreadComments: %v", err)
		}
		if len(cs) == 0 {
			break
		}
		got = append(got, cs...)
		after = cs[len(cs)-1].RowID
	}
	if len(got) != 3 {
		t.Fatalf("comments: got %d, want 3", len(got))
	}
	if got[0].Message != "första, ändrad" || got[0].Versions != 2 {
		t.Errorf("first comment: got %q (%d versions), want the latest text of 2 versions", got[0].Message, got[0].Versions)
	}
	if fmt.Sprint(got[0].RegisterNumbers) != "[KS 2025/0001]" {
		t.Errorf("register numbers: got %v, want [KS 2025/0001]", got[0].RegisterNumbers)
	}
	if got[1].ParentID != "a" || got[1].PlatformID != "b" {
		t.Errorf("reply: got %s with parent %q, want b with parent a", got[1].PlatformID, got[1].ParentID)
	}
}

func testSnapshots(t *testing.T, s ArchiveBackend) {
	ctx := context.Background()
	r, err := s.RecordSnapshot(ctx, moderation.SnapshotRecord{AccountKey: "kommun", Kind: moderation.SnapshotYearly,
		From: year, To: year.AddDate(1, 0, 0), Path: "snap.pdf", SHA256: "ab", Size: 10, Pages: 3, Posts: 2, Comments: 5, CreatedAt: t0})
	if err != nil {
		t.Fatalf("RecordSnapshot: %v", err)
	}
	if _, err := s.RecordSnapshot(ctx, moderation.SnapshotRecord{AccountKey: "kommun", Kind: "weekly", Path: "x", SHA256: "y"}); err == nil {
		t.Errorf("RecordSnapshot with an unknown kind: got no error, want one")
	}
	got, err := s.Snapshots(ctx, "kommun")
	if err != nil {
		t.Fatalf("Snapshots: %v", err)
	}
	if len(got) != 1 || got[0].ID != r.ID || got[0].Pages != 3 || !got[0].From.Equal(year) || !got[0].CreatedAt.Equal(t0) {
		t.Errorf("snapshots: got %+v, want the one recorded %+v", got, r)
	}
}

// disposalSetup stores five old comments: one with evidence, one with a
// register entry, one with a case, two plain; and one new comment.
func disposalSetup(t *testing.T, s ArchiveBackend) (ids map[string]int64, cutoff time.Time) {
	t.Helper()
	ctx := context.Background()
	savePost(t, s, "p", year)
	ids = map[string]int64{}
	for i, id := range []string{"evidence", "register", "case", "plain1", "plain2"} {
		ids[id] = record(t, s, yearObs(id, "", "gammal text "+id, year.Add(time.Duration(i)*time.Hour))).CommentID
	}
	ids["new"] = record(t, s, yearObs("new", "", "ny text", year.AddDate(1, 0, 0))).CommentID
	completeAll(t, s)
	if _, err := s.AddEvidence(ctx, moderation.EvidenceFile{CommentID: ids["evidence"], Kind: "pdf", SHA256: "aa", Path: "aa.pdf", Size: 1}); err != nil {
		t.Fatalf("AddEvidence: %v", err)
	}
	if _, err := s.CreateRegisterEntry(ctx, moderation.RegisterEntry{Year: 2025, CommentID: ids["register"]},
		func(y, n int) string { return fmt.Sprintf("KS %d/%04d", y, n) }); err != nil {
		t.Fatalf("CreateRegisterEntry: %v", err)
	}
	if _, _, err := s.OpenCase(ctx, moderation.Case{CommentID: ids["case"], Version: 1, AccountKey: "kommun", State: moderation.CaseOpen, OpenedAt: t0}); err != nil {
		t.Fatalf("OpenCase: %v", err)
	}
	return ids, year.AddDate(0, 6, 0)
}

func text(t *testing.T, s moderation.Store, id int64) string {
	t.Helper()
	vs := versions(t, s, id)
	return vs[len(vs)-1].Message
}

func testDispose(t *testing.T, s ArchiveBackend) {
	ctx := context.Background()
	ids, cutoff := disposalSetup(t, s)
	d, err := s.DisposeCommentText(ctx, moderation.DisposalRequest{AccountKey: "kommun", Rule: "ringa_betydelse", Cutoff: cutoff, By: "arkiv", At: t0})
	if err != nil {
		t.Fatalf("DisposeCommentText: %v", err)
	}
	if d.Items != 2 || d.Comments != 2 {
		t.Errorf("disposal: got %d versions of %d comments, want 2 of 2", d.Items, d.Comments)
	}
	for name, want := range map[string]string{"evidence": "gammal text evidence", "register": "gammal text register",
		"case": "gammal text case", "plain1": "", "plain2": "", "new": "ny text"} {
		if got := text(t, s, ids[name]); got != want {
			t.Errorf("text of %s: got %q, want %q", name, got, want)
		}
	}
	if vs := versions(t, s, ids["plain1"]); vs[0].Raw != nil || vs[0].Hash != moderation.VersionHash("gammal text plain1") {
		t.Errorf("disposed version: raw %q, hash %s; want no raw answer and the hash kept", vs[0].Raw, vs[0].Hash)
	}
	cs, err := s.ThreadComments(ctx, "kommun", "p", 0, 0)
	if err != nil {
		t.Fatalf("ThreadComments: %v", err)
	}
	for _, c := range cs {
		if want := c.ID == ids["plain1"] || c.ID == ids["plain2"]; c.Disposed != want {
			t.Errorf("comment %s: got disposed %v, want %v", c.PlatformID, c.Disposed, want)
		}
	}
	// A late observation of a disposed text does not store it again.
	if r := record(t, s, yearObs("plain1", "", "gammal text plain1", year.AddDate(1, 0, 1))); r.NewVersion {
		t.Errorf("re-observed disposed text: got a new version, want none")
	}
	log, err := s.Disposals(ctx, "kommun")
	if err != nil {
		t.Fatalf("Disposals: %v", err)
	}
	if len(log) != 1 || log[0].Items != 2 || log[0].Rule != "ringa_betydelse" || log[0].By != "arkiv" || !log[0].Cutoff.Equal(cutoff) {
		t.Errorf("disposal log: got %+v, want one entry of 2 versions under ringa_betydelse by arkiv", log)
	}
	again, err := s.DisposeCommentText(ctx, moderation.DisposalRequest{AccountKey: "kommun", Rule: "ringa_betydelse", Cutoff: cutoff, At: t0})
	if err != nil || again.Items != 0 {
		t.Errorf("second disposal: got %d items, %v; want 0, nil", again.Items, err)
	}
}

func testDisposeDryRun(t *testing.T, s ArchiveBackend) {
	ctx := context.Background()
	ids, cutoff := disposalSetup(t, s)
	d, err := s.DisposeCommentText(ctx, moderation.DisposalRequest{AccountKey: "kommun", Rule: "r", Cutoff: cutoff, DryRun: true})
	if err != nil {
		t.Fatalf("DisposeCommentText: %v", err)
	}
	if d.Items != 2 || !d.DryRun {
		t.Errorf("dry run: got %d items (dry %v), want 2 (dry true)", d.Items, d.DryRun)
	}
	if got := text(t, s, ids["plain1"]); got != "gammal text plain1" {
		t.Errorf("after a dry run: got %q, want the text kept", got)
	}
	if log, _ := s.Disposals(ctx, ""); len(log) != 0 {
		t.Errorf("disposal log after a dry run: got %d entries, want 0", len(log))
	}
}

func testDisposeAccountHold(t *testing.T, s ArchiveBackend) {
	ctx := context.Background()
	ids, cutoff := disposalSetup(t, s)
	h, err := s.PlaceLegalHold(ctx, moderation.LegalHold{AccountKey: "kommun", Reason: "tvist", PlacedBy: "jurist", PlacedAt: t0})
	if err != nil {
		t.Fatalf("PlaceLegalHold: %v", err)
	}
	d, err := s.DisposeCommentText(ctx, moderation.DisposalRequest{AccountKey: "kommun", Rule: "r", Cutoff: cutoff})
	if err != nil || d.Items != 0 {
		t.Errorf("disposal under a hold: got %d items, %v; want 0, nil", d.Items, err)
	}
	if got := text(t, s, ids["plain1"]); got == "" {
		t.Errorf("text under a hold: got it disposed, want it kept")
	}
	if err := s.ReleaseLegalHold(ctx, h.ID, "jurist", t0); err != nil {
		t.Fatalf("ReleaseLegalHold: %v", err)
	}
	if active, _ := s.LegalHolds(ctx, true); len(active) != 0 {
		t.Errorf("holds in force after release: got %d, want 0", len(active))
	}
	if all, _ := s.LegalHolds(ctx, false); len(all) != 1 || all[0].ReleasedBy != "jurist" {
		t.Errorf("all holds: got %+v, want the released one", all)
	}
	if d, err := s.DisposeCommentText(ctx, moderation.DisposalRequest{AccountKey: "kommun", Rule: "r", Cutoff: cutoff}); err != nil || d.Items != 2 {
		t.Errorf("disposal after release: got %d items, %v; want 2, nil", d.Items, err)
	}
}

func testDisposeCaseHold(t *testing.T, s ArchiveBackend) {
	ctx := context.Background()
	savePost(t, s, "p", year)
	a := record(t, s, yearObs("a", "", "behålls", year))
	b := record(t, s, yearObs("b", "", "gallras", year))
	completeAll(t, s)
	c, _, err := s.OpenCase(ctx, moderation.Case{CommentID: a.CommentID, Version: 1, AccountKey: "kommun", State: moderation.CaseOpen, OpenedAt: t0})
	if err != nil {
		t.Fatalf("OpenCase: %v", err)
	}
	if _, err := s.PlaceLegalHold(ctx, moderation.LegalHold{AccountKey: "kommun", CaseID: c.ID, Reason: "JO-anmälan", PlacedBy: "jurist"}); err != nil {
		t.Fatalf("PlaceLegalHold: %v", err)
	}
	if _, err := s.DisposeCommentText(ctx, moderation.DisposalRequest{AccountKey: "kommun", Rule: "r", Cutoff: year.AddDate(1, 0, 0)}); err != nil {
		t.Fatalf("DisposeCommentText: %v", err)
	}
	if got := text(t, s, a.CommentID); got != "behålls" {
		t.Errorf("held comment: got %q, want it kept", got)
	}
	if got := text(t, s, b.CommentID); got != "" {
		t.Errorf("other comment: got %q, want it disposed", got)
	}
	if _, err := s.PlaceLegalHold(ctx, moderation.LegalHold{AccountKey: "kommun", CaseID: 999, Reason: "x", PlacedBy: "y"}); err == nil {
		t.Errorf("hold on an unknown case: got no error, want one")
	}
}

func testDisposedImmutable(t *testing.T, s ArchiveBackend) {
	ctx := context.Background()
	_, cutoff := disposalSetup(t, s)
	if _, err := s.DisposeCommentText(ctx, moderation.DisposalRequest{AccountKey: "kommun", Rule: "r", Cutoff: cutoff}); err != nil {
		t.Fatalf("DisposeCommentText: %v", err)
	}
	// Other text is still recorded as usual: new versions of other comments.
	if r := record(t, s, yearObs("plain1", "", "helt ny text", year.AddDate(1, 0, 2))); !r.NewVersion {
		t.Errorf("a new text of a disposed comment: got no new version, want one")
	}
}
