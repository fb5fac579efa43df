// Package sqlite is uppsikt's store: everything uppsikt knows about the
// supervised accounts, their posts and comments (every text ever seen), the
// pipeline's queue, verdicts, review cases and decisions, platform actions,
// evidence files, the records register, the audit log, poll cursors,
// schedules and webhook deliveries, kept in one SQLite file. It implements
// moderation.Store and passes the contract suite in moderation/storetest.
//
// # For users
//
// The database is one file (uppsikt.db, with uppsikt.db-wal and
// uppsikt.db-shm beside it while uppsikt runs). Store.Backup writes a
// consistent copy while uppsikt runs (so does `sqlite3 uppsikt.db ".backup
// copy.db"`); copying the file alone is safe only while uppsikt is stopped.
// uppsikt
// refuses to start on a file that is not its own, and never writes to it:
//
//   - a file that does not begin with the SQLite header ("is not a SQLite
//     database");
//   - a SQLite file that fails PRAGMA quick_check ("the database is corrupt");
//   - a SQLite file of another application: one whose application_id is not
//     uppsikt's, or that has tables but no application_id ("a foreign
//     database");
//   - a database written by a newer uppsikt, with a schema version this one
//     does not know ("from a newer uppsikt").
//
// An empty or missing file is a new database; a file uppsikt creates is
// readable by its owner only, as it holds personal data.
//
// # For maintainers
//
// Connections. All settings are in the connection string, so every pooled
// connection gets them: WAL journal, synchronous NORMAL (safe with WAL: a
// power cut can lose the last transactions but never corrupts), a 5 s busy
// timeout, foreign keys on. Writes go through one *sql.DB limited to a single
// connection whose transactions begin IMMEDIATE, so writers queue in Go
// rather than fail with SQLITE_BUSY, and a read-modify-write (the case state
// compare-and-set in RecordDecision, the per-year register sequence, the
// audit chain) can never interleave with another. Reads go through a
// separate read-only pool and see a consistent snapshot while a write is in
// progress. Every public method is one transaction (write or read); the SQL
// lives in private helpers taking the *sql.Tx, one file per entity. Columns
// are named and scanned explicitly.
//
// Opening. Open first reads the file's first 16 bytes, then, for an existing
// file, opens it read-only (immutable when no -wal lies beside it, so nothing
// is created next to a file that may be refused) to check application_id,
// the schema, quick_check and the schema version. Only then is it opened for
// writing, which switches it to WAL.
//
// Migrations. migrations/NNNN_what.sql are embedded and applied in order,
// each in its own transaction together with its row in schema_migrations
// (version, applied_at) and the header's application_id (ApplicationID,
// "UPSK") and user_version (the latest version). Never edit a migration that
// has been released; add the next number. Numbers must run 1, 2, ... without
// gaps.
//
// Data. Times are INTEGER nanoseconds since the Unix epoch, UTC, and 0 for
// Go's zero time (read them with datetime(col / 1e9, 'unixepoch')); they come
// back Equal to what went in. Lists are JSON arrays in TEXT. Tables are
// STRICT. Comment versions are immutable and the audit log is append-only:
// triggers refuse UPDATE and DELETE on them, so gallring (retention) of
// comment texts will need a migration of its own that says what it may
// remove.
//
// Search. SearchComments works in every build. With the build tag
// sqlite_fts5 (the Makefile sets it) an FTS5 index (comment_versions_fts,
// tokenizer unicode61 with remove_diacritics 0, so å ä ö æ ø stay distinct)
// follows comment_versions by two triggers; it is made at Open, not by a
// migration, because SQLite without the tag has no FTS5 module. A plain `go
// build` or `go install` has no tag: SearchComments then reads every
// version's text and matches and ranks as FTS5 would (same tokens, phrases,
// bm25), which costs time in proportion to the archive (see
// BenchmarkSearchComments). A database moves freely between the two builds:
// the build without FTS5 drops the index's triggers at Open (it could not
// keep the index), and the FTS5 build, finding them missing, rebuilds the
// index at its next Open.
package sqlite
