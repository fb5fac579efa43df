package postgres

import (
	"context"
	"fmt"

	"github.com/uppsikt/uppsikt/moderation"
)

// Stats counts what the store holds. Posts counts stored posts, not the
// stubs made for posts known only from their comments; Flagged counts
// comments whose latest verdict has a category; Pending counts work items
// in the queue, Dead those set aside; the rest count what /healthz reports.
func (s *Store) Stats(ctx context.Context) (moderation.Stats, error) {
	var st moderation.Stats
	err := s.read(ctx, func(tx *txn) error {
		return tx.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM accounts),
			(SELECT count(*) FROM posts WHERE stub = 0),
			(SELECT count(*) FROM comments),
			(SELECT count(*) FROM comment_versions),
			(SELECT count(*) FROM verdicts v WHERE v.flagged = 1
				AND v.version = (SELECT max(version) FROM verdicts WHERE comment_id = v.comment_id)),
			(SELECT count(*) FROM comments WHERE state = 'deleted'),
			(SELECT count(*) FROM comments WHERE state = 'hidden'),
			(SELECT count(*) FROM work_items WHERE done_at = 0 AND dead_at = 0),
			(SELECT count(*) FROM work_items WHERE done_at = 0 AND dead_at > 0),
			(SELECT count(*) FROM actions WHERE state = 'pending'),
			(SELECT count(*) FROM actions WHERE state = 'failed'),
			(SELECT count(*) FROM webhook_events WHERE done = 0),
			(SELECT count(*) FROM accounts WHERE status = 'disconnected')`).Scan(
			&st.Accounts, &st.Posts, &st.Comments, &st.Versions, &st.Flagged, &st.Deleted, &st.Hidden, &st.Pending,
			&st.Dead, &st.ActionsPending, &st.ActionsFailed, &st.WebhooksPending, &st.Disconnected)
	})
	if err != nil {
		return moderation.Stats{}, fmt.Errorf("stats: %w", err)
	}
	return st, nil
}
