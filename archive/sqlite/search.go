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
// searched for as text, never interpreted. A word that holds punctuation
// ("a*b") matches its parts side by side. A limit of 0 or less means 50.
//
// How the matching comments are found depends on the build: with the tag
// sqlite_fts5 (the Makefile's build) through the FTS5 index, without it by
// reading every version's text (search_fts5.go and search_scan.go); the
// words found and the order are the same.
func (s *Store) SearchComments(ctx context.Context, query string, limit int) ([]moderation.CommentView, error) {
	words := queryWords(query)
	if len(words) == 0 {
		return nil, nil
	}
	if limit <= 0 {
		limit = 50
	}
	var views []moderation.CommentView
	err := s.read(ctx, func(tx *sql.Tx) error {
		// hits is a CTE naming (comment_id, rank), lower rank better.
		hits, args, err := searchHits(ctx, tx, words)
		if err != nil {
			return err
		}
		if hits == "" {
			return nil
		}
		views, err = queryCommentViews(ctx, tx, hits+commentViewSelect+`
			JOIN hits h ON h.comment_id = c.id
			ORDER BY h.rank, c.id DESC
			LIMIT ?`, append(args, limit)...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("search comments: %w", err)
	}
	return views, nil
}

// queryWords splits a query into its words. FTS5 ends a string at a NUL
// byte; both builds take it for a space.
func queryWords(q string) []string {
	return strings.Fields(strings.ReplaceAll(q, "\x00", " "))
}

// prepareSearchIndex brings the build's search index up to date at Open, in
// one write transaction after the migrations.
func (s *Store) prepareSearchIndex(ctx context.Context) error {
	var rebuilt bool
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		rebuilt, err = ensureSearchIndex(ctx, tx)
		return err
	})
	if err != nil {
		return fmt.Errorf("open store %s: search index: %w", s.path, err)
	}
	if rebuilt {
		s.log.Info("store search index rebuilt", "path", s.path, "search", searchKind)
	}
	return nil
}
