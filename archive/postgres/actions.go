package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// EnqueueAction records an action before it is sent. It is idempotent per
// comment, case and kind: a second call returns the action already stored
// and created=false. An action stored as done but cancelled (its case's
// removal was undone) is made pending again, as if new: the removal was
// approved again.
func (s *Store) EnqueueAction(ctx context.Context, a moderation.Action) (moderation.Action, bool, error) {
	if a.Kind == "" {
		return moderation.Action{}, false, fmt.Errorf("enqueue action: empty kind")
	}
	var (
		out     moderation.Action
		created bool
	)
	err := s.write(ctx, func(tx *txn) error {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM actions WHERE comment_id = ? AND coalesce(case_id, 0) = ? AND kind = ?`,
			a.CommentID, a.CaseID, a.Kind).Scan(&id)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			state := a.State
			if state == "" {
				state = moderation.ActionPending
			}
			r, err := tx.execInsert(ctx, `
				INSERT INTO actions (comment_id, case_id, kind, payload, state, created_at)
				VALUES (?, ?, ?, ?, ?, ?)`,
				a.CommentID, nullID(a.CaseID), a.Kind, a.Payload, state, unixNano(s.orNow(a.CreatedAt)))
			if err != nil {
				return err
			}
			if id, err = r.LastInsertId(); err != nil {
				return err
			}
			created = true
		case err != nil:
			return err
		default:
			r, err := tx.ExecContext(ctx, `
				UPDATE actions SET state = ?, outcome = '', payload = ?, attempts = 0, last_error = '', platform_ref = '',
					created_at = ?, done_at = 0, next_attempt_at = 0
				WHERE id = ? AND state = ? AND outcome = ?`,
				moderation.ActionPending, a.Payload, unixNano(s.orNow(a.CreatedAt)), id, moderation.ActionDone, moderation.ActionCancelled)
			if err != nil {
				return err
			}
			n, err := r.RowsAffected()
			if err != nil {
				return err
			}
			created = n == 1
		}
		out, err = actionByID(ctx, tx, id)
		return err
	})
	if err != nil {
		return moderation.Action{}, false, fmt.Errorf("enqueue %s action for comment %d: %w", a.Kind, a.CommentID, err)
	}
	return out, created, nil
}

// PendingActions returns the pending actions due at now (no retry time
// after now) on comments of active accounts, oldest first: an action on a
// disconnected or closed account waits. The zero now ignores the retry
// time. A limit of 0 or less means no limit.
func (s *Store) PendingActions(ctx context.Context, now time.Time, limit int) ([]moderation.Action, error) {
	due := dueBy(now)
	as, err := s.queryActions(ctx, `SELECT `+prefixed("a.", actionColumns)+`
		FROM actions a
		JOIN comments c ON c.id = a.comment_id
		JOIN accounts acc ON acc.key = c.account_key
		WHERE a.state = 'pending' AND a.next_attempt_at <= ? AND acc.status = ?
		ORDER BY a.id LIMIT ?`, due, moderation.AccountActive, limitOrAll(limit))
	if err != nil {
		return nil, fmt.Errorf("pending actions: %w", err)
	}
	return as, nil
}

// FailedActions returns the actions that failed for good, oldest first. A
// limit of 0 or less means no limit.
func (s *Store) FailedActions(ctx context.Context, limit int) ([]moderation.Action, error) {
	as, err := s.queryActions(ctx, `SELECT `+actionColumns+` FROM actions WHERE state = ? ORDER BY id LIMIT ?`,
		moderation.ActionFailed, limitOrAll(limit))
	if err != nil {
		return nil, fmt.Errorf("failed actions: %w", err)
	}
	return as, nil
}

// Actions returns every action on a comment, oldest first.
func (s *Store) Actions(ctx context.Context, commentID int64) ([]moderation.Action, error) {
	as, err := s.queryActions(ctx, `SELECT `+actionColumns+` FROM actions WHERE comment_id = ? ORDER BY id`, commentID)
	if err != nil {
		return nil, fmt.Errorf("actions of comment %d: %w", commentID, err)
	}
	return as, nil
}

// ActionByRef returns the done action that recorded platformRef.
func (s *Store) ActionByRef(ctx context.Context, platformRef string) (moderation.Action, error) {
	if platformRef == "" {
		return moderation.Action{}, fmt.Errorf("action by reference: %w", moderation.ErrNotFound)
	}
	as, err := s.queryActions(ctx, `SELECT `+actionColumns+` FROM actions WHERE platform_ref = ? AND state = ? ORDER BY id LIMIT 1`,
		platformRef, moderation.ActionDone)
	if err != nil {
		return moderation.Action{}, fmt.Errorf("action by reference %s: %w", platformRef, err)
	}
	if len(as) == 0 {
		return moderation.Action{}, fmt.Errorf("action by reference %s: %w", platformRef, moderation.ErrNotFound)
	}
	return as[0], nil
}

// FinishAction records an attempt at an action: its new state (pending to
// retry, done or failed), the platform's reference and the last error, and
// counts the attempt. A pending action is due again at once. DoneAt is set
// when the state leaves pending. A done action is final: finishing it again
// changes nothing.
func (s *Store) FinishAction(ctx context.Context, id int64, state, platformRef, lastError string) error {
	switch state {
	case moderation.ActionPending, moderation.ActionDone, moderation.ActionFailed:
	default:
		return fmt.Errorf("finish action %d: unknown state %q", id, state)
	}
	if err := s.finishAction(ctx, id, state, moderation.ActionAsAsked, platformRef, lastError); err != nil {
		return fmt.Errorf("finish action %d: %w", id, err)
	}
	return nil
}

// FinishActionOutcome records that an action is done but ended as outcome
// (moderation.ActionGone: the object was already deleted on the platform),
// counting the attempt; moderation.ActionCancelled (nothing was sent: its
// case's removal was undone) counts none. A done action is final, except
// that EnqueueAction revives a cancelled one.
func (s *Store) FinishActionOutcome(ctx context.Context, id int64, outcome, platformRef, lastError string) error {
	switch outcome {
	case moderation.ActionAsAsked, moderation.ActionGone, moderation.ActionCancelled:
	default:
		return fmt.Errorf("finish action %d: unknown outcome %q", id, outcome)
	}
	if err := s.finishAction(ctx, id, moderation.ActionDone, outcome, platformRef, lastError); err != nil {
		return fmt.Errorf("finish action %d: %w", id, err)
	}
	return nil
}

func (s *Store) finishAction(ctx context.Context, id int64, state, outcome, platformRef, lastError string) error {
	return s.write(ctx, func(tx *txn) error {
		var current string
		if err := tx.QueryRowContext(ctx, `SELECT state FROM actions WHERE id = ?`, id).Scan(&current); err != nil {
			return notFound(err, "action %d", id)
		}
		if current == moderation.ActionDone {
			return nil
		}
		var doneAt int64
		if state != moderation.ActionPending {
			doneAt = unixNano(s.nowUTC())
		}
		attempt := 1
		if outcome == moderation.ActionCancelled {
			attempt = 0
		}
		_, err := tx.ExecContext(ctx, `
			UPDATE actions SET state = ?, outcome = ?, platform_ref = ?, last_error = ?, attempts = attempts + ?,
				done_at = ?, next_attempt_at = 0
			WHERE id = ?`, state, outcome, platformRef, lastError, attempt, doneAt, id)
		return err
	})
}

// DeferAction keeps a pending action back until retryAt, with its last
// error, and counts an attempt only when countAttempt is set. An action no
// longer pending is left as it is.
func (s *Store) DeferAction(ctx context.Context, id int64, retryAt time.Time, lastError string, countAttempt bool) error {
	err := s.write(ctx, func(tx *txn) error {
		var current string
		if err := tx.QueryRowContext(ctx, `SELECT state FROM actions WHERE id = ?`, id).Scan(&current); err != nil {
			return notFound(err, "action %d", id)
		}
		if current != moderation.ActionPending {
			return nil
		}
		counted := 0
		if countAttempt {
			counted = 1
		}
		_, err := tx.ExecContext(ctx, `
			UPDATE actions SET next_attempt_at = ?, last_error = ?, attempts = attempts + ? WHERE id = ?`,
			unixNano(retryAt), lastError, counted, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("defer action %d: %w", id, err)
	}
	return nil
}

// RetryAction makes a failed action, or a pending one waiting for its retry
// time, pending and due at once with its attempts reset; the last error is
// kept until the next attempt. A done action cannot be retried: it gives an
// error wrapping moderation.ErrNotRetryable.
func (s *Store) RetryAction(ctx context.Context, id int64) error {
	err := s.write(ctx, func(tx *txn) error {
		var current string
		if err := tx.QueryRowContext(ctx, `SELECT state FROM actions WHERE id = ?`, id).Scan(&current); err != nil {
			return notFound(err, "action %d", id)
		}
		if current == moderation.ActionDone {
			return fmt.Errorf("action %d is done: %w", id, moderation.ErrNotRetryable)
		}
		_, err := tx.ExecContext(ctx, `
			UPDATE actions SET state = ?, attempts = 0, next_attempt_at = 0, done_at = 0 WHERE id = ?`,
			moderation.ActionPending, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("retry action: %w", err)
	}
	return nil
}

func (s *Store) queryActions(ctx context.Context, q string, args ...any) ([]moderation.Action, error) {
	var as []moderation.Action
	err := s.read(ctx, func(tx *txn) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			a, err := scanAction(rows)
			if err != nil {
				return err
			}
			as = append(as, a)
		}
		return rows.Err()
	})
	return as, err
}

const actionColumns = `id, comment_id, case_id, kind, payload, state, attempts, last_error, created_at, done_at, platform_ref, next_attempt_at, outcome`

func actionByID(ctx context.Context, tx *txn, id int64) (moderation.Action, error) {
	a, err := scanAction(tx.QueryRowContext(ctx, `SELECT `+actionColumns+` FROM actions WHERE id = ?`, id))
	if err != nil {
		return a, notFound(err, "action %d", id)
	}
	return a, nil
}

func scanAction(r scanner) (moderation.Action, error) {
	var (
		a             moderation.Action
		caseID        sql.NullInt64
		created, done int64
		next          int64
	)
	if err := r.Scan(&a.ID, &a.CommentID, &caseID, &a.Kind, &a.Payload, &a.State, &a.Attempts, &a.LastError,
		&created, &done, &a.PlatformRef, &next, &a.Outcome); err != nil {
		return a, err
	}
	a.NextAttemptAt = fromUnixNano(next)
	a.CaseID = caseID.Int64
	a.CreatedAt = fromUnixNano(created)
	a.DoneAt = fromUnixNano(done)
	return a, nil
}
