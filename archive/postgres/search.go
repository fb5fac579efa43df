package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/uppsikt/uppsikt/moderation"
)

// SearchComments finds comments any of whose versions contains every word of
// query, best match first (ties: newest comment first), and returns them
// with their latest text. It is the SQLite store's search in PostgreSQL's
// words: each version's text is indexed (a generated tsvector column with a
// GIN index) with its account's language's text search configuration, and
// each word of the query must match in Swedish or Danish (stemmed: "badhus"
// finds "badhuset") or as the whole word. Matching is case-insensitive; å,
// ä, ö, æ and ø are not folded into a or o; stop words ("och") are words
// like any other. The query is plain words: operators and quotes in it are
// searched for as text, never interpreted; a word that holds punctuation
// ("a*b") matches its parts side by side. A limit of 0 or less means 50.
func (s *Store) SearchComments(ctx context.Context, query string, limit int) ([]moderation.CommentView, error) {
	words := queryWords(query)
	if len(words) == 0 {
		return nil, nil
	}
	if limit <= 0 {
		limit = 50
	}
	// One tsquery: the words ANDed, each word the OR of its phrase under
	// the three configurations.
	terms := make([]string, len(words))
	args := make([]any, 0, len(words))
	for i, w := range words {
		n := len(args) + 1
		terms[i] = fmt.Sprintf("(phraseto_tsquery('swedish', $%[1]d) || phraseto_tsquery('danish', $%[1]d) || phraseto_tsquery('simple', $%[1]d))", n)
		args = append(args, w)
	}
	tsq := strings.Join(terms, " && ")
	var views []moderation.CommentView
	err := s.read(ctx, func(tx *txn) error {
		var err error
		// The tsquery is written out in the condition, where the planner
		// sees a constant and uses the GIN index; the best matches are
		// chosen before their texts are joined.
		views, err = queryCommentViews(ctx, tx, `
			WITH hits AS (
				SELECT cv.comment_id, max(ts_rank(cv.search, `+tsq+`, 2)) AS rank
				FROM comment_versions cv
				WHERE cv.search @@ (`+tsq+`)
				GROUP BY cv.comment_id
				ORDER BY rank DESC, cv.comment_id DESC
				LIMIT `+fmt.Sprint(limit)+`
			)`+commentViewSelect+`
			JOIN hits h ON h.comment_id = c.id
			ORDER BY h.rank DESC, c.id DESC`, args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("search comments: %w", err)
	}
	return views, nil
}

// queryWords splits a query into its words; a NUL byte, or bytes that are
// not UTF-8, are a space.
func queryWords(q string) []string {
	return strings.Fields(strings.ToValidUTF8(strings.ReplaceAll(q, "\x00", " "), " "))
}

// searchConfig is the text search configuration of a language.
// SearchConfig is the text search configuration (swedish, danish,
// simple) the store indexes a text in the language lang with (sv, da, or
// anything else).
func SearchConfig(lang string) string { return searchConfig(lang) }

func searchConfig(lang string) string {
	switch strings.ToLower(lang) {
	case "sv", "swedish":
		return "swedish"
	case "da", "danish":
		return "danish"
	default:
		return "simple"
	}
}

// searchConfigOf is the text search configuration for an account's texts.
func (s *Store) searchConfigOf(accountKey string) string {
	if c, ok := s.searchByAcct[accountKey]; ok {
		return c
	}
	return s.searchDefault
}
