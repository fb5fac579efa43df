package snapshot

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/testenv"
)

// neutralStore holds an account whose content (names, texts) is in no
// language: a post with a comment removed after review, a disposed one, a
// hidden one and one no longer on the platform, and a reply.
func neutralStore(t *testing.T) *sqlite.Store {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "uppsikt.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.UpsertAccount(ctx, moderation.Account{Key: "fb", Platform: moderation.Facebook, PlatformID: "100",
		Name: "Gruvberg", Owners: []string{"Alex"}, Substitutes: []string{"Sam"}}); err != nil {
		t.Fatalf("UpsertAccount: %v", err)
	}
	at := time.Date(2025, 3, 3, 7, 0, 0, 0, time.UTC)
	if _, err := st.SavePost(ctx, moderation.Post{AccountKey: "fb", PlatformID: "p1", Message: "123", CreatedAt: at,
		Author: moderation.Author{ID: "100", Name: "Gruvberg"}, PermalinkURL: "https://example.test/p1"}); err != nil {
		t.Fatalf("SavePost: %v", err)
	}
	ids := map[string]int64{}
	for i, c := range []struct{ id, parent string }{{"c1", ""}, {"c2", "c1"}, {"c3", ""}, {"c4", ""}, {"c5", ""}} {
		seen := at.Add(time.Duration(i+1) * time.Hour)
		if c.id == "c3" {
			seen = time.Date(2025, 1, 5, 9, 0, 0, 0, time.UTC) // before the disposal cutoff
		}
		r, err := st.RecordComment(ctx, moderation.CommentObservation{AccountKey: "fb", PostID: "p1", PlatformID: c.id, ParentID: c.parent,
			Author: moderation.Author{ID: "u" + c.id, Name: "Kim"}, Message: "xyz " + c.id, CreatedAt: seen, Source: moderation.SourcePoll, SeenAt: seen})
		if err != nil {
			t.Fatalf("RecordComment: %v", err)
		}
		ids[c.id] = r.CommentID
	}
	items, _ := st.PendingWork(ctx, time.Time{}, 0)
	for _, it := range items {
		st.CompleteWork(ctx, it.ID)
	}
	if _, err := st.CreateRegisterEntry(ctx, moderation.RegisterEntry{Year: 2025, CommentID: ids["c1"], Reason: "x"},
		func(y, n int) string { return fmt.Sprintf("KS %d/%04d", y, n) }); err != nil {
		t.Fatalf("CreateRegisterEntry: %v", err)
	}
	for id, state := range map[string]moderation.CommentState{"c1": moderation.StateDeleted, "c4": moderation.StateHidden} {
		if _, err := st.RecordStateChange(ctx, moderation.StateChange{AccountKey: "fb", PlatformID: id, State: state,
			At: at.Add(12 * time.Hour), Source: moderation.SourceAction}); err != nil {
			t.Fatalf("RecordStateChange: %v", err)
		}
	}
	if _, err := st.DisposeCommentText(ctx, moderation.DisposalRequest{AccountKey: "fb", Rule: "test", Cutoff: time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatalf("DisposeCommentText: %v", err)
	}
	return st
}

func snapshotTables() map[string][]string {
	out := map[string][]string{}
	for lang, w := range words {
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out[lang] = append(out[lang], w[k])
		}
	}
	return out
}

// TestSnapshotInEveryLanguage writes the yearly snapshot of an account in
// sv, da and en and finds no text of another language in it (pdftotext).
func TestSnapshotInEveryLanguage(t *testing.T) {
	testenv.NeedTools(t, "gs", "pdftotext")
	tables := snapshotTables()
	want := map[string][]string{
		"sv": {"Ögonblicksbild av Gruvberg", "årlig ögonblicksbild", "Se diarienummer KS 2025/0001", "Mars 2025", "Innehållsförteckning", "gallrad"},
		"da": {"Øjebliksbillede af Gruvberg", "årligt øjebliksbillede", "Se journalnummer KS 2025/0001", "Marts 2025", "Indholdsfortegnelse", "kasseret"},
		"en": {"Snapshot of Gruvberg", "yearly snapshot", "See register number KS 2025/0001", "March 2025", "Table of contents", "disposed of"},
	}
	st := neutralStore(t)
	for _, lang := range Languages() {
		t.Run(lang, func(t *testing.T) {
			sto, _ := time.LoadLocation("Europe/Stockholm")
			live := platform{"p1": {"c2": "xyz c2"}} // c5 is no longer on the platform
			w := New(Options{Store: st, Live: live, Location: sto, Language: lang, Now: func() time.Time { return time.Date(2026, 1, 15, 8, 0, 0, 0, time.UTC) }})
			from, to := Year(2025, sto)
			out := filepath.Join(t.TempDir(), "fb-2025.pdf")
			if _, err := w.Write(context.Background(), Request{AccountKey: "fb", Kind: moderation.SnapshotYearly, From: from, To: to, Out: out,
				PageURLs: []string{"https://example.test/100"}, ContentOnly: true, ContentOnlyReason: "x"}); err != nil {
				t.Fatalf("Write: %v", err)
			}
			text := run(t, "pdftotext", "-enc", "UTF-8", out, "-")
			if got := testenv.Foreign(text, lang, tables); len(got) > 0 {
				t.Errorf("the %s snapshot has text of another language: got %q, want none", lang, got)
			}
			flat := strings.Join(strings.Fields(text), " ")
			for _, w := range want[lang] {
				if !strings.Contains(flat, w) {
					t.Errorf("pdftotext output lacks %q", w)
				}
			}
		})
	}
}
