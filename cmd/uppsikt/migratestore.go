package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/uppsikt/uppsikt/archive/evidence"
	"github.com/uppsikt/uppsikt/archive/migrate"
	"github.com/uppsikt/uppsikt/archive/postgres"
	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
)

// runMigrateStore is "uppsikt migrate-store": it copies a SQLite
// installation (database file and evidence folder) into the PostgreSQL
// database and the evidence store of a new configuration, verifies the copy
// and audits it on the target (docs/operations.md, "Moving to PostgreSQL
// and S3").
func runMigrateStore(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "migrate-store", "-config NEW.yaml -by NAME [-from-database OLD.db] [-from-evidence OLDDIR] [-dry-run]")
	path := fs.String("config", "uppsikt.yaml", "the new configuration: store.driver postgres and its dsn; evidence.backend s3 or a folder")
	fromDB := fs.String("from-database", "", "the SQLite database to copy (default: the configuration's paths.database)")
	fromEv := fs.String("from-evidence", "", "the evidence folder to copy (default: the configuration's paths.evidence)")
	dryRun := fs.Bool("dry-run", false, "check both sides and show what would be copied; copy nothing (an empty target gets its empty tables)")
	by := fs.String("by", "", "who moves the store, for the audit log")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	if *by == "" && !*dryRun {
		return fmt.Errorf("%w: -by is required", errUsage)
	}
	cfg, err := loadConfig(env, *path)
	if err != nil {
		return err
	}
	if cfg.Store.Driver != config.DriverPostgres {
		return fmt.Errorf("%w: the configuration %s must name the target: store.driver postgres (it is %q)", errUsage, *path, cfg.Store.Driver)
	}
	log := newLogger(env.stderr, cfg.Log)
	if *fromDB == "" {
		*fromDB = cfg.Paths.Database
	}
	if *fromEv == "" {
		*fromEv = cfg.Paths.Evidence
	}
	for _, p := range []string{*fromDB, *fromEv} {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("migrate-store: the source %s: %w", p, err)
		}
	}
	srcDir, err := evidence.Open(*fromEv)
	if err != nil {
		return err
	}
	// Opening the source upgrades it to this uppsikt's schema, if it is
	// older, so that both schemas are this version's.
	src, err := sqlite.Open(ctx, *fromDB, sqlite.WithLogger(log))
	if err != nil {
		return err
	}
	defer src.Close()

	dsn := cfg.Store.DSN.Value()
	byAccount := map[string]string{}
	for _, a := range cfg.Accounts {
		if a.Language != "" {
			byAccount[a.Key] = a.Language
		}
	}
	dst, err := postgres.Open(ctx, dsn, postgres.WithLogger(log), postgres.WithLanguages(cfg.Municipality.Language, byAccount))
	if err != nil {
		return err
	}
	defer dst.Close()
	// A pool of one connection, so that the DSN's pool settings
	// (pool_max_conns) mean what they mean to the store.
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return fmt.Errorf("connect to the target database: %w", err)
	}
	defer pool.Close()
	pc, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("connect to the target database: %w", err)
	}
	defer pc.Release()
	conn := pc.Conn()

	if *dryRun {
		return migrateDryRun(ctx, env.stdout, *fromDB, conn, srcDir)
	}
	dstEv, err := openEvidenceStore(ctx, cfg, log)
	if err != nil {
		return err
	}

	lang := func(key string) string {
		if l, ok := byAccount[key]; ok {
			return postgres.SearchConfig(l)
		}
		return postgres.SearchConfig(cfg.Municipality.Language)
	}
	counts, err := migrate.Copy(ctx, migrate.Options{Source: *fromDB, Target: conn, SearchConfig: lang, Log: log})
	if err != nil {
		return fmt.Errorf("migrate-store: %w", err)
	}
	log.Info("store copied; copying the evidence files", "to", dstEv.String())
	var problems []string
	for _, c := range counts {
		if c.Skipped == "" && c.Source != c.Target {
			problems = append(problems, fmt.Sprintf("table %s: %d rows in SQLite, %d in PostgreSQL", c.Table, c.Source, c.Target))
		}
	}
	evStats, err := evidence.Copy(ctx, srcDir, dstEv)
	if err != nil {
		problems = append(problems, "evidence copy: "+err.Error())
	}
	for _, rel := range evStats.Corrupt {
		problems = append(problems, "evidence file "+rel+" in "+srcDir.String()+" does not match its hash: not copied")
	}
	var verified strings.Builder
	if err := verifyAll(ctx, &verified, dst, dstEv); err != nil {
		problems = append(problems, "verify on the target: "+err.Error())
	}
	sa, errA := src.Stats(ctx)
	sb, errB := dst.Stats(ctx)
	if err := errors.Join(errA, errB); err != nil {
		problems = append(problems, "stats: "+err.Error())
	} else if sa != sb {
		problems = append(problems, fmt.Sprintf("stats differ: SQLite %+v, PostgreSQL %+v", sa, sb))
	}

	printMigration(env.stdout, counts, evStats)
	if verified.Len() > 0 {
		fmt.Fprint(env.stdout, "target: "+verified.String())
	}
	detail, err := json.Marshal(migrationDetail(*fromDB, srcDir.String(), dstEv.String(), counts, evStats, problems))
	if err != nil {
		return err
	}
	if _, err := dst.AppendAudit(ctx, moderation.AuditEntry{At: time.Now(), Actor: *by, Action: "store.migrated",
		Subject: "store", Detail: detail}); err != nil {
		problems = append(problems, "audit the migration: "+err.Error())
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(env.stdout, "DIFFERENCE: "+p)
		}
		return fmt.Errorf("migrate-store: %d difference(s) between the source and the target (listed above)", len(problems))
	}
	fmt.Fprintln(env.stdout, "ok: every table, every evidence file, the audit chain and the statistics match")
	return nil
}

// migrateDryRun checks that the target is empty and the schemas match and
// shows what a migration would copy.
func migrateDryRun(ctx context.Context, w io.Writer, fromDB string, conn *pgx.Conn, srcDir *evidence.Dir) error {
	found, err := migrate.NonEmpty(ctx, conn)
	if err != nil {
		return err
	}
	db, err := migrate.OpenSource(fromDB)
	if err != nil {
		return err
	}
	defer db.Close()
	plan, err := migrate.Plan(ctx, db, conn)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "table\trows in SQLite\t\n")
	for _, t := range plan {
		var n int64
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM "`+t.Name+`"`).Scan(&n); err != nil {
			return err
		}
		note := ""
		if t.Skipped != "" {
			note = "not copied: " + t.Skipped
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\n", t.Name, n, note)
	}
	files := 0
	if err := srcDir.Walk(ctx, func(string) error { files++; return nil }); err != nil {
		return err
	}
	fmt.Fprintf(tw, "evidence files\t%d\t\n", files)
	tw.Flush()
	if len(found) > 0 {
		var names []string
		for t, n := range found {
			names = append(names, fmt.Sprintf("%s (%d rows)", t, n))
		}
		sort.Strings(names)
		return fmt.Errorf("migrate-store: %w: %s", migrate.ErrNotEmpty, strings.Join(names, ", "))
	}
	fmt.Fprintln(w, "dry run: the target is empty and the schemas match; nothing was copied")
	return nil
}

func printMigration(w io.Writer, counts []migrate.Counted, ev evidence.CopyStats) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "table\tSQLite\tPostgreSQL\t\n")
	for _, c := range counts {
		if c.Skipped != "" {
			fmt.Fprintf(tw, "%s\t%d\t-\tnot copied: %s\n", c.Table, c.Source, c.Skipped)
			continue
		}
		mark := "ok"
		if c.Source != c.Target {
			mark = "DIFFERENT"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\n", c.Table, c.Source, c.Target, mark)
	}
	fmt.Fprintf(tw, "evidence files\t%d\t%d copied, %d already there\t%d damaged\n", ev.Copied+ev.Present+len(ev.Corrupt), ev.Copied, ev.Present, len(ev.Corrupt))
	tw.Flush()
}

// migrationDetail is the audit entry's detail: where from, where to, what.
func migrationDetail(db, fromEv, toEv string, counts []migrate.Counted, ev evidence.CopyStats, problems []string) map[string]any {
	rows := map[string]int64{}
	for _, c := range counts {
		if c.Skipped == "" {
			rows[c.Table] = c.Target
		}
	}
	return map[string]any{
		"source_database": db, "source_evidence": fromEv, "target_evidence": toEv,
		"rows": rows, "evidence_copied": ev.Copied, "evidence_present": ev.Present,
		"evidence_damaged": ev.Corrupt, "verified": len(problems) == 0, "differences": len(problems),
	}
}
