package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// SavePost inserts or updates a post. created is true when the store held no
// full copy of the post before: either no row at all, or only the stub made
// when one of its comments arrived first. FirstSeenAt keeps the earliest time.
func (s *Store) SavePost(ctx context.Context, p moderation.Post) (bool, error) {
	if p.AccountKey == "" || p.PlatformID == "" {
		return false, fmt.Errorf("save post: account key and platform id are required")
	}
	var created bool
	err := s.write(ctx, func(tx *txn) error {
		var (
			id   int64
			stub bool
		)
		err := tx.QueryRowContext(ctx, `SELECT id, stub FROM posts WHERE account_key = ? AND platform_id = ?`,
			p.AccountKey, p.PlatformID).Scan(&id, &stub)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if err := accountExists(ctx, tx, p.AccountKey); err != nil {
				return err
			}
			created = true
			_, err = tx.ExecContext(ctx, `
				INSERT INTO posts (account_key, platform_id, author_id, author_name, message, created_at,
					updated_at, permalink_url, raw, first_seen_at, stub)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
				p.AccountKey, p.PlatformID, p.Author.ID, p.Author.Name, p.Message, unixNano(p.CreatedAt),
				unixNano(p.UpdatedAt), p.PermalinkURL, rawOrNil(p.Raw), unixNano(s.orNow(p.FirstSeenAt)))
			return err
		case err != nil:
			return err
		}
		created = stub
		firstSeen := unixNano(p.FirstSeenAt)
		_, err = tx.ExecContext(ctx, `
			UPDATE posts SET author_id = ?, author_name = ?, message = ?, created_at = ?, updated_at = ?,
				permalink_url = ?, raw = ?, stub = 0,
				first_seen_at = CASE WHEN ?::bigint <> 0 AND ?::bigint < first_seen_at THEN ? ELSE first_seen_at END
			WHERE id = ?`,
			p.Author.ID, p.Author.Name, p.Message, unixNano(p.CreatedAt), unixNano(p.UpdatedAt),
			p.PermalinkURL, rawOrNil(p.Raw), firstSeen, firstSeen, firstSeen, id)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("save post %s/%s: %w", p.AccountKey, p.PlatformID, err)
	}
	return created, nil
}

// Post returns one post. A post known only from its comments is returned with
// only its account, platform id and FirstSeenAt set.
func (s *Store) Post(ctx context.Context, accountKey, platformID string) (moderation.Post, error) {
	var p moderation.Post
	err := s.read(ctx, func(tx *txn) error {
		var (
			created, updated, firstSeen int64
			raw                         []byte
		)
		err := tx.QueryRowContext(ctx, `
			SELECT account_key, platform_id, author_id, author_name, message, created_at, updated_at,
				permalink_url, raw, first_seen_at
			FROM posts WHERE account_key = ? AND platform_id = ?`, accountKey, platformID).Scan(
			&p.AccountKey, &p.PlatformID, &p.Author.ID, &p.Author.Name, &p.Message, &created, &updated,
			&p.PermalinkURL, &raw, &firstSeen)
		if err != nil {
			return notFound(err, "post %s/%s", accountKey, platformID)
		}
		p.CreatedAt = fromUnixNano(created)
		p.UpdatedAt = fromUnixNano(updated)
		p.FirstSeenAt = fromUnixNano(firstSeen)
		if raw != nil {
			p.Raw = raw
		}
		return nil
	})
	return p, err
}

// ensurePost makes sure the post a comment belongs to has a row, creating a
// stub when the post itself has not been stored yet.
func ensurePost(ctx context.Context, tx *txn, accountKey, platformID string, seen time.Time) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM posts WHERE account_key = ? AND platform_id = ?`,
		accountKey, platformID).Scan(&one)
	if err == nil {
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if err := accountExists(ctx, tx, accountKey); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO posts (account_key, platform_id, first_seen_at, stub) VALUES (?, ?, ?, 1)`,
		accountKey, platformID, unixNano(seen))
	return err
}
