package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) moderation.Store {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "uppsikt.db"))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	})
}

func openTemp(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "uppsikt.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

// rawDB opens the file without the store, as a maintainer's sqlite3 shell
// would.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatalf("sql.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func seed(t *testing.T, s *Store, comments int) {
	t.Helper()
	ctx := context.Background()
	if err := s.UpsertAccount(ctx, moderation.Account{Key: "kommun", Platform: moderation.Facebook, PlatformID: "1001"}); err != nil {
		t.Fatalf("UpsertAccount: %v", err)
	}
	for i := range comments {
		if _, err := s.RecordComment(ctx, moderation.CommentObservation{
			AccountKey: "kommun", PostID: "1001_1", PlatformID: fmt.Sprintf("c%d", i),
			Message: fmt.Sprintf("Kommentar nummer %d om förskolan och badhuset, %s", i, strings.Repeat("bla ", 40)),
			Source:  moderation.SourcePoll,
		}); err != nil {
			t.Fatalf("RecordComment: %v", err)
		}
	}
}

func TestOpenCreatesSchema(t *testing.T) {
	s, path := openTemp(t)
	seed(t, s, 1)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	db := rawDB(t, path)
	var appID, userVersion int64
	if err := db.QueryRow("PRAGMA application_id").Scan(&appID); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("PRAGMA user_version").Scan(&userVersion); err != nil {
		t.Fatal(err)
	}
	ms, err := loadMigrations(migrationFS)
	if err != nil {
		t.Fatal(err)
	}
	if appID != ApplicationID || userVersion != int64(len(ms)) {
		t.Errorf("header: got application_id %#x user_version %d, want %#x and %d", appID, userVersion, ApplicationID, len(ms))
	}
	var n int
	var applied int64
	if err := db.QueryRow("SELECT count(*), min(applied_at) FROM schema_migrations").Scan(&n, &applied); err != nil {
		t.Fatal(err)
	}
	if n != len(ms) || applied == 0 {
		t.Errorf("schema_migrations: got %d rows (applied_at %d), want %d with a time", n, applied, len(ms))
	}
	var mode string
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("journal_mode: got %q, want wal", mode)
	}
}

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "uppsikt.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	seed(t, s, 3)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	if st.Comments != 3 {
		t.Errorf("comments after reopen: got %d, want 3", st.Comments)
	}
}

func TestOpenEmptyFileIsFresh(t *testing.T) {
	path := filepath.Join(t.TempDir(), "uppsikt.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open of an empty file: %v", err)
	}
	s.Close()
}

// TestOpenRefuses checks that a file uppsikt must not use is refused with the
// right error and left byte for byte as it was.
func TestOpenRefuses(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		make    func(t *testing.T, path string)
		want    error
		message string
	}{
		{
			name: "garbage bytes",
			make: func(t *testing.T, path string) {
				writeFile(t, path, bytes.Repeat([]byte("Detta är inte en databas.\n"), 400))
			},
			want: ErrNotSQLite, message: "is not a SQLite database",
		},
		{
			name: "shorter than the header",
			make: func(t *testing.T, path string) { writeFile(t, path, []byte("SQLite")) },
			want: ErrNotSQLite, message: "is not a SQLite database",
		},
		{
			name: "truncated uppsikt database",
			make: func(t *testing.T, path string) {
				s, err := Open(ctx, path)
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				seed(t, s, 300)
				if err := s.Close(); err != nil {
					t.Fatalf("Close: %v", err)
				}
				fi, err := os.Stat(path)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.Truncate(path, fi.Size()/3); err != nil {
					t.Fatal(err)
				}
			},
			want: ErrCorrupt, message: "corrupt",
		},
		{
			name: "another application's database",
			make: func(t *testing.T, path string) {
				db := rawDB(t, path)
				for _, q := range []string{
					"CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)",
					"INSERT INTO recipes (name) VALUES ('kanelbullar'), ('smørrebrød')",
				} {
					if _, err := db.Exec(q); err != nil {
						t.Fatal(err)
					}
				}
				db.Close()
			},
			want: ErrForeign, message: "foreign database",
		},
		{
			name: "another application's id on an empty database",
			make: func(t *testing.T, path string) {
				db := rawDB(t, path)
				if _, err := db.Exec("PRAGMA application_id = 1196444487"); err != nil { // "GPKG", GeoPackage
					t.Fatal(err)
				}
				db.Close()
			},
			want: ErrForeign, message: "foreign database",
		},
		{
			name: "database from a newer uppsikt",
			make: func(t *testing.T, path string) {
				s, err := Open(ctx, path)
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				s.Close()
				db := rawDB(t, path)
				for _, q := range []string{
					"INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 1)",
					"PRAGMA user_version = 9999",
					"PRAGMA journal_mode = DELETE",
				} {
					if _, err := db.Exec(q); err != nil {
						t.Fatal(err)
					}
				}
				db.Close()
			},
			want: ErrTooNew, message: "newer uppsikt",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "uppsikt.db")
			tc.make(t, path)
			before, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			s, err := Open(ctx, path)
			if err == nil {
				s.Close()
				t.Fatalf("Open: got no error, want %v", tc.want)
			}
			t.Logf("refused: %v", err)
			if !errors.Is(err, tc.want) {
				t.Errorf("Open: got %v, want an error wrapping %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.message) || !strings.Contains(err.Error(), path) {
				t.Errorf("Open: got message %q, want it to name the file and say %q", err, tc.message)
			}
			after, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(before, after) {
				t.Errorf("the file changed: %d bytes before, %d after", len(before), len(after))
			}
			if _, err := os.Stat(path + "-wal"); err == nil {
				t.Errorf("a write-ahead log was created beside the refused file")
			}
		})
	}
}

func TestOpenRejectsMemory(t *testing.T) {
	if _, err := Open(context.Background(), ":memory:"); err == nil {
		t.Errorf("Open(:memory:): got no error, want one")
	}
}

func TestCommentVersionsImmutable(t *testing.T) {
	s, path := openTemp(t)
	seed(t, s, 1)
	db := rawDB(t, path)
	for _, q := range []string{
		"UPDATE comment_versions SET message = 'ändrad'",
		"DELETE FROM comment_versions",
	} {
		_, err := db.Exec(q)
		if err == nil || !strings.Contains(err.Error(), "immutable") {
			t.Errorf("%s: got %v, want refused as immutable", q, err)
		}
	}
}

func TestAuditLogAppendOnly(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	for i := range 3 {
		if _, err := s.AppendAudit(ctx, moderation.AuditEntry{Actor: "anna", Action: fmt.Sprintf("a%d", i)}); err != nil {
			t.Fatalf("AppendAudit: %v", err)
		}
	}
	db := rawDB(t, path)
	for _, q := range []string{
		"UPDATE audit_log SET actor = 'mallory' WHERE seq = 2",
		"DELETE FROM audit_log WHERE seq = 3",
		"DELETE FROM audit_log",
	} {
		_, err := db.Exec(q)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: got %v, want refused as append-only", q, err)
		}
	}
	log, err := s.AuditLog(ctx, 0, 0)
	if err != nil {
		t.Fatalf("AuditLog: %v", err)
	}
	if len(log) != 3 || log[1].Actor != "anna" {
		t.Errorf("AuditLog: got %+v, want the three entries unchanged", log)
	}
}

func TestFailWorkRecordsReason(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	seed(t, s, 1)
	items, err := s.PendingWork(ctx, time.Time{}, 0)
	if err != nil || len(items) != 1 {
		t.Fatalf("PendingWork: got %d, %v", len(items), err)
	}
	if err := s.FailWork(ctx, items[0].ID, "capture timed out", time.Time{}); err != nil {
		t.Fatalf("FailWork: %v", err)
	}
	var reason string
	if err := rawDB(t, path).QueryRow("SELECT last_error FROM work_items WHERE id = ?", items[0].ID).Scan(&reason); err != nil {
		t.Fatal(err)
	}
	if reason != "capture timed out" {
		t.Errorf("last_error: got %q, want %q", reason, "capture timed out")
	}
}

func TestClockOption(t *testing.T) {
	ctx := context.Background()
	fixed := time.Date(2026, 6, 6, 12, 0, 0, 0, time.UTC)
	s, err := Open(ctx, filepath.Join(t.TempDir(), "uppsikt.db"), WithClock(func() time.Time { return fixed }))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	e, err := s.AppendAudit(ctx, moderation.AuditEntry{Actor: "uppsikt", Action: "start"})
	if err != nil {
		t.Fatalf("AppendAudit: %v", err)
	}
	if !e.At.Equal(fixed) {
		t.Errorf("At: got %v, want the clock's %v", e.At, fixed)
	}
}

// BenchmarkRecordComment measures storing observations on a real database
// file: new comments (a comment, a version and a work item each), and
// re-observations of comments already stored (the common case for a poll).
func BenchmarkRecordComment(b *testing.B) {
	ctx := context.Background()
	open := func(b *testing.B) *Store {
		s, err := Open(ctx, filepath.Join(b.TempDir(), "uppsikt.db"))
		if err != nil {
			b.Fatalf("Open: %v", err)
		}
		b.Cleanup(func() { s.Close() })
		if err := s.UpsertAccount(ctx, moderation.Account{Key: "kommun", Platform: moderation.Facebook, PlatformID: "1001"}); err != nil {
			b.Fatal(err)
		}
		return s
	}
	obs := func(i int) moderation.CommentObservation {
		return moderation.CommentObservation{
			AccountKey: "kommun", PostID: fmt.Sprintf("1001_%d", i%50), PlatformID: fmt.Sprintf("c%d", i),
			Author:  moderation.Author{ID: "u", Name: "Medborgare"},
			Message: fmt.Sprintf("Kommentar %d: när öppnar badhuset igen efter renoveringen?", i),
			Source:  moderation.SourcePoll, SeenAt: time.Now(),
		}
	}
	b.Run("new", func(b *testing.B) {
		s := open(b)
		i := 0
		for b.Loop() {
			r, err := s.RecordComment(ctx, obs(i))
			if err != nil || !r.NewComment {
				b.Fatalf("RecordComment: %+v, %v", r, err)
			}
			i++
		}
	})
	b.Run("known", func(b *testing.B) {
		s := open(b)
		const known = 1000
		for i := range known {
			if _, err := s.RecordComment(ctx, obs(i)); err != nil {
				b.Fatal(err)
			}
		}
		i := 0
		for b.Loop() {
			r, err := s.RecordComment(ctx, obs(i%known))
			if err != nil || r.NewVersion {
				b.Fatalf("RecordComment: %+v, %v", r, err)
			}
			i++
		}
	})
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestBackup(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	seed(t, s, 5)
	dest := filepath.Join(t.TempDir(), "copy.db")
	if err := s.Backup(ctx, dest); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if err := s.Backup(ctx, dest); err == nil {
		t.Errorf("Backup over an existing file: got no error, want one")
	}
	copied, err := Open(ctx, dest)
	if err != nil {
		t.Fatalf("Open of the copy: %v", err)
	}
	defer copied.Close()
	got, err := copied.Stats(ctx)
	if err != nil {
		t.Fatalf("Stats of the copy: %v", err)
	}
	want, err := s.Stats(ctx)
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	if got != want || got.Comments != 5 {
		t.Errorf("copy: got %+v, want %+v", got, want)
	}
}

func TestCloseTwice(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "uppsikt.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: got %v, want nil", err)
	}
	if _, err := s.Stats(context.Background()); err == nil {
		t.Errorf("Stats after Close: got no error, want one")
	}
}

// TestOpenAfterCrash opens a copy of a database taken while the store was
// running, with its write-ahead log beside it, as a restart after a power cut
// or kill -9 finds it: every committed write is there.
func TestOpenAfterCrash(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	seed(t, s, 20)
	dir := t.TempDir()
	copied := filepath.Join(dir, "uppsikt.db")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(path + suffix)
		if err != nil {
			t.Fatalf("read %s: %v", suffix, err)
		}
		writeFile(t, copied+suffix, b)
	}
	if fi, err := os.Stat(copied + "-wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("the copy has no write-ahead log (%v): the test would not test recovery", err)
	}
	c, err := Open(ctx, copied)
	if err != nil {
		t.Fatalf("Open after crash: %v", err)
	}
	defer c.Close()
	st, err := c.Stats(ctx)
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	if st.Comments != 20 || st.Pending != 20 {
		t.Errorf("after crash: got %+v, want 20 comments and 20 pending work items", st)
	}
}

func TestNewFileIsPrivate(t *testing.T) {
	s, path := openTemp(t)
	seed(t, s, 1)
	for _, suffix := range []string{"", "-wal"} {
		fi, err := os.Stat(path + suffix)
		if err != nil {
			t.Fatalf("stat %s: %v", suffix, err)
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("uppsikt.db%s: got mode %v, want readable by the owner only", suffix, perm)
		}
	}
}
