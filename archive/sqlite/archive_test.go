package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/storetest"
)

func TestArchiveContract(t *testing.T) {
	storetest.RunArchive(t, func(t *testing.T) storetest.ArchiveBackend {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "uppsikt.db"))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	})
}

// TestDisposedTextCannotBeRestored checks the trigger: once disposed, a
// version's text cannot be written again, and the immutability of versions
// that were never disposed is unchanged.
func TestDisposedTextCannotBeRestored(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	if err := s.UpsertAccount(ctx, moderation.Account{Key: "k", Platform: moderation.Facebook, PlatformID: "1", Name: "K"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordComment(ctx, moderation.CommentObservation{AccountKey: "k", PostID: "1_1", PlatformID: "c1",
		Message: "en medborgare skriver", Source: moderation.SourcePoll}); err != nil {
		t.Fatal(err)
	}
	db := rawDB(t, path)
	for _, tc := range []struct{ name, sql string }{
		{"change the text", `UPDATE comment_versions SET message = 'x'`},
		{"blank without marking disposed", `UPDATE comment_versions SET message = '', raw = NULL`},
		{"delete", `DELETE FROM comment_versions`},
	} {
		if _, err := db.ExecContext(ctx, tc.sql); err == nil {
			t.Errorf("%s: got no error, want the trigger to refuse", tc.name)
		}
	}
	if _, err := db.ExecContext(ctx, `UPDATE comment_versions SET message = '', raw = NULL, disposed_at = 1`); err != nil {
		t.Fatalf("disposal route: %v", err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE comment_versions SET message = 'tillbaka', disposed_at = 2`); err == nil {
		t.Errorf("restore a disposed text: got no error, want the trigger to refuse")
	}
	got, err := s.SearchComments(ctx, "medborgare", 0)
	if err != nil {
		t.Fatalf("SearchComments: %v", err)
	}
	if len(got) != 0 {
		t.Errorf("search (%s) after disposal: got %d hits, want 0", searchKind, len(got))
	}
}
