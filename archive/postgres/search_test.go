package postgres

import (
	"context"
	"testing"

	"github.com/uppsikt/uppsikt/moderation"
)

// BenchmarkSearchComments searches an archive of 20 000 comments, the same
// texts as archive/sqlite's BenchmarkSearchComments (written with SQL here,
// for speed).
func BenchmarkSearchComments(b *testing.B) {
	ctx := context.Background()
	s, err := Open(ctx, pgtestPrepared(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.UpsertAccount(ctx, moderation.Account{Key: "kommun", Platform: moderation.Facebook, PlatformID: "1"}); err != nil {
		b.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO posts (account_key, platform_id, first_seen_at, stub) SELECT 'kommun', 'p' || i, 1, 1 FROM generate_series(0, 49) i`,
		`INSERT INTO comments (account_key, post_platform_id, platform_id, state, state_at, first_seen_at, versions)
		 SELECT 'kommun', 'p' || (i % 50), 'c' || i, 'visible', 1, 1, 1 FROM generate_series(0, 19999) i`,
		`WITH w AS (SELECT ARRAY['badhuset', 'skolan', 'snöröjningen', 'torget', 'biblioteket', 'kommunen', 'vägen', 'parken'] AS w)
		 INSERT INTO comment_versions (comment_id, version, message, hash, seen_at, source, search_config)
		 SELECT c.id, 1, format('Hej! Jag undrar när %s öppnar igen, och varför %s inte svarar på frågor om %s. Tack för svar nr %s.',
		        w[n % 8 + 1], w[(n / 3) % 8 + 1], w[(n / 7) % 8 + 1], n), md5(c.id::text), 1, 'poll', 'swedish'
		 FROM (SELECT id, substr(platform_id, 2)::int AS n FROM comments) c, w`,
		`ANALYZE`,
	} {
		if _, err := s.pool.Exec(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if views, err := s.SearchComments(ctx, "badhuset svar", 50); err != nil || len(views) != 50 {
			b.Fatalf("SearchComments: %d, %v", len(views), err)
		}
	}
}
