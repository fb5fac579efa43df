package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/storetest"
)

func TestOwnPostsContract(t *testing.T) {
	storetest.RunOwnPosts(t, func(t *testing.T) storetest.OwnPostBackend {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "uppsikt.db"))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	})
}

// TestMigration5KeepsRegister upgrades a database of schema 4 holding a
// register entry and its delivery, and checks that both survive the rebuild
// of the register with their references intact.
func TestMigration5KeepsRegister(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "uppsikt.db")
	all, err := loadMigrations(migrationFS)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 5 || all[4].name != "0005_own_posts.sql" {
		t.Fatalf("migration 5: got %v", all)
	}
	s, err := open(ctx, path, all[:4])
	if err != nil {
		t.Fatalf("open at schema 4: %v", err)
	}
	seed(t, s, 1)
	cs, err := s.ListComments(ctx, moderation.CommentFilter{})
	if err != nil || len(cs) != 1 {
		t.Fatalf("ListComments: %v %d", err, len(cs))
	}
	s.Close()
	// The entry and its acknowledgement as schema 4 stored them, written
	// directly: the store's code reads the columns of the newest schema.
	old := rawDB(t, path)
	res, err := old.Exec(`INSERT INTO register_entries (year, seq, number, comment_id, reason, created_at) VALUES (2026, 1, '2026/0001', ?, 'sekretess', ?)`,
		cs[0].ID, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	if err != nil {
		t.Fatal(err)
	}
	entryID, _ := res.LastInsertId()
	if _, err := old.Exec(`INSERT INTO register_deliveries (entry_id, outlet, attempts, delivered_at) VALUES (?, 'folder', 1, ?)`, entryID, time.Now().UnixNano()); err != nil {
		t.Fatal(err)
	}
	old.Close()

	s, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("open at schema 5: %v", err)
	}
	defer s.Close()
	es, err := s.RegisterEntries(ctx, 2026)
	if err != nil || len(es) != 1 || es[0].Number != "2026/0001" || es[0].CommentID != cs[0].ID {
		t.Fatalf("register after upgrade: got %+v, %v; want the one entry", es, err)
	}
	und, err := s.UndeliveredEntries(ctx, "folder", 0)
	if err != nil || len(und) != 0 {
		t.Errorf("undelivered to folder after upgrade: got %d, %v; want 0 (its acknowledgement kept)", len(und), err)
	}
	if und, _ := s.UndeliveredEntries(ctx, "smtp", 0); len(und) != 1 {
		t.Errorf("undelivered to smtp after upgrade: got %d, want 1", len(und))
	}
	db := rawDB(t, path)
	var sqlText string
	if err := db.QueryRow(`SELECT sql FROM sqlite_schema WHERE name = 'register_deliveries'`).Scan(&sqlText); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sqlText, `"register_entries"`) && !strings.Contains(sqlText, "register_entries (id)") {
		t.Errorf("register_deliveries after upgrade refers to: %s; want register_entries", sqlText)
	}
	rows, err := db.Query(`PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if rows.Next() {
		t.Errorf("foreign_key_check after upgrade: got a violation, want none")
	}
	// The reference to comments is still enforced.
	if _, err := s.CreateRegisterEntry(ctx, moderation.RegisterEntry{CommentID: 9999, Reason: "x"}, nil); err == nil {
		t.Errorf("register entry of an unknown comment: got no error, want one")
	}
}
