package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// UndeliveredEntries returns the register entries outlet has not
// acknowledged, oldest first. A limit of 0 or less means no limit.
func (s *Store) UndeliveredEntries(ctx context.Context, outlet string, limit int) ([]moderation.RegisterEntry, error) {
	if limit <= 0 {
		limit = noLimit
	}
	var es []moderation.RegisterEntry
	err := s.read(ctx, func(tx *txn) error {
		rows, err := tx.QueryContext(ctx, `
			SELECT e.id, e.year, e.seq, e.number, e.comment_id, e.case_id, e.reason, e.created_at, e.delivered_at, e.objection_id
			FROM register_entries e
			LEFT JOIN register_deliveries d ON d.entry_id = e.id AND d.outlet = ?
			WHERE coalesce(d.delivered_at, 0) = 0
			ORDER BY e.id LIMIT ?`, outlet, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanRegisterEntry(rows)
			if err != nil {
				return err
			}
			es = append(es, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("undelivered register entries for %s: %w", outlet, err)
	}
	return es, nil
}

// MarkOutletDelivered records outlet's acknowledgement of the entry and,
// when every outlet in all has acknowledged it, marks the entry delivered.
func (s *Store) MarkOutletDelivered(ctx context.Context, entryID int64, outlet string, all []string, at time.Time) error {
	at = s.orNow(at)
	err := s.write(ctx, func(tx *txn) error {
		var entryDelivered int64
		if err := tx.QueryRowContext(ctx, `SELECT delivered_at FROM register_entries WHERE id = ?`, entryID).Scan(&entryDelivered); err != nil {
			return notFound(err, "register entry %d", entryID)
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO register_deliveries (entry_id, outlet, attempts, last_attempt, delivered_at) VALUES (?, ?, 1, ?, ?)
			ON CONFLICT (entry_id, outlet) DO UPDATE SET
				attempts = register_deliveries.attempts + 1, last_attempt = excluded.last_attempt,
				delivered_at = CASE WHEN register_deliveries.delivered_at = 0 THEN excluded.delivered_at ELSE register_deliveries.delivered_at END`,
			entryID, outlet, unixNano(at), unixNano(at)); err != nil {
			return err
		}
		if entryDelivered != 0 {
			return nil
		}
		for _, o := range all {
			var d int64
			err := tx.QueryRowContext(ctx, `SELECT delivered_at FROM register_deliveries WHERE entry_id = ? AND outlet = ?`, entryID, o).Scan(&d)
			if err == sql.ErrNoRows || (err == nil && d == 0) {
				return nil
			}
			if err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE register_entries SET delivered_at = ? WHERE id = ?`, unixNano(at), entryID)
		return err
	})
	if err != nil {
		return fmt.Errorf("mark register entry %d delivered to %s: %w", entryID, outlet, err)
	}
	return nil
}

// FailOutletDelivery counts a failed attempt of outlet at the entry. An
// entry the outlet already acknowledged stays acknowledged.
func (s *Store) FailOutletDelivery(ctx context.Context, entryID int64, outlet, reason string, at time.Time) error {
	at = s.orNow(at)
	err := s.write(ctx, func(tx *txn) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM register_entries WHERE id = ?`, entryID).Scan(&one); err != nil {
			return notFound(err, "register entry %d", entryID)
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO register_deliveries (entry_id, outlet, attempts, last_error, last_attempt) VALUES (?, ?, 1, ?, ?)
			ON CONFLICT (entry_id, outlet) DO UPDATE SET
				attempts = register_deliveries.attempts + 1, last_error = excluded.last_error, last_attempt = excluded.last_attempt`,
			entryID, outlet, reason, unixNano(at))
		return err
	})
	if err != nil {
		return fmt.Errorf("record failed delivery of register entry %d to %s: %w", entryID, outlet, err)
	}
	return nil
}

// OutletDeliveries returns the delivery state of an entry per outlet, by
// outlet name.
func (s *Store) OutletDeliveries(ctx context.Context, entryID int64) ([]moderation.OutletDelivery, error) {
	var out []moderation.OutletDelivery
	err := s.read(ctx, func(tx *txn) error {
		rows, err := tx.QueryContext(ctx, `
			SELECT entry_id, outlet, attempts, last_error, last_attempt, delivered_at
			FROM register_deliveries WHERE entry_id = ? ORDER BY outlet`, entryID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				d           moderation.OutletDelivery
				last, deliv int64
			)
			if err := rows.Scan(&d.EntryID, &d.Outlet, &d.Attempts, &d.LastError, &last, &deliv); err != nil {
				return err
			}
			d.LastAttempt, d.DeliveredAt = fromUnixNano(last), fromUnixNano(deliv)
			out = append(out, d)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("deliveries of register entry %d: %w", entryID, err)
	}
	return out, nil
}
