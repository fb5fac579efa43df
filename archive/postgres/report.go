package postgres

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

var _ moderation.ActivityStore = (*Store)(nil)

// Audit actions that tell an account was disconnected: the poller's and
// executor's (when they record one), the Slack alert's, and the probe's
// reconnection (an account reconnected in a period was disconnected in it).
var disconnectActions = []string{"account.disconnected", "slack.account_disconnected"}

// Activity counts what happened on every account in the period, for the
// monthly report; see moderation.AccountActivity for what each count is.
func (s *Store) Activity(ctx context.Context, q moderation.ActivityQuery) ([]moderation.AccountActivity, error) {
	if !q.From.Before(q.To) {
		return nil, fmt.Errorf("activity: the period %v to %v is empty", q.From, q.To)
	}
	loc := q.Location
	if loc == nil {
		loc = time.UTC
	}
	days := dayStarts(q.From, q.To, loc)
	from, to := unixNano(q.From), unixNano(q.To)
	var out []moderation.AccountActivity
	err := s.read(ctx, func(tx *txn) error {
		byKey := map[string]*moderation.AccountActivity{}
		rows, err := tx.QueryContext(ctx, `SELECT `+accountColumns+` FROM accounts ORDER BY key`)
		if err != nil {
			return fmt.Errorf("activity: accounts: %w", err)
		}
		for rows.Next() {
			a, err := scanAccount(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("activity: accounts: %w", err)
			}
			out = append(out, moderation.AccountActivity{Account: a, FlaggedBy: map[string]int{},
				SeenPerDay: make([]int, len(days)), FlaggedPerDay: make([]int, len(days))})
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("activity: accounts: %w", err)
		}
		for i := range out {
			byKey[out[i].Account.Key] = &out[i]
		}
		var (
			key, word string
			n, t, t2  int64
		)
		// scan reads a row into dest (an account key first) and hands the
		// row's account to fn; rows of unknown accounts are skipped.
		scan := func(dest ...any) func(fn func(a *moderation.AccountActivity)) func(*dbRows) error {
			return func(fn func(a *moderation.AccountActivity)) func(*dbRows) error {
				return func(r *dbRows) error {
					if err := r.Scan(dest...); err != nil {
						return err
					}
					if a := byKey[key]; a != nil {
						fn(a)
					}
					return nil
				}
			}
		}
		each := func(what, query string, fn func(*dbRows) error, args ...any) error {
			rows, err := tx.QueryContext(ctx, query, args...)
			if err != nil {
				return fmt.Errorf("activity: %s: %w", what, err)
			}
			defer rows.Close()
			for rows.Next() {
				if err := fn(rows); err != nil {
					return fmt.Errorf("activity: %s: %w", what, err)
				}
			}
			if err := rows.Err(); err != nil {
				return fmt.Errorf("activity: %s: %w", what, err)
			}
			return nil
		}
		steps := []struct {
			what, query string
			fn          func(*dbRows) error
			args        []any
		}{
			{"seen", `SELECT * FROM (SELECT c.account_key, CASE WHEN c.created_at > 0 THEN c.created_at ELSE c.first_seen_at END AS t
				FROM comments c JOIN accounts a ON a.key = c.account_key
				WHERE NOT (a.platform_id <> '' AND c.author_id = a.platform_id)) s WHERE t >= ? AND t < ?`,
				scan(&key, &t)(func(a *moderation.AccountActivity) {
					a.Seen++
					if d := dayIndex(days, t); d >= 0 {
						a.SeenPerDay[d]++
					}
				}), []any{from, to}},
			// Driven from the cases (fewer than the comments), each comment
			// found by its key.
			{"flagged", `SELECT DISTINCT * FROM (SELECT c.account_key, c.id, CASE WHEN c.created_at > 0 THEN c.created_at ELSE c.first_seen_at END AS t
				FROM cases k JOIN comments c ON c.id = k.comment_id JOIN accounts a ON a.key = c.account_key
				WHERE NOT (a.platform_id <> '' AND c.author_id = a.platform_id)) f WHERE t >= ? AND t < ?`,
				scan(&key, &n, &t)(func(a *moderation.AccountActivity) {
					a.Flagged++
					if d := dayIndex(days, t); d >= 0 {
						a.FlaggedPerDay[d]++
					}
				}), []any{from, to}},
			{"flagged by category", `SELECT DISTINCT c.account_key, c.id, j.value
				FROM cases k JOIN comments c ON c.id = k.comment_id JOIN accounts a ON a.key = c.account_key, jsonb_array_elements_text(k.categories::jsonb) j(value)
				WHERE NOT (a.platform_id <> '' AND c.author_id = a.platform_id)
					AND CASE WHEN c.created_at > 0 THEN c.created_at ELSE c.first_seen_at END >= ?
					AND CASE WHEN c.created_at > 0 THEN c.created_at ELSE c.first_seen_at END < ?`,
				scan(&key, &n, &word)(func(a *moderation.AccountActivity) { a.FlaggedBy[word]++ }), []any{from, to}},
			{"removed", `SELECT c.account_key, count(DISTINCT x.comment_id)
				FROM actions x JOIN comments c ON c.id = x.comment_id
				WHERE x.kind IN ('hide', 'delete') AND x.state = 'done' AND x.outcome = ''
					AND x.done_at >= ? AND x.done_at < ?
					AND NOT (x.kind = 'hide' AND EXISTS (SELECT 1 FROM actions u WHERE u.comment_id = x.comment_id
						AND u.kind = 'unhide' AND u.state = 'done' AND u.outcome = '' AND u.done_at >= x.done_at))
				GROUP BY c.account_key`,
				scan(&key, &n)(func(a *moderation.AccountActivity) { a.Removed = int(n) }), []any{from, to}},
			{"kept", `SELECT k.account_key, count(DISTINCT k.id) FROM decisions d JOIN cases k ON k.id = d.case_id
				WHERE d.kind = 'keep' AND d.at >= ? AND d.at < ? GROUP BY k.account_key`,
				scan(&key, &n)(func(a *moderation.AccountActivity) { a.Kept = int(n) }), []any{from, to}},
			{"registered", `SELECT c.account_key, count(*) FROM register_entries r JOIN comments c ON c.id = r.comment_id
				WHERE r.created_at >= ? AND r.created_at < ? GROUP BY c.account_key`,
				scan(&key, &n)(func(a *moderation.AccountActivity) { a.Registered = int(n) }), []any{from, to}},
			{"review times", `SELECT k.account_key, k.opened_at, min(d.at) AS decided
				FROM cases k JOIN decisions d ON d.case_id = k.id
				WHERE d.kind IN ('remove', 'keep', 'register')
				GROUP BY k.id HAVING min(d.at) >= ? AND min(d.at) < ?`,
				scan(&key, &t, &t2)(func(a *moderation.AccountActivity) {
					a.ReviewTimes = append(a.ReviewTimes, time.Duration(max(t2-t, 0)))
				}), []any{from, to}},
			{"own posts", `SELECT p.account_key, max(p.created_at) FROM posts p JOIN accounts a ON a.key = p.account_key
				WHERE p.stub = 0 AND (p.author_id = a.platform_id OR p.author_id = '')
					AND p.created_at > 0 AND p.created_at < ? GROUP BY p.account_key`,
				scan(&key, &t)(func(a *moderation.AccountActivity) { a.LastOwnPost = fromUnixNano(t) }), []any{to}},
			{"disconnected now", `SELECT key, updated_at FROM accounts WHERE status = 'disconnected' AND updated_at < ?`,
				scan(&key, &t)(func(a *moderation.AccountActivity) {
					a.Disconnected = true
					a.DisconnectedAt = fromUnixNano(t)
				}), []any{to}},
			{"disconnected in the audit log", `SELECT subject, action, max(at) FROM audit_log
				WHERE action IN (?, ?, ?) AND at >= ? AND at < ? GROUP BY subject, action`,
				scan(&key, &word, &t)(func(a *moderation.AccountActivity) {
					a.Disconnected = true
					if word != moderation.AuditAccountReconnected && fromUnixNano(t).After(a.DisconnectedAt) {
						a.DisconnectedAt = fromUnixNano(t)
					}
				}), []any{disconnectActions[0], disconnectActions[1], moderation.AuditAccountReconnected, from, to}},
		}
		for _, st := range steps {
			if err := each(st.what, st.query, st.fn, st.args...); err != nil {
				return err
			}
		}
		for i := range out {
			slices.Sort(out[i].ReviewTimes)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// dayStarts returns the start of every day of [from, to) in loc, the first
// being from itself.
func dayStarts(from, to time.Time, loc *time.Location) []time.Time {
	days := []time.Time{from}
	l := from.In(loc)
	for d := 1; ; d++ {
		next := time.Date(l.Year(), l.Month(), l.Day()+d, 0, 0, 0, 0, loc)
		if !next.Before(to) {
			return days
		}
		days = append(days, next)
	}
}

// dayIndex is the day of days (sorted starts) that the time t (nanoseconds)
// falls in; -1 before the first.
func dayIndex(days []time.Time, t int64) int {
	return sort.Search(len(days), func(i int) bool { return days[i].UnixNano() > t }) - 1
}
