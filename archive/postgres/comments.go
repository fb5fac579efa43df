package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

// RecordComment stores an observation of a comment. See moderation.Store.
//
// A new comment starts visible or hidden as observed (StateChanged is false:
// there was no earlier state). A known comment gets a new version only for a
// text it has never had; a text seen before, for instance a stale
// observation arriving late, adds nothing and IngestResult.Version names the
// version that text already is. Hidden or visible is applied only when the
// observation is not older than the state already stored, and never to a
// deleted comment.
func (s *Store) RecordComment(ctx context.Context, o moderation.CommentObservation) (moderation.IngestResult, error) {
	if o.AccountKey == "" || o.PostID == "" || o.PlatformID == "" {
		return moderation.IngestResult{}, fmt.Errorf("record comment: account key, post id and platform id are required")
	}
	seen := s.orNow(o.SeenAt)
	var res moderation.IngestResult
	err := s.write(ctx, func(tx *txn) error {
		var err error
		res, err = s.recordComment(ctx, tx, o, seen)
		return err
	})
	if err != nil {
		return moderation.IngestResult{}, fmt.Errorf("record comment %s/%s: %w", o.AccountKey, o.PlatformID, err)
	}
	return res, nil
}

func (s *Store) recordComment(ctx context.Context, tx *txn, o moderation.CommentObservation, seen time.Time) (moderation.IngestResult, error) {
	var (
		res      moderation.IngestResult
		state    string
		stateAt  int64
		versions int
	)
	hash := moderation.VersionHash(o.Message)
	observed := moderation.StateVisible
	if o.Hidden {
		observed = moderation.StateHidden
	}
	err := tx.QueryRowContext(ctx, `SELECT id, state, state_at, versions FROM comments WHERE account_key = ? AND platform_id = ?`,
		o.AccountKey, o.PlatformID).Scan(&res.CommentID, &state, &stateAt, &versions)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if err := ensurePost(ctx, tx, o.AccountKey, o.PostID, seen); err != nil {
			return res, err
		}
		r, err := tx.execInsert(ctx, `
			INSERT INTO comments (account_key, post_platform_id, platform_id, parent_id, author_id, author_name,
				created_at, permalink_url, state, state_at, first_seen_at, versions)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
			o.AccountKey, o.PostID, o.PlatformID, o.ParentID, o.Author.ID, o.Author.Name,
			unixNano(o.CreatedAt), o.PermalinkURL, string(observed), unixNano(seen), unixNano(seen))
		if err != nil {
			return res, err
		}
		if res.CommentID, err = r.LastInsertId(); err != nil {
			return res, err
		}
		res.NewComment = true
		versions = 0
	case err != nil:
		return res, err
	default:
		// A known comment: fill in what an earlier observation lacked.
		if _, err := tx.ExecContext(ctx, `
			UPDATE comments SET
				permalink_url = CASE WHEN permalink_url = '' THEN ? ELSE permalink_url END,
				author_name = CASE WHEN author_name = '' THEN ? ELSE author_name END,
				author_id = CASE WHEN author_id = '' THEN ? ELSE author_id END
			WHERE id = ? AND ((permalink_url = '' AND ? <> '') OR (author_name = '' AND ? <> '') OR (author_id = '' AND ? <> ''))`,
			o.PermalinkURL, o.Author.Name, o.Author.ID, res.CommentID, o.PermalinkURL, o.Author.Name, o.Author.ID); err != nil {
			return res, err
		}
		if state != string(moderation.StateDeleted) && state != string(observed) && unixNano(seen) >= stateAt {
			if _, err := tx.ExecContext(ctx, `UPDATE comments SET state = ?, state_at = ? WHERE id = ?`,
				string(observed), unixNano(seen), res.CommentID); err != nil {
				return res, err
			}
			res.StateChanged = true
		}
		err := tx.QueryRowContext(ctx, `SELECT version FROM comment_versions WHERE comment_id = ? AND hash = ?`,
			res.CommentID, hash).Scan(&res.Version)
		if err == nil {
			return res, nil // a text seen before
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return res, err
		}
	}

	res.Version = versions + 1
	res.NewVersion = true
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO comment_versions (comment_id, version, message, hash, seen_at, source, raw, search_config)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?::regconfig)`,
		res.CommentID, res.Version, o.Message, hash, unixNano(seen), string(o.Source), rawOrNil(o.Raw),
		s.searchConfigOf(o.AccountKey)); err != nil {
		return res, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE comments SET versions = ? WHERE id = ?`, res.Version, res.CommentID); err != nil {
		return res, err
	}
	if err := s.enqueueWork(ctx, tx, res.CommentID, res.Version); err != nil {
		return res, err
	}
	return res, nil
}

// RecordStateChange notes that a comment was hidden, unhidden or deleted.
// Deleted is final; a change older than the stored state is ignored; a
// repeat returns changed=false.
func (s *Store) RecordStateChange(ctx context.Context, c moderation.StateChange) (bool, error) {
	switch c.State {
	case moderation.StateVisible, moderation.StateHidden, moderation.StateDeleted:
	default:
		return false, fmt.Errorf("record state change %s/%s: unknown state %q", c.AccountKey, c.PlatformID, c.State)
	}
	at := s.orNow(c.At)
	var changed bool
	err := s.write(ctx, func(tx *txn) error {
		var (
			id      int64
			state   string
			stateAt int64
		)
		err := tx.QueryRowContext(ctx, `SELECT id, state, state_at FROM comments WHERE account_key = ? AND platform_id = ?`,
			c.AccountKey, c.PlatformID).Scan(&id, &state, &stateAt)
		if err != nil {
			return notFound(err, "comment %s/%s", c.AccountKey, c.PlatformID)
		}
		if state == string(c.State) || state == string(moderation.StateDeleted) {
			return nil
		}
		if c.State != moderation.StateDeleted && unixNano(at) < stateAt {
			return nil // older than what is stored
		}
		if _, err := tx.ExecContext(ctx, `UPDATE comments SET state = ?, state_at = ? WHERE id = ?`,
			string(c.State), unixNano(at), id); err != nil {
			return err
		}
		changed = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("record state change %s/%s: %w", c.AccountKey, c.PlatformID, err)
	}
	return changed, nil
}

// Comment returns one comment by uppsikt's id.
func (s *Store) Comment(ctx context.Context, id int64) (moderation.Comment, error) {
	var c moderation.Comment
	err := s.read(ctx, func(tx *txn) error {
		var err error
		c, err = scanComment(tx.QueryRowContext(ctx, `SELECT `+commentColumns+` FROM comments WHERE id = ?`, id))
		if err != nil {
			return notFound(err, "comment %d", id)
		}
		return nil
	})
	return c, err
}

// CommentByPlatformID returns one comment by its platform id.
func (s *Store) CommentByPlatformID(ctx context.Context, accountKey, platformID string) (moderation.Comment, error) {
	var c moderation.Comment
	err := s.read(ctx, func(tx *txn) error {
		var err error
		c, err = scanComment(tx.QueryRowContext(ctx, `SELECT `+commentColumns+` FROM comments WHERE account_key = ? AND platform_id = ?`,
			accountKey, platformID))
		if err != nil {
			return notFound(err, "comment %s/%s", accountKey, platformID)
		}
		return nil
	})
	return c, err
}

// CommentVersions returns every version of a comment, oldest first. An
// unknown comment gives ErrNotFound.
func (s *Store) CommentVersions(ctx context.Context, commentID int64) ([]moderation.CommentVersion, error) {
	var vs []moderation.CommentVersion
	err := s.read(ctx, func(tx *txn) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM comments WHERE id = ?`, commentID).Scan(&one); err != nil {
			return notFound(err, "comment %d", commentID)
		}
		rows, err := tx.QueryContext(ctx, `
			SELECT comment_id, version, message, hash, seen_at, source, raw
			FROM comment_versions WHERE comment_id = ? ORDER BY version`, commentID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				v      moderation.CommentVersion
				seen   int64
				source string
				raw    []byte
			)
			if err := rows.Scan(&v.CommentID, &v.Version, &v.Message, &v.Hash, &seen, &source, &raw); err != nil {
				return err
			}
			v.SeenAt = fromUnixNano(seen)
			v.Source = moderation.Source(source)
			if raw != nil {
				v.Raw = raw
			}
			vs = append(vs, v)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("comment versions %d: %w", commentID, err)
	}
	return vs, nil
}

// CommentStates returns the state of every stored comment on a post, by
// platform id.
func (s *Store) CommentStates(ctx context.Context, accountKey, postID string) (map[string]moderation.CommentState, error) {
	states := make(map[string]moderation.CommentState)
	err := s.read(ctx, func(tx *txn) error {
		rows, err := tx.QueryContext(ctx, `SELECT platform_id, state FROM comments WHERE account_key = ? AND post_platform_id = ?`,
			accountKey, postID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, state string
			if err := rows.Scan(&id, &state); err != nil {
				return err
			}
			states[id] = moderation.CommentState(state)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("comment states %s/%s: %w", accountKey, postID, err)
	}
	return states, nil
}

// ListComments returns comments with their latest text, newest (highest id)
// first.
func (s *Store) ListComments(ctx context.Context, f moderation.CommentFilter) ([]moderation.CommentView, error) {
	var (
		where []string
		args  []any
	)
	if f.AccountKey != "" {
		where = append(where, "c.account_key = ?")
		args = append(args, f.AccountKey)
	}
	if f.State != "" {
		where = append(where, "c.state = ?")
		args = append(args, string(f.State))
	}
	if f.Flagged {
		where = append(where, "(SELECT flagged FROM verdicts WHERE comment_id = c.id ORDER BY version DESC LIMIT 1) = 1")
	}
	if f.BeforeID > 0 {
		where = append(where, "c.id < ?")
		args = append(args, f.BeforeID)
	}
	q := commentViewSelect
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY c.id DESC"
	if f.Limit > 0 {
		q += " LIMIT ?"
		args = append(args, f.Limit)
	}
	var views []moderation.CommentView
	err := s.read(ctx, func(tx *txn) error {
		var err error
		views, err = queryCommentViews(ctx, tx, q, args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list comments: %w", err)
	}
	return views, nil
}

const commentColumns = `id, account_key, post_platform_id, platform_id, parent_id, author_id, author_name,
	created_at, permalink_url, state, state_at, first_seen_at, versions`

// commentViewSelect selects a comment, its latest text, its post's text and
// the categories of its latest verdict.
const commentViewSelect = `
	SELECT c.id, c.account_key, c.post_platform_id, c.platform_id, c.parent_id, c.author_id, c.author_name,
		c.created_at, c.permalink_url, c.state, c.state_at, c.first_seen_at, c.versions,
		v.message, p.message,
		coalesce((SELECT categories FROM verdicts WHERE comment_id = c.id ORDER BY version DESC LIMIT 1), '[]')
	FROM comments c
	JOIN comment_versions v ON v.comment_id = c.id AND v.version = c.versions
	JOIN posts p ON p.account_key = c.account_key AND p.platform_id = c.post_platform_id`

func queryCommentViews(ctx context.Context, tx *txn, q string, args ...any) ([]moderation.CommentView, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var views []moderation.CommentView
	for rows.Next() {
		var (
			v                           moderation.CommentView
			state                       string
			created, stateAt, firstSeen int64
			categories                  string
		)
		if err := rows.Scan(&v.ID, &v.AccountKey, &v.PostID, &v.PlatformID, &v.ParentID, &v.Author.ID, &v.Author.Name,
			&created, &v.PermalinkURL, &state, &stateAt, &firstSeen, &v.Versions,
			&v.Message, &v.PostMessage, &categories); err != nil {
			return nil, err
		}
		v.State = moderation.CommentState(state)
		v.CreatedAt = fromUnixNano(created)
		v.StateAt = fromUnixNano(stateAt)
		v.FirstSeenAt = fromUnixNano(firstSeen)
		if v.Categories, err = decodeList(categories); err != nil {
			return nil, err
		}
		views = append(views, v)
	}
	return views, rows.Err()
}

func scanComment(r scanner) (moderation.Comment, error) {
	var (
		c                           moderation.Comment
		state                       string
		created, stateAt, firstSeen int64
	)
	if err := r.Scan(&c.ID, &c.AccountKey, &c.PostID, &c.PlatformID, &c.ParentID, &c.Author.ID, &c.Author.Name,
		&created, &c.PermalinkURL, &state, &stateAt, &firstSeen, &c.Versions); err != nil {
		return c, err
	}
	c.State = moderation.CommentState(state)
	c.CreatedAt = fromUnixNano(created)
	c.StateAt = fromUnixNano(stateAt)
	c.FirstSeenAt = fromUnixNano(firstSeen)
	return c, nil
}
