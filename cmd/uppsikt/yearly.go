package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/uppsikt/uppsikt/archive/snapshot"
	"github.com/uppsikt/uppsikt/bot/facebook"
	"github.com/uppsikt/uppsikt/cmd/config"
	"github.com/uppsikt/uppsikt/moderation"
)

// yearlyFirstWake is how long the service waits after starting before it
// looks for a due yearly snapshot, so that starting is not slowed by one.
const yearlyFirstWake = time.Minute

// newYearly builds the yearly snapshot scheduler of the service from the
// configuration: the day archive.yearly_on in the municipality's time zone,
// the folder archive.snapshots, screenshots of the account's page and the
// platform's comments as "uppsikt snapshot" takes them.
func newYearly(cfg *config.Config, st store, client *facebook.Client, log *slog.Logger, loc *time.Location, now func() time.Time) (*snapshot.Yearly, error) {
	month, day, err := cfg.Archive.YearlyDay()
	if err != nil {
		return nil, err
	}
	log = log.With("part", "yearly-snapshots")
	live := newLiveThreads(cfg, client)
	write := func(ctx context.Context, a moderation.Account, req snapshot.Request) (snapshot.Result, error) {
		opts := snapshot.Options{Store: st, Location: loc, Logger: log, Now: now, Language: cfg.Municipality.Language,
			Municipality: cfg.Municipality.Name, Creator: creator()}
		contentOnly := ""
		if cfg.Archive.SnapshotsContentOnly {
			contentOnly = "archive.snapshots_content_only"
		}
		br, err := snapshotLayout(ctx, cfg, st, a, &req, contentOnly, log)
		if err != nil {
			return snapshot.Result{}, err
		}
		if br != nil {
			defer br.Close()
			opts.Capture = br
			opts.AfterLayout = func() { br.Close() }
		}
		opts.Live = live.forAccount(a, log)
		return snapshot.New(opts).Write(ctx, req)
	}
	return snapshot.NewYearly(snapshot.YearlyOptions{
		Store: st, Schedule: snapshot.Schedule{Month: month, Day: day, Location: loc}, Folder: cfg.Archive.Snapshots,
		FirstWake: yearlyFirstWake, Write: write, Now: now, Logger: log,
	}), nil
}
