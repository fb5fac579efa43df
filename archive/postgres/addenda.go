package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// DecidedWithoutAddendum returns the decided cases with a register entry
// whose settling (latest) decision has no addendum, oldest case first. A
// limit of 0 or less means no limit.
func (s *Store) DecidedWithoutAddendum(ctx context.Context, limit int) ([]moderation.DecidedCase, error) {
	if limit <= 0 {
		limit = noLimit
	}
	var out []moderation.DecidedCase
	err := s.read(ctx, func(tx *txn) error {
		type due struct{ caseID, entryID, decisionID int64 }
		var dues []due
		err := each(ctx, tx, `
			SELECT c.id, r.id, d.id FROM cases c
			JOIN register_entries r ON r.comment_id = c.comment_id AND coalesce(r.case_id, 0) = c.id
			JOIN decisions d ON d.id = (SELECT max(id) FROM decisions WHERE case_id = c.id)
			WHERE c.state IN ('approved', 'kept', 'registered', 'done')
			  AND NOT EXISTS (SELECT 1 FROM evidence_files f WHERE f.decision_id = d.id AND f.kind = ?)
			ORDER BY c.id LIMIT ?`, func(r scanner) error {
			var p due
			err := r.Scan(&p.caseID, &p.entryID, &p.decisionID)
			dues = append(dues, p)
			return err
		}, moderation.EvidenceDecision, limit)
		if err != nil {
			return err
		}
		for _, p := range dues {
			c, err := caseByID(ctx, tx, p.caseID)
			if err != nil {
				return err
			}
			d, err := scanDecision(tx.QueryRowContext(ctx, `SELECT `+decisionColumns+` FROM decisions WHERE id = ?`, p.decisionID))
			if err != nil {
				return notFound(err, "decision %d", p.decisionID)
			}
			e, err := scanRegisterEntry(tx.QueryRowContext(ctx, `SELECT `+registerColumns+` FROM register_entries WHERE id = ?`, p.entryID))
			if err != nil {
				return notFound(err, "register entry %d", p.entryID)
			}
			out = append(out, moderation.DecidedCase{Case: c, Decision: d, Entry: e})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("decided cases without an addendum: %w", err)
	}
	return out, nil
}

// UndeliveredAddenda returns the addenda outlet has not acknowledged whose
// register entry it has acknowledged, oldest first. A limit of 0 or less
// means no limit.
func (s *Store) UndeliveredAddenda(ctx context.Context, outlet string, limit int) ([]moderation.Addendum, error) {
	if limit <= 0 {
		limit = noLimit
	}
	var out []moderation.Addendum
	err := s.read(ctx, func(tx *txn) error {
		type pair struct{ fileID, entryID int64 }
		var pairs []pair
		err := each(ctx, tx, `
			SELECT f.id, r.id FROM evidence_files f
			JOIN register_entries r ON r.comment_id = f.comment_id AND coalesce(r.case_id, 0) = f.case_id
			JOIN register_deliveries rd ON rd.entry_id = r.id AND rd.outlet = ? AND rd.delivered_at > 0
			LEFT JOIN addendum_deliveries d ON d.file_id = f.id AND d.outlet = ?
			WHERE f.kind = ? AND f.case_id <> 0 AND coalesce(d.delivered_at, 0) = 0
			ORDER BY f.id LIMIT ?`, func(r scanner) error {
			var p pair
			err := r.Scan(&p.fileID, &p.entryID)
			pairs = append(pairs, p)
			return err
		}, outlet, outlet, moderation.EvidenceDecision, limit)
		if err != nil {
			return err
		}
		for _, p := range pairs {
			f, err := scanEvidence(tx.QueryRowContext(ctx, `SELECT `+evidenceColumns+` FROM evidence_files WHERE id = ?`, p.fileID))
			if err != nil {
				return notFound(err, "evidence file %d", p.fileID)
			}
			e, err := scanRegisterEntry(tx.QueryRowContext(ctx, `SELECT `+registerColumns+` FROM register_entries WHERE id = ?`, p.entryID))
			if err != nil {
				return notFound(err, "register entry %d", p.entryID)
			}
			out = append(out, moderation.Addendum{File: f, Entry: e})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("undelivered addenda for %s: %w", outlet, err)
	}
	return out, nil
}

// MarkAddendumDelivered records outlet's acknowledgement of the addendum;
// the first acknowledgement's time is kept.
func (s *Store) MarkAddendumDelivered(ctx context.Context, fileID int64, outlet string, at time.Time) error {
	at = s.orNow(at)
	err := s.write(ctx, func(tx *txn) error {
		if err := addendumExists(ctx, tx, fileID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO addendum_deliveries (file_id, outlet, attempts, last_attempt, delivered_at) VALUES (?, ?, 1, ?, ?)
			ON CONFLICT (file_id, outlet) DO UPDATE SET
				attempts = addendum_deliveries.attempts + 1, last_attempt = excluded.last_attempt,
				delivered_at = CASE WHEN addendum_deliveries.delivered_at = 0 THEN excluded.delivered_at ELSE addendum_deliveries.delivered_at END`,
			fileID, outlet, unixNano(at), unixNano(at))
		return err
	})
	if err != nil {
		return fmt.Errorf("mark addendum %d delivered to %s: %w", fileID, outlet, err)
	}
	return nil
}

// FailAddendumDelivery counts a failed attempt of outlet at the addendum.
// An addendum the outlet already acknowledged stays acknowledged.
func (s *Store) FailAddendumDelivery(ctx context.Context, fileID int64, outlet, reason string, at time.Time) error {
	at = s.orNow(at)
	err := s.write(ctx, func(tx *txn) error {
		if err := addendumExists(ctx, tx, fileID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO addendum_deliveries (file_id, outlet, attempts, last_error, last_attempt) VALUES (?, ?, 1, ?, ?)
			ON CONFLICT (file_id, outlet) DO UPDATE SET
				attempts = addendum_deliveries.attempts + 1, last_error = excluded.last_error, last_attempt = excluded.last_attempt`,
			fileID, outlet, reason, unixNano(at))
		return err
	})
	if err != nil {
		return fmt.Errorf("record failed delivery of addendum %d to %s: %w", fileID, outlet, err)
	}
	return nil
}

func addendumExists(ctx context.Context, tx *txn, fileID int64) error {
	var one int
	if err := tx.QueryRowContext(ctx, `SELECT 1 FROM evidence_files WHERE id = ? AND kind = ?`, fileID, moderation.EvidenceDecision).Scan(&one); err != nil {
		return notFound(err, "addendum %d", fileID)
	}
	return nil
}
