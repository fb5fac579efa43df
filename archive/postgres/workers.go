package postgres

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
)

var _ moderation.WorkerStore = (*Store)(nil)

// The workers' methods are archive/sqlite/workers.go's, in PostgreSQL's
// words. Each is one write transaction (READ COMMITTED, under the store's
// write lock, like every write here), so what one reads inside it no other
// worker changes before it commits. The rows a claim or a balance takes are
// also locked with FOR UPDATE SKIP LOCKED, as moderation.LeaseStore and
// moderation.ClaimStore describe: a claim never waits for, or overlaps, a
// transaction that locked rows outside the write lock.

// Heartbeat records that w is alive until now+ttl and moves its claims on
// to the same time.
func (s *Store) Heartbeat(ctx context.Context, w moderation.Worker, now time.Time, ttl time.Duration) (int, error) {
	if w.ID == "" || now.IsZero() || ttl <= 0 {
		return 0, fmt.Errorf("heartbeat: give a worker id, a time and a TTL")
	}
	until := unixNano(now.Add(ttl))
	clashes := 0
	err := s.write(ctx, func(tx *txn) error {
		clashes = 0
		var instance string
		var expires int64
		err := tx.QueryRowContext(ctx, `SELECT instance, expires_at FROM workers WHERE id = ?`, w.ID).Scan(&instance, &expires)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case instance != w.Instance && expires > unixNano(now):
			clashes = 1
		}
		started := w.StartedAt
		if started.IsZero() {
			started = now
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO workers (id, instance, started_at, seen_at, expires_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET instance = excluded.instance, started_at = excluded.started_at,
				seen_at = excluded.seen_at, expires_at = excluded.expires_at`,
			w.ID, w.Instance, unixNano(started), unixNano(now), until); err != nil {
			return err
		}
		for _, table := range claimTables {
			if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET claimed_until = ? WHERE claimed_by = ? AND claimed_by <> ''`, until, w.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("heartbeat of worker %s: %w", w.ID, err)
	}
	return clashes, nil
}

// claimTables are the tables of the queues, in the order of ClaimKind.
// Their statements also ask for a claimed_by that is not empty, so that
// the partial index of claimed rows is used.
var claimTables = []string{"work_items", "actions", "webhook_events"}

// BalanceLeases renews, takes and gives back worker's leases among names so
// that it holds its fair share.
func (s *Store) BalanceLeases(ctx context.Context, worker string, names []string, now time.Time, ttl time.Duration) ([]string, error) {
	if worker == "" || now.IsZero() || ttl <= 0 {
		return nil, fmt.Errorf("balance leases: give a worker id, a time and a TTL")
	}
	n, until := unixNano(now), unixNano(now.Add(ttl))
	want := slices.Clone(names)
	slices.Sort(want)
	want = slices.Compact(want)
	var held []string
	err := s.write(ctx, func(tx *txn) error {
		held = nil // a retried transaction starts again
		var others int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM workers WHERE expires_at > ? AND id <> ?`, n, worker).Scan(&others); err != nil {
			return err
		}
		live := others + 1
		share := (len(want) + live - 1) / live

		// What the worker holds now, unexpired or not: its own leases are
		// its to renew until another worker takes them.
		mine, err := queryNames(ctx, tx, `SELECT name FROM leases WHERE holder = ? ORDER BY name FOR UPDATE`, worker)
		if err != nil {
			return err
		}
		for _, name := range mine {
			if _, ok := slices.BinarySearch(want, name); ok && len(held) < share {
				held = append(held, name)
				continue
			}
			if !balanced(name) {
				continue // a job's lease: AcquireLease keeps it
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM leases WHERE name = ? AND holder = ?`, name, worker); err != nil {
				return err
			}
		}
		if len(held) > 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE leases SET expires_at = ? WHERE holder = ? AND name = ANY(?)`,
				until, worker, held); err != nil {
				return err
			}
		}
		if len(held) >= share {
			return nil
		}
		// The free leases among the names, locked (those another
		// transaction has locked are skipped), then those never held.
		free, err := queryNames(ctx, tx, `SELECT name FROM leases WHERE name = ANY(?) AND holder <> ? AND expires_at <= ?
			ORDER BY name FOR UPDATE SKIP LOCKED`, want, worker, n)
		if err != nil {
			return err
		}
		for _, name := range want {
			if len(held) >= share {
				break
			}
			if _, ok := slices.BinarySearch(held, name); ok {
				continue
			}
			var res result
			if _, ok := slices.BinarySearch(free, name); ok {
				res, err = tx.ExecContext(ctx, `UPDATE leases SET holder = ?, acquired_at = ?, expires_at = ?
					WHERE name = ? AND expires_at <= ?`, worker, n, until, name, n)
			} else {
				res, err = tx.ExecContext(ctx, `INSERT INTO leases (name, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?)
					ON CONFLICT (name) DO NOTHING`, name, worker, n, until)
			}
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k > 0 {
				held = append(held, name)
				slices.Sort(held)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("balance leases of worker %s: %w", worker, err)
	}
	return held, nil
}

// queryNames runs a query for one text column.
func queryNames(ctx context.Context, tx *txn, q string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, rows.Err()
}

// balanced reports whether a lease not among the names balanced is still
// BalanceLeases's to give back: an account's lease (the account left the
// configuration). Other leases (a job's) are AcquireLease's.
func balanced(name string) bool {
	return strings.HasPrefix(name, moderation.LeaseAccountPrefix)
}

// AcquireLease takes or renews the named lease.
func (s *Store) AcquireLease(ctx context.Context, name, worker string, now time.Time, ttl time.Duration) (bool, error) {
	if name == "" || worker == "" || now.IsZero() || ttl <= 0 {
		return false, fmt.Errorf("acquire lease: give a name, a worker id, a time and a TTL")
	}
	n := unixNano(now)
	var got bool
	err := s.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO leases (name, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET
				acquired_at = CASE WHEN leases.holder = excluded.holder THEN leases.acquired_at ELSE excluded.acquired_at END,
				holder = excluded.holder, expires_at = excluded.expires_at
			WHERE leases.holder = excluded.holder OR leases.expires_at <= ?`,
			name, worker, n, unixNano(now.Add(ttl)), n)
		if err != nil {
			return err
		}
		k, err := res.RowsAffected()
		got = k > 0
		return err
	})
	if err != nil {
		return false, fmt.Errorf("acquire lease %s: %w", name, err)
	}
	return got, nil
}

// ReleaseLease gives back a lease worker holds.
func (s *Store) ReleaseLease(ctx context.Context, name, worker string) error {
	err := s.write(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM leases WHERE name = ? AND holder = ?`, name, worker)
		return err
	})
	if err != nil {
		return fmt.Errorf("release lease %s: %w", name, err)
	}
	return nil
}

// Leave gives back everything worker holds and removes its heartbeat.
func (s *Store) Leave(ctx context.Context, worker string) error {
	err := s.write(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM leases WHERE holder = ?`, worker); err != nil {
			return err
		}
		for _, table := range claimTables {
			if err := releaseClaims(ctx, tx, table, worker); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM workers WHERE id = ?`, worker)
		return err
	})
	if err != nil {
		return fmt.Errorf("worker %s leaving: %w", worker, err)
	}
	return nil
}

// Leases lists every lease by name.
func (s *Store) Leases(ctx context.Context) ([]moderation.Lease, error) {
	var ls []moderation.Lease
	err := s.read(ctx, func(tx *txn) error {
		rows, err := tx.QueryContext(ctx, `SELECT name, holder, acquired_at, expires_at FROM leases ORDER BY name`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var l moderation.Lease
			var acquired, expires int64
			if err := rows.Scan(&l.Name, &l.Holder, &acquired, &expires); err != nil {
				return err
			}
			l.AcquiredAt, l.ExpiresAt = fromUnixNano(acquired), fromUnixNano(expires)
			ls = append(ls, l)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("leases: %w", err)
	}
	return ls, nil
}

// Workers lists the live workers by ID.
func (s *Store) Workers(ctx context.Context, now time.Time) ([]moderation.Worker, error) {
	var ws []moderation.Worker
	err := s.read(ctx, func(tx *txn) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, instance, started_at, seen_at, expires_at FROM workers
			WHERE expires_at > ? ORDER BY id`, unixNano(now))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var w moderation.Worker
			var started, seen, expires int64
			if err := rows.Scan(&w.ID, &w.Instance, &started, &seen, &expires); err != nil {
				return err
			}
			w.StartedAt, w.SeenAt, w.ExpiresAt = fromUnixNano(started), fromUnixNano(seen), fromUnixNano(expires)
			ws = append(ws, w)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("workers: %w", err)
	}
	return ws, nil
}

// claimUntil is how long worker's claims last: as long as its heartbeat.
// A worker without a live heartbeat cannot claim.
func claimUntil(ctx context.Context, tx *txn, worker string, now int64) (int64, error) {
	var until int64
	err := tx.QueryRowContext(ctx, `SELECT expires_at FROM workers WHERE id = ?`, worker).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) || err == nil && until <= now {
		return 0, fmt.Errorf("worker %s has no live heartbeat", worker)
	}
	return until, err
}

// ClaimWork claims up to limit due work items for worker, oldest first.
func (s *Store) ClaimWork(ctx context.Context, worker string, now time.Time, limit int) ([]moderation.WorkItem, error) {
	if worker == "" || now.IsZero() {
		return nil, fmt.Errorf("claim work: give a worker id and a time")
	}
	n := unixNano(now)
	var items []moderation.WorkItem
	err := s.write(ctx, func(tx *txn) error {
		items = nil
		until, err := claimUntil(ctx, tx, worker, n)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `
			UPDATE work_items SET claimed_by = ?, claimed_until = ?
			WHERE id IN (
				SELECT w.id FROM work_items w
				WHERE w.done_at = 0 AND w.dead_at = 0 AND w.next_attempt_at <= ?
					AND (w.claimed_by = '' OR w.claimed_until <= ?)
					AND NOT EXISTS (SELECT 1 FROM work_items o
						WHERE o.comment_id = w.comment_id AND o.done_at = 0 AND o.dead_at = 0
							AND o.claimed_by NOT IN ('', ?) AND o.claimed_until > ?)
				ORDER BY w.created_at, w.id LIMIT ? FOR UPDATE SKIP LOCKED)
			RETURNING `+workColumns, worker, until, n, n, worker, n, limitOrAll(limit))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				w                   moderation.WorkItem
				created, next, dead int64
			)
			if err := rows.Scan(&w.ID, &w.CommentID, &w.Version, &w.Attempts, &w.LastError, &created, &next, &dead); err != nil {
				return err
			}
			w.CreatedAt, w.NextAttemptAt, w.DeadAt = fromUnixNano(created), fromUnixNano(next), fromUnixNano(dead)
			items = append(items, w)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("claim work for worker %s: %w", worker, err)
	}
	// RETURNING gives rows in no promised order.
	slices.SortFunc(items, func(a, b moderation.WorkItem) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return items, nil
}

// ClaimActions claims up to limit due actions on active accounts for
// worker, oldest first.
func (s *Store) ClaimActions(ctx context.Context, worker string, now time.Time, limit int) ([]moderation.Action, error) {
	if worker == "" || now.IsZero() {
		return nil, fmt.Errorf("claim actions: give a worker id and a time")
	}
	n := unixNano(now)
	var as []moderation.Action
	err := s.write(ctx, func(tx *txn) error {
		as = nil
		until, err := claimUntil(ctx, tx, worker, n)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `
			UPDATE actions SET claimed_by = ?, claimed_until = ?
			WHERE id IN (
				SELECT a.id FROM actions a
				JOIN comments c ON c.id = a.comment_id
				JOIN accounts acc ON acc.key = c.account_key
				WHERE a.state = 'pending' AND a.next_attempt_at <= ? AND acc.status = ?
					AND (a.claimed_by = '' OR a.claimed_until <= ?)
					AND NOT EXISTS (SELECT 1 FROM actions o
						WHERE o.comment_id = a.comment_id AND o.state = 'pending'
							AND o.claimed_by NOT IN ('', ?) AND o.claimed_until > ?)
				ORDER BY a.id LIMIT ? FOR UPDATE OF a SKIP LOCKED)
			RETURNING `+actionColumns, worker, until, n, moderation.AccountActive, n, worker, n, limitOrAll(limit))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			a, err := scanAction(rows)
			if err != nil {
				return err
			}
			as = append(as, a)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("claim actions for worker %s: %w", worker, err)
	}
	slices.SortFunc(as, func(a, b moderation.Action) int { return cmp.Compare(a.ID, b.ID) })
	return as, nil
}

// ClaimWebhookEvents claims up to limit due deliveries for worker, oldest
// first.
func (s *Store) ClaimWebhookEvents(ctx context.Context, worker string, now time.Time, limit int) ([]moderation.WebhookEvent, error) {
	if worker == "" || now.IsZero() {
		return nil, fmt.Errorf("claim webhook deliveries: give a worker id and a time")
	}
	n := unixNano(now)
	var es []moderation.WebhookEvent
	err := s.write(ctx, func(tx *txn) error {
		es = nil
		until, err := claimUntil(ctx, tx, worker, n)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `
			UPDATE webhook_events SET claimed_by = ?, claimed_until = ?
			WHERE id IN (
				SELECT id FROM webhook_events
				WHERE done = 0 AND next_attempt_at <= ? AND (claimed_by = '' OR claimed_until <= ?)
				ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)
			RETURNING id, object, body, received_at, done, error, attempts, next_attempt_at`,
			worker, until, n, n, limitOrAll(limit))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				e              moderation.WebhookEvent
				received, next int64
			)
			if err := rows.Scan(&e.ID, &e.Object, &e.Body, &received, &e.Done, &e.Error, &e.Attempts, &next); err != nil {
				return err
			}
			e.ReceivedAt, e.NextAttemptAt = fromUnixNano(received), fromUnixNano(next)
			es = append(es, e)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("claim webhook deliveries for worker %s: %w", worker, err)
	}
	slices.SortFunc(es, func(a, b moderation.WebhookEvent) int { return cmp.Compare(a.ID, b.ID) })
	return es, nil
}

// ReleaseClaims gives back worker's claims in one queue.
func (s *Store) ReleaseClaims(ctx context.Context, kind moderation.ClaimKind, worker string) error {
	var table string
	switch kind {
	case moderation.ClaimWork:
		table = "work_items"
	case moderation.ClaimActions:
		table = "actions"
	case moderation.ClaimWebhooks:
		table = "webhook_events"
	default:
		return fmt.Errorf("release claims: unknown queue %q", kind)
	}
	if err := s.write(ctx, func(tx *txn) error { return releaseClaims(ctx, tx, table, worker) }); err != nil {
		return fmt.Errorf("release %s claims of worker %s: %w", kind, worker, err)
	}
	return nil
}

func releaseClaims(ctx context.Context, tx *txn, table, worker string) error {
	_, err := tx.ExecContext(ctx, `UPDATE `+table+` SET claimed_by = '', claimed_until = 0 WHERE claimed_by = ? AND claimed_by <> ''`, worker)
	return err
}
