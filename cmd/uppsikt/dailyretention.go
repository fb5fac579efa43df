package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/uppsikt/uppsikt/archive/retention"
	"github.com/uppsikt/uppsikt/archive/sqlite"
	"github.com/uppsikt/uppsikt/bot/facebook"
	"github.com/uppsikt/uppsikt/cmd/config"
)

// retentionFirstWake is how long the service waits after starting before
// its first retention run, so that starting is not slowed by one.
const retentionFirstWake = 2 * time.Minute

// newDailyRetention returns the service's daily retention run, or nil when
// archive.retention.schedule is "off". Each run disposes of comment text
// past its age under the plan (legal holds respected, every disposal logged
// and audited) and carries out approved deletions of own posts left
// pending, confirming those removed by hand. Disposal is by cut-off date,
// so a run after a restart repeats nothing.
func newDailyRetention(cfg *config.Config, st *sqlite.Store, client *facebook.Client, log *slog.Logger, now func() time.Time) func(context.Context) {
	if cfg.Archive.Retention.Schedule != "daily" {
		return nil
	}
	log = log.With("part", "retention")
	plan := retentionPlan(cfg)
	deleter := newPostDeleter(cfg, st, client, log)
	return func(ctx context.Context) {
		timer := time.NewTimer(retentionFirstWake)
		defer timer.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
			}
			runDailyRetention(ctx, st, plan, deleter, now(), log)
			timer.Reset(24 * time.Hour)
		}
	}
}

// runDailyRetention is one daily run; failures are logged and tried again
// the next day.
func runDailyRetention(ctx context.Context, st *sqlite.Store, plan retention.Plan, d *retention.Deleter, now time.Time, log *slog.Logger) {
	ds, err := applyRetention(ctx, st, plan, now, "", false, "uppsikt")
	if err != nil {
		log.Error("retention run failed", "error", err)
	}
	items := 0
	for _, d := range ds {
		items += d.Items
	}
	log.Info("retention run", "accounts", len(ds), "disposed", items)
	if _, err := d.ConfirmManual(ctx, ""); err != nil {
		log.Warn("manual removals of own posts not confirmed", "error", err)
	}
	done, objections, err := carryOutDeletions(ctx, st, d)
	if err != nil {
		log.Warn("deletions of own posts left pending", "error", err)
	}
	if len(done) > 0 || len(objections) > 0 {
		log.Info("deletions of own posts", "carried_out", len(done), "waiting_for_objection_approval", len(objections))
	}
}
