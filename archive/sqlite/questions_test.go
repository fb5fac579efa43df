package sqlite

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/storetest"
)

func TestQuestionContract(t *testing.T) {
	storetest.RunQuestions(t, func(t *testing.T) storetest.QuestionBackend {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "uppsikt.db"))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	})
}

// BenchmarkSyncQuestions measures the answer clock's round on a store
// holding a year of a busy page: 40 000 comments on 2 000 posts, 4 000 of
// them questions (each second one answered by the page), when nothing new
// has arrived — what every round between two polls costs.
func BenchmarkSyncQuestions(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "uppsikt.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.UpsertAccount(ctx, moderation.Account{Key: "fb", Platform: moderation.Facebook, PlatformID: "1"}); err != nil {
		b.Fatal(err)
	}
	t0 := time.Now().Add(-20 * 24 * time.Hour)
	put := func(post, id, parent, author string, at time.Time, v moderation.Verdict) {
		res, err := s.RecordComment(ctx, moderation.CommentObservation{AccountKey: "fb", PostID: post, PlatformID: id, ParentID: parent,
			Author: moderation.Author{ID: author}, Message: "text " + id, CreatedAt: at, Source: moderation.SourcePoll, SeenAt: at})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.SaveVerdict(ctx, moderation.StoredVerdict{CommentID: res.CommentID, Version: 1, Verdict: v, At: at}); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 40000 {
		post := "1_" + strconv.Itoa(i/20)
		at := t0.Add(time.Duration(i) * 30 * time.Second)
		id := "c" + strconv.Itoa(i)
		question := i%10 == 0
		put(post, id, "", "9", at, moderation.Verdict{Question: question})
		if question && i%20 == 0 {
			put(post, id+"r", id, "1", at.Add(time.Hour), moderation.Verdict{Own: true})
		}
	}
	if _, err := s.SyncQuestions(ctx, time.Now()); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if got, err := s.SyncQuestions(ctx, time.Now()); err != nil || got != (moderation.QuestionSync{}) {
			b.Fatalf("SyncQuestions: got %+v, %v; want nothing changed", got, err)
		}
	}
}
