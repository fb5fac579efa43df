package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/uppsikt/uppsikt/bot/lease"
	"github.com/uppsikt/uppsikt/bot/pipeline"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
)

// BenchmarkWorkersPipeline measures comments a second through the
// pipeline (the real rule packs, the store, cases, and evidence PDFs of the
// flagged comments, capture switched off) with one worker and with three
// sharing the store, each with its own connection to it as a separate
// process has, claiming its items. Every fifth comment carries an identity
// number and is documented and queued for hiding. It runs on SQLite, on
// PostgreSQL with the evidence in the folder, and on PostgreSQL with the
// evidence in a versitygw bucket with Object Lock (pgtest's server and
// versitygw on loopback, on the same machine). Run it with
//
//	go test ./cmd/uppsikt -run '^$' -bench BenchmarkWorkersPipeline -benchtime 3x
//
// or make bench-workers; the figure is comments/s.
func BenchmarkWorkersPipeline(b *testing.B) {
	for _, backend := range []sharedBackend{sqliteBackend, postgresBackend, postgresS3Backend} {
		for _, workers := range []int{1, 3} {
			b.Run(fmt.Sprintf("%s/workers=%d", backend.name, workers), func(b *testing.B) {
				benchWorkersPipeline(b, backend.start(b), workers)
			})
		}
	}
}

func benchWorkersPipeline(b *testing.B, shared sharedStore, workers int) {
	const perRound = 100
	ctx := context.Background()
	dir := b.TempDir()
	yaml := fmt.Sprintf(`municipality: {name: Mätby kommun, country: se}
paths: {data: %q}
meta: {graph_url: "http://127.0.0.1:1/", version: v23.0, app_id: "1000000000000001", app_secret: "${APP_SECRET}"}
capture: {disabled: true}
%saccounts:
  - {key: fb, platform: facebook, id: "1094830000000001", name: Mätby kommun, owners: [a], token: "${TOKEN}", language: sv}
`, filepath.Join(dir, "data"), shared.yaml(dir))
	path := filepath.Join(dir, "uppsikt.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		b.Fatal(err)
	}
	env := map[string]string{"APP_SECRET": rigSecret, "TOKEN": "EMU-bench"}
	cfg, err := config.Load(path, func(k string) string { return env[k] })
	if err != nil {
		b.Fatal(err)
	}
	type worker struct {
		st   store
		pipe *pipeline.Pipeline
	}
	var ws []worker
	for i := range workers {
		pt, err := newParts(cfg, discardLogger(), readWrite)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { pt.Close() })
		st, err := pt.Store(ctx)
		if err != nil {
			b.Fatal(err)
		}
		ev, err := pt.Evidence(ctx)
		if err != nil {
			b.Fatal(err)
		}
		classifier, err := newClassifier(cfg, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		k := lease.New(lease.Options{Store: st, ID: fmt.Sprintf("w%d", i+1), Instance: "bench", TTL: time.Minute, Accounts: []string{"fb"}})
		if err := k.Join(ctx); err != nil {
			b.Fatal(err)
		}
		// The heartbeat goes on while the pipeline works, as in serve.
		kctx, stop := context.WithCancel(ctx)
		var kwg sync.WaitGroup
		kwg.Go(func() { k.Run(kctx) })
		b.Cleanup(func() { stop(); kwg.Wait() })
		ws = append(ws, worker{st: st, pipe: pipeline.New(pipeline.Options{Store: st, Classifier: classifier, Evidence: ev,
			HideThenReview: cfg.Actions.HideThenReview, RegisterNumber: cfg.Register.FormatRegisterNumber,
			Claims: st, Worker: k.ID(), Batch: 20})})
	}
	seeded := 0
	var elapsed time.Duration
	for b.Loop() {
		b.StopTimer()
		for i := range perRound {
			n := seeded + i
			msg := fmt.Sprintf("Tack för informationen om vägarbetet, fråga nummer %d.", n)
			if n%5 == 0 {
				msg = fmt.Sprintf("Mitt personnummer är 850412-3285, ärende %d, kan ni söka fram det?", n)
			}
			if _, err := ws[0].st.RecordComment(ctx, moderation.CommentObservation{AccountKey: "fb", PostID: "1094830000000001_1",
				PlatformID: fmt.Sprintf("c%d", n), Author: moderation.Author{ID: fmt.Sprint(n), Name: "Besökare"}, Message: msg,
				CreatedAt: time.Now(), Raw: json.RawMessage(`{}`), Source: moderation.SourcePoll, SeenAt: time.Now()}); err != nil {
				b.Fatal(err)
			}
		}
		seeded += perRound
		b.StartTimer()
		start := time.Now()
		var wg sync.WaitGroup
		done := make([]int, workers)
		for i, w := range ws {
			wg.Go(func() {
				n, err := w.pipe.Drain(ctx, nil)
				if err != nil {
					b.Error(err)
				}
				done[i] = n
			})
		}
		wg.Wait()
		elapsed += time.Since(start)
		total := 0
		for _, n := range done {
			total += n
		}
		if total != perRound {
			b.Fatalf("processed %d items in the round, want %d (per worker %v)", total, perRound, done)
		}
	}
	b.ReportMetric(float64(seeded)/elapsed.Seconds(), "comments/s")
}
