package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/uppsikt/uppsikt/moderation"
)

// AddEvidence records an evidence file and the comment version it
// documents (and, for a decision addendum, its case and decision). It is
// idempotent per comment and SHA-256: the file already recorded is
// returned. A second decision addendum of the same decision is refused.
func (s *Store) AddEvidence(ctx context.Context, e moderation.EvidenceFile) (moderation.EvidenceFile, error) {
	if e.SHA256 == "" || e.Path == "" {
		return moderation.EvidenceFile{}, fmt.Errorf("add evidence for comment %d: sha256 and path are required", e.CommentID)
	}
	var out moderation.EvidenceFile
	err := s.write(ctx, func(tx *txn) error {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM evidence_files WHERE comment_id = ? AND sha256 = ?`,
			e.CommentID, e.SHA256).Scan(&id)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			r, err := tx.execInsert(ctx, `
				INSERT INTO evidence_files (comment_id, kind, sha256, path, size, created_at, version, case_id, decision_id)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				e.CommentID, e.Kind, e.SHA256, e.Path, e.Size, unixNano(s.orNow(e.CreatedAt)), e.Version, e.CaseID, e.DecisionID)
			if err != nil {
				return err
			}
			if id, err = r.LastInsertId(); err != nil {
				return err
			}
		case err != nil:
			return err
		}
		out, err = scanEvidence(tx.QueryRowContext(ctx, `SELECT `+evidenceColumns+` FROM evidence_files WHERE id = ?`, id))
		return err
	})
	if err != nil {
		return moderation.EvidenceFile{}, fmt.Errorf("add evidence for comment %d: %w", e.CommentID, err)
	}
	return out, nil
}

// Evidence returns a comment's evidence files, oldest first.
func (s *Store) Evidence(ctx context.Context, commentID int64) ([]moderation.EvidenceFile, error) {
	es, err := s.queryEvidence(ctx, `SELECT `+evidenceColumns+` FROM evidence_files WHERE comment_id = ? ORDER BY id`, commentID)
	if err != nil {
		return nil, fmt.Errorf("evidence of comment %d: %w", commentID, err)
	}
	return es, nil
}

// ListEvidence pages through every evidence file by id. A limit of 0 or less
// means no limit.
func (s *Store) ListEvidence(ctx context.Context, afterID int64, limit int) ([]moderation.EvidenceFile, error) {
	if limit <= 0 {
		limit = noLimit
	}
	es, err := s.queryEvidence(ctx, `SELECT `+evidenceColumns+` FROM evidence_files WHERE id > ? ORDER BY id LIMIT ?`, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("list evidence: %w", err)
	}
	return es, nil
}

func (s *Store) queryEvidence(ctx context.Context, q string, args ...any) ([]moderation.EvidenceFile, error) {
	var es []moderation.EvidenceFile
	err := s.read(ctx, func(tx *txn) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanEvidence(rows)
			if err != nil {
				return err
			}
			es = append(es, e)
		}
		return rows.Err()
	})
	return es, err
}

const evidenceColumns = `id, comment_id, kind, sha256, path, size, created_at, version, case_id, decision_id`

func scanEvidence(r scanner) (moderation.EvidenceFile, error) {
	var (
		e       moderation.EvidenceFile
		created int64
	)
	if err := r.Scan(&e.ID, &e.CommentID, &e.Kind, &e.SHA256, &e.Path, &e.Size, &created, &e.Version, &e.CaseID, &e.DecisionID); err != nil {
		return e, err
	}
	e.CreatedAt = fromUnixNano(created)
	return e, nil
}
