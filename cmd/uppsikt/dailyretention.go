package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/uppsikt/uppsikt/archive/retention"
	"github.com/uppsikt/uppsikt/bot/facebook"
	"github.com/uppsikt/uppsikt/cmd/config"
)

// retentionFirstWake is how long the service waits after starting before
// its first retention run, so that starting is not slowed by one.
const retentionFirstWake = 2 * time.Minute

// newDailyRetention returns the service's daily retention run
// (retention.Daily), or nil when archive.retention.schedule is "off".
func newDailyRetention(cfg *config.Config, st store, client *facebook.Client, log *slog.Logger, now func() time.Time) func(context.Context) {
	if cfg.Archive.Retention.Schedule != "daily" {
		return nil
	}
	return dailyRetention(cfg, st, client, log, now).Run
}

// dailyRetention is the daily retention run wired from the configuration.
func dailyRetention(cfg *config.Config, st store, client *facebook.Client, log *slog.Logger, now func() time.Time) *retention.Daily {
	log = log.With("part", "retention")
	return &retention.Daily{Store: st, Plan: retentionPlan(cfg), Deleter: newPostDeleter(cfg, st, client, newGate(cfg, st, st, client, nil, log), log),
		FirstWake: retentionFirstWake, Now: now, Logger: log}
}
