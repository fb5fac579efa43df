package postgres

import (
	"context"
	"fmt"

	"github.com/uppsikt/uppsikt/moderation"
)

// Gauges counts what monitoring asks at every scrape (moderation.MetricsStore):
// the queues through their partial indexes, the accounts with their
// schedules and health records, and the platform actions grouped by kind, state and outcome,
// the failed ones by account too (one scan of the actions table, which
// holds one row per action on a flagged comment, not one per comment).
func (s *Store) Gauges(ctx context.Context) (moderation.Gauges, error) {
	var g moderation.Gauges
	err := s.read(ctx, func(tx *txn) error {
		var oldest int64
		if err := tx.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM work_items WHERE done_at = 0 AND dead_at = 0),
			(SELECT count(*) FROM work_items WHERE done_at = 0 AND dead_at > 0),
			(SELECT count(*) FROM webhook_events WHERE done = 0),
			(SELECT coalesce(min(created_at), 0) FROM work_items WHERE done_at = 0 AND dead_at = 0)`).Scan(
			&g.WorkPending, &g.WorkDead, &g.WebhooksPending, &oldest); err != nil {
			return err
		}
		g.OldestWork = fromUnixNano(oldest)
		rows, err := tx.QueryContext(ctx, `
			SELECT a.key, a.platform, a.status, coalesce(s.last_poll_at, 0), coalesce(s.last_error, '') <> '',
				coalesce(h.last_poll_ok_at, 0)
			FROM accounts a LEFT JOIN schedules s ON s.account_key = a.key
				LEFT JOIN account_health h ON h.account_key = a.key
			ORDER BY a.key`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				a        moderation.AccountGauge
				last, ok int64
			)
			if err := rows.Scan(&a.Key, &a.Platform, &a.Status, &last, &a.LastPollFailed, &ok); err != nil {
				return err
			}
			a.LastPollAt, a.LastPollOK = fromUnixNano(last), fromUnixNano(ok)
			g.Accounts = append(g.Accounts, a)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		// One pass over the actions; the account is looked up only for
		// the failed ones (a join for every action costs ten times more).
		rows, err = tx.QueryContext(ctx, `
			SELECT CASE a.state WHEN 'failed' THEN coalesce((SELECT account_key FROM comments WHERE id = a.comment_id), '') ELSE '' END,
				a.kind, a.state, a.outcome, count(*)
			FROM actions a
			GROUP BY 1, 2, 3, 4 ORDER BY 2, 3, 4, 1`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c moderation.ActionCount
			if err := rows.Scan(&c.AccountKey, &c.Kind, &c.State, &c.Outcome, &c.N); err != nil {
				return err
			}
			if c.State == moderation.ActionFailed {
				g.FailedActions = append(g.FailedActions, c)
			}
			if n := len(g.Actions); n > 0 && g.Actions[n-1].Kind == c.Kind && g.Actions[n-1].State == c.State && g.Actions[n-1].Outcome == c.Outcome {
				g.Actions[n-1].N += c.N
				continue
			}
			c.AccountKey = ""
			g.Actions = append(g.Actions, c)
		}
		return rows.Err()
	})
	if err != nil {
		return moderation.Gauges{}, fmt.Errorf("gauges: %w", err)
	}
	return g, nil
}

// CountVerdicts counts the verdicts stored after position from, by account
// and category and by signal (moderation.MetricsStore). The position is the
// verdicts' seq (SQLite's rowid): a verdict replaced for the same version keeps its row
// and is not counted again, so a caller that keeps running totals reads
// only the rows added since its last call.
func (s *Store) CountVerdicts(ctx context.Context, from int64) (moderation.VerdictCounts, error) {
	vc := moderation.VerdictCounts{Categories: map[string]map[string]int{}, Questions: map[string]int{}, Registers: map[string]int{}, Next: from}
	err := s.read(ctx, func(tx *txn) error {
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM verdicts`).Scan(&vc.Next); err != nil {
			return err
		}
		if vc.Next <= from {
			vc.Next = from
			return nil
		}
		rows, err := tx.QueryContext(ctx, `
			SELECT c.account_key, coalesce(j.value, ''), count(*)
			FROM verdicts v JOIN comments c ON c.id = v.comment_id
			LEFT JOIN LATERAL jsonb_array_elements_text(v.categories::jsonb) j(value) ON true
			WHERE v.seq > ? AND v.seq <= ?
			GROUP BY 1, 2`, from, vc.Next)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				account, category string
				n                 int
			)
			if err := rows.Scan(&account, &category, &n); err != nil {
				return err
			}
			if vc.Categories[account] == nil {
				vc.Categories[account] = map[string]int{}
			}
			vc.Categories[account][category] += n
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, `
			SELECT c.account_key,
				count(*) FILTER (WHERE (v.verdict::jsonb -> 'question') = 'true'),
				count(*) FILTER (WHERE (v.verdict::jsonb -> 'register') = 'true')
			FROM verdicts v JOIN comments c ON c.id = v.comment_id
			WHERE v.seq > ? AND v.seq <= ?
			GROUP BY 1`, from, vc.Next)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				account string
				q, r    int
			)
			if err := rows.Scan(&account, &q, &r); err != nil {
				return err
			}
			if q > 0 {
				vc.Questions[account] += q
			}
			if r > 0 {
				vc.Registers[account] += r
			}
		}
		return rows.Err()
	})
	if err != nil {
		return moderation.VerdictCounts{}, fmt.Errorf("count verdicts: %w", err)
	}
	return vc, nil
}
