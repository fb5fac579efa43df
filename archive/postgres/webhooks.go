package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// SaveWebhookEvent persists a delivery as received and returns its id.
// ReceivedAt defaults to now.
func (s *Store) SaveWebhookEvent(ctx context.Context, e moderation.WebhookEvent) (int64, error) {
	body := e.Body
	if body == nil {
		body = []byte{}
	}
	var id int64
	err := s.write(ctx, func(tx *txn) error {
		r, err := tx.execInsert(ctx, `INSERT INTO webhook_events (object, body, received_at) VALUES (?, ?, ?)`,
			e.Object, body, unixNano(s.orNow(e.ReceivedAt)))
		if err != nil {
			return err
		}
		id, err = r.LastInsertId()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("save webhook event: %w", err)
	}
	return id, nil
}

// PendingWebhookEvents returns the deliveries not yet processed and due at
// now (no retry time after now), oldest first; the zero now returns every
// unprocessed delivery. A limit of 0 or less means no limit.
func (s *Store) PendingWebhookEvents(ctx context.Context, now time.Time, limit int) ([]moderation.WebhookEvent, error) {
	due := dueBy(now)
	var es []moderation.WebhookEvent
	err := s.read(ctx, func(tx *txn) error {
		rows, err := tx.QueryContext(ctx, `
			SELECT id, object, body, received_at, done, error, attempts, next_attempt_at
			FROM webhook_events WHERE done = 0 AND next_attempt_at <= ? ORDER BY id LIMIT ?`, due, limitOrAll(limit))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				e              moderation.WebhookEvent
				received, next int64
			)
			if err := rows.Scan(&e.ID, &e.Object, &e.Body, &received, &e.Done, &e.Error, &e.Attempts, &next); err != nil {
				return err
			}
			e.ReceivedAt = fromUnixNano(received)
			e.NextAttemptAt = fromUnixNano(next)
			es = append(es, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("pending webhook events: %w", err)
	}
	return es, nil
}

// RetryWebhookEvent keeps an unprocessed delivery back until retryAt, with
// the error, counting an attempt only when countAttempt is set. A processed
// delivery is left as it is.
func (s *Store) RetryWebhookEvent(ctx context.Context, id int64, retryAt time.Time, lastError string, countAttempt bool) error {
	counted := 0
	if countAttempt {
		counted = 1
	}
	err := s.write(ctx, func(tx *txn) error {
		var done bool
		if err := tx.QueryRowContext(ctx, `SELECT done FROM webhook_events WHERE id = ?`, id).Scan(&done); err != nil {
			return notFound(err, "webhook event %d", id)
		}
		if done {
			return nil
		}
		_, err := tx.ExecContext(ctx, `
			UPDATE webhook_events SET next_attempt_at = ?, error = ?, attempts = attempts + ? WHERE id = ?`,
			unixNano(retryAt), lastError, counted, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("retry webhook event: %w", err)
	}
	return nil
}

// FinishWebhookEvent marks a delivery processed, with the processing error if
// there was one.
func (s *Store) FinishWebhookEvent(ctx context.Context, id int64, processErr string) error {
	err := s.write(ctx, func(tx *txn) error {
		r, err := tx.ExecContext(ctx, `UPDATE webhook_events SET done = 1, error = ?, done_at = ? WHERE id = ?`,
			processErr, unixNano(s.nowUTC()), id)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return fmt.Errorf("webhook event %d: %w", id, moderation.ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("finish webhook event: %w", err)
	}
	return nil
}
