package moderation

import (
	"context"
	"time"
)

// Several `uppsikt serve` processes ("workers") may share one store. They
// share the work through the store alone, with no messages between them:
//
//   - every worker writes a heartbeat (Heartbeat) at least every TTL/3; a
//     worker whose heartbeat is older than the TTL is dead;
//   - an account is polled by the one worker holding its lease
//     (BalanceLeases); a lease not renewed within the TTL is free again, so
//     a dead worker's accounts are taken over within one TTL;
//   - a job that must run once across workers (the yearly snapshots, the
//     monthly reports) runs on the worker holding its named lease
//     (AcquireLease, e.g. "job:yearly");
//   - queued work items, platform actions and webhook deliveries are
//     claimed (ClaimStore) by one worker in one statement, so no two
//     workers take the same item.

// LeaseAccountPrefix begins the name of an account's lease ("account:" and
// the account's key); LeaseJobPrefix a job's ("job:yearly").
const (
	LeaseAccountPrefix = "account:"
	LeaseJobPrefix     = "job:"
)

// Worker is one `uppsikt serve` process known to the store.
type Worker struct {
	ID string
	// Instance tells two processes using the same ID apart (a restart
	// after a crash, or a mistake in the configuration).
	Instance  string
	StartedAt time.Time
	SeenAt    time.Time // its last heartbeat
	ExpiresAt time.Time // SeenAt + TTL: dead after this
}

// Lease is a worker's hold on a named thing (an account, a job) until
// ExpiresAt.
type Lease struct {
	Name       string
	Holder     string // the worker's ID
	AcquiredAt time.Time
	ExpiresAt  time.Time
}

// LeaseStore keeps the workers sharing a store and their leases. Every
// method is one transaction; times come from the caller, so that tests and
// every worker agree on what "expired" means only through the store's rows
// (a worker's clock that runs ahead takes leases early: keep the clocks
// synchronised, as NTP does).
//
// On SQLite every method is a write transaction (BEGIN IMMEDIATE), which
// serialises the workers. On PostgreSQL the same methods run at READ
// COMMITTED with the rows locked: BalanceLeases locks the worker's own rows
// and the free ones with
//
//	SELECT name FROM leases WHERE name = ANY($names)
//	  AND (holder = $worker OR expires_at <= $now)
//	  ORDER BY name FOR UPDATE SKIP LOCKED
//
// and inserts leases never held with INSERT … ON CONFLICT (name) DO
// NOTHING, so that two workers balancing at once each take what the other
// has not locked. (archive/postgres also runs every write, these included,
// under its write lock, which serialises them as SQLite's does; the row
// locks keep them correct beside any other writer.)
type LeaseStore interface {
	// Heartbeat records that worker (the process instance) is alive until
	// now+ttl, and extends every item it has claimed (ClaimStore) to the
	// same time. It returns the live workers other than this one that use
	// the same ID with another instance: a sign that two processes were
	// given the same workers.id (or a restart within one TTL of a crash).
	Heartbeat(ctx context.Context, w Worker, now time.Time, ttl time.Duration) (clashes int, err error)
	// BalanceLeases renews worker's leases among names and takes or gives
	// back leases so that it holds its fair share: at most
	// ceil(len(names) / live workers), live workers counted from the
	// heartbeats (this one included). It takes free leases (never held, or
	// expired) in name order while it holds fewer than its share, and
	// gives back its last ones (in name order) while it holds more; so a
	// new worker's share is freed by the others at their next balance,
	// and a dead worker's leases are taken after they expire. Leases held
	// on names not in names are given back. It returns the names the
	// worker holds, sorted, each until now+ttl.
	BalanceLeases(ctx context.Context, worker string, names []string, now time.Time, ttl time.Duration) ([]string, error)
	// AcquireLease takes the named lease, or renews it when worker holds
	// it, until now+ttl; it reports false when another worker holds it
	// unexpired.
	AcquireLease(ctx context.Context, name, worker string, now time.Time, ttl time.Duration) (bool, error)
	// ReleaseLease gives back a lease worker holds; another's is left.
	ReleaseLease(ctx context.Context, name, worker string) error
	// Leave is a worker's clean shutdown: its leases and claims are given
	// back at once and its heartbeat removed, so that the others take its
	// share at their next balance instead of after the TTL.
	Leave(ctx context.Context, worker string) error
	// Leases lists every lease, expired ones too, by name.
	Leases(ctx context.Context) ([]Lease, error)
	// Workers lists the workers alive at now (heartbeat not expired), by ID.
	Workers(ctx context.Context, now time.Time) ([]Worker, error)
}

// ClaimKind names one of the queues workers claim from.
type ClaimKind string

// The queues.
const (
	ClaimWork     ClaimKind = "work"     // the pipeline's work items
	ClaimActions  ClaimKind = "actions"  // platform actions
	ClaimWebhooks ClaimKind = "webhooks" // webhook deliveries
)

// ClaimStore hands queued items to one worker at a time. A claim records
// the worker (claimed_by) and lasts as long as the worker's heartbeat
// (claimed_until, moved on by Heartbeat): a dead worker's claims expire with
// its TTL and another worker takes the items over, as a restarted process
// would. The claim methods return the items that PendingWork,
// PendingActions and PendingWebhookEvents would list at now, less those
// another worker holds an unexpired claim on, and less those this worker
// already claims (it is working on them); the worker must have a live
// heartbeat, or the claim fails.
//
// A claim is not cleared by CompleteWork, FinishAction and the like: an
// item done, or waiting for its retry time, is no longer due anyway, and an
// action kept pending while its reply is under way (act.ReplyUnderWay) must
// stay with its worker. The worker gives its claims back with ReleaseClaims
// when its round is over, or they expire with it.
//
// On SQLite a claim is one statement in a write transaction:
//
//	UPDATE work_items SET claimed_by = ?, claimed_until = ?
//	WHERE id IN (SELECT id FROM work_items WHERE <due> AND
//	  (claimed_by = '' OR claimed_until <= ?) ORDER BY created_at, id LIMIT ?)
//	RETURNING …
//
// On PostgreSQL the subquery locks what it selects and skips rows another
// transaction has locked, so that concurrent claims never wait for or
// overlap each other:
//
//	UPDATE work_items SET claimed_by = $1, claimed_until = $2
//	WHERE id IN (SELECT id FROM work_items WHERE <due> AND
//	  (claimed_by = '' OR claimed_until <= $3) ORDER BY created_at, id
//	  LIMIT $4 FOR UPDATE SKIP LOCKED)
//	RETURNING …
//
// Work items of one comment are processed in order, and a comment's
// platform actions (hide, delete, reply) by one worker: an item or action is
// not claimed while another worker holds a live claim on an unfinished item,
// or a pending action, of the same comment.
type ClaimStore interface {
	ClaimWork(ctx context.Context, worker string, now time.Time, limit int) ([]WorkItem, error)
	ClaimActions(ctx context.Context, worker string, now time.Time, limit int) ([]Action, error)
	ClaimWebhookEvents(ctx context.Context, worker string, now time.Time, limit int) ([]WebhookEvent, error)
	// ReleaseClaims gives back every claim worker holds in the queue.
	ReleaseClaims(ctx context.Context, kind ClaimKind, worker string) error
}

// WorkerStore is a store several workers share.
type WorkerStore interface {
	LeaseStore
	ClaimStore
}
