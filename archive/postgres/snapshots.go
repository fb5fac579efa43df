package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

var _ moderation.ArchiveStore = (*Store)(nil)

// PostsBetween returns the account's posts created in [from, to), oldest
// first, at most limit after the position after, and the position after the
// last one returned. Stub posts (known only from their comments) have no
// creation time and are not listed.
func (s *Store) PostsBetween(ctx context.Context, accountKey string, from, to time.Time, after moderation.PostCursor, limit int) ([]moderation.Post, moderation.PostCursor, error) {
	if limit <= 0 {
		limit = 100
	}
	var ps []moderation.Post
	err := s.read(ctx, func(tx *txn) error {
		afterAt, afterID := unixNano(after.CreatedAt), after.ID
		if after.ID == 0 {
			afterAt, afterID = unixNano(from)-1, 0
		}
		rows, err := tx.QueryContext(ctx, `
			SELECT id, account_key, platform_id, author_id, author_name, message, created_at, updated_at,
				permalink_url, raw, first_seen_at
			FROM posts
			WHERE account_key = ? AND created_at >= ? AND created_at < ? AND (created_at > ? OR (created_at = ? AND id > ?))
			ORDER BY created_at, id LIMIT ?`,
			accountKey, unixNano(from), unixNano(to), afterAt, afterAt, afterID, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				p                           moderation.Post
				id                          int64
				created, updated, firstSeen int64
				raw                         []byte
			)
			if err := rows.Scan(&id, &p.AccountKey, &p.PlatformID, &p.Author.ID, &p.Author.Name, &p.Message, &created, &updated,
				&p.PermalinkURL, &raw, &firstSeen); err != nil {
				return err
			}
			p.CreatedAt = fromUnixNano(created)
			p.UpdatedAt = fromUnixNano(updated)
			p.FirstSeenAt = fromUnixNano(firstSeen)
			if raw != nil {
				p.Raw = raw
			}
			ps = append(ps, p)
			after = moderation.PostCursor{CreatedAt: p.CreatedAt, ID: id}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, after, fmt.Errorf("posts of %s between %s and %s: %w", accountKey, from.Format(time.DateOnly), to.Format(time.DateOnly), err)
	}
	return ps, after, nil
}

// ThreadComments returns a post's comments with their latest text and
// register numbers, in the order uppsikt stored them, at most limit after
// the comment id afterID.
func (s *Store) ThreadComments(ctx context.Context, accountKey, postID string, afterID int64, limit int) ([]moderation.ArchivedComment, error) {
	if limit <= 0 {
		limit = 500
	}
	var cs []moderation.ArchivedComment
	err := s.read(ctx, func(tx *txn) error {
		rows, err := tx.QueryContext(ctx, `
			SELECT `+prefixed("c.", commentColumns)+`,
				coalesce(v.message, ''), coalesce(v.disposed_at, 0),
				coalesce((SELECT string_agg(number, chr(31) ORDER BY r.id) FROM register_entries r WHERE r.comment_id = c.id), '')
			FROM comments c
			LEFT JOIN comment_versions v ON v.comment_id = c.id AND v.version = c.versions
			WHERE c.account_key = ? AND c.post_platform_id = ? AND c.id > ?
			ORDER BY c.id LIMIT ?`, accountKey, postID, afterID, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				c                           moderation.ArchivedComment
				state                       string
				created, stateAt, firstSeen int64
				disposed                    int64
				numbers                     string
			)
			if err := rows.Scan(&c.ID, &c.AccountKey, &c.PostID, &c.PlatformID, &c.ParentID, &c.Author.ID, &c.Author.Name,
				&created, &c.PermalinkURL, &state, &stateAt, &firstSeen, &c.Versions,
				&c.Message, &disposed, &numbers); err != nil {
				return err
			}
			c.State = moderation.CommentState(state)
			c.CreatedAt = fromUnixNano(created)
			c.StateAt = fromUnixNano(stateAt)
			c.FirstSeenAt = fromUnixNano(firstSeen)
			c.RowID = c.ID
			c.Disposed = disposed != 0
			if numbers != "" {
				c.RegisterNumbers = strings.Split(numbers, "\x1f")
			}
			cs = append(cs, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("thread of %s/%s: %w", accountKey, postID, err)
	}
	return cs, nil
}

func prefixed(prefix, columns string) string {
	parts := strings.Split(columns, ",")
	for i, p := range parts {
		parts[i] = prefix + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// RecordSnapshot records a snapshot written to disk.
func (s *Store) RecordSnapshot(ctx context.Context, r moderation.SnapshotRecord) (moderation.SnapshotRecord, error) {
	switch r.Kind {
	case moderation.SnapshotYearly, moderation.SnapshotClosing, moderation.SnapshotManual:
	default:
		return r, fmt.Errorf("record snapshot: kind %q is not yearly, closing or manual", r.Kind)
	}
	if r.SHA256 == "" || r.Path == "" {
		return r, fmt.Errorf("record snapshot of %s: path and sha256 are required", r.AccountKey)
	}
	r.CreatedAt = s.orNow(r.CreatedAt)
	err := s.write(ctx, func(tx *txn) error {
		if err := accountExists(ctx, tx, r.AccountKey); err != nil {
			return err
		}
		res, err := tx.execInsert(ctx, `
			INSERT INTO snapshots (account_key, kind, covers_from, covers_to, path, sha256, size, pages, posts, comments, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.AccountKey, r.Kind, unixNano(r.From), unixNano(r.To), r.Path, r.SHA256, r.Size, r.Pages, r.Posts, r.Comments, unixNano(r.CreatedAt))
		if err != nil {
			return err
		}
		r.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return r, fmt.Errorf("record snapshot of %s: %w", r.AccountKey, err)
	}
	return r, nil
}

// Snapshots returns the account's snapshots, oldest period first.
func (s *Store) Snapshots(ctx context.Context, accountKey string) ([]moderation.SnapshotRecord, error) {
	var out []moderation.SnapshotRecord
	err := s.read(ctx, func(tx *txn) error {
		rows, err := tx.QueryContext(ctx, `
			SELECT `+snapshotColumns+`
			FROM snapshots WHERE account_key = ? ORDER BY covers_from, id`, accountKey)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanSnapshot(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("snapshots of %s: %w", accountKey, err)
	}
	return out, nil
}

// snapshotColumns are the columns scanSnapshot reads, in its order.
const snapshotColumns = `id, account_key, kind, covers_from, covers_to, path, sha256, size, pages, posts, comments, created_at`

// scanSnapshot reads a snapshots row selected as snapshotColumns.
func scanSnapshot(row scanner) (moderation.SnapshotRecord, error) {
	var (
		r                 moderation.SnapshotRecord
		from, to, created int64
	)
	if err := row.Scan(&r.ID, &r.AccountKey, &r.Kind, &from, &to, &r.Path, &r.SHA256, &r.Size, &r.Pages,
		&r.Posts, &r.Comments, &created); err != nil {
		return r, err
	}
	r.From, r.To, r.CreatedAt = fromUnixNano(from), fromUnixNano(to), fromUnixNano(created)
	return r, nil
}
