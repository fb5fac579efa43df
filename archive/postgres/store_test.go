package postgres

import (
	"context"
	"os"
	"testing"

	"github.com/uppsikt/uppsikt/archive/postgres/pgtest"
	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/moderation/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// migrated prepares the template database every test copies: the schema
// made once per test run.
func migrated(ctx context.Context, dsn string) error {
	s, err := Open(ctx, dsn)
	if err != nil {
		return err
	}
	return s.Close()
}

// openTest opens a store on a new database holding uppsikt's schema.
func openTest(t *testing.T, opts ...Option) *Store {
	t.Helper()
	s, err := Open(context.Background(), pgtest.Prepared(t, "migrated", migrated), opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) moderation.Store { return openTest(t) })
}

// pgtestPrepared is a new database with uppsikt's schema, for benchmarks.
func pgtestPrepared(b *testing.B) string { return pgtest.Prepared(b, "migrated", migrated) }
