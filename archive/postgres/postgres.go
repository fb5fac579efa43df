package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/uppsikt/uppsikt/moderation"
)

// Errors returned by Open when it refuses a database. It is never written.
var (
	// ErrForeign means the database holds tables but is not uppsikt's.
	ErrForeign = errors.New("a foreign database, not uppsikt's")
	// ErrTooNew means the database was migrated by a newer uppsikt.
	ErrTooNew = errors.New("the database is from a newer uppsikt")
)

var _ moderation.Store = (*Store)(nil)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrationLock is the advisory lock key under which the migrations run, so
// that several uppsikt processes starting at once migrate once ("UPSK").
const migrationLock = 0x5550534B

// maxAttempts is how often a write transaction runs when PostgreSQL keeps
// aborting it (serialization failures, deadlocks).
const maxAttempts = 20

// Store is uppsikt's store on a PostgreSQL database. It is safe for
// concurrent use, also by several processes on the same database.
type Store struct {
	name string // the database, for messages
	pool *pgxpool.Pool
	log  *slog.Logger
	now  func() time.Time

	// search configurations: the default and by account key
	searchDefault string
	searchByAcct  map[string]string

	writeMu sync.Mutex // this process's writers, one at a time (see write)

	closeOnce sync.Once
}

// Option configures Open.
type Option func(*Store)

// WithLogger sets the logger; the default discards everything.
func WithLogger(l *slog.Logger) Option {
	return func(s *Store) {
		if l != nil {
			s.log = l
		}
	}
}

// WithClock sets the clock used for times the caller does not give; the
// default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(s *Store) {
		if now != nil {
			s.now = now
		}
	}
}

// WithLanguages sets the language (sv, da, or anything else for none) of
// the installation and of single accounts, which decides the text search
// configuration (swedish, danish, simple) a comment's text is indexed with.
// The default is Swedish.
func WithLanguages(def string, byAccount map[string]string) Option {
	return func(s *Store) {
		s.searchDefault = searchConfig(def)
		s.searchByAcct = map[string]string{}
		for k, l := range byAccount {
			s.searchByAcct[k] = searchConfig(l)
		}
	}
}

// Open connects to the database of dsn (a PostgreSQL connection string or
// URL), creates uppsikt's schema in an empty database and applies any
// migrations this version of uppsikt has that the database lacks. A
// database with tables that are not uppsikt's, or migrated by a newer
// uppsikt, is refused with an error wrapping ErrForeign or ErrTooNew.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	migrations, err := loadMigrations(migrationFS)
	if err != nil {
		return nil, err
	}
	return open(ctx, dsn, migrations, opts...)
}

func open(ctx context.Context, dsn string, migrations []migration, opts ...Option) (*Store, error) {
	s := &Store{
		log:           slog.New(slog.DiscardHandler),
		now:           time.Now,
		searchDefault: "swedish",
	}
	for _, o := range opts {
		o(s)
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// The error may quote the DSN with its password: say only what failed.
		return nil, errors.New("open store: the PostgreSQL connection string cannot be read")
	}
	s.name = cfg.ConnConfig.Database
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", s.name, err)
	}
	s.pool = pool
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open store %s: %w", s.name, err)
	}
	if err := s.migrate(ctx, migrations); err != nil {
		pool.Close()
		return nil, err
	}
	s.log.Debug("store opened", "database", s.name, "schema_version", migrations[len(migrations)-1].version)
	return s, nil
}

// Close closes the connection pool. Closing again does nothing.
func (s *Store) Close() error {
	s.closeOnce.Do(func() { s.pool.Close() })
	return nil
}

type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the migrations in fsys's folder migrations, named
// NNNN_what.sql, in order.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, "migrations")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_what.sql", name)
		}
		b, err := fs.ReadFile(fsys, "migrations/"+name)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := range ms {
		if ms[i].version != i+1 {
			return nil, fmt.Errorf("migration %s: versions must be numbered 1, 2, ... without gaps", ms[i].name)
		}
	}
	if len(ms) == 0 {
		return nil, errors.New("no migrations embedded")
	}
	return ms, nil
}

// schemaMark is the comment on schema_migrations that says the database
// is uppsikt's.
const schemaMark = "uppsikt"

// migrate applies every migration the database lacks in one transaction
// under an advisory lock: of several processes starting at once the first
// migrates and the others, once the lock is theirs, find nothing to do.
func (s *Store) migrate(ctx context.Context, ms []migration) error {
	latest := ms[len(ms)-1].version
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("open store %s: migrate: %w", s.name, err)
	}
	defer tx.Rollback(ctx)
	t := &txn{tx: tx}
	err = func() error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(migrationLock)); err != nil {
			return err
		}
		var mark *string
		var tables int
		if err := tx.QueryRow(ctx, `SELECT obj_description(to_regclass('schema_migrations'), 'pg_class'),
			(SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'schema_migrations')`).Scan(&mark, &tables); err != nil {
			return err
		}
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
			return err
		}
		switch {
		case exists && (mark == nil || *mark != schemaMark):
			return fmt.Errorf("%w (its schema_migrations is not uppsikt's)", ErrForeign)
		case !exists && tables > 0:
			return fmt.Errorf("%w (it has %d tables and no uppsikt schema_migrations)", ErrForeign, tables)
		case !exists:
			if _, err := tx.Exec(ctx, `CREATE TABLE schema_migrations (
				version    BIGINT PRIMARY KEY,
				applied_at BIGINT NOT NULL
			); COMMENT ON TABLE schema_migrations IS '`+schemaMark+`'`); err != nil {
				return err
			}
		}
		var applied int
		if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&applied); err != nil {
			return err
		}
		if applied > latest {
			return fmt.Errorf("%w (schema version %d, this uppsikt knows up to %d); upgrade uppsikt", ErrTooNew, applied, latest)
		}
		for _, m := range ms[applied:] {
			if _, err := t.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
				m.version, s.nowUTC().UnixNano()); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			s.log.Info("store migrated", "database", s.name, "migration", m.name)
		}
		return nil
	}()
	if err != nil {
		return fmt.Errorf("open store %s: %w", s.name, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("open store %s: migrate: %w", s.name, err)
	}
	return nil
}

// writeLock is the advisory lock key every write transaction holds
// ("UPSW").
const writeLock = 0x55505357

// beginWrite begins a write transaction holding writeLock.
var beginWrite = fmt.Sprintf("BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(%d)", writeLock)

// write runs fn in one write transaction. Writes are serialized, as the
// SQLite store's single writer serializes them, across every connection and
// every uppsikt process on the database: the transaction (READ COMMITTED)
// first takes the transaction-level advisory lock writeLock, so while fn
// runs no other write runs, and each of its statements sees every write
// committed before. A read-modify-write (the case state compare-and-set in
// RecordDecision, the per-year register sequence, the audit chain, the
// check before an insert) therefore never interleaves with another, and
// never fails for it. Reads do not take the lock: they run on their own
// snapshot beside the writer.
//
// Should PostgreSQL still abort the transaction for a serialization failure
// or a deadlock (a write outside the store, an administrator's statement),
// it runs again, up to maxAttempts times after a short random pause; fn must
// therefore only set what it returns, never add to something outside it.
func (s *Store) write(ctx context.Context, fn func(tx *txn) error) error {
	var err error
	for attempt := 1; ; attempt++ {
		err = s.writeOnce(ctx, fn)
		if err == nil || !retryable(err) || attempt == maxAttempts {
			return err
		}
		s.log.Debug("store write retried", "attempt", attempt, "err", err)
		pause := time.Duration(rand.Int64N(int64(attempt) * int64(time.Millisecond)))
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
	}
}

func (s *Store) writeOnce(ctx context.Context, fn func(tx *txn) error) error {
	// Writers of this process queue here, in Go, rather than each holding
	// a connection while it waits in PostgreSQL for writeLock.
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	// BEGIN and the lock in one round trip (simple protocol, in order).
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{BeginQuery: beginWrite})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(ctx)
	if err := fn(&txn{tx: tx}); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// read runs fn in one read-only REPEATABLE READ transaction, so that it sees
// one consistent snapshot (and is never aborted for a conflict).
func (s *Store) read(ctx context.Context, fn func(tx *txn) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback(ctx)
	if err := fn(&txn{tx: tx}); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("end read: %w", err)
	}
	return nil
}

// nowUTC is the store's clock in UTC.
func (s *Store) nowUTC() time.Time { return s.now().UTC() }
