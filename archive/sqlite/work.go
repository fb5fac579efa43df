package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/uppsikt/uppsikt/moderation"
)

// enqueueWork queues a comment version for the pipeline, in the transaction
// that stored the version.
func (s *Store) enqueueWork(ctx context.Context, tx *sql.Tx, commentID int64, version int) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO work_items (comment_id, version, created_at) VALUES (?, ?, ?)
		ON CONFLICT (comment_id, version) DO NOTHING`,
		commentID, version, unixNano(s.nowUTC()))
	return err
}

// PendingWork returns the work items not yet completed, oldest first. A
// limit of 0 or less means no limit.
func (s *Store) PendingWork(ctx context.Context, limit int) ([]moderation.WorkItem, error) {
	if limit <= 0 {
		limit = -1
	}
	var items []moderation.WorkItem
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `
			SELECT id, comment_id, version, attempts, created_at
			FROM work_items WHERE done_at = 0 ORDER BY created_at, id LIMIT ?`, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				w       moderation.WorkItem
				created int64
			)
			if err := rows.Scan(&w.ID, &w.CommentID, &w.Version, &w.Attempts, &created); err != nil {
				return err
			}
			w.CreatedAt = fromUnixNano(created)
			items = append(items, w)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("pending work: %w", err)
	}
	return items, nil
}

// CompleteWork takes an item off the queue. Completing it again does
// nothing; an id never queued gives ErrNotFound. The row is kept, marked
// done, as a record of when the version was processed.
func (s *Store) CompleteWork(ctx context.Context, id int64) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		var done int64
		if err := tx.QueryRowContext(ctx, `SELECT done_at FROM work_items WHERE id = ?`, id).Scan(&done); err != nil {
			return notFound(err, "work item %d", id)
		}
		if done != 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, `UPDATE work_items SET done_at = ? WHERE id = ?`, unixNano(s.nowUTC()), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("complete work: %w", err)
	}
	return nil
}

// FailWork counts a failed attempt at an item and records why. The item
// stays queued. Failing a completed item does nothing.
func (s *Store) FailWork(ctx context.Context, id int64, reason string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		var done int64
		if err := tx.QueryRowContext(ctx, `SELECT done_at FROM work_items WHERE id = ?`, id).Scan(&done); err != nil {
			return notFound(err, "work item %d", id)
		}
		if done != 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, `UPDATE work_items SET attempts = attempts + 1, last_error = ? WHERE id = ?`, reason, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("fail work: %w", err)
	}
	return nil
}
