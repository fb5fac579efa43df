// Package migrate copies an uppsikt store from its SQLite file into a
// PostgreSQL database (`uppsikt migrate-store`), every table, ids and all,
// so that the audit chain, register numbers, foreign keys and evidence
// references stay valid on PostgreSQL.
//
// # For users
//
// The target must be an uppsikt database with no data in it (Open of
// archive/postgres makes the tables; Copy refuses a table that holds a row
// and names it). The copy runs in one PostgreSQL transaction: an
// interrupted copy leaves the target as empty as it was, so it is simply
// run again; a finished one is never overwritten. To start over after a
// finished copy, drop and create the database (docs/operations.md, "Moving
// to PostgreSQL and S3").
//
// The source is read in one read-only SQLite transaction (one snapshot) on a
// read-only connection, so the copy is consistent even if uppsikt were still
// writing; stop the service anyway, or what it writes after the snapshot is
// not moved.
//
// # For maintainers
//
// Plan compares the two schemas, table by table and column by column: a
// table or a column that only one of them has stops the copy unless it is
// listed in sqliteOnly or is the target's own (a generated column, the
// verdicts' seq, comment_versions.search_config, which Copy fills from the
// account's language). TestPlanKnowsEverySchemaColumn fails when a new
// migration adds a table or a column on one side that the copier does not
// know. SQLite's full-text tables (virtual tables and their shadow tables)
// and schema_migrations are not copied: PostgreSQL's own search column is
// computed as the rows arrive, and each store keeps its own migrations.
//
// Rows are streamed (database/sql rows into pgx CopyFrom), in foreign-key
// order of the target's constraints, each table in its rowid order, so
// memory stays bounded whatever the size of the store. Identity sequences
// are moved past the copied ids before the transaction commits.
package migrate
