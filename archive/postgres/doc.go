// Package postgres is uppsikt's store on PostgreSQL: the same data and the
// same contract as archive/sqlite (moderation.Store and the other store
// interfaces; it passes every suite in moderation/storetest), for a region
// or a national service, or several `uppsikt serve` processes sharing one
// database. Open(ctx, dsn, opts...) mirrors sqlite.Open.
//
// # For users
//
// Give uppsikt a database of its own, owned by its role; it makes its
// tables at the first Open and upgrades them at a later one. A database
// with other tables (ErrForeign) or migrated by a newer uppsikt
// (ErrTooNew) is refused and not touched. docs/operations.md says how to
// create the role and the database and what the DSN looks like. Back the
// database up with PostgreSQL's tools (pg_dump, base backups): Backup and
// IntegrityCheck are the SQLite store's and have no counterpart here.
//
// # For maintainers
//
// Queries. The SQL is the SQLite store's, file for file (accounts.go,
// comments.go, …), in PostgreSQL's words where they differ: jsonb functions
// for json_each/json_extract, greatest/least for the scalar max/min,
// string_agg for group_concat, DISTINCT ON where SQLite picks a bare column
// of the max row, no output aliases in WHERE, a temporary table ON COMMIT
// DROP for retention. The methods take ? placeholders, rewritten to $N once
// per query text (db.go), so that the two stores' queries can be read side
// by side; a change to one store's SQL should be made in the other.
//
// Schema. migrations/NNNN_what.sql parallel archive/sqlite/migrations:
// migration N makes the same change in both, so that a later N exists in
// both (never edit a released one). They run at Open in one transaction
// under the advisory lock 0x5550534B, so several processes starting at once
// migrate once; schema_migrations (version, applied_at), commented
// 'uppsikt', marks the database as uppsikt's. Differences from SQLite:
// INTEGER is BIGINT, BLOB is BYTEA, ids are identity columns; times are
// still BIGINT nanoseconds since the epoch (0 for the zero time), not
// timestamptz, which keeps only microseconds: times come back Equal to what
// went in, as the contract asks. Lists stay JSON text. Migration 5 alters
// register_entries in place where SQLite rebuilds it; verdicts have a seq
// identity column for what SQLite's rowid gives CountVerdicts. PostgreSQL's
// text holds no NUL byte and only UTF-8: such bytes in a text are stored as
// U+FFFD (the one place the two stores read back differently; raw platform
// answers are bytea, kept exactly).
//
// Transactions. Writes are serialized, like the SQLite store's single
// writer: every write transaction (READ COMMITTED) first takes the
// transaction advisory lock 0x55505357, across all connections and
// processes, and writers of one process queue on a mutex before that. So
// every read-modify-write (RecordDecision's compare-and-set of the case
// state, the per-year register sequence, the audit chain's next seq and
// previous hash, the check before each insert) runs alone and sees every
// earlier write; the racing-reviewer and concurrent-register tests hold
// without retries. A serialization failure or deadlock (possible only
// through writes outside the store) runs the transaction again, so a
// write's function only sets what it returns. Reads run in READ ONLY
// REPEATABLE READ transactions: one snapshot, beside the writer, never
// blocked. The single writer costs throughput only when one database's
// writes outgrow one connection: BenchmarkPipelineStore measures it.
//
// Workers. workers.go implements moderation.LeaseStore and ClaimStore
// (migration 11: workers, leases, claimed_by/claimed_until on the three
// queues), archive/sqlite/workers.go in PostgreSQL's words: a claim is one
// UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING, and
// BalanceLeases locks the free leases it may take with SKIP LOCKED and
// inserts those never held with ON CONFLICT DO NOTHING. They are writes
// like any other, under the write lock (storetest.RunLeases).
//
// Append-only. Triggers refuse UPDATE, DELETE and TRUNCATE on audit_log,
// disposals and comment_versions (uppsikt_refuse), except the one audited
// change retention makes to a version (blank the text, set disposed_at,
// once); objection evidence and a register entry's comment cannot change;
// the register entry's comment must exist. The audit chain's seq is the
// previous one plus one, taken under the write lock, so it has no gaps
// (TestAppendOnly, storetest's concurrent appenders).
//
// Search. comment_versions.search is a generated tsvector of the text under
// the version's search_config (swedish, danish or simple: the account's
// language from WithLanguages when the version is stored) joined with the
// text's plain words (simple), with a GIN index; a disposed text leaves it
// empty. SearchComments ANDs the query's words, each the OR of its phrase
// under swedish, danish and simple (so a word finds its inflected forms in
// the text's language, and itself whole, stop words included), ranks by
// ts_rank divided by the text's length, as bm25 favours the short text
// (best first, then newest comment), and treats every character as text.
// A common word matches much of the archive: the index is then not used and
// every text is read (BenchmarkSearchComments: 20 000 comments, 6 000
// matches). Unlike SQLite's unicode61 tokens, the stemming also finds
// inflections ("badhus" finds "badhuset"); PostgreSQL's parser keeps an
// e-mail address or a URL as one word where SQLite splits it.
//
// Tests. pgtest starts a throwaway server per test process and copies a
// migrated template database for each test (store_test.go).
package postgres
