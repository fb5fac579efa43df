package storetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// BenchPipeline measures a store under the pipeline's writes and reports
// comments/s, so that backends can be compared on the same work:
//
//   - "pipeline": one worker, as uppsikt serve runs it: each new comment is
//     stored (RecordComment: comment, version, work item), and every 32
//     comments the queue is read (PendingWork) and each item gets its
//     verdict (SaveVerdict) and is completed (CompleteWork).
//   - "ingest-4": four goroutines at once each store new comments and their
//     verdicts (RecordComment + SaveVerdict), as several pollers or several
//     uppsikt processes on one database would.
//
// open must return a new, empty store; BenchPipeline closes it.
func BenchPipeline(b *testing.B, open func(b *testing.B) moderation.Store) {
	ctx := context.Background()
	setup := func(b *testing.B) moderation.Store {
		s := open(b)
		b.Cleanup(func() { s.Close() })
		if err := s.UpsertAccount(ctx, moderation.Account{Key: "kommun", Platform: moderation.Facebook, PlatformID: "1001"}); err != nil {
			b.Fatal(err)
		}
		return s
	}
	obs := func(w, i int) moderation.CommentObservation {
		return moderation.CommentObservation{
			AccountKey: "kommun", PostID: fmt.Sprintf("1001_%d", i%50), PlatformID: fmt.Sprintf("w%dc%d", w, i),
			Author:  moderation.Author{ID: fmt.Sprintf("u%d", i%500), Name: "Medborgare"},
			Message: fmt.Sprintf("Kommentar %d: när öppnar badhuset igen efter renoveringen?", i),
			Source:  moderation.SourcePoll, SeenAt: time.Now(),
		}
	}
	verdict := func(commentID int64, version int) moderation.StoredVerdict {
		return moderation.StoredVerdict{CommentID: commentID, Version: version, At: time.Now(),
			Verdict: moderation.Verdict{Categories: []string{}, Packs: "bench"}}
	}
	b.Run("pipeline", func(b *testing.B) {
		s := setup(b)
		const batch = 32
		i := 0
		drain := func() {
			items, err := s.PendingWork(ctx, time.Time{}, batch)
			if err != nil {
				b.Fatal(err)
			}
			for _, w := range items {
				if err := s.SaveVerdict(ctx, verdict(w.CommentID, w.Version)); err != nil {
					b.Fatal(err)
				}
				if err := s.CompleteWork(ctx, w.ID); err != nil {
					b.Fatal(err)
				}
			}
		}
		start := time.Now()
		for b.Loop() {
			if _, err := s.RecordComment(ctx, obs(0, i)); err != nil {
				b.Fatal(err)
			}
			i++
			if i%batch == 0 {
				drain()
			}
		}
		drain()
		b.ReportMetric(float64(i)/time.Since(start).Seconds(), "comments/s")
	})
	b.Run("ingest-4", func(b *testing.B) {
		s := setup(b)
		const workers = 4
		var next atomic.Int64
		n := int64(b.N)
		start := time.Now()
		b.ResetTimer()
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := next.Add(1)
					if i > n {
						return
					}
					r, err := s.RecordComment(ctx, obs(w, int(i)))
					if err != nil {
						b.Error(err)
						return
					}
					if err := s.SaveVerdict(ctx, verdict(r.CommentID, r.Version)); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "comments/s")
	})
}
