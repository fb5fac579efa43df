package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// Cursor returns an account's poll cursor. An account with no cursor stored
// yet gives the zero Cursor (with AccountKey set) and no error; an unknown
// account gives ErrNotFound.
func (s *Store) Cursor(ctx context.Context, accountKey string) (moderation.Cursor, error) {
	c := moderation.Cursor{AccountKey: accountKey}
	err := s.read(ctx, func(tx *txn) error {
		if err := accountExists(ctx, tx, accountKey); err != nil {
			return err
		}
		var since, updated int64
		err := tx.QueryRowContext(ctx, `SELECT since, token, updated_at FROM cursors WHERE account_key = ?`, accountKey).
			Scan(&since, &c.Token, &updated)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		c.Since = fromUnixNano(since)
		c.UpdatedAt = fromUnixNano(updated)
		return nil
	})
	if err != nil {
		return moderation.Cursor{}, fmt.Errorf("cursor %s: %w", accountKey, err)
	}
	return c, nil
}

// SetCursor stores an account's poll cursor; UpdatedAt defaults to now.
func (s *Store) SetCursor(ctx context.Context, c moderation.Cursor) error {
	err := s.write(ctx, func(tx *txn) error {
		if err := accountExists(ctx, tx, c.AccountKey); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO cursors (account_key, since, token, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (account_key) DO UPDATE SET
				since = excluded.since, token = excluded.token, updated_at = excluded.updated_at`,
			c.AccountKey, unixNano(c.Since), c.Token, unixNano(s.orNow(c.UpdatedAt)))
		return err
	})
	if err != nil {
		return fmt.Errorf("set cursor %s: %w", c.AccountKey, err)
	}
	return nil
}

// Schedule returns an account's schedule. An account with no schedule stored
// yet gives the zero Schedule (with AccountKey set) and no error; an unknown
// account gives ErrNotFound.
func (s *Store) Schedule(ctx context.Context, accountKey string) (moderation.Schedule, error) {
	sc := moderation.Schedule{AccountKey: accountKey}
	err := s.read(ctx, func(tx *txn) error {
		if err := accountExists(ctx, tx, accountKey); err != nil {
			return err
		}
		got, err := scanSchedule(tx.QueryRowContext(ctx, `SELECT `+scheduleColumns+` FROM schedules WHERE account_key = ?`, accountKey))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		sc = got
		return err
	})
	if err != nil {
		return moderation.Schedule{}, fmt.Errorf("schedule %s: %w", accountKey, err)
	}
	return sc, nil
}

// SetSchedule stores an account's schedule.
func (s *Store) SetSchedule(ctx context.Context, sc moderation.Schedule) error {
	err := s.write(ctx, func(tx *txn) error {
		if err := accountExists(ctx, tx, sc.AccountKey); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO schedules (account_key, next_poll_at, next_reconcile, crisis_until, crisis_every, last_poll_at, last_error)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (account_key) DO UPDATE SET
				next_poll_at = excluded.next_poll_at, next_reconcile = excluded.next_reconcile,
				crisis_until = excluded.crisis_until, crisis_every = excluded.crisis_every,
				last_poll_at = excluded.last_poll_at, last_error = excluded.last_error`,
			sc.AccountKey, unixNano(sc.NextPollAt), unixNano(sc.NextReconcile), unixNano(sc.CrisisUntil),
			int64(sc.CrisisEvery), unixNano(sc.LastPollAt), sc.LastError)
		return err
	})
	if err != nil {
		return fmt.Errorf("set schedule %s: %w", sc.AccountKey, err)
	}
	return nil
}

// DueSchedules returns the stored schedules whose next poll or next reconcile
// is at or before now (a zero time counts as due), the most overdue first.
func (s *Store) DueSchedules(ctx context.Context, now time.Time) ([]moderation.Schedule, error) {
	n := now.UnixNano()
	var ss []moderation.Schedule
	err := s.read(ctx, func(tx *txn) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+scheduleColumns+` FROM schedules
			WHERE next_poll_at <= ? OR next_reconcile <= ?
			ORDER BY least(next_poll_at, next_reconcile), account_key`, n, n)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			sc, err := scanSchedule(rows)
			if err != nil {
				return err
			}
			ss = append(ss, sc)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("due schedules: %w", err)
	}
	return ss, nil
}

const scheduleColumns = `account_key, next_poll_at, next_reconcile, crisis_until, crisis_every, last_poll_at, last_error`

func scanSchedule(r scanner) (moderation.Schedule, error) {
	var (
		sc                                   moderation.Schedule
		poll, reconcile, crisis, every, last int64
	)
	if err := r.Scan(&sc.AccountKey, &poll, &reconcile, &crisis, &every, &last, &sc.LastError); err != nil {
		return sc, err
	}
	sc.NextPollAt = fromUnixNano(poll)
	sc.NextReconcile = fromUnixNano(reconcile)
	sc.CrisisUntil = fromUnixNano(crisis)
	sc.CrisisEvery = time.Duration(every)
	sc.LastPollAt = fromUnixNano(last)
	return sc, nil
}
