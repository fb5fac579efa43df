package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

var _ moderation.OwnPostStore = (*Store)(nil)

const deletionColumns = `id, account_key, post_id, reason, coalesce(objection_id, 0), coalesce(snapshot_id, 0), approved_by, approved_at,
	state, attempts, last_attempt, last_error, note, done_at`

func scanDeletion(r scanner) (moderation.PostDeletion, error) {
	var (
		d                    moderation.PostDeletion
		approved, last, done int64
		state                string
	)
	if err := r.Scan(&d.ID, &d.AccountKey, &d.PostID, &d.Reason, &d.ObjectionID, &d.SnapshotID, &d.ApprovedBy, &approved,
		&state, &d.Attempts, &last, &d.LastError, &d.Note, &done); err != nil {
		return d, err
	}
	d.State = moderation.PostDeletionState(state)
	d.ApprovedAt, d.LastAttempt, d.DoneAt = fromUnixNano(approved), fromUnixNano(last), fromUnixNano(done)
	return d, nil
}

// RequestPostDeletion stores an approved deletion as pending, or returns the
// live deletion already stored for the post.
func (s *Store) RequestPostDeletion(ctx context.Context, d moderation.PostDeletion) (moderation.PostDeletion, bool, error) {
	if d.AccountKey == "" || d.PostID == "" || d.ApprovedBy == "" {
		return moderation.PostDeletion{}, false, errors.New("request post deletion: account, post and approver are required")
	}
	d.ApprovedAt = s.orNow(d.ApprovedAt)
	var out moderation.PostDeletion
	created := false
	err := s.write(ctx, func(tx *txn) error {
		var err error
		out, err = scanDeletion(tx.QueryRowContext(ctx, `SELECT `+deletionColumns+` FROM post_deletions
			WHERE account_key = ? AND post_id = ? AND state <> 'failed'`, d.AccountKey, d.PostID))
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		r, err := tx.execInsert(ctx, `INSERT INTO post_deletions (account_key, post_id, reason, objection_id, snapshot_id,
			approved_by, approved_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')`,
			d.AccountKey, d.PostID, d.Reason, nullID(d.ObjectionID), nullID(d.SnapshotID), d.ApprovedBy, unixNano(d.ApprovedAt))
		if err != nil {
			return err
		}
		id, err := r.LastInsertId()
		if err != nil {
			return err
		}
		created = true
		out, err = scanDeletion(tx.QueryRowContext(ctx, `SELECT `+deletionColumns+` FROM post_deletions WHERE id = ?`, id))
		return err
	})
	if err != nil {
		return moderation.PostDeletion{}, false, fmt.Errorf("request deletion of post %s/%s: %w", d.AccountKey, d.PostID, err)
	}
	return out, created, nil
}

// PostDeletion returns one deletion.
func (s *Store) PostDeletion(ctx context.Context, id int64) (moderation.PostDeletion, error) {
	var out moderation.PostDeletion
	err := s.read(ctx, func(tx *txn) error {
		var err error
		out, err = scanDeletion(tx.QueryRowContext(ctx, `SELECT `+deletionColumns+` FROM post_deletions WHERE id = ?`, id))
		if err != nil {
			return notFound(err, "post deletion %d", id)
		}
		return nil
	})
	if err != nil {
		return moderation.PostDeletion{}, err
	}
	return out, nil
}

// PostDeletions lists deletions oldest first.
func (s *Store) PostDeletions(ctx context.Context, accountKey string) ([]moderation.PostDeletion, error) {
	return s.listDeletions(ctx, `SELECT `+deletionColumns+` FROM post_deletions WHERE ? IN ('', account_key) ORDER BY id`, accountKey)
}

// PendingPostDeletions lists the deletions not yet carried out, oldest first.
func (s *Store) PendingPostDeletions(ctx context.Context, limit int) ([]moderation.PostDeletion, error) {
	if limit <= 0 {
		limit = noLimit
	}
	return s.listDeletions(ctx, `SELECT `+deletionColumns+` FROM post_deletions WHERE state = 'pending' ORDER BY id LIMIT ?`, limit)
}

func (s *Store) listDeletions(ctx context.Context, query string, arg any) ([]moderation.PostDeletion, error) {
	var out []moderation.PostDeletion
	err := s.read(ctx, func(tx *txn) error {
		rows, err := tx.QueryContext(ctx, query, arg)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			d, err := scanDeletion(rows)
			if err != nil {
				return err
			}
			out = append(out, d)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("post deletions: %w", err)
	}
	return out, nil
}

// StartPostDeletion counts an attempt of a pending deletion.
func (s *Store) StartPostDeletion(ctx context.Context, id int64, at time.Time) (moderation.PostDeletion, error) {
	at = s.orNow(at)
	var out moderation.PostDeletion
	err := s.write(ctx, func(tx *txn) error {
		var state string
		if err := tx.QueryRowContext(ctx, `SELECT state FROM post_deletions WHERE id = ?`, id).Scan(&state); err != nil {
			return notFound(err, "post deletion %d", id)
		}
		if state != string(moderation.DeletionPending) {
			return fmt.Errorf("post deletion %d is %s, not pending", id, state)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE post_deletions SET attempts = attempts + 1, last_attempt = ? WHERE id = ?`,
			unixNano(at), id); err != nil {
			return err
		}
		var err error
		out, err = scanDeletion(tx.QueryRowContext(ctx, `SELECT `+deletionColumns+` FROM post_deletions WHERE id = ?`, id))
		return err
	})
	if err != nil {
		return moderation.PostDeletion{}, fmt.Errorf("start post deletion: %w", err)
	}
	return out, nil
}

// FinishPostDeletion records the outcome of a pending deletion.
func (s *Store) FinishPostDeletion(ctx context.Context, id int64, state moderation.PostDeletionState, lastError, note string, at time.Time) (moderation.PostDeletion, error) {
	switch state {
	case moderation.DeletionPending, moderation.DeletionDone, moderation.DeletionManual, moderation.DeletionFailed:
	default:
		return moderation.PostDeletion{}, fmt.Errorf("finish post deletion %d: unknown state %q", id, state)
	}
	at = s.orNow(at)
	var out moderation.PostDeletion
	err := s.write(ctx, func(tx *txn) error {
		var cur string
		if err := tx.QueryRowContext(ctx, `SELECT state FROM post_deletions WHERE id = ?`, id).Scan(&cur); err != nil {
			return notFound(err, "post deletion %d", id)
		}
		manualDone := cur == string(moderation.DeletionManual) && state == moderation.DeletionDone
		if cur == string(moderation.DeletionPending) || manualDone {
			done := int64(0)
			if state != moderation.DeletionPending {
				done = unixNano(at)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE post_deletions SET state = ?, last_error = ?, note = ?, done_at = ? WHERE id = ?`,
				string(state), lastError, note, done, id); err != nil {
				return err
			}
		}
		var err error
		out, err = scanDeletion(tx.QueryRowContext(ctx, `SELECT `+deletionColumns+` FROM post_deletions WHERE id = ?`, id))
		return err
	})
	if err != nil {
		return moderation.PostDeletion{}, fmt.Errorf("finish post deletion: %w", err)
	}
	return out, nil
}

const objectionColumns = `o.id, o.account_key, o.post_id, o.person, o.contact, o.reason, o.language, o.recorded_by, o.received_at, o.state,
	coalesce(r.id, 0), coalesce(r.number, ''),
	o.evidence_path, o.evidence_sha256, o.evidence_size, o.evidence_kind, o.evidence_at,
	o.decided_by, o.decided_at, o.decision_reason, coalesce(o.deletion_id, 0), o.removed_at, o.confirmed_at, o.confirmation, o.updated_at`

const objectionFrom = ` FROM objections o LEFT JOIN register_entries r ON r.objection_id = o.id `

func scanObjection(r scanner) (moderation.Objection, error) {
	var (
		o                                                      moderation.Objection
		state                                                  string
		received, evAt, decided, removed, confirmed, updatedAt int64
	)
	if err := r.Scan(&o.ID, &o.AccountKey, &o.PostID, &o.Person, &o.Contact, &o.Reason, &o.Language, &o.RecordedBy, &received, &state,
		&o.RegisterEntryID, &o.RegisterNumber,
		&o.EvidencePath, &o.EvidenceSHA256, &o.EvidenceSize, &o.EvidenceKind, &evAt,
		&o.DecidedBy, &decided, &o.DecisionReason, &o.DeletionID, &removed, &confirmed, &o.Confirmation, &updatedAt); err != nil {
		return o, err
	}
	o.State = moderation.ObjectionState(state)
	o.ReceivedAt, o.EvidenceAt, o.DecidedAt = fromUnixNano(received), fromUnixNano(evAt), fromUnixNano(decided)
	o.RemovedAt, o.ConfirmedAt, o.UpdatedAt = fromUnixNano(removed), fromUnixNano(confirmed), fromUnixNano(updatedAt)
	return o, nil
}

// AddObjection stores a received objection and its register entry.
func (s *Store) AddObjection(ctx context.Context, o moderation.Objection, registerReason string, number func(year, seq int) string) (moderation.Objection, error) {
	if o.AccountKey == "" || o.PostID == "" || o.Person == "" || o.Reason == "" {
		return moderation.Objection{}, errors.New("add objection: account, post, person and reason are required")
	}
	if number == nil {
		number = func(year, seq int) string { return fmt.Sprintf("%d/%04d", year, seq) }
	}
	if o.Language == "" {
		o.Language = "sv"
	}
	o.ReceivedAt = s.orNow(o.ReceivedAt)
	var out moderation.Objection
	err := s.write(ctx, func(tx *txn) error {
		r, err := tx.execInsert(ctx, `INSERT INTO objections (account_key, post_id, person, contact, reason, language, recorded_by,
			received_at, state, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'received', ?)`,
			o.AccountKey, o.PostID, o.Person, o.Contact, o.Reason, o.Language, o.RecordedBy, unixNano(o.ReceivedAt), unixNano(o.ReceivedAt))
		if err != nil {
			return err
		}
		id, err := r.LastInsertId()
		if err != nil {
			return err
		}
		year := o.ReceivedAt.Year()
		var seq int
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) + 1 FROM register_entries WHERE year = ?`, year).Scan(&seq); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO register_entries (year, seq, number, comment_id, objection_id, reason, created_at)
			VALUES (?, ?, ?, 0, ?, ?, ?)`, year, seq, number(year, seq), id, registerReason, unixNano(o.ReceivedAt)); err != nil {
			return err
		}
		out, err = scanObjection(tx.QueryRowContext(ctx, `SELECT `+objectionColumns+objectionFrom+`WHERE o.id = ?`, id))
		return err
	})
	if err != nil {
		return moderation.Objection{}, fmt.Errorf("add objection to post %s/%s: %w", o.AccountKey, o.PostID, err)
	}
	return out, nil
}

// Objection returns one objection.
func (s *Store) Objection(ctx context.Context, id int64) (moderation.Objection, error) {
	var out moderation.Objection
	err := s.read(ctx, func(tx *txn) error {
		var err error
		out, err = scanObjection(tx.QueryRowContext(ctx, `SELECT `+objectionColumns+objectionFrom+`WHERE o.id = ?`, id))
		if err != nil {
			return notFound(err, "objection %d", id)
		}
		return nil
	})
	if err != nil {
		return moderation.Objection{}, err
	}
	return out, nil
}

// Objections lists objections oldest first.
func (s *Store) Objections(ctx context.Context, accountKey string) ([]moderation.Objection, error) {
	var out []moderation.Objection
	err := s.read(ctx, func(tx *txn) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+objectionColumns+objectionFrom+`WHERE ? IN ('', o.account_key) ORDER BY o.id`, accountKey)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			o, err := scanObjection(rows)
			if err != nil {
				return err
			}
			out = append(out, o)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("objections: %w", err)
	}
	return out, nil
}

// UpdateObjection moves an objection on, only from one of the states from.
func (s *Store) UpdateObjection(ctx context.Context, o moderation.Objection, from ...moderation.ObjectionState) (moderation.Objection, error) {
	o.UpdatedAt = s.orNow(o.UpdatedAt)
	var out moderation.Objection
	err := s.write(ctx, func(tx *txn) error {
		var state, evSum string
		if err := tx.QueryRowContext(ctx, `SELECT state, evidence_sha256 FROM objections WHERE id = ?`, o.ID).Scan(&state, &evSum); err != nil {
			return notFound(err, "objection %d", o.ID)
		}
		if !slices.Contains(from, moderation.ObjectionState(state)) {
			return &moderation.ObjectionStateError{ID: o.ID, State: moderation.ObjectionState(state), Want: from}
		}
		needsEvidence := o.State != moderation.ObjectionReceived && o.State != moderation.ObjectionRefused
		if needsEvidence && strings.TrimSpace(evSum+o.EvidenceSHA256) == "" {
			return fmt.Errorf("objection %d: no evidence: capture it before the objection moves on", o.ID)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE objections SET state = ?,
			evidence_path = CASE WHEN evidence_sha256 = '' THEN ? ELSE evidence_path END,
			evidence_size = CASE WHEN evidence_sha256 = '' THEN ? ELSE evidence_size END,
			evidence_kind = CASE WHEN evidence_sha256 = '' THEN ? ELSE evidence_kind END,
			evidence_at = CASE WHEN evidence_sha256 = '' THEN ? ELSE evidence_at END,
			evidence_sha256 = CASE WHEN evidence_sha256 = '' THEN ? ELSE evidence_sha256 END,
			decided_by = ?, decided_at = ?, decision_reason = ?, deletion_id = ?, removed_at = ?, confirmed_at = ?,
			confirmation = ?, updated_at = ? WHERE id = ?`,
			string(o.State), o.EvidencePath, o.EvidenceSize, o.EvidenceKind, unixNano(o.EvidenceAt), o.EvidenceSHA256,
			o.DecidedBy, unixNano(o.DecidedAt), o.DecisionReason, nullID(o.DeletionID), unixNano(o.RemovedAt), unixNano(o.ConfirmedAt),
			o.Confirmation, unixNano(o.UpdatedAt), o.ID); err != nil {
			return err
		}
		var err error
		out, err = scanObjection(tx.QueryRowContext(ctx, `SELECT `+objectionColumns+objectionFrom+`WHERE o.id = ?`, o.ID))
		return err
	})
	if err != nil {
		return moderation.Objection{}, fmt.Errorf("update objection: %w", err)
	}
	return out, nil
}
