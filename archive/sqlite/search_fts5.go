//go:build sqlite_fts5

package sqlite

import (
	"context"
	"database/sql"
	"strings"
)

// searchKind names how this build searches, for logs and tests.
const searchKind = "fts5"

// ensureSearchIndex creates the FTS5 index over comment_versions and its two
// triggers when they are missing: in a new database, and in one last opened
// by a build without FTS5, which drops the triggers because it cannot keep
// the index. The index is then rebuilt from comment_versions (disposed
// versions have an empty text and leave nothing in it). It reports whether
// it rebuilt.
func ensureSearchIndex(ctx context.Context, tx *sql.Tx) (bool, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema
		WHERE type = 'trigger' AND name IN ('comment_versions_fts_insert', 'comment_versions_fts_dispose')`).Scan(&n); err != nil {
		return false, err
	}
	if n == 2 {
		return false, nil
	}
	for _, q := range []string{
		// unicode61 without diacritics removal keeps å, ä, ö, æ and ø
		// distinct from a and o.
		`CREATE VIRTUAL TABLE IF NOT EXISTS comment_versions_fts USING fts5 (
			message,
			content = 'comment_versions',
			content_rowid = 'id',
			tokenize = 'unicode61 remove_diacritics 0'
		)`,
		`DROP TRIGGER IF EXISTS comment_versions_fts_insert`,
		`CREATE TRIGGER comment_versions_fts_insert AFTER INSERT ON comment_versions
		BEGIN
			INSERT INTO comment_versions_fts (rowid, message) VALUES (new.id, new.message);
		END`,
		// The disposed text leaves the full-text index too.
		`DROP TRIGGER IF EXISTS comment_versions_fts_dispose`,
		`CREATE TRIGGER comment_versions_fts_dispose AFTER UPDATE OF disposed_at ON comment_versions
		WHEN old.disposed_at = 0 AND new.disposed_at > 0
		BEGIN
			INSERT INTO comment_versions_fts (comment_versions_fts, rowid, message) VALUES ('delete', old.id, old.message);
		END`,
		`INSERT INTO comment_versions_fts (comment_versions_fts) VALUES ('rebuild')`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return false, err
		}
	}
	return true, nil
}

// searchHits returns the hits CTE through the FTS5 index: each word is one
// quoted FTS5 string, the strings ANDed, and a comment's rank the best
// bm25 of its versions.
func searchHits(_ context.Context, _ *sql.Tx, words []string) (string, []any, error) {
	return `
		WITH hits AS (
			SELECT cv.comment_id, min(f.rank) AS rank
			FROM comment_versions_fts f
			JOIN comment_versions cv ON cv.id = f.rowid
			WHERE comment_versions_fts MATCH ?
			GROUP BY cv.comment_id
		)`, []any{ftsQuery(words)}, nil
}

// ftsQuery turns words into an FTS5 query that ANDs them, each quoted as a
// string so that no character in it is taken for syntax.
func ftsQuery(words []string) string {
	terms := make([]string, len(words))
	for i, w := range words {
		terms[i] = `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
	}
	return strings.Join(terms, " ")
}
