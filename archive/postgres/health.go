package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

var _ moderation.HealthStore = (*Store)(nil)

// ensureHealthRow makes the account's row in account_health, after
// checking that the account exists.
func ensureHealthRow(ctx context.Context, tx *txn, key string) error {
	if err := accountExists(ctx, tx, key); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO account_health (account_key) VALUES (?) ON CONFLICT (account_key) DO NOTHING`, key)
	return err
}

// RecordPoll records one poll's outcome: a success ends a run of failures;
// a failure counts in the run, which began at its first failure.
func (s *Store) RecordPoll(ctx context.Context, key string, at time.Time, errClass string) error {
	at = s.orNow(at)
	err := s.write(ctx, func(tx *txn) error {
		if err := ensureHealthRow(ctx, tx, key); err != nil {
			return err
		}
		if errClass == "" {
			_, err := tx.ExecContext(ctx, `UPDATE account_health SET last_poll_ok_at = greatest(last_poll_ok_at, ?),
				failing_since = 0, consecutive_failures = 0 WHERE account_key = ?`, unixNano(at), key)
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE account_health SET last_poll_failed_at = ?, last_poll_error = ?,
				failing_since = CASE WHEN consecutive_failures = 0 THEN ? ELSE failing_since END,
				consecutive_failures = consecutive_failures + 1
			WHERE account_key = ?`, unixNano(at), errClass, unixNano(at), key)
		return err
	})
	if err != nil {
		return fmt.Errorf("record poll of %s: %w", key, err)
	}
	return nil
}

// RecordTokenCheck records the last debug_token answer.
func (s *Store) RecordTokenCheck(ctx context.Context, key string, c moderation.TokenCheck) error {
	err := s.write(ctx, func(tx *txn) error {
		if err := ensureHealthRow(ctx, tx, key); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE account_health SET token_checked_at = ?, token_valid = ?, token_expires_at = ?,
				token_data_access_expires_at = ?, token_error = ? WHERE account_key = ?`,
			unixNano(s.orNow(c.CheckedAt)), c.Valid, unixNano(c.ExpiresAt), unixNano(c.DataAccessExpiresAt), c.Error, key)
		return err
	})
	if err != nil {
		return fmt.Errorf("record token check of %s: %w", key, err)
	}
	return nil
}

// RecordSubscriptionCheck records the last look at the webhook subscription.
func (s *Store) RecordSubscriptionCheck(ctx context.Context, key string, c moderation.SubscriptionCheck) error {
	err := s.write(ctx, func(tx *txn) error {
		if err := ensureHealthRow(ctx, tx, key); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE account_health SET subscription_checked_at = ?, subscribed = ?, subscription_error = ?
			WHERE account_key = ?`, unixNano(s.orNow(c.CheckedAt)), c.Subscribed, c.Error, key)
		return err
	})
	if err != nil {
		return fmt.Errorf("record subscription check of %s: %w", key, err)
	}
	return nil
}

// AccountFacts reads the account's health row (empty when nothing was
// recorded yet), its newest own post (a post whose author is the account:
// on Instagram every media item), and its set-aside work and failed
// actions.
func (s *Store) AccountFacts(ctx context.Context, key string) (moderation.AccountFacts, error) {
	var f moderation.AccountFacts
	err := s.read(ctx, func(tx *txn) error {
		if err := accountExists(ctx, tx, key); err != nil {
			return err
		}
		var pollOK, pollFailed, failingSince, tokAt, tokExp, tokData, subAt int64
		err := tx.QueryRowContext(ctx, `SELECT last_poll_ok_at, last_poll_failed_at, last_poll_error, failing_since, consecutive_failures,
				token_checked_at, token_valid, token_expires_at, token_data_access_expires_at, token_error,
				subscription_checked_at, subscribed, subscription_error
			FROM account_health WHERE account_key = ?`, key).Scan(&pollOK, &pollFailed, &f.LastPollError, &failingSince, &f.ConsecutiveFailures,
			&tokAt, &f.Token.Valid, &tokExp, &tokData, &f.Token.Error, &subAt, &f.Subscription.Subscribed, &f.Subscription.Error)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		f.LastPollOK, f.LastPollFailed, f.FailingSince = fromUnixNano(pollOK), fromUnixNano(pollFailed), fromUnixNano(failingSince)
		f.Token.CheckedAt, f.Token.ExpiresAt, f.Token.DataAccessExpiresAt = fromUnixNano(tokAt), fromUnixNano(tokExp), fromUnixNano(tokData)
		f.Subscription.CheckedAt = fromUnixNano(subAt)
		var lastOwn int64
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(p.created_at), 0) FROM posts p JOIN accounts a ON a.key = p.account_key
			WHERE p.account_key = ? AND p.stub = 0 AND (p.author_id = a.platform_id OR a.platform = 'instagram')`, key).Scan(&lastOwn); err != nil {
			return err
		}
		f.LastOwnPost = fromUnixNano(lastOwn)
		return tx.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM work_items w JOIN comments c ON c.id = w.comment_id
				WHERE c.account_key = ? AND w.done_at = 0 AND w.dead_at > 0),
			(SELECT count(*) FROM actions x JOIN comments c ON c.id = x.comment_id
				WHERE c.account_key = ? AND x.state = 'failed')`, key, key).Scan(&f.DeadWork, &f.FailedActions)
	})
	if err != nil {
		return moderation.AccountFacts{}, fmt.Errorf("health of %s: %w", key, err)
	}
	return f, nil
}

// OldestPendingWork returns when the oldest waiting work item or pending
// action was created; zero when nothing waits.
func (s *Store) OldestPendingWork(ctx context.Context) (time.Time, error) {
	var oldest int64
	err := s.read(ctx, func(tx *txn) error {
		return tx.QueryRowContext(ctx, `SELECT coalesce(min(t), 0) FROM (
			SELECT min(created_at) AS t FROM work_items WHERE done_at = 0 AND dead_at = 0
			UNION ALL
			SELECT min(created_at) FROM actions WHERE state = 'pending') o`).Scan(&oldest)
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("oldest pending work: %w", err)
	}
	return fromUnixNano(oldest), nil
}
