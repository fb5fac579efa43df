package pgtest

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// Each database is new and separate from the others.
func TestDatabasesAreSeparate(t *testing.T) {
	ctx := context.Background()
	a, b := DSN(t), DSN(t)
	if a == b {
		t.Fatalf("two calls gave the same database %q", a)
	}
	ca, err := pgx.Connect(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	defer ca.Close(ctx)
	if _, err := ca.Exec(ctx, "CREATE TABLE x (n int)"); err != nil {
		t.Fatal(err)
	}
	cb, err := pgx.Connect(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	defer cb.Close(ctx)
	var n int
	if err := cb.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE tablename = 'x'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("the second database has the first's table")
	}
}

// A prepared template is filled once and copied for every caller.
func TestPreparedOnce(t *testing.T) {
	ctx := context.Background()
	calls := 0
	prepare := func(ctx context.Context, dsn string) error {
		calls++
		c, err := pgx.Connect(ctx, dsn)
		if err != nil {
			return err
		}
		defer c.Close(ctx)
		_, err = c.Exec(ctx, "CREATE TABLE seeded (n int); INSERT INTO seeded VALUES (7)")
		return err
	}
	for range 3 {
		dsn := Prepared(t, "seeded", prepare)
		c, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		err = c.QueryRow(ctx, "SELECT n FROM seeded").Scan(&n)
		c.Close(ctx)
		if err != nil || n != 7 {
			t.Fatalf("seeded: %d, %v", n, err)
		}
	}
	if calls != 1 {
		t.Fatalf("prepare ran %d times, want 1", calls)
	}
}
