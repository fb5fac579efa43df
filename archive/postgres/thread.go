package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/uppsikt/uppsikt/moderation"
)

// threadWindow selects the window of a post's comments around the comment
// ?1: every comment of the post is numbered in thread order (its root
// top-level comment by time, the root before its replies, the replies by
// time), and the rows within ?2 of the comment's number are returned with
// its parent, each with its latest text. A reply whose parent the store
// does not hold counts as top level; the climb to the root stops after 16
// levels, so that a cycle in bad data cannot run away.
const threadWindow = `
WITH RECURSIVE
target AS (SELECT id, account_key, post_platform_id, parent_id FROM comments WHERE id = ?1),
up (id, anc, depth) AS (
	SELECT c.id, c.id, 0 FROM comments c JOIN target t
	  ON c.account_key = t.account_key AND c.post_platform_id = t.post_platform_id
	UNION ALL
	SELECT up.id, p.id, up.depth + 1 FROM up
	  JOIN comments a ON a.id = up.anc
	  JOIN comments p ON p.account_key = a.account_key AND p.platform_id = a.parent_id
	                 AND p.post_platform_id = a.post_platform_id
	WHERE a.parent_id <> '' AND up.depth < 16
),
-- (SQLite takes anc of the deepest row with max(depth); PostgreSQL says so.)
roots AS (SELECT DISTINCT ON (id) id, anc AS root, depth FROM up ORDER BY id, depth DESC),
ordered AS (
	SELECT r.id, r.depth, row_number() OVER (
	         ORDER BY rc.created_at, rc.platform_id, c.id <> rc.id, c.created_at, c.platform_id) AS rn
	FROM roots r JOIN comments c ON c.id = r.id JOIN comments rc ON rc.id = r.root
),
pos AS (SELECT rn FROM ordered WHERE id = ?1),
parent AS (
	SELECT p.id FROM target t JOIN comments p
	  ON p.account_key = t.account_key AND p.platform_id = t.parent_id AND p.post_platform_id = t.post_platform_id
	WHERE t.parent_id <> ''
)
SELECT c.id, c.account_key, c.post_platform_id, c.platform_id, c.parent_id, c.author_id, c.author_name,
       c.created_at, c.permalink_url, c.state, c.state_at, c.first_seen_at, c.versions,
       o.depth, o.rn, pos.rn, (SELECT count(*) FROM ordered),
       coalesce(v.message, ''), coalesce(v.disposed_at, 0)
FROM ordered o CROSS JOIN pos JOIN comments c ON c.id = o.id
LEFT JOIN comment_versions v ON v.comment_id = c.id AND v.version = c.versions
WHERE o.rn BETWEEN pos.rn - ?2 AND pos.rn + ?2 OR o.id IN (SELECT id FROM parent)
ORDER BY o.rn`

// ThreadAround returns the comment, up to k comments before and after it in
// thread order and its parent, with the counts of the comments left out, in
// one query. See moderation.ThreadStore.
func (s *Store) ThreadAround(ctx context.Context, commentID int64, k int) (moderation.ThreadWindow, error) {
	k = max(k, 0)
	var w moderation.ThreadWindow
	err := s.read(ctx, func(tx *txn) error {
		rows, err := tx.QueryContext(ctx, threadWindow, commentID, k)
		if err != nil {
			return err
		}
		defer rows.Close()
		var (
			at           int
			found        bool
			parentNumber int
		)
		for rows.Next() {
			var (
				c                           moderation.Comment
				state                       string
				created, stateAt, firstSeen int64
				depth, rn, disposed         int64
				msg                         string
			)
			if err := rows.Scan(&c.ID, &c.AccountKey, &c.PostID, &c.PlatformID, &c.ParentID, &c.Author.ID, &c.Author.Name,
				&created, &c.PermalinkURL, &state, &stateAt, &firstSeen, &c.Versions,
				&depth, &rn, &at, &w.Total, &msg, &disposed); err != nil {
				return err
			}
			c.State = moderation.CommentState(state)
			c.CreatedAt, c.StateAt, c.FirstSeenAt = fromUnixNano(created), fromUnixNano(stateAt), fromUnixNano(firstSeen)
			tc := moderation.ThreadComment{Comment: c, Message: msg, Disposed: disposed != 0, Depth: int(depth), Target: c.ID == commentID}
			found = found || tc.Target
			if d := int(rn) - at; d < -k || d > k {
				parentNumber = int(rn)
			}
			w.Comments = append(w.Comments, tc)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if !found {
			return notFound(sql.ErrNoRows, "comment %d", commentID)
		}
		lo, hi := max(1, at-k), min(w.Total, at+k)
		w.Before, w.After = lo-1, w.Total-hi
		switch {
		case parentNumber != 0 && parentNumber < lo:
			w.Before--
		case parentNumber > hi:
			w.After--
		}
		return nil
	})
	if err != nil {
		return moderation.ThreadWindow{}, fmt.Errorf("thread around comment %d: %w", commentID, err)
	}
	return w, nil
}
