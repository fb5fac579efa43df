//go:build !sqlite_fts5

package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"math"
	"sort"
	"unicode"
	"unicode/utf8"
)

// searchKind names how this build searches, for logs and tests.
const searchKind = "scan"

// ensureSearchIndex drops the FTS5 index's triggers, if a build with FTS5
// made them: this build's SQLite has no FTS5 module, so a trigger writing
// to the index would make every new comment fail. The index table itself
// stays (it cannot be dropped without the module) and is never read here; a
// build with FTS5 sees the missing triggers and rebuilds it. It reports
// whether it dropped anything.
func ensureSearchIndex(ctx context.Context, tx *sql.Tx) (bool, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema
		WHERE type = 'trigger' AND name IN ('comment_versions_fts_insert', 'comment_versions_fts_dispose')`).Scan(&n); err != nil {
		return false, err
	}
	if n == 0 {
		return false, nil
	}
	for _, q := range []string{
		`DROP TRIGGER IF EXISTS comment_versions_fts_insert`,
		`DROP TRIGGER IF EXISTS comment_versions_fts_dispose`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return false, err
		}
	}
	return true, nil
}

// searchHits returns the hits CTE by reading the text of every version that
// has not been disposed, as FTS5 would match it: text split into tokens as
// FTS5's unicode61 tokenizer does with remove_diacritics 0 (letters, digits
// and private-use characters, lower-cased; everything else separates),
// each word of the query a phrase of its tokens side by side, every phrase
// in the version (a word without tokens is ignored), and a version's rank
// FTS5's bm25 (k1 1.2, b 0.75) over all versions read. The hits go to SQL
// as one JSON array.
func searchHits(ctx context.Context, tx *sql.Tx, words []string) (string, []any, error) {
	var phrases [][]string
	for _, w := range words {
		if p := tokenize(w); len(p) > 0 {
			phrases = append(phrases, p)
		}
	}
	if len(phrases) == 0 {
		return "", nil, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT comment_id, message FROM comment_versions WHERE disposed_at = 0`)
	if err != nil {
		return "", nil, err
	}
	defer rows.Close()
	type hit struct {
		comment int64
		freq    []int
		length  int
	}
	var (
		hits        []hit
		docs, total int
		docFreq     = make([]int, len(phrases))
	)
	var (
		comment int64
		message sql.RawBytes
		toks    tokens
	)
	for rows.Next() {
		if err := rows.Scan(&comment, &message); err != nil {
			return "", nil, err
		}
		toks.split(message)
		docs++
		total += toks.len()
		var freq []int
		for i, p := range phrases {
			n := toks.occurrences(p)
			if n > 0 {
				docFreq[i]++
			}
			if n > 0 && (i == 0 || freq != nil) {
				if freq == nil {
					freq = make([]int, len(phrases))
				}
				freq[i] = n
			} else {
				freq = nil
			}
		}
		if freq != nil {
			hits = append(hits, hit{comment: comment, freq: freq, length: toks.len()})
		}
	}
	if err := rows.Err(); err != nil {
		return "", nil, err
	}
	if len(hits) == 0 {
		return "", nil, nil
	}
	const k1, b = 1.2, 0.75
	avg := float64(total) / float64(docs)
	idf := make([]float64, len(phrases))
	for i, n := range docFreq {
		idf[i] = math.Log((float64(docs) - float64(n) + 0.5) / (float64(n) + 0.5))
		if idf[i] <= 0 {
			idf[i] = 1e-6
		}
	}
	best := make(map[int64]float64, len(hits))
	for _, h := range hits {
		var score float64
		for i, f := range h.freq {
			score += idf[i] * (float64(f) * (k1 + 1)) / (float64(f) + k1*(1-b+b*float64(h.length)/avg))
		}
		rank := -score
		if r, ok := best[h.comment]; !ok || rank < r {
			best[h.comment] = rank
		}
	}
	list := make([][2]any, 0, len(best))
	for c, r := range best {
		list = append(list, [2]any{c, r})
	}
	sort.Slice(list, func(i, j int) bool { return list[i][0].(int64) < list[j][0].(int64) })
	js, err := json.Marshal(list)
	if err != nil {
		return "", nil, err
	}
	return `
		WITH hits AS (
			SELECT value ->> 0 AS comment_id, value ->> 1 AS rank FROM json_each(?)
		)`, []any{string(js)}, nil
}

// tokenize splits s as FTS5's unicode61 tokenizer does with
// remove_diacritics 0: runs of letters, digits and private-use characters,
// each lower-cased.
func tokenize(s string) []string {
	var t tokens
	t.split([]byte(s))
	out := make([]string, t.len())
	for i := range out {
		out[i] = string(t.token(i))
	}
	return out
}

// tokens holds the tokens of one text, lower-cased into one buffer that is
// reused from text to text, so that reading the archive allocates little.
type tokens struct {
	buf  []byte
	ends []int // token i is buf[ends[i-1]:ends[i]]
}

func (t *tokens) split(s []byte) {
	t.buf, t.ends = t.buf[:0], t.ends[:0]
	in := false
	for len(s) > 0 {
		r, size := utf8.DecodeRune(s)
		s = s[size:]
		if unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Co, r) {
			t.buf = utf8.AppendRune(t.buf, unicode.ToLower(r))
			in = true
			continue
		}
		if in {
			t.ends = append(t.ends, len(t.buf))
			in = false
		}
	}
	if in {
		t.ends = append(t.ends, len(t.buf))
	}
}

func (t *tokens) len() int { return len(t.ends) }

func (t *tokens) token(i int) []byte {
	start := 0
	if i > 0 {
		start = t.ends[i-1]
	}
	return t.buf[start:t.ends[i]]
}

// occurrences counts where phrase p stands among the tokens, its tokens
// side by side.
func (t *tokens) occurrences(p []string) int {
	n := 0
	for i := 0; i+len(p) <= t.len(); i++ {
		match := true
		for j, w := range p {
			if string(t.token(i+j)) != w {
				match = false
				break
			}
		}
		if match {
			n++
		}
	}
	return n
}
