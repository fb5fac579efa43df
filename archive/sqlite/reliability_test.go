package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// TestUpgradeFreesExhaustedQueue opens a database written before migration
// 0006 whose queue is stalled as the issue found it — the oldest items have
// used up five attempts — and a hide waiting, then upgrades it: every item
// is due again with its attempts kept, none is set aside, the hide is due,
// and evidence written before records version 0 (unknown).
func TestUpgradeFreesExhaustedQueue(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "uppsikt.db")
	all, err := loadMigrations(migrationFS)
	if err != nil {
		t.Fatal(err)
	}
	var before []migration
	for _, m := range all {
		if m.version < 6 {
			before = append(before, m)
		}
	}
	s, err := open(ctx, path, before)
	if err != nil {
		t.Fatalf("open at version 5: %v", err)
	}
	seed(t, s, 3)
	if _, err := s.AddEvidence(ctx, moderation.EvidenceFile{CommentID: 1, Kind: "pdf", SHA256: "ab12", Path: "ab/ab12.pdf", Size: 1}); err == nil {
		t.Fatal("AddEvidence on a version 5 database: got no error, want the missing version column to show this test runs on the old schema")
	}
	s.Close()
	db := rawDB(t, path)
	for _, q := range []string{
		`UPDATE work_items SET attempts = 5, last_error = 'mkdir: not a directory' WHERE comment_id <= 2`,
		`INSERT INTO actions (comment_id, kind, state, created_at) VALUES (1, 'hide', 'pending', 1)`,
		`INSERT INTO evidence_files (comment_id, kind, sha256, path, size, created_at) VALUES (1, 'pdf', 'ab12', 'ab/ab12.pdf', 1, 1)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	s, err = open(ctx, path, all)
	if err != nil {
		t.Fatalf("upgrade: %v", err)
	}
	defer s.Close()
	now := time.Now()
	items, err := s.PendingWork(ctx, now, 0)
	if err != nil || len(items) != 3 {
		t.Fatalf("PendingWork after the upgrade: got %d, %v, want all 3 due", len(items), err)
	}
	if items[0].Attempts != 5 || items[0].LastError != "mkdir: not a directory" || !items[0].NextAttemptAt.IsZero() || !items[0].DeadAt.IsZero() {
		t.Errorf("exhausted item after the upgrade: got %+v, want its 5 attempts kept, due, not set aside", items[0])
	}
	if dead, err := s.DeadWork(ctx, 0); err != nil || len(dead) != 0 {
		t.Errorf("DeadWork after the upgrade: got %d, %v, want none", len(dead), err)
	}
	if acts, err := s.PendingActions(ctx, now, 0); err != nil || len(acts) != 1 || acts[0].Outcome != "" {
		t.Errorf("PendingActions after the upgrade: got %+v, %v, want the hide due", acts, err)
	}
	files, err := s.Evidence(ctx, 1)
	if err != nil || len(files) != 1 || files[0].Version != 0 {
		t.Errorf("Evidence after the upgrade: got %+v, %v, want one file of version 0", files, err)
	}
}
