package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// Run runs the contract suite. open must return a new, empty store each time
// it is called; Run closes it when the subtest ends.
func Run(t *testing.T, open func(t *testing.T) moderation.Store) {
	h := &harness{open: open}
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, h *harness)
	}{
		{"accounts/upsert then read back", testAccountRoundTrip},
		{"accounts/upsert keeps the operational status", testAccountKeepsStatus},
		{"accounts/unknown account is not found", testAccountNotFound},
		{"accounts/listed by key", testAccountsListed},

		{"posts/save creates then updates", testSavePost},
		{"posts/unknown post is not found", testPostNotFound},
		{"posts/comment before its post makes a stub that SavePost fills in", testPostStub},

		{"comments/same observation twice stores one version and one work item", testRecordIdempotent},
		{"comments/edit adds the next version and one work item", testRecordEdit},
		{"comments/stale text seen before adds nothing", testRecordStaleText},
		{"comments/hidden flag changes the state", testRecordHidden},
		{"comments/observation never resurrects a deleted comment", testRecordNoResurrect},
		{"comments/older observation does not undo a newer state", testRecordOlderState},
		{"comments/unknown account is not found", testRecordUnknownAccount},
		{"comments/lookups of unknown comments are not found", testCommentNotFound},
		{"comments/state change of unknown comment is not found", testStateChangeUnknown},
		{"comments/deleted is final and repeats change nothing", testStateChangeDeletedFinal},
		{"comments/states by platform id for a post", testCommentStates},
		{"comments/list filters and pages newest first", testListComments},

		{"work/pending oldest first with a limit", testPendingWork},
		{"work/complete is idempotent", testCompleteWork},
		{"work/fail counts attempts and keeps the item", testFailWork},
		{"work/a failed item waits for its retry time", testFailWorkRetryAt},
		{"work/set aside items leave the queue's way", testDeadLetterWork},
		{"work/retry puts a set aside item back", testRetryWork},

		{"verdicts/save is an upsert per version", testSaveVerdict},
		{"verdicts/latest of a comment without one is not found", testLatestVerdictNotFound},

		{"cases/one unresolved case per comment", testOpenCaseOnce},
		{"cases/new case after the last one was resolved", testOpenCaseAfterResolution},
		{"cases/list filters by account, state and category", testListCases},
		{"cases/unknown case is not found", testCaseNotFound},
		{"decisions/move the case from an allowed state", testRecordDecision},
		{"decisions/wrong state is a conflict carrying the earlier decision", testDecisionConflict},
		{"decisions/racing reviewers: exactly one wins", testDecisionRace},
		{"decisions/undo moves an approved case back", testUndoApproval},
		{"decisions/undo is too late once the removal is queued", testUndoTooLate},
		{"actions/a cancelled action is pending again when queued again", testCancelledActionRevived},

		{"actions/enqueue is idempotent per comment, case and kind", testEnqueueAction},
		{"actions/finish counts attempts and done is final", testFinishAction},
		{"actions/defer waits without counting the attempt", testDeferAction},
		{"actions/pending only on active accounts", testPendingActionsActiveAccounts},
		{"actions/failed are listed and retried", testRetryAction},
		{"actions/gone is a done outcome", testFinishActionGone},

		{"evidence/add is idempotent per comment and hash", testAddEvidence},
		{"evidence/list pages by id", testListEvidence},

		{"register/numbered per year", testRegisterNumbering},
		{"register/idempotent per comment and case", testRegisterIdempotent},
		{"register/concurrent entries get distinct numbers", testRegisterConcurrent},
		{"register/delivered keeps the first acknowledgement", testRegisterDelivered},

		{"audit/store assigns seq and chains hashes", testAuditChain},
		{"audit/log pages by seq", testAuditPaging},

		{"cursors/none stored is the zero cursor", testCursorZero},
		{"cursors/set then read back", testCursorRoundTrip},
		{"schedules/none stored is the zero schedule", testScheduleZero},
		{"schedules/set then read back", testScheduleRoundTrip},
		{"schedules/due when poll or reconcile time has come", testDueSchedules},

		{"webhooks/pending until finished", testWebhookEvents},
		{"webhooks/retry time and attempts are kept", testRetryWebhookEvent},

		{"stats/counts what is stored", testStats},
		{"stats/counts what needs attention", testStatsAttention},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, h) })
	}
}

type harness struct {
	open func(t *testing.T) moderation.Store
}

// store opens a fresh store with one account, "kommun", and closes it when
// the test ends.
func (h *harness) store(t *testing.T) moderation.Store {
	t.Helper()
	s := h.open(t)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	if err := s.UpsertAccount(context.Background(), moderation.Account{
		Key: "kommun", Platform: moderation.Facebook, PlatformID: "1001", Name: "Kommunen",
		Owners: []string{"anna"}, Substitutes: []string{"bertil"}, UpdatedAt: t0,
	}); err != nil {
		t.Fatalf("UpsertAccount: %v", err)
	}
	return s
}

// t0 is in a zone other than UTC and has nanoseconds, so that round trips
// show that the store keeps the instant exactly.
var t0 = time.Date(2026, 3, 14, 9, 26, 53, 589793238, time.FixedZone("CET", 3600))

func at(minutes int) time.Time { return t0.Add(time.Duration(minutes) * time.Minute) }

func obs(id, message string, minute int) moderation.CommentObservation {
	return moderation.CommentObservation{
		AccountKey:   "kommun",
		PostID:       "1001_1",
		PlatformID:   id,
		Author:       moderation.Author{ID: "u-" + id, Name: "Medborgare " + id},
		Message:      message,
		CreatedAt:    at(minute - 1),
		PermalinkURL: "https://example.test/c/" + id,
		Raw:          json.RawMessage(`{"id":"` + id + `"}`),
		Source:       moderation.SourcePoll,
		SeenAt:       at(minute),
	}
}

func record(t *testing.T, s moderation.Store, o moderation.CommentObservation) moderation.IngestResult {
	t.Helper()
	r, err := s.RecordComment(context.Background(), o)
	if err != nil {
		t.Fatalf("RecordComment(%s, %q): %v", o.PlatformID, o.Message, err)
	}
	return r
}

func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, moderation.ErrNotFound) {
		t.Errorf("%s: got error %v, want one wrapping moderation.ErrNotFound", what, err)
	}
}

func sameTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s: got %v, want %v", what, got, want)
	}
}

func pendingCount(t *testing.T, s moderation.Store) int {
	t.Helper()
	items, err := s.PendingWork(context.Background(), time.Time{}, 0)
	if err != nil {
		t.Fatalf("PendingWork: %v", err)
	}
	return len(items)
}

func versions(t *testing.T, s moderation.Store, id int64) []moderation.CommentVersion {
	t.Helper()
	vs, err := s.CommentVersions(context.Background(), id)
	if err != nil {
		t.Fatalf("CommentVersions(%d): %v", id, err)
	}
	return vs
}

func comment(t *testing.T, s moderation.Store, id int64) moderation.Comment {
	t.Helper()
	c, err := s.Comment(context.Background(), id)
	if err != nil {
		t.Fatalf("Comment(%d): %v", id, err)
	}
	return c
}

// --- accounts ---

func testAccountRoundTrip(t *testing.T, h *harness) {
	s := h.store(t)
	got, err := s.Account(context.Background(), "kommun")
	if err != nil {
		t.Fatalf("Account: %v", err)
	}
	want := moderation.Account{
		Key: "kommun", Platform: moderation.Facebook, PlatformID: "1001", Name: "Kommunen",
		Owners: []string{"anna"}, Substitutes: []string{"bertil"}, Status: moderation.AccountActive,
	}
	sameTime(t, "UpdatedAt", got.UpdatedAt, t0)
	got.UpdatedAt = time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Account: got %+v, want %+v", got, want)
	}
}

func testAccountKeepsStatus(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	if err := s.SetAccountStatus(ctx, "kommun", moderation.AccountDisconnected, "token rejected"); err != nil {
		t.Fatalf("SetAccountStatus: %v", err)
	}
	if err := s.UpsertAccount(ctx, moderation.Account{
		Key: "kommun", Platform: moderation.Facebook, PlatformID: "1001", Name: "Kommunen (ny)",
		Owners: []string{"anna", "cecilia"}, Status: moderation.AccountActive,
	}); err != nil {
		t.Fatalf("UpsertAccount: %v", err)
	}
	got, err := s.Account(ctx, "kommun")
	if err != nil {
		t.Fatalf("Account: %v", err)
	}
	if got.Status != moderation.AccountDisconnected || got.StatusNote != "token rejected" {
		t.Errorf("status: got %q (%q), want %q (%q)", got.Status, got.StatusNote, moderation.AccountDisconnected, "token rejected")
	}
	if got.Name != "Kommunen (ny)" || !reflect.DeepEqual(got.Owners, []string{"anna", "cecilia"}) || got.Substitutes != nil {
		t.Errorf("configuration: got name %q owners %v substitutes %v, want the new ones", got.Name, got.Owners, got.Substitutes)
	}
}

func testAccountNotFound(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	_, err := s.Account(ctx, "saknas")
	wantNotFound(t, "Account", err)
	wantNotFound(t, "SetAccountStatus", s.SetAccountStatus(ctx, "saknas", moderation.AccountClosed, ""))
}

func testAccountsListed(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	for _, k := range []string{"skola", "bibliotek"} {
		if err := s.UpsertAccount(ctx, moderation.Account{Key: k, Platform: moderation.Instagram, PlatformID: k}); err != nil {
			t.Fatalf("UpsertAccount: %v", err)
		}
	}
	as, err := s.Accounts(ctx)
	if err != nil {
		t.Fatalf("Accounts: %v", err)
	}
	var got []string
	for _, a := range as {
		got = append(got, a.Key)
	}
	if want := []string{"bibliotek", "kommun", "skola"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Accounts: got %v, want %v", got, want)
	}
}

// --- posts ---

func testSavePost(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	p := moderation.Post{
		AccountKey: "kommun", PlatformID: "1001_1", Author: moderation.Author{ID: "1001", Name: "Kommunen"},
		Message: "Välkommen till sommarens öppna förskola!", CreatedAt: at(-60), UpdatedAt: at(-30),
		PermalinkURL: "https://example.test/p/1", Raw: json.RawMessage(`{"id":"1001_1"}`), FirstSeenAt: at(0),
	}
	created, err := s.SavePost(ctx, p)
	if err != nil || !created {
		t.Fatalf("SavePost new: got created=%v err=%v, want true, nil", created, err)
	}
	p.Message = "Välkommen! (uppdaterad)"
	created, err = s.SavePost(ctx, p)
	if err != nil || created {
		t.Fatalf("SavePost again: got created=%v err=%v, want false, nil", created, err)
	}
	got, err := s.Post(ctx, "kommun", "1001_1")
	if err != nil {
		t.Fatalf("Post: %v", err)
	}
	if got.Message != p.Message || got.Author != p.Author || got.PermalinkURL != p.PermalinkURL || string(got.Raw) != string(p.Raw) {
		t.Errorf("Post: got %+v, want %+v", got, p)
	}
	sameTime(t, "CreatedAt", got.CreatedAt, p.CreatedAt)
	sameTime(t, "UpdatedAt", got.UpdatedAt, p.UpdatedAt)
	sameTime(t, "FirstSeenAt", got.FirstSeenAt, p.FirstSeenAt)
}

func testPostNotFound(t *testing.T, h *harness) {
	s := h.store(t)
	_, err := s.Post(context.Background(), "kommun", "saknas")
	wantNotFound(t, "Post", err)
}

func testPostStub(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	o := obs("c1", "Första!", 5)
	o.PostID = "1001_9"
	record(t, s, o)
	stub, err := s.Post(ctx, "kommun", "1001_9")
	if err != nil {
		t.Fatalf("Post of stub: %v", err)
	}
	if stub.Message != "" {
		t.Errorf("stub Message: got %q, want empty", stub.Message)
	}
	sameTime(t, "stub FirstSeenAt", stub.FirstSeenAt, at(5))
	created, err := s.SavePost(ctx, moderation.Post{AccountKey: "kommun", PlatformID: "1001_9", Message: "Inlägget", FirstSeenAt: at(10)})
	if err != nil || !created {
		t.Fatalf("SavePost over stub: got created=%v err=%v, want true, nil", created, err)
	}
	got, err := s.Post(ctx, "kommun", "1001_9")
	if err != nil {
		t.Fatalf("Post: %v", err)
	}
	if got.Message != "Inlägget" {
		t.Errorf("Message: got %q, want %q", got.Message, "Inlägget")
	}
	sameTime(t, "FirstSeenAt keeps the earliest", got.FirstSeenAt, at(5))
}

// --- comments ---

func testRecordIdempotent(t *testing.T, h *harness) {
	s := h.store(t)
	o := obs("c1", "Hej kommunen", 1)
	first := record(t, s, o)
	if !first.NewComment || !first.NewVersion || first.Version != 1 || first.StateChanged {
		t.Errorf("first: got %+v, want a new comment with version 1 and no state change", first)
	}
	again := record(t, s, o)
	want := moderation.IngestResult{CommentID: first.CommentID, Version: 1}
	if again != want {
		t.Errorf("again: got %+v, want %+v", again, want)
	}
	if got := len(versions(t, s, first.CommentID)); got != 1 {
		t.Errorf("versions: got %d, want 1", got)
	}
	if got := pendingCount(t, s); got != 1 {
		t.Errorf("work items: got %d, want 1", got)
	}
	c := comment(t, s, first.CommentID)
	if c.PlatformID != "c1" || c.PostID != "1001_1" || c.AccountKey != "kommun" || c.Versions != 1 ||
		c.State != moderation.StateVisible || c.Author != o.Author || c.PermalinkURL != o.PermalinkURL {
		t.Errorf("Comment: got %+v, want the observation's fields", c)
	}
	sameTime(t, "CreatedAt", c.CreatedAt, o.CreatedAt)
	sameTime(t, "FirstSeenAt", c.FirstSeenAt, o.SeenAt)
	sameTime(t, "StateAt", c.StateAt, o.SeenAt)
}

func testRecordEdit(t *testing.T, h *harness) {
	s := h.store(t)
	first := record(t, s, obs("c1", "Hej kommunen", 1))
	edit := obs("c1", "Hej kommunen, när öppnar badet?", 2)
	edit.Source = moderation.SourceWebhook
	got := record(t, s, edit)
	want := moderation.IngestResult{CommentID: first.CommentID, NewVersion: true, Version: 2}
	if got != want {
		t.Errorf("edit: got %+v, want %+v", got, want)
	}
	vs := versions(t, s, first.CommentID)
	if len(vs) != 2 {
		t.Fatalf("versions: got %d, want 2", len(vs))
	}
	v := vs[1]
	if v.Version != 2 || v.Message != edit.Message || v.Hash != moderation.VersionHash(edit.Message) ||
		v.Source != moderation.SourceWebhook || string(v.Raw) != string(edit.Raw) || v.CommentID != first.CommentID {
		t.Errorf("version 2: got %+v, want the edit", v)
	}
	sameTime(t, "SeenAt", v.SeenAt, edit.SeenAt)
	if vs[0].Version != 1 || vs[0].Message != "Hej kommunen" {
		t.Errorf("version 1: got %+v, want the first text", vs[0])
	}
	items, err := s.PendingWork(context.Background(), time.Time{}, 0)
	if err != nil {
		t.Fatalf("PendingWork: %v", err)
	}
	if len(items) != 2 || items[0].Version != 1 || items[1].Version != 2 {
		t.Errorf("work: got %+v, want versions 1 and 2", items)
	}
	if c := comment(t, s, first.CommentID); c.Versions != 2 {
		t.Errorf("Comment.Versions: got %d, want 2", c.Versions)
	}
}

func testRecordStaleText(t *testing.T, h *harness) {
	s := h.store(t)
	r1 := record(t, s, obs("c1", "text A", 1))
	record(t, s, obs("c1", "text B", 3))
	// A poll that started before the edit reports the old text late.
	stale := record(t, s, obs("c1", "text A", 2))
	want := moderation.IngestResult{CommentID: r1.CommentID, Version: 1}
	if stale != want {
		t.Errorf("stale: got %+v, want %+v", stale, want)
	}
	if got := len(versions(t, s, r1.CommentID)); got != 2 {
		t.Errorf("versions: got %d, want 2", got)
	}
	if got := pendingCount(t, s); got != 2 {
		t.Errorf("work items: got %d, want 2", got)
	}
}

func testRecordHidden(t *testing.T, h *harness) {
	s := h.store(t)
	r := record(t, s, obs("c1", "text", 1))
	hidden := obs("c1", "text", 2)
	hidden.Hidden = true
	got := record(t, s, hidden)
	if !got.StateChanged || got.NewVersion {
		t.Errorf("hidden: got %+v, want StateChanged and no new version", got)
	}
	c := comment(t, s, r.CommentID)
	if c.State != moderation.StateHidden {
		t.Errorf("state: got %q, want %q", c.State, moderation.StateHidden)
	}
	sameTime(t, "StateAt", c.StateAt, at(2))
	if again := record(t, s, hidden); again.StateChanged {
		t.Errorf("hidden again: got StateChanged, want none")
	}
	visible := record(t, s, obs("c1", "text", 3))
	if !visible.StateChanged {
		t.Errorf("visible: got no state change, want one")
	}
	if c := comment(t, s, r.CommentID); c.State != moderation.StateVisible {
		t.Errorf("state: got %q, want %q", c.State, moderation.StateVisible)
	}
}

func testRecordNoResurrect(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	r := record(t, s, obs("c1", "text", 1))
	if _, err := s.RecordStateChange(ctx, moderation.StateChange{
		AccountKey: "kommun", PlatformID: "c1", State: moderation.StateDeleted, At: at(2), Source: moderation.SourceReconcile,
	}); err != nil {
		t.Fatalf("RecordStateChange: %v", err)
	}
	got := record(t, s, obs("c1", "text", 3))
	if got.StateChanged {
		t.Errorf("observation after deletion: got StateChanged, want none")
	}
	if c := comment(t, s, r.CommentID); c.State != moderation.StateDeleted {
		t.Errorf("state: got %q, want %q", c.State, moderation.StateDeleted)
	}
}

func testRecordOlderState(t *testing.T, h *harness) {
	s := h.store(t)
	r := record(t, s, obs("c1", "text", 1))
	hidden := obs("c1", "text", 5)
	hidden.Hidden = true
	record(t, s, hidden)
	older := record(t, s, obs("c1", "text", 3)) // visible, but seen before it was hidden
	if older.StateChanged {
		t.Errorf("older visible observation: got StateChanged, want none")
	}
	if c := comment(t, s, r.CommentID); c.State != moderation.StateHidden {
		t.Errorf("state: got %q, want %q", c.State, moderation.StateHidden)
	}
}

func testRecordUnknownAccount(t *testing.T, h *harness) {
	s := h.store(t)
	o := obs("c1", "text", 1)
	o.AccountKey = "saknas"
	_, err := s.RecordComment(context.Background(), o)
	wantNotFound(t, "RecordComment", err)
}

func testCommentNotFound(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	_, err := s.Comment(ctx, 4711)
	wantNotFound(t, "Comment", err)
	_, err = s.CommentByPlatformID(ctx, "kommun", "saknas")
	wantNotFound(t, "CommentByPlatformID", err)
	_, err = s.CommentVersions(ctx, 4711)
	wantNotFound(t, "CommentVersions", err)
}

func testStateChangeUnknown(t *testing.T, h *harness) {
	s := h.store(t)
	_, err := s.RecordStateChange(context.Background(), moderation.StateChange{
		AccountKey: "kommun", PlatformID: "saknas", State: moderation.StateDeleted, At: at(1),
	})
	wantNotFound(t, "RecordStateChange", err)
}

func testStateChangeDeletedFinal(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	r := record(t, s, obs("c1", "text", 1))
	change := func(state moderation.CommentState, minute int) bool {
		t.Helper()
		changed, err := s.RecordStateChange(ctx, moderation.StateChange{
			AccountKey: "kommun", PlatformID: "c1", State: state, At: at(minute), Source: moderation.SourceAction,
		})
		if err != nil {
			t.Fatalf("RecordStateChange(%s): %v", state, err)
		}
		return changed
	}
	for _, step := range []struct {
		name   string
		state  moderation.CommentState
		minute int
		want   bool
	}{
		{"hide", moderation.StateHidden, 2, true},
		{"hide again", moderation.StateHidden, 3, false},
		{"unhide", moderation.StateVisible, 4, true},
		{"delete", moderation.StateDeleted, 5, true},
		{"delete again", moderation.StateDeleted, 6, false},
		{"unhide after delete", moderation.StateVisible, 7, false},
		{"hide after delete", moderation.StateHidden, 8, false},
	} {
		if got := change(step.state, step.minute); got != step.want {
			t.Errorf("%s: got changed=%v, want %v", step.name, got, step.want)
		}
	}
	c := comment(t, s, r.CommentID)
	if c.State != moderation.StateDeleted {
		t.Errorf("state: got %q, want deleted", c.State)
	}
	sameTime(t, "StateAt", c.StateAt, at(5))
}

func testCommentStates(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	record(t, s, obs("c1", "ett", 1))
	hidden := obs("c2", "två", 1)
	hidden.Hidden = true
	record(t, s, hidden)
	other := obs("c3", "tre", 1)
	other.PostID = "1001_2"
	record(t, s, other)
	got, err := s.CommentStates(ctx, "kommun", "1001_1")
	if err != nil {
		t.Fatalf("CommentStates: %v", err)
	}
	want := map[string]moderation.CommentState{"c1": moderation.StateVisible, "c2": moderation.StateHidden}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("CommentStates: got %v, want %v", got, want)
	}
}

func testListComments(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	if _, err := s.SavePost(ctx, moderation.Post{AccountKey: "kommun", PlatformID: "1001_1", Message: "Inlägget"}); err != nil {
		t.Fatalf("SavePost: %v", err)
	}
	var ids []int64
	for i := range 5 {
		ids = append(ids, record(t, s, obs(fmt.Sprintf("c%d", i), fmt.Sprintf("kommentar %d", i), i)).CommentID)
	}
	record(t, s, obs("c1", "kommentar 1, ändrad", 10))
	if err := s.SaveVerdict(ctx, moderation.StoredVerdict{CommentID: ids[1], Version: 2,
		Verdict: moderation.Verdict{Categories: []string{moderation.CatProfanity}}, At: at(11)}); err != nil {
		t.Fatalf("SaveVerdict: %v", err)
	}
	if err := s.SaveVerdict(ctx, moderation.StoredVerdict{CommentID: ids[2], Version: 1, At: at(11)}); err != nil {
		t.Fatalf("SaveVerdict: %v", err)
	}
	if _, err := s.RecordStateChange(ctx, moderation.StateChange{AccountKey: "kommun", PlatformID: "c3",
		State: moderation.StateDeleted, At: at(12)}); err != nil {
		t.Fatalf("RecordStateChange: %v", err)
	}

	all, err := s.ListComments(ctx, moderation.CommentFilter{})
	if err != nil {
		t.Fatalf("ListComments: %v", err)
	}
	if len(all) != 5 || all[0].ID != ids[4] || all[4].ID != ids[0] {
		t.Fatalf("ListComments: got %d comments starting %d, want 5 newest first", len(all), all[0].ID)
	}
	c1 := all[3]
	if c1.Message != "kommentar 1, ändrad" || c1.PostMessage != "Inlägget" || c1.Versions != 2 ||
		!reflect.DeepEqual(c1.Categories, []string{moderation.CatProfanity}) {
		t.Errorf("view of c1: got message %q post %q versions %d categories %v, want the latest text, the post and the verdict's categories",
			c1.Message, c1.PostMessage, c1.Versions, c1.Categories)
	}

	for _, tc := range []struct {
		name string
		f    moderation.CommentFilter
		want []int64
	}{
		{"limit", moderation.CommentFilter{Limit: 2}, []int64{ids[4], ids[3]}},
		{"before id", moderation.CommentFilter{BeforeID: ids[2], Limit: 10}, []int64{ids[1], ids[0]}},
		{"flagged", moderation.CommentFilter{Flagged: true}, []int64{ids[1]}},
		{"deleted", moderation.CommentFilter{State: moderation.StateDeleted}, []int64{ids[3]}},
		{"other account", moderation.CommentFilter{AccountKey: "skola"}, nil},
		{"this account", moderation.CommentFilter{AccountKey: "kommun", Limit: 1}, []int64{ids[4]}},
	} {
		views, err := s.ListComments(ctx, tc.f)
		if err != nil {
			t.Fatalf("%s: ListComments: %v", tc.name, err)
		}
		var got []int64
		for _, v := range views {
			got = append(got, v.ID)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

// --- work ---

func testPendingWork(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	var want []int64
	for i := range 4 {
		want = append(want, record(t, s, obs(fmt.Sprintf("c%d", i), "text", i)).CommentID)
	}
	items, err := s.PendingWork(ctx, time.Time{}, 3)
	if err != nil {
		t.Fatalf("PendingWork: %v", err)
	}
	var got []int64
	for _, w := range items {
		got = append(got, w.CommentID)
		if w.Version != 1 || w.Attempts != 0 || w.CreatedAt.IsZero() || w.ID == 0 {
			t.Errorf("item %+v: want version 1, no attempts, a creation time and an id", w)
		}
	}
	if !reflect.DeepEqual(got, want[:3]) {
		t.Errorf("PendingWork(3): got comments %v, want %v", got, want[:3])
	}
}

func testCompleteWork(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	record(t, s, obs("c1", "text", 1))
	record(t, s, obs("c2", "text", 2))
	items, err := s.PendingWork(ctx, time.Time{}, 0)
	if err != nil || len(items) != 2 {
		t.Fatalf("PendingWork: got %d items, err %v, want 2", len(items), err)
	}
	for range 2 {
		if err := s.CompleteWork(ctx, items[0].ID); err != nil {
			t.Fatalf("CompleteWork: %v", err)
		}
	}
	left, err := s.PendingWork(ctx, time.Time{}, 0)
	if err != nil {
		t.Fatalf("PendingWork: %v", err)
	}
	if len(left) != 1 || left[0].ID != items[1].ID {
		t.Errorf("left: got %+v, want only item %d", left, items[1].ID)
	}
	wantNotFound(t, "CompleteWork unknown", s.CompleteWork(ctx, 4711))
}

func testFailWork(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	record(t, s, obs("c1", "text", 1))
	items, err := s.PendingWork(ctx, time.Time{}, 0)
	if err != nil || len(items) != 1 {
		t.Fatalf("PendingWork: got %d items, err %v, want 1", len(items), err)
	}
	for _, reason := range []string{"capture timed out", "browser crashed"} {
		if err := s.FailWork(ctx, items[0].ID, reason, time.Time{}); err != nil {
			t.Fatalf("FailWork: %v", err)
		}
	}
	left, err := s.PendingWork(ctx, time.Time{}, 0)
	if err != nil {
		t.Fatalf("PendingWork: %v", err)
	}
	if len(left) != 1 || left[0].Attempts != 2 {
		t.Errorf("after two failures: got %+v, want the item still pending with 2 attempts", left)
	}
	wantNotFound(t, "FailWork unknown", s.FailWork(ctx, 4711, "x", time.Time{}))
}

// --- verdicts ---

func testSaveVerdict(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	r := record(t, s, obs("c1", "text", 1))
	record(t, s, obs("c1", "text 2", 2))
	v1 := moderation.StoredVerdict{CommentID: r.CommentID, Version: 1, At: at(3), Verdict: moderation.Verdict{
		Categories: []string{moderation.CatPersonalID}, Register: true, Language: "sv", Packs: "sv@1",
		Hits: []moderation.Hit{{RuleID: "pnr", Category: moderation.CatPersonalID, Start: 1, End: 12, Match: "19121212-1212",
			Citation: moderation.Citation{Document: "003", Section: "Känsliga"}, Severity: 3, Suggest: moderation.SuggestHideThenReview}},
	}}
	v2 := moderation.StoredVerdict{CommentID: r.CommentID, Version: 2, At: at(4), Verdict: moderation.Verdict{Question: true}}
	for _, v := range []moderation.StoredVerdict{v2, v1, v1} {
		if err := s.SaveVerdict(ctx, v); err != nil {
			t.Fatalf("SaveVerdict: %v", err)
		}
	}
	got, err := s.LatestVerdict(ctx, r.CommentID)
	if err != nil {
		t.Fatalf("LatestVerdict: %v", err)
	}
	sameTime(t, "At", got.At, v2.At)
	got.At = v2.At
	if !reflect.DeepEqual(got, v2) {
		t.Errorf("LatestVerdict: got %+v, want %+v", got, v2)
	}
	v2.Verdict = v1.Verdict
	if err := s.SaveVerdict(ctx, v2); err != nil {
		t.Fatalf("SaveVerdict replacing: %v", err)
	}
	got, err = s.LatestVerdict(ctx, r.CommentID)
	if err != nil {
		t.Fatalf("LatestVerdict: %v", err)
	}
	got.At = v2.At
	if !reflect.DeepEqual(got, v2) {
		t.Errorf("LatestVerdict after replace: got %+v, want %+v", got, v2)
	}
	if err := s.SaveVerdict(ctx, moderation.StoredVerdict{CommentID: r.CommentID, Version: 9}); err == nil {
		t.Errorf("SaveVerdict of a version never stored: got nil error, want one")
	}
}

func testLatestVerdictNotFound(t *testing.T, h *harness) {
	s := h.store(t)
	r := record(t, s, obs("c1", "text", 1))
	_, err := s.LatestVerdict(context.Background(), r.CommentID)
	wantNotFound(t, "LatestVerdict", err)
}

// --- cases and decisions ---

func openCase(t *testing.T, s moderation.Store, c moderation.Case) (moderation.Case, bool) {
	t.Helper()
	got, created, err := s.OpenCase(context.Background(), c)
	if err != nil {
		t.Fatalf("OpenCase: %v", err)
	}
	return got, created
}

func testOpenCaseOnce(t *testing.T, h *harness) {
	s := h.store(t)
	r := record(t, s, obs("c1", "text", 1))
	first, created := openCase(t, s, moderation.Case{CommentID: r.CommentID, Version: 1,
		Categories: []string{moderation.CatProfanity}, OpenedAt: at(2)})
	if !created || first.ID == 0 || first.State != moderation.CaseOpen || first.AccountKey != "kommun" {
		t.Errorf("first: got %+v created=%v, want a new open case on account kommun", first, created)
	}
	sameTime(t, "OpenedAt", first.OpenedAt, at(2))
	record(t, s, obs("c1", "text 2", 3))
	second, created := openCase(t, s, moderation.Case{CommentID: r.CommentID, Version: 2,
		Categories: []string{moderation.CatProfanity, moderation.CatHate}})
	if created || second.ID != first.ID {
		t.Errorf("second: got id %d created=%v, want id %d created=false", second.ID, created, first.ID)
	}
	if second.Version != 2 || !reflect.DeepEqual(second.Categories, []string{moderation.CatProfanity, moderation.CatHate}) {
		t.Errorf("second: got version %d categories %v, want the new ones", second.Version, second.Categories)
	}
	stored, err := s.Case(context.Background(), first.ID)
	if err != nil {
		t.Fatalf("Case: %v", err)
	}
	if stored.Version != 2 || stored.State != moderation.CaseOpen {
		t.Errorf("stored: got %+v, want version 2, open", stored)
	}
	sameTime(t, "stored OpenedAt", stored.OpenedAt, at(2))
}

func testOpenCaseAfterResolution(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	r := record(t, s, obs("c1", "text", 1))
	first, _ := openCase(t, s, moderation.Case{CommentID: r.CommentID, Version: 1, Categories: []string{moderation.CatHate}})
	if _, err := s.RecordDecision(ctx, moderation.Decision{CaseID: first.ID, Kind: moderation.DecideKeep, By: "anna", Surface: "web"},
		[]moderation.CaseState{moderation.CaseOpen}, moderation.CaseKept); err != nil {
		t.Fatalf("RecordDecision: %v", err)
	}
	second, created := openCase(t, s, moderation.Case{CommentID: r.CommentID, Version: 1, Categories: []string{moderation.CatHate}})
	if !created || second.ID == first.ID {
		t.Errorf("after keep: got id %d created=%v, want a new case", second.ID, created)
	}
}

func testListCases(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	if err := s.UpsertAccount(ctx, moderation.Account{Key: "skola", Platform: moderation.Instagram, PlatformID: "2002"}); err != nil {
		t.Fatalf("UpsertAccount: %v", err)
	}
	var cases []moderation.Case
	for i, cat := range []string{moderation.CatHate, moderation.CatProfanity, moderation.CatHate} {
		o := obs(fmt.Sprintf("c%d", i), "text", i)
		if i == 2 {
			o.AccountKey = "skola"
		}
		r := record(t, s, o)
		c, _ := openCase(t, s, moderation.Case{CommentID: r.CommentID, Version: 1, Categories: []string{cat, moderation.CatAdvertising}})
		cases = append(cases, c)
	}
	if _, err := s.RecordDecision(ctx, moderation.Decision{CaseID: cases[1].ID, Kind: moderation.DecideEscalate, By: "anna"},
		[]moderation.CaseState{moderation.CaseOpen}, moderation.CaseEscalated); err != nil {
		t.Fatalf("RecordDecision: %v", err)
	}
	for _, tc := range []struct {
		name string
		f    moderation.CaseFilter
		want []int64
	}{
		{"all", moderation.CaseFilter{}, []int64{cases[0].ID, cases[1].ID, cases[2].ID}},
		{"account", moderation.CaseFilter{AccountKey: "skola"}, []int64{cases[2].ID}},
		{"states", moderation.CaseFilter{States: []moderation.CaseState{moderation.CaseEscalated, moderation.CaseApproved}}, []int64{cases[1].ID}},
		{"category", moderation.CaseFilter{Category: moderation.CatHate}, []int64{cases[0].ID, cases[2].ID}},
		{"second category", moderation.CaseFilter{Category: moderation.CatAdvertising, Limit: 2}, []int64{cases[0].ID, cases[1].ID}},
		{"nothing", moderation.CaseFilter{Category: moderation.CatCopyright}, nil},
	} {
		got, err := s.ListCases(ctx, tc.f)
		if err != nil {
			t.Fatalf("%s: ListCases: %v", tc.name, err)
		}
		var ids []int64
		for _, c := range got {
			ids = append(ids, c.ID)
		}
		if !reflect.DeepEqual(ids, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, ids, tc.want)
		}
	}
}

func testCaseNotFound(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	_, err := s.Case(ctx, 4711)
	wantNotFound(t, "Case", err)
	_, err = s.RecordDecision(ctx, moderation.Decision{CaseID: 4711, Kind: moderation.DecideKeep},
		[]moderation.CaseState{moderation.CaseOpen}, moderation.CaseKept)
	wantNotFound(t, "RecordDecision", err)
	_, _, err = s.OpenCase(ctx, moderation.Case{CommentID: 4711, Version: 1})
	wantNotFound(t, "OpenCase on an unknown comment", err)
}

func testRecordDecision(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	r := record(t, s, obs("c1", "text", 1))
	c, _ := openCase(t, s, moderation.Case{CommentID: r.CommentID, Version: 1, Categories: []string{moderation.CatHate}})
	d := moderation.Decision{CaseID: c.ID, Kind: moderation.DecideRemove, By: "anna", Surface: "slack", Reason: "hets", At: at(5)}
	got, err := s.RecordDecision(ctx, d, []moderation.CaseState{moderation.CaseOpen, moderation.CaseEscalated}, moderation.CaseApproved)
	if err != nil {
		t.Fatalf("RecordDecision: %v", err)
	}
	if got.ID == 0 {
		t.Errorf("RecordDecision: got no id")
	}
	d.ID = got.ID
	sameTime(t, "At", got.At, d.At)
	got.At = d.At
	if got != d {
		t.Errorf("RecordDecision: got %+v, want %+v", got, d)
	}
	stored, err := s.Case(ctx, c.ID)
	if err != nil {
		t.Fatalf("Case: %v", err)
	}
	if stored.State != moderation.CaseApproved {
		t.Errorf("state: got %q, want %q", stored.State, moderation.CaseApproved)
	}
	sameTime(t, "UpdatedAt", stored.UpdatedAt, d.At)
	ds, err := s.Decisions(ctx, c.ID)
	if err != nil {
		t.Fatalf("Decisions: %v", err)
	}
	if len(ds) != 1 || ds[0].ID != d.ID || ds[0].By != "anna" || ds[0].Reason != "hets" || ds[0].Surface != "slack" {
		t.Errorf("Decisions: got %+v, want the one decision", ds)
	}
	done, err := s.RecordDecision(ctx, moderation.Decision{CaseID: c.ID, Kind: "carried_out", By: "uppsikt", Surface: "cli", At: at(6)},
		[]moderation.CaseState{moderation.CaseApproved}, moderation.CaseDone)
	if err != nil || done.ID == d.ID {
		t.Errorf("second step: got %+v, %v, want a new decision", done, err)
	}
}

func testDecisionConflict(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	r := record(t, s, obs("c1", "text", 1))
	c, _ := openCase(t, s, moderation.Case{CommentID: r.CommentID, Version: 1})
	first, err := s.RecordDecision(ctx, moderation.Decision{CaseID: c.ID, Kind: moderation.DecideKeep, By: "anna", Surface: "web", At: at(2)},
		[]moderation.CaseState{moderation.CaseOpen}, moderation.CaseKept)
	if err != nil {
		t.Fatalf("RecordDecision: %v", err)
	}
	_, err = s.RecordDecision(ctx, moderation.Decision{CaseID: c.ID, Kind: moderation.DecideRemove, By: "bertil", Surface: "slack", At: at(3)},
		[]moderation.CaseState{moderation.CaseOpen}, moderation.CaseApproved)
	var conflict *moderation.ConflictError
	if !errors.As(err, &conflict) {
		t.Fatalf("second decision: got %v, want a *moderation.ConflictError", err)
	}
	if conflict.Existing.ID != first.ID || conflict.Existing.By != "anna" || conflict.Existing.Kind != moderation.DecideKeep {
		t.Errorf("conflict: got existing %+v, want %+v", conflict.Existing, first)
	}
	sameTime(t, "Existing.At", conflict.Existing.At, at(2))
	stored, err := s.Case(ctx, c.ID)
	if err != nil {
		t.Fatalf("Case: %v", err)
	}
	if stored.State != moderation.CaseKept {
		t.Errorf("state: got %q, want %q (unchanged by the loser)", stored.State, moderation.CaseKept)
	}
	if ds, err := s.Decisions(ctx, c.ID); err != nil || len(ds) != 1 {
		t.Errorf("Decisions: got %d, %v, want only the first", len(ds), err)
	}
}

func testDecisionRace(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	r := record(t, s, obs("c1", "text", 1))
	c, _ := openCase(t, s, moderation.Case{CommentID: r.CommentID, Version: 1})
	const reviewers = 8
	var (
		wg        sync.WaitGroup
		start     = make(chan struct{})
		decisions = make([]moderation.Decision, reviewers)
		errs      = make([]error, reviewers)
	)
	for i := range reviewers {
		wg.Go(func() {
			<-start
			decisions[i], errs[i] = s.RecordDecision(ctx, moderation.Decision{
				CaseID: c.ID, Kind: moderation.DecideRemove, By: fmt.Sprintf("reviewer%d", i), Surface: "web", At: at(2),
			}, []moderation.CaseState{moderation.CaseOpen}, moderation.CaseApproved)
		})
	}
	close(start)
	wg.Wait()
	var winner moderation.Decision
	wins := 0
	for i, err := range errs {
		if err == nil {
			wins++
			winner = decisions[i]
		}
	}
	if wins != 1 {
		t.Fatalf("wins: got %d, want exactly 1 (errors %v)", wins, errs)
	}
	for i, err := range errs {
		if err == nil {
			continue
		}
		var conflict *moderation.ConflictError
		if !errors.As(err, &conflict) {
			t.Errorf("reviewer %d: got %v, want a *moderation.ConflictError", i, err)
			continue
		}
		if conflict.Existing.ID != winner.ID || conflict.Existing.By != winner.By {
			t.Errorf("reviewer %d: conflict names %+v, want the winner %+v", i, conflict.Existing, winner)
		}
	}
	if ds, err := s.Decisions(ctx, c.ID); err != nil || len(ds) != 1 {
		t.Errorf("Decisions: got %d, %v, want 1", len(ds), err)
	}
}

// --- actions ---

func testEnqueueAction(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	r := record(t, s, obs("c1", "text", 1))
	c, _ := openCase(t, s, moderation.Case{CommentID: r.CommentID, Version: 1})
	a := moderation.Action{CommentID: r.CommentID, CaseID: c.ID, Kind: moderation.ActReply, Payload: "Vi har tagit bort din kommentar.", CreatedAt: at(2)}
	first, created, err := s.EnqueueAction(ctx, a)
	if err != nil || !created {
		t.Fatalf("EnqueueAction: got created=%v err=%v, want true, nil", created, err)
	}
	if first.ID == 0 || first.State != moderation.ActionPending || first.Payload != a.Payload || first.CaseID != c.ID || first.Attempts != 0 {
		t.Errorf("EnqueueAction: got %+v, want a pending action with the payload", first)
	}
	sameTime(t, "CreatedAt", first.CreatedAt, at(2))
	again, created, err := s.EnqueueAction(ctx, a)
	if err != nil || created || again.ID != first.ID {
		t.Errorf("again: got id %d created=%v err=%v, want id %d, false, nil", again.ID, created, err, first.ID)
	}
	// Same comment, other kind; and an action tied to no case, twice.
	noCase := moderation.Action{CommentID: r.CommentID, Kind: moderation.ActHide}
	for _, b := range []moderation.Action{{CommentID: r.CommentID, CaseID: c.ID, Kind: moderation.ActDelete}, noCase, noCase} {
		if _, _, err := s.EnqueueAction(ctx, b); err != nil {
			t.Fatalf("EnqueueAction(%s): %v", b.Kind, err)
		}
	}
	all, err := s.Actions(ctx, r.CommentID)
	if err != nil {
		t.Fatalf("Actions: %v", err)
	}
	var kinds []string
	for _, a := range all {
		kinds = append(kinds, a.Kind)
	}
	if want := []string{moderation.ActReply, moderation.ActDelete, moderation.ActHide}; !reflect.DeepEqual(kinds, want) {
		t.Errorf("Actions: got %v, want %v", kinds, want)
	}
	if all[2].CaseID != 0 {
		t.Errorf("action without case: got CaseID %d, want 0", all[2].CaseID)
	}
	pending, err := s.PendingActions(ctx, time.Time{}, 2)
	if err != nil || len(pending) != 2 || pending[0].ID != first.ID {
		t.Errorf("PendingActions(2): got %d (%v), want 2 starting with %d", len(pending), err, first.ID)
	}
}

func testFinishAction(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	r := record(t, s, obs("c1", "text", 1))
	a, _, err := s.EnqueueAction(ctx, moderation.Action{CommentID: r.CommentID, Kind: moderation.ActReply, Payload: "Hej"})
	if err != nil {
		t.Fatalf("EnqueueAction: %v", err)
	}
	if err := s.FinishAction(ctx, a.ID, moderation.ActionPending, "", "rate limited"); err != nil {
		t.Fatalf("FinishAction pending: %v", err)
	}
	if err := s.FinishAction(ctx, a.ID, moderation.ActionDone, "reply-77", ""); err != nil {
		t.Fatalf("FinishAction done: %v", err)
	}
	if err := s.FinishAction(ctx, a.ID, moderation.ActionDone, "reply-78", ""); err != nil {
		t.Fatalf("FinishAction done again: %v", err)
	}
	all, err := s.Actions(ctx, r.CommentID)
	if err != nil || len(all) != 1 {
		t.Fatalf("Actions: got %d, %v, want 1", len(all), err)
	}
	got := all[0]
	if got.State != moderation.ActionDone || got.PlatformRef != "reply-77" || got.Attempts != 2 || got.LastError != "" || got.DoneAt.IsZero() {
		t.Errorf("finished: got %+v, want done, ref reply-77, 2 attempts, a DoneAt", got)
	}
	if pending, err := s.PendingActions(ctx, time.Time{}, 0); err != nil || len(pending) != 0 {
		t.Errorf("PendingActions: got %d, %v, want none", len(pending), err)
	}
	if byRef, err := s.ActionByRef(ctx, "reply-77"); err != nil || byRef.ID != a.ID {
		t.Errorf("ActionByRef(reply-77): got id %d, %v, want %d", byRef.ID, err, a.ID)
	}
	_, err = s.ActionByRef(ctx, "reply-78")
	wantNotFound(t, "ActionByRef of a reference never recorded", err)
	_, err = s.ActionByRef(ctx, "")
	wantNotFound(t, "ActionByRef of no reference", err)
	wantNotFound(t, "FinishAction unknown", s.FinishAction(ctx, 4711, moderation.ActionDone, "", ""))
}

// --- evidence ---

func testAddEvidence(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	r := record(t, s, obs("c1", "text", 1))
	e := moderation.EvidenceFile{CommentID: r.CommentID, Kind: "pdf", SHA256: "ab12", Path: "ab/ab12.pdf", Size: 2048, CreatedAt: at(3), Version: 1}
	first, err := s.AddEvidence(ctx, e)
	if err != nil {
		t.Fatalf("AddEvidence: %v", err)
	}
	if first.ID == 0 {
		t.Errorf("AddEvidence: got no id")
	}
	e.ID = first.ID
	sameTime(t, "CreatedAt", first.CreatedAt, e.CreatedAt)
	first.CreatedAt = e.CreatedAt
	if first != e {
		t.Errorf("AddEvidence: got %+v, want %+v", first, e)
	}
	again, err := s.AddEvidence(ctx, moderation.EvidenceFile{CommentID: r.CommentID, Kind: "pdf", SHA256: "ab12", Path: "elsewhere.pdf", Size: 1})
	if err != nil || again.ID != first.ID || again.Path != e.Path {
		t.Errorf("again: got %+v, %v, want the first file", again, err)
	}
	if _, err := s.AddEvidence(ctx, moderation.EvidenceFile{CommentID: r.CommentID, Kind: "screenshot", SHA256: "cd34", Path: "cd/cd34.png"}); err != nil {
		t.Fatalf("AddEvidence: %v", err)
	}
	files, err := s.Evidence(ctx, r.CommentID)
	if err != nil || len(files) != 2 {
		t.Errorf("Evidence: got %d, %v, want 2", len(files), err)
	}
}

func testListEvidence(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	r := record(t, s, obs("c1", "text", 1))
	var ids []int64
	for i := range 5 {
		e, err := s.AddEvidence(ctx, moderation.EvidenceFile{CommentID: r.CommentID, Kind: "pdf", SHA256: fmt.Sprintf("h%d", i), Path: fmt.Sprintf("p%d", i)})
		if err != nil {
			t.Fatalf("AddEvidence: %v", err)
		}
		ids = append(ids, e.ID)
	}
	page, err := s.ListEvidence(ctx, ids[1], 2)
	if err != nil {
		t.Fatalf("ListEvidence: %v", err)
	}
	if len(page) != 2 || page[0].ID != ids[2] || page[1].ID != ids[3] {
		t.Errorf("ListEvidence(after %d, 2): got %+v, want ids %v", ids[1], page, ids[2:4])
	}
}

// --- register ---

func number(year, seq int) string { return fmt.Sprintf("KS %d/%04d", year, seq) }

func testRegisterNumbering(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	var got []string
	for i, year := range []int{2026, 2026, 2027, 2026} {
		r := record(t, s, obs(fmt.Sprintf("c%d", i), "text", i))
		e, err := s.CreateRegisterEntry(ctx, moderation.RegisterEntry{Year: year, CommentID: r.CommentID, Reason: "hets", CreatedAt: at(i)}, number)
		if err != nil {
			t.Fatalf("CreateRegisterEntry: %v", err)
		}
		got = append(got, e.Number)
	}
	if want := []string{"KS 2026/0001", "KS 2026/0002", "KS 2027/0001", "KS 2026/0003"}; !reflect.DeepEqual(got, want) {
		t.Errorf("numbers: got %v, want %v", got, want)
	}
	es, err := s.RegisterEntries(ctx, 2026)
	if err != nil {
		t.Fatalf("RegisterEntries: %v", err)
	}
	if len(es) != 3 || es[0].Seq != 1 || es[2].Seq != 3 || es[2].Year != 2026 || es[0].Reason != "hets" {
		t.Errorf("RegisterEntries(2026): got %+v, want seq 1..3", es)
	}
	sameTime(t, "CreatedAt", es[0].CreatedAt, at(0))
	if !es[0].Delivered.IsZero() {
		t.Errorf("Delivered: got %v, want zero", es[0].Delivered)
	}
}

func testRegisterIdempotent(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	r := record(t, s, obs("c1", "text", 1))
	c, _ := openCase(t, s, moderation.Case{CommentID: r.CommentID, Version: 1})
	first, err := s.CreateRegisterEntry(ctx, moderation.RegisterEntry{Year: 2026, CommentID: r.CommentID, CaseID: c.ID}, number)
	if err != nil {
		t.Fatalf("CreateRegisterEntry: %v", err)
	}
	again, err := s.CreateRegisterEntry(ctx, moderation.RegisterEntry{Year: 2026, CommentID: r.CommentID, CaseID: c.ID}, number)
	if err != nil || again.ID != first.ID || again.Number != first.Number {
		t.Errorf("again: got %+v, %v, want %+v", again, err, first)
	}
	noCase, err := s.CreateRegisterEntry(ctx, moderation.RegisterEntry{Year: 2026, CommentID: r.CommentID}, number)
	if err != nil || noCase.ID == first.ID || noCase.Seq != 2 || noCase.CaseID != 0 {
		t.Errorf("without case: got %+v, %v, want a second entry, seq 2", noCase, err)
	}
	noCaseAgain, err := s.CreateRegisterEntry(ctx, moderation.RegisterEntry{Year: 2026, CommentID: r.CommentID}, number)
	if err != nil || noCaseAgain.ID != noCase.ID {
		t.Errorf("without case again: got %+v, %v, want %+v", noCaseAgain, err, noCase)
	}
}

func testRegisterConcurrent(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	const n = 12
	var ids []int64
	for i := range n / 2 {
		ids = append(ids, record(t, s, obs(fmt.Sprintf("c%d", i), "text", i)).CommentID)
	}
	var (
		wg      sync.WaitGroup
		start   = make(chan struct{})
		entries = make([]moderation.RegisterEntry, n)
		errs    = make([]error, n)
	)
	// Two calls per comment: each pair must agree, and the pairs must get
	// six different numbers.
	for i := range n {
		wg.Go(func() {
			<-start
			entries[i], errs[i] = s.CreateRegisterEntry(ctx, moderation.RegisterEntry{Year: 2026, CommentID: ids[i/2]}, number)
		})
	}
	close(start)
	wg.Wait()
	seqs := map[int]int64{}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("CreateRegisterEntry %d: %v", i, errs[i])
		}
		if other, ok := seqs[entries[i].Seq]; ok && other != entries[i].CommentID {
			t.Errorf("seq %d given to comments %d and %d", entries[i].Seq, other, entries[i].CommentID)
		}
		seqs[entries[i].Seq] = entries[i].CommentID
	}
	for seq := 1; seq <= n/2; seq++ {
		if _, ok := seqs[seq]; !ok {
			t.Errorf("seq %d: missing, got %v", seq, seqs)
		}
	}
}

func testRegisterDelivered(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	r := record(t, s, obs("c1", "text", 1))
	e, err := s.CreateRegisterEntry(ctx, moderation.RegisterEntry{Year: 2026, CommentID: r.CommentID}, number)
	if err != nil {
		t.Fatalf("CreateRegisterEntry: %v", err)
	}
	for _, m := range []int{5, 9} {
		if err := s.MarkRegisterDelivered(ctx, e.ID, at(m)); err != nil {
			t.Fatalf("MarkRegisterDelivered: %v", err)
		}
	}
	es, err := s.RegisterEntries(ctx, 2026)
	if err != nil || len(es) != 1 {
		t.Fatalf("RegisterEntries: got %d, %v, want 1", len(es), err)
	}
	sameTime(t, "Delivered", es[0].Delivered, at(5))
	wantNotFound(t, "MarkRegisterDelivered unknown", s.MarkRegisterDelivered(ctx, 4711, at(1)))
}

// --- audit ---

func testAuditChain(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	for i, a := range []string{"decision.remove", "action.delete", "register.create"} {
		e, err := s.AppendAudit(ctx, moderation.AuditEntry{
			At: at(i), Actor: "anna", Action: a, Subject: fmt.Sprintf("case/%d", i+1),
			Detail: json.RawMessage(`{"n":` + fmt.Sprint(i) + `}`),
			// Whatever the caller puts here is replaced by the store.
			Seq: 99, PrevHash: "forged", Hash: "forged",
		})
		if err != nil {
			t.Fatalf("AppendAudit: %v", err)
		}
		if e.Seq != int64(i+1) {
			t.Errorf("entry %d: got seq %d, want %d", i, e.Seq, i+1)
		}
		if e.Hash != e.ComputeHash() {
			t.Errorf("entry %d: returned hash does not match ComputeHash", i)
		}
	}
	log, err := s.AuditLog(ctx, 0, 0)
	if err != nil {
		t.Fatalf("AuditLog: %v", err)
	}
	if len(log) != 3 {
		t.Fatalf("AuditLog: got %d entries, want 3", len(log))
	}
	prev := ""
	for i, e := range log {
		if e.Seq != int64(i+1) || e.PrevHash != prev || e.Hash != e.ComputeHash() {
			t.Errorf("entry %d breaks the chain: %+v", i, e)
		}
		sameTime(t, "At", e.At, at(i))
		prev = e.Hash
	}
	if log[0].PrevHash != "" {
		t.Errorf("first PrevHash: got %q, want empty", log[0].PrevHash)
	}
	if string(log[1].Detail) != `{"n":1}` {
		t.Errorf("Detail: got %s, want %s", log[1].Detail, `{"n":1}`)
	}
}

func testAuditPaging(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	for i := range 5 {
		if _, err := s.AppendAudit(ctx, moderation.AuditEntry{At: at(i), Actor: "uppsikt", Action: "poll"}); err != nil {
			t.Fatalf("AppendAudit: %v", err)
		}
	}
	page, err := s.AuditLog(ctx, 2, 2)
	if err != nil {
		t.Fatalf("AuditLog: %v", err)
	}
	if len(page) != 2 || page[0].Seq != 3 || page[1].Seq != 4 {
		t.Errorf("AuditLog(2, 2): got %+v, want seq 3 and 4", page)
	}
}

// --- cursors and schedules ---

func testCursorZero(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	got, err := s.Cursor(ctx, "kommun")
	if err != nil {
		t.Fatalf("Cursor: %v", err)
	}
	if want := (moderation.Cursor{AccountKey: "kommun"}); got != want {
		t.Errorf("Cursor: got %+v, want %+v", got, want)
	}
	_, err = s.Cursor(ctx, "saknas")
	wantNotFound(t, "Cursor of unknown account", err)
	wantNotFound(t, "SetCursor of unknown account", s.SetCursor(ctx, moderation.Cursor{AccountKey: "saknas"}))
}

func testCursorRoundTrip(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	for _, c := range []moderation.Cursor{
		{AccountKey: "kommun", Since: at(1), Token: "abc", UpdatedAt: at(2)},
		{AccountKey: "kommun", Since: at(3), Token: "def", UpdatedAt: at(4)},
	} {
		if err := s.SetCursor(ctx, c); err != nil {
			t.Fatalf("SetCursor: %v", err)
		}
		got, err := s.Cursor(ctx, "kommun")
		if err != nil {
			t.Fatalf("Cursor: %v", err)
		}
		sameTime(t, "Since", got.Since, c.Since)
		sameTime(t, "UpdatedAt", got.UpdatedAt, c.UpdatedAt)
		if got.Token != c.Token || got.AccountKey != c.AccountKey {
			t.Errorf("Cursor: got %+v, want %+v", got, c)
		}
	}
}

func testScheduleZero(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	got, err := s.Schedule(ctx, "kommun")
	if err != nil {
		t.Fatalf("Schedule: %v", err)
	}
	if want := (moderation.Schedule{AccountKey: "kommun"}); got != want {
		t.Errorf("Schedule: got %+v, want %+v", got, want)
	}
	_, err = s.Schedule(ctx, "saknas")
	wantNotFound(t, "Schedule of unknown account", err)
	wantNotFound(t, "SetSchedule of unknown account", s.SetSchedule(ctx, moderation.Schedule{AccountKey: "saknas"}))
}

func testScheduleRoundTrip(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	want := moderation.Schedule{AccountKey: "kommun", NextPollAt: at(10), NextReconcile: at(60), CrisisUntil: at(120),
		CrisisEvery: 90 * time.Second, LastPollAt: at(5), LastError: "graph 613"}
	if err := s.SetSchedule(ctx, want); err != nil {
		t.Fatalf("SetSchedule: %v", err)
	}
	got, err := s.Schedule(ctx, "kommun")
	if err != nil {
		t.Fatalf("Schedule: %v", err)
	}
	sameTime(t, "NextPollAt", got.NextPollAt, want.NextPollAt)
	sameTime(t, "NextReconcile", got.NextReconcile, want.NextReconcile)
	sameTime(t, "CrisisUntil", got.CrisisUntil, want.CrisisUntil)
	sameTime(t, "LastPollAt", got.LastPollAt, want.LastPollAt)
	if got.CrisisEvery != want.CrisisEvery || got.LastError != want.LastError || got.AccountKey != want.AccountKey {
		t.Errorf("Schedule: got %+v, want %+v", got, want)
	}
}

func testDueSchedules(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	for _, k := range []string{"a", "b", "c"} {
		if err := s.UpsertAccount(ctx, moderation.Account{Key: k, Platform: moderation.Webpage, PlatformID: "https://" + k + ".test"}); err != nil {
			t.Fatalf("UpsertAccount: %v", err)
		}
	}
	for _, sc := range []moderation.Schedule{
		{AccountKey: "a", NextPollAt: at(10), NextReconcile: at(100)}, // poll due at 10
		{AccountKey: "b", NextPollAt: at(50), NextReconcile: at(5)},   // reconcile due at 5
		{AccountKey: "c", NextPollAt: at(30), NextReconcile: at(30)},  // due at 30
	} {
		if err := s.SetSchedule(ctx, sc); err != nil {
			t.Fatalf("SetSchedule: %v", err)
		}
	}
	for _, tc := range []struct {
		name string
		now  time.Time
		want []string
	}{
		{"before any", at(4), nil},
		{"exactly at a reconcile", at(5), []string{"b"}},
		{"two due, most overdue first", at(20), []string{"b", "a"}},
		{"all due", at(30).UTC(), []string{"b", "a", "c"}},
	} {
		due, err := s.DueSchedules(ctx, tc.now)
		if err != nil {
			t.Fatalf("%s: DueSchedules: %v", tc.name, err)
		}
		var got []string
		for _, sc := range due {
			got = append(got, sc.AccountKey)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

// --- webhooks ---

func testWebhookEvents(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	body := []byte(`{"object":"page","entry":[]}`)
	id1, err := s.SaveWebhookEvent(ctx, moderation.WebhookEvent{Object: "page", Body: body, ReceivedAt: at(1)})
	if err != nil {
		t.Fatalf("SaveWebhookEvent: %v", err)
	}
	id2, err := s.SaveWebhookEvent(ctx, moderation.WebhookEvent{Object: "instagram", Body: []byte(`{}`), ReceivedAt: at(2)})
	if err != nil {
		t.Fatalf("SaveWebhookEvent: %v", err)
	}
	pending, err := s.PendingWebhookEvents(ctx, time.Time{}, 0)
	if err != nil || len(pending) != 2 {
		t.Fatalf("PendingWebhookEvents: got %d, %v, want 2", len(pending), err)
	}
	if pending[0].ID != id1 || pending[0].Object != "page" || string(pending[0].Body) != string(body) || pending[0].Done {
		t.Errorf("first event: got %+v, want the page delivery", pending[0])
	}
	sameTime(t, "ReceivedAt", pending[0].ReceivedAt, at(1))
	if err := s.FinishWebhookEvent(ctx, id1, ""); err != nil {
		t.Fatalf("FinishWebhookEvent: %v", err)
	}
	pending, err = s.PendingWebhookEvents(ctx, time.Time{}, 0)
	if err != nil || len(pending) != 1 || pending[0].ID != id2 {
		t.Errorf("after finishing the first: got %+v, %v, want only %d", pending, err, id2)
	}
	wantNotFound(t, "FinishWebhookEvent unknown", s.FinishWebhookEvent(ctx, 4711, ""))
}

// --- stats ---

func testStats(t *testing.T, h *harness) {
	ctx := context.Background()
	s := h.store(t)
	if _, err := s.SavePost(ctx, moderation.Post{AccountKey: "kommun", PlatformID: "1001_1", Message: "Inlägget"}); err != nil {
		t.Fatalf("SavePost: %v", err)
	}
	r1 := record(t, s, obs("c1", "ett", 1))
	record(t, s, obs("c1", "ett, ändrad", 2))
	r2 := record(t, s, obs("c2", "två", 1))
	hidden := obs("c3", "tre", 1)
	hidden.Hidden = true
	record(t, s, hidden)
	stub := obs("c4", "fyra", 1)
	stub.PostID = "1001_2" // a post known only from this comment
	record(t, s, stub)
	if _, err := s.RecordStateChange(ctx, moderation.StateChange{AccountKey: "kommun", PlatformID: "c2", State: moderation.StateDeleted, At: at(3)}); err != nil {
		t.Fatalf("RecordStateChange: %v", err)
	}
	flag := moderation.Verdict{Categories: []string{moderation.CatHate}}
	// c1: flagged at version 1, clean at version 2: not flagged now.
	// c2: flagged at version 1.
	for _, v := range []moderation.StoredVerdict{
		{CommentID: r1.CommentID, Version: 1, Verdict: flag},
		{CommentID: r1.CommentID, Version: 2},
		{CommentID: r2.CommentID, Version: 1, Verdict: flag},
	} {
		if err := s.SaveVerdict(ctx, v); err != nil {
			t.Fatalf("SaveVerdict: %v", err)
		}
	}
	items, err := s.PendingWork(ctx, time.Time{}, 1)
	if err != nil || len(items) != 1 {
		t.Fatalf("PendingWork: %v", err)
	}
	if err := s.CompleteWork(ctx, items[0].ID); err != nil {
		t.Fatalf("CompleteWork: %v", err)
	}
	got, err := s.Stats(ctx)
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	want := moderation.Stats{Accounts: 1, Posts: 1, Comments: 4, Versions: 5, Flagged: 1, Deleted: 1, Hidden: 1, Pending: 4}
	if got != want {
		t.Errorf("Stats: got %+v, want %+v", got, want)
	}
}
