package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/uppsikt/uppsikt/archive/postgres/pgtest"
	"github.com/uppsikt/uppsikt/moderation"
)

// rawConn opens a second connection to the store's database, as a
// maintainer's psql would, past the store.
func rawConn(t *testing.T, s *Store) *pgx.Conn {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(ctx) })
	return c
}

// TestAppendOnly: the audit log, the disposal log and comment versions
// refuse UPDATE, DELETE and TRUNCATE from any connection.
func TestAppendOnly(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	if err := s.UpsertAccount(ctx, moderation.Account{Key: "k", Platform: moderation.Facebook, PlatformID: "1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordComment(ctx, moderation.CommentObservation{AccountKey: "k", PostID: "p", PlatformID: "c", Message: "text"}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := s.AppendAudit(ctx, moderation.AuditEntry{Actor: "anna", Action: fmt.Sprintf("a%d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.DisposeCommentText(ctx, moderation.DisposalRequest{AccountKey: "k", Rule: "r", Cutoff: s.nowUTC(), DryRun: true}); err != nil {
		t.Fatal(err)
	}
	raw := rawConn(t, s)
	if _, err := raw.Exec(ctx, `INSERT INTO disposals (kind, rule, account_key, cutoff, items, comments, at, by_user)
		VALUES ('comment_text', 'r', 'k', 1, 0, 0, 1, 'x')`); err != nil {
		t.Fatalf("inserting into the disposal log: %v", err)
	}
	for _, tc := range []struct{ sql, want string }{
		{"UPDATE audit_log SET actor = 'mallory' WHERE seq = 2", "append-only"},
		{"DELETE FROM audit_log WHERE seq = 3", "append-only"},
		{"DELETE FROM audit_log", "append-only"},
		{"TRUNCATE audit_log", "append-only"},
		{"UPDATE disposals SET items = 9", "append-only"},
		{"DELETE FROM disposals", "append-only"},
		{"TRUNCATE disposals", "append-only"},
		{"UPDATE comment_versions SET message = 'ändrad'", "immutable"},
		{"DELETE FROM comment_versions", "immutable"},
		{"TRUNCATE comment_versions CASCADE", "immutable"},
	} {
		_, err := raw.Exec(ctx, tc.sql)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want refused as %s", tc.sql, err, tc.want)
		}
	}
	log, err := s.AuditLog(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 3 || log[1].Actor != "anna" {
		t.Errorf("AuditLog: got %+v, want the three entries unchanged", log)
	}
}

// TestDisposedTextCannotBeRestored: once disposed, a version's text cannot
// be written again; the only change allowed is the disposal itself, which
// also empties the search column.
func TestDisposedTextCannotBeRestored(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	if err := s.UpsertAccount(ctx, moderation.Account{Key: "k", Platform: moderation.Facebook, PlatformID: "1", Name: "K"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordComment(ctx, moderation.CommentObservation{AccountKey: "k", PostID: "1_1", PlatformID: "c1",
		Message: "en medborgare skriver", Source: moderation.SourcePoll}); err != nil {
		t.Fatal(err)
	}
	raw := rawConn(t, s)
	for _, tc := range []struct{ name, sql string }{
		{"change the text", `UPDATE comment_versions SET message = 'x'`},
		{"blank without marking disposed", `UPDATE comment_versions SET message = '', raw = NULL`},
		{"change the search configuration", `UPDATE comment_versions SET message = '', raw = NULL, disposed_at = 1, search_config = 'danish'`},
		{"delete", `DELETE FROM comment_versions`},
	} {
		if _, err := raw.Exec(ctx, tc.sql); err == nil {
			t.Errorf("%s: got no error, want the trigger to refuse", tc.name)
		}
	}
	if _, err := raw.Exec(ctx, `UPDATE comment_versions SET message = '', raw = NULL, disposed_at = 1`); err != nil {
		t.Fatalf("disposal route: %v", err)
	}
	if _, err := raw.Exec(ctx, `UPDATE comment_versions SET message = 'tillbaka', disposed_at = 2`); err == nil {
		t.Errorf("restore a disposed text: got no error, want the trigger to refuse")
	}
	got, err := s.SearchComments(ctx, "medborgare", 0)
	if err != nil || len(got) != 0 {
		t.Errorf("search after disposal: got %d hits, %v; want 0", len(got), err)
	}
}

// TestConcurrentOpenMigratesOnce: several processes starting at once on an
// empty database all open it, and the schema is made once.
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	const n = 6
	var wg sync.WaitGroup
	stores := make([]*Store, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = Open(ctx, dsn)
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Errorf("Open %d: %v", i, errs[i])
			continue
		}
		defer stores[i].Close()
	}
	ms, _ := loadMigrations(migrationFS)
	var rows, distinct int
	if err := stores[0].pool.QueryRow(ctx, "SELECT count(*), count(DISTINCT version) FROM schema_migrations").Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if rows != len(ms) || distinct != len(ms) {
		t.Errorf("schema_migrations: %d rows, %d versions; want %d once each", rows, distinct, len(ms))
	}
}

// TestOpenRefuses: a database with someone else's tables, or migrated by a
// newer uppsikt, is refused and left as it was.
func TestOpenRefuses(t *testing.T) {
	ctx := context.Background()
	exec := func(t *testing.T, dsn, sql string) {
		t.Helper()
		c, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("foreign", func(t *testing.T) {
		dsn := pgtest.DSN(t)
		exec(t, dsn, "CREATE TABLE invoices (id int)")
		if s, err := Open(ctx, dsn); !errors.Is(err, ErrForeign) {
			if s != nil {
				s.Close()
			}
			t.Fatalf("Open: got %v, want ErrForeign", err)
		}
		c, _ := pgx.Connect(ctx, dsn)
		defer c.Close(ctx)
		var n int
		c.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").Scan(&n)
		if n != 1 {
			t.Errorf("the refused database has %d tables, want its 1", n)
		}
	})
	t.Run("foreign schema_migrations", func(t *testing.T) {
		dsn := pgtest.DSN(t)
		exec(t, dsn, "CREATE TABLE schema_migrations (version bigint)")
		if s, err := Open(ctx, dsn); !errors.Is(err, ErrForeign) {
			if s != nil {
				s.Close()
			}
			t.Fatalf("Open: got %v, want ErrForeign", err)
		}
	})
	t.Run("newer", func(t *testing.T) {
		s := openTest(t)
		dsn := s.pool.Config().ConnString()
		if _, err := s.pool.Exec(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 0)"); err != nil {
			t.Fatal(err)
		}
		if s2, err := Open(ctx, dsn); !errors.Is(err, ErrTooNew) {
			if s2 != nil {
				s2.Close()
			}
			t.Fatalf("Open: got %v, want ErrTooNew", err)
		}
	})
}

// TestFailedMigrationLeavesNothing: the migrations run in one transaction;
// a failing one leaves neither its tables nor its schema_migrations row.
func TestFailedMigrationLeavesNothing(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	today, err := loadMigrations(migrationFS)
	if err != nil {
		t.Fatal(err)
	}
	bad := append(append([]migration(nil), today...), migration{
		version: len(today) + 1, name: "9999_broken.sql",
		sql: "CREATE TABLE half_done (id BIGINT PRIMARY KEY); SELECT * FROM no_such_table;",
	})
	if s, err := open(ctx, dsn, bad); err == nil {
		s.Close()
		t.Fatalf("open with a broken migration: got no error")
	}
	s, err := open(ctx, dsn, today)
	if err != nil {
		t.Fatalf("open after the failure: %v", err)
	}
	defer s.Close()
	var half bool
	var rows int
	if err := s.pool.QueryRow(ctx, "SELECT to_regclass('half_done') IS NOT NULL, (SELECT count(*) FROM schema_migrations)").Scan(&half, &rows); err != nil {
		t.Fatal(err)
	}
	if half || rows != len(today) {
		t.Errorf("after a failed migration: table half_done %v, %d migration rows; want none and %d", half, rows, len(today))
	}
}

// TestMigrationUpgrade: a database made by an older uppsikt (the first four
// migrations) with a register entry in it is upgraded, and the entry kept
// (migration 5 changes register_entries).
func TestMigrationUpgrade(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	ms, err := loadMigrations(migrationFS)
	if err != nil {
		t.Fatal(err)
	}
	old, err := open(ctx, dsn, ms[:4])
	if err != nil {
		t.Fatal(err)
	}
	if err := old.UpsertAccount(ctx, moderation.Account{Key: "k", Platform: moderation.Facebook, PlatformID: "1"}); err != nil {
		t.Fatal(err)
	}
	r, err := old.RecordComment(ctx, moderation.CommentObservation{AccountKey: "k", PostID: "p", PlatformID: "c", Message: "text"})
	if err != nil {
		t.Fatal(err)
	}
	err = old.write(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO register_entries (year, seq, number, comment_id, created_at) VALUES (2026, 1, '2026/0001', ?, 1)`, r.CommentID)
		return err
	})
	old.Close()
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, dsn)
	if err != nil {
		t.Fatalf("Open after four migrations: %v", err)
	}
	defer s.Close()
	es, err := s.RegisterEntries(ctx, 2026)
	if err != nil || len(es) != 1 || es[0].Number != "2026/0001" || es[0].CommentID != r.CommentID {
		t.Errorf("register after the upgrade: %+v, %v", es, err)
	}
	e, err := s.CreateRegisterEntry(ctx, moderation.RegisterEntry{CommentID: r.CommentID, CaseID: 0}, nil)
	if err != nil || e.ID != es[0].ID {
		t.Errorf("the same comment's entry again: %+v, %v; want the stored one", e, err)
	}
}

// TestSearchLanguages: an account's texts are indexed in its language, so
// that a word finds its inflected forms, in Swedish and in Danish.
func TestSearchLanguages(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, WithLanguages("sv", map[string]string{"dk": "da"}))
	for _, a := range []string{"se", "dk"} {
		if err := s.UpsertAccount(ctx, moderation.Account{Key: a, Platform: moderation.Facebook, PlatformID: a}); err != nil {
			t.Fatal(err)
		}
	}
	for _, o := range []moderation.CommentObservation{
		{AccountKey: "se", PostID: "p", PlatformID: "sv1", Message: "När öppnar badhusen igen?"},
		{AccountKey: "dk", PostID: "p", PlatformID: "da1", Message: "Tak for snerydningerne i kommunen"},
	} {
		if _, err := s.RecordComment(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	var configs string
	if err := s.pool.QueryRow(ctx, "SELECT string_agg(search_config::text, ',' ORDER BY id) FROM comment_versions").Scan(&configs); err != nil {
		t.Fatal(err)
	}
	if configs != "swedish,danish" {
		t.Errorf("search configurations = %s, want swedish,danish", configs)
	}
	for q, want := range map[string]string{"badhus": "sv1", "badhuset": "sv1", "snerydning": "da1", "snerydningerne": "da1"} {
		views, err := s.SearchComments(ctx, q, 0)
		if err != nil || len(views) != 1 || views[0].PlatformID != want {
			t.Errorf("SearchComments(%q) = %+v, %v; want %s", q, views, err, want)
		}
	}
}

// TestTextPostgreSQLCannotHold: a comment holding a NUL byte or bytes that
// are not UTF-8 is stored (with U+FFFD in their place), found by search,
// and not stored again when seen again.
func TestTextPostgreSQLCannotHold(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	if err := s.UpsertAccount(ctx, moderation.Account{Key: "k", Platform: moderation.Facebook, PlatformID: "1"}); err != nil {
		t.Fatal(err)
	}
	o := moderation.CommentObservation{AccountKey: "k", PostID: "p", PlatformID: "c", Message: "badhuset\x00 stängt \xff",
		Author: moderation.Author{ID: "u", Name: "A\x00"}}
	r, err := s.RecordComment(ctx, o)
	if err != nil {
		t.Fatalf("RecordComment: %v", err)
	}
	again, err := s.RecordComment(ctx, o)
	if err != nil || again.NewVersion {
		t.Errorf("seen again: %+v, %v; want nothing new", again, err)
	}
	vs, err := s.CommentVersions(ctx, r.CommentID)
	if err != nil || len(vs) != 1 || vs[0].Message != "badhuset\uFFFD stängt \uFFFD" {
		t.Errorf("versions = %+v, %v", vs, err)
	}
	if views, err := s.SearchComments(ctx, "stängt", 0); err != nil || len(views) != 1 {
		t.Errorf("search: %d, %v", len(views), err)
	}
}
