package sqlite

import (
	"context"
	"database/sql"
	"fmt"

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
	err := s.write(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `INSERT INTO webhook_events (object, body, received_at) VALUES (?, ?, ?)`,
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

// PendingWebhookEvents returns deliveries not yet processed, oldest first. A
// limit of 0 or less means no limit.
func (s *Store) PendingWebhookEvents(ctx context.Context, limit int) ([]moderation.WebhookEvent, error) {
	if limit <= 0 {
		limit = -1
	}
	var es []moderation.WebhookEvent
	err := s.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `
			SELECT id, object, body, received_at, done, error
			FROM webhook_events WHERE done = 0 ORDER BY id LIMIT ?`, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				e        moderation.WebhookEvent
				received int64
			)
			if err := rows.Scan(&e.ID, &e.Object, &e.Body, &received, &e.Done, &e.Error); err != nil {
				return err
			}
			e.ReceivedAt = fromUnixNano(received)
			es = append(es, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("pending webhook events: %w", err)
	}
	return es, nil
}

// FinishWebhookEvent marks a delivery processed, with the processing error if
// there was one.
func (s *Store) FinishWebhookEvent(ctx context.Context, id int64, processErr string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
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
