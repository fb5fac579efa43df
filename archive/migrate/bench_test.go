package migrate

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/uppsikt/uppsikt/archive/postgres"
	"github.com/uppsikt/uppsikt/archive/postgres/pgtest"
	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/moderation"
)

// BenchmarkCopy copies a store of 10 000 comments with two versions each
// (and their work items) into a fresh PostgreSQL database per iteration,
// and reports the rows copied a second.
func BenchmarkCopy(b *testing.B) {
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "uppsikt.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	if err := st.UpsertAccount(ctx, moderation.Account{Key: "kommun", Platform: "facebook", PlatformID: "p1", Name: "Kommunen", Status: moderation.AccountActive}); err != nil {
		b.Fatal(err)
	}
	const comments = 10000
	for i := range comments {
		for v := range 2 {
			obs := moderation.CommentObservation{AccountKey: "kommun", PostID: "post1", PlatformID: fmt.Sprintf("c%d", i),
				Author: moderation.Author{ID: "u", Name: "Kalle"}, Message: fmt.Sprintf("Badhuset borde öppna tidigare, nummer %d version %d", i, v),
				CreatedAt: t0, SeenAt: t0.Add(time.Duration(i) * time.Second), Source: "poll"}
			if _, err := st.RecordComment(ctx, obs); err != nil {
				b.Fatal(err)
			}
		}
	}
	st.Close()
	migrated := func(ctx context.Context, dsn string) error {
		s, err := postgres.Open(ctx, dsn)
		if err != nil {
			return err
		}
		return s.Close()
	}
	b.ResetTimer()
	var rows int64
	for range b.N {
		b.StopTimer()
		dsn := pgtest.Prepared(b, "migrated", migrated)
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		counts, err := Copy(ctx, Options{Source: path, Target: conn})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		for _, c := range counts {
			rows += c.Target
		}
		conn.Close(ctx)
		b.StartTimer()
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}
