package sqlite

import (
	"context"
	"testing"

	"github.com/uppsikt/uppsikt/moderation"
)

// FuzzSearchComments checks that no query a user can type makes the search
// fail: every word is passed to FTS5 as a quoted string.
func FuzzSearchComments(f *testing.F) {
	for _, q := range []string{
		"badhuset", `"`, `""`, "a OR b", "NOT", "-x", "x*", "^start", "NEAR(a b)", "col:x", "(", ")",
		"{a b}", "a AND", "å ä ö", "\x00", "a\x00b", "\xff\xfe", "'", `\`, "+", ":", "*",
	} {
		f.Add(q)
	}
	ctx := context.Background()
	s, err := Open(ctx, f.TempDir()+"/uppsikt.db")
	if err != nil {
		f.Fatalf("Open: %v", err)
	}
	f.Cleanup(func() { s.Close() })
	if err := s.UpsertAccount(ctx, moderation.Account{Key: "kommun", Platform: moderation.Facebook, PlatformID: "1"}); err != nil {
		f.Fatal(err)
	}
	if _, err := s.RecordComment(ctx, moderation.CommentObservation{AccountKey: "kommun", PostID: "p", PlatformID: "c",
		Message: "När öppnar badhuset? \"citat\" (parentes) a*b"}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q string) {
		if _, err := s.SearchComments(ctx, q, 5); err != nil {
			t.Errorf("SearchComments(%q): %v", q, err)
		}
	})
}
