// Package lease lets several `uppsikt serve` processes (workers) share one
// store. A Keeper is one worker's membership: it writes the worker's
// heartbeat and balances the accounts' leases every TTL/3, so that each
// account is polled by exactly one worker, every worker holds at most
// ceil(accounts / live workers), and the accounts of a worker that died
// are taken over once its leases expire (one TTL). Holds tells the poller
// which accounts are this worker's; a lease counts as held only until the
// TTL after the last renewal this worker saw succeed, so a worker cut off
// from the store stops polling before another may start.
//
// Once runs a job (the yearly snapshots, the monthly reports, the daily
// retention, the health checks, the answer reminders, Slack and the register
// delivery) on the one worker holding the job's lease ("job:NAME"): the job
// starts when the lease is taken and is stopped when it is lost.
//
// The queues (work items, platform actions, webhook deliveries) are not
// here: the loops that drain them claim items from the store
// (moderation.ClaimStore) with the Keeper's ID, and the heartbeat keeps
// their claims alive.
package lease
