package sqlite

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
)

func TestLoadMigrationsRejectsBadNumbering(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []string
	}{
		{"gap", []string{"0001_init.sql", "0003_more.sql"}},
		{"not numbered", []string{"0001_init.sql", "extra.sql"}},
		{"starts at two", []string{"0002_init.sql"}},
		{"none", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for _, f := range tc.files {
				fsys["migrations/"+f] = &fstest.MapFile{Data: []byte("SELECT 1;")}
			}
			if len(tc.files) == 0 {
				fsys["migrations"] = &fstest.MapFile{Mode: 0o755 | os.ModeDir}
			}
			if ms, err := loadMigrations(fsys); err == nil {
				t.Errorf("loadMigrations(%v): got %d migrations and no error, want an error", tc.files, len(ms))
			}
		})
	}
}

// TestMigrationUpgrade opens a database with today's migrations, then with
// one more, as a later uppsikt would, and then with today's again, which
// must refuse it as newer.
func TestMigrationUpgrade(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "uppsikt.db")
	today, err := loadMigrations(migrationFS)
	if err != nil {
		t.Fatal(err)
	}
	s, err := open(ctx, path, today)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	seed(t, s, 2)
	s.Close()

	next := append(append([]migration(nil), today...), migration{
		version: len(today) + 1, name: "9999_test_notes.sql",
		sql: "CREATE TABLE test_notes (id INTEGER PRIMARY KEY, note TEXT NOT NULL) STRICT;",
	})
	s, err = open(ctx, path, next)
	if err != nil {
		t.Fatalf("open with one more migration: %v", err)
	}
	st, err := s.Stats(ctx)
	if err != nil || st.Comments != 2 {
		t.Errorf("after upgrade: got %+v, %v, want the 2 comments kept", st, err)
	}
	s.Close()
	db := rawDB(t, path)
	var rows, userVersion int
	if err := db.QueryRow("SELECT count(*) FROM schema_migrations").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("PRAGMA user_version").Scan(&userVersion); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO test_notes (note) VALUES ('ok')"); err != nil {
		t.Errorf("the new migration's table: %v", err)
	}
	if rows != len(next) || userVersion != len(next) {
		t.Errorf("schema_migrations: got %d rows, user_version %d, want %d", rows, userVersion, len(next))
	}
	if _, err := db.Exec("PRAGMA journal_mode = DELETE"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := Open(ctx, path); !errors.Is(err, ErrTooNew) {
		if err == nil {
			s.Close()
		}
		t.Errorf("Open by the older uppsikt: got %v, want ErrTooNew", err)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Errorf("the refused file changed")
	}
}

// TestFailedMigrationLeavesNothing checks that a migration that fails is
// rolled back with its schema_migrations row.
func TestFailedMigrationLeavesNothing(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "uppsikt.db")
	today, err := loadMigrations(migrationFS)
	if err != nil {
		t.Fatal(err)
	}
	bad := append(append([]migration(nil), today...), migration{
		version: len(today) + 1, name: "9999_broken.sql",
		sql: "CREATE TABLE half_done (id INTEGER PRIMARY KEY); SELECT * FROM no_such_table;",
	})
	if s, err := open(ctx, path, bad); err == nil {
		s.Close()
		t.Fatalf("open with a broken migration: got no error")
	}
	s, err := open(ctx, path, today)
	if err != nil {
		t.Fatalf("open after the failure: %v", err)
	}
	s.Close()
	db := rawDB(t, path)
	var tables, rows int
	if err := db.QueryRow("SELECT count(*) FROM sqlite_schema WHERE name = 'half_done'").Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("SELECT count(*) FROM schema_migrations").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if tables != 0 || rows != len(today) {
		t.Errorf("after a failed migration: got table half_done %d times and %d migration rows, want 0 and %d", tables, rows, len(today))
	}
}
