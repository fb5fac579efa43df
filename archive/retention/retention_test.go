package retention

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/moderation"
)

func openStore(t *testing.T) *sqlite.Store {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "uppsikt.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	for _, k := range []string{"fb", "ig"} {
		if err := st.UpsertAccount(ctx, moderation.Account{Key: k, Platform: moderation.Facebook, PlatformID: "page-" + k, Name: k}); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

func comment(t *testing.T, st *sqlite.Store, account, id string, seen time.Time) int64 {
	t.Helper()
	r, err := st.RecordComment(context.Background(), moderation.CommentObservation{AccountKey: account, PostID: account + "_p", PlatformID: id,
		Message: "Snöröjningen är inte gjord på Björkvägen", Source: moderation.SourcePoll, SeenAt: seen, CreatedAt: seen})
	if err != nil {
		t.Fatal(err)
	}
	items, _ := st.PendingWork(context.Background(), time.Time{}, 0)
	for _, it := range items {
		st.CompleteWork(context.Background(), it.ID)
	}
	return r.CommentID
}

func TestRunByPlan(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		months    int
		hold      string // account under a legal hold
		dry       bool
		wantItems map[string]int
		wantLog   int
	}{
		{name: "default plan: older than 12 months", wantItems: map[string]int{"fb": 1, "ig": 1}, wantLog: 2},
		{name: "plan of 6 months", months: 6, wantItems: map[string]int{"fb": 2, "ig": 1}, wantLog: 2},
		{name: "legal hold on one account", hold: "fb", wantItems: map[string]int{"fb": 0, "ig": 1}, wantLog: 1},
		{name: "dry run", dry: true, wantItems: map[string]int{"fb": 1, "ig": 1}, wantLog: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := openStore(t)
			comment(t, st, "fb", "old", now.AddDate(0, -13, 0))
			comment(t, st, "fb", "mid", now.AddDate(0, -8, 0))
			comment(t, st, "fb", "new", now.AddDate(0, -1, 0))
			comment(t, st, "ig", "old-ig", now.AddDate(-2, 0, 0))
			if tt.hold != "" {
				if _, err := st.PlaceLegalHold(ctx, moderation.LegalHold{AccountKey: tt.hold, Reason: "begäran från JO", PlacedBy: "jurist"}); err != nil {
					t.Fatal(err)
				}
			}
			ds, err := Run(ctx, st, Plan{CommentTextMonths: tt.months}, now, "", tt.dry, "arkivarie")
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			got := map[string]int{}
			for _, d := range ds {
				got[d.AccountKey] = d.Items
				if d.Rule != "Tillfällig eller ringa betydelse" {
					t.Errorf("rule: got %q, want the default", d.Rule)
				}
			}
			for k, want := range tt.wantItems {
				if got[k] != want {
					t.Errorf("disposed on %s: got %d, want %d", k, got[k], want)
				}
			}
			log, err := st.Disposals(ctx, "")
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, d := range log {
				if d.Items > 0 {
					n++
				}
			}
			if n != tt.wantLog {
				t.Errorf("disposal log entries with items: got %d, want %d", n, tt.wantLog)
			}
		})
	}
}

func TestOverduePostsAndGuard(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	save := func(id, author string, created time.Time, raw string) {
		if _, err := st.SavePost(ctx, moderation.Post{AccountKey: "fb", PlatformID: id, Author: moderation.Author{ID: author},
			CreatedAt: created, Raw: []byte(raw)}); err != nil {
			t.Fatal(err)
		}
	}
	save("post-3y", "page-fb", now.AddDate(-3, 0, 0), `{}`)
	save("album-30m", "page-fb", now.AddDate(0, -30, 0), `{"attachments":{"data":[{"type":"album"}]}}`)
	save("album-4y", "page-fb", now.AddDate(-4, 0, 0), `{"attachments":{"data":[{"type":"album"}]}}`)
	save("visitor-3y", "someone", now.AddDate(-3, 0, -1), `{}`)
	save("post-1y", "page-fb", now.AddDate(-1, 0, 0), `{}`)

	list, err := OverduePosts(ctx, st, Plan{}, "fb", now)
	if err != nil {
		t.Fatalf("OverduePosts: %v", err)
	}
	var ids []string
	for _, o := range list {
		ids = append(ids, o.Post.PlatformID)
		if o.Snapshot != nil {
			t.Errorf("%s: got a covering snapshot before any was taken", o.Post.PlatformID)
		}
	}
	if got, want := ids, []string{"album-4y", "post-3y"}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("overdue posts: got %v, want %v", got, want)
	}

	if _, err := CheckDeletable(ctx, st, Plan{}, "fb", "post-3y", now); !errors.Is(err, ErrNotInSnapshot) {
		t.Errorf("delete before a snapshot: got %v, want ErrNotInSnapshot", err)
	}
	if _, err := CheckDeletable(ctx, st, Plan{}, "fb", "post-1y", now); !errors.Is(err, ErrNotOverdue) {
		t.Errorf("delete a young post: got %v, want ErrNotOverdue", err)
	}
	if _, err := CheckDeletable(ctx, st, Plan{}, "fb", "visitor-3y", now); err == nil {
		t.Errorf("delete a visitor's post: got no error, want one")
	}
	y := now.AddDate(-3, 0, 0).Year()
	from := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	// A snapshot taken before the post was made does not cover it.
	if _, err := st.RecordSnapshot(ctx, moderation.SnapshotRecord{AccountKey: "fb", Kind: moderation.SnapshotManual, From: from,
		To: from.AddDate(1, 0, 0), Path: "early.pdf", SHA256: "00", CreatedAt: now.AddDate(-3, 0, -2)}); err != nil {
		t.Fatal(err)
	}
	if _, err := CheckDeletable(ctx, st, Plan{}, "fb", "post-3y", now); !errors.Is(err, ErrNotInSnapshot) {
		t.Errorf("delete with only an earlier snapshot: got %v, want ErrNotInSnapshot", err)
	}
	if _, err := st.RecordSnapshot(ctx, moderation.SnapshotRecord{AccountKey: "fb", Kind: moderation.SnapshotYearly, From: from,
		To: from.AddDate(1, 0, 0), Path: "year.pdf", SHA256: "11", CreatedAt: from.AddDate(1, 0, 14)}); err != nil {
		t.Fatal(err)
	}
	o, err := CheckDeletable(ctx, st, Plan{}, "fb", "post-3y", now)
	if err != nil || o.Snapshot == nil || o.Snapshot.Path != "year.pdf" {
		t.Errorf("delete after the yearly snapshot: got %+v, %v; want allowed, covered by year.pdf", o.Snapshot, err)
	}
}
