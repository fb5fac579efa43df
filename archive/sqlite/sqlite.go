package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	// The driver registers itself as "sqlite3".
	_ "github.com/mattn/go-sqlite3"

	"github.com/uppsikt/uppsikt/moderation"
)

// ApplicationID is written to the database header (PRAGMA application_id) so
// that an uppsikt database can be told apart from any other SQLite file. It is
// "UPSK" in ASCII.
const ApplicationID = 0x5550534B

// Errors returned by Open when it refuses a file. The file is never written.
var (
	// ErrNotSQLite means the file does not start with the SQLite header.
	ErrNotSQLite = errors.New("not a SQLite database")
	// ErrForeign means the file is a SQLite database of another application.
	ErrForeign = errors.New("a foreign database, not uppsikt's")
	// ErrCorrupt means SQLite's integrity check failed.
	ErrCorrupt = errors.New("the database is corrupt")
	// ErrTooNew means the database was written by a newer uppsikt.
	ErrTooNew = errors.New("the database is from a newer uppsikt")
)

var _ moderation.Store = (*Store)(nil)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Store is uppsikt's store on one SQLite file. It is safe for concurrent use.
type Store struct {
	path string  // as given, for messages
	abs  string  // absolute, for connection strings
	db   *sql.DB // the one writer
	rdb  *sql.DB // the read pool
	log  *slog.Logger
	now  func() time.Time

	closeOnce sync.Once
	closeErr  error
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

// sqliteHeader is how every SQLite 3 database file begins.
var sqliteHeader = []byte("SQLite format 3\x00")

// Open opens the store at path, creating the file and its schema when the file
// does not exist or is empty, and applying any migrations this version of
// uppsikt has that the file lacks.
//
// A file that is not a SQLite database, fails SQLite's quick check, belongs to
// another application or was written by a newer uppsikt is refused with an
// error wrapping ErrNotSQLite, ErrCorrupt, ErrForeign or ErrTooNew, and is
// left exactly as it was.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	migrations, err := loadMigrations(migrationFS)
	if err != nil {
		return nil, err
	}
	return open(ctx, path, migrations, opts...)
}

// open opens the store with the given migrations; tests pass their own.
func open(ctx context.Context, path string, migrations []migration, opts ...Option) (*Store, error) {
	s := &Store{
		path: path,
		log:  slog.New(slog.DiscardHandler),
		now:  time.Now,
	}
	for _, o := range opts {
		o(s)
	}
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("open store: %q: give the path of a database file", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s.abs = abs
	latest := migrations[len(migrations)-1].version

	existing, err := checkHeader(abs)
	if err != nil {
		return nil, err
	}
	if existing {
		if err := inspect(ctx, abs, latest); err != nil {
			return nil, err
		}
	} else if err := createPrivate(abs); err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}

	db, err := sql.Open("sqlite3", dsn(abs, "_journal_mode=WAL", "_txlock=immediate", "_stmt_cache_size=64"))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	s.db = db
	if err := s.migrate(ctx, migrations); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.prepareSearchIndex(ctx); err != nil {
		db.Close()
		return nil, err
	}

	rdb, err := sql.Open("sqlite3", dsn(abs, "mode=ro", "_query_only=1", "_stmt_cache_size=32"))
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: read pool: %w", path, err)
	}
	rdb.SetMaxOpenConns(4)
	rdb.SetMaxIdleConns(4)
	if err := rdb.PingContext(ctx); err != nil {
		rdb.Close()
		db.Close()
		return nil, fmt.Errorf("open store %s: read pool: %w", path, err)
	}
	s.rdb = rdb
	s.log.Debug("store opened", "path", path, "schema_version", latest)
	return s, nil
}

// Close lets SQLite refresh its query planner statistics (PRAGMA optimize),
// then closes the read pool and the writer. The last connection to close
// checkpoints the write-ahead log into the database file. Closing again does
// nothing.
func (s *Store) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.close() })
	return s.closeErr
}

func (s *Store) close() error {
	var errs []error
	if s.db != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := s.db.ExecContext(ctx, "PRAGMA optimize")
		cancel()
		errs = append(errs, err)
	}
	if s.rdb != nil {
		errs = append(errs, s.rdb.Close())
	}
	if s.db != nil {
		errs = append(errs, s.db.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close store %s: %w", s.path, err)
	}
	return nil
}

// dsn builds the connection string. Every pooled connection gets the same
// per-connection settings: busy timeout, foreign keys, synchronous NORMAL.
func dsn(abs string, extra ...string) string {
	r := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	params := append([]string{"_busy_timeout=5000", "_foreign_keys=on", "_synchronous=NORMAL"}, extra...)
	return "file:" + r.Replace(filepath.ToSlash(abs)) + "?" + strings.Join(params, "&")
}

// createPrivate creates a new database file readable by its owner only: it
// holds personal data. SQLite gives its -wal and -shm files the same mode.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil // an empty file made by someone else: keep its mode
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// checkHeader reports whether path holds a non-empty file, and refuses one
// that does not begin with the SQLite header. It only reads.
func checkHeader(path string) (bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("open store %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return false, fmt.Errorf("open store %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return false, fmt.Errorf("open store %s: not a regular file: %w", path, ErrNotSQLite)
	}
	if fi.Size() == 0 {
		return false, nil
	}
	head := make([]byte, len(sqliteHeader))
	if _, err := io.ReadFull(f, head); err != nil || !bytes.Equal(head, sqliteHeader) {
		return false, fmt.Errorf("open store: %s is %w (it does not begin with the SQLite header); uppsikt will not touch it", path, ErrNotSQLite)
	}
	return true, nil
}

// inspect opens an existing file read-only, without changing its journal
// mode, and decides whether uppsikt may write to it.
//
// When no write-ahead log lies beside the file, it is opened immutable, so
// that SQLite creates no -wal or -shm file next to a file it may refuse. A
// file with a log beside it is opened read-only and reads through the log.
func inspect(ctx context.Context, path string, latest int) error {
	mode := "immutable=1"
	if _, err := os.Stat(path + "-wal"); err == nil {
		mode = "mode=ro"
	}
	db, err := sql.Open("sqlite3", dsn(path, mode, "_query_only=1"))
	if err != nil {
		return fmt.Errorf("open store %s: %w", path, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("open store %s: %w: %w", path, ErrCorrupt, err)
	}
	defer conn.Close()

	var appID int64
	if err := conn.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return fmt.Errorf("open store %s: reading the header: %w: %w", path, ErrCorrupt, err)
	}
	switch appID {
	case ApplicationID:
	case 0:
		var objects int
		if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&objects); err != nil {
			return fmt.Errorf("open store %s: reading the schema: %w: %w", path, ErrCorrupt, err)
		}
		if objects > 0 {
			return fmt.Errorf("open store: %s is %w (it has %d schema objects and no uppsikt application id); uppsikt will not touch it", path, ErrForeign, objects)
		}
	default:
		return fmt.Errorf("open store: %s is %w (application id %#x); uppsikt will not touch it", path, ErrForeign, appID)
	}

	rows, err := conn.QueryContext(ctx, "PRAGMA quick_check")
	if err != nil {
		return fmt.Errorf("open store %s: %w: %w", path, ErrCorrupt, err)
	}
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return fmt.Errorf("open store %s: %w: %w", path, ErrCorrupt, err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return fmt.Errorf("open store %s: %w: %w", path, ErrCorrupt, err)
	}
	rows.Close()
	if len(problems) > 0 {
		if len(problems) > 3 {
			problems = append(problems[:3], fmt.Sprintf("and %d more", len(problems)-3))
		}
		return fmt.Errorf("open store %s: %w: quick_check: %s", path, ErrCorrupt, strings.Join(problems, "; "))
	}

	if appID == 0 {
		return nil
	}
	var userVersion int
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&userVersion); err != nil {
		return fmt.Errorf("open store %s: %w: %w", path, ErrCorrupt, err)
	}
	var applied sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT max(version) FROM schema_migrations").Scan(&applied); err != nil {
		return fmt.Errorf("open store %s: reading schema_migrations: %w: %w", path, ErrCorrupt, err)
	}
	if userVersion > latest || int(applied.Int64) > latest {
		return fmt.Errorf("open store %s: %w (schema version %d, this uppsikt knows up to %d); upgrade uppsikt",
			path, ErrTooNew, max(userVersion, int(applied.Int64)), latest)
	}
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

// migrate applies every migration the database lacks, each in its own
// transaction together with its row in schema_migrations and the header's
// application_id and user_version.
func (s *Store) migrate(ctx context.Context, ms []migration) error {
	for _, m := range ms {
		err := s.write(ctx, func(tx *sql.Tx) error {
			var appID int64
			if err := tx.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
				return err
			}
			if appID != 0 && appID != ApplicationID {
				return fmt.Errorf("%w (application id %#x)", ErrForeign, appID)
			}
			if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
				version    INTEGER PRIMARY KEY,
				applied_at INTEGER NOT NULL
			) STRICT`); err != nil {
				return err
			}
			var applied sql.NullInt64
			if err := tx.QueryRowContext(ctx, "SELECT max(version) FROM schema_migrations").Scan(&applied); err != nil {
				return err
			}
			if int(applied.Int64) > ms[len(ms)-1].version {
				return fmt.Errorf("%w (schema version %d)", ErrTooNew, applied.Int64)
			}
			if int(applied.Int64) >= m.version {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
				m.version, s.now().UTC().UnixNano()); err != nil {
				return err
			}
			// PRAGMA takes no bound parameters; both values are integers we own.
			if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", ApplicationID)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
				return err
			}
			s.log.Info("store migrated", "path", s.path, "migration", m.name)
			return nil
		})
		if err != nil {
			return fmt.Errorf("open store %s: migration %s: %w", s.path, m.name, err)
		}
	}
	return nil
}

// write runs fn in one write transaction (BEGIN IMMEDIATE on the single
// writer connection).
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// read runs fn in one read transaction on the read pool, so that it sees one
// consistent snapshot.
func (s *Store) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("end read: %w", err)
	}
	return nil
}

// nowUTC is the store's clock in UTC.
func (s *Store) nowUTC() time.Time { return s.now().UTC() }
