package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/uppsikt/uppsikt/moderation"
)

// personComments selects the comments of the author ?1 on every account,
// through the comments_author index (one lookup per account).
const personComments = `SELECT ` + commentColumns + ` FROM comments
	WHERE account_key IN (SELECT key FROM accounts) AND author_id = ?1 AND author_id <> ''
	ORDER BY created_at, id`

// deliveriesNaming counts the webhook deliveries whose payload names the
// author ?1 as the writer of a comment or post (a "from" object with that
// id); ?2 selects processed (1) or unprocessed (0) ones.
const deliveriesNaming = `
	FROM webhook_events w
	WHERE w.done = ?2 AND position(convert_to(?1::text, 'UTF8') IN w.body) > 0
	  AND uppsikt_names_author(w.body, ?1::text)`

// PersonRecords returns everything stored about one commenter, in one read
// transaction. See moderation.PersonStore.
func (s *Store) PersonRecords(ctx context.Context, authorID string) (moderation.PersonRecords, error) {
	if authorID == "" {
		return moderation.PersonRecords{}, fmt.Errorf("person records: the author id is required")
	}
	out := moderation.PersonRecords{AuthorID: authorID}
	err := s.read(ctx, func(tx *txn) error {
		var err error
		if out.Comments, err = personRecords(ctx, tx, authorID); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `
			SELECT account_key, platform_id, author_id, author_name, message, created_at, updated_at, permalink_url, raw, first_seen_at
			FROM posts WHERE author_id = ? AND author_id <> '' ORDER BY created_at, id`, authorID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				p                           moderation.Post
				created, updated, firstSeen int64
				raw                         []byte
			)
			if err := rows.Scan(&p.AccountKey, &p.PlatformID, &p.Author.ID, &p.Author.Name, &p.Message, &created, &updated,
				&p.PermalinkURL, &raw, &firstSeen); err != nil {
				return err
			}
			p.CreatedAt, p.UpdatedAt, p.FirstSeenAt = fromUnixNano(created), fromUnixNano(updated), fromUnixNano(firstSeen)
			if raw != nil {
				p.Raw = raw
			}
			out.Posts = append(out.Posts, p)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		var done, pending int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) `+deliveriesNaming, authorID, 1).Scan(&done); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) `+deliveriesNaming, authorID, 0).Scan(&pending); err != nil {
			return err
		}
		out.WebhookDeliveries = done + pending
		return nil
	})
	if err != nil {
		return moderation.PersonRecords{}, fmt.Errorf("person records: %w", err)
	}
	return out, nil
}

// personRecords reads the author's comments with everything attached and
// why an erasure would keep each.
func personRecords(ctx context.Context, tx *txn, authorID string) ([]moderation.PersonComment, error) {
	rows, err := tx.QueryContext(ctx, personComments, authorID)
	if err != nil {
		return nil, err
	}
	var out []moderation.PersonComment
	for rows.Next() {
		c, err := scanComment(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, moderation.PersonComment{Comment: c})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if err := attach(ctx, tx, &out[i]); err != nil {
			return nil, fmt.Errorf("comment %d: %w", out[i].ID, err)
		}
	}
	return out, nil
}

// each runs q and calls scan for every row.
func each(ctx context.Context, tx *txn, q string, scan func(scanner) error, args ...any) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// attach reads what is attached to pc's comment and why an erasure keeps it.
func attach(ctx context.Context, tx *txn, pc *moderation.PersonComment) error {
	id := pc.ID
	err := each(ctx, tx, `SELECT comment_id, version, message, hash, seen_at, source, raw FROM comment_versions WHERE comment_id = ? ORDER BY version`,
		func(r scanner) error {
			var (
				v      moderation.CommentVersion
				seen   int64
				source string
				raw    []byte
			)
			if err := r.Scan(&v.CommentID, &v.Version, &v.Message, &v.Hash, &seen, &source, &raw); err != nil {
				return err
			}
			v.SeenAt, v.Source = fromUnixNano(seen), moderation.Source(source)
			if raw != nil {
				v.Raw = raw
			}
			pc.Versions = append(pc.Versions, v)
			return nil
		}, id)
	if err != nil {
		return err
	}
	err = each(ctx, tx, `SELECT comment_id, version, verdict, at FROM verdicts WHERE comment_id = ? ORDER BY version`,
		func(r scanner) error {
			var (
				v    moderation.StoredVerdict
				body string
				at   int64
			)
			if err := r.Scan(&v.CommentID, &v.Version, &body, &at); err != nil {
				return err
			}
			v.At = fromUnixNano(at)
			// A disposed verdict reads {"disposed":true}: no hits, no text.
			if err := json.Unmarshal([]byte(body), &v.Verdict); err != nil {
				return fmt.Errorf("decode verdict of version %d: %w", v.Version, err)
			}
			pc.Verdicts = append(pc.Verdicts, v)
			return nil
		}, id)
	if err != nil {
		return err
	}
	err = each(ctx, tx, `SELECT `+caseColumns+` FROM cases WHERE comment_id = ? ORDER BY id`, func(r scanner) error {
		c, err := scanCase(r)
		pc.Cases = append(pc.Cases, c)
		return err
	}, id)
	if err != nil {
		return err
	}
	err = each(ctx, tx, `SELECT `+decisionColumns+` FROM decisions WHERE case_id IN (SELECT id FROM cases WHERE comment_id = ?) ORDER BY id`,
		func(r scanner) error {
			d, err := scanDecision(r)
			pc.Decisions = append(pc.Decisions, d)
			return err
		}, id)
	if err != nil {
		return err
	}
	err = each(ctx, tx, `SELECT `+actionColumns+` FROM actions WHERE comment_id = ? ORDER BY id`, func(r scanner) error {
		a, err := scanAction(r)
		pc.Actions = append(pc.Actions, a)
		return err
	}, id)
	if err != nil {
		return err
	}
	err = each(ctx, tx, `SELECT `+evidenceColumns+` FROM evidence_files WHERE comment_id = ? ORDER BY id`, func(r scanner) error {
		e, err := scanEvidence(r)
		pc.Evidence = append(pc.Evidence, e)
		return err
	}, id)
	if err != nil {
		return err
	}
	err = each(ctx, tx, `SELECT `+registerColumns+` FROM register_entries WHERE comment_id = ? ORDER BY id`, func(r scanner) error {
		e, err := scanRegisterEntry(r)
		pc.Register = append(pc.Register, e)
		return err
	}, id)
	if err != nil {
		return err
	}

	// Why an erasure keeps the comment: the records of the municipality's
	// handling of it are public records (archive law; GDPR art. 17(3)(b)
	// and (e)), and what is still being processed is erased later.
	for _, c := range pc.Cases {
		pc.Keep = append(pc.Keep, moderation.KeepReason{Kind: moderation.KeepCase, Ref: strconv.FormatInt(c.ID, 10) + " (" + string(c.State) + ")"})
	}
	for _, e := range pc.Register {
		pc.Keep = append(pc.Keep, moderation.KeepReason{Kind: moderation.KeepRegister, Ref: e.Number})
	}
	for _, e := range pc.Evidence {
		if e.Kind == "pdf" {
			pc.Keep = append(pc.Keep, moderation.KeepReason{Kind: moderation.KeepEvidence, Ref: e.SHA256})
		}
	}
	if len(pc.Evidence) > 0 && !hasKind(pc.Keep, moderation.KeepEvidence) {
		pc.Keep = append(pc.Keep, moderation.KeepReason{Kind: moderation.KeepEvidence, Ref: pc.Evidence[0].SHA256})
	}
	err = each(ctx, tx, `
		SELECT h.id, h.reason FROM legal_holds h
		WHERE h.released_at = 0 AND h.account_key = ?2
		  AND (h.case_id IS NULL OR h.case_id IN (SELECT id FROM cases WHERE comment_id = ?1))
		ORDER BY h.id`, func(r scanner) error {
		var (
			hid    int64
			reason string
		)
		if err := r.Scan(&hid, &reason); err != nil {
			return err
		}
		pc.Keep = append(pc.Keep, moderation.KeepReason{Kind: moderation.KeepHold, Ref: strconv.FormatInt(hid, 10) + ": " + reason})
		return nil
	}, id, pc.AccountKey)
	if err != nil {
		return err
	}
	// Unfinished work, set aside or not, keeps the comment, as it keeps it
	// from retention (disposableVersions): an administrator may retry it.
	var pending int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM work_items WHERE comment_id = ? AND done_at = 0`, id).Scan(&pending); err != nil {
		return err
	}
	if pending > 0 {
		pc.Keep = append(pc.Keep, moderation.KeepReason{Kind: moderation.KeepPending, Ref: strconv.Itoa(pending) + " work items"})
	}
	return nil
}

func hasKind(rs []moderation.KeepReason, kind string) bool {
	for _, r := range rs {
		if r.Kind == kind {
			return true
		}
	}
	return false
}

// ErasePerson erases what nothing keeps of one commenter, in one
// transaction with its disposal log and audit entry. See
// moderation.PersonStore.
func (s *Store) ErasePerson(ctx context.Context, r moderation.ErasureRequest) (moderation.Erasure, error) {
	if r.AuthorID == "" || r.By == "" {
		return moderation.Erasure{}, fmt.Errorf("erase person: the author id and who erases are required")
	}
	sum := sha256.Sum256([]byte(r.AuthorID))
	er := moderation.Erasure{AuthorIDSHA256: hex.EncodeToString(sum[:]), At: s.orNow(r.At).UTC(), By: r.By, DryRun: r.DryRun}
	run := s.write
	if r.DryRun {
		run = s.read
	}
	err := run(ctx, func(tx *txn) error {
		// A write may run again after a serialization failure: start over.
		er.Kept, er.Snapshots, er.Versions, er.Comments = nil, nil, 0, 0
		comments, err := personRecords(ctx, tx, r.AuthorID)
		if err != nil {
			return err
		}
		type counts struct{ versions, comments int }
		perAccount := map[string]*counts{}
		var accounts []string
		var erase []moderation.PersonComment
		for _, pc := range comments {
			if len(pc.Keep) > 0 {
				er.Kept = append(er.Kept, pc)
				continue
			}
			erase = append(erase, pc)
			n := 0
			for _, v := range pc.Versions {
				if v.Message != "" || len(v.Raw) > 0 {
					n++
				}
			}
			c := perAccount[pc.AccountKey]
			if c == nil {
				c = &counts{}
				perAccount[pc.AccountKey] = c
				accounts = append(accounts, pc.AccountKey)
			}
			c.versions += n
			c.comments++
			er.Versions += n
			er.Comments++
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) `+deliveriesNaming, r.AuthorID, 1).Scan(&er.Deliveries); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*) `+deliveriesNaming, r.AuthorID, 0).Scan(&er.Pending); err != nil {
			return err
		}
		// The snapshots that hold an erased comment's text stay as they are.
		seen := map[int64]bool{}
		for _, pc := range erase {
			err := each(ctx, tx, `
				SELECT `+prefixed("s.", snapshotColumns)+`
				FROM snapshots s JOIN posts p ON p.account_key = s.account_key AND p.platform_id = ?2
				WHERE s.account_key = ?1 AND p.created_at >= s.covers_from AND p.created_at < s.covers_to AND s.created_at >= ?3
				ORDER BY s.id`, func(row scanner) error {
				sr, err := scanSnapshot(row)
				if err != nil {
					return err
				}
				if !seen[sr.ID] {
					seen[sr.ID] = true
					er.Snapshots = append(er.Snapshots, sr)
				}
				return nil
			}, pc.AccountKey, pc.PostID, unixNano(pc.FirstSeenAt))
			if err != nil {
				return err
			}
		}
		if r.DryRun {
			return nil
		}
		at := unixNano(er.At)
		for _, pc := range erase {
			// The same audited route as disposal under the retention plan:
			// the text and raw answer are blanked (the hash stays, so that
			// the text is not stored again), the search index forgets it.
			if _, err := tx.ExecContext(ctx, `
				UPDATE comment_versions SET message = '', raw = NULL, disposed_at = ?
				WHERE comment_id = ? AND disposed_at = 0`, at, pc.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE verdicts SET verdict = '{"disposed":true}' WHERE comment_id = ?`, pc.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE comments SET author_name = '', author_id = '' WHERE id = ?`, pc.ID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_events WHERE id IN (SELECT w.id `+deliveriesNaming+`)`, r.AuthorID, 1); err != nil {
			return err
		}
		for _, key := range accounts {
			c := perAccount[key]
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO disposals (kind, rule, account_key, cutoff, items, comments, at, by_user)
				VALUES (?, ?, ?, 0, ?, ?, ?, ?)`,
				moderation.DisposalErasure, "GDPR art. 17", key, c.versions, c.comments, at, r.By); err != nil {
				return err
			}
		}
		kept := []map[string]any{}
		for _, pc := range er.Kept {
			var why []string
			for _, k := range pc.Keep {
				why = append(why, k.Kind+" "+k.Ref)
			}
			kept = append(kept, map[string]any{"comment_id": pc.ID, "keep": why})
		}
		detail, err := json.Marshal(map[string]any{
			"author_sha256": er.AuthorIDSHA256, "comments_erased": er.Comments, "versions_erased": er.Versions,
			"deliveries_deleted": er.Deliveries, "deliveries_pending": er.Pending, "kept": kept, "snapshots_unchanged": len(er.Snapshots),
		})
		if err != nil {
			return err
		}
		e, err := appendAudit(ctx, tx, moderation.AuditEntry{At: er.At, Actor: r.By, Action: moderation.AuditPersonErased,
			Subject: "person sha256:" + er.AuthorIDSHA256, Detail: detail})
		er.AuditSeq = e.Seq
		return err
	})
	if err != nil {
		return moderation.Erasure{}, fmt.Errorf("erase person: %w", err)
	}
	return er, nil
}
