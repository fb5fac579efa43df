package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/bot/metrics"
	"github.com/uppsikt/uppsikt/moderation"
)

// seedMetricsStore fills a store as a year of 10 accounts leaves it:
// comments, each classified (one in 20 flagged, one in 10 a question),
// their work done, and a hide for every flagged comment (one in ten of
// them failed).
func seedMetricsStore(b *testing.B, comments int) *sqlite.Store {
	b.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "uppsikt.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	const accounts = 10
	for i := range accounts {
		if err := st.UpsertAccount(ctx, moderation.Account{Key: fmt.Sprintf("konto-%d", i), Platform: moderation.Facebook,
			PlatformID: fmt.Sprint(1000 + i), Status: moderation.AccountActive}); err != nil {
			b.Fatal(err)
		}
		if err := st.SetSchedule(ctx, moderation.Schedule{AccountKey: fmt.Sprintf("konto-%d", i), LastPollAt: time.Now(), NextPollAt: time.Now()}); err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	seen := time.Now().Add(-365 * 24 * time.Hour)
	for i := range comments {
		acc := fmt.Sprintf("konto-%d", i%accounts)
		r, err := st.RecordComment(ctx, moderation.CommentObservation{AccountKey: acc, PostID: fmt.Sprintf("%s_%d", acc, i/200),
			PlatformID: fmt.Sprintf("c%d", i), Message: fmt.Sprintf("kommentar %d", i), Source: moderation.SourcePoll,
			SeenAt: seen.Add(time.Duration(i) * time.Minute)})
		if err != nil {
			b.Fatal(err)
		}
		v := moderation.Verdict{Question: i%10 == 3}
		if i%20 == 7 {
			v.Categories = []string{moderation.Categories()[i%len(moderation.Categories())]}
		}
		if err := st.SaveVerdict(ctx, moderation.StoredVerdict{CommentID: r.CommentID, Version: r.Version, Verdict: v}); err != nil {
			b.Fatal(err)
		}
		if len(v.Categories) > 0 {
			a, _, err := st.EnqueueAction(ctx, moderation.Action{CommentID: r.CommentID, Kind: moderation.ActHide})
			if err != nil {
				b.Fatal(err)
			}
			state := moderation.ActionDone
			if i%200 == 7 {
				state = moderation.ActionFailed
			}
			if err := st.FinishAction(ctx, a.ID, state, "", ""); err != nil {
				b.Fatal(err)
			}
		}
	}
	for {
		items, err := st.PendingWork(ctx, time.Now().Add(time.Hour), 1000)
		if err != nil {
			b.Fatal(err)
		}
		if len(items) == 0 {
			break
		}
		for _, it := range items {
			if err := st.CompleteWork(ctx, it.ID); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Logf("seeded %d comments in %s", comments, time.Since(start).Round(time.Millisecond))
	return st
}

// BenchmarkMetricsScrape measures GET /metrics over a store with 100,000
// comments: "steady" is every scrape after the first (the verdicts are
// counted from where the last scrape stopped), "first" the first scrape
// after a start, which counts every stored verdict once; the store-*
// benchmarks measure the store's queries alone.
func BenchmarkMetricsScrape(b *testing.B) {
	st := seedMetricsStore(b, 100_000)
	get := func(b *testing.B, url string) {
		resp, err := http.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET /metrics: %d", resp.StatusCode)
		}
	}
	b.Run("steady", func(b *testing.B) {
		m := metrics.New(metrics.Options{Store: st, Logger: discardLogger()})
		srv := httptest.NewServer(m.Handler())
		defer srv.Close()
		get(b, srv.URL)
		b.ResetTimer()
		for b.Loop() {
			get(b, srv.URL)
		}
	})
	// The store's part of a scrape alone.
	ctx := context.Background()
	b.Run("store-gauges", func(b *testing.B) {
		for b.Loop() {
			if _, err := st.Gauges(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	all, err := st.CountVerdicts(ctx, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("store-verdicts-none-new", func(b *testing.B) {
		for b.Loop() {
			if _, err := st.CountVerdicts(ctx, all.Next); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("store-verdicts-all", func(b *testing.B) {
		for b.Loop() {
			if _, err := st.CountVerdicts(ctx, 0); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("first", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			m := metrics.New(metrics.Options{Store: st, Logger: discardLogger()})
			srv := httptest.NewServer(m.Handler())
			b.StartTimer()
			get(b, srv.URL)
			b.StopTimer()
			srv.Close()
			b.StartTimer()
		}
	})
}
