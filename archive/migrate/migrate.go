package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	_ "github.com/mattn/go-sqlite3" // the SQLite driver, as archive/sqlite registers it
)

// ErrNotEmpty means the target database already holds data; it is not
// written.
var ErrNotEmpty = errors.New("the target database is not empty")

// ErrSchema means the two schemas differ in a way the copier does not know.
var ErrSchema = errors.New("the SQLite and PostgreSQL schemas differ")

// sqliteOnly are the tables and columns the SQLite store has and the
// PostgreSQL store does not (yet), with why leaving them behind loses
// nothing. Once PostgreSQL has one too, it is copied like any other.
var sqliteOnly = map[string]string{
	"workers":                      "the serve workers' heartbeats: runtime state, rebuilt by the workers",
	"leases":                       "the serve workers' leases: runtime state, rebuilt by the workers",
	"work_items.claimed_by":        "a worker's claim: runtime state, void once the workers stop",
	"work_items.claimed_until":     "a worker's claim: runtime state, void once the workers stop",
	"actions.claimed_by":           "a worker's claim: runtime state, void once the workers stop",
	"actions.claimed_until":        "a worker's claim: runtime state, void once the workers stop",
	"webhook_events.claimed_by":    "a worker's claim: runtime state, void once the workers stop",
	"webhook_events.claimed_until": "a worker's claim: runtime state, void once the workers stop",
}

// targetOwn are the PostgreSQL columns that SQLite has no counterpart of
// and that Copy does not take from the source.
var targetOwn = map[string]string{
	"comment_versions.search_config": "the account's language, from Options.SearchConfig",
	"comment_versions.search":        "generated from the text",
	"verdicts.seq":                   "an identity column for SQLite's rowid, numbered in rowid order",
}

// notCopied are tables both stores have but each keeps for itself.
var notCopied = map[string]string{
	"schema_migrations": "each store records its own migrations",
}

// Column is one column of a table plan.
type Column struct {
	Name string
	Type string // PostgreSQL's type (udt_name)
}

// Table is what Copy does with one table.
type Table struct {
	Name    string
	Columns []Column // copied from the source, in this order
	// SearchConfig is set for comment_versions: search_config is filled
	// from the account of each version's comment.
	SearchConfig bool
	Skipped      string // why the table is not copied ("" when it is)
}

// Counted is one table's rows in the source and in the target.
type Counted struct {
	Table          string
	Source, Target int64
	Skipped        string
}

// Options configure Copy.
type Options struct {
	// Source is the SQLite database file.
	Source string
	// Target is an open connection to the PostgreSQL database, already
	// migrated by archive/postgres.Open.
	Target *pgx.Conn
	// SearchConfig returns the text search configuration (swedish,
	// danish, simple) for an account's comment texts.
	SearchConfig func(accountKey string) string
	Log          *slog.Logger
}

// OpenSource opens the SQLite file at path read-only.
func OpenSource(path string) (*sql.DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	r := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	db, err := sql.Open("sqlite3", "file:"+r.Replace(filepath.ToSlash(abs))+"?mode=ro&_query_only=1&_busy_timeout=5000")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// querier is a SQLite connection or transaction.
type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// sqliteTables returns the source's tables in creation order with their
// columns, leaving out SQLite's own, virtual tables and their shadow
// tables.
func sqliteTables(ctx context.Context, q querier) ([]string, map[string][]string, error) {
	rows, err := q.QueryContext(ctx, "SELECT name, coalesce(sql, '') FROM sqlite_schema WHERE type = 'table' ORDER BY rowid")
	if err != nil {
		return nil, nil, fmt.Errorf("read the SQLite schema: %w", err)
	}
	var names, virtual []string
	for rows.Next() {
		var name, ddl string
		if err := rows.Scan(&name, &ddl); err != nil {
			rows.Close()
			return nil, nil, err
		}
		if strings.HasPrefix(name, "sqlite_") {
			continue
		}
		if strings.HasPrefix(strings.ToUpper(ddl), "CREATE VIRTUAL TABLE") {
			virtual = append(virtual, name)
			continue
		}
		names = append(names, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	names = slices.DeleteFunc(names, func(n string) bool {
		for _, v := range virtual {
			if strings.HasPrefix(n, v+"_") {
				return true // a shadow table of a full-text index
			}
		}
		return false
	})
	cols := map[string][]string{}
	for _, n := range names {
		rows, err := q.QueryContext(ctx, "SELECT name FROM pragma_table_info(?) ORDER BY cid", n)
		if err != nil {
			return nil, nil, fmt.Errorf("read the columns of %s: %w", n, err)
		}
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				rows.Close()
				return nil, nil, err
			}
			cols[n] = append(cols[n], c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
	}
	return names, cols, nil
}

type pgColumn struct {
	name, typ string
	generated bool // generated or GENERATED ALWAYS identity: never copied
}

// pgTables returns the target's tables with their columns and the tables
// each references by foreign key.
func pgTables(ctx context.Context, c *pgx.Conn) (map[string][]pgColumn, map[string][]string, error) {
	rows, err := c.Query(ctx, `SELECT table_name, column_name, udt_name,
		is_generated = 'ALWAYS' OR coalesce(identity_generation, '') = 'ALWAYS'
		FROM information_schema.columns WHERE table_schema = current_schema()
		ORDER BY table_name, ordinal_position`)
	if err != nil {
		return nil, nil, fmt.Errorf("read the PostgreSQL schema: %w", err)
	}
	cols := map[string][]pgColumn{}
	for rows.Next() {
		var t string
		var col pgColumn
		if err := rows.Scan(&t, &col.name, &col.typ, &col.generated); err != nil {
			rows.Close()
			return nil, nil, err
		}
		cols[t] = append(cols[t], col)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows, err = c.Query(ctx, `SELECT DISTINCT cl.relname, ref.relname FROM pg_constraint co
		JOIN pg_class cl ON cl.oid = co.conrelid JOIN pg_class ref ON ref.oid = co.confrelid
		JOIN pg_namespace ns ON ns.oid = cl.relnamespace
		WHERE co.contype = 'f' AND ns.nspname = current_schema()`)
	if err != nil {
		return nil, nil, fmt.Errorf("read the PostgreSQL foreign keys: %w", err)
	}
	refs := map[string][]string{}
	for rows.Next() {
		var t, r string
		if err := rows.Scan(&t, &r); err != nil {
			rows.Close()
			return nil, nil, err
		}
		if t != r {
			refs[t] = append(refs[t], r)
		}
	}
	rows.Close()
	// register_entries' comment is checked by a trigger, not a key.
	refs["register_entries"] = append(refs["register_entries"], "comments")
	return cols, refs, rows.Err()
}

// Plan compares the schemas of the source (an open SQLite connection or
// transaction) and the target and returns the tables to copy in
// foreign-key order. Any table or column only one side has, and that the
// copier does not know, is an error wrapping ErrSchema that names them all.
func Plan(ctx context.Context, src querier, dst *pgx.Conn) ([]Table, error) {
	names, scols, err := sqliteTables(ctx, src)
	if err != nil {
		return nil, err
	}
	pcols, refs, err := pgTables(ctx, dst)
	if err != nil {
		return nil, err
	}
	var diffs []string
	var plan []Table
	seen := map[string]bool{}
	for _, n := range names {
		seen[n] = true
		if why, ok := notCopied[n]; ok {
			plan = append(plan, Table{Name: n, Skipped: why})
			continue
		}
		pc, ok := pcols[n]
		if !ok {
			if why, ok := sqliteOnly[n]; ok {
				plan = append(plan, Table{Name: n, Skipped: why})
			} else {
				diffs = append(diffs, "table "+n+" only in SQLite")
			}
			continue
		}
		t := Table{Name: n}
		byName := map[string]pgColumn{}
		for _, c := range pc {
			byName[c.name] = c
		}
		for _, c := range scols[n] {
			p, ok := byName[c]
			switch {
			case !ok:
				if _, known := sqliteOnly[n+"."+c]; !known {
					diffs = append(diffs, "column "+n+"."+c+" only in SQLite")
				}
			case p.generated:
				diffs = append(diffs, "column "+n+"."+c+" is generated in PostgreSQL")
			default:
				t.Columns = append(t.Columns, Column{Name: c, Type: p.typ})
			}
		}
		have := map[string]bool{}
		for _, c := range scols[n] {
			have[c] = true
		}
		for _, p := range pc {
			if have[p.name] {
				continue
			}
			if _, known := targetOwn[n+"."+p.name]; !known {
				diffs = append(diffs, "column "+n+"."+p.name+" only in PostgreSQL")
			}
		}
		t.SearchConfig = n == "comment_versions"
		plan = append(plan, t)
	}
	for n := range pcols {
		if !seen[n] {
			diffs = append(diffs, "table "+n+" only in PostgreSQL")
		}
	}
	if len(diffs) > 0 {
		sort.Strings(diffs)
		return nil, fmt.Errorf("%w: %s", ErrSchema, strings.Join(diffs, "; "))
	}
	return order(plan, refs)
}

// order sorts the tables so that each comes after the tables it
// references, keeping the source's creation order otherwise.
func order(plan []Table, refs map[string][]string) ([]Table, error) {
	idx := map[string]int{}
	for i, t := range plan {
		idx[t.Name] = i
	}
	var out []Table
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(i int) error
	visit = func(i int) error {
		n := plan[i].Name
		switch state[n] {
		case 1:
			return fmt.Errorf("%w: a cycle of foreign keys through %s", ErrSchema, n)
		case 2:
			return nil
		}
		state[n] = 1
		for _, r := range refs[n] {
			if j, ok := idx[r]; ok {
				if err := visit(j); err != nil {
					return err
				}
			}
		}
		state[n] = 2
		out = append(out, plan[i])
		return nil
	}
	for i := range plan {
		if err := visit(i); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// NonEmpty returns the tables of the target that hold rows, with their
// counts.
func NonEmpty(ctx context.Context, dst *pgx.Conn) (map[string]int64, error) {
	pcols, _, err := pgTables(ctx, dst)
	if err != nil {
		return nil, err
	}
	found := map[string]int64{}
	for t := range pcols {
		if _, skip := notCopied[t]; skip {
			continue
		}
		var n int64
		if err := dst.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{t}.Sanitize()).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", t, err)
		}
		if n > 0 {
			found[t] = n
		}
	}
	return found, nil
}

// Copy copies every table of the SQLite store at o.Source into the empty
// PostgreSQL database o.Target in one transaction and returns how many rows
// each table has on both sides afterwards. A target holding rows is
// refused with ErrNotEmpty, naming its tables.
func Copy(ctx context.Context, o Options) ([]Counted, error) {
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	found, err := NonEmpty(ctx, o.Target)
	if err != nil {
		return nil, err
	}
	if len(found) > 0 {
		var names []string
		for t, n := range found {
			names = append(names, fmt.Sprintf("%s (%d rows)", t, n))
		}
		sort.Strings(names)
		return nil, fmt.Errorf("%w: %s", ErrNotEmpty, strings.Join(names, ", "))
	}
	db, err := OpenSource(o.Source)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	stx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", o.Source, err)
	}
	defer stx.Rollback() //nolint:errcheck // read-only
	plan, err := Plan(ctx, stx, o.Target)
	if err != nil {
		return nil, err
	}
	configs, err := registerRegconfig(ctx, o.Target)
	if err != nil {
		return nil, err
	}
	ptx, err := o.Target.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin the copy: %w", err)
	}
	defer ptx.Rollback(ctx) //nolint:errcheck // after Commit, a no-op
	var counts []Counted
	for _, t := range plan {
		if t.Skipped != "" {
			var n int64
			if err := stx.QueryRowContext(ctx, "SELECT count(*) FROM "+quoteSQLite(t.Name)).Scan(&n); err != nil {
				return nil, fmt.Errorf("count %s: %w", t.Name, err)
			}
			counts = append(counts, Counted{Table: t.Name, Source: n, Skipped: t.Skipped})
			continue
		}
		n, err := copyTable(ctx, stx, ptx, t, o.SearchConfig, configs)
		if err != nil {
			return nil, fmt.Errorf("copy %s: %w", t.Name, err)
		}
		log.Info("table copied", "table", t.Name, "rows", n)
		counts = append(counts, Counted{Table: t.Name, Source: n})
	}
	if err := advanceSequences(ctx, ptx); err != nil {
		return nil, err
	}
	if err := ptx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("commit the copy: %w", err)
	}
	// Count both sides again: the source in its snapshot, the target as
	// committed.
	for i, c := range counts {
		if c.Skipped != "" {
			continue
		}
		if err := stx.QueryRowContext(ctx, "SELECT count(*) FROM "+quoteSQLite(c.Table)).Scan(&counts[i].Source); err != nil {
			return nil, fmt.Errorf("count %s: %w", c.Table, err)
		}
		if err := o.Target.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{c.Table}.Sanitize()).Scan(&counts[i].Target); err != nil {
			return nil, fmt.Errorf("count %s: %w", c.Table, err)
		}
	}
	return counts, nil
}

func quoteSQLite(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// registerRegconfig teaches the connection PostgreSQL's regconfig type (an
// oid on the wire) and returns the oids of the search configurations.
func registerRegconfig(ctx context.Context, c *pgx.Conn) (map[string]uint32, error) {
	var oid uint32
	if err := c.QueryRow(ctx, "SELECT 'regconfig'::regtype::oid").Scan(&oid); err != nil {
		return nil, fmt.Errorf("look up regconfig: %w", err)
	}
	c.TypeMap().RegisterType(&pgtype.Type{Name: "regconfig", OID: oid, Codec: pgtype.Uint32Codec{}})
	configs := map[string]uint32{}
	for _, name := range []string{"simple", "swedish", "danish"} {
		var o uint32
		if err := c.QueryRow(ctx, "SELECT $1::regconfig::oid", name).Scan(&o); err != nil {
			return nil, fmt.Errorf("look up the search configuration %s: %w", name, err)
		}
		configs[name] = o
	}
	return configs, nil
}

// copyTable streams one table from the source into the target.
func copyTable(ctx context.Context, src *sql.Tx, dst pgx.Tx, t Table, searchConfig func(string) string, configs map[string]uint32) (int64, error) {
	sel := make([]string, 0, len(t.Columns)+1)
	names := make([]string, 0, len(t.Columns)+1)
	for _, c := range t.Columns {
		sel = append(sel, quoteSQLite(c.Name))
		names = append(names, c.Name)
	}
	if t.SearchConfig {
		sel = append(sel, "(SELECT account_key FROM comments WHERE comments.id = comment_versions.comment_id)")
		names = append(names, "search_config")
	}
	q := "SELECT " + strings.Join(sel, ", ") + " FROM " + quoteSQLite(t.Name) + " ORDER BY rowid"
	rows, err := src.QueryContext(ctx, q)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	s := &rowSource{rows: rows, cols: t.Columns, search: t.SearchConfig, searchConfig: searchConfig, configs: configs,
		raw: make([]any, len(sel)), vals: make([]any, len(sel))}
	n, err := dst.CopyFrom(ctx, pgx.Identifier{t.Name}, names, s)
	if err != nil {
		return n, err
	}
	return n, s.err
}

// rowSource feeds SQLite rows to CopyFrom, one at a time.
type rowSource struct {
	rows         *sql.Rows
	cols         []Column
	search       bool
	searchConfig func(string) string
	configs      map[string]uint32
	raw, vals    []any
	err          error
}

func (s *rowSource) Next() bool {
	if s.err != nil || !s.rows.Next() {
		return false
	}
	ptrs := make([]any, len(s.raw))
	for i := range s.raw {
		ptrs[i] = &s.raw[i]
	}
	if err := s.rows.Scan(ptrs...); err != nil {
		s.err = err
		return false
	}
	for i, c := range s.cols {
		v, err := convert(s.raw[i], c.Type)
		if err != nil {
			s.err = fmt.Errorf("column %s: %w", c.Name, err)
			return false
		}
		s.vals[i] = v
	}
	if s.search {
		key, _ := s.raw[len(s.cols)].(string)
		if b, ok := s.raw[len(s.cols)].([]byte); ok {
			key = string(b)
		}
		name := "simple"
		if s.searchConfig != nil {
			name = s.searchConfig(key)
		}
		oid, ok := s.configs[name]
		if !ok {
			oid = s.configs["simple"]
		}
		s.vals[len(s.cols)] = oid
	}
	return true
}

func (s *rowSource) Values() ([]any, error) { return s.vals, s.err }

func (s *rowSource) Err() error {
	if s.err != nil {
		return s.err
	}
	return s.rows.Err()
}

// convert turns a SQLite value into what the PostgreSQL column of type typ
// takes, as archive/postgres stores it.
func convert(v any, typ string) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch typ {
	case "int8", "int4", "int2":
		switch x := v.(type) {
		case int64:
			return x, nil
		case float64:
			return int64(x), nil
		case string:
			return strconv.ParseInt(x, 10, 64)
		case []byte:
			return strconv.ParseInt(string(x), 10, 64)
		}
	case "bool":
		if x, ok := v.(int64); ok {
			return x != 0, nil
		}
	case "float8", "float4":
		switch x := v.(type) {
		case float64:
			return x, nil
		case int64:
			return float64(x), nil
		}
	case "bytea":
		switch x := v.(type) {
		case []byte:
			return x, nil
		case string:
			return []byte(x), nil
		}
	case "text", "varchar", "jsonb", "json":
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case []byte:
			s = string(x)
		case int64:
			s = strconv.FormatInt(x, 10)
		case float64:
			s = strconv.FormatFloat(x, 'g', -1, 64)
		default:
			return nil, fmt.Errorf("a %T for %s", v, typ)
		}
		return textSafe(s), nil
	}
	return nil, fmt.Errorf("a %T for %s", v, typ)
}

// textSafe is archive/postgres's: PostgreSQL's text holds no NUL byte and
// only UTF-8, so such bytes become U+FFFD, as the store writes them.
func textSafe(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// advanceSequences sets every identity sequence past the largest copied
// id, so that the next row the store inserts gets a new one.
func advanceSequences(ctx context.Context, tx pgx.Tx) error {
	rows, err := tx.Query(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND is_identity = 'YES' AND identity_generation = 'BY DEFAULT'`)
	if err != nil {
		return fmt.Errorf("list the identity columns: %w", err)
	}
	type col struct{ t, c string }
	var cols []col
	for rows.Next() {
		var c col
		if err := rows.Scan(&c.t, &c.c); err != nil {
			rows.Close()
			return err
		}
		cols = append(cols, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range cols {
		q := fmt.Sprintf("SELECT setval(pg_get_serial_sequence($1, $2), max(%s)) FROM %s HAVING max(%s) IS NOT NULL",
			pgx.Identifier{c.c}.Sanitize(), pgx.Identifier{c.t}.Sanitize(), pgx.Identifier{c.c}.Sanitize())
		if _, err := tx.Exec(ctx, q, pgx.Identifier{c.t}.Sanitize(), c.c); err != nil {
			return fmt.Errorf("advance the ids of %s: %w", c.t, err)
		}
	}
	return nil
}
