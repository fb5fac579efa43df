package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/uppsikt/uppsikt/bot/lease"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
)

// newWorker is this `uppsikt serve` process among the workers sharing the
// store (bot/lease): its ID is workers.id or the host name, its heartbeat,
// leases and claims last workers.lease_ttl. One process alone is a worker
// too, holding every account.
//
// What runs on every worker: the poller (for the accounts it holds), the
// pipeline, the platform actions and the webhook processing (each claiming
// its items), the web page, Slack's interactions and the webhook receiver
// (any worker saves a delivery; whichever claims it processes it). What
// runs once across workers, on the worker holding the job's lease
// ("job:NAME"): the yearly snapshots (yearly), the monthly reports
// (reports), the daily retention (retention), the health checks (health),
// the answer clock's reminders (answers), the Slack messages (slack), the
// register delivery (register) and the decision addenda (addenda).
func newWorker(cfg *config.Config, st moderation.WorkerStore, log *slog.Logger) *lease.Keeper {
	keys := make([]string, len(cfg.Accounts))
	for i, a := range cfg.Accounts {
		keys[i] = a.Key
	}
	id := cfg.Workers.ID
	if id == "" {
		id = hostWorkerID()
	}
	return lease.New(lease.Options{
		Store: st, ID: id, Instance: fmt.Sprintf("%d-%d", os.Getpid(), time.Now().UnixNano()),
		TTL: cfg.Workers.LeaseTTL.D(), Accounts: keys, Logger: log.With("part", "workers"),
	})
}

var notIDRE = regexp.MustCompile(`[^a-z0-9_-]+`)

// hostWorkerID is the default worker ID: the host name, as workers.id
// allows it.
func hostWorkerID() string {
	h, err := os.Hostname()
	id := strings.Trim(notIDRE.ReplaceAllString(strings.ToLower(h), "-"), "-_")
	if err != nil || id == "" {
		return "uppsikt"
	}
	return id[:min(len(id), 63)]
}

// logRunErr logs the error a job's Run returned, unless it is nil.
func logRunErr(log *slog.Logger, job string, err error) {
	if err != nil && !errors.Is(err, context.Canceled) {
		log.Error("job failed", "job", job, "error", err)
	}
}
