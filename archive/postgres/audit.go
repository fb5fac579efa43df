package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/uppsikt/uppsikt/moderation"
)

// AppendAudit appends an entry to the audit log. The store assigns Seq, the
// previous entry's hash as PrevHash ("" for the first) and Hash; At defaults
// to now. It returns the entry as stored.
func (s *Store) AppendAudit(ctx context.Context, e moderation.AuditEntry) (moderation.AuditEntry, error) {
	e.At = s.orNow(e.At)
	err := s.write(ctx, func(tx *txn) error {
		var err error
		e, err = appendAudit(ctx, tx, e)
		return err
	})
	if err != nil {
		return moderation.AuditEntry{}, fmt.Errorf("append audit %s: %w", e.Action, err)
	}
	return e, nil
}

// appendAudit appends e, its At set, to the audit log inside tx, for store
// methods whose change and audit entry must commit together.
func appendAudit(ctx context.Context, tx *txn, e moderation.AuditEntry) (moderation.AuditEntry, error) {
	var (
		last int64
		prev string
	)
	err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&last, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return e, err
	}
	e.Seq = last + 1
	e.PrevHash = prev
	e.Hash = e.ComputeHash()
	_, err = tx.ExecContext(ctx, `
		INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, unixNano(e.At), e.Actor, e.Action, e.Subject, rawOrNil(e.Detail), e.PrevHash, e.Hash)
	return e, err
}

// AuditLog returns entries after afterSeq in order. A limit of 0 or less
// means no limit.
func (s *Store) AuditLog(ctx context.Context, afterSeq int64, limit int) ([]moderation.AuditEntry, error) {
	if limit <= 0 {
		limit = noLimit
	}
	var es []moderation.AuditEntry
	err := s.read(ctx, func(tx *txn) error {
		rows, err := tx.QueryContext(ctx, `
			SELECT seq, at, actor, action, subject, detail, prev_hash, hash
			FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`, afterSeq, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				e      moderation.AuditEntry
				at     int64
				detail []byte
			)
			if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Subject, &detail, &e.PrevHash, &e.Hash); err != nil {
				return err
			}
			e.At = fromUnixNano(at)
			if detail != nil {
				e.Detail = detail
			}
			es = append(es, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("audit log after %d: %w", afterSeq, err)
	}
	return es, nil
}
