package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// CreateRegisterEntry numbers a new register entry within its year and stores
// it, or returns the entry already stored for the same comment and case.
// The year is e.Year, else the year (UTC) of e.CreatedAt, else of now; the
// sequence is one more than the year's highest. number formats the series;
// nil gives "2026/0042".
func (s *Store) CreateRegisterEntry(ctx context.Context, e moderation.RegisterEntry, number func(year, seq int) string) (moderation.RegisterEntry, error) {
	if number == nil {
		number = func(year, seq int) string { return fmt.Sprintf("%d/%04d", year, seq) }
	}
	e.CreatedAt = s.orNow(e.CreatedAt)
	if e.Year == 0 {
		e.Year = e.CreatedAt.Year()
	}
	var out moderation.RegisterEntry
	err := s.write(ctx, func(tx *txn) error {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM register_entries WHERE comment_id = ? AND coalesce(case_id, 0) = ?`,
			e.CommentID, e.CaseID).Scan(&id)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			var seq int
			if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) + 1 FROM register_entries WHERE year = ?`,
				e.Year).Scan(&seq); err != nil {
				return err
			}
			r, err := tx.execInsert(ctx, `
				INSERT INTO register_entries (year, seq, number, comment_id, case_id, reason, created_at, delivered_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				e.Year, seq, number(e.Year, seq), e.CommentID, nullID(e.CaseID), e.Reason,
				unixNano(e.CreatedAt), unixNano(e.Delivered))
			if err != nil {
				return err
			}
			if id, err = r.LastInsertId(); err != nil {
				return err
			}
		case err != nil:
			return err
		}
		out, err = scanRegisterEntry(tx.QueryRowContext(ctx, `SELECT `+registerColumns+` FROM register_entries WHERE id = ?`, id))
		return err
	})
	if err != nil {
		return moderation.RegisterEntry{}, fmt.Errorf("create register entry for comment %d: %w", e.CommentID, err)
	}
	return out, nil
}

// RegisterEntries returns a year's entries in number order.
func (s *Store) RegisterEntries(ctx context.Context, year int) ([]moderation.RegisterEntry, error) {
	var es []moderation.RegisterEntry
	err := s.read(ctx, func(tx *txn) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+registerColumns+` FROM register_entries WHERE year = ? ORDER BY seq`, year)
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
		return nil, fmt.Errorf("register entries of %d: %w", year, err)
	}
	return es, nil
}

// MarkRegisterDelivered records that an outlet acknowledged an entry. The
// first acknowledgement's time is kept.
func (s *Store) MarkRegisterDelivered(ctx context.Context, id int64, at time.Time) error {
	at = s.orNow(at)
	err := s.write(ctx, func(tx *txn) error {
		var delivered int64
		if err := tx.QueryRowContext(ctx, `SELECT delivered_at FROM register_entries WHERE id = ?`, id).Scan(&delivered); err != nil {
			return notFound(err, "register entry %d", id)
		}
		if delivered != 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, `UPDATE register_entries SET delivered_at = ? WHERE id = ?`, unixNano(at), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("mark register entry delivered: %w", err)
	}
	return nil
}

const registerColumns = `id, year, seq, number, comment_id, case_id, reason, created_at, delivered_at, objection_id`

func scanRegisterEntry(r scanner) (moderation.RegisterEntry, error) {
	var (
		e                  moderation.RegisterEntry
		caseID, objection  sql.NullInt64
		created, delivered int64
	)
	if err := r.Scan(&e.ID, &e.Year, &e.Seq, &e.Number, &e.CommentID, &caseID, &e.Reason, &created, &delivered, &objection); err != nil {
		return e, err
	}
	e.CaseID = caseID.Int64
	e.ObjectionID = objection.Int64
	e.CreatedAt = fromUnixNano(created)
	e.Delivered = fromUnixNano(delivered)
	return e, nil
}
