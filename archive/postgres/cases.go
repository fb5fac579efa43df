package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/uppsikt/uppsikt/moderation"
)

// OpenCase returns the comment's unresolved case, moved to c.Version and
// c.Categories, or opens a new one (state c.State, open when empty). The
// account is always the comment's own. created says a case was opened.
func (s *Store) OpenCase(ctx context.Context, c moderation.Case) (moderation.Case, bool, error) {
	var (
		out     moderation.Case
		created bool
	)
	err := s.write(ctx, func(tx *txn) error {
		var accountKey string
		if err := tx.QueryRowContext(ctx, `SELECT account_key FROM comments WHERE id = ?`, c.CommentID).Scan(&accountKey); err != nil {
			return notFound(err, "comment %d", c.CommentID)
		}
		now := s.nowUTC()
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM cases WHERE comment_id = ? AND state IN ('open', 'escalated', 'approved')`,
			c.CommentID).Scan(&id)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			state := c.State
			if state == "" {
				state = moderation.CaseOpen
			}
			opened := s.orNow(c.OpenedAt)
			r, err := tx.execInsert(ctx, `
				INSERT INTO cases (comment_id, version, account_key, state, categories, opened_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?)`,
				c.CommentID, c.Version, accountKey, string(state), encodeList(c.Categories), unixNano(opened), unixNano(opened))
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
			if _, err := tx.ExecContext(ctx, `UPDATE cases SET version = ?, categories = ?, updated_at = ? WHERE id = ?`,
				c.Version, encodeList(c.Categories), unixNano(now), id); err != nil {
				return err
			}
		}
		out, err = caseByID(ctx, tx, id)
		return err
	})
	if err != nil {
		return moderation.Case{}, false, fmt.Errorf("open case for comment %d: %w", c.CommentID, err)
	}
	return out, created, nil
}

// Case returns one case.
func (s *Store) Case(ctx context.Context, id int64) (moderation.Case, error) {
	var c moderation.Case
	err := s.read(ctx, func(tx *txn) error {
		var err error
		c, err = caseByID(ctx, tx, id)
		return err
	})
	return c, err
}

// ListCases returns cases matching the filter, oldest first.
func (s *Store) ListCases(ctx context.Context, f moderation.CaseFilter) ([]moderation.Case, error) {
	var (
		where []string
		args  []any
	)
	if f.AccountKey != "" {
		where = append(where, "account_key = ?")
		args = append(args, f.AccountKey)
	}
	if len(f.States) > 0 {
		marks := make([]string, len(f.States))
		for i, st := range f.States {
			marks[i] = "?"
			args = append(args, string(st))
		}
		where = append(where, "state IN ("+strings.Join(marks, ", ")+")")
	}
	if f.Category != "" {
		where = append(where, "EXISTS (SELECT 1 FROM jsonb_array_elements_text(cases.categories::jsonb) j WHERE j = ?)")
		args = append(args, f.Category)
	}
	q := `SELECT ` + caseColumns + ` FROM cases`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id"
	if f.Limit > 0 {
		q += " LIMIT ?"
		args = append(args, f.Limit)
	}
	var cs []moderation.Case
	err := s.read(ctx, func(tx *txn) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanCase(rows)
			if err != nil {
				return err
			}
			cs = append(cs, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	return cs, nil
}

// RecordDecision stores d and moves its case to state to, in one
// transaction, only when the case is in one of the states from. Otherwise it
// returns a *moderation.ConflictError carrying the case's latest decision.
// Decision.At defaults to now.
func (s *Store) RecordDecision(ctx context.Context, d moderation.Decision, from []moderation.CaseState, to moderation.CaseState) (moderation.Decision, error) {
	d.At = s.orNow(d.At)
	err := s.write(ctx, func(tx *txn) error {
		var state string
		if err := tx.QueryRowContext(ctx, `SELECT state FROM cases WHERE id = ?`, d.CaseID).Scan(&state); err != nil {
			return notFound(err, "case %d", d.CaseID)
		}
		if !slices.Contains(from, moderation.CaseState(state)) {
			existing, err := latestDecision(ctx, tx, d.CaseID)
			if err != nil {
				return err
			}
			return &moderation.ConflictError{Existing: existing}
		}
		var err error
		d.ID, err = insertDecision(ctx, tx, d, to)
		return err
	})
	if err != nil {
		return moderation.Decision{}, fmt.Errorf("record decision on case %d: %w", d.CaseID, err)
	}
	return d, nil
}

// UndoApproval records d and moves the approved case back to state to, in
// one transaction, only while no action carries out its removal: a delete,
// reply or private reply tied to the case, in any state but done as
// cancelled. A case that is not approved gives a *moderation.ConflictError
// with its latest decision; one whose removal is under way an error
// wrapping moderation.ErrTooLate. Decision.At defaults to now.
func (s *Store) UndoApproval(ctx context.Context, d moderation.Decision, to moderation.CaseState) (moderation.Decision, error) {
	d.At = s.orNow(d.At)
	err := s.write(ctx, func(tx *txn) error {
		var (
			state     string
			commentID int64
		)
		if err := tx.QueryRowContext(ctx, `SELECT state, comment_id FROM cases WHERE id = ?`, d.CaseID).Scan(&state, &commentID); err != nil {
			return notFound(err, "case %d", d.CaseID)
		}
		if moderation.CaseState(state) != moderation.CaseApproved {
			existing, err := latestDecision(ctx, tx, d.CaseID)
			if err != nil {
				return err
			}
			return &moderation.ConflictError{Existing: existing}
		}
		var under int
		if err := tx.QueryRowContext(ctx, `
			SELECT count(*) FROM actions
			WHERE comment_id = ? AND case_id = ? AND kind IN (?, ?, ?) AND NOT (state = ? AND outcome = ?)`,
			commentID, d.CaseID, moderation.ActDelete, moderation.ActReply, moderation.ActPrivateReply,
			moderation.ActionDone, moderation.ActionCancelled).Scan(&under); err != nil {
			return err
		}
		if under > 0 {
			return fmt.Errorf("the removal is under way (%d actions queued): %w", under, moderation.ErrTooLate)
		}
		var err error
		d.ID, err = insertDecision(ctx, tx, d, to)
		return err
	})
	if err != nil {
		return moderation.Decision{}, fmt.Errorf("undo approval of case %d: %w", d.CaseID, err)
	}
	return d, nil
}

// insertDecision stores d and moves its case to state to, and returns the
// decision's id.
func insertDecision(ctx context.Context, tx *txn, d moderation.Decision, to moderation.CaseState) (int64, error) {
	r, err := tx.execInsert(ctx, `
		INSERT INTO decisions (case_id, kind, by_user, surface, reason, at) VALUES (?, ?, ?, ?, ?, ?)`,
		d.CaseID, d.Kind, d.By, d.Surface, d.Reason, unixNano(d.At))
	if err != nil {
		return 0, err
	}
	id, err := r.LastInsertId()
	if err != nil {
		return 0, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE cases SET state = ?, updated_at = ? WHERE id = ?`, string(to), unixNano(d.At), d.CaseID)
	return id, err
}

// Decisions returns a case's decisions, oldest first.
func (s *Store) Decisions(ctx context.Context, caseID int64) ([]moderation.Decision, error) {
	var ds []moderation.Decision
	err := s.read(ctx, func(tx *txn) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+decisionColumns+` FROM decisions WHERE case_id = ? ORDER BY id`, caseID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			d, err := scanDecision(rows)
			if err != nil {
				return err
			}
			ds = append(ds, d)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("decisions of case %d: %w", caseID, err)
	}
	return ds, nil
}

// latestDecision is the case's most recent decision; a case decided by no
// one yet gives a Decision carrying only the case id.
func latestDecision(ctx context.Context, tx *txn, caseID int64) (moderation.Decision, error) {
	d, err := scanDecision(tx.QueryRowContext(ctx, `SELECT `+decisionColumns+` FROM decisions WHERE case_id = ? ORDER BY id DESC LIMIT 1`, caseID))
	if errors.Is(err, sql.ErrNoRows) {
		return moderation.Decision{CaseID: caseID}, nil
	}
	return d, err
}

const caseColumns = `id, comment_id, version, account_key, state, categories, opened_at, updated_at`

func caseByID(ctx context.Context, tx *txn, id int64) (moderation.Case, error) {
	c, err := scanCase(tx.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE id = ?`, id))
	if err != nil {
		return c, notFound(err, "case %d", id)
	}
	return c, nil
}

func scanCase(r scanner) (moderation.Case, error) {
	var (
		c                 moderation.Case
		state, categories string
		opened, updated   int64
	)
	if err := r.Scan(&c.ID, &c.CommentID, &c.Version, &c.AccountKey, &state, &categories, &opened, &updated); err != nil {
		return c, err
	}
	c.State = moderation.CaseState(state)
	c.OpenedAt = fromUnixNano(opened)
	c.UpdatedAt = fromUnixNano(updated)
	var err error
	c.Categories, err = decodeList(categories)
	return c, err
}

const decisionColumns = `id, case_id, kind, by_user, surface, reason, at`

func scanDecision(r scanner) (moderation.Decision, error) {
	var (
		d  moderation.Decision
		at int64
	)
	if err := r.Scan(&d.ID, &d.CaseID, &d.Kind, &d.By, &d.Surface, &d.Reason, &at); err != nil {
		return d, err
	}
	d.At = fromUnixNano(at)
	return d, nil
}
