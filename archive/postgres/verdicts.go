package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/uppsikt/uppsikt/moderation"
)

// SaveVerdict stores the verdict about one comment version, replacing an
// earlier verdict about the same version. The version must be stored.
func (s *Store) SaveVerdict(ctx context.Context, v moderation.StoredVerdict) error {
	body, err := json.Marshal(v.Verdict)
	if err != nil {
		return fmt.Errorf("save verdict %d/%d: %w", v.CommentID, v.Version, err)
	}
	err = s.write(ctx, func(tx *txn) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM comment_versions WHERE comment_id = ? AND version = ?`,
			v.CommentID, v.Version).Scan(&one); err != nil {
			return notFound(err, "comment version")
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO verdicts (comment_id, version, flagged, categories, verdict, at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (comment_id, version) DO UPDATE SET
				flagged = excluded.flagged, categories = excluded.categories,
				verdict = excluded.verdict, at = excluded.at`,
			v.CommentID, v.Version, v.Verdict.Flagged(), encodeList(v.Verdict.Categories), string(body),
			unixNano(s.orNow(v.At)))
		return err
	})
	if err != nil {
		return fmt.Errorf("save verdict %d/%d: %w", v.CommentID, v.Version, err)
	}
	return nil
}

// LatestVerdict returns the verdict about the highest version of a comment
// that has one, or ErrNotFound.
func (s *Store) LatestVerdict(ctx context.Context, commentID int64) (moderation.StoredVerdict, error) {
	var v moderation.StoredVerdict
	err := s.read(ctx, func(tx *txn) error {
		var (
			body string
			at   int64
		)
		err := tx.QueryRowContext(ctx, `
			SELECT comment_id, version, verdict, at FROM verdicts
			WHERE comment_id = ? ORDER BY version DESC LIMIT 1`, commentID).Scan(&v.CommentID, &v.Version, &body, &at)
		if err != nil {
			return notFound(err, "verdict for comment %d", commentID)
		}
		v.At = fromUnixNano(at)
		if err := json.Unmarshal([]byte(body), &v.Verdict); err != nil {
			return fmt.Errorf("decode verdict for comment %d: %w", commentID, err)
		}
		return nil
	})
	return v, err
}
