package migrate

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/uppsikt/uppsikt/archive/postgres"
	"github.com/uppsikt/uppsikt/archive/postgres/pgtest"
	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/moderation"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// target opens a fresh migrated PostgreSQL store and a connection to it.
func target(t *testing.T) (*postgres.Store, *pgx.Conn) {
	t.Helper()
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	st, err := postgres.Open(ctx, dsn, postgres.WithLanguages("sv", nil))
	if err != nil {
		t.Fatalf("postgres.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return st, conn
}

func source(t *testing.T) (*sqlite.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "uppsikt.db")
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st, path
}

// TestPlanKnowsEverySchemaColumn compares both stores' schemas as their
// migrations make them: a migration that adds a table or a column to one
// store that the copier does not know fails here.
func TestPlanKnowsEverySchemaColumn(t *testing.T) {
	ctx := context.Background()
	_, path := source(t)
	_, conn := target(t)
	db, err := OpenSource(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	plan, err := Plan(ctx, db, conn)
	if err != nil {
		t.Fatalf("Plan: %v", err)
	}
	pos := map[string]int{}
	for i, tb := range plan {
		pos[tb.Name] = i
	}
	for _, tb := range []string{"accounts", "comments", "comment_versions", "cases", "decisions", "register_entries", "audit_log", "evidence_files"} {
		if _, ok := pos[tb]; !ok {
			t.Errorf("the plan has no table %s", tb)
		}
	}
	if pos["comments"] > pos["comment_versions"] || pos["comments"] > pos["register_entries"] || pos["cases"] > pos["decisions"] {
		t.Errorf("the plan is not in foreign-key order: %v", pos)
	}
	// A column only SQLite has is refused.
	if _, err := db.ExecContext(ctx, "SELECT 1"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "ALTER TABLE comments ADD COLUMN invented TEXT"); err != nil {
		t.Fatal(err)
	}
	if _, err := Plan(ctx, db, conn); !errors.Is(err, ErrSchema) || !strings.Contains(err.Error(), "comments.invented only in PostgreSQL") {
		t.Errorf("Plan with a column only in PostgreSQL: %v, want ErrSchema naming it", err)
	}
}

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// Seed fills st through the store API with a little of everything and
// returns the ids of its comments.
func seed(t *testing.T, st *sqlite.Store) []int64 {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.UpsertAccount(ctx, moderation.Account{Key: "kommun", Platform: "facebook", PlatformID: "p1", Name: "Kommunen",
		Owners: []string{"anna"}, Substitutes: []string{"bo"}, Status: moderation.AccountActive}))
	_, err := st.SavePost(ctx, moderation.Post{AccountKey: "kommun", PlatformID: "post1", Message: "Badhuset öppnar", CreatedAt: t0})
	must(err)
	var ids []int64
	for i, msg := range []string{"Bra badhus!", "Ni är idioter", "Text med \x00 nul"} {
		obs := moderation.CommentObservation{AccountKey: "kommun", PostID: "post1", PlatformID: "c" + string(rune('1'+i)),
			Author: moderation.Author{ID: "u1", Name: "Kalle"}, Message: msg, CreatedAt: t0, SeenAt: t0.Add(time.Minute),
			Raw: json.RawMessage(`{"id":"x"}`), Source: "poll"}
		r, err := st.RecordComment(ctx, obs)
		must(err)
		obs.Message += " (ändrad)"
		obs.SeenAt = t0.Add(time.Hour)
		_, err = st.RecordComment(ctx, obs)
		must(err)
		ids = append(ids, r.CommentID)
	}
	c, _, err := st.OpenCase(ctx, moderation.Case{CommentID: ids[1], Version: 2, AccountKey: "kommun", State: moderation.CaseOpen,
		Categories: []string{"insult"}, OpenedAt: t0, UpdatedAt: t0})
	must(err)
	_, err = st.RecordDecision(ctx, moderation.Decision{CaseID: c.ID, Kind: "approve", By: "anna", Surface: "web", Reason: "förolämpning", At: t0.Add(2 * time.Hour)},
		[]moderation.CaseState{moderation.CaseOpen}, moderation.CaseApproved)
	must(err)
	_, _, err = st.EnqueueAction(ctx, moderation.Action{CommentID: ids[1], CaseID: c.ID, Kind: moderation.ActHide, State: "pending", CreatedAt: t0})
	must(err)
	_, err = st.AddEvidence(ctx, moderation.EvidenceFile{CommentID: ids[1], Kind: "pdf", SHA256: strings.Repeat("ab", 32),
		Path: "ab/" + strings.Repeat("ab", 32) + ".pdf", Size: 10, CreatedAt: t0, Version: 2})
	must(err)
	_, err = st.CreateRegisterEntry(ctx, moderation.RegisterEntry{Year: 2026, CommentID: ids[1], CaseID: c.ID, Reason: "förolämpning", CreatedAt: t0},
		func(y, s int) string {
			return "R" + time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006") + "-" + string(rune('0'+s))
		})
	must(err)
	for i := range 3 {
		_, err = st.AppendAudit(ctx, moderation.AuditEntry{At: t0.Add(time.Duration(i) * time.Minute), Actor: "anna", Action: "case.decided",
			Subject: "case", Detail: json.RawMessage(`{"n":1}`)})
		must(err)
	}
	return ids
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCopy(t *testing.T) {
	ctx := context.Background()
	src, path := source(t)
	ids := seed(t, src)
	dst, conn := target(t)
	counts, err := Copy(ctx, Options{Source: path, Target: conn, SearchConfig: func(string) string { return "swedish" }})
	if err != nil {
		t.Fatalf("Copy: %v", err)
	}
	copied := 0
	for _, c := range counts {
		if c.Skipped == "" && c.Source != c.Target {
			t.Errorf("%s: %d rows in SQLite, %d in PostgreSQL", c.Table, c.Source, c.Target)
		}
		if c.Skipped == "" && c.Source > 0 {
			copied++
		}
	}
	if copied < 10 {
		t.Errorf("only %d tables with rows copied: %+v", copied, counts)
	}
	for _, id := range ids {
		a, err1 := src.Comment(ctx, id)
		b, err2 := dst.Comment(ctx, id)
		if err1 != nil || err2 != nil {
			t.Fatalf("Comment %d: %v, %v", id, err1, err2)
		}
		if id == ids[2] {
			continue // PostgreSQL's text keeps no NUL (archive/postgres doc)
		}
		if asJSON(t, a) != asJSON(t, b) {
			t.Errorf("comment %d:\nsqlite   %s\npostgres %s", id, asJSON(t, a), asJSON(t, b))
		}
		va, _ := src.CommentVersions(ctx, id)
		vb, _ := dst.CommentVersions(ctx, id)
		if asJSON(t, va) != asJSON(t, vb) {
			t.Errorf("versions of %d:\nsqlite   %s\npostgres %s", id, asJSON(t, va), asJSON(t, vb))
		}
	}
	same := func(what string, a, b any) {
		t.Helper()
		if asJSON(t, a) != asJSON(t, b) {
			t.Errorf("%s:\nsqlite   %s\npostgres %s", what, asJSON(t, a), asJSON(t, b))
		}
	}
	ca, _ := src.ListCases(ctx, moderation.CaseFilter{})
	cb, _ := dst.ListCases(ctx, moderation.CaseFilter{})
	same("cases", ca, cb)
	ra, _ := src.RegisterEntries(ctx, 2026)
	rb, _ := dst.RegisterEntries(ctx, 2026)
	same("register", ra, rb)
	aa, _ := src.AuditLog(ctx, 0, 100)
	ab, _ := dst.AuditLog(ctx, 0, 100)
	same("audit log", aa, ab)
	ea, _ := src.Evidence(ctx, ids[1])
	eb, _ := dst.Evidence(ctx, ids[1])
	same("evidence", ea, eb)
	sa, _ := src.Stats(ctx)
	sb, _ := dst.Stats(ctx)
	same("stats", sa, sb)
	if n, _ := dst.SearchComments(ctx, "idioter", 10); len(n) != 1 {
		t.Errorf("search for a copied word found %d comments, want 1", len(n))
	}
	// New rows get new ids after the copied ones.
	e, err := dst.AppendAudit(ctx, moderation.AuditEntry{At: t0, Actor: "t", Action: "x", Subject: "y"})
	if err != nil || e.Seq != aa[len(aa)-1].Seq+1 {
		t.Errorf("audit after the copy: seq %d, %v; want %d", e.Seq, err, aa[len(aa)-1].Seq+1)
	}
	r, err := dst.RecordComment(ctx, moderation.CommentObservation{AccountKey: "kommun", PostID: "post1", PlatformID: "new",
		Message: "ny", CreatedAt: t0, SeenAt: t0, Source: "poll"})
	if err != nil || r.CommentID <= ids[len(ids)-1] {
		t.Errorf("a comment after the copy: id %d, %v; want > %d", r.CommentID, err, ids[len(ids)-1])
	}

	// A second copy is refused and names what it found.
	if _, err := Copy(ctx, Options{Source: path, Target: conn}); !errors.Is(err, ErrNotEmpty) || !strings.Contains(err.Error(), "comments (") {
		t.Errorf("second Copy: %v, want ErrNotEmpty naming comments", err)
	}
}

// TestCopyFailsWhole: a copy that fails midway (here a work item of a
// version that does not exist, written past SQLite's foreign keys) leaves
// the target without a row, so that it can be run again.
func TestCopyFailsWhole(t *testing.T) {
	ctx := context.Background()
	src, path := source(t)
	seed(t, src)
	src.Close()
	db, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=off")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO work_items (comment_id, version, created_at) VALUES (999, 1, 0)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, conn := target(t)
	if _, err := Copy(ctx, Options{Source: path, Target: conn}); err == nil || !strings.Contains(err.Error(), "copy work_items") {
		t.Fatalf("Copy of a work item without its version: %v, want the copy of work_items to fail", err)
	}
	found, err := NonEmpty(ctx, conn)
	if err != nil || len(found) != 0 {
		t.Errorf("after the failed copy the target holds %v (%v), want nothing", found, err)
	}
}
