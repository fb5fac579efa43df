package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/storetest"
)

func TestActivityContract(t *testing.T) {
	storetest.RunActivity(t, func(t *testing.T, now func() time.Time) storetest.ActivityBackend {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "uppsikt.db"), WithClock(now))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	})
}

// BenchmarkActivity counts a month of 3 000 comments, a tenth of them
// flagged, among 6 000 over two months.
func BenchmarkActivity(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "uppsikt.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.UpsertAccount(ctx, moderation.Account{Key: "kommun", Platform: moderation.Facebook, PlatformID: "1001"}); err != nil {
		b.Fatal(err)
	}
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for i := range 6000 {
		at := start.Add(time.Duration(i) * (61 * 24 * time.Hour / 6000))
		r, err := s.RecordComment(ctx, moderation.CommentObservation{AccountKey: "kommun", PostID: "1001_1",
			PlatformID: fmt.Sprintf("c%d", i), Author: moderation.Author{ID: "x"}, Message: "text", CreatedAt: at, SeenAt: at, Source: moderation.SourcePoll})
		if err != nil {
			b.Fatal(err)
		}
		if i%10 == 0 {
			if _, _, err := s.OpenCase(ctx, moderation.Case{CommentID: r.CommentID, Version: 1, AccountKey: "kommun",
				State: moderation.CaseOpen, Categories: []string{moderation.CatProfanity}, OpenedAt: at}); err != nil {
				b.Fatal(err)
			}
		}
	}
	q := moderation.ActivityQuery{From: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	b.ResetTimer()
	for b.Loop() {
		got, err := s.Activity(ctx, q)
		if err != nil || len(got) != 1 || got[0].Seen < 2900 {
			b.Fatalf("Activity: %+v, %v", got, err)
		}
	}
}
