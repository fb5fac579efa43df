package sqlite

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// These tests run in both builds (make test runs this package with and
// without the tag sqlite_fts5): the same table must pass whether the search
// goes through FTS5 or reads every text.

func searchIDs(t *testing.T, s *Store, query string, limit int) []string {
	t.Helper()
	views, err := s.SearchComments(context.Background(), query, limit)
	if err != nil {
		t.Fatalf("SearchComments(%q) (%s): %v", query, searchKind, err)
	}
	var got []string
	for _, v := range views {
		got = append(got, v.PlatformID)
	}
	return got
}

func recordTexts(t *testing.T, s *Store, texts [][2]string) {
	t.Helper()
	ctx := context.Background()
	if err := s.UpsertAccount(ctx, moderation.Account{Key: "kommun", Platform: moderation.Facebook, PlatformID: "1"}); err != nil {
		t.Fatal(err)
	}
	for i, pt := range texts {
		if _, err := s.RecordComment(ctx, moderation.CommentObservation{AccountKey: "kommun", PostID: "p", PlatformID: pt[0],
			Message: pt[1], SeenAt: time.Date(2026, 1, 1, 0, i, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSearchSameInBothBuilds pins what FTS5 does with the words a user
// types (found by running the FTS5 build), so that the build without FTS5
// is held to it: tokens, phrases, folding and the bm25 order.
func TestSearchSameInBothBuilds(t *testing.T) {
	s, _ := openTemp(t)
	recordTexts(t, s, [][2]string{
		{"c1", `När öppnar badhuset? "citat" (parentes) a*b`},
		{"c2", "ÖPPNAR a b"},
		{"c3", "b a"},
		{"c4", "x ǅ Kelvin\u212A ß"},
		{"c5", "skola skola skola idag"},
		{"c6", "skola och mycket annat som inte hör hit alls i dag"},
		{"c7", "kommun2026 år 2026"},
	})
	for _, tc := range []struct {
		name  string
		query string
		limit int
		want  []string
	}{
		{"case folded beyond ASCII", "öppnar", 0, []string{"c2", "c1"}},
		{"punctuation inside a word makes a phrase", "a*b", 0, []string{"c2", "c1"}},
		{"the phrase keeps its order", "b.a", 0, []string{"c3"}},
		{"a word of punctuation alone finds nothing", "*", 0, nil},
		{"a word of punctuation beside others is ignored", "badhuset *", 0, []string{"c1"}},
		{"quotes are text", `"citat"`, 0, []string{"c1"}},
		{"title case folds", "ǆ", 0, []string{"c4"}},
		{"kelvin sign folds to k", "kelvink", 0, []string{"c4"}},
		{"capital sharp s folds to ß", "ẞ", 0, []string{"c4"}},
		{"ß is not ss", "ss", 0, nil},
		{"whole words only", "skol", 0, nil},
		{"digits are tokens", "2026", 0, []string{"c7"}},
		{"more occurrences in a shorter text rank first", "skola", 0, []string{"c5", "c6"}},
		{"limit", "skola", 1, []string{"c5"}},
		{"every word must match", "skola idag", 0, []string{"c5"}},
		{"NUL is a space", "skola\x00idag", 0, []string{"c5"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := searchIDs(t, s, tc.query, tc.limit); !slices.Equal(got, tc.want) {
				t.Errorf("SearchComments(%q) (%s): got %v, want %v", tc.query, searchKind, got, tc.want)
			}
		})
	}
}

// TestSearchAcrossBuilds opens a database made by each build (testdata,
// written by this test with UPPSIKT_WRITE_SEARCH_FIXTURE=1, once per build)
// in this build: its comments are found, a new comment can be recorded and
// is found, and so it stays after a reopen and in a backup. A disposed text
// is not found.
func TestSearchAcrossBuilds(t *testing.T) {
	ctx := context.Background()
	if os.Getenv("UPPSIKT_WRITE_SEARCH_FIXTURE") != "" {
		writeSearchFixture(t, filepath.Join("testdata", "search_made_by_"+searchKind+".db"))
	}
	for _, kind := range []string{"fts5", "scan"} {
		t.Run("made by "+kind, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "uppsikt.db")
			copyFile(t, filepath.Join("testdata", "search_made_by_"+kind+".db"), path)
			s, err := Open(ctx, path)
			if err != nil {
				t.Fatalf("Open (%s) of a database made by %s: %v", searchKind, kind, err)
			}
			if got, want := searchIDs(t, s, "badhuset", 0), []string{"c1"}; !slices.Equal(got, want) {
				t.Errorf("before: got %v, want %v", got, want)
			}
			if got := searchIDs(t, s, "medborgare", 0); len(got) != 0 {
				t.Errorf("disposed text: got %v, want no hit", got)
			}
			if _, err := s.RecordComment(ctx, moderation.CommentObservation{AccountKey: "kommun", PostID: "p", PlatformID: "c4",
				Message: "Badhuset stänger i juli"}); err != nil {
				t.Fatalf("RecordComment (%s) in a database made by %s: %v", searchKind, kind, err)
			}
			if got, want := searchIDs(t, s, "badhuset", 0), []string{"c1", "c4"}; !sameSet(got, want) {
				t.Errorf("after a new comment: got %v, want %v", got, want)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			s, err = Open(ctx, path)
			if err != nil {
				t.Fatalf("reopen: %v", err)
			}
			defer s.Close()
			if got, want := searchIDs(t, s, "juli", 0), []string{"c4"}; !slices.Equal(got, want) {
				t.Errorf("after reopen: got %v, want %v", got, want)
			}
			// A backup copies the index table even where its module is
			// missing (VACUUM INTO copies a virtual table's schema row
			// without running it), and opens in this build.
			copyPath := filepath.Join(t.TempDir(), "copy.db")
			if err := s.Backup(ctx, copyPath); err != nil {
				t.Fatalf("Backup (%s) of a database made by %s: %v", searchKind, kind, err)
			}
			c, err := Open(ctx, copyPath)
			if err != nil {
				t.Fatalf("Open the backup: %v", err)
			}
			defer c.Close()
			if got, want := searchIDs(t, c, "juli", 0), []string{"c4"}; !slices.Equal(got, want) {
				t.Errorf("in the backup: got %v, want %v", got, want)
			}
		})
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func writeSearchFixture(t *testing.T, out string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "uppsikt.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	recordTexts(t, s, [][2]string{
		{"c1", "När öppnar badhuset?"},
		{"c2", "Snöröjningen på torget"},
		{"c3", "en medborgare skriver"},
	})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Disposal, the one route by which a text changes (see retention.go).
	db := rawDB(t, path)
	if _, err := db.Exec(`UPDATE comment_versions SET message = '', raw = NULL, disposed_at = 1
		WHERE comment_id = (SELECT id FROM comments WHERE platform_id = 'c3')`); err != nil {
		t.Fatal(err)
	}
	// Small pages keep the file small in the repository.
	for _, q := range []string{`PRAGMA journal_mode = DELETE`, `PRAGMA page_size = 512`, `VACUUM`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	copyFile(t, path, out)
	t.Logf("wrote %s", out)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	o, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(o, in); err != nil {
		t.Fatal(err)
	}
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkSearchComments searches an archive of 20 000 comments; the
// build without FTS5 reads all of them for every search.
func BenchmarkSearchComments(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "uppsikt.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.UpsertAccount(ctx, moderation.Account{Key: "kommun", Platform: moderation.Facebook, PlatformID: "1"}); err != nil {
		b.Fatal(err)
	}
	words := []string{"badhuset", "skolan", "snöröjningen", "torget", "biblioteket", "kommunen", "vägen", "parken"}
	for i := range 20000 {
		msg := fmt.Sprintf("Hej! Jag undrar när %s öppnar igen, och varför %s inte svarar på frågor om %s. Tack för svar nr %d.",
			words[i%len(words)], words[(i/3)%len(words)], words[(i/7)%len(words)], i)
		if _, err := s.RecordComment(ctx, moderation.CommentObservation{AccountKey: "kommun", PostID: fmt.Sprint("p", i%50),
			PlatformID: fmt.Sprint("c", i), Message: msg}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.SearchComments(ctx, "badhuset svar", 50); err != nil {
			b.Fatal(err)
		}
	}
}
