package postgres

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// enqueueWork queues a comment version for the pipeline, in the transaction
// that stored the version.
func (s *Store) enqueueWork(ctx context.Context, tx *txn, commentID int64, version int) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO work_items (comment_id, version, created_at) VALUES (?, ?, ?)
		ON CONFLICT (comment_id, version) DO NOTHING`,
		commentID, version, unixNano(s.nowUTC()))
	return err
}

// PendingWork returns the work items due at now: not completed, not set
// aside, and with no retry time after now, oldest first. The zero now
// returns every waiting item whatever its retry time. A limit of 0 or less
// means no limit.
func (s *Store) PendingWork(ctx context.Context, now time.Time, limit int) ([]moderation.WorkItem, error) {
	due := dueBy(now)
	items, err := s.queryWork(ctx, `SELECT `+workColumns+` FROM work_items
		WHERE done_at = 0 AND dead_at = 0 AND next_attempt_at <= ?
		ORDER BY created_at, id LIMIT ?`, due, limitOrAll(limit))
	if err != nil {
		return nil, fmt.Errorf("pending work: %w", err)
	}
	return items, nil
}

// DeadWork returns the items set aside after using up their attempts, the
// longest set aside first. A limit of 0 or less means no limit.
func (s *Store) DeadWork(ctx context.Context, limit int) ([]moderation.WorkItem, error) {
	items, err := s.queryWork(ctx, `SELECT `+workColumns+` FROM work_items
		WHERE done_at = 0 AND dead_at > 0 ORDER BY dead_at, id LIMIT ?`, limitOrAll(limit))
	if err != nil {
		return nil, fmt.Errorf("dead work: %w", err)
	}
	return items, nil
}

const workColumns = `id, comment_id, version, attempts, last_error, created_at, next_attempt_at, dead_at`

func (s *Store) queryWork(ctx context.Context, q string, args ...any) ([]moderation.WorkItem, error) {
	var items []moderation.WorkItem
	err := s.read(ctx, func(tx *txn) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				w                   moderation.WorkItem
				created, next, dead int64
			)
			if err := rows.Scan(&w.ID, &w.CommentID, &w.Version, &w.Attempts, &w.LastError, &created, &next, &dead); err != nil {
				return err
			}
			w.CreatedAt = fromUnixNano(created)
			w.NextAttemptAt = fromUnixNano(next)
			w.DeadAt = fromUnixNano(dead)
			items = append(items, w)
		}
		return rows.Err()
	})
	return items, err
}

// limitOrAll turns a limit of 0 or less into a LIMIT that takes every row.
func limitOrAll(limit int) int {
	if limit <= 0 {
		return noLimit
	}
	return limit
}

// CompleteWork takes an item off the queue. Completing it again does
// nothing; an id never queued gives ErrNotFound. The row is kept, marked
// done, as a record of when the version was processed.
func (s *Store) CompleteWork(ctx context.Context, id int64) error {
	err := s.write(ctx, func(tx *txn) error {
		return updateQueued(ctx, tx, id, false, `UPDATE work_items SET done_at = ? WHERE id = ?`, unixNano(s.nowUTC()))
	})
	if err != nil {
		return fmt.Errorf("complete work: %w", err)
	}
	return nil
}

// FailWork counts a failed attempt at an item, records why, and keeps the
// item back until retryAt (the zero time: due at once). The item stays
// queued. Failing a completed item does nothing.
func (s *Store) FailWork(ctx context.Context, id int64, reason string, retryAt time.Time) error {
	err := s.write(ctx, func(tx *txn) error {
		return updateQueued(ctx, tx, id, false, `
			UPDATE work_items SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?`,
			reason, unixNano(retryAt))
	})
	if err != nil {
		return fmt.Errorf("fail work: %w", err)
	}
	return nil
}

// DeadLetterWork counts an item's last failed attempt and sets it aside,
// with the reason, so that it no longer waits in the queue; it stays set
// aside until RetryWork. Setting aside a completed item, or one already set
// aside, does nothing.
func (s *Store) DeadLetterWork(ctx context.Context, id int64, reason string) error {
	err := s.write(ctx, func(tx *txn) error {
		return updateQueued(ctx, tx, id, true, `UPDATE work_items SET dead_at = ?, last_error = ?, attempts = attempts + 1 WHERE id = ?`,
			unixNano(s.nowUTC()), reason)
	})
	if err != nil {
		return fmt.Errorf("set aside work item: %w", err)
	}
	return nil
}

// RetryWork puts an item set aside (or waiting for its retry time) back in
// the queue, due at once, with its attempts reset; the last error is kept
// until the next attempt. Retrying a completed item does nothing.
func (s *Store) RetryWork(ctx context.Context, id int64) error {
	err := s.write(ctx, func(tx *txn) error {
		return updateQueued(ctx, tx, id, false, `UPDATE work_items SET dead_at = 0, attempts = 0, next_attempt_at = 0 WHERE id = ?`)
	})
	if err != nil {
		return fmt.Errorf("retry work item: %w", err)
	}
	return nil
}

// updateQueued runs update (whose last parameter is the item's id, after
// args) on a work item still in the queue: a completed item, or with
// skipDead one set aside, is left alone; an id never queued gives
// ErrNotFound.
func updateQueued(ctx context.Context, tx *txn, id int64, skipDead bool, update string, args ...any) error {
	var done, dead int64
	if err := tx.QueryRowContext(ctx, `SELECT done_at, dead_at FROM work_items WHERE id = ?`, id).Scan(&done, &dead); err != nil {
		return notFound(err, "work item %d", id)
	}
	if done != 0 || (skipDead && dead != 0) {
		return nil
	}
	_, err := tx.ExecContext(ctx, update, append(args, id)...)
	return err
}

// dueBy is the latest retry time (unix nanoseconds) of the items due at
// now; the zero time takes every item, whatever its retry time.
func dueBy(now time.Time) int64 {
	if now.IsZero() {
		return math.MaxInt64
	}
	return unixNano(now)
}
