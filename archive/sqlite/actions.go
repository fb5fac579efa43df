package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/uppsikt/uppsikt/moderation"
)

// EnqueueAction records an action before it is sent. It is idempotent per
// comment, case and kind: a second call returns the action already stored
// and created=false.
func (s *Store) EnqueueAction(ctx context.Context, a moderation.Action) (moderation.Action, bool, error) {
	if a.Kind == "" {
		return moderation.Action{}, false, fmt.Errorf("enqueue action: empty kind")
	}
	var (
		out     moderation.Action
		created bool
	)
	err := s.write(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM actions WHERE comment_id = ? AND coalesce(case_id, 0) = ? AND kind = ?`,
			a.CommentID, a.CaseID, a.Kind).Scan(&id)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			state := a.State
			if state == "" {
				state = moderation.ActionPending
			}
			r, err := tx.ExecContext(ctx, `
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
		}
		out, err = actionByID(ctx, tx, id)
		return err
	})
	if err != nil {
		return moderation.Action{}, false, fmt.Errorf("enqueue %s action for comment %d: %w", a.Kind, a.CommentID, err)
	}
	return out, created, nil
}

// PendingActions returns actions still to be sent, oldest first. A limit of
// 0 or less means no limit.
func (s *Store) PendingActions(ctx context.Context, limit int) ([]moderation.Action, error) {
	if limit <= 0 {
		limit = -1
	}
	as, err := s.queryActions(ctx, `SELECT `+actionColumns+` FROM actions WHERE state = 'pending' ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("pending actions: %w", err)
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
// counts the attempt. DoneAt is set when the state leaves pending. A done
// action is final: finishing it again changes nothing.
func (s *Store) FinishAction(ctx context.Context, id int64, state, platformRef, lastError string) error {
	switch state {
	case moderation.ActionPending, moderation.ActionDone, moderation.ActionFailed:
	default:
		return fmt.Errorf("finish action %d: unknown state %q", id, state)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
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
		_, err := tx.ExecContext(ctx, `
			UPDATE actions SET state = ?, platform_ref = ?, last_error = ?, attempts = attempts + 1, done_at = ?
			WHERE id = ?`, state, platformRef, lastError, doneAt, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("finish action %d: %w", id, err)
	}
	return nil
}

func (s *Store) queryActions(ctx context.Context, q string, args ...any) ([]moderation.Action, error) {
	var as []moderation.Action
	err := s.read(ctx, func(tx *sql.Tx) error {
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

const actionColumns = `id, comment_id, case_id, kind, payload, state, attempts, last_error, created_at, done_at, platform_ref`

func actionByID(ctx context.Context, tx *sql.Tx, id int64) (moderation.Action, error) {
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
	)
	if err := r.Scan(&a.ID, &a.CommentID, &caseID, &a.Kind, &a.Payload, &a.State, &a.Attempts, &a.LastError,
		&created, &done, &a.PlatformRef); err != nil {
		return a, err
	}
	a.CaseID = caseID.Int64
	a.CreatedAt = fromUnixNano(created)
	a.DoneAt = fromUnixNano(done)
	return a, nil
}
