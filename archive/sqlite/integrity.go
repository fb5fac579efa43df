package sqlite

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ErrIntegrity is returned (wrapped) by IntegrityCheck when SQLite finds the
// database damaged or a foreign key without its row.
var ErrIntegrity = errors.New("database integrity check failed")

// IntegrityCheck runs SQLite's full integrity_check and foreign_key_check
// on one read snapshot and returns an error wrapping ErrIntegrity that
// names the first problems found. It only reads; for a backup or a restored
// copy before it is used.
func (s *Store) IntegrityCheck(ctx context.Context) error {
	tx, err := s.rdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, "PRAGMA integrity_check(20)")
	if err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return fmt.Errorf("integrity check: %w", err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	fk, err := tx.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return fmt.Errorf("integrity check: foreign keys: %w", err)
	}
	for fk.Next() && len(problems) < 20 {
		var (
			table, parent string
			rowid         *int64
			fkid          int64
		)
		if err := fk.Scan(&table, &rowid, &parent, &fkid); err != nil {
			fk.Close()
			return fmt.Errorf("integrity check: foreign keys: %w", err)
		}
		id := "?"
		if rowid != nil {
			id = fmt.Sprint(*rowid)
		}
		problems = append(problems, fmt.Sprintf("row %s of %s refers to a missing row of %s", id, table, parent))
	}
	if err := fk.Close(); err != nil {
		return fmt.Errorf("integrity check: foreign keys: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrIntegrity, strings.Join(problems, "; "))
	}
	return nil
}
