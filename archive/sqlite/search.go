package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/uppsikt/uppsikt/moderation"
)

// SearchComments finds comments any of whose versions contains every word of
// query, best match first, and returns them with their latest text. Words
// are matched whole, case-insensitively; å, ä, ö, æ and ø are not folded
// into a or o. The query is plain words: FTS5 operators and quotes in it are
// searched for as text, never interpreted. A limit of 0 or less means 50.
func (s *Store) SearchComments(ctx context.Context, query string, limit int) ([]moderation.CommentView, error) {
	match := ftsQuery(query)
	if match == "" {
		return nil, nil
	}
	if limit <= 0 {
		limit = 50
	}
	var views []moderation.CommentView
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		views, err = queryCommentViews(ctx, tx, `
			WITH hits AS (
				SELECT cv.comment_id, min(f.rank) AS rank
				FROM comment_versions_fts f
				JOIN comment_versions cv ON cv.id = f.rowid
				WHERE comment_versions_fts MATCH ?
				GROUP BY cv.comment_id
			)`+commentViewSelect+`
			JOIN hits h ON h.comment_id = c.id
			ORDER BY h.rank, c.id DESC
			LIMIT ?`, match, limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("search comments: %w", err)
	}
	return views, nil
}

// ftsQuery turns plain words into an FTS5 query that ANDs them, each quoted
// as a string so that no character in it is taken for syntax.
func ftsQuery(q string) string {
	var terms []string
	// FTS5 ends a string at a NUL byte; take it for a space.
	for _, w := range strings.Fields(strings.ReplaceAll(q, "\x00", " ")) {
		terms = append(terms, `"`+strings.ReplaceAll(w, `"`, `""`)+`"`)
	}
	return strings.Join(terms, " ")
}
