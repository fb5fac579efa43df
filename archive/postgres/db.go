package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// noLimit is a LIMIT that takes every row.
const noLimit = math.MaxInt64

// txn is one transaction. Its methods take SQL with ? (or ?N) placeholders,
// as the SQLite store's do, so that the two stores' queries read alike; they
// are rewritten to PostgreSQL's $N once per query text. A bool argument is
// stored as 0 or 1 (flags are integers, as in SQLite), and a *bool scanned
// from an integer is true when it is not 0.
type txn struct {
	tx pgx.Tx
}

// rows are the rows of a query.
type dbRows struct {
	pgx.Rows
}

// Scan reads the current row.
func (r *dbRows) Scan(dest ...any) error { return r.Rows.Scan(wrapDest(dest)...) }

// Close releases the rows; it returns nil (the error, if any, is in Err).
func (r *dbRows) Close() error {
	r.Rows.Close()
	return nil
}

// row is the result of a query for one row.
type dbRow struct {
	r   pgx.Row
	err error
}

// Scan reads the row; no row gives sql.ErrNoRows.
func (r *dbRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	err := r.r.Scan(wrapDest(dest)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return sql.ErrNoRows
	}
	return err
}

// result is what an Exec did.
type result struct {
	tag   pgconn.CommandTag
	id    int64
	hasID bool
}

// RowsAffected is the number of rows the statement changed.
func (r result) RowsAffected() (int64, error) { return r.tag.RowsAffected(), nil }

// QueryRowContext runs a query for at most one row.
func (t *txn) QueryRowContext(ctx context.Context, q string, args ...any) *dbRow {
	return &dbRow{r: t.tx.QueryRow(ctx, rebind(q), wrapArgs(args)...)}
}

// QueryContext runs a query.
func (t *txn) QueryContext(ctx context.Context, q string, args ...any) (*dbRows, error) {
	r, err := t.tx.Query(ctx, rebind(q), wrapArgs(args)...)
	if err != nil {
		return nil, err
	}
	return &dbRows{r}, nil
}

// ExecContext runs a statement.
func (t *txn) ExecContext(ctx context.Context, q string, args ...any) (result, error) {
	if len(args) == 0 {
		// Without arguments several statements may be sent at once
		// (simple protocol), as the migrations are.
		tag, err := t.tx.Exec(ctx, rebind(q), pgx.QueryExecModeSimpleProtocol)
		return result{tag: tag}, err
	}
	tag, err := t.tx.Exec(ctx, rebind(q), wrapArgs(args)...)
	return result{tag: tag}, err
}

// insertID runs an INSERT … RETURNING id and gives the id.
func (t *txn) insertID(ctx context.Context, q string, args ...any) (int64, error) {
	var id int64
	err := t.QueryRowContext(ctx, q+" RETURNING id", args...).Scan(&id)
	return id, err
}

// wrapArgs stores bools as integers, and makes every string one that
// PostgreSQL's text can hold (see textSafe).
func wrapArgs(args []any) []any {
	for i, a := range args {
		switch v := a.(type) {
		case bool:
			args[i] = boolInt(v)
		case string:
			args[i] = textSafe(v)
		}
	}
	return args
}

// textSafe is s with what PostgreSQL's text cannot hold replaced by U+FFFD:
// NUL bytes and bytes that are not UTF-8. SQLite keeps both, so a comment
// text holding them reads back differently here (its stored hash is the
// original's, so seeing it again still adds nothing). Raw platform answers
// are bytea and kept exactly.
func textSafe(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// wrapDest reads integers into *bool.
func wrapDest(dest []any) []any {
	for i, d := range dest {
		if b, ok := d.(*bool); ok {
			dest[i] = &boolScanner{b}
		}
	}
	return dest
}

// boolScanner reads an integer (or a boolean) as a bool.
type boolScanner struct{ p *bool }

func (b *boolScanner) Scan(src any) error {
	switch v := src.(type) {
	case int64:
		*b.p = v != 0
	case bool:
		*b.p = v
	case nil:
		*b.p = false
	default:
		return fmt.Errorf("scan %T into bool", src)
	}
	return nil
}

var rebound sync.Map // query text → rewritten

// rebind rewrites ? and ?N placeholders to $N, outside quoted text.
func rebind(q string) string {
	if v, ok := rebound.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	inQuote := byte(0)
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case inQuote != 0:
			if c == inQuote {
				inQuote = 0
			}
			b.WriteByte(c)
		case c == '\'' || c == '"':
			inQuote = c
			b.WriteByte(c)
		case c == '?':
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			if j > i+1 {
				b.WriteString("$" + q[i+1:j])
				i = j - 1
			} else {
				n++
				b.WriteString("$" + strconv.Itoa(n))
			}
		default:
			b.WriteByte(c)
		}
	}
	s := b.String()
	rebound.Store(q, s)
	return s
}

// retryable reports whether a transaction failed only because it ran into
// another (serialization failure or deadlock) and may simply run again.
func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	return false
}

// execInsert runs an INSERT of one row into a table with an id column and
// keeps the new row's id for LastInsertId.
func (t *txn) execInsert(ctx context.Context, q string, args ...any) (result, error) {
	var id int64
	if err := t.QueryRowContext(ctx, q+" RETURNING id", args...).Scan(&id); err != nil {
		return result{}, err
	}
	return result{tag: pgconn.NewCommandTag("INSERT 0 1"), id: id, hasID: true}, nil
}

// LastInsertId is the id of the row execInsert inserted.
func (r result) LastInsertId() (int64, error) {
	if !r.hasID {
		return 0, errors.New("no id: the statement was not run by execInsert")
	}
	return r.id, nil
}
