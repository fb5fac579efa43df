package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// PlaceLegalHold places a hold on an account, or on the comment of one case
// when h.CaseID is set. Disposal skips what a hold in force covers.
func (s *Store) PlaceLegalHold(ctx context.Context, h moderation.LegalHold) (moderation.LegalHold, error) {
	if h.AccountKey == "" || h.Reason == "" || h.PlacedBy == "" {
		return h, fmt.Errorf("place legal hold: account, reason and who places it are required")
	}
	h.PlacedAt = s.orNow(h.PlacedAt)
	h.ReleasedAt, h.ReleasedBy = time.Time{}, ""
	err := s.write(ctx, func(tx *txn) error {
		if err := accountExists(ctx, tx, h.AccountKey); err != nil {
			return err
		}
		if h.CaseID != 0 {
			var account string
			if err := tx.QueryRowContext(ctx, `SELECT account_key FROM cases WHERE id = ?`, h.CaseID).Scan(&account); err != nil {
				return notFound(err, "case %d", h.CaseID)
			}
			if account != h.AccountKey {
				return fmt.Errorf("case %d belongs to account %s, not %s", h.CaseID, account, h.AccountKey)
			}
		}
		r, err := tx.execInsert(ctx, `
			INSERT INTO legal_holds (account_key, case_id, reason, placed_by, placed_at) VALUES (?, ?, ?, ?, ?)`,
			h.AccountKey, nullID(h.CaseID), h.Reason, h.PlacedBy, unixNano(h.PlacedAt))
		if err != nil {
			return err
		}
		h.ID, err = r.LastInsertId()
		return err
	})
	if err != nil {
		return h, fmt.Errorf("place legal hold on %s: %w", h.AccountKey, err)
	}
	return h, nil
}

// ReleaseLegalHold ends a hold. Releasing a released hold changes nothing.
func (s *Store) ReleaseLegalHold(ctx context.Context, id int64, by string, at time.Time) error {
	at = s.orNow(at)
	err := s.write(ctx, func(tx *txn) error {
		var released int64
		if err := tx.QueryRowContext(ctx, `SELECT released_at FROM legal_holds WHERE id = ?`, id).Scan(&released); err != nil {
			return notFound(err, "legal hold %d", id)
		}
		if released != 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, `UPDATE legal_holds SET released_at = ?, released_by = ? WHERE id = ?`, unixNano(at), by, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("release legal hold %d: %w", id, err)
	}
	return nil
}

// LegalHolds lists holds, in force only when activeOnly, oldest first.
func (s *Store) LegalHolds(ctx context.Context, activeOnly bool) ([]moderation.LegalHold, error) {
	var hs []moderation.LegalHold
	err := s.read(ctx, func(tx *txn) error {
		q := `SELECT id, account_key, case_id, reason, placed_by, placed_at, released_by, released_at FROM legal_holds`
		if activeOnly {
			q += ` WHERE released_at = 0`
		}
		rows, err := tx.QueryContext(ctx, q+` ORDER BY id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				h                moderation.LegalHold
				caseID           sql.NullInt64
				placed, released int64
			)
			if err := rows.Scan(&h.ID, &h.AccountKey, &caseID, &h.Reason, &h.PlacedBy, &placed, &h.ReleasedBy, &released); err != nil {
				return err
			}
			h.CaseID = caseID.Int64
			h.PlacedAt, h.ReleasedAt = fromUnixNano(placed), fromUnixNano(released)
			hs = append(hs, h)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("legal holds: %w", err)
	}
	return hs, nil
}

// disposableVersions selects the ids of the versions DisposeCommentText may
// blank: not yet disposed, first seen before the cutoff, of a comment of the
// account that has no evidence file, register entry, review case or pending
// work, on an account without a hold in force, and not the comment of a case
// under a hold.
const disposableVersions = `
	SELECT v.id, v.comment_id FROM comment_versions v JOIN comments c ON c.id = v.comment_id
	WHERE c.account_key = ?1 AND v.disposed_at = 0 AND v.seen_at < ?2
	  AND NOT EXISTS (SELECT 1 FROM legal_holds h WHERE h.account_key = ?1 AND h.case_id IS NULL AND h.released_at = 0)
	  AND NOT EXISTS (SELECT 1 FROM legal_holds h JOIN cases k ON k.id = h.case_id
	                  WHERE h.released_at = 0 AND k.comment_id = c.id)
	  AND NOT EXISTS (SELECT 1 FROM evidence_files e WHERE e.comment_id = c.id)
	  AND NOT EXISTS (SELECT 1 FROM register_entries r WHERE r.comment_id = c.id)
	  AND NOT EXISTS (SELECT 1 FROM cases k WHERE k.comment_id = c.id)
	  AND NOT EXISTS (SELECT 1 FROM work_items w WHERE w.comment_id = c.id AND w.done_at = 0)`

// DisposeCommentText blanks the text and raw answer of the account's comment
// versions first seen before r.Cutoff that nothing keeps (see
// moderation.ArchiveStore), removes the text from the search index and from
// their verdicts, and logs one disposal with the counts, in one transaction.
// A dry run counts and changes nothing; nothing is logged for it.
func (s *Store) DisposeCommentText(ctx context.Context, r moderation.DisposalRequest) (moderation.Disposal, error) {
	if r.AccountKey == "" || r.Rule == "" || r.Cutoff.IsZero() {
		return moderation.Disposal{}, fmt.Errorf("dispose comment text: account, rule and cutoff are required")
	}
	d := moderation.Disposal{Kind: moderation.DisposalCommentText, Rule: r.Rule, AccountKey: r.AccountKey,
		Cutoff: r.Cutoff.UTC(), At: s.orNow(r.At), By: r.By, DryRun: r.DryRun}
	if d.By == "" {
		d.By = "uppsikt"
	}
	run := s.write
	if r.DryRun {
		run = s.read
	}
	err := run(ctx, func(tx *txn) error {
		if err := accountExists(ctx, tx, r.AccountKey); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT comment_id) FROM (`+disposableVersions+`) d`,
			r.AccountKey, unixNano(r.Cutoff)).Scan(&d.Items, &d.Comments)
		if err != nil || r.DryRun || d.Items == 0 {
			return err
		}
		if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE disposing (id BIGINT PRIMARY KEY, comment_id BIGINT NOT NULL) ON COMMIT DROP`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM pg_temp.disposing`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO pg_temp.disposing (id, comment_id) `+disposableVersions,
			r.AccountKey, unixNano(r.Cutoff)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE comment_versions SET message = '', raw = NULL, disposed_at = ?
			WHERE id IN (SELECT id FROM pg_temp.disposing)`, unixNano(d.At)); err != nil {
			return err
		}
		// A verdict may quote the text it matched.
		if _, err := tx.ExecContext(ctx, `
			UPDATE verdicts SET verdict = '{"disposed":true}'
			WHERE (comment_id, version) IN (
				SELECT v.comment_id, v.version FROM comment_versions v WHERE v.id IN (SELECT id FROM pg_temp.disposing))`); err != nil {
			return err
		}
		// The author is personal data of no more importance than the text.
		if _, err := tx.ExecContext(ctx, `
			UPDATE comments SET author_name = '', author_id = ''
			WHERE id IN (SELECT comment_id FROM pg_temp.disposing)
			  AND NOT EXISTS (SELECT 1 FROM comment_versions v WHERE v.comment_id = comments.id AND v.disposed_at = 0)`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM pg_temp.disposing`); err != nil {
			return err
		}
		res, err := tx.execInsert(ctx, `
			INSERT INTO disposals (kind, rule, account_key, cutoff, items, comments, at, by_user)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			d.Kind, d.Rule, d.AccountKey, unixNano(d.Cutoff), d.Items, d.Comments, unixNano(d.At), d.By)
		if err != nil {
			return err
		}
		d.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return moderation.Disposal{}, fmt.Errorf("dispose comment text of %s: %w", r.AccountKey, err)
	}
	return d, nil
}

// Disposals returns the disposal log of an account (every account when
// accountKey is empty), oldest first.
func (s *Store) Disposals(ctx context.Context, accountKey string) ([]moderation.Disposal, error) {
	var ds []moderation.Disposal
	err := s.read(ctx, func(tx *txn) error {
		rows, err := tx.QueryContext(ctx, `
			SELECT id, kind, rule, account_key, cutoff, items, comments, at, by_user FROM disposals
			WHERE ?1 = '' OR account_key = ?1 ORDER BY id`, accountKey)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				d          moderation.Disposal
				cutoff, at int64
			)
			if err := rows.Scan(&d.ID, &d.Kind, &d.Rule, &d.AccountKey, &cutoff, &d.Items, &d.Comments, &at, &d.By); err != nil {
				return err
			}
			d.Cutoff, d.At = fromUnixNano(cutoff), fromUnixNano(at)
			ds = append(ds, d)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("disposal log: %w", err)
	}
	return ds, nil
}
